"""The geo REST API: admin areas, sites, GeoJSON, imports and area matches."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from opendtm.accounts.models import AuditEvent, User
from opendtm.accounts.roles import Role
from opendtm.accounts.services.audit import Action
from opendtm.geo.models import AdminArea, ImportJob, Site, SiteAreaMatch
from tests.factories import (
    AdminAreaFactory,
    AdminAreaVersionFactory,
    BoundedAreaFactory,
    ImportJobFactory,
    SiteAreaMatchFactory,
    SiteFactory,
    api_key_for,
)
from tests.query_counts import assert_queries_do_not_grow

API = "/api/v1/operations/nga-ne"


@pytest.fixture
def client_for(db):
    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
        return client

    return make


@pytest.fixture
def as_role(client_for, member, operation):
    """as_role(role) -> a client of a new user holding that role in the operation."""
    return lambda role: client_for(member(role, operation))


@pytest.fixture
def geo(operation):
    """Borno (a 3° square) with Maiduguri and Jere (half-degree squares), and Kano."""
    borno = BoundedAreaFactory(
        operation=operation, level=1, pcode="NG008", name="Borno", lon=12, lat=10, size=3
    )
    lga = {"operation": operation, "level": 2, "parent": borno, "size": 0.5, "lat": 11.5}
    return {
        "borno": borno,
        "maiduguri": BoundedAreaFactory(**lga, pcode="NG008021", name="Maiduguri", lon=13),
        "jere": BoundedAreaFactory(**lga, pcode="NG008013", name="Jere", lon=13.5),
        "kano": AdminAreaFactory(operation=operation, level=1, pcode="NG020", name="Kano"),
    }


@pytest.fixture
def sites(geo, operation):
    return {
        "camp": SiteFactory(
            operation=operation,
            admin_area=geo["maiduguri"],
            code="BOR-001",
            name="Bakassi Camp",
            latitude=11.8,
            longitude=13.2,
            aliases=["Bakasi"],
        ),
        "centre": SiteFactory(
            operation=operation,
            admin_area=geo["jere"],
            code="BOR-002",
            name="Dalori School",
            site_type=Site.Type.COLLECTIVE_CENTRE,
            status=Site.Status.CLOSED,
        ),
        "stray": SiteFactory(
            operation=operation,
            admin_area=geo["kano"],
            code="KAN-001",
            name="Kano Host",
            site_type=Site.Type.HOST_COMMUNITY,
            latitude=12.0,
            longitude=8.5,
            outside_area=True,
        ),
        "homeless": SiteFactory(
            operation=operation, admin_area=None, code="X-001", name="Unplaced"
        ),
    }


def assert_refused(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "hint", "problems"}
    return body


def fields_of(body: dict) -> set[str]:
    return {problem["field"] for problem in body["problems"]}


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# Admin areas


def test_a_viewer_lists_current_areas_with_counts(as_role, geo, sites):
    body = as_role(Role.VIEWER).get(f"{API}/areas/").json()
    assert body["count"] == 4
    by_pcode = {area["pcode"]: area for area in body["results"]}
    assert by_pcode["NG008"]["child_count"] == 2
    assert by_pcode["NG008021"]["site_count"] == 1
    assert by_pcode["NG008021"]["parent_pcode"] == "NG008"
    assert by_pcode["NG008021"]["bbox"] == [13.0, 11.5, 13.5, 12.0]
    assert by_pcode["NG020"]["bbox"] is None
    assert "geometry" not in by_pcode["NG008"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?level=1", {"NG008", "NG020"}),
        ("?level=2", {"NG008021", "NG008013"}),
        ("?parent=NG008", {"NG008021", "NG008013"}),
        ("?parent=NGA008", {"NG008021", "NG008013"}),
        ("?parent=ng%20008", {"NG008021", "NG008013"}),
        ("?q=jer", {"NG008013"}),
        ("?q=NG0080", {"NG008021", "NG008013"}),
        ("?level=2&q=maid", {"NG008021"}),
        ("?parent=&q=&level=1", {"NG008", "NG020"}),
    ],
)
def test_area_list_filters(as_role, geo, query, expected):
    response = as_role(Role.VIEWER).get(f"{API}/areas/{query}")
    assert response.status_code == 200, response.content
    assert {area["pcode"] for area in response.json()["results"]} == expected


def test_retired_areas_are_listed_only_on_request(as_role, geo):
    AdminAreaFactory(operation=geo["kano"].operation, pcode="NG099", valid_to="2020-01-01")
    client = as_role(Role.VIEWER)
    assert "NG099" not in {a["pcode"] for a in client.get(f"{API}/areas/").json()["results"]}
    listed = client.get(f"{API}/areas/?include_retired=true").json()["results"]
    assert "NG099" in {area["pcode"] for area in listed}


def test_area_list_is_paginated_by_limit_and_offset(as_role, geo):
    body = as_role(Role.VIEWER).get(f"{API}/areas/?limit=2&offset=1").json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert "offset=3" in body["next"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?level=one", "level"),
        ("?level=9", "level"),
        ("?parent=NG999", "parent"),
        ("?parent=SD001", "parent"),
        ("?parent=%27%3B--", "parent"),
        ("?include_retired=maybe", "include_retired"),
    ],
)
def test_bad_area_filters_are_refused(as_role, geo, query, field):
    body = assert_refused(as_role(Role.VIEWER).get(f"{API}/areas/{query}"))
    assert fields_of(body) == {field}
    assert body["problems"][0]["where"] == "query string"


def test_area_list_queries_do_not_grow_with_areas(
    django_assert_max_num_queries, as_role, geo, operation
):
    def add_rows(numbers):
        for number in numbers:
            area = AdminAreaFactory(
                operation=operation, level=2, parent=geo["kano"], pcode=f"NG020{number:03d}"
            )
            SiteFactory(operation=operation, admin_area=area)

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries, as_role(Role.VIEWER), f"{API}/areas/", add_rows, ceiling=6
    )
    assert body["count"] == 35


@pytest.mark.parametrize("pcode", ["NG008021", "NGA008021", "ng008021"])
def test_an_area_by_iso2_or_iso3_pcode_with_its_versions(as_role, geo, pcode):
    AdminAreaVersionFactory(area=geo["maiduguri"], name="Maiduguri M.C.", valid_to="2019-04-17")
    response = as_role(Role.VIEWER).get(f"{API}/areas/{pcode}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["pcode"], body["name"], body["parent_name"]) == ("NG008021", "Maiduguri", "Borno")
    assert [version["name"] for version in body["versions"]] == ["Maiduguri M.C."]
    assert body["versions"][0]["valid_to"] == "2019-04-17"


@pytest.mark.parametrize("pcode", ["NG999", "SD008021", "not-a-pcode", "%20", "NG0080211"])
def test_an_unknown_area_is_not_found(as_role, geo, pcode):
    assert as_role(Role.VIEWER).get(f"{API}/areas/{pcode}/").status_code == 404


def test_area_geojson_gives_one_level_with_simplified_boundaries(as_role, geo):
    response = as_role(Role.VIEWER).get(f"{API}/areas/geojson/?level=2")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [feature["id"] for feature in body["features"]] == ["NG008013", "NG008021"]
    feature = body["features"][1]
    assert feature["properties"] == {
        "pcode": "NG008021",
        "name": "Maiduguri",
        "level": 2,
        "parent": "NG008",
    }
    assert feature["geometry"]["type"] == "Polygon"


def test_area_geojson_leaves_out_areas_without_boundaries(as_role, geo):
    body = as_role(Role.VIEWER).get(f"{API}/areas/geojson/?level=1").json()
    assert [feature["id"] for feature in body["features"]] == ["NG008"]


@pytest.mark.parametrize(
    ("parent", "expected"),
    [
        ("NG008", ["NG008013", "NG008021"]),
        ("NGA008", ["NG008013", "NG008021"]),
        ("NG00802", ["NG008021"]),
        ("NG020", []),
    ],
)
def test_area_geojson_under_a_parent(as_role, geo, parent, expected):
    body = as_role(Role.VIEWER).get(f"{API}/areas/geojson/?level=2&parent={parent}").json()
    assert [feature["id"] for feature in body["features"]] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [("", "level"), ("?level=x", "level"), ("?level=1&parent=ZZ1", "parent")],
)
def test_bad_area_geojson_queries_are_refused(as_role, geo, query, field):
    body = assert_refused(as_role(Role.VIEWER).get(f"{API}/areas/geojson/{query}"))
    assert fields_of(body) == {field}


def test_area_geojson_queries_do_not_grow_and_are_not_paginated(
    django_assert_max_num_queries, as_role, geo, operation
):
    def add_rows(numbers):
        for number in numbers:
            BoundedAreaFactory(
                operation=operation, level=2, parent=geo["kano"], pcode=f"NG020{number:03d}"
            )

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        as_role(Role.VIEWER),
        f"{API}/areas/geojson/?level=2",
        add_rows,
        ceiling=4,
    )
    assert len(body["features"]) == 33


# Area imports

AREAS_CSV = "adm1_pcode,adm1_name\nNG008,Borno\nNG020,Kano\nNG036,Yobe\n"


def test_an_admin_uploads_areas_and_polls_the_job(
    client_for, admin_user, operation, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/areas/imports/",
            {
                "file": upload("states.csv", AREAS_CSV),
                "valid_on": "2024-01-31",
                "label": "COD-AB 2024",
                "retire_missing": "true",
            },
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "queued"
    assert job["kind"] == "areas"
    assert job["options"] == {
        "columns": "",
        "valid_on": "2024-01-31",
        "label": "COD-AB 2024",
        "retire_missing": True,
        "repair": False,
    }
    assert response["Location"] == f"{API}/areas/imports/{job['id']}/"
    polled = client.get(response["Location"]).json()
    assert polled["status"] == "done", polled
    assert polled["summary"]["per_level"]["1"] == 3, polled
    assert polled["created_by"] == "opadmin"
    assert {"NG008", "NG020", "NG036"} <= set(AdminArea.objects.values_list("pcode", flat=True))
    listed = client.get(f"{API}/areas/imports/").json()
    assert [item["id"] for item in listed["results"]] == [job["id"]]


def test_a_refused_area_file_is_a_failed_job_with_problems(
    client_for, admin_user, operation, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/areas/imports/",
            {"file": upload("states.csv", "adm1_pcode,adm1_name\nNG008,Borno\nNG008,Yobe\n")},
            format="multipart",
        )
    job = client.get(f"{API}/areas/imports/{response.json()['id']}/").json()
    assert job["status"] == "failed"
    assert job["message"]
    assert job["problems"]
    assert set(job["problems"][0]) == {"message", "where", "field", "hint"}
    assert not AdminArea.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENUMERATOR, Role.DATA_MANAGER])
def test_only_operation_admins_import_areas(as_role, operation, role):
    client = as_role(role)
    response = client.post(
        f"{API}/areas/imports/", {"file": upload("s.csv", AREAS_CSV)}, format="multipart"
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert client.get(f"{API}/areas/imports/").status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "file"),
        ({"file": upload("empty.csv", "")}, "file"),
        ({"file": upload("s.csv", AREAS_CSV), "valid_on": "last year"}, "valid_on"),
        ({"file": upload("s.csv", AREAS_CSV), "retire_missing": "perhaps"}, "retire_missing"),
        ({"file": upload("s.csv", AREAS_CSV), "colour": "red"}, "colour"),
    ],
)
def test_area_upload_refuses_bad_input(client_for, admin_user, operation, payload, field):
    response = client_for(admin_user).post(f"{API}/areas/imports/", payload, format="multipart")
    assert field in fields_of(assert_refused(response))
    assert not ImportJob.objects.exists()


def test_an_upload_over_the_limit_is_refused_before_it_is_stored(
    client_for, admin_user, operation, settings
):
    settings.OPENDTM_MAX_UPLOAD_BYTES = 10
    response = client_for(admin_user).post(
        f"{API}/areas/imports/", {"file": upload("s.csv", AREAS_CSV)}, format="multipart"
    )
    body = assert_refused(response)
    assert "upload limit" in body["message"]
    assert not ImportJob.objects.exists()


def test_an_upload_sent_as_json_is_unsupported(client_for, admin_user, operation):
    response = client_for(admin_user).post(
        f"{API}/areas/imports/", {"file": "NG008,Borno"}, format="json"
    )
    assert response.status_code == 415


def test_an_import_of_the_other_kind_is_not_found(client_for, admin_user, operation):
    job = ImportJobFactory(operation=operation, kind=ImportJob.Kind.SITES, created_by=admin_user)
    client = client_for(admin_user)
    assert client.get(f"{API}/areas/imports/{job.pk}/").status_code == 404
    assert client.get(f"{API}/sites/imports/{job.pk}/").status_code == 200
    assert client.get(f"{API}/sites/imports/999999/").status_code == 404


@pytest.mark.parametrize("kind", [ImportJob.Kind.AREAS, ImportJob.Kind.SITES])
def test_import_list_queries_do_not_grow_with_jobs(
    django_assert_max_num_queries, client_for, admin_user, operation, kind
):
    def add_rows(numbers):
        for _ in numbers:
            ImportJobFactory(operation=operation, kind=kind)

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        client_for(admin_user),
        f"{API}/{kind}/imports/",
        add_rows,
        ceiling=5,
    )
    assert body["count"] == 31


# Sites


def test_a_viewer_cannot_read_sites(as_role, sites):
    client = as_role(Role.VIEWER)
    assert client.get(f"{API}/areas/").status_code == 200
    assert client.get(f"{API}/sites/").status_code == 403
    assert client.get(f"{API}/sites/BOR-001/").status_code == 403
    assert client.get(f"{API}/sites/geojson/").status_code == 403


def test_an_enumerator_reads_sites(as_role, sites):
    body = as_role(Role.ENUMERATOR).get(f"{API}/sites/").json()
    assert body["count"] == 4
    camp = body["results"][0]
    assert camp["code"] == "BOR-001"
    assert camp["type"] == "camp"
    assert camp["admin_area"] == {"pcode": "NG008021", "name": "Maiduguri", "level": 2}
    assert camp["aliases"] == ["Bakasi"]
    homeless = next(site for site in body["results"] if site["code"] == "X-001")
    assert homeless["admin_area"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=bakas", {"BOR-001"}),
        ("?q=kan-001", {"KAN-001"}),
        ("?type=collective_centre", {"BOR-002"}),
        ("?status=closed", {"BOR-002"}),
        ("?area=NG008", {"BOR-001", "BOR-002"}),
        ("?area=NGA008013", {"BOR-002"}),
        ("?outside_area=true", {"KAN-001"}),
        ("?without_area=1", {"X-001"}),
        ("?type=&status=&area=&q=", {"BOR-001", "BOR-002", "KAN-001", "X-001"}),
    ],
)
def test_site_list_filters(as_role, sites, query, expected):
    response = as_role(Role.ENUMERATOR).get(f"{API}/sites/{query}")
    assert response.status_code == 200, response.content
    assert {site["code"] for site in response.json()["results"]} == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?type=palace", "type"),
        ("?status=ajar", "status"),
        ("?area=SD008", "area"),
        ("?area=Borno", "area"),
        ("?outside_area=sometimes", "outside_area"),
    ],
)
def test_bad_site_filters_are_refused(as_role, sites, query, field):
    body = assert_refused(as_role(Role.ENUMERATOR).get(f"{API}/sites/{query}"))
    assert fields_of(body) == {field}


def test_site_list_queries_do_not_grow_with_sites(
    django_assert_max_num_queries, as_role, geo, operation
):
    def add_rows(numbers):
        for _ in numbers:
            SiteFactory(operation=operation, admin_area=geo["maiduguri"])

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        as_role(Role.ENUMERATOR),
        f"{API}/sites/",
        add_rows,
        ceiling=5,
    )
    assert body["count"] == 31


def test_site_geojson_gives_points_of_sites_with_coordinates(as_role, sites):
    body = as_role(Role.ENUMERATOR).get(f"{API}/sites/geojson/").json()
    assert body["type"] == "FeatureCollection"
    by_code = {feature["id"]: feature for feature in body["features"]}
    assert set(by_code) == {"BOR-001", "KAN-001"}
    assert by_code["BOR-001"]["geometry"] == {"type": "Point", "coordinates": [13.2, 11.8]}
    assert by_code["KAN-001"]["properties"]["outside_area"] is True
    filtered = as_role(Role.ENUMERATOR).get(f"{API}/sites/geojson/?area=NG008").json()
    assert [feature["id"] for feature in filtered["features"]] == ["BOR-001"]
    assert_refused(as_role(Role.ENUMERATOR).get(f"{API}/sites/geojson/?type=palace"))


def test_site_geojson_queries_do_not_grow_with_sites(
    django_assert_max_num_queries, as_role, geo, operation
):
    def add_rows(numbers):
        for _ in numbers:
            SiteFactory(
                operation=operation, admin_area=geo["maiduguri"], latitude=11.7, longitude=13.1
            )

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        as_role(Role.ENUMERATOR),
        f"{API}/sites/geojson/",
        add_rows,
        ceiling=4,
    )
    assert len(body["features"]) == 31


def test_one_site(as_role, sites):
    response = as_role(Role.ENUMERATOR).get(f"{API}/sites/BOR-002/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert as_role(Role.ENUMERATOR).get(f"{API}/sites/NOPE/").status_code == 404


NEW_SITE = {
    "code": "BOR-100",
    "name": "Muna Garage",
    "type": "informal_settlement",
    "admin_area": "NGA008013",
    "latitude": 11.7,
    "longitude": 13.7,
    "aliases": ["Muna"],
}


def test_a_data_manager_creates_a_site_with_an_area_pcode(as_role, geo, operation):
    response = as_role(Role.DATA_MANAGER).post(f"{API}/sites/", NEW_SITE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["admin_area"]["pcode"] == "NG008013"
    assert body["status"] == "open"
    assert body["outside_area"] is False
    site = Site.objects.get(operation=operation, code="BOR-100")
    assert site.site_type == Site.Type.INFORMAL_SETTLEMENT
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="geo.site", object_id=str(site.pk)
    ).exists()


def test_a_site_given_only_coordinates_is_placed_in_its_area(as_role, geo):
    payload = {"code": "BOR-101", "name": "Somewhere", "type": "camp", "latitude": 11.8}
    payload["longitude"] = 13.2
    body = as_role(Role.DATA_MANAGER).post(f"{API}/sites/", payload, format="json").json()
    assert body["admin_area"]["pcode"] == "NG008021"


def test_an_enumerator_cannot_create_sites(as_role, geo):
    response = as_role(Role.ENUMERATOR).post(f"{API}/sites/", NEW_SITE, format="json")
    assert response.status_code == 403
    assert not Site.objects.filter(code="BOR-100").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"admin_area": "NG999"}, "admin_area"),
        ({"admin_area": "SD008"}, "admin_area"),
        ({"admin_area": ""}, "admin_area"),
        ({"admin_area": 8}, "admin_area"),
        ({"type": "palace"}, "type"),
        ({"latitude": "north"}, "latitude"),
        ({"latitude": 95}, "latitude"),
        ({"latitude": "NaN"}, "latitude"),
        ({"longitude": "-Infinity"}, "longitude"),
        ({"longitude": None}, "latitude"),
        ({"aliases": "Muna"}, "aliases"),
        ({"code": ""}, "code"),
        ({"code": "BOR-001"}, "code"),
        ({"site_type": "camp"}, "site_type"),
        ({"outside_area": True}, "outside_area"),
    ],
)
def test_site_create_refuses_bad_input(as_role, sites, changes, field):
    payload = {**NEW_SITE, **changes}
    response = as_role(Role.DATA_MANAGER).post(f"{API}/sites/", payload, format="json")
    assert field in fields_of(assert_refused(response))
    assert not Site.objects.filter(code="BOR-100").exists()


def test_a_site_is_changed_in_part(as_role, sites):
    client = as_role(Role.DATA_MANAGER)
    response = client.patch(
        f"{API}/sites/BOR-002/", {"status": "open", "admin_area": "NG008021"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["name"]) == ("open", "Dalori School")
    assert body["admin_area"]["pcode"] == "NG008021"
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="geo.site")
    assert set(event.after) == {"status", "admin_area"}


def test_a_site_code_can_change_and_the_area_be_cleared(as_role, sites):
    client = as_role(Role.DATA_MANAGER)
    response = client.patch(
        f"{API}/sites/BOR-002/", {"code": "BOR-002A", "admin_area": None}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["admin_area"] is None
    assert client.get(f"{API}/sites/BOR-002A/").status_code == 200


def test_an_enumerator_cannot_change_sites(as_role, sites):
    response = as_role(Role.ENUMERATOR).patch(
        f"{API}/sites/BOR-001/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 403
    assert Site.objects.get(code="BOR-001").name == "Bakassi Camp"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"code": "BOR-002"}, "code"), ({"status": "ajar"}, "status"), ({"id": 3}, "id")],
)
def test_site_update_refuses_bad_input(as_role, sites, changes, field):
    response = as_role(Role.DATA_MANAGER).patch(f"{API}/sites/BOR-001/", changes, format="json")
    assert field in fields_of(assert_refused(response))


# Site imports

SITES_CSV = (
    "site_code,site_name,type,pcode,latitude,longitude\nBOR-200,New Camp,camp,NG008021,11.8,13.2\n"
)


def test_a_data_manager_uploads_sites_and_polls_the_job(
    as_role, geo, operation, django_capture_on_commit_callbacks
):
    client = as_role(Role.DATA_MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/sites/imports/",
            {"file": upload("sites.csv", SITES_CSV), "columns": ""},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job = client.get(response["Location"]).json()
    assert job["status"] == "done", job
    assert job["kind"] == "sites"
    assert job["summary"]["created"] == 1
    assert Site.objects.get(code="BOR-200").admin_area == geo["maiduguri"]


def test_an_enumerator_cannot_import_sites(as_role, geo):
    response = as_role(Role.ENUMERATOR).post(
        f"{API}/sites/imports/", {"file": upload("sites.csv", SITES_CSV)}, format="multipart"
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_site_upload_has_only_the_columns_option(as_role, geo):
    response = as_role(Role.DATA_MANAGER).post(
        f"{API}/sites/imports/",
        {"file": upload("sites.csv", SITES_CSV), "retire_missing": "true"},
        format="multipart",
    )
    assert fields_of(assert_refused(response)) == {"retire_missing"}


# Area matches


@pytest.fixture
def match(sites, geo):
    return SiteAreaMatchFactory(
        site=sites["homeless"], suggested_area=geo["jere"], given_name="Jere LGA", score=88.5
    )


def test_a_data_manager_lists_pending_matches(as_role, match):
    body = as_role(Role.DATA_MANAGER).get(f"{API}/sites/matches/").json()
    [item] = body["results"]
    assert item["site_code"] == "X-001"
    assert item["suggested_area"]["pcode"] == "NG008013"
    assert (item["given_name"], item["score"], item["status"]) == ("Jere LGA", 88.5, "pending")


def test_accepting_a_match_places_the_site(as_role, match):
    client = as_role(Role.DATA_MANAGER)
    response = client.post(f"{API}/sites/matches/{match.pk}/", {"accept": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    assert Site.objects.get(code="X-001").admin_area.pcode == "NG008013"
    assert client.get(f"{API}/sites/matches/").json()["count"] == 0
    confirmed = client.get(f"{API}/sites/matches/?status=confirmed").json()["results"]
    assert confirmed[0]["decided_by"]
    again = client.post(f"{API}/sites/matches/{match.pk}/", {"accept": True}, format="json")
    assert again.status_code == 404


def test_rejecting_a_match_leaves_the_site(as_role, match):
    response = as_role(Role.DATA_MANAGER).post(
        f"{API}/sites/matches/{match.pk}/", {"accept": False}, format="json"
    )
    assert response.json()["status"] == "rejected"
    assert Site.objects.get(code="X-001").admin_area is None
    assert SiteAreaMatch.objects.get(pk=match.pk).status == SiteAreaMatch.Status.REJECTED


@pytest.mark.parametrize("payload", [{}, {"accept": "perhaps"}, {"accept": True, "area": "x"}])
def test_a_match_decision_refuses_bad_input(as_role, match, payload):
    response = as_role(Role.DATA_MANAGER).post(
        f"{API}/sites/matches/{match.pk}/", payload, format="json"
    )
    assert_refused(response)
    assert SiteAreaMatch.objects.get(pk=match.pk).status == SiteAreaMatch.Status.PENDING


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENUMERATOR, Role.PROTECTION_OFFICER])
def test_only_site_managers_see_and_decide_matches(as_role, match, role):
    client = as_role(role)
    assert client.get(f"{API}/sites/matches/").status_code == 403
    response = client.post(f"{API}/sites/matches/{match.pk}/", {"accept": True}, format="json")
    assert response.status_code == 403
    assert SiteAreaMatch.objects.get(pk=match.pk).status == SiteAreaMatch.Status.PENDING


def test_match_list_queries_do_not_grow_with_matches(
    django_assert_max_num_queries, as_role, geo, operation
):
    def add_rows(numbers):
        for _ in numbers:
            site = SiteFactory(operation=operation, admin_area=None)
            SiteAreaMatchFactory(site=site, suggested_area=geo["jere"])

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        as_role(Role.DATA_MANAGER),
        f"{API}/sites/matches/",
        add_rows,
        ceiling=5,
    )
    assert body["count"] == 31


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/sites/matches/?status=maybe",
        f"{API}/areas/?limit=abc&offset=-4",
        f"{API}/sites/?limit=100000",
    ],
)
def test_odd_query_parameters_are_never_a_server_error(as_role, sites, url):
    response = as_role(Role.DATA_MANAGER).get(url)
    assert response.status_code in {200, 400}


@pytest.mark.parametrize("code", ["BOR/MAI/001", "مخيم-1", "A B"])
def test_a_site_code_with_slashes_spaces_or_arabic_has_its_own_url(as_role, geo, operation, code):
    SiteFactory(operation=operation, admin_area=geo["jere"], code=code, name="Odd code")
    client = as_role(Role.DATA_MANAGER)
    url = reverse("api-site-detail", kwargs={"slug": "nga-ne", "code": code})
    assert client.get(url).json()["code"] == code
    response = client.patch(url, {"name": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    assert Site.objects.get(code=code).name == "Renamed"


# Odd input of every kind is refused, never a server error (SQLite and PostgreSQL alike).

ODD_TEXT = ["", " ", "x", "-1", "1" * 25, "1.5", "NaN", "\x00", "é", "NG" + "0" * 60, "'--"]
ODD_VALUES = ["", "x", -1, 10**30, 1.5, None, True, [], {}, ["x"], {"a": 1}, "\x00", "NaN"]
QUERY_PARAMETERS = {
    "areas/": ["level", "parent", "q", "include_retired", "limit", "offset"],
    "areas/geojson/": ["level", "parent"],
    "areas/imports/": ["limit", "offset"],
    "sites/": ["q", "type", "status", "area", "outside_area", "without_area", "limit"],
    "sites/geojson/": ["q", "type", "status", "area", "outside_area", "without_area"],
    "sites/imports/": ["limit"],
    "sites/matches/": ["status", "limit"],
}


@pytest.fixture
def admin_api(client_for, admin_user, sites):
    return client_for(admin_user)


@pytest.mark.parametrize("path", sorted(QUERY_PARAMETERS))
def test_odd_query_values_are_never_a_server_error(admin_api, path):
    for name in QUERY_PARAMETERS[path]:
        for value in ODD_TEXT:
            response = admin_api.get(f"{API}/{path}", {name: value})
            assert response.status_code in {200, 400}, (name, value, response.content)


@pytest.mark.parametrize(
    ("method", "path", "valid"),
    [
        ("post", "sites/", {"code": "Z-1", "name": "Z", "type": "camp"}),
        ("patch", "sites/BOR-001/", {}),
        ("post", "sites/matches/{match}/", {"accept": False}),
    ],
)
def test_odd_body_values_are_never_a_server_error(admin_api, match, method, path, valid):
    url = f"{API}/{path.format(match=match.pk)}"
    fields = [*valid, "code", "name", "type", "status", "admin_area", "latitude", "longitude"]
    for name in [*fields, "aliases"]:
        for value in ODD_VALUES:
            response = getattr(admin_api, method)(url, {**valid, name: value}, format="json")
            assert response.status_code in {200, 201, 400, 404}, (name, value, response.content)


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"\xff\xfe", b'{"code": NaN}', b"[1, 2]", b'"text"', b"1e999"]
)
def test_a_body_that_is_not_a_json_object_is_refused(admin_api, raw):
    response = admin_api.post(f"{API}/sites/", raw, content_type="application/json")
    assert_refused(response)


@pytest.mark.parametrize(
    "path", ["areas/" + "x" * 500 + "/", "areas/NG%00/", "sites/a%00b/", "sites/%ff/"]
)
def test_odd_paths_are_not_found(admin_api, path):
    assert admin_api.get(f"{API}/{path}").status_code == 404
