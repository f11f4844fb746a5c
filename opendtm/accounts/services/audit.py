"""Writing to the audit log. Every service that changes data calls one of these.

Updates keep only the fields that changed, with their before and after values. Large values
(geometries) are recorded by their SHA-256 and size, so the log stays small and still proves
what changed.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from opendtm.accounts.models import AuditEvent, Operation, User

LARGE_VALUE_BYTES = 2048
Action = AuditEvent.Action


def json_value(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, default=str)
        if len(text) > LARGE_VALUE_BYTES:
            return {"sha256": hashlib.sha256(text.encode()).hexdigest(), "bytes": len(text)}
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited state of a record: its own columns, foreign keys as ids."""
    skipped = {"id", "created_at", "updated_at"}
    names = fields or [
        field.name
        for field in instance._meta.concrete_fields
        if field.name not in skipped and not getattr(field, "auto_now", False)
    ]
    state = {}
    for name in names:
        field = instance._meta.get_field(name)
        state[name] = json_value(field.value_from_object(instance))  # type: ignore[union-attr]
    return state


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def object_type(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def audit_event(
    *,
    actor: User | None,
    operation: Operation | None,
    action: str,
    instance: models.Model | None = None,
    kind: str = "",
    object_id: str = "",
    label: str = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """An unsaved event; audit_record or audit_record_many saves it."""
    if instance is not None:
        kind = kind or object_type(instance)
        object_id = object_id or str(instance.pk)
        label = label or str(instance)
    return AuditEvent(
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        operation=operation,
        action=action,
        object_type=kind,
        object_id=object_id,
        object_label=label[:300],
        before=before,
        after=after,
        note=note,
    )


def audit_record(**kwargs: Any) -> AuditEvent:
    event = audit_event(**kwargs)
    event.save()
    return event


def audit_record_many(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=500)


def audit_update(
    *, actor: User | None, operation: Operation | None, instance: models.Model, before: dict
) -> AuditEvent | None:
    """Record the fields of `instance` that differ from `before`; nothing if none do."""
    old, new = changed(before, snapshot(instance, before.keys()))
    if not new:
        return None
    return audit_record(
        actor=actor,
        operation=operation,
        action=Action.UPDATE,
        instance=instance,
        before=old,
        after=new,
    )


def audit_read(
    *, actor: User, operation: Operation | None, kind: str, object_id: str = "", note: str = ""
) -> AuditEvent:
    """Reads of personal or protection data are logged too."""
    return audit_record(
        actor=actor,
        operation=operation,
        action=Action.READ,
        kind=kind,
        object_id=object_id,
        note=note,
    )
