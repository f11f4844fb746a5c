"""The tables everything shared is made of: one published round's figures at one level, with
the places named and their ancestors, and disclosure control applied.

Two audiences. The public gets public indicators only, with small counts of people blanked
(primary suppression) and the cells that would give them away blanked too (complementary),
every blanked cell marked. Protection partners get every indicator unsuppressed, in a
separate download that the caller must authorise and audit (see services/restricted.py).

Nothing here checks a user: public outputs need none, and restricted ones are checked by
their service. Only published revisions are ever read.
"""

import datetime
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from opendtm.geo.models import AdminArea, Site
from opendtm.publishing.disclosure import Suppressed, suppress
from opendtm.tracking.models import AssessmentType, Indicator, Round, RoundRevision
from opendtm.tracking.selectors.figures import SITE_LEVEL, Rules, aggregate
from opendtm.tracking.selectors.rounds import published_revision

Level = int | str
CellKey = tuple[int | None, str, str, str]  # place id, indicator code, sex, age band
PEOPLE = (Indicator.Unit.INDIVIDUALS, Indicator.Unit.HOUSEHOLDS)  # counts of people: suppressed


class Audience(StrEnum):
    PUBLIC = "public"
    PROTECTION = "protection"  # every indicator, unsuppressed: a restricted, audited download


@dataclass(frozen=True)
class Place:
    id: int | None  # None at admin0: the whole operation
    level: Level
    pcode: str  # the site's code at the site level
    name: str
    ancestors: dict[int, tuple[str, str]]  # admin level -> (p-code, name), the place's own too
    parent: int | None = None  # the place one level up (a site's admin area); None below admin0
    site_type: str = ""
    latitude: float | None = None
    longitude: float | None = None

    def admin(self, level: int) -> tuple[str, str]:
        return self.ancestors.get(level, ("", ""))


@dataclass
class Table:
    round: Round
    revision: RoundRevision
    level: Level
    audience: Audience
    threshold: int
    indicators: list[Indicator]
    places: list[Place]
    values: dict[CellKey, float] = field(default_factory=dict)
    suppressed: dict[CellKey, Suppressed] = field(default_factory=dict)

    def cell(self, place: Place, code: str, sex: str = "", age_band: str = "") -> float | None:
        """The published value; None when it is missing or suppressed (see `why`)."""
        key = (place.id, code, sex, age_band)
        return None if key in self.suppressed else self.values.get(key)

    def why(self, place: Place, code: str, sex: str = "", age_band: str = "") -> str:
        """'primary' or 'complementary' for a blanked cell, '' otherwise."""
        found = self.suppressed.get((place.id, code, sex, age_band))
        return found.value if found else ""

    @property
    def note(self) -> str:
        """What a reader must be told when cells are blanked."""
        if not self.suppressed:
            return ""
        return _(
            "%(count)d figures below %(threshold)d people, and those that would reveal them "
            "through a total, are blanked to protect the people counted."
        ) % {"count": len(self.suppressed), "threshold": self.threshold}


def published_rounds(
    operation_ids: Iterable[int], assessment_type: str | None = None
) -> list[Round]:
    """Rounds with a published revision, oldest first."""
    rounds = Round.objects.filter(
        operation_id__in=list(operation_ids), revisions__status=RoundRevision.Status.PUBLISHED
    ).select_related("operation")
    if assessment_type:
        rounds = rounds.filter(assessment_type=assessment_type)
    return list(rounds.order_by("operation_id", "assessment_type", "period_end", "number"))


def audience_indicators(
    round: Round, audience: Audience, codes: list[str] | None
) -> list[Indicator]:
    found = Indicator.objects.filter(operation__isnull=True) | Indicator.objects.filter(
        operation_id=round.operation_id
    )
    if audience == Audience.PUBLIC:
        found = found.filter(sensitivity=Indicator.Sensitivity.PUBLIC)
    if codes is not None:
        found = found.filter(code__in=codes)
    return list(found.order_by("position", "code"))


def table(
    round: Round,
    level: Level,
    *,
    codes: list[str] | None = None,
    audience: Audience = Audience.PUBLIC,
) -> Table:
    """The round's published figures at `level` (0 to 3, or site) for `audience`."""
    revision = published_revision(round)
    indicators = audience_indicators(round, audience, codes)
    rules: Rules = {item.pk: (item.code, item.aggregation) for item in indicators}
    place_field = "site" if round.assessment_type == AssessmentType.SITE else "admin_area"
    values = {
        key: value
        for key, (value, _places) in aggregate(revision, level, rules, None, place_field).items()
    }
    found = Table(
        round=round,
        revision=revision,
        level=level,
        audience=audience,
        threshold=round.operation.suppression_threshold,
        indicators=indicators,
        places=places_of(round, level, {key[0] for key in values if key[0] is not None}),
        values=values,
    )
    if audience == Audience.PUBLIC:
        people = [item for item in indicators if item.unit in PEOPLE]
        found.suppressed = suppressed_cells(found, people, rules, place_field)
    return found


