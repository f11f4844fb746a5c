"""Reviews: a state with a comment, kept as history, audited, for reviewers only."""

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.collection.models import Submission, SubmissionReview
from opendtm.collection.services.review import submission_review
from opendtm.core.errors import ApplicationError, Forbidden
from tests.collection.factories_submissions import add_submission, site_form


@pytest.fixture
def manager(member, operation):
    return member(Role.DATA_MANAGER, operation, "manager")


@pytest.fixture
def submission(operation, manager):
    return add_submission(site_form(operation, created_by=manager).current_version)


def test_a_review_sets_the_state_keeps_history_and_is_audited(manager, submission):
    # when
    submission_review(actor=manager, submission=submission, state="has_issues", comment="Age 150?")
    submission_review(actor=manager, submission=submission, state="approved")
    # then
    assert Submission.objects.get(pk=submission.pk).review_state == "approved"
    reviews = SubmissionReview.objects.filter(submission=submission)
    assert [(r.state, r.comment) for r in reviews] == [("approved", ""), ("has_issues", "Age 150?")]
    events = AuditEvent.objects.filter(object_id=str(submission.pk), action="update")
    assert sorted((e.before["review_state"], e.after["review_state"]) for e in events) == [
        ("has_issues", "approved"),
        ("received", "has_issues"),
    ]
    assert {e.note for e in events} == {"Age 150?", ""}


@pytest.mark.parametrize("state", ["has_issues", "rejected", "received"])
def test_issues_rejection_and_reopening_need_a_comment(manager, submission, state):
    with pytest.raises(ApplicationError) as refused:
        submission_review(actor=manager, submission=submission, state=state, comment="  ")
    assert refused.value.problems[0].field == "comment"
    assert not SubmissionReview.objects.exists()


def test_an_unknown_state_is_refused(manager, submission):
    with pytest.raises(ApplicationError):
        submission_review(actor=manager, submission=submission, state="edited", comment="x")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENUMERATOR, Role.PROTECTION_OFFICER])
def test_only_reviewers_review(member, operation, submission, role):
    with pytest.raises(Forbidden):
        submission_review(
            actor=member(role, operation), submission=submission, state="approved", comment="ok"
        )
    assert Submission.objects.get(pk=submission.pk).review_state == "received"
