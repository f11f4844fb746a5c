"""Reviewing rounds: the publish checklist, and the rounds list with each round's open issues."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, can
from opendtm.tracking.models import Round, ValidationIssue
from opendtm.tracking.selectors.progress import AreaProgress, IssueCount, issue_counts
from opendtm.tracking.selectors.rounds import Coverage, round_list

State = ValidationIssue.State
Severity = ValidationIssue.Severity
BLOCKING_SHOWN = 20


@dataclass(frozen=True)
class Checklist:
    """What publishing needs (validating, no open blocking issue) and what to look at first."""

    validating: bool
    blocking_count: int
    blocking: list[ValidationIssue]  # the first BLOCKING_SHOWN, for links
    change_warnings: int  # open warnings of a change beyond the operation's threshold
    unreviewed: int  # received but neither approved nor rejected: they give no figures
    coverage: Coverage | None = None
    counts: list[IssueCount] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.validating and not self.blocking_count


def round_checklist(
    *,
    user: AnyUser,
    round: Round,
    progress: list[AreaProgress],
    coverage: Coverage | None = None,
) -> Checklist:
    """The publish checklist, from the progress and coverage the page already has."""
    counts = issue_counts(user=user, round=round)
    tally: Counter[tuple[str, str]] = Counter()
    for item in counts:
        if item.state == State.OPEN:
            tally[(item.rule, item.severity)] += item.count
    blocking_count = sum(
        n for (_rule, severity), n in tally.items() if severity == Severity.BLOCKING
    )
    blocking = (
        ValidationIssue.objects.filter(round=round, state=State.OPEN, severity=Severity.BLOCKING)
        .select_related("submission__form", "site", "admin_area")
        .order_by("rule", "id")[:BLOCKING_SHOWN]
    )
    return Checklist(
        validating=round.status == Round.Status.VALIDATING,
        blocking_count=blocking_count,
        blocking=list(blocking) if blocking_count else [],
        change_warnings=sum(n for (rule, _severity), n in tally.items() if rule == "change"),
        unreviewed=sum(item.pending for item in progress),
        coverage=coverage,
        counts=counts,
    )


def round_index(
    *, user: AnyUser, operation: Operation, assessment_type: str | None = None
) -> QuerySet[Round]:
    """round_list, each round with its open issues counted for those who review them."""
    rounds = round_list(user=user, operation=operation, assessment_type=assessment_type)
    if not can(user=user, operation=operation, capability=Capability.REVIEW):
        return rounds
    is_open = Q(issues__state=State.OPEN)
    return rounds.annotate(
        open_issues=Count("issues", filter=is_open),
        blocking_issues=Count("issues", filter=is_open & Q(issues__severity=Severity.BLOCKING)),
    )