AnyKey = tuple[object, ...]  # a cell's key, or a parent's: ("parent", id, code, sex, age band)


def suppressed_cells(
    found: Table, people: list[Indicator], rules: Rules, place_field: str
) -> dict[CellKey, Suppressed]:
    """Primary and complementary suppression over the people counts: within each place
    (total, by sex, by age, by sex and age) and across the places of one parent, whose
    total is published one level up."""
    codes = {item.code for item in people}
    cells: dict[AnyKey, float | None] = {
        key: value for key, value in found.values.items() if key[1] in codes
    }
    parents = parent_cells(found, rules, place_field, codes)
    sums = [*within_place_sums(list(cells)), *sibling_sums(found, list(cells), parents)]
    every: dict[Hashable, float | None] = dict([*cells.items(), *parents.items()])
    hidden = suppress(every, threshold=found.threshold, sums=sums)
    return {key: why for key, why in hidden.items() if key in found.values}


def parent_cells(
    found: Table, rules: Rules, place_field: str, codes: set[str]
) -> dict[AnyKey, float | None]:
    """The totals one level up, keyed ("parent", id, code, sex, age band)."""
    up = parent_level(found.level)
    if up is None:
        return {}
    people = {pk: rule for pk, rule in rules.items() if rule[0] in codes}
    above = aggregate(found.revision, up, people, None, place_field)
    return {("parent", *key): value for key, (value, _places) in above.items()}


def parent_level(level: Level) -> int | None:
    if level == SITE_LEVEL:
        return 3
    return None if level == 0 else int(level) - 1


def within_place_sums(keys: list[AnyKey]) -> Iterator[list[AnyKey]]:
    """For each place and indicator: total = f + m; each sex's total = its age bands; each age
    band = its f + m."""
    groups: dict[AnyKey, dict[tuple[object, object], AnyKey]] = defaultdict(dict)
    for key in keys:
        groups[key[:-2]][key[-2:]] = key  # type: ignore[index]
    for by in groups.values():
        sexes = sorted({str(sex) for sex, _age in by})
        ages = sorted({str(age) for _sex, age in by})
        yield [by[(sex, "")] for sex in sexes if (sex, "") in by]
        for sex in sexes:
            yield [by[(sex, age)] for age in ages if (sex, age) in by]
        for age in ages:
            yield [by[(sex, age)] for sex in sexes if (sex, age) in by]


def sibling_sums(
    found: Table, keys: list[AnyKey], parents: dict[AnyKey, float | None]
) -> Iterator[list[AnyKey]]:
    """The places of one parent add up to the parent's figure, published one level up."""
    if not parents:
        return
    parent_of: dict[object, int | None] = {place.id: place.parent for place in found.places}
    groups: dict[AnyKey, list[AnyKey]] = defaultdict(list)
    for key in keys:
        groups[("parent", parent_of.get(key[0]), *key[1:])].append(key)
    for parent, siblings in groups.items():
        yield [*siblings, parent]


def places_of(round: Round, level: Level, ids: set[int]) -> list[Place]:
    """The places figures were found for, named, with their ancestors, by p-code."""
    if level == 0:
        return [Place(None, 0, round.operation.country_iso3, round.operation.country_name, {})]
    areas = {
        pk: (pcode, name, area_level, parent)
        for pk, pcode, name, area_level, parent in AdminArea.objects.filter(
            operation_id=round.operation_id
        ).values_list("pk", "pcode", "name", "level", "parent_id")
    }
    if level == SITE_LEVEL:
        sites = Site.objects.filter(pk__in=ids).values_list(
            "pk", "code", "name", "site_type", "latitude", "longitude", "admin_area_id"
        )
        found = [
            Place(pk, SITE_LEVEL, code, name, lineage(areas, area), area, kind, lat, lon)
            for pk, code, name, kind, lat, lon, area in sites
        ]
    else:
        found = [
            Place(pk, int(level), areas[pk][0], areas[pk][1], lineage(areas, pk), up(areas, pk))
            for pk in ids
            if pk in areas
        ]
    return sorted(found, key=lambda place: place.pcode)


Areas = Mapping[int, tuple[str, str, int, int | None]]  # id -> p-code, name, level, parent


def up(areas: Areas, pk: int) -> int | None:
    """The parent whose figures are one level up: none for a state, whose is the admin0 total."""
    return None if areas[pk][2] <= 1 else areas[pk][3]


def lineage(areas: Areas, start: int | None) -> dict[int, tuple[str, str]]:
    """admin level -> (p-code, name), from `start` up to the country."""
    found: dict[int, tuple[str, str]] = {}
    current = start
    while current is not None and current in areas:
        pcode, name, level, parent = areas[current]
        found[level] = (pcode, name)
        current = parent
    return found


def reference_date(round: Round) -> datetime.date:
    """The date a round's figures are reported for: the end of its reference period."""
    return round.period_end
