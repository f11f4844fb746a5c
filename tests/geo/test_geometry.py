import json

import pytest
from shapely.geometry import shape

from opendtm.geo.geometry import GeometryError, covers_point, parse_geometry, rounded, simplified
from tests.factories import square


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "has no geometry"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "has a LineString geometry"),
        ({"type": "Polygon"}, "has a geometry that cannot be read"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
            "has a geometry that cannot be read",
        ),
        ({"type": "Polygon", "coordinates": []}, "has an empty geometry"),
        (square(500_000, 1_300_000, 1000), "has coordinates outside longitude/latitude ranges"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]},
            "has an invalid geometry: Self-intersection",
        ),
    ],
)
def test_geometries_that_cannot_be_an_admin_area(data, message):
    with pytest.raises(GeometryError) as caught:
        parse_geometry(data)
    assert str(caught.value).startswith(message)


def test_a_repaired_polygon_keeps_only_its_polygonal_part():
    spike = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0], [-1, -1], [0, 0]]],
    }
    geometry = parse_geometry(spike, repair=True)
    assert geometry.is_valid
    assert geometry.geom_type in {"Polygon", "MultiPolygon"}
    assert geometry.area == pytest.approx(1.0)


def test_rounded_coordinates_are_json_lists_equal_to_their_stored_copy():
    geometry = shape(square(13.1234567891, 11.9876543219, 0.5))
    stored = rounded(geometry, 6)
    assert stored == json.loads(json.dumps(stored))
    assert stored["coordinates"][0][0] == [13.123457, 11.987654]


def test_simplified_copies_are_lighter_at_higher_levels():
    # A zigzag of 0.003 degrees: a ward keeps it, a state is drawn straight through it.
    ring = [[13 + 0.003 * (i % 2), 11 + i * 0.001] for i in range(200)]
    polygon = shape({"type": "Polygon", "coordinates": [[*ring, [12, 11.2], ring[0]]]})
    state, ward = simplified(polygon, 1), simplified(polygon, 4)
    assert len(state["coordinates"][0]) < len(ward["coordinates"][0]) <= len(ring) + 2


def test_covers_point_includes_the_boundary():
    assert covers_point(square(13, 11), 13.5, 11.5)
    assert covers_point(square(13, 11), 13.0, 11.5)
    assert not covers_point(square(13, 11), 12.9, 11.5)
