"""The tables and columns of an export, from every version of the form.

Fields are the union over versions: the latest version's in its order, then the fields
only older versions had. The root table holds the questions outside repeats; each repeat
gets its own table, joined to its parent by KEY and PARENT_KEY as ODK Briefcase and
Central do: a repeat row's KEY is its parent's KEY plus "/<repeat name>[n]".

Headers keep group paths ("location-area") unless the export leaves them out ("area"); a
name that would then repeat within a table keeps its group path. A select_multiple
question is one column of space-separated choices, then, when split, one 0/1 column per
choice ("needs/food"): the choices the versions declare, then any other value seen.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ROOT_META_BEFORE = ["SubmissionDate"]
ROOT_META_AFTER = [
    "KEY",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
REPEAT_META_AFTER = ["PARENT_KEY", "KEY"]


@dataclass(frozen=True)
class ExportOptions:
    group_paths: bool = True
    split_select_multiple: bool = True

    @classmethod
    def from_dict(cls, options: Mapping[str, Any]) -> "ExportOptions":
        return cls(
            group_paths=bool(options.get("group_paths", True)),
            split_select_multiple=bool(options.get("split_select_multiple", True)),
        )

    def as_dict(self) -> dict[str, bool]:
        return {
            "group_paths": self.group_paths,
            "split_select_multiple": self.split_select_multiple,
        }


@dataclass
class Column:
    header: str
    path: str  # relative to the table's repeat
    type: str = "string"
    choice: str = ""  # set on a split select_multiple column
    multiple: bool = False


@dataclass
class Table:
    name: str
    repeat: str  # the repeat's path from the instance root; "" for the root table
    element: str  # the repeat's element name, used in KEYs
    relative: str  # the repeat's path from its parent table's node
    columns: list[Column] = field(default_factory=list)
    children: list["Table"] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        names = [column.header for column in self.columns]
        if not self.repeat:
            return [*ROOT_META_BEFORE, *names, *ROOT_META_AFTER]
        return [*names, *REPEAT_META_AFTER]


def merged_fields(schemas: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Fields of every version, newest version first; a path keeps its newest definition.

    Declared choices are merged across versions, newest first.
    """
    merged: dict[str, dict[str, Any]] = {}
    for schema in schemas:
        for item in schema.get("fields", []):
            known = merged.get(item["path"])
            if known is None:
                merged[item["path"]] = {**item, "choices": list(item.get("choices") or [])}
            else:
                for choice in item.get("choices") or []:
                    if choice not in known["choices"]:
                        known["choices"].append(choice)
    return list(merged.values())


def relative_to(path: str, repeat: str) -> str:
    return path[len(repeat) + 1 :] if repeat else path


def multiple_paths(fields: Iterable[Mapping[str, Any]]) -> list[str]:
    return [
        item["path"]
        for item in fields
        if item.get("kind") == "field" and item.get("select") == "multiple"
    ]


def export_layout(
    form_id: str,
    fields: list[dict[str, Any]],
    options: ExportOptions,
    seen: Mapping[str, set[str]] | None = None,
) -> Table:
    """The root table, its repeat tables as children (depth first, in form order)."""
    seen = seen or {}
    root = Table(name=form_id, repeat="", element="", relative="")
    tables = {"": root}
    names = {form_id}
    for item in fields:
        if item.get("kind") != "repeat":
            continue
        parent = tables.get(item.get("repeat", ""))
        if parent is None:  # its enclosing repeat is unknown: skip rather than guess
            continue
        name = f"{form_id}-{item['name']}"
        if name in names:
            name = f"{form_id}-{item['path'].replace('/', '-')}"
        names.add(name)
        table = Table(
            name=name,
            repeat=item["path"],
            element=item["name"],
            relative=relative_to(item["path"], parent.repeat),
        )
        tables[item["path"]] = table
        parent.children.append(table)
    for item in fields:
        holder = tables.get(item.get("repeat", ""))
        if item.get("kind") != "field" or holder is None:
            continue
        holder.columns.extend(columns_of(item, holder, options, seen))
    for table in tables.values():
        name_headers(table, options)
    return root


def columns_of(
    item: Mapping[str, Any], table: Table, options: ExportOptions, seen: Mapping[str, set[str]]
) -> list[Column]:
    path = relative_to(item["path"], table.repeat)
    multiple = item.get("select") == "multiple"
    main = Column(header=path, path=path, type=item.get("type", "string"), multiple=multiple)
    if not (multiple and options.split_select_multiple):
        return [main]
    declared = list(item.get("choices") or [])
    others = sorted(set(seen.get(item["path"], set())) - set(declared))
    return [main] + [
        Column(header=path, path=path, choice=choice, multiple=True)
        for choice in [*declared, *others]
    ]


def name_headers(table: Table, options: ExportOptions) -> None:
    """Group paths joined by '-', or only names where that keeps headers distinct."""

    def base(column: Column, with_groups: bool) -> str:
        return column.path.replace("/", "-") if with_groups else column.path.rpartition("/")[2]

    short = [base(column, options.group_paths) for column in table.columns]
    owners: dict[str, set[str]] = {}
    for column, name in zip(table.columns, short, strict=True):
        owners.setdefault(name, set()).add(column.path)
    for column, name in zip(table.columns, short, strict=True):
        if len(owners[name]) > 1:
            name = base(column, True)
        column.header = f"{name}/{column.choice}" if column.choice else name


def all_tables(root: Table) -> list[Table]:
    found = [root]
    for child in root.children:
        found.extend(all_tables(child))
    return found
