"""Reviewing a submission: a state and a comment, kept as history and audited."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record
from opendtm.collection.models import Submission, SubmissionReview
from opendtm.collection.signals import announce_changed
from opendtm.core.errors import ApplicationError, Problem

Review = Submission.Review
# A reviewer can send a submission back to "received" (undo), with a comment saying why.
COMMENT_REQUIRED = {Review.HAS_ISSUES, Review.REJECTED, Review.RECEIVED}
MAX_COMMENT = 5000


def submission_review(
    *, actor: User, submission: Submission, state: str, comment: str = ""
) -> SubmissionReview:
    """Set the review state. Has issues, rejected and back to received need a comment."""
    operation = submission.operation
    require(user=actor, operation=operation, capability=Capability.REVIEW)
    comment = comment.strip()
    if state not in Review.values:
        raise ApplicationError(
            _("'%(state)s' is not a review state.") % {"state": state},
            hint=_("Use one of: %(states)s.") % {"states": ", ".join(Review.values)},
            problems=[Problem(_("Unknown review state."), field="state")],
        )
    if state in COMMENT_REQUIRED and not comment:
        raise ApplicationError(
            _("Say what is wrong: a review as '%(state)s' needs a comment.")
            % {"state": Review(state).label},
            hint=_("Write what the data collector or analyst should know or fix."),
            problems=[Problem(_("A comment is required."), field="comment")],
        )
    if len(comment) > MAX_COMMENT:
        raise ApplicationError(
            _("The comment is longer than %(limit)d characters.") % {"limit": MAX_COMMENT},
            problems=[Problem(_("Too long."), field="comment")],
        )
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        before = locked.review_state
        review = SubmissionReview.objects.create(
            submission=locked, state=state, comment=comment, reviewed_by=actor
        )
        locked.review_state = state
        locked.updated_at = timezone.now()
        locked.save(update_fields=["review_state", "updated_at"])
        audit_record(
            actor=actor,
            operation=operation,
            action=Action.UPDATE,
            instance=locked,
            before={"review_state": before},
            after={"review_state": state},
            note=comment,
        )
        announce_changed([locked.pk])
    submission.review_state = state
    submission.updated_at = locked.updated_at
    return review
