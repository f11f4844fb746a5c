"""Data managers' field edits: a new version of the submission, audited field by field.

An edit never changes a stored version. It takes the current version's XML, sets the text
of the edited elements, gives the instance a new meta/instanceID and sets meta/deprecatedID
to the current one, then sends that XML through the same path as a device's submission
(`submission_receive`), so an edit is a version like any other and shows in the history.
Each changed field is one audit event with its value before and after, and the reason.

Paths name elements below the instance root: `location/area`, and inside repeats with a
1-based index, `hh[2]/size` or `hh[2]/member[1]/age`. An index left out means [1].
"""

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as StdElementTree  # noqa: S405 - serialising only; parsing is defusedxml's
from xml.etree.ElementTree import Element  # noqa: S405 - type only

from django.db import transaction
from django.utils.translation import gettext as _

from opendtm.accounts.models import User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_event, audit_record_many
from opendtm.collection.models import Submission, SubmissionVersion
from opendtm.collection.services.submissions import Received, submission_receive
from opendtm.collection.xform import JR, ORX, XmlError, local, parse_xml
from opendtm.core.errors import ApplicationError, Problem

STEP = re.compile(r"^([A-Za-z_][\w.\-]*)(?:\[(\d+)\])?$")
MANAGED = {"meta/instanceID", "meta/deprecatedID", "meta/rootUuid"}
MAX_REASON = 2000
MAX_VALUE = 10_000
EDIT_USER_AGENT = "opendtm field edit"

for prefix, uri in (("jr", JR), ("orx", ORX), ("odk", "{http://www.opendatakit.org/xforms}")):
    StdElementTree.register_namespace(prefix, uri.strip("{}"))


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: str
    after: str


def schema_fields(version: SubmissionVersion) -> dict[str, dict[str, Any]]:
    """The version's form fields by path (repeat indices left out)."""
    fields = (version.form_version.schema or {}).get("fields", [])
    return {field["path"]: field for field in fields}


def plain_path(path: str) -> str:
    return "/".join(STEP.sub(r"\1", step) for step in path.split("/"))


def find_element(root: Element, path: str) -> Element | None:
    element = root
    for step in path.split("/"):
        match = STEP.match(step)
        if match is None:
            return None
        name, index = match[1], int(match[2] or 1)
        same_name = [child for child in element if local(child.tag) == name]
        if index < 1 or index > len(same_name):
            return None
        element = same_name[index - 1]
    return element


def check_value(path: str, field: Mapping[str, Any], value: str) -> Problem | None:
    """Light checks by question type; an empty value clears the answer."""
    if value == "":
        return None
    kind = field.get("type", "string")
    if kind == "int" and not re.fullmatch(r"-?\d+", value):
        return Problem(_("A whole number is required."), field=path)
    if kind == "decimal":
        try:
            float(value)
        except ValueError:
            return Problem(_("A number is required."), field=path)
    choices = field.get("choices") or []
    if field.get("select") and choices:
        given = value.split() if field["select"] == "multiple" else [value]
        unknown = [choice for choice in given if choice not in choices]
        if unknown:
            return Problem(
                _("Not a choice of this question: %(values)s. Choices: %(choices)s.")
                % {"values": ", ".join(unknown), "choices": ", ".join(choices)},
                field=path,
            )
    return None


def planned_changes(
    root: Element, version: SubmissionVersion, changes: Mapping[str, Any]
) -> tuple[list[FieldChange], list[Problem]]:
    fields = schema_fields(version)
    planned: list[FieldChange] = []
    problems: list[Problem] = []
    for path, raw in changes.items():
        value = "" if raw is None else str(raw)
        plain = plain_path(path)
        field = fields.get(plain)
        if plain in MANAGED or plain.startswith("meta/"):
            problems.append(Problem(_("Metadata is kept by the server."), field=path))
            continue
        if field is None or field.get("kind") != "field":
            problems.append(
                Problem(
                    _("Not a question of this form version."),
                    field=path,
                    hint=_("Use the path shown on the submission page, e.g. hh[2]/size."),
                )
            )
            continue
        if field.get("type") == "binary":
            problems.append(Problem(_("Files cannot be changed by a field edit."), field=path))
            continue
        if len(value) > MAX_VALUE:
            problems.append(Problem(_("The value is too long."), field=path))
            continue
        element = find_element(root, path)
        if element is None or len(element):
            problems.append(
                Problem(
                    _("This submission has no answer at that place."),
                    field=path,
                    hint=_("A repeat index counts from 1 and must exist in this submission."),
                )
            )
            continue
        if problem := check_value(path, field, value):
            problems.append(problem)
            continue
        before = element.text or ""
        if before != value:
            element.text = value
            planned.append(FieldChange(path=path, before=before, after=value))
    return planned, problems


