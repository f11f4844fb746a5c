import datetime
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from opendtm.accounts.models import AuditEvent, Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    text: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> "AuditFilters":
        """From cleaned query parameters, named as pages and the API name them."""
        return cls(
            actor=data.get("actor", ""),
            action=data.get("action", ""),
            object_type=data.get("object_type", ""),
            since=data.get("since"),
            until=data.get("until"),
            text=data.get("q", ""),
        )


def audit_list(
    *, user: User, operation: Operation, filters: AuditFilters | None = None
) -> QuerySet[AuditEvent]:
    require(user=user, operation=operation, capability=Capability.VIEW_AUDIT)
    events = AuditEvent.objects.filter(operation=operation).select_related("actor")
    filters = filters or AuditFilters()
    if filters.actor:
        events = events.filter(actor_name__iexact=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.since:
        events = events.filter(at__date__gte=filters.since)
    if filters.until:
        events = events.filter(at__date__lte=filters.until)
    if filters.text:
        events = events.filter(
            Q(object_label__icontains=filters.text)
            | Q(object_id=filters.text)
            | Q(note__icontains=filters.text)
        )
    return events.order_by("-at", "-id")


def json_text(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


EXPORT_HEADER = [
    "id",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "note",
]


def audit_export_rows(
    *, user: User, operation: Operation, filters: AuditFilters | None = None
) -> Iterator[list]:
    """Rows for a CSV export of the log as it stands now.

    The role is checked and the export recorded before this returns, so a streamed
    response is refused before its first byte; the export's own event is not in it.
    """
    events = audit_list(user=user, operation=operation, filters=filters)
    newest = events.values_list("pk", flat=True).first()
    events = events.filter(pk__lte=newest or 0)
    audit_record(
        actor=user,
        operation=operation,
        action=Action.EXPORT,
        kind="accounts.auditevent",
        note=f"audit log export ({events.count()} events)",
    )
    return (export_row(event) for event in events.iterator(chunk_size=2000))


def export_row(event: AuditEvent) -> list:
    return [
        event.pk,
        event.at.isoformat(),
        event.actor_name,
        event.action,
        event.object_type,
        event.object_id,
        event.object_label,
        json_text(event.before),
        json_text(event.after),
        event.note,
    ]


def audit_object_types(*, user: User, operation: Operation) -> list[str]:
    require(user=user, operation=operation, capability=Capability.VIEW_AUDIT)
    return list(
        AuditEvent.objects.filter(operation=operation)
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
