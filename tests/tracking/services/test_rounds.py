import datetime

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.geo.models import AdminArea
from opendtm.tracking.models import Figure, Indicator, Round, RoundRevision, ValidationIssue
from opendtm.tracking.services.rounds import (
    RoundData,
    draft_revision,
    round_correct,
    round_create,
    round_for_date,
    round_move,
    round_publish,
)
from tests.factories import AdminAreaFactory

JAN = RoundData(1, "SA", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))


@pytest.fixture
def manager(member, operation):
    return member(Role.DATA_MANAGER, operation)


def validating(manager, operation, data=JAN):
    created = round_create(actor=manager, operation=operation, data=data)
    round_move(actor=manager, round=created, status=Round.Status.COLLECTING)
    return round_move(actor=manager, round=created, status=Round.Status.VALIDATING)


def figure(revision, value, area=None):
    area = area or AdminArea.objects.first() or AdminAreaFactory(operation=revision.round.operation)
    return Figure.objects.create(
        revision=revision,
        indicator=Indicator.objects.get(code="idp_individuals"),
        admin_area=area,
        value=value,
    )


def test_a_round_is_created_planned_with_a_draft_revision_and_audited(manager, operation):
    created = round_create(actor=manager, operation=operation, data=JAN)
    assert created.status == Round.Status.PLANNED
    assert draft_revision(created).number == 1
    assert AuditEvent.objects.filter(object_type="tracking.round", action="create").count() == 1


def test_an_enumerator_cannot_create_a_round(member, operation):
    with pytest.raises(Forbidden):
        round_create(actor=member(Role.ENUMERATOR, operation), operation=operation, data=JAN)
    assert not Round.objects.exists()


def test_bad_periods_and_numbers_are_refused_with_the_field(manager, operation):
    round_create(actor=manager, operation=operation, data=JAN)
    backwards = RoundData(2, "SA", datetime.date(2026, 3, 1), datetime.date(2026, 2, 1))
    with pytest.raises(ApplicationError) as refused:
        round_create(actor=manager, operation=operation, data=backwards)
    assert [problem.field for problem in refused.value.problems] == ["period_end"]
    again = RoundData(1, "SA", datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
    overlapping = RoundData(2, "SA", datetime.date(2026, 1, 20), datetime.date(2026, 2, 20))
    with pytest.raises(ApplicationError) as refused:
        round_create(actor=manager, operation=operation, data=again)
    assert [problem.field for problem in refused.value.problems] == ["number"]
    with pytest.raises(ApplicationError) as refused:
        round_create(actor=manager, operation=operation, data=overlapping)
    assert [problem.field for problem in refused.value.problems] == ["period_start"]
    # The same number and period in another assessment type is another round.
    round_create(
        actor=manager,
        operation=operation,
        data=RoundData(1, "BA", JAN.period_start, JAN.period_end),
    )
    assert Round.objects.count() == 2


def test_statuses_move_only_forward_or_back_to_collecting(manager, operation):
    created = round_create(actor=manager, operation=operation, data=JAN)
    with pytest.raises(ApplicationError):
        round_move(actor=manager, round=created, status=Round.Status.VALIDATING)
    round_move(actor=manager, round=created, status=Round.Status.COLLECTING)
    round_move(actor=manager, round=created, status=Round.Status.VALIDATING)
    round_move(actor=manager, round=created, status=Round.Status.COLLECTING)
    with pytest.raises(ApplicationError):
        round_move(actor=manager, round=created, status=Round.Status.PUBLISHED)
    assert Round.objects.get().status == Round.Status.COLLECTING


def test_open_blocking_issues_stop_publishing_and_say_why(manager, operation):
    current = validating(manager, operation)
    ValidationIssue.objects.create(
        round=current, rule="sex_sum", field="idp_f", message="F+M differ", severity="blocking"
    )
    ValidationIssue.objects.create(
        round=current, rule="change", message="up 80%", severity="warning"
    )
    with pytest.raises(ApplicationError) as refused:
        round_publish(actor=manager, round=current)
    assert [problem.message for problem in refused.value.problems] == ["F+M differ"]
    assert Round.objects.get().status == Round.Status.VALIDATING
    ValidationIssue.objects.filter(rule="sex_sum").update(state="explained")
    published = round_publish(actor=manager, round=current)
    assert (published.status, published.published_by) == ("published", manager)


def test_a_published_round_is_frozen_and_corrected_in_a_new_revision(manager, operation):
    current = validating(manager, operation)
    figure(draft_revision(current), 100)
    first = round_publish(actor=manager, round=current)
    with pytest.raises(ApplicationError):
        draft_revision(current)
    with pytest.raises(ApplicationError) as refused:
        round_correct(actor=manager, round=current, reason="  ")
    assert refused.value.problems[0].field == "reason"
    second = round_correct(actor=manager, round=current, reason="LGA total was double-counted")
    assert (second.number, second.status) == (2, "draft")
    assert Figure.objects.filter(revision=second).get().value == 100
    Figure.objects.filter(revision=second).update(value=60)
    round_publish(actor=manager, round=current)
    first.refresh_from_db()
    assert first.status == RoundRevision.Status.SUPERSEDED
    assert Figure.objects.get(revision=first).value == 100  # the earlier revision stays readable
    assert Figure.objects.get(revision__status="published").value == 60
    note = AuditEvent.objects.filter(note="LGA total was double-counted").get()
    assert note.after == {"status": "validating", "revision": 2}


def test_only_a_published_round_is_corrected(manager, operation):
    current = validating(manager, operation)
    with pytest.raises(ApplicationError):
        round_correct(actor=manager, round=current, reason="typo")
    assert RoundRevision.objects.count() == 1


def test_a_date_finds_its_round(manager, operation, other_operation):
    created = round_create(actor=manager, operation=operation, data=JAN)
    assert round_for_date(operation, "SA", datetime.date(2026, 1, 31)) == created
    assert round_for_date(operation, "SA", datetime.date(2026, 2, 1)) is None
    assert round_for_date(operation, "BA", datetime.date(2026, 1, 5)) is None
    assert round_for_date(other_operation, "SA", datetime.date(2026, 1, 5)) is None
