"""One submission as rows of the export's tables.

Values come from the parsed data (groups as objects, repeats as lists). Whole numbers and
decimals become numbers, so spreadsheets sort and sum them; every other value is text.
"""

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from opendtm.collection.exports.layout import Table

INTEGER = re.compile(r"-?\d{1,15}")
Row = list[Any]


@dataclass(frozen=True)
class SubmissionMeta:
    """The metadata columns of a root row."""

    submission_date: str
    key: str
    submitter: str
    attachments_present: int
    attachments_expected: int
    review_state: str
    device_id: str
    edits: int
    form_version: str


def value_at(node: Any, path: str) -> Any:
    """The value at a path below a node; an undeclared repetition gives its first."""
    for step in path.split("/"):
        if isinstance(node, list):
            node = node[0] if node else None
        if not isinstance(node, Mapping):
            return None
        node = node.get(step)
    return node


def items_at(node: Any, path: str) -> list[Any]:
    """The instances of a repeat below a node: a list, or one object if it occurred once."""
    found = value_at(node, path)
    if isinstance(found, list):
        return found
    return [found] if isinstance(found, Mapping) else []


def typed(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    stripped = text.strip()
    if kind == "int" and INTEGER.fullmatch(stripped):
        return int(stripped)
    if kind == "decimal" and stripped:
        try:
            number = float(stripped)
        except ValueError:
            return text
        return number if math.isfinite(number) else text
    return text


def row_values(table: Table, node: Any) -> Row:
    values: Row = []
    for column in table.columns:
        raw = value_at(node, column.path)
        if column.choice:
            chosen = str(raw or "").split()
            values.append("" if not chosen else int(column.choice in chosen))
        else:
            values.append(typed(raw, column.type))
    return values


def submission_rows(root: Table, data: Any, meta: SubmissionMeta) -> Iterator[tuple[Table, Row]]:
    """The root row, then each repeat's rows, depth first."""
    yield (
        root,
        [
            meta.submission_date,
            *row_values(root, data),
            meta.key,
            meta.submitter,
            meta.attachments_present,
            meta.attachments_expected,
            meta.review_state,
            meta.device_id,
            meta.edits,
            meta.form_version,
        ],
    )
    yield from repeat_rows(root, data, meta.key)


def repeat_rows(parent: Table, node: Any, parent_key: str) -> Iterator[tuple[Table, Row]]:
    for table in parent.children:
        for number, item in enumerate(items_at(node, table.relative), start=1):
            key = f"{parent_key}/{table.element}[{number}]"
            yield table, [*row_values(table, item), parent_key, key]
            yield from repeat_rows(table, item, key)


def seen_choices(data: Any, paths: list[str], found: dict[str, set[str]]) -> None:
    """Add the select_multiple values in one submission's data to `found`, by field path."""
    for path in paths:
        for value in values_along(data, path.split("/")):
            found.setdefault(path, set()).update(str(value).split())


def values_along(node: Any, steps: list[str]) -> Iterator[Any]:
    if isinstance(node, list):
        for item in node:
            yield from values_along(item, steps)
        return
    if not steps:
        if node not in (None, "") and not isinstance(node, Mapping):
            yield node
        return
    if isinstance(node, Mapping):
        yield from values_along(node.get(steps[0]), steps[1:])
