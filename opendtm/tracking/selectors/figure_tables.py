"""A round's figures as a page shows them: a table of places at one level, inside an area or
the whole operation, and a breakdown of that area (sex and age, origin, needs, services and,
for those allowed, protection risks).

Every number comes from figures_by_level, summed by the database; this module only arranges
the aggregated rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from opendtm.accounts.selectors.operations import AnyUser
from opendtm.geo.models import AdminArea
from opendtm.geo.selectors import area_ancestors, area_get
from opendtm.tracking.models import Indicator, Round, RoundRevision
from opendtm.tracking.selectors.figures import (
    FigureRow,
    figures_by_level,
    visible_indicators,
    visible_revision,
)
from opendtm.tracking.selectors.mapping import indicator_label
from opendtm.tracking.selectors.places import (
    Level,
    Place,
    figure_levels,
    level_parse,
    place_names,
)
from opendtm.tracking.services.mapping import age_bands

MAX_PLACES = 500  # a page stays light; beyond this, the largest places are listed
Category = Indicator.Category


@dataclass(frozen=True)
class Column:
    code: str
    label: str


@dataclass(frozen=True)
class PlaceRow:
    place: Place | None  # None: figures of places not inside any area of this level
    cells: list[FigureRow | None]  # one per column


@dataclass(frozen=True)
class Item:
    label: str
    figure: FigureRow


@dataclass(frozen=True)
class AgeRow:
    band: str
    female: float | None
    male: float | None
    total: float | None


@dataclass(frozen=True)
class Pyramid:
    label: str
    rows: list[AgeRow]
    female: float | None
    male: float | None
    total: float | None

    @property
    def widest(self) -> float:
        """The largest one-sex value of a band, which the bars are drawn against."""
        return max([value or 0 for row in self.rows for value in (row.female, row.male)] or [0])


@dataclass(frozen=True)
class Breakdown:
    pyramids: list[Pyramid]
    origin: list[Item]
    needs: list[Item]
    services: list[Item]
    protection: list[Item]


@dataclass(frozen=True)
class FiguresTable:
    revision: RoundRevision
    level: Level
    levels: list[Level]
    next_level: Level | None  # where a place's link leads
    parent: AdminArea | None
    ancestors: list[AdminArea]
    columns: list[Column]
    rows: list[PlaceRow]
    total: PlaceRow
    left_out: int  # places with figures past MAX_PLACES
    breakdown: Breakdown


def figures_table(
    *, user: AnyUser, round: Round, level: str = "", parent: str = ""
) -> FiguresTable:
    """The round's figures per place at `level` (1, 2, 3 or site), inside the area with the
    p-code `parent` or the whole operation; drawn from what the user may see."""
    operation = round.operation
    revision = visible_revision(user=user, round=round)
    levels = figure_levels(user=user, round=round)
    area = area_get(user=user, operation=operation, pcode=parent) if parent else None
    chosen = level_parse(level, levels, below=area.level if area else None)
    indicators = {item.code: item for item in visible_indicators(user=user, operation=operation)}
    totals = figures_by_level(user=user, round=round, level=0, within=area)
    columns = [
        Column(code, indicator_label(indicators[code]))
        for code in ordered_codes(totals, indicators, {Category.POPULATION})
    ]
    codes = [column.code for column in columns]
    places = (
        figures_by_level(user=user, round=round, level=chosen, codes=codes, within=area)
        if codes
        else []
    )
    rows, left_out = place_rows(user, round, chosen, columns, places)
    following = [item for item in levels if levels.index(item) > levels.index(chosen)]
    return FiguresTable(
        revision=revision,
        level=chosen,
        levels=levels,
        next_level=following[0] if following else None,
        parent=area,
        ancestors=area_ancestors(user=user, area=area) if area else [],
        columns=columns,
        rows=rows,
        total=PlaceRow(None, cells_of(columns, by_code(totals))),
        left_out=left_out,
        breakdown=breakdown_of(totals, indicators, age_bands(operation.pk)),
    )


def by_code(rows: Iterable[FigureRow]) -> dict[str, FigureRow]:
    """The undisaggregated figure of each indicator."""
    return {row.indicator: row for row in rows if not row.sex and not row.age_band}


def cells_of(columns: list[Column], figures: dict[str, FigureRow]) -> list[FigureRow | None]:
    return [figures.get(column.code) for column in columns]


def ordered_codes(
    rows: list[FigureRow], indicators: dict[str, Indicator], categories: set[str]
) -> list[str]:
    """Codes of the categories' indicators that have a total, in catalogue order."""
    present = set(by_code(rows))
    found = [item for code, item in indicators.items() if code in present]
    return [
        item.code
        for item in sorted(found, key=lambda item: (item.position, item.code))
        if item.category in categories
    ]


def place_rows(
    user: AnyUser, round: Round, level: Level, columns: list[Column], figures: list[FigureRow]
) -> tuple[list[PlaceRow], int]:
    """One row per place, by name; past MAX_PLACES, only the largest by the first column."""
    per_place: dict[int | None, dict[str, FigureRow]] = {}
    for row in figures:
        if not row.sex and not row.age_band:
            per_place.setdefault(row.place_id, {})[row.indicator] = row
    first = columns[0].code if columns else ""

    def size(place_id: int | None) -> float:
        found = per_place[place_id].get(first)
        return found.value if found else 0.0

    kept = sorted(per_place, key=size, reverse=True)[:MAX_PLACES]
    names = place_names(
        user=user,
        operation=round.operation,
        level=level,
        ids=[pk for pk in kept if pk is not None],
    )
    rows = [
        PlaceRow(names.get(pk) if pk is not None else None, cells_of(columns, per_place[pk]))
        for pk in kept
        if pk is None or pk in names
    ]
    rows.sort(key=lambda row: (row.place is None, row.place.name.lower() if row.place else ""))
    return rows, len(per_place) - len(kept)


def breakdown_of(
    totals: list[FigureRow], indicators: dict[str, Indicator], bands: list[str]
) -> Breakdown:
    def items(*categories: str) -> list[Item]:
        figures = by_code(totals)
        return [
            Item(indicator_label(indicators[code]), figures[code])
            for code in ordered_codes(totals, indicators, set(categories))
        ]

    needs = sorted(items(Category.NEEDS), key=lambda item: -item.figure.value)
    return Breakdown(
        pyramids=pyramids(totals, indicators, bands),
        origin=items(Category.ORIGIN),
        needs=needs,
        services=items(Category.SERVICES),
        protection=items(Category.PROTECTION),
    )


def pyramids(
    totals: list[FigureRow], indicators: dict[str, Indicator], bands: list[str]
) -> list[Pyramid]:
    """Sex by age band of each indicator that has either; a band's total is given or f + m."""
    values = {(row.indicator, row.sex, row.age_band): row.value for row in totals}
    found = []
    for code in sorted({row.indicator for row in totals if row.sex or row.age_band}):
        present = {band for (item, _sex, band) in values if item == code and band}
        order = [band for band in bands if band in present] + sorted(present - set(bands))
        found.append(
            Pyramid(
                label=indicator_label(indicators[code]),
                rows=[age_row(values, code, band) for band in reversed(order)],
                female=values.get((code, "f", "")),
                male=values.get((code, "m", "")),
                total=values.get((code, "", "")),
            )
        )
    return found


def age_row(values: dict[tuple[str, str, str], float], code: str, band: str) -> AgeRow:
    female, male = values.get((code, "f", band)), values.get((code, "m", band))
    total = values.get((code, "", band))
    if total is None and female is not None and male is not None:
        total = female + male
    return AgeRow(band, female, male, total)
