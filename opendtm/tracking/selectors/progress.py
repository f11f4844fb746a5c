"""How far a round has got: submissions per admin area, its coverage on a map, its issues
counted and its revisions.

Counts are GROUP BYs in the database. Places are rolled up to one admin level (admin2, or the
deepest level when an operation has fewer) through their parents, so a site in a ward and an
assessment of an LGA land in the same row.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, When
from django.db.models.expressions import Expression

from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, can, require
from opendtm.collection.models import Submission
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.models import AssessmentType, Round, RoundRevision, ValidationIssue
from opendtm.tracking.selectors.figures import SITE_LEVEL
from opendtm.tracking.selectors.places import Place, place_names
from opendtm.tracking.selectors.rounds import Coverage, round_coverage, round_submissions

ROLLUP_LEVEL = 2
Review = Submission.Review


def rollup_level(operation_id: int) -> int:
    deepest = AdminArea.objects.filter(operation_id=operation_id).aggregate(level=Max("level"))
    return min(deepest["level"] or 0, ROLLUP_LEVEL)


def ancestor_at(path: str, level: int) -> Case:
    """The id of the area at `level` above (or at) the area reached by `path`: up to two
    levels deeper are walked up through their parents."""
    return Case(
        *(
            When(**{f"{path}__level": level + depth}, then=F(f"{path}{'__parent' * depth}_id"))
            for depth in range(3)
        ),
        default=None,
        output_field=IntegerField(),
    )


def submission_rollup(level: int) -> Expression:
    """A submission's area at `level`: its site's area when it names a site (as figures do)."""
    return Case(
        When(site__isnull=False, then=ancestor_at("site__admin_area", level)),
        default=ancestor_at("admin_area", level),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class AreaProgress:
    area_id: int | None  # None: submissions naming no place, or one above the rollup level
    pcode: str
    name: str
    received: int  # every submission of the round in the area, whatever its review
    approved: int
    rejected: int

    @property
    def pending(self) -> int:
        """Received but neither approved nor rejected yet."""
        return self.received - self.approved - self.rejected


def round_progress(*, user: AnyUser, round: Round) -> list[AreaProgress]:
    """Submissions per area of the rollup level, by review outcome, in p-code order."""
    require(user=user, operation=round.operation, capability=Capability.VIEW_SUBMISSIONS)
    level = rollup_level(round.operation_id)
    rows = (
        round_submissions(round, with_rejected=True)
        .annotate(area=submission_rollup(level))
        .values("area")
        .order_by()
        .annotate(
            received=Count("pk"),
            approved=Count("pk", filter=Q(review_state=Review.APPROVED)),
            rejected=Count("pk", filter=Q(review_state=Review.REJECTED)),
        )
    )
    names = area_names(round.operation_id, level)
    found = [
        AreaProgress(
            area_id=row["area"],
            pcode=names.get(row["area"], ("", ""))[0],
            name=names.get(row["area"], ("", ""))[1],
            received=row["received"],
            approved=row["approved"],
            rejected=row["rejected"],
        )
        for row in rows
    ]
    return sorted(found, key=lambda item: (item.area_id is None, item.pcode))


def area_names(operation_id: int, level: int) -> dict[int, tuple[str, str]]:
    rows = AdminArea.objects.filter(operation_id=operation_id, level=level)
    return {pk: (pcode, name) for pk, pcode, name in rows.values_list("pk", "pcode", "name")}


def place_state(place_id: int, coverage: Coverage) -> str:
    if place_id in coverage.new:
        return "new"
    if place_id in coverage.assessed:
        return "assessed"
    return "missing" if place_id in coverage.missing else ""


def round_coverage_geojson(*, user: AnyUser, round: Round) -> dict:
    """The round's coverage as one FeatureCollection: areas (simplified boundaries) and, for
    site assessments, sites as points; each with a `state`: assessed, missing or new."""
    coverage = round_coverage(user=user, round=round)
    level = rollup_level(round.operation_id)
    if round.assessment_type == AssessmentType.SITE:
        sites = site_features(round.operation_id, level, coverage)
        states: dict[int, set[str]] = {}
        for feature in sites:
            states.setdefault(feature["properties"]["area_id"], set()).add(
                feature["properties"]["state"]
            )
        area_state = {area_id: summary_state(found) for area_id, found in states.items()}
        areas = area_features(round.operation_id, level, area_state, extra=set())
        return {"type": "FeatureCollection", "features": areas + sites}
    area_state = {
        place: place_state(place, coverage) for place in coverage.assessed | coverage.missing
    }
    areas = area_features(round.operation_id, level, area_state, extra=coverage.assessed)
    return {"type": "FeatureCollection", "features": areas}


def missing_places(
    *, user: AnyUser, round: Round, coverage: Coverage, limit: int = 20
) -> list[Place]:
    """Up to `limit` missing sites or areas (the earliest recorded), in code order, to name
    them beside the map."""
    require(user=user, operation=round.operation, capability=Capability.VIEW_SUBMISSIONS)
    if not coverage.missing:
        return []
    level = SITE_LEVEL if round.assessment_type == AssessmentType.SITE else ROLLUP_LEVEL
    first = sorted(coverage.missing)[:limit]  # a short IN list whatever the operation's size
    found = place_names(user=user, operation=round.operation, level=level, ids=first)
    return sorted(found.values(), key=lambda place: place.code)


def summary_state(states: set[str]) -> str:
    """An area holding sites: missing if one is, else new if one is, else assessed."""
    return next((state for state in ("missing", "new", "assessed") if state in states), "")


def area_features(
    operation_id: int, level: int, state: dict[int, str], extra: set[int]
) -> list[dict]:
    """The areas of the level, and any other level's assessed ones (few) in `extra`."""
    areas = AdminArea.objects.current().filter(
        operation_id=operation_id, geometry_simplified__isnull=False
    )
    rows = list(areas.filter(level=level).values("pk", "pcode", "name", "geometry_simplified"))
    others = extra - {row["pk"] for row in rows}
    if others:
        rows += areas.filter(pk__in=others).values("pk", "pcode", "name", "geometry_simplified")
    return [
        {
            "type": "Feature",
            "id": row["pcode"],
            "properties": {
                "kind": "area",
                "pcode": row["pcode"],
                "name": row["name"],
                "state": state.get(row["pk"], ""),
            },
            "geometry": row["geometry_simplified"],
        }
        for row in rows
    ]


