import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.collection.models import Form
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.tracking.models import Figure, RoundSubmission
from opendtm.tracking.services.attach import round_attach
from opendtm.tracking.services.rounds import round_publish
from tests.tracking.conftest import assess, month_round, tracked_form

S1 = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20}


def rounds_of_figures(submission):
    return sorted(
        Figure.objects.filter(submission=submission)
        .values_list("revision__round__number", flat=True)
        .distinct()
    )


def test_a_submission_from_outside_every_period_counts_in_the_round_it_is_attached_to(
    borno, manager, operation, form_version
):
    _state, _lgas, sites = borno
    march = month_round(manager, operation, 3)
    late = assess(form_version, sites[0], 5, **S1)  # received in May: no round then
    assert rounds_of_figures(late) == []
    round_attach(actor=manager, submissions=[late], round=march)
    assert rounds_of_figures(late) == [3]
    assert RoundSubmission.objects.get(submission=late).attached_by == manager
    event = AuditEvent.objects.get(object_type="collection.submission", object_id=str(late.pk))
    assert event.after == {"round": march.pk}


def test_attached_elsewhere_its_figures_leave_the_first_round(
    borno, manager, operation, form_version
):
    _state, _lgas, sites = borno
    month_round(manager, operation, 1)
    february = month_round(manager, operation, 2)
    submission = assess(form_version, sites[0], 1, **S1)
    assert rounds_of_figures(submission) == [1]
    round_attach(actor=manager, submissions=[submission], round=february)
    round_attach(actor=manager, submissions=[submission], round=february)  # no change
    assert rounds_of_figures(submission) == [2]
    assert AuditEvent.objects.filter(object_type="collection.submission").count() == 1


def test_a_published_round_or_a_form_of_another_kind_is_refused(
    borno, manager, operation, form_version
):
    _state, _lgas, sites = borno
    january = month_round(manager, operation, 1, status="validating")
    submission = assess(form_version, sites[0], 5, **S1)
    round_publish(actor=manager, round=january)
    with pytest.raises(ApplicationError, match="published"):
        round_attach(actor=manager, submissions=[submission], round=january)
    baseline = tracked_form(operation, kind=Form.Kind.BASELINE_AREA, form_id="baseline")
    other = assess(baseline, sites[0], 5, **S1)
    june = month_round(manager, operation, 6)
    with pytest.raises(ApplicationError, match="cannot count") as error:
        round_attach(actor=manager, submissions=[submission, other], round=june)
    assert [problem.field for problem in error.value.problems] == ["submissions"]
    assert not RoundSubmission.objects.exists()


def test_attaching_takes_a_reviewer_of_the_operation(
    borno, manager, member, operation, other_operation, form_version
):
    _state, _lgas, sites = borno
    july = month_round(manager, operation, 7)
    submission = assess(form_version, sites[0], 5, **S1)
    with pytest.raises(Forbidden):
        round_attach(actor=member(Role.ENUMERATOR, operation), submissions=[submission], round=july)
    elsewhere = tracked_form(other_operation)
    foreign = assess(elsewhere, sites[0], 5, **S1)
    with pytest.raises(ApplicationError, match="own operation"):
        round_attach(actor=manager, submissions=[foreign], round=july)
