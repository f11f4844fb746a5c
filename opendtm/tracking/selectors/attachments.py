"""Which round a submission counts in, and which submissions a list of instance IDs names:
what attaching submissions to a round explicitly needs to show and to find."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, can, require
from opendtm.collection.models import Form, Submission
from opendtm.core.errors import ApplicationError, Problem
from opendtm.tracking.models import Round, RoundSubmission
from opendtm.tracking.services.figures import ASSESSMENT_OF_KIND, submission_round

MAX_ATTACHED = 1000  # instance IDs in one request


@dataclass(frozen=True)
class SubmissionRound:
    round: Round | None  # None: no round's period holds the day it was received
    attachment: RoundSubmission | None  # None: it counts in its round by its date
    choices: list[Round]  # the rounds the user may attach it to instead


def submission_round_get(*, user: AnyUser, submission: Submission) -> SubmissionRound | None:
    """The round the submission counts in; None when its form gives no figures."""
    require(user=user, operation=submission.operation, capability=Capability.VIEW_SUBMISSIONS)
    kind = ASSESSMENT_OF_KIND.get(Form.Kind(submission.form.kind))
    if kind is None:
        return None
    found = submission_round(submission)
    choices: list[Round] = []
    if can(user=user, operation=submission.operation, capability=Capability.REVIEW):
        rounds = Round.objects.filter(operation=submission.operation, assessment_type=kind)
        choices = [
            item
            for item in rounds.exclude(status=Round.Status.PUBLISHED).order_by("-number")
            if item != found
        ]
    attachment = getattr(submission, "round_attachment", None)
    return SubmissionRound(found, attachment, choices)


def submissions_named(
    *, user: AnyUser, operation: Operation, instance_ids: list[str]
) -> list[Submission]:
    """The operation's submissions with these instance IDs, for a reviewer; every ID unknown
    is named in the refusal."""
    require(user=user, operation=operation, capability=Capability.REVIEW)
    wanted = list(dict.fromkeys(item.strip() for item in instance_ids if item.strip()))
    if not wanted or len(wanted) > MAX_ATTACHED:
        raise ApplicationError(
            _("Give between 1 and %(max)d instance IDs.") % {"max": MAX_ATTACHED},
            problems=[Problem(_("%(count)d given") % {"count": len(wanted)}, field="submissions")],
        )
    found = {
        item.instance_id: item
        for item in Submission.objects.filter(
            operation=operation, instance_id__in=wanted
        ).select_related("form", "operation")
    }
    unknown = [item for item in wanted if item not in found]
    if unknown:
        raise ApplicationError(
            _("%(count)d instance ID(s) name no submission of this operation.")
            % {"count": len(unknown)},
            problems=[Problem(item, field="submissions") for item in unknown[:50]],
            hint=_("Copy the IDs from the submissions' pages (uuid:…)."),
        )
    return [found[item] for item in wanted]
