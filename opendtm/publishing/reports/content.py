"""What a situation report says, in numbers: a published round's public figures, read only
through the public tables (selectors/tables.py) so that small counts stay blanked, with the
round's coverage read through the tracking selectors, as the user making the report.

Blanked figures are never sorted, classed or summed here: areas are ranked by published
figures only, and a blanked one is listed after them, by name.
"""

from dataclasses import dataclass

from django.utils.translation import get_language

from opendtm.accounts.models import User
from opendtm.geo.models import AdminArea
from opendtm.publishing.reports.shapes import Shape
from opendtm.publishing.selectors.tables import Place, Table, published_rounds, table
from opendtm.tracking.models import Indicator, Round, RoundRevision
from opendtm.tracking.selectors.figures import previous_round
from opendtm.tracking.selectors.progress import rollup_level
from opendtm.tracking.selectors.rounds import Coverage, round_coverage
from opendtm.tracking.services.settings import tracking_settings_get

IDPS = "idp_individuals"
HOUSEHOLDS = "idp_households"
SEXES = ("f", "m")
TOP_AREAS = 10
TOP_NEEDS = 5


@dataclass(frozen=True)
class Cell:
    value: float | None  # None: blanked, or not counted
    blanked: bool = False


@dataclass(frozen=True)
class Headline:
    label: str
    current: Cell
    previous: float | None  # in the previous published round; None: none, or blanked

    @property
    def change(self) -> float | None:
        if self.current.value is None or self.previous is None:
            return None
        return self.current.value - self.previous

    @property
    def change_percent(self) -> float | None:
        change = self.change
        return None if change is None or not self.previous else 100 * change / self.previous


@dataclass(frozen=True)
class AreaRow:
    name: str
    parent: str
    idps: Cell
    households: Cell


@dataclass(frozen=True)
class TrendPoint:
    number: int
    idps: Cell
    current: bool


@dataclass(frozen=True)
class Bar:
    age_band: str  # "" when the round counted people by sex only
    sex: str
    idps: Cell


@dataclass(frozen=True)
class Need:
    label: str
    places: float
    share: float  # of the places that named a first need


@dataclass
class ReportContent:
    round: Round
    revision: RoundRevision  # the published one
    threshold: int  # public counts below it are blanked
    previous: Round | None
    headlines: list[Headline]
    coverage: Coverage
    map_level: int
    shapes: list[Shape]
    areas: list[AreaRow]
    trend: list[TrendPoint]
    pyramid: list[Bar]
    needs: list[Need]
    blanking: list[Table]  # the tables blanking a figure shown: their notes say why


class Shown:
    """Reads the cells the report shows, and keeps each table that blanks one."""

    def __init__(self) -> None:
        self.blanking: list[Table] = []

    def cell(
        self, found: Table, place: Place, code: str, sex: str = "", age_band: str = ""
    ) -> Cell:
        blanked = bool(found.why(place, code, sex, age_band))
        if blanked and all(found is not known for known in self.blanking):
            self.blanking.append(found)
        return Cell(found.cell(place, code, sex, age_band), blanked)


def label_of(indicator: Indicator) -> str:
    if get_language() == "fr" and indicator.label_fr:
        return indicator.label_fr
    return indicator.label_en


def report_content(*, actor: User, round: Round) -> ReportContent:
    """Everything the report shows, in the active language; `actor` must see submissions,
    for the coverage."""
    shown = Shown()
    whole = table(round, 0)
    previous = previous_round(round)
    level = rollup_level(round.operation_id)
    age_bands = tracking_settings_get(user=actor, operation=round.operation).age_bands
    by_area = table(round, level, codes=[IDPS, HOUSEHOLDS]) if level else None
    return ReportContent(
        round=round,
        revision=whole.revision,
        threshold=whole.threshold,
        previous=previous,
        headlines=headlines(shown, whole, table(previous, 0) if previous else None),
        coverage=round_coverage(user=actor, round=round),
        map_level=level,
        shapes=shapes(shown, by_area) if by_area else [],
        areas=area_rows(shown, by_area) if by_area else [],
        trend=trend(shown, whole),
        pyramid=pyramid(shown, whole, age_bands),
        needs=needs(shown, whole),
        blanking=shown.blanking,
    )


