"""The dashboard's numbers: one published round's headline figures, its map, its sites and
its charts, for members and for the public view alike.

Every function reads cells through a `Reader`. Members get `member_reader`: the published
revision, unsuppressed, the indicators their role may see. The public view's reader is built
by the web layer over publishing's public tables (small counts blanked, no protection data),
so the public page cannot reach a cell those tables do not give out; and tracking does not
depend on publishing.

Only published revisions are read, so an answer is fixed by `round_key`: callers cache on it.
Stocks are never summed across rounds: the trend reads each round on its own.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, require, user_capabilities
from opendtm.accounts.services.audit import audit_read
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.models import AssessmentType, Indicator, Round, RoundRevision
from opendtm.tracking.selectors.figures import (
    SITE_LEVEL,
    Key,
    aggregate,
    previous_round,
    visible_indicators,
)
from opendtm.tracking.selectors.mapping import indicator_label
from opendtm.tracking.selectors.rounds import published_revision

Level = int | str
IDPS = "idp_individuals"
HOUSEHOLDS = "idp_households"
RETURNEES = "returnee_individuals"
CARDS = (IDPS, HOUSEHOLDS, RETURNEES)
SEXES = ("f", "m")
MAP_LEVELS = (1, 2, 3)


@dataclass
class Cells:
    """One round's cells at one level: (place id, code, sex, age band) -> value."""

    values: dict[Key, float]
    blanked: set[Key] = field(default_factory=set)  # suppressed: shown as blanked, never valued
    reporting: dict[Key, int] = field(default_factory=dict)  # places behind each value
    note: str = ""  # why cells are blanked, to be shown with them

    def get(self, place: int | None, code: str, sex: str = "", age_band: str = "") -> float | None:
        return self.values.get((place, code, sex, age_band))

    def is_blanked(self, place: int | None, code: str, sex: str = "", age_band: str = "") -> bool:
        return (place, code, sex, age_band) in self.blanked

    def places(self) -> set[int]:
        return {key[0] for key in [*self.values, *self.blanked] if key[0] is not None}


@dataclass(frozen=True)
class Reader:
    name: str  # tells readers apart in cache keys: two readers of one name read the same
    read: Callable[[Round, Level, list[str]], Cells]


def member_reader(*, user: AnyUser, operation: Operation) -> Reader:
    """Published figures as a member sees them: unsuppressed, only the indicators of their
    role (protection ones with the protection capability alone)."""
    require(user=user, operation=operation, capability=Capability.VIEW_PUBLISHED)
    visible = visible_indicators(user=user, operation=operation)
    capabilities = user_capabilities(user=user, operation=operation)
    sees = [str(item) for item in (Capability.VIEW_SUBMISSIONS, Capability.VIEW_PROTECTION)]

    def read(round: Round, level: Level, codes: list[str]) -> Cells:
        revision = published_revision(round)
        rules = {
            pk: (code, rule)
            for pk, code, rule in visible.filter(code__in=codes).values_list(
                "pk", "code", "aggregation"
            )
        }
        place_field = "site" if round.assessment_type == AssessmentType.SITE else "admin_area"
        found = aggregate(revision, level, rules, None, place_field)
        return Cells(
            values={key: value for key, (value, _count) in found.items()},
            reporting={key: count for key, (_value, count) in found.items()},
        )

    granted = "+".join(item for item in sees if item in capabilities)
    return Reader(name=f"member:{granted}", read=read)


def dashboard_rounds(*, operation: Operation) -> list[Round]:
    """The operation's published rounds, oldest first: the last is the dashboard's default."""
    return list(
        Round.objects.filter(
            operation=operation, revisions__status=RoundRevision.Status.PUBLISHED
        ).order_by("period_end", "number", "assessment_type")
    )


def dashboard_round(*, operation: Operation, assessment_type: str, number: int) -> Round:
    found = Round.objects.filter(
        operation=operation,
        assessment_type=assessment_type,
        number=number,
        revisions__status=RoundRevision.Status.PUBLISHED,
    ).first()
    if found is None:
        raise NotFound(
            _("No published %(type)s round %(number)d in %(operation)s.")
            % {"type": assessment_type, "number": number, "operation": operation.name}
        )
    return found


def round_key(round: Round) -> str:
    """What fixes a round's dashboard: its published revision, and the operation's newest
    one (a correction to an earlier round changes the trend and the change since then)."""
    found = RoundRevision.objects.filter(
        round__operation_id=round.operation_id, status=RoundRevision.Status.PUBLISHED
    ).aggregate(this=Max("pk", filter=Q(round=round)), newest=Max("pk"))
    if found["this"] is None:
        raise NotFound(_("%(round)s has no published figures yet.") % {"round": round})
    return f"{found['this']}-{found['newest']}"


