"""Reading figures: per admin level or site, with change since the previous round.

Every number is a GROUP BY in the database over one revision's figures: stocks are summed
over places, flags count the places answering yes, ranks count the places ranking a sector
first. Rounds are never summed together: each answer reads one revision of one round.

What a user sees: the published revision of a round, or its draft for those who review;
protection-sensitive indicators only with the protection capability, restricted ones only
for those who see submissions.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, require, user_capabilities
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.models import (
    AssessmentType,
    Figure,
    Indicator,
    LevelFigure,
    Round,
    RoundRevision,
)

SITE_LEVEL = "site"
LEVELS = (0, 1, 2, 3, SITE_LEVEL)
STORED_LEVELS = (0, 1, 2, 3)
Key = tuple[int | None, str, str, str]  # place, indicator code, sex, age band


@dataclass(frozen=True)
class FigureRow:
    place_id: int | None  # the admin area (or site) id; None at admin0: the whole operation
    indicator: str
    sex: str
    age_band: str
    value: float
    places: int  # how many places reported it
    previous: float | None = None  # in the previous published round of the same type

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def change_percent(self) -> float | None:
        if self.previous in (None, 0):
            return None
        return 100 * (self.value - self.previous) / self.previous


def visible_revision(*, user: AnyUser, round: Round) -> RoundRevision:
    """The published revision; the draft instead for those who review, while there is one."""
    capabilities = user_capabilities(user=user, operation=round.operation)
    if Capability.VIEW_PUBLISHED not in capabilities:
        raise NotFound(
            _("No operation '%(slug)s' that you can see.") % {"slug": round.operation.slug}
        )
    wanted = [RoundRevision.Status.PUBLISHED]
    if Capability.REVIEW in capabilities:
        wanted.insert(0, RoundRevision.Status.DRAFT)
    for status in wanted:
        found = RoundRevision.objects.filter(round=round, status=status).first()
        if found is not None:
            return found
    raise NotFound(_("%(round)s has no published figures yet.") % {"round": round})


def visible_indicators(*, user: AnyUser, operation: Operation) -> QuerySet[Indicator]:
    capabilities = user_capabilities(user=user, operation=operation)
    sensitivities = [Indicator.Sensitivity.PUBLIC]
    if Capability.VIEW_SUBMISSIONS in capabilities:
        sensitivities.append(Indicator.Sensitivity.RESTRICTED)
    if Capability.VIEW_PROTECTION in capabilities:
        sensitivities.append(Indicator.Sensitivity.PROTECTION)
    return Indicator.objects.filter(
        Q(operation__isnull=True) | Q(operation=operation), sensitivity__in=sensitivities
    )


def place_column(level: int | str) -> str | None:
    if level not in LEVELS:
        raise ApplicationError(
            _("There is no level %(level)s.") % {"level": level},
            hint=_("Use 0, 1, 2, 3 or site."),
        )
    if level == SITE_LEVEL:
        return "site_id"
    return None if level == 0 else f"admin{level}_id"


def area_filter(area: AdminArea | None) -> dict[str, AdminArea]:
    """Figures inside an area: by its level's ancestor column, or the area itself below admin3."""
    if area is None or area.level == 0:
        return {}
    return {"admin_area": area} if area.level > 3 else {f"admin{area.level}": area}


Rules = dict[int, tuple[str, str]]  # indicator id -> its code and aggregation rule


def aggregate(
    revision: RoundRevision,
    level: int | str,
    rules: Rules,
    within: AdminArea | None = None,
    place_field: str = "admin_area",  # what a place is: "site" in site assessments
) -> dict[Key, tuple[float, int]]:
    """(place, code, sex, age band) -> (value, places reporting). A published revision's
    admin levels are read as stored; a draft's, and sites, are summed here."""
    rows: Iterable[tuple]
    if is_stored(revision, level, within):
        rows = stored(revision, level, rules, within)
    else:
        rows = summed(revision, level, rules, within, place_field)
    found = {}
    for place, indicator, sex, age_band, total, first, count in rows:
        code, rule = rules[indicator]
        value = float(first if rule == Indicator.Aggregation.RANK else total)
        found[(place, code, sex, age_band)] = (value, count)
    return found


