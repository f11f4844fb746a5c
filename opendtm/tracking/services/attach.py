"""Attaching submissions to a round explicitly, whatever the day they were received.

A submission belongs to the round whose period holds the day it was received, unless it is
attached to one: data entered late from paper, or imported from another server, says which
round it counts in. Its figures move with it: they leave the draft of the round they were in
before, and are written again in the new round's draft.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from opendtm.accounts.models import User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_event, audit_record_many
from opendtm.collection.models import Form, Submission
from opendtm.core.errors import ApplicationError, Problem
from opendtm.tracking.models import Figure, Round, RoundRevision, RoundSubmission, ValidationIssue
from opendtm.tracking.selectors.rounds import KINDS_OF_ASSESSMENT
from opendtm.tracking.services.figures import figures_recompute


def round_attach(
    *, actor: User, submissions: Sequence[Submission], round: Round
) -> list[RoundSubmission]:
    """Count these submissions (with their forms) in this round, not yet published."""
    require(user=actor, operation=round.operation, capability=Capability.REVIEW)
    check_attachable(submissions, round)
    current = {
        attachment.submission_id: attachment
        for attachment in RoundSubmission.objects.filter(submission__in=submissions)
    }
    moving = [
        item
        for item in submissions
        if item.pk not in current or current[item.pk].round_id != round.pk
    ]
    if not moving:
        return [current[item.pk] for item in submissions]
    ids = [item.pk for item in moving]
    with transaction.atomic():
        # Figures and open findings left in other rounds' drafts go; published ones stay.
        Figure.objects.filter(
            submission_id__in=ids, revision__status=RoundRevision.Status.DRAFT
        ).exclude(revision__round=round).delete()
        ValidationIssue.objects.filter(
            submission_id__in=ids, state=ValidationIssue.State.OPEN
        ).exclude(round=round).delete()
        RoundSubmission.objects.filter(submission_id__in=ids).update(round=round, attached_by=actor)
        RoundSubmission.objects.bulk_create(
            RoundSubmission(submission=item, round=round, attached_by=actor)
            for item in moving
            if item.pk not in current
        )
        audit_record_many(
            [
                audit_event(
                    actor=actor,
                    operation=round.operation,
                    action=Action.UPDATE,
                    instance=item,
                    before={"round": current[item.pk].round_id} if item.pk in current else None,
                    after={"round": round.pk},
                    note=_("attached to %(round)s") % {"round": round},
                )
                for item in moving
            ]
        )
    figures_recompute(ids)
    return list(RoundSubmission.objects.filter(submission__in=submissions))


def check_attachable(submissions: Sequence[Submission], round: Round) -> None:
    if round.status == Round.Status.PUBLISHED:
        raise ApplicationError(
            _("%(round)s is published: its figures are frozen.") % {"round": round},
            hint=_("Open a correction (a new revision) of the round first."),
        )
    if any(item.operation_id != round.operation_id for item in submissions):
        raise ApplicationError(_("Submissions are attached to rounds of their own operation."))
    wanted = KINDS_OF_ASSESSMENT[round.assessment_type]
    problems = [
        Problem(
            _("Submission %(id)s is a %(kind)s; %(round)s takes %(wanted)s forms.")
            % {
                "id": item.instance_id,
                "kind": Form.Kind(item.form.kind).label,
                "round": round,
                "wanted": Form.Kind(wanted).label,
            },
            field="submissions",
            hint=_("Set the form's kind on its page if it is wrong."),
        )
        for item in submissions
        if item.form.kind != wanted
    ]
    if problems:
        raise ApplicationError(
            _("%(count)d submission(s) cannot count in %(round)s.")
            % {"count": len(problems), "round": round},
            problems=problems,
        )
