"""A file's columns, and its rows from tables of published figures.

Columns: when and where (reporting date, country, admin areas, and at the site level the site
with its type and coordinates), which round, then one column per figure the rounds have (an
indicator's total, by sex, then each age band's total and by sex), in the catalogue's order;
last, for public files, the figures blanked in that row. Figure columns come from the figures
themselves, so no column stands empty for an indicator nobody collected, and a multi-round file
has the same columns for every round.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.publishing.exports.hxl import DATE, NUMBER, TEXT, indicator_tag
from opendtm.publishing.selectors.tables import Audience, Level, Place, Table, reference_date
from opendtm.tracking.models import Figure, Indicator, RoundRevision
from opendtm.tracking.selectors.figures import SITE_LEVEL
from opendtm.tracking.selectors.mapping import indicator_label

LEVELS: dict[str, Level] = {"admin1": 1, "admin2": 2, "site": SITE_LEVEL}
BLANKED_TAG = "#meta+suppressed"
FigureKey = tuple[str, str, str]  # indicator code, sex, age band
Reader = Callable[[Table, Place], Any]


@dataclass(frozen=True)
class Column:
    header: str
    tag: str
    kind: str = TEXT
    required: bool = False
    read: Reader | None = None  # a column about the place or the round
    figure: FigureKey | None = None  # a column of figures

    def value(self, table: Table, place: Place) -> Any:
        if self.figure is not None:
            return number(table.cell(place, *self.figure))
        return self.read(table, place) if self.read else None


def number(value: float | None) -> int | float | None:
    """Counts are whole numbers: written as 50, not 50.0."""
    if value is None or not float(value).is_integer():
        return value
    return int(value)


def admin_part(level: int, part: int, _table: Table, place: Place) -> str:
    return place.admin(level)[part]


def place_columns(operation: Operation, level: Level) -> list[Column]:
    columns = [
        Column(
            _("Reporting date"),
            "#date+reported",
            DATE,
            True,
            lambda table, _p: reference_date(table.round).isoformat(),
        ),
        Column(
            _("Country ISO3"),
            "#country+code",
            TEXT,
            True,
            lambda table, _p: table.round.operation.country_iso3,
        ),
    ]
    for admin in range(1, 3 if level in (2, SITE_LEVEL) else 2):
        name = operation.level_name(admin)
        columns += [
            Column(
                _("%(level)s p-code") % {"level": name},
                f"#adm{admin}+code",
                TEXT,
                False,  # a note row about a whole round has none
                partial(admin_part, admin, 0),
            ),
            Column(name, f"#adm{admin}+name", TEXT, False, partial(admin_part, admin, 1)),
        ]
    if level == SITE_LEVEL:
        columns += [
            Column(_("Site code"), "#loc+code", TEXT, False, lambda _t, place: place.pcode),
            Column(_("Site"), "#loc+name", TEXT, False, lambda _t, place: place.name),
            Column(_("Site type"), "#loc+type", TEXT, False, lambda _t, place: place.site_type),
            Column(_("Latitude"), "#geo+lat", NUMBER, False, lambda _t, place: place.latitude),
            Column(_("Longitude"), "#geo+lon", NUMBER, False, lambda _t, place: place.longitude),
        ]
    return [
        *columns,
        Column(_("Round"), "#round+code", NUMBER, True, lambda table, _p: table.round.number),
        Column(
            _("Assessment type"),
            "#assessment+type",
            TEXT,
            True,
            lambda table, _p: table.round.assessment_type,
        ),
    ]


def figure_keys(revisions: Iterable[RoundRevision], indicators: list[Indicator]) -> set[tuple]:
    """(indicator id, sex, age band) of every figure the revisions have."""
    return set(
        Figure.objects.filter(revision__in=list(revisions), indicator__in=indicators)
        .values_list("indicator_id", "sex", "age_band")
        .order_by()
        .distinct()
    )


def band_start(band: str) -> int:
    found = re.match(r"\d+", band)
    return int(found[0]) if found else 10_000


def breakdown_order(key: tuple[str, str]) -> tuple[int, int, str]:
    """Total, by sex, then each age band from the youngest: its total, then by sex."""
    sex, band = key
    return (band_start(band) if band else -1, 0 if not sex else 1, sex)


def figure_columns(indicators: list[Indicator], present: set[tuple]) -> list[Column]:
    columns = []
    for indicator in indicators:
        breakdowns = sorted(
            {(sex, band) for pk, sex, band in present if pk == indicator.pk}, key=breakdown_order
        )
        for sex, band in breakdowns:
            columns.append(
                Column(
                    figure_header(indicator, sex, band),
                    indicator_tag(indicator.hxl_tag, sex, band),
                    NUMBER,
                    figure=(indicator.code, sex, band),
                )
            )
    return columns


def figure_header(indicator: Indicator, sex: str, band: str) -> str:
    parts = [indicator_label(indicator)]
    if sex:
        parts.append({"f": _("female"), "m": _("male")}.get(sex, sex))
    if band:
        parts.append(band)
    return ", ".join(parts)


def blanked_column(figures: list[Column]) -> Column:
    """The headers of the figures blanked in a row, so that an empty cell is never mistaken
    for a figure nobody collected."""

    def read(table: Table, place: Place) -> str:
        return "; ".join(
            column.header
            for column in figures
            if column.figure is not None and table.why(place, *column.figure)
        )

    return Column(_("Blanked figures"), BLANKED_TAG, read=read)


def file_columns(
    operation: Operation,
    level: Level,
    indicators: list[Indicator],
    revisions: Iterable[RoundRevision],
    audience: Audience = Audience.PUBLIC,
) -> list[Column]:
    figures = figure_columns(indicators, figure_keys(revisions, indicators))
    columns = [*place_columns(operation, level), *figures]
    return [*columns, blanked_column(figures)] if audience == Audience.PUBLIC else columns


def table_rows(table: Table, columns: list[Column]) -> Iterator[list[Any]]:
    for place in table.places:
        yield [column.value(table, place) for column in columns]


def note_row(table: Table, columns: list[Column], note: str) -> list[Any]:
    """A row saying why a round's places are missing: the round's own columns and the note
    in the last, the rest empty, so the file stays valid HXL."""
    round_columns = {"#date+reported", "#country+code", "#round+code", "#assessment+type"}
    place = Place(None, table.level, "", "", {})
    row: list[Any] = [
        column.value(table, place) if column.tag in round_columns else None for column in columns
    ]
    row[-1] = note
    return row


def schema_rows(columns: list[Column]) -> list[list[str]]:
    """A libhxl schema for the columns: numbers must be numbers, dates dates, required
    columns never empty. A schema is an HXL dataset itself (hxlvalidate -s schema.csv)."""
    rows = [
        [_("Tag"), _("Data type"), _("Required"), _("Severity"), _("Column")],
        ["#valid_tag", "#valid_datatype", "#valid_required", "#valid_severity", "#description"],
    ]
    for column in columns:
        if column.tag and (column.kind != TEXT or column.required):
            datatype = "" if column.kind == TEXT else column.kind
            required = "true" if column.required else ""
            rows.append([column.tag, datatype, required, "error", column.header])
    return rows