def stored(
    revision: RoundRevision, level: int | str, rules: Rules, within: AdminArea | None
) -> Iterator[tuple]:
    """Level figures; level 0 inside an area is that area's own total."""
    found = LevelFigure.objects.filter(revision=revision, indicator__in=list(rules))
    if level == 0 and within is not None and within.level > 0:
        found = found.filter(level=within.level, admin_area=within)
    else:
        found = found.filter(level=level, **area_filter(within))
    columns = ("indicator", "sex", "age_band", "total", "first", "places")
    for place, *rest in found.values_list("admin_area", *columns):
        yield (None if level == 0 else place, *rest)


def is_stored(revision: RoundRevision, level: int | str, within: AdminArea | None) -> bool:
    """Stored levels: 0 to 3 of a revision once published (see services/level_figures.py)."""
    return (
        revision.status != RoundRevision.Status.DRAFT
        and level in STORED_LEVELS
        and (within is None or within.level in STORED_LEVELS)
    )


def summed(
    revision: RoundRevision,
    level: int | str,
    rules: Rules,
    within: AdminArea | None,
    place_field: str,
) -> Iterator[tuple]:
    # No join: rows are grouped by indicator id, and the rule picks a sum or a count after.
    column = place_column(level)
    figures = Figure.objects.filter(
        revision=revision, indicator__in=list(rules), **area_filter(within)
    )
    if column:
        figures = figures.filter(**{f"{column}__isnull": False})
    # Grouped by site, each group is one place: a COUNT(DISTINCT) there would sort every row.
    places = Max(Value(1)) if level == SITE_LEVEL else Count(place_field, distinct=True)
    rows = (
        figures.values_list(*([column] if column else []), "indicator", "sex", "age_band")
        .order_by()
        .annotate(total=Sum("value"), first=Count("id", filter=Q(value=1)), places=places)
    )
    for row in rows:
        yield row if column else (None, *row)


def previous_round(round: Round) -> Round | None:
    return (
        Round.objects.filter(
            operation_id=round.operation_id,
            assessment_type=round.assessment_type,
            number__lt=round.number,
            revisions__status=RoundRevision.Status.PUBLISHED,
        )
        .order_by("-number")
        .first()
    )


def figures_by_level(
    *,
    user: AnyUser,
    round: Round,
    level: int | str,
    codes: list[str] | None = None,
    within: AdminArea | None = None,
) -> list[FigureRow]:
    """The round's figures at one admin level (or per site), with the previous round's;
    only the places inside `within` when given."""
    revision = visible_revision(user=user, round=round)
    indicators = visible_indicators(user=user, operation=round.operation)
    if codes:
        indicators = indicators.filter(code__in=codes)
    rules = {
        pk: (code, rule) for pk, code, rule in indicators.values_list("pk", "code", "aggregation")
    }
    place_field = "site" if round.assessment_type == AssessmentType.SITE else "admin_area"
    current = aggregate(revision, level, rules, within, place_field)
    before: dict[Key, tuple[float, int]] = {}
    earlier = previous_round(round)
    if earlier is not None:
        published = RoundRevision.objects.get(round=earlier, status=RoundRevision.Status.PUBLISHED)
        before = aggregate(published, level, rules, within, place_field)
    return [
        FigureRow(
            place_id=key[0],
            indicator=key[1],
            sex=key[2],
            age_band=key[3],
            value=value,
            places=places,
            previous=before[key][0] if key in before else None,
        )
        for key, (value, places) in sorted(
            current.items(), key=lambda item: (item[0][0] or 0, *item[0][1:])
        )
    ]


@dataclass(frozen=True)
class LatestRow:
    place_id: int | None
    indicator: str
    value: float
    round_number: int
    period_end: datetime.date


