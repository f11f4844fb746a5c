"""A place's figures over the published rounds: the history of a site or an admin area, its
latest needs, the assessments behind each round's figures, and an area's children with their
latest totals.

Published revisions only, whatever the role: these pages show what was released, and a
draft stays on its round's figures page. Indicators are those the user may see
(visible_indicators: protection risks for protection roles only), and reading protection
figures is audited. Each read is a fixed number of queries: every round of the place comes
back from one GROUP BY, never one query per round or per child.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q, Sum

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, can, require
from opendtm.accounts.services.audit import audit_read
from opendtm.geo.models import AdminArea, Site
from opendtm.geo.selectors import area_list
from opendtm.publishing.selectors.tables import published_rounds
from opendtm.tracking.models import (
    AssessmentType,
    Figure,
    Indicator,
    LevelFigure,
    Round,
    RoundRevision,
)
from opendtm.tracking.selectors.figures import (
    STORED_LEVELS,
    LatestRow,
    area_filter,
    latest_by_level,
    visible_indicators,
)
from opendtm.tracking.selectors.mapping import indicator_label

INDIVIDUALS, HOUSEHOLDS = "idp_individuals", "idp_households"
Category = Indicator.Category
Rule = Indicator.Aggregation
PUBLISHED = RoundRevision.Status.PUBLISHED
SPARK_WIDTH, SPARK_HEIGHT = 160, 40

# Round id -> indicator id -> (value, places reporting).
Values = dict[int, dict[int, tuple[float, int]]]


@dataclass(frozen=True)
class Assessment:
    """A submission that gave a site figures in a round."""

    submission_id: int
    instance_id: str
    form_id: str
    received_at: datetime.datetime
    form_version: str


@dataclass(frozen=True)
class FormSubmissions:
    """How many submissions of one form gave an area figures in a round."""

    form_id: str
    title: str
    count: int


Source = Assessment | FormSubmissions


@dataclass(frozen=True)
class HistoryRow:
    round: Round
    individuals: float | None
    households: float | None
    individuals_change: float | None  # since the previous published round of the type
    households_change: float | None
    sources: list[Source]  # a site's submissions, an area's forms; empty if not allowed


@dataclass(frozen=True)
class Need:
    code: str
    label: str
    value: float  # a site: its rank (1 = first) or 1/0; an area: places ranking first or yes
    places: int  # places reporting

    @property
    def whole(self) -> int:
        """The value as a count, for a plural."""
        return round(self.value)


@dataclass(frozen=True)
class Needs:
    round: Round
    ranked: list[Need]  # a site: by rank; an area: by the places ranking the sector first
    services: list[Need]
    protection: list[Need] = field(default_factory=list)


@dataclass(frozen=True)
class History:
    assessment_type: str
    types: list[tuple[str, str]]  # the assessment types with published rounds, for a choice
    rows: list[HistoryRow]  # oldest round first
    needs: Needs | None  # from the latest round that holds the place's figures
    sources_shown: bool  # whether the user may see the submissions behind the figures

    @property
    def assessed(self) -> list[HistoryRow]:
        return [row for row in self.rows if row.individuals is not None]

    @property
    def sparkline(self) -> str:
        """SVG polyline points of IDP individuals over the rounds that report them."""
        points = self.assessed
        if len(points) < 2:
            return ""
        values = [row.individuals or 0.0 for row in points]
        low, high = min(values), max(values)
        step = SPARK_WIDTH / (len(values) - 1)
        span = (high - low) or 1.0
        return " ".join(
            f"{index * step:.1f},{SPARK_HEIGHT - 2 - (value - low) / span * (SPARK_HEIGHT - 4):.1f}"
            for index, value in enumerate(values)
        )


@dataclass(frozen=True)
class ChildRow:
    area: AdminArea
    individuals: LatestRow | None
    households: LatestRow | None


def site_history(*, user: AnyUser, site: Site, assessment_type: str = "") -> History:
    """The site's figures over the published rounds of one assessment type (site
    assessments unless asked otherwise), with its latest needs and their assessments."""
    operation = site.operation
    require(user=user, operation=operation, capability=Capability.VIEW_SITES)
    rounds, types, chosen = rounds_of(operation.pk, assessment_type, AssessmentType.SITE)
    indicators = indicators_of(user, operation)
    figures = Figure.objects.filter(
        site=site,
        revision__status=PUBLISHED,
        revision__round__in=[item.pk for item in rounds],
        indicator__in=list(indicators),
        sex="",
        age_band="",
    )
    # One submission a round is the rule; if a site was assessed twice, its people add up,
    # a yes stays a yes and a sector keeps its highest rank.
    values: Values = {}
    for round_id, indicator, total, high, low in (
        figures.values_list("revision__round", "indicator")
        .order_by()
        .annotate(Sum("value"), Max("value"), Min("value"))
    ):
        rule = indicators[indicator].aggregation
        value = low if rule == Rule.RANK else high if rule == Rule.FLAG else total
        values.setdefault(round_id, {})[indicator] = (float(value), 1)
    shown = can(user=user, operation=operation, capability=Capability.VIEW_SUBMISSIONS)
    sources = site_assessments(site, rounds) if shown else {}
    history = history_of(rounds, types, chosen, indicators, values, sources, shown, by_rank=True)
    audit_protection(user, history, f"site {site.code}", site.code)
    return history


def area_history(*, user: AnyUser, area: AdminArea, assessment_type: str = "") -> History:
    """The area's figures over the published rounds of one assessment type (by default the
    type of the latest published round), read from the stored level figures."""
    operation = area.operation
    require(user=user, operation=operation, capability=Capability.VIEW_AREAS)
    rounds, types, chosen = rounds_of(operation.pk, assessment_type, "")
    indicators = indicators_of(user, operation)
    round_ids = [item.pk for item in rounds]
    if area.level in STORED_LEVELS:
        rows = stored_values(area, round_ids, list(indicators))
    else:
        rows = summed_values(area, round_ids, list(indicators), chosen)
    values: Values = {}
    for round_id, indicator, total, first, places in rows:
        value = first if indicators[indicator].aggregation == Rule.RANK else total
        values.setdefault(round_id, {})[indicator] = (float(value), places)
    shown = can(user=user, operation=operation, capability=Capability.VIEW_SUBMISSIONS)
    sources = area_submissions(area, round_ids) if shown else {}
    history = history_of(rounds, types, chosen, indicators, values, sources, shown, by_rank=False)
    audit_protection(user, history, f"area {area.pcode}", area.pcode)
    return history


def area_children_latest(*, user: AnyUser, area: AdminArea, assessment_type: str) -> list[ChildRow]:
    """The area's current children by name, each with its latest published totals of IDP
    individuals and households (each from the latest round that reported it)."""
    children = list(
        area_list(user=user, operation=area.operation, parent=area).order_by("name", "pcode")
    )
    latest: dict[tuple[int | None, str], LatestRow] = {}
    if children and assessment_type and area.level + 1 in STORED_LEVELS:
        ids = {child.pk for child in children}
        rows = latest_by_level(
            user=user,
            operation=area.operation,
            assessment_type=assessment_type,
            level=area.level + 1,
            codes=[INDIVIDUALS, HOUSEHOLDS],
        )
        latest = {(row.place_id, row.indicator): row for row in rows if row.place_id in ids}
    return [
        ChildRow(child, latest.get((child.pk, INDIVIDUALS)), latest.get((child.pk, HOUSEHOLDS)))
        for child in children
    ]


def rounds_of(
    operation_id: int, wanted: str, preferred: str
) -> tuple[list[Round], list[tuple[str, str]], str]:
    """The published rounds of the chosen type, oldest first; the types that have some; and
    the type chosen: the one asked for, else the preferred, else the latest round's."""
    every = published_rounds([operation_id])
    present = {item.assessment_type for item in every}
    types = [(value, str(label)) for value, label in AssessmentType.choices if value in present]
    if wanted in present:
        chosen = wanted
    elif preferred in present:
        chosen = preferred
    else:
        newest = max(every, key=lambda item: item.period_end, default=None)
        chosen = newest.assessment_type if newest else ""
    rounds = sorted(
        (item for item in every if item.assessment_type == chosen), key=lambda item: item.number
    )
    return rounds, types, chosen


