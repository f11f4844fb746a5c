"""The checks an admin area file must pass before anything is written.

P-codes unique, a child's p-code starting with its parent's, parents present and one level
up, a p-code never at two levels, one name per p-code. Every problem is collected, so a
person can fix them all in one pass.
"""

import re

from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.core.errors import Problem
from opendtm.geo.importers.areas import AreaRecord, AreaSource
from opendtm.geo.models import AdminArea


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


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Row 2 before row 10, so a person can walk through the file top to bottom."""

    def key(problem: Problem) -> list:
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", problem.where)]

    return sorted(problems, key=key)
