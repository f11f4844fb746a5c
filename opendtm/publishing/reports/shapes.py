"""The map's shapes: admin areas' simplified boundaries, wound the way d3 draws them, each
coloured by the class of its published figure.

Classes are equal steps of a round size (1, 2 or 5 times a power of ten) from 0 up to the
largest published figure, at most five. Blanked figures have no class of their own: their
areas are grey, and nothing about their value (not even its class) is drawn.
"""

import math
from dataclasses import dataclass
from itertools import pairwise

from django.utils.translation import gettext as _

from opendtm.publishing.reports.charts import BLANKED, CLASS_COLOURS, NO_FIGURES, grouped

Ring = list[list[float]]
MOST_CLASSES = len(CLASS_COLOURS)


@dataclass(frozen=True)
class Shape:
    name: str
    geometry: dict
    value: float | None  # the published figure; None when blanked or absent
    blanked: bool = False


@dataclass(frozen=True)
class Classes:
    step: int
    count: int

    def index(self, value: float) -> int:
        return min(self.count - 1, max(0, math.ceil(value / self.step) - 1))

    def label(self, index: int) -> str:
        low = 0 if index == 0 else index * self.step + 1
        return f"{grouped(low)}–{grouped((index + 1) * self.step)}"


def classes_up_to(maximum: float) -> Classes:
    wanted = max(maximum, 1) / MOST_CLASSES
    magnitude = 10 ** math.floor(math.log10(wanted))
    step = next(size * magnitude for size in (1, 2, 5, 10) if size * magnitude >= wanted)
    whole = max(1, round(step))
    return Classes(whole, max(1, math.ceil(maximum / whole)))


def signed_area(ring: Ring) -> float:
    """Positive when the ring turns counter-clockwise (longitude east, latitude north)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_a), (x2, y2, *_b) in pairwise(ring)) / 2


def wound(ring: Ring, *, clockwise: bool) -> Ring:
    return ring if (signed_area(ring) < 0) == clockwise else ring[::-1]


def rewound(geometry: dict) -> dict:
    """GeoJSON winds outer rings counter-clockwise; d3, which projects Vega's shapes, reads
    such a ring as the whole globe except the area. Outer rings clockwise, holes not."""

    def polygon(rings: list[Ring]) -> list[Ring]:
        return [wound(ring, clockwise=index == 0) for index, ring in enumerate(rings)]

    if geometry["type"] == "Polygon":
        return {**geometry, "coordinates": polygon(geometry["coordinates"])}
    if geometry["type"] == "MultiPolygon":
        return {**geometry, "coordinates": [polygon(part) for part in geometry["coordinates"]]}
    return geometry


def map_features(shapes: list[Shape]) -> tuple[list[dict], list[tuple[str, str]]]:
    """GeoJSON features for map_spec, and the legend's classes (label, colour)."""
    published = [shape.value for shape in shapes if shape.value is not None]
    classes = classes_up_to(max(published, default=0))
    colours = CLASS_COLOURS[MOST_CLASSES - classes.count :]
    legend = [(classes.label(index), colour) for index, colour in enumerate(colours)]
    blanked, absent = _("Blanked (small count)"), _("No figures")
    if any(shape.blanked for shape in shapes):
        legend.append((blanked, BLANKED))
    if any(shape.value is None and not shape.blanked for shape in shapes):
        legend.append((absent, NO_FIGURES))
    features = []
    for shape in shapes:
        if shape.value is not None:
            kind, shown = classes.label(classes.index(shape.value)), grouped(shape.value)
        else:
            kind = shown = blanked if shape.blanked else absent
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "class": kind,
                    "description": _("%(place)s: %(value)s")
                    % {"place": shape.name, "value": shown},
                },
                "geometry": rewound(shape.geometry),
            }
        )
    return features, legend