def indicators_of(user: AnyUser, operation: Operation) -> dict[int, Indicator]:
    require(user=user, operation=operation, capability=Capability.VIEW_PUBLISHED)
    return {item.pk: item for item in visible_indicators(user=user, operation=operation)}


def stored_values(area: AdminArea, round_ids: list[int], ids: list[int]) -> Iterable[tuple]:
    place = {"admin_area": area} if area.level else {}  # level 0: the operation's total
    return LevelFigure.objects.filter(
        revision__status=PUBLISHED,
        revision__round__in=round_ids,
        level=area.level,
        indicator__in=ids,
        sex="",
        age_band="",
        **place,
    ).values_list("revision__round", "indicator", "total", "first", "places")


def summed_values(
    area: AdminArea, round_ids: list[int], ids: list[int], assessment_type: str
) -> Iterable[tuple]:
    """Below the stored levels, the area's own figures summed, as a draft's are."""
    place = "site" if assessment_type == AssessmentType.SITE else "admin_area"
    return (
        Figure.objects.filter(
            revision__status=PUBLISHED,
            revision__round__in=round_ids,
            admin_area=area,
            indicator__in=ids,
            sex="",
            age_band="",
        )
        .values_list("revision__round", "indicator")
        .order_by()
        .annotate(Sum("value"), Count("id", filter=Q(value=1)), Count(place, distinct=True))
    )


