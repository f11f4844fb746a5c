"""Reading rounds: one or all of an operation's, their submissions, coverage and issues."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, require
from opendtm.collection.models import Form, Submission
from opendtm.core.errors import NotFound
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.models import Round, RoundRevision, ValidationIssue


def round_get(*, user: AnyUser, operation: Operation, assessment_type: str, number: int) -> Round:
    require(user=user, operation=operation, capability=Capability.VIEW_PUBLISHED)
    found = Round.objects.filter(
        operation=operation, assessment_type=assessment_type, number=number
    ).first()
    if found is None:
        raise NotFound(
            _("No %(type)s round %(number)d in %(operation)s.")
            % {"type": assessment_type, "number": number, "operation": operation.name}
        )
    return found


def round_list(
    *, user: AnyUser, operation: Operation, assessment_type: str | None = None
) -> QuerySet[Round]:
    """The operation's rounds, newest first, each with its revisions prefetched."""
    require(user=user, operation=operation, capability=Capability.VIEW_PUBLISHED)
    rounds = Round.objects.filter(operation=operation).prefetch_related("revisions")
    if assessment_type:
        rounds = rounds.filter(assessment_type=assessment_type)
    return rounds.order_by("-period_start", "assessment_type", "-number")


@dataclass(frozen=True)
class IssueFilters:
    state: str | None = None
    severity: str | None = None
    rule: str | None = None


def issue_list(
    *, user: AnyUser, round: Round, filters: IssueFilters | None = None
) -> QuerySet[ValidationIssue]:
    """A round's validation issues, for those who review; blocking ones first."""
    require(user=user, operation=round.operation, capability=Capability.REVIEW)
    filters = filters or IssueFilters()
    wanted = {
        name: value
        for name, value in (
            ("state", filters.state),
            ("severity", filters.severity),
            ("rule", filters.rule),
        )
        if value
    }
    return (
        ValidationIssue.objects.filter(round=round, **wanted)
        .select_related("submission__form", "admin_area", "site", "decided_by")
        .order_by("severity", "-state", "rule", "id")  # blocking, then open first
    )


def issue_get(*, user: AnyUser, round: Round, pk: int) -> ValidationIssue:
    found = issue_list(user=user, round=round).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No issue %(pk)d in %(round)s.") % {"pk": pk, "round": round})
    return found


KINDS_OF_ASSESSMENT = {
    "BA": Form.Kind.BASELINE_AREA,
    "SA": Form.Kind.SITE_ASSESSMENT,
    "ETT": Form.Kind.EMERGENCY_EVENT,
}


def round_submissions(round: Round, *, with_rejected: bool = False) -> QuerySet[Submission]:
    """The round's submissions: attached to it, or received in its period and attached to none;
    rejected ones left out unless asked for."""
    start = datetime.datetime.combine(round.period_start, datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(
        round.period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
    )
    by_date = Q(
        form__kind=KINDS_OF_ASSESSMENT[round.assessment_type],
        received_at__gte=start,
        received_at__lt=end,
        round_attachment__isnull=True,
    )
    found = Submission.objects.filter(
        by_date | Q(round_attachment__round=round), operation_id=round.operation_id
    )
    return found if with_rejected else found.exclude(review_state=Submission.Review.REJECTED)


@dataclass(frozen=True)
class Coverage:
    expected: int
    assessed: set[int]
    missing: set[int]
    new: set[int]  # assessed now, not in the previous round of the same type


def assessed_places(round: Round) -> set[int]:
    column = "site_id" if round.assessment_type == "SA" else "admin_area_id"
    return set(
        round_submissions(round)
        .exclude(**{f"{column}__isnull": True})
        .values_list(column, flat=True)
    )


def round_coverage(*, user: AnyUser, round: Round) -> Coverage:
    """Sites (site assessments) or admin areas (baseline) expected, assessed, missing, new."""
    require(user=user, operation=round.operation, capability=Capability.VIEW_SUBMISSIONS)
    if round.assessment_type == "SA":
        expected = set(
            Site.objects.filter(
                operation_id=round.operation_id, status=Site.Status.OPEN
            ).values_list("pk", flat=True)
        )
    else:
        deepest = AdminArea.objects.filter(operation_id=round.operation_id).aggregate(
            level=Max("level")
        )["level"]
        expected = set(
            AdminArea.objects.current()
            .filter(operation_id=round.operation_id, level=min(deepest or 0, 2))
            .values_list("pk", flat=True)
        )
    assessed = assessed_places(round)
    earlier = (
        Round.objects.filter(
            operation_id=round.operation_id,
            assessment_type=round.assessment_type,
            number__lt=round.number,
        )
        .order_by("-number")
        .first()
    )
    before = assessed_places(earlier) if earlier else set()
    return Coverage(
        expected=len(expected),
        assessed=assessed,
        missing=expected - assessed,
        new=assessed - before if earlier else set(),
    )


def published_revision(round: Round) -> RoundRevision:
    found = RoundRevision.objects.filter(round=round, status=RoundRevision.Status.PUBLISHED).first()
    if found is None:
        raise NotFound(_("%(round)s has no published figures yet.") % {"round": round})
    return found