def latest_by_level(
    *,
    user: AnyUser,
    operation: Operation,
    assessment_type: str,
    level: int | str,
    codes: list[str],
) -> list[LatestRow]:
    """Per place, each indicator's total in the latest published round that reported it.

    Never a sum across rounds: a place assessed in rounds 3 and 5 shows round 5 alone.
    """
    indicators = dict(
        visible_indicators(user=user, operation=operation)
        .filter(code__in=codes)
        .values_list("pk", "code")
    )
    published = RoundRevision.objects.filter(
        status=RoundRevision.Status.PUBLISHED,
        round__operation=operation,
        round__assessment_type=assessment_type,
    )
    if level == SITE_LEVEL:
        rows = latest_sites(published, operation, list(indicators))
    else:
        rows = latest_stored(published, int(level), list(indicators))
    found = [
        LatestRow(place, indicators[indicator], total, number, end)
        for place, indicator, total, number, end in rows
    ]
    return sorted(found, key=lambda row: (row.place_id or 0, row.indicator))


LatestTuple = tuple[int | None, int, float, int, datetime.date]


def latest_stored(
    published: QuerySet[RoundRevision], level: int, ids: list[int]
) -> Iterable[LatestTuple]:
    """The stored totals, each place's newest round kept by a window over its rounds."""
    totals = LevelFigure.objects.filter(
        revision__in=published, level=level, indicator__in=ids, sex="", age_band=""
    ).annotate(
        newest=Window(
            Max("revision__round__number"), partition_by=[F("admin_area"), F("indicator")]
        )
    )
    return totals.filter(revision__round__number=F("newest")).values_list(
        "admin_area", "indicator", "total", "revision__round__number", "revision__round__period_end"
    )


def latest_sites(
    published: QuerySet[RoundRevision], operation: Operation, ids: list[int]
) -> Iterable[LatestTuple]:
    """Sites are not stored: each site's newest revision is probed first, then only those
    revisions' totals are summed, so the cost follows the sites and not the rounds."""
    newest = newest_revisions(published, operation, ids)
    rounds = {
        pk: (number, end)
        for pk, number, end in published.filter(pk__in=set(newest.values())).values_list(
            "pk", "round__number", "round__period_end"
        )
    }
    rows = (
        Figure.objects.filter(
            sex="", age_band="", revision__in=list(rounds), indicator__in=ids, site__isnull=False
        )
        .values_list("site", "indicator", "revision")
        .order_by()
        .annotate(total=Sum("value"))
    )
    for place, indicator, revision, total in rows:
        if newest.get((place, indicator)) == revision:
            yield (place, indicator, total, *rounds[revision])


def newest_revisions(
    published: QuerySet[RoundRevision], operation: Operation, ids: list[int]
) -> dict[tuple[int, int], int]:
    """(site, indicator id) -> the latest published revision holding the site's total, each
    probed newest round first, one index lookup a round, until one holds it."""

    def newest(indicator: int) -> Subquery:
        held = Figure.objects.filter(
            sex="",
            age_band="",
            revision=OuterRef("pk"),
            indicator=indicator,
            site=OuterRef(OuterRef("pk")),
        )
        return Subquery(published.filter(Exists(held)).order_by("-round__number").values("pk")[:1])

    probes = {f"newest_{pk}": newest(pk) for pk in ids}
    sites = Site.objects.filter(operation=operation).annotate(**probes).order_by()
    latest: dict[tuple[int, int], int] = {}
    for site, *revisions in sites.values_list("pk", *probes):
        latest.update(
            {(site, pk): revision for pk, revision in zip(ids, revisions, strict=True) if revision}
        )
    return latest


def time_series(
    *, user: AnyUser, area: AdminArea, assessment_type: str, code: str
) -> list[tuple[int, datetime.date, float]]:
    """(round number, period end, total) for one area over every published round."""
    require(user=user, operation=area.operation, capability=Capability.VIEW_PUBLISHED)
    indicators = visible_indicators(user=user, operation=area.operation).filter(code=code)
    rounds = ("revision__round__number", "revision__round__period_end")
    rows: QuerySet
    if area.level in STORED_LEVELS:
        rows = LevelFigure.objects.filter(
            level=area.level, **({"admin_area": area} if area.level else {})
        ).values_list(*rounds, "total")
    else:
        rows = Figure.objects.filter(admin_area=area).values_list(*rounds).annotate(Sum("value"))
    return list(
        rows.filter(
            revision__status=RoundRevision.Status.PUBLISHED,
            revision__round__operation=area.operation,
            revision__round__assessment_type=assessment_type,
            indicator__in=indicators,
            sex="",
            age_band="",
        ).order_by("revision__round__number")
    )