def site_features(operation_id: int, level: int, coverage: Coverage) -> list[dict]:
    """Open sites and assessed closed ones, those with coordinates; each with its area at the
    rollup level."""
    sites = (
        Site.objects.filter(operation_id=operation_id, latitude__isnull=False)
        .annotate(area_id=ancestor_at("admin_area", level))
        .values("pk", "code", "name", "status", "latitude", "longitude", "area_id")
    )
    return [
        {
            "type": "Feature",
            "id": row["code"],
            "properties": {
                "kind": "site",
                "code": row["code"],
                "name": row["name"],
                "area_id": row["area_id"],
                "state": place_state(row["pk"], coverage),
            },
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
        }
        for row in sites.order_by("code")
        if row["status"] == Site.Status.OPEN or row["pk"] in coverage.assessed
    ]


@dataclass(frozen=True)
class IssueCount:
    rule: str
    severity: str
    state: str
    count: int


def issue_counts(*, user: AnyUser, round: Round) -> list[IssueCount]:
    """The round's issues counted by rule, severity and state."""
    require(user=user, operation=round.operation, capability=Capability.REVIEW)
    rows = (
        ValidationIssue.objects.filter(round=round)
        .values("rule", "severity", "state")
        .order_by("rule", "severity", "state")
        .annotate(count=Count("pk"))
    )
    return [IssueCount(**row) for row in rows]


def round_revisions(*, user: AnyUser, round: Round) -> QuerySet[RoundRevision]:
    """The round's revisions, first to last, with who opened and published each; a draft
    (and the reason for a correction under way) only for those who review."""
    require(user=user, operation=round.operation, capability=Capability.VIEW_PUBLISHED)
    revisions = round.revisions.select_related("opened_by", "published_by").order_by("number")
    if not can(user=user, operation=round.operation, capability=Capability.REVIEW):
        revisions = revisions.exclude(status=RoundRevision.Status.DRAFT)
    return revisions
