"""Rounds: created, moved through their statuses, published, and corrected in revisions.

planned → collecting → validating → published; validating may go back to collecting. A
published revision is frozen: figures are only ever written to the round's draft revision.
A correction opens a new draft revision holding a copy of the published figures, with the
reason recorded; publishing it supersedes the earlier revision, which stays readable.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, snapshot
from opendtm.core.errors import ApplicationError, Problem
from opendtm.tracking.models import Figure, Round, RoundRevision, ValidationIssue
from opendtm.tracking.services.level_figures import level_figures_store
from opendtm.tracking.signals import announce_published

Status = Round.Status
MOVES = {
    Status.PLANNED: {Status.COLLECTING},
    Status.COLLECTING: {Status.VALIDATING},
    Status.VALIDATING: {Status.COLLECTING},
}
COPIED_FIGURE_FIELDS = [
    "indicator_id",
    "admin_area_id",
    "site_id",
    "admin1_id",
    "admin2_id",
    "admin3_id",
    "sex",
    "age_band",
    "value",
    "submission_id",
    "form_version_id",
]


@dataclass
class RoundData:
    number: int
    assessment_type: str
    period_start: datetime.date
    period_end: datetime.date
    title: str = ""


def check_round_data(operation: Operation, data: RoundData, exclude: int | None = None) -> None:
    problems = []
    if data.period_end < data.period_start:
        problems.append(
            Problem(
                _("the period ends (%(end)s) before it starts (%(start)s)")
                % {"end": data.period_end, "start": data.period_start},
                field="period_end",
                hint=_("Swap the two dates."),
            )
        )
    same_type = Round.objects.filter(operation=operation, assessment_type=data.assessment_type)
    if exclude is not None:
        same_type = same_type.exclude(pk=exclude)
    if same_type.filter(number=data.number).exists():
        problems.append(
            Problem(
                _("there is already a %(type)s round %(number)d")
                % {"type": data.assessment_type, "number": data.number},
                field="number",
                hint=_("Round numbers are unique per assessment type in an operation."),
            )
        )
    overlapping = same_type.filter(
        period_start__lte=data.period_end, period_end__gte=data.period_start
    ).first()
    if overlapping is not None:
        problems.append(
            Problem(
                _("the period overlaps round %(number)d (%(start)s to %(end)s)")
                % {
                    "number": overlapping.number,
                    "start": overlapping.period_start,
                    "end": overlapping.period_end,
                },
                field="period_start",
                hint=_("Submissions are attached to rounds by date, so periods must not overlap."),
            )
        )
    if problems:
        raise ApplicationError(_("The round cannot be saved."), problems=problems)


def round_create(*, actor: User, operation: Operation, data: RoundData) -> Round:
    require(user=actor, operation=operation, capability=Capability.PUBLISH)
    check_round_data(operation, data)
    try:
        with transaction.atomic():
            created = Round.objects.create(operation=operation, **vars(data))
            RoundRevision.objects.create(round=created, number=1, opened_by=actor)
            audit_record(
                actor=actor,
                operation=operation,
                action=Action.CREATE,
                instance=created,
                after=snapshot(created),
            )
    except IntegrityError:  # a concurrent request took the number between check and insert
        check_round_data(operation, data)
        raise
    return created


def round_move(*, actor: User, round: Round, status: str) -> Round:
    """Move a round to collecting or validating (publishing is round_publish)."""
    require(user=actor, operation=round.operation, capability=Capability.PUBLISH)
    if status not in MOVES.get(Status(round.status), set()):
        raise ApplicationError(
            _("A round that is %(current)s cannot become %(status)s.")
            % {
                "current": Status(round.status).label,
                "status": Status(status).label if status in Status.values else status,
            },
            hint=_("Rounds go planned → collecting → validating → published."),
        )
    before = round.status
    with transaction.atomic():
        Round.objects.filter(pk=round.pk).update(status=status, updated_at=timezone.now())
        round.status = status
        audit_record(
            actor=actor,
            operation=round.operation,
            action=Action.UPDATE,
            instance=round,
            before={"status": before},
            after={"status": status},
        )
    return round


def draft_revision(round: Round) -> RoundRevision:
    """The revision figures are written to; a published round has none and refuses."""
    draft = RoundRevision.objects.filter(round=round, status=RoundRevision.Status.DRAFT).first()
    if draft is None:
        raise ApplicationError(
            _("%(round)s is published: its figures are frozen.") % {"round": round},
            hint=_("Open a correction (a new revision) to change them."),
        )
    return draft


def blocking_issues(round: Round) -> list[ValidationIssue]:
    return list(
        ValidationIssue.objects.filter(
            round=round,
            state=ValidationIssue.State.OPEN,
            severity=ValidationIssue.Severity.BLOCKING,
        ).order_by("rule", "id")
    )


def round_publish(*, actor: User, round: Round) -> RoundRevision:
    require(user=actor, operation=round.operation, capability=Capability.PUBLISH)
    if round.status != Status.VALIDATING:
        raise ApplicationError(
            _("Only a round being validated can be published; this one is %(status)s.")
            % {"status": Status(round.status).label},
            hint=_("Move it to validating first, then review its issues."),
        )
    blocking = blocking_issues(round)
    if blocking:
        raise ApplicationError(
            _("%(count)d blocking issue(s) are still open.") % {"count": len(blocking)},
            hint=_("Fix each one, or explain why the figure is right, then publish again."),
            problems=[
                Problem(issue.message, field=issue.field or issue.rule) for issue in blocking
            ],
        )
    with transaction.atomic():
        draft = draft_revision(round)
        now = timezone.now()
        RoundRevision.objects.filter(round=round, status=RoundRevision.Status.PUBLISHED).update(
            status=RoundRevision.Status.SUPERSEDED
        )
        RoundRevision.objects.filter(pk=draft.pk).update(
            status=RoundRevision.Status.PUBLISHED, published_by=actor, published_at=now
        )
        Round.objects.filter(pk=round.pk).update(status=Status.PUBLISHED, updated_at=now)
        round.status = Status.PUBLISHED
        level_figures_store(draft)
        announce_published(round.pk)
        audit_record(
            actor=actor,
            operation=round.operation,
            action=Action.UPDATE,
            instance=round,
            before={"status": Status.VALIDATING},
            after={"status": Status.PUBLISHED, "revision": draft.number},
        )
    draft.refresh_from_db()
    return draft


def round_correct(*, actor: User, round: Round, reason: str) -> RoundRevision:
    """Open the next revision of a published round, its figures copied from the published one."""
    require(user=actor, operation=round.operation, capability=Capability.PUBLISH)
    if not reason.strip():
        raise ApplicationError(
            _("Say why the published figures are corrected."),
            problems=[Problem(_("a reason is required"), field="reason")],
        )
    if round.status != Status.PUBLISHED:
        raise ApplicationError(
            _("Only a published round is corrected; this one is %(status)s.")
            % {"status": Status(round.status).label},
            hint=_("Change its figures directly until it is published."),
        )
    with transaction.atomic():
        published = RoundRevision.objects.select_for_update().get(
            round=round, status=RoundRevision.Status.PUBLISHED
        )
        revision = RoundRevision.objects.create(
            round=round, number=published.number + 1, reason=reason.strip(), opened_by=actor
        )
        copy_figures(published, revision)
        Round.objects.filter(pk=round.pk).update(
            status=Status.VALIDATING, updated_at=timezone.now()
        )
        round.status = Status.VALIDATING
        audit_record(
            actor=actor,
            operation=round.operation,
            action=Action.UPDATE,
            instance=round,
            before={"status": Status.PUBLISHED, "revision": published.number},
            after={"status": Status.VALIDATING, "revision": revision.number},
            note=reason.strip(),
        )
    return revision


def copy_figures(source: RoundRevision, target: RoundRevision, batch: int = 5000) -> None:
    rows = Figure.objects.filter(revision=source).values_list(*COPIED_FIGURE_FIELDS)
    pending = []
    for row in rows.iterator(chunk_size=batch):
        pending.append(Figure(revision=target, **dict(zip(COPIED_FIGURE_FIELDS, row, strict=True))))
        if len(pending) >= batch:
            Figure.objects.bulk_create(pending)
            pending = []
    Figure.objects.bulk_create(pending)


def round_for_date(operation: Operation, assessment_type: str, day: datetime.date) -> Round | None:
    """The round whose period holds the day, for attaching a submission by its date."""
    return Round.objects.filter(
        operation=operation,
        assessment_type=assessment_type,
        period_start__lte=day,
        period_end__gte=day,
    ).first()
