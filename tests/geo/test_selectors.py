import pytest
from django.contrib.auth.models import AnonymousUser

from opendtm.accounts.roles import Role
from opendtm.core.errors import NotFound
from opendtm.geo.models import Site
from opendtm.geo.selectors import (
    SiteFilters,
    area_get,
    area_level_counts,
    area_list,
    areas_geojson,
    site_get,
    site_list,
    sites_geojson,
)
from tests.factories import AdminAreaFactory, SiteFactory


@pytest.fixture
def viewer(member, operation):
    return member(Role.VIEWER, operation)


@pytest.mark.parametrize("pcode", ["NG008021", "NGA008021", "nga008021", " NG 008021 "])
def test_an_area_is_found_by_either_prefix(operation, viewer, tiny_geo, pcode):
    assert area_get(user=viewer, operation=operation, pcode=pcode) == tiny_geo["maiduguri"]


@pytest.mark.parametrize("pcode", ["SD01", "NG999", "not a code", ""])
def test_other_operations_and_unknown_pcodes_are_not_found(
    operation, other_operation, viewer, tiny_geo, pcode
):
    AdminAreaFactory(operation=other_operation, pcode="SD01")
    with pytest.raises(NotFound, match="No admin area"):
        area_get(user=viewer, operation=operation, pcode=pcode)


def test_an_outsider_does_not_see_the_operations_areas(
    operation, other_operation, member, tiny_geo
):
    outsider = member(Role.OPERATION_ADMIN, other_operation)
    with pytest.raises(NotFound, match="No operation"):
        area_get(user=outsider, operation=operation, pcode="NG008")
    with pytest.raises(NotFound):
        site_list(user=AnonymousUser(), operation=operation)


def test_area_list_counts_current_children_and_sites(operation, viewer, tiny_geo):
    tiny_geo["jere"].valid_to = "2024-01-01"
    tiny_geo["jere"].save()
    SiteFactory(admin_area=tiny_geo["maiduguri"])
    states = {area.pcode: area for area in area_list(user=viewer, operation=operation, level=1)}
    assert states["NG008"].child_count == 1
    lgas = area_list(user=viewer, operation=operation, parent=tiny_geo["borno"])
    assert [(area.pcode, area.site_count) for area in lgas] == [("NG008021", 1)]
    assert len(area_list(user=viewer, operation=operation, level=2, include_retired=True)) == 4
    assert [area.pcode for area in area_list(user=viewer, operation=operation, text="irepo")] == [
        "NG024009",
        "NG030020",
    ]
    assert area_level_counts(user=viewer, operation=operation) == {0: 1, 1: 3, 2: 3}


def test_areas_geojson_is_a_feature_collection_of_simplified_shapes(operation, viewer, tiny_geo):
    collection = areas_geojson(user=viewer, operation=operation, level=2, parent="NGA008")
    assert collection["type"] == "FeatureCollection"
    assert [feature["id"] for feature in collection["features"]] == ["NG008013", "NG008021"]
    feature = collection["features"][1]
    assert feature["type"] == "Feature"
    assert feature["properties"] == {
        "pcode": "NG008021",
        "name": "Maiduguri",
        "level": 2,
        "parent": "NG008",
    }
    assert feature["geometry"] == tiny_geo["maiduguri"].geometry_simplified
    # Irepodun has no shape, so it is not drawn; a bad parent gives nothing.
    assert len(areas_geojson(user=viewer, operation=operation, level=2)["features"]) == 2
    assert areas_geojson(user=viewer, operation=operation, level=2, parent="XX")["features"] == []


@pytest.fixture
def sites(operation, tiny_geo):
    return {
        "camp": SiteFactory(
            code="S1",
            name="Dalori Camp",
            admin_area=tiny_geo["maiduguri"],
            latitude=11.7,
            longitude=13.7,
            outside_area=True,
            aliases=["Dalori 1", "معسكر دالوري"],
        ),
        "school": SiteFactory(
            code="S2",
            name="Muna Primary School",
            site_type=Site.Type.COLLECTIVE_CENTRE,
            admin_area=tiny_geo["jere"],
            status=Site.Status.CLOSED,
        ),
        "kwara": SiteFactory(code="S3", name="Ajase", admin_area=tiny_geo["irepodun_kwara"]),
        "loose": SiteFactory(code="S4", name="Unplaced", operation=operation, admin_area=None),
    }


def codes(user, operation, **filters) -> list[str]:
    return [
        site.code
        for site in site_list(user=user, operation=operation, filters=SiteFilters(**filters))
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["S1", "S2", "S3", "S4"]),
        ({"text": "camp"}, ["S1"]),
        ({"text": "s2"}, ["S2"]),
        ({"text": "Dalori 1"}, ["S1"]),
        ({"text": "دالوري"}, ["S1"]),
        ({"site_type": "collective_centre"}, ["S2"]),
        ({"status": "closed"}, ["S2"]),
        ({"area": "NGA008"}, ["S1", "S2"]),
        ({"area": "NG008013"}, ["S2"]),
        ({"area": "NG024"}, ["S3"]),
        ({"area": "nonsense"}, []),
        ({"outside_area": True}, ["S1"]),
        ({"without_area": True}, ["S4"]),
        ({"area": "NG008", "status": "open"}, ["S1"]),
    ],
)
def test_site_list_filters(operation, sites, filters, expected, member):
    enumerator = member(Role.ENUMERATOR, operation)
    assert codes(enumerator, operation, **filters) == expected


def test_viewers_do_not_see_sites(operation, viewer, sites):
    from opendtm.core.errors import Forbidden

    with pytest.raises(Forbidden):
        site_list(user=viewer, operation=operation)


def test_site_get_by_code(operation, admin_user, sites, other_operation):
    assert site_get(user=admin_user, operation=operation, code="S1") == sites["camp"]
    with pytest.raises(NotFound, match="No site S9"):
        site_get(user=admin_user, operation=operation, code="S9")


def test_sites_geojson_has_points_in_lon_lat_order(operation, admin_user, sites):
    collection = sites_geojson(user=admin_user, operation=operation)
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]  # only S1 has coordinates
    assert feature == {
        "type": "Feature",
        "id": "S1",
        "properties": {
            "code": "S1",
            "name": "Dalori Camp",
            "type": "camp",
            "status": "open",
            "pcode": "NG008021",
            "outside_area": True,
        },
        "geometry": {"type": "Point", "coordinates": [13.7, 11.7]},
    }
    filtered = sites_geojson(
        user=admin_user, operation=operation, filters=SiteFilters(area="NG024")
    )
    assert filtered["features"] == []
