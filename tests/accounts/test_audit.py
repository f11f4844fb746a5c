import pytest
from django.db import DatabaseError, connection, transaction

from opendtm.accounts.models import AuditEvent, AuditLogIsAppendOnly
from opendtm.accounts.services.audit import Action, audit_record, audit_update, snapshot


@pytest.fixture
def event(operation, admin_user):
    return audit_record(
        actor=admin_user,
        operation=operation,
        action=Action.CREATE,
        instance=operation,
        after=snapshot(operation),
    )


def test_an_event_records_who_what_and_which_record(event, operation, admin_user):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_name == "opadmin"
    assert stored.object_type == "accounts.operation"
    assert stored.object_id == str(operation.pk)
    assert stored.after["slug"] == "nga-ne"


def test_an_update_keeps_only_changed_fields_with_before_and_after(operation, admin_user):
    before = snapshot(operation, ["name", "suppression_threshold"])
    operation.suppression_threshold = 10
    operation.save()
    event = audit_update(actor=admin_user, operation=operation, instance=operation, before=before)
    assert event is not None
    assert event.before == {"suppression_threshold": 5}
    assert event.after == {"suppression_threshold": 10}


def test_no_event_when_nothing_changed(operation, admin_user):
    before = snapshot(operation, ["name"])
    assert (
        audit_update(actor=admin_user, operation=operation, instance=operation, before=before)
        is None
    )


def test_large_values_are_recorded_by_digest():
    from opendtm.accounts.services.audit import json_value

    value = json_value({"coordinates": list(range(2000))})
    assert set(value) == {"sha256", "bytes"}


def test_the_orm_cannot_change_or_delete_events(event):
    event.note = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditevent SET note = 'rewritten'",
        "DELETE FROM accounts_auditevent",
    ],
)
def test_the_database_refuses_raw_sql_that_changes_events(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_still_flush_and_the_guard_survives(operation, admin_user):
    audit_record(actor=admin_user, operation=operation, action=Action.READ, kind="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        connection.cursor().execute("DELETE FROM accounts_auditevent")
