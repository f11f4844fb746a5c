"""The map's shapes: rings wound for d3, figures put in round classes, blanked ones grey."""

from opendtm.publishing.reports.charts import BLANKED, CLASS_COLOURS, NO_FIGURES
from opendtm.publishing.reports.shapes import (
    Shape,
    classes_up_to,
    map_features,
    rewound,
    signed_area,
)
from tests.publishing.reports.conftest import square

HOLE = [[12.2, 11.2], [12.2, 11.4], [12.4, 11.4], [12.4, 11.2], [12.2, 11.2]]  # clockwise


def test_outer_rings_turn_clockwise_and_holes_the_other_way():
    polygon = square(12.0, 11.0)  # counter-clockwise, as GeoJSON has it
    polygon["coordinates"].append(HOLE)
    outer, hole = rewound(polygon)["coordinates"]
    assert signed_area(outer) < 0 < signed_area(hole)
    multi = {"type": "MultiPolygon", "coordinates": [polygon["coordinates"]]}
    assert rewound(multi)["coordinates"] == [[outer, hole]]
    assert rewound(rewound(polygon)) == rewound(polygon)
    point = {"type": "Point", "coordinates": [12.0, 11.0]}
    assert rewound(point) == point


def test_classes_are_round_steps_up_to_the_largest_figure():
    assert [(found.step, found.count) for found in map(classes_up_to, (50, 53, 7, 3, 0))] == [
        (10, 5),
        (20, 3),
        (2, 4),
        (1, 3),
        (1, 1),
    ]
    tens = classes_up_to(50)
    assert [tens.label(index) for index in range(5)] == ["0–10", "11–20", "21–30", "31–40", "41–50"]
    assert [tens.index(value) for value in (0, 10, 11, 50)] == [0, 0, 1, 4]
    assert classes_up_to(123_456).label(0) == "0–50,000"


def test_blanked_areas_are_grey_and_show_no_class():
    shapes = [
        Shape("Abadam", square(12, 11), 60),
        Shape("Askira/Uba", square(13, 11), None, blanked=True),
        Shape("Bama", square(14, 11), None),
    ]
    features, legend = map_features(shapes)
    assert legend == [
        ("0–20", CLASS_COLOURS[2]),
        ("21–40", CLASS_COLOURS[3]),
        ("41–60", CLASS_COLOURS[4]),
        ("Blanked (small count)", BLANKED),
        ("No figures", NO_FIGURES),
    ]
    assert [feature["properties"] for feature in features] == [
        {"class": "41–60", "description": "Abadam: 60"},
        {"class": "Blanked (small count)", "description": "Askira/Uba: Blanked (small count)"},
        {"class": "No figures", "description": "Bama: No figures"},
    ]