def set_instance_ids(root: Element, new_id: str) -> str:
    """A new meta/instanceID; meta/deprecatedID names the one it replaces. Returns that one."""
    meta = next((child for child in root if local(child.tag) == "meta"), None)
    if meta is None:
        raise ApplicationError(_("This submission has no meta block; it cannot be edited."))
    instance = next((child for child in meta if local(child.tag) == "instanceID"), None)
    if instance is None or not (instance.text or "").strip():
        raise ApplicationError(_("This submission has no instanceID; it cannot be edited."))
    namespace = instance.tag[: instance.tag.index("}") + 1] if instance.tag[0] == "{" else ""
    previous = (instance.text or "").strip()
    instance.text = new_id
    deprecated = next((child for child in meta if local(child.tag) == "deprecatedID"), None)
    if deprecated is None:
        deprecated = Element(f"{namespace}deprecatedID")
        meta.insert(list(meta).index(instance) + 1, deprecated)
    deprecated.text = previous
    return previous


def serialise(root: Element) -> bytes:
    namespace = root.tag[1 : root.tag.index("}")] if root.tag[0] == "{" else ""
    if namespace:
        try:
            return StdElementTree.tostring(root, encoding="utf-8", default_namespace=namespace)
        except ValueError:  # some elements outside the default namespace
            pass
    return StdElementTree.tostring(root, encoding="utf-8")


def submission_edit_fields(
    *, actor: User, submission: Submission, changes: Mapping[str, Any], reason: str
) -> Received:
    """Edit answers of the current version; returns what submission_receive returned.

    The new version keeps the current version's files: the ingest carries them over.
    """
    operation = submission.operation
    require(user=actor, operation=operation, capability=Capability.REVIEW)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Say why: an edit needs a reason."),
            hint=_("For example: 'household size typed as 60, confirmed 6 by phone'."),
            problems=[Problem(_("A reason is required."), field="reason")],
        )
    if len(reason) > MAX_REASON:
        raise ApplicationError(_("The reason is longer than %(n)d characters.") % {"n": MAX_REASON})
    if not changes:
        raise ApplicationError(_("No field to change was given."))
    version = (
        SubmissionVersion.objects.select_related("form_version")
        .filter(submission=submission, current=True)
        .first()
    )
    if version is None:
        raise ApplicationError(_("This submission has no current version to edit."))
    try:
        root = parse_xml(version.xml)
    except XmlError as error:
        raise ApplicationError(str(error)) from None
    planned, problems = planned_changes(root, version, changes)
    if problems:
        raise ApplicationError(
            _("Some changes cannot be made: %(problems)s")
            % {"problems": "; ".join(str(problem) for problem in problems)},
            problems=problems,
        )
    if not planned:
        raise ApplicationError(
            _("Nothing changed: every value given is the current one."),
            hint=_("Change at least one value."),
        )
    set_instance_ids(root, f"uuid:{uuid.uuid4()}")
    with transaction.atomic():
        received = submission_receive(
            operation=operation,
            xml=serialise(root),
            submitted_by=actor,
            user_agent=EDIT_USER_AGENT,
        )
        audit_record_many(
            [
                audit_event(
                    actor=actor,
                    operation=operation,
                    action=Action.UPDATE,
                    instance=submission,
                    before={change.path: change.before},
                    after={change.path: change.after},
                    note=reason,
                )
                for change in planned
            ]
        )
    return received