def headlines(shown: Shown, whole: Table, before: Table | None) -> list[Headline]:
    """IDP individuals and households, with the previous round's, as far as published."""
    found = []
    for indicator in sorted(whole.indicators, key=lambda item: item.code != IDPS):
        if indicator.code not in (IDPS, HOUSEHOLDS):
            continue
        previous = shown.cell(before, before.places[0], indicator.code) if before else None
        current = shown.cell(whole, whole.places[0], indicator.code)
        found.append(Headline(label_of(indicator), current, previous.value if previous else None))
    return found


def shapes(shown: Shown, by_area: Table) -> list[Shape]:
    """The areas of the map's level inside the states (or level above) that have figures."""
    places = {place.id: place for place in by_area.places}
    parents = {place.parent for place in by_area.places if place.parent is not None}
    areas = AdminArea.objects.current().filter(
        operation_id=by_area.round.operation_id, level=by_area.level
    )
    if parents:
        areas = areas.filter(parent_id__in=parents)
    found = []
    for pk, name, geometry in areas.order_by("pcode").values_list(
        "pk", "name", "geometry_simplified"
    ):
        if geometry is None:
            continue  # no boundary loaded: the area is in the table, not on the map
        place = places.get(pk)
        idps = shown.cell(by_area, place, IDPS) if place else Cell(None)
        found.append(Shape(name, geometry, idps.value, idps.blanked))
    return found


def area_rows(shown: Shown, by_area: Table) -> list[AreaRow]:
    """The areas with the most IDPs published, then blanked ones by name, at most TOP_AREAS."""
    rows = [
        AreaRow(
            name=place.name,
            parent=place.admin(int(by_area.level) - 1)[1],
            idps=shown.cell(by_area, place, IDPS),
            households=shown.cell(by_area, place, HOUSEHOLDS),
        )
        for place in by_area.places
    ]
    published = [row for row in rows if row.idps.value is not None]
    published.sort(key=lambda row: -(row.idps.value or 0))
    blanked = sorted((row for row in rows if row.idps.value is None), key=lambda row: row.name)
    return [*published, *blanked][:TOP_AREAS]


def trend(shown: Shown, whole: Table) -> list[TrendPoint]:
    """IDPs in every published round of the same type, up to this one (whose whole table
    is `whole`)."""
    round = whole.round
    rounds = [
        earlier
        for earlier in published_rounds([round.operation_id], round.assessment_type)
        if earlier.number <= round.number
    ]
    found = []
    for earlier in sorted(rounds, key=lambda item: item.number):
        current = earlier.pk == round.pk
        of_round = whole if current else table(earlier, 0, codes=[IDPS])
        idps = shown.cell(of_round, of_round.places[0], IDPS)
        found.append(TrendPoint(earlier.number, idps, current))
    return found


def pyramid(shown: Shown, whole: Table, bands: list[str]) -> list[Bar]:
    """IDPs by age band and sex; by sex alone when the round did not count ages; none when
    it did not count sexes."""
    place = whole.places[0]

    def counted(band: str) -> bool:
        return any((place.id, IDPS, sex, band) in whole.values for sex in SEXES)

    rows = [band for band in bands if counted(band)] or ([""] if counted("") else [])
    return [
        Bar(band, sex, shown.cell(whole, place, IDPS, sex, band)) for band in rows for sex in SEXES
    ]


def needs(shown: Shown, whole: Table) -> list[Need]:
    """The sectors most often ranked first need, as a share of the places naming one."""
    place = whole.places[0]
    counts = [
        (label_of(indicator), shown.cell(whole, place, indicator.code).value or 0.0)
        for indicator in whole.indicators
        if indicator.aggregation == Indicator.Aggregation.RANK
    ]
    total = sum(count for _label, count in counts)
    if not total:
        return []
    ranked = sorted((item for item in counts if item[1]), key=lambda item: (-item[1], item[0]))
    return [Need(label, count, count / total) for label, count in ranked[:TOP_NEEDS]]