def labels(operation: Operation, codes: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Indicator code -> its label in the active language."""
    found = Indicator.objects.filter(
        Q(operation__isnull=True) | Q(operation=operation), code__in=list(codes)
    )
    return {item.code: indicator_label(item) for item in found}


@dataclass(frozen=True)
class Card:
    code: str
    label: str
    value: float | None  # None: blanked, or not counted
    previous: float | None  # in the previous published round of the type; None: none or blanked
    blanked: bool = False

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def headlines(reader: Reader, round: Round) -> list[Card]:
    """IDP individuals and households, returnees when counted, and the sites assessed, each
    with the previous round's."""
    earlier = previous_round(round)
    now = reader.read(round, 0, list(CARDS))
    before = reader.read(earlier, 0, list(CARDS)) if earlier else Cells({})
    names = labels(round.operation, CARDS)
    counted = [
        code
        for code in CARDS
        if code != RETURNEES or now.get(None, code) or now.is_blanked(None, code)
    ]
    cards = [
        Card(
            code,
            names.get(code, code),
            now.get(None, code),
            before.get(None, code),
            now.is_blanked(None, code),
        )
        for code in counted
    ]
    if round.assessment_type == AssessmentType.SITE:
        sites = len(reader.read(round, SITE_LEVEL, [IDPS]).places())
        previous = len(reader.read(earlier, SITE_LEVEL, [IDPS]).places()) if earlier else None
        cards.append(Card("sites", _("Sites assessed"), sites, previous))
    return cards


@dataclass(frozen=True)
class AreaValue:
    pcode: str
    name: str
    level: int
    parent: str  # the parent's p-code
    geometry: dict | None  # simplified GeoJSON geometry; None when no boundary is loaded
    idps: float | None
    households: float | None
    blanked: bool  # the IDP figure is blanked


def area_values(reader: Reader, round: Round, *, level: int, parent: str = "") -> list[AreaValue]:
    """Every current area of `level` (inside `parent` when given), with its IDPs; areas
    without figures are listed too, with none, so that the map shows what was not counted."""
    if level not in MAP_LEVELS:
        raise ApplicationError(
            _("There is no map level %(level)s.") % {"level": level}, hint=_("Use 1, 2 or 3.")
        )
    areas = AdminArea.objects.current().filter(operation_id=round.operation_id, level=level)
    if parent:
        areas = areas.filter(parent__pcode=parent)
    cells = reader.read(round, level, [IDPS, HOUSEHOLDS])
    rows = areas.order_by("pcode").values_list(
        "pk", "pcode", "name", "parent__pcode", "geometry_simplified"
    )
    return [
        AreaValue(
            pcode=pcode,
            name=name,
            level=level,
            parent=up or "",
            geometry=geometry,
            idps=cells.get(pk, IDPS),
            households=cells.get(pk, HOUSEHOLDS),
            blanked=cells.is_blanked(pk, IDPS),
        )
        for pk, pcode, name, up, geometry in rows
    ]


@dataclass(frozen=True)
class SitePoint:
    code: str
    name: str
    site_type: str
    type_label: str
    latitude: float | None  # never None: unlocated sites are left out
    longitude: float | None
    admin1: str  # the state's p-code, for filtering with the map
    idps: float | None
    households: float | None
    blanked: bool


def site_points(reader: Reader, round: Round) -> list[SitePoint]:
    """The located sites with figures in the round."""
    cells = reader.read(round, SITE_LEVEL, [IDPS, HOUSEHOLDS])
    types = dict(Site.Type.choices)
    sites = (
        Site.objects.filter(pk__in=cells.places(), latitude__isnull=False, longitude__isnull=False)
        .order_by("code")
        .values_list("pk", "code", "name", "site_type", "latitude", "longitude", "admin_area")
    )
    states = state_of(round.operation_id)
    return [
        SitePoint(
            code=code,
            name=name,
            site_type=kind,
            type_label=str(types.get(kind, kind)),
            latitude=lat,
            longitude=lon,
            admin1=states.get(area, ""),
            idps=cells.get(pk, IDPS),
            households=cells.get(pk, HOUSEHOLDS),
            blanked=cells.is_blanked(pk, IDPS),
        )
        for pk, code, name, kind, lat, lon, area in sites
    ]


def state_of(operation_id: int) -> dict[int, str]:
    """Admin area id -> the p-code of its level-1 ancestor, read in one query."""
    rows = AdminArea.objects.filter(operation_id=operation_id).values_list(
        "pk", "pcode", "level", "parent_id"
    )
    areas = {pk: (pcode, level, parent) for pk, pcode, level, parent in rows}

    def state(pk: int | None) -> str:
        while pk is not None and pk in areas:
            pcode, level, parent = areas[pk]
            if level <= 1:
                return pcode if level == 1 else ""
            pk = parent
        return ""

    return {pk: state(pk) for pk in areas}


def area_get(*, operation: Operation, pcode: str) -> AdminArea | None:
    """The area a chart is drawn for; None (the whole operation) for an empty p-code."""
    if not pcode:
        return None
    found = AdminArea.objects.without_geometry().filter(operation=operation, pcode=pcode).first()
    if found is None or found.level not in MAP_LEVELS:
        raise NotFound(_("No admin area %(pcode)s on the map.") % {"pcode": pcode})
    return found


def place_of(area: AdminArea | None) -> tuple[Level, int | None]:
    return (0, None) if area is None else (area.level, area.pk)


@dataclass(frozen=True)
class TrendPoint:
    number: int
    period_end: datetime.date
    value: float | None
    blanked: bool
    current: bool


def trend(reader: Reader, round: Round, area: AdminArea | None = None) -> list[TrendPoint]:
    """IDPs in `area` (or the whole operation) in every published round of the same type,
    up to this one: each round read on its own."""
    level, place = place_of(area)
    rounds = Round.objects.filter(
        operation_id=round.operation_id,
        assessment_type=round.assessment_type,
        number__lte=round.number,
        revisions__status=RoundRevision.Status.PUBLISHED,
    ).order_by("number")
    points = []
    for earlier in rounds:
        cells = reader.read(earlier, level, [IDPS])
        points.append(
            TrendPoint(
                earlier.number,
                earlier.period_end,
                cells.get(place, IDPS),
                cells.is_blanked(place, IDPS),
                earlier.pk == round.pk,
            )
        )
    return points


@dataclass(frozen=True)
class Bar:
    age_band: str  # "" when the round counted people by sex only
    sex: str
    value: float | None
    blanked: bool


def pyramid(reader: Reader, round: Round, area: AdminArea | None = None) -> list[Bar]:
    """IDPs by age band and sex; by sex alone when ages were not counted."""
    level, place = place_of(area)
    cells = reader.read(round, level, [IDPS])
    keys = [key for key in [*cells.values, *cells.blanked] if key[0] == place and key[2] in SEXES]
    bands = sorted({key[3] for key in keys if key[3]}, key=band_order) or (
        [""] if any(not key[3] for key in keys) else []
    )
    return [
        Bar(band, sex, cells.get(place, IDPS, sex, band), cells.is_blanked(place, IDPS, sex, band))
        for band in bands
        for sex in SEXES
    ]


def band_order(band: str) -> tuple[int, str]:
    """Age bands by their first age: 0-4, 5-17, 18-59, 60+."""
    found = re.match(r"\d+", band)
    return (int(found.group()) if found else 999, band)


@dataclass(frozen=True)
class NeedShare:
    code: str
    label: str
    places: float  # places ranking the sector first
    share: float  # of the places naming a first need


def needs(reader: Reader, round: Round, area: AdminArea | None = None) -> list[NeedShare]:
    """The sectors ranked first need, most often first, as shares of the places naming one."""
    level, place = place_of(area)
    ranks = Indicator.objects.filter(
        Q(operation__isnull=True) | Q(operation_id=round.operation_id),
        aggregation=Indicator.Aggregation.RANK,
    )
    names = {item.code: indicator_label(item) for item in ranks}
    cells = reader.read(round, level, list(names))
    counts = [(code, cells.get(place, code) or 0.0) for code in names]
    total = sum(count for _code, count in counts)
    ranked = sorted(
        (item for item in counts if item[1]), key=lambda item: (-item[1], names[item[0]])
    )
    return [NeedShare(code, names[code], count, count / total) for code, count in ranked]


@dataclass(frozen=True)
class Risk:
    code: str
    label: str
    sector: str
    places: float | None  # places where the risk was reported, over the whole operation
    reporting: int  # places that answered
    by_state: dict[str, float]  # state p-code -> places where reported


def protection_risks(*, user: AnyUser, round: Round) -> list[Risk]:
    """The protection-risk indicators of a published round, for protection roles only; the
    read is audited."""
    operation = round.operation
    require(user=user, operation=operation, capability=Capability.VIEW_PROTECTION)
    risks = Indicator.objects.filter(
        Q(operation__isnull=True) | Q(operation=operation),
        sensitivity=Indicator.Sensitivity.PROTECTION,
    ).order_by("position", "code")
    codes = [item.code for item in risks]
    reader = member_reader(user=user, operation=operation)
    whole = reader.read(round, 0, codes)
    states = reader.read(round, 1, codes)
    pcodes = dict(AdminArea.objects.filter(pk__in=states.places()).values_list("pk", "pcode"))
    audit_read(
        actor=user,  # type: ignore[arg-type]  # require() above refused anyone signed out
        operation=operation,
        kind="tracking.round",
        object_id=str(round.pk),
        note="dashboard: protection-risk indicators",
    )
    return [
        Risk(
            code=item.code,
            label=indicator_label(item),
            sector=item.sector,
            places=whole.get(None, item.code),
            reporting=whole.reporting.get((None, item.code, "", ""), 0),
            by_state={
                pcodes[key[0]]: value
                for key, value in states.values.items()
                if key[1] == item.code and not key[2] and not key[3] and key[0] in pcodes
            },
        )
        for item in risks
        if (None, item.code, "", "") in whole.values
    ]
