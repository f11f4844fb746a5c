"""The situation report's map and charts as Vega-Lite specs, drawn to SVG by vl-convert.

Each spec carries its data inline, so vl-convert needs no network, and the browser dashboard
can give the same specs to vega-embed. Titles and labels arrive translated; numbers are
formatted in the report's language through d3's format locale. Every mark has a
description, which becomes its aria-label in the SVG: screen readers, and tests, read it.
"""

import re
from collections.abc import Sequence
from typing import Any, Literal, Protocol

import vl_convert
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

Spec = dict[str, Any]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
INK = "#1f2933"
LINE = "#0b5ea8"
FEMALE = "#b5367a"
MALE = "#2f6fb0"
CLASS_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # ColorBrewer Blues
BLANKED = "#8c8c8c"
NO_FIGURES = "#f0f0f0"
Locale = Literal["en-US", "fr-FR"]
FORMAT_LOCALES: dict[str, Locale] = {"en": "en-US", "fr": "fr-FR"}

CONFIG: Spec = {
    "font": "DejaVu Sans",
    "view": {"stroke": None},
    "axis": {"labelColor": INK, "titleColor": INK, "labelFontSize": 9, "titleFontSize": 9},
    "legend": {"labelFontSize": 9, "titleFontSize": 9, "symbolType": "square"},
}


def chart(width: int, height: int, **parts: Any) -> Spec:
    """A spec of this size, legend and axes included, with the report's look."""
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": CONFIG,
        **parts,
    }


def map_spec(features: list[dict], classes: list[tuple[str, str]], legend: str) -> Spec:
    """A choropleth: `features` are GeoJSON features whose properties carry their `class`
    (one of `classes`, label and colour) and a `description`."""
    return chart(
        680,
        330,
        data={"values": features},
        projection={"type": "mercator"},
        mark={"type": "geoshape", "stroke": "white", "strokeWidth": 0.7},
        encoding={
            "color": {
                "field": "properties.class",
                "type": "nominal",
                "scale": {
                    "domain": [label for label, _colour in classes],
                    "range": [colour for _label, colour in classes],
                },
                "legend": {"title": legend, "orient": "right"},
            },
            "description": {"field": "properties.description"},
        },
    )


def trend_spec(points: list[dict], x_title: str, y_title: str) -> Spec:
    """A line over rounds: each point has `round` (its label), `value` (None when blanked),
    `current` and `description`."""
    x = {"field": "round", "type": "ordinal", "sort": None, "title": x_title}
    y = {"field": "value", "type": "quantitative", "title": y_title, "axis": {"format": ",d"}}
    return chart(
        330,
        200,
        data={"values": points},
        encoding={"x": {**x, "axis": {"labelAngle": 0}}, "y": y},
        layer=[
            {"mark": {"type": "line", "color": LINE, "strokeWidth": 2}},
            {
                "mark": {"type": "point", "filled": True},
                "encoding": {
                    "color": {"condition": {"test": "datum.current", "value": INK}, "value": LINE},
                    "size": {"condition": {"test": "datum.current", "value": 90}, "value": 40},
                    "description": {"field": "description"},
                },
            },
            {
                "mark": {"type": "text", "dy": -9, "fontSize": 8, "color": INK},
                "encoding": {"text": {"field": "value", "type": "quantitative", "format": ","}},
            },
        ],
    )


def pyramid_spec(bars: list[dict], sexes: tuple[str, str], ages: list[str], titles: Spec) -> Spec:
    """Women to the right, men to the left: each bar has `age`, `sex` (one of `sexes`,
    female first), `value`, `signed` (negative for men) and `description`."""
    widest = max((bar["value"] for bar in bars), default=0) or 1
    return chart(
        330,
        200,
        data={"values": bars},
        mark={"type": "bar"},
        encoding={
            "y": {"field": "age", "type": "ordinal", "sort": ages[::-1], "title": titles["y"]},
            "x": {
                "field": "signed",
                "type": "quantitative",
                "title": titles["x"],
                "scale": {"domain": [-widest, widest]},
                "axis": {"labelExpr": "format(abs(datum.value), '~s')", "tickCount": 5},
            },
            "color": {
                "field": "sex",
                "type": "nominal",
                "scale": {"domain": list(sexes), "range": [FEMALE, MALE]},
                "legend": {"title": None, "orient": "top"},
            },
            "description": {"field": "description"},
        },
    )


class Need(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def places(self) -> float: ...  # places naming it their first need
    @property
    def share(self) -> float: ...  # of the places naming one (0 to 1)


def grouped(value: float) -> str:
    """Rounded to a whole number (number_format alone would cut the decimals off)."""
    return number_format(round(value), force_grouping=True)


def needs_spec(needs: Sequence[Need]) -> Spec:
    """Horizontal bars, largest first, each described with its number of places."""
    rows = [
        {
            "need": need.label,
            "share": need.share,
            "description": ngettext(
                "%(need)s: %(places)s place", "%(need)s: %(places)s places", round(need.places)
            )
            % {"need": need.label, "places": grouped(need.places)},
        }
        for need in needs
    ]
    y = {"field": "need", "type": "nominal", "sort": "-x", "title": None}
    return chart(
        680,
        30 + 24 * len(rows),
        data={"values": rows},
        encoding={
            "y": {**y, "axis": {"labelLimit": 320}},
            "x": {
                "field": "share",
                "type": "quantitative",
                "title": _("Share of places naming it their first need"),
                "scale": {"domain": [0, 1]},
                "axis": {"format": ".0%"},
            },
        },
        layer=[
            {
                "mark": {"type": "bar", "color": LINE},
                "encoding": {"description": {"field": "description"}},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 9, "color": INK},
                "encoding": {"text": {"field": "share", "type": "quantitative", "format": ".0%"}},
            },
        ],
    )


def svg(spec: Spec, *, language: str, name: str) -> str:
    """The chart as an SVG element, its ids prefixed with `name` so that several charts
    inlined in one page cannot mix up their gradients and clips."""
    locale = FORMAT_LOCALES.get(language, "en-US")
    drawn = vl_convert.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale)
    drawn = re.sub(r'\bid="', f'id="{name}-', drawn)
    return drawn.replace("url(#", f"url(#{name}-")
