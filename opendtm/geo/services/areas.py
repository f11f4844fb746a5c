"""Importing admin areas: every check first (area_checks), then all writes in one transaction.

A refused file changes nothing. A re-import of a newer COD-AB version updates names and
shapes in place, keeps the former state as an AdminAreaVersion, and never deletes an area
figures may point at.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import AuditEvent, Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import (
    Action,
    audit_event,
    audit_record,
    audit_record_many,
    changed,
    json_value,
)
from opendtm.core.errors import ApplicationError
from opendtm.geo.geometry import rounded, simplified
from opendtm.geo.importers.areas import AreaRecord, AreaSource
from opendtm.geo.models import AdminArea, AdminAreaVersion
from opendtm.geo.services.area_checks import in_file_order, parent_problems, unique_records

OUTCOMES = ("created", "updated", "unchanged", "retired")


@dataclass
class AreaImportSummary:
    """What an import did, in total and per admin level."""

    source: str
    levels: dict[int, dict[str, int]] = field(default_factory=dict)
    per_level: dict[int, int] = field(default_factory=dict)  # records read per level

    def count(self, level: int, outcome: str) -> None:
        counts = self.levels.setdefault(level, dict.fromkeys(OUTCOMES, 0))
        counts[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.levels.values())

    @property
    def created(self) -> int:
        return self.total("created")

    @property
    def updated(self) -> int:
        return self.total("updated")

    @property
    def unchanged(self) -> int:
        return self.total("unchanged")

    @property
    def retired(self) -> int:
        return self.total("retired")

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            **{outcome: self.total(outcome) for outcome in OUTCOMES},
            "per_level": {str(level): count for level, count in sorted(self.per_level.items())},
            "by_level": {str(level): counts for level, counts in sorted(self.levels.items())},
        }


def admin_areas_import(
    *,
    actor: User,
    operation: Operation,
    source: AreaSource,
    valid_on: datetime.date | None = None,
    label: str = "",
    retire_missing: bool = False,
) -> AreaImportSummary:
    require(user=actor, operation=operation, capability=Capability.MANAGE_AREAS)
    existing = {
        area.pcode: area
        for area in AdminArea.objects.filter(operation=operation).only(
            "pcode", "level", "name", "parent_id", "valid_to"
        )
    }
    records, problems = unique_records(source)
    problems += parent_problems(records, existing, operation)
    if problems:
        raise ApplicationError(
            _("%(source)s was not imported: %(count)d problem(s). Nothing was changed.")
            % {"source": source.source, "count": len(problems)},
            hint=_("Fix every problem listed, then import the file again."),
            problems=in_file_order(problems),
        )
    with transaction.atomic():
        return apply_records(
            actor=actor,
            operation=operation,
            records=records,
            valid_on=valid_on or timezone.localdate(),
            label=label or source.source,
            retire_missing=retire_missing,
        )


def apply_records(
    *,
    actor: User,
    operation: Operation,
    records: dict[str, AreaRecord],
    valid_on: datetime.date,
    label: str,
    retire_missing: bool,
) -> AreaImportSummary:
    summary = AreaImportSummary(source=label)
    areas = {
        area.pcode: area
        for area in AdminArea.objects.filter(operation=operation).select_related("parent")
    }
    by_level: dict[int, list[AreaRecord]] = defaultdict(list)
    for record in records.values():
        by_level[record.level].append(record)
    writer = AreaWriter(actor, operation, areas, summary)
    for level in sorted(by_level):
        summary.per_level[level] = len(by_level[level])
        writer.write_level(level, by_level[level], valid_on, label)
    if retire_missing:
        deepest = max(by_level)
        writer.retire(deepest, set(records), covered(by_level[deepest]), valid_on)
    audit_record_many(writer.events)
    audit_record(
        actor=actor,
        operation=operation,
        action=Action.IMPORT,
        kind="geo.adminarea",
        label=label,
        after=summary.as_dict(),
        note=_("Admin areas imported from %(label)s") % {"label": label},
    )
    return summary


def covered(records: list[AreaRecord]) -> set[str]:
    """The parents a file covers: a file of Borno's LGAs says nothing about Lagos's."""
    return {record.parent_pcode for record in records}


@dataclass
class AreaWriter:
    actor: User
    operation: Operation
    areas: dict[str, AdminArea]
    summary: AreaImportSummary
    events: list[AuditEvent] = field(default_factory=list)

    def event(self, action: str, area: AdminArea, before: dict | None, after: dict) -> None:
        self.events.append(
            audit_event(
                actor=self.actor,
                operation=self.operation,
                action=action,
                instance=area,
                before=before,
                after=after,
            )
        )

    def write_level(
        self, level: int, records: list[AreaRecord], valid_on: datetime.date, label: str
    ) -> None:
        new = []
        for record in records:
            parent = self.areas.get(record.parent_pcode) if record.parent_pcode else None
            area = self.areas.get(record.pcode)
            if area is None:
                area = AdminArea(operation=self.operation, pcode=record.pcode, level=level)
                fill(area, record, parent, valid_on, label)
                new.append(area)
                continue
            before = area_state(area)
            if update(area, record, parent, valid_on, label):
                self.summary.count(level, "updated")
                self.event(Action.UPDATE, area, *changed(before, area_state(area)))
            else:
                self.summary.count(level, "unchanged")
        for area in AdminArea.objects.bulk_create(new, batch_size=500):
            self.areas[area.pcode] = area
            self.summary.count(level, "created")
            self.event(Action.CREATE, area, None, area_state(area))

    def retire(
        self, level: int, imported: set[str], parents: set[str], valid_on: datetime.date
    ) -> None:
        """Current areas of the imported level, under the parents the file covers, that the
        new version dropped: closed with a valid_to, never deleted (figures point at them).
        Their current descendants close with them: a ward of a dropped LGA is no longer in
        the COD-AB either, and would otherwise still be offered for sites and forms.
        """
        closed: dict[int, str] = {}  # pk -> p-code of the areas closed
        for area in self.areas.values():
            parent = area.parent.pcode if area.parent else ""
            if (
                area.level != level
                or area.pcode in imported
                or area.valid_to is not None
                or parent not in parents
            ):
                continue
            self.close(area, valid_on, _("no longer in the COD-AB"))
            closed[area.pk] = area.pcode
        for area in sorted(self.areas.values(), key=lambda area: area.level):
            if area.level > level and area.valid_to is None and area.parent_id in closed:
                note = _("its parent %(pcode)s is no longer in the COD-AB")
                self.close(area, valid_on, note % {"pcode": closed[area.parent_id]})
                closed[area.pk] = area.pcode

    def close(self, area: AdminArea, valid_on: datetime.date, note: str) -> None:
        area.valid_to = valid_on
        area.save(update_fields=["valid_to", "updated_at"])
        self.summary.count(area.level, "retired")
        self.events.append(
            audit_event(
                actor=self.actor,
                operation=self.operation,
                action=Action.UPDATE,
                instance=area,
                before={"valid_to": None},
                after={"valid_to": valid_on.isoformat()},
                note=note,
            )
        )


def area_state(area: AdminArea) -> dict:
    return {
        "pcode": area.pcode,
        "name": area.name,
        "level": area.level,
        "parent": area.parent.pcode if area.parent else None,
        "alt_names": area.alt_names,
        "geometry": json_value(area.geometry),
        "valid_on": json_value(area.valid_on),
        "valid_to": json_value(area.valid_to),
    }


def fill(
    area: AdminArea,
    record: AreaRecord,
    parent: AdminArea | None,
    valid_on: datetime.date,
    label: str,
) -> None:
    area.name = record.name
    area.parent = parent
    area.alt_names = record.alt_names
    area.valid_on = record.valid_on or valid_on
    area.valid_to = None
    area.source = label[:200]
    fill_geometry(area, record)


def fill_geometry(area: AdminArea, record: AreaRecord) -> None:
    if record.geometry is not None:
        area.geometry = rounded(record.geometry, 6)
        area.geometry_simplified = simplified(record.geometry, record.level)
        area.min_lon, area.min_lat, area.max_lon, area.max_lat = record.geometry.bounds


def update(
    area: AdminArea,
    record: AreaRecord,
    parent: AdminArea | None,
    valid_on: datetime.date,
    label: str,
) -> bool:
    """Bring an existing area to the record's state; keep its former state if it changed.

    A first shape for an area known only by code and name completes it: no new version.
    """
    identity_changed = (
        area.name != record.name
        or area.parent_id != (parent.pk if parent else None)
        or bool(record.alt_names and area.alt_names != record.alt_names)
        or area.valid_to is not None
    )
    new_shape = record.geometry is not None and rounded(record.geometry, 6) != area.geometry
    if not identity_changed and not new_shape:
        return False
    if not identity_changed and area.geometry is None:
        fill_geometry(area, record)
        area.save()
        return True
    AdminAreaVersion.objects.create(
        area=area,
        name=area.name,
        parent_pcode=area.parent.pcode if area.parent else "",
        alt_names=area.alt_names,
        geometry=area.geometry,
        valid_on=area.valid_on,
        valid_to=record.valid_on or valid_on,
        source=area.source,
    )
    alt_names = record.alt_names or area.alt_names
    fill(area, record, parent, valid_on, label)
    area.alt_names = alt_names
    area.save()
    return True
