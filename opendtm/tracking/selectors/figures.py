"""Reading figures: per admin level or site, with change since the previous round.

Every number is a GROUP BY in the database over one revision's figures: stocks are summed
over places, flags count the places answering yes, ranks count the places ranking a sector
first. Rounds are never summed together: each answer reads one revision of one round.

What a user sees: the published revision of a round, or its draft for those who review;
protection-sensitive indicators only with the protection capability, restricted ones only
for those who see submissions.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, require, user_capabilities
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.models import AssessmentType, Figure, Indicator, Round, RoundRevision

SITE_LEVEL = "site"
LEVELS = (0, 1, 2, 3, SITE_LEVEL)
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
    # No join: rows are grouped by indicator id, and the rule picks a sum or a count after.
    column = place_column(level)
    figures = Figure.objects.filter(
        revision=revision, indicator__in=list(rules), **area_filter(within)
    )
    if level == SITE_LEVEL:
        figures = figures.filter(site__isnull=False)
    # Grouped by site, each group is one place: a COUNT(DISTINCT) there would sort every row.
    places = Max(Value(1)) if level == SITE_LEVEL else Count(place_field, distinct=True)
    rows = (
        figures.values_list(*([column] if column else []), "indicator", "sex", "age_band")
        .order_by()
        .annotate(total=Sum("value"), first=Count("id", filter=Q(value=1)), places=places)
    )
    found = {}
    for *place, indicator, sex, age_band, total, first, count in rows:
        code, rule = rules[indicator]
        value = float(first if rule == Indicator.Aggregation.RANK else total)
        found[(place[0] if place else None, code, sex, age_band)] = (value, count)
    return found


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


def published_figures(operation: Operation, assessment_type: str) -> QuerySet[Figure]:
    return Figure.objects.filter(
        revision__status=RoundRevision.Status.PUBLISHED,
        revision__round__operation=operation,
        revision__round__assessment_type=assessment_type,
        sex="",
        age_band="",
    )


def latest_by_level(
    *,
    user: AnyUser,
    operation: Operation,
    assessment_type: str,
    level: int | str,
    codes: list[str],
) -> list[LatestRow]:
    """Per place, each indicator's total in the latest published round that reported it.

    Never a sum across rounds: a place assessed in rounds 3 and 5 shows round 5 alone. The
    latest revisions are found first, then only their totals are summed, so the cost follows
    the places and not the number of rounds.
    """
    column = place_column(level)
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
    newest = newest_revisions(published, level, operation, list(indicators))
    rounds = {
        pk: (number, end)
        for pk, number, end in published.filter(pk__in=set(newest.values())).values_list(
            "pk", "round__number", "round__period_end"
        )
    }
    group = [column] if column else []
    rows = (
        Figure.objects.filter(
            sex="",
            age_band="",
            revision__in=list(rounds),
            indicator__in=list(indicators),
            **({f"{column}__isnull": False} if column else {}),
        )
        .values_list(*group, "indicator", "revision")
        .order_by()
        .annotate(total=Sum("value"))
    )
    found = []
    for row in rows:
        place = row[0] if column else None
        indicator, revision, total = row[-3:]
        if newest.get((place, indicator)) == revision:
            number, end = rounds[revision]
            found.append(LatestRow(place, indicators[indicator], total, number, end))
    return sorted(found, key=lambda row: (row.place_id or 0, row.indicator))


def newest_revisions(
    published: QuerySet[RoundRevision], level: int | str, operation: Operation, ids: list[int]
) -> dict[tuple[int | None, int], int]:
    """(place, indicator id) -> the latest published revision holding the place's total.

    Each is probed newest round first, one index lookup a round, until one holds it; level 0
    is one place, the whole operation.
    """
    column = place_column(level)

    def newest(**place: object) -> Subquery:
        held = Figure.objects.filter(sex="", age_band="", revision=OuterRef("pk"), **place)
        return Subquery(published.filter(Exists(held)).order_by("-round__number").values("pk")[:1])

    if not ids:
        return {}
    if column is None:
        found = Indicator.objects.filter(pk__in=ids).annotate(
            newest=newest(indicator=OuterRef(OuterRef("pk")))
        )
        return {
            (None, pk): revision for pk, revision in found.values_list("pk", "newest") if revision
        }
    places = (
        Site.objects.filter(operation=operation)
        if level == SITE_LEVEL
        else AdminArea.objects.filter(operation=operation, level=level)
    )
    probes = {
        f"newest_{pk}": newest(indicator=pk, **{column: OuterRef(OuterRef("pk"))}) for pk in ids
    }
    latest: dict[tuple[int | None, int], int] = {}
    for place, *revisions in places.annotate(**probes).order_by().values_list("pk", *probes):
        latest.update(
            {(place, pk): revision for pk, revision in zip(ids, revisions, strict=True) if revision}
        )
    return latest


def time_series(
    *, user: AnyUser, area: AdminArea, assessment_type: str, code: str
) -> list[tuple[int, datetime.date, float]]:
    """(round number, period end, total) for one area over every published round."""
    require(user=user, operation=area.operation, capability=Capability.VIEW_PUBLISHED)
    indicators = visible_indicators(user=user, operation=area.operation).filter(code=code)
    rows = (
        published_figures(area.operation, assessment_type)
        .filter(indicator__in=indicators, **area_filter(area))
        .values("revision__round__number", "revision__round__period_end")
        .order_by("revision__round__number")
        .annotate(total=Sum("value"))
    )
    return [
        (row["revision__round__number"], row["revision__round__period_end"], row["total"])
        for row in rows
    ]