def site_assessments(site: Site, rounds: list[Round]) -> dict[int, list[Source]]:
    """Round id -> the submissions whose figures of the site are in its published revision."""
    rows = (
        Figure.objects.filter(
            site=site,
            revision__status=PUBLISHED,
            revision__round__in=[item.pk for item in rounds],
            submission__isnull=False,
        )
        .values_list(
            "revision__round",
            "submission",
            "submission__instance_id",
            "submission__form__form_id",
            "submission__received_at",
            "form_version__version",
        )
        .order_by("submission__received_at", "submission")
        .distinct()
    )
    found: dict[int, list[Source]] = {}
    for round_id, pk, instance_id, form_id, received_at, version in rows:
        found.setdefault(round_id, []).append(
            Assessment(pk, instance_id, form_id, received_at, version or "")
        )
    return found


def area_submissions(area: AdminArea, round_ids: list[int]) -> dict[int, list[Source]]:
    """Round id -> how many submissions of each form gave figures inside the area."""
    rows = (
        Figure.objects.filter(
            revision__status=PUBLISHED,
            revision__round__in=round_ids,
            submission__isnull=False,
            **area_filter(area),
        )
        .values_list("revision__round", "submission__form__form_id", "submission__form__title")
        .order_by("submission__form__form_id")
        .annotate(Count("submission", distinct=True))
    )
    found: dict[int, list[Source]] = {}
    for round_id, *counted in rows:
        found.setdefault(round_id, []).append(FormSubmissions(*counted))
    return found


def history_of(
    rounds: list[Round],
    types: list[tuple[str, str]],
    chosen: str,
    indicators: dict[int, Indicator],
    values: Values,
    sources: dict[int, list[Source]],
    shown: bool,
    *,
    by_rank: bool,
) -> History:
    codes = {item.code: pk for pk, item in indicators.items()}

    def value(round: Round | None, code: str) -> float | None:
        found = values.get(round.pk, {}).get(codes.get(code, 0)) if round else None
        return found[0] if found else None

    def change(round: Round, before: Round | None, code: str) -> float | None:
        now, then = value(round, code), value(before, code)
        return None if now is None or then is None else now - then

    rows = [
        HistoryRow(
            round=item,
            individuals=value(item, INDIVIDUALS),
            households=value(item, HOUSEHOLDS),
            individuals_change=change(item, before, INDIVIDUALS),
            households_change=change(item, before, HOUSEHOLDS),
            sources=sources.get(item.pk, []),
        )
        for before, item in zip([None, *rounds], rounds, strict=False)
    ]
    latest = next((item for item in reversed(rounds) if item.pk in values), None)
    needs = needs_of(latest, indicators, values, by_rank=by_rank) if latest else None
    return History(chosen, types, rows, needs, shown)


def needs_of(
    round: Round, indicators: dict[int, Indicator], values: Values, *, by_rank: bool
) -> Needs:
    """The round's needs, services and protection risks that have a figure. A site's sectors
    go by rank (1 first); an area's by how many places rank them first."""

    def items(category: str) -> list[Need]:
        return [
            Need(item.code, indicator_label(item), *values[round.pk][pk])
            for pk, item in sorted(
                indicators.items(), key=lambda pair: (pair[1].position, pair[1].code)
            )
            if item.category == category and pk in values[round.pk]
        ]

    ranked = items(Category.NEEDS)
    ranked.sort(key=lambda need: need.value if by_rank else -need.value)
    return Needs(round, ranked, items(Category.SERVICES), items(Category.PROTECTION))


def audit_protection(user: AnyUser, history: History, label: str, object_id: str) -> None:
    """Protection figures shown are a read of protection data: logged, as any such read."""
    if history.needs and history.needs.protection and isinstance(user, User):
        audit_read(
            actor=user,
            operation=history.needs.round.operation,
            kind="tracking.figure",
            object_id=object_id,
            note=f"protection figures of {label}, round {history.needs.round.number}",
        )
