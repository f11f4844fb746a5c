"""Importing admin areas: every check first, then all the writes in one transaction.

Checks: p-codes unique, a child's p-code starting with its parent's, parents present and
one level up, a p-code never at two levels, one name per p-code. A refused file changes
nothing. A re-import of a newer COD-AB version updates names and shapes in place, keeps
the former state as an AdminAreaVersion, and never deletes an area figures may point at.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import (
    Action,
    audit_event,
    audit_record,
    audit_record_many,
    json_value,
)
from opendtm.core.errors import ApplicationError, Problem
from opendtm.geo.geometry import rounded, simplified
from opendtm.geo.importers.areas import AreaRecord, AreaSource
from opendtm.geo.models import AdminArea, AdminAreaVersion


@dataclass
class AreaImportSummary:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    per_level: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "retired": self.retired,
            "per_level": {str(level): count for level, count in sorted(self.per_level.items())},
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
            problems=problems,
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


def unique_records(source: AreaSource) -> tuple[dict[str, AreaRecord], list[Problem]]:
    """One record per p-code; repeats are problems unless they are parents named alike."""
    problems = list(source.problems)
    by_pcode: dict[str, AreaRecord] = {}
    deepest = source.columns.deepest
    for record in source.records:
        first = by_pcode.setdefault(record.pcode, record)
        if first is record:
            continue
        if first.level != record.level:
            problems.append(
                Problem(
                    _("%(pcode)s is admin %(level)d here but admin %(first_level)d in %(first)s")
                    % {
                        "pcode": record.pcode,
                        "level": record.level,
                        "first_level": first.level,
                        "first": first.where,
                    },
                    record.where,
                    hint=_("A p-code belongs to one level only."),
                )
            )
        elif record.level == deepest:
            problems.append(
                Problem(
                    _("the p-code %(pcode)s is used again; it is first used in %(first)s")
                    % {"pcode": record.pcode, "first": first.where},
                    record.where,
                    hint=_("P-codes must be unique: correct one of the two."),
                )
            )
        elif first.name != record.name or first.parent_pcode != record.parent_pcode:
            problems.append(
                Problem(
                    _("%(pcode)s is called '%(name)s' here but '%(first_name)s' in %(first)s")
                    % {
                        "pcode": record.pcode,
                        "name": record.name,
                        "first_name": first.name,
                        "first": first.where,
                    },
                    record.where,
                    hint=_("Give every area one name and one parent throughout."),
                )
            )
    return by_pcode, problems


def parent_problems(
    records: dict[str, AreaRecord], existing: dict[str, AdminArea], operation: Operation
) -> list[Problem]:
    problems = []
    country = operation.pcode_prefix
    needs_country = any(record.level == 1 for record in records.values())
    if needs_country and country not in records and country not in existing:
        records[country] = AreaRecord(
            where=_("the operation's country"),
            level=0,
            pcode=country,
            name=operation.country_name,
        )
    known_levels = {pcode: area.level for pcode, area in existing.items() if area.valid_to is None}
    known_levels.update({pcode: record.level for pcode, record in records.items()})
    for record in records.values():
        if (area := existing.get(record.pcode)) and area.level != record.level:
            problems.append(
                Problem(
                    _(
                        "%(pcode)s is admin %(level)d in this file but admin %(known)d in the operation"
                    )
                    % {"pcode": record.pcode, "level": record.level, "known": area.level},
                    record.where,
                    hint=_("A p-code keeps its level across COD versions."),
                )
            )
            continue
        if record.level == 0:
            continue
        if not record.parent_pcode:
            record.parent_pcode = guess_parent(record, known_levels)
        problem = parent_problem(record, known_levels)
        if problem:
            problems.append(problem)
    return problems


def guess_parent(record: AreaRecord, known_levels: dict[str, int]) -> str:
    """Without a parent column, the parent is the area one level up whose p-code prefixes ours."""
    candidates = [
        pcode
        for pcode, level in known_levels.items()
        if level == record.level - 1 and record.pcode.startswith(pcode)
    ]
    return max(candidates, key=len, default="")


def parent_problem(record: AreaRecord, known_levels: dict[str, int]) -> Problem | None:
    parent = record.parent_pcode
    if not parent:
        return Problem(
            _("%(pcode)s (admin %(level)d) has no parent: no admin %(up)d p-code starts it")
            % {"pcode": record.pcode, "level": record.level, "up": record.level - 1},
            record.where,
            hint=_("Import the level above first, or add its p-code column to this file."),
        )
    if not record.pcode.startswith(parent):
        return Problem(
            _("the p-code %(pcode)s does not start with its parent's p-code %(parent)s")
            % {"pcode": record.pcode, "parent": parent},
            record.where,
            hint=_("Correct the p-code or the parent column."),
        )
    if parent not in known_levels:
        return Problem(
            _("the parent %(parent)s of %(pcode)s is neither in this file nor in the operation")
            % {"parent": parent, "pcode": record.pcode},
            record.where,
            hint=_("Import admin %(up)d first.") % {"up": record.level - 1},
        )
    if known_levels[parent] != record.level - 1:
        return Problem(
            _("the parent %(parent)s is admin %(parent_level)d, but %(pcode)s is admin %(level)d")
            % {
                "parent": parent,
                "parent_level": known_levels[parent],
                "pcode": record.pcode,
                "level": record.level,
            },
            record.where,
            hint=_("Levels must follow each other without gaps."),
        )
    return None


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
    events = []
    by_level: dict[int, list[AreaRecord]] = defaultdict(list)
    for record in records.values():
        by_level[record.level].append(record)
    for level in sorted(by_level):
        summary.per_level[level] = len(by_level[level])
        new = []
        for record in by_level[level]:
            parent = areas.get(record.parent_pcode) if record.parent_pcode else None
            area = areas.get(record.pcode)
            if area is None:
                area = AdminArea(operation=operation, pcode=record.pcode, level=level)
                fill(area, record, parent, valid_on, label)
                new.append(area)
                continue
            before = area_state(area)
            if update(area, record, parent, valid_on, label):
                summary.updated += 1
                events.append(
                    audit_event(
                        actor=actor,
                        operation=operation,
                        action=Action.UPDATE,
                        instance=area,
                        before=before,
                        after=area_state(area),
                    )
                )
            else:
                summary.unchanged += 1
        for area in AdminArea.objects.bulk_create(new, batch_size=500):
            areas[area.pcode] = area
            summary.created += 1
            events.append(
                audit_event(
                    actor=actor,
                    operation=operation,
                    action=Action.CREATE,
                    instance=area,
                    after=area_state(area),
                )
            )
    if retire_missing and records:
        deepest = max(by_level)
        events += retire(actor, operation, areas, set(records), deepest, valid_on, summary)
    audit_record_many(events)
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


def retire(
    actor: User,
    operation: Operation,
    areas: dict[str, AdminArea],
    imported: set[str],
    level: int,
    valid_on: datetime.date,
    summary: AreaImportSummary,
) -> list:
    """P-codes of the imported level that the new version dropped: closed, never deleted."""
    events = []
    for area in areas.values():
        if area.level != level or area.pcode in imported or area.valid_to is not None:
            continue
        area.valid_to = valid_on
        area.save(update_fields=["valid_to", "updated_at"])
        summary.retired += 1
        events.append(
            audit_event(
                actor=actor,
                operation=operation,
                action=Action.UPDATE,
                instance=area,
                before={"valid_to": None},
                after={"valid_to": valid_on.isoformat()},
                note=_("no longer in the COD-AB"),
            )
        )
    return events
