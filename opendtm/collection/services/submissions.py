"""Receiving submissions: stored durably first, parsed after.

`submission_receive` is the one way in, for ODK Collect (the OpenRosa view), web forms, field
edits and imports alike:

1. The XML is read through `xform.parse_xml` only (defusedxml, no DTD), so XXE and
   billion-laughs documents are refused before anything is stored. Only what routing needs is
   read now: form ID, version, instanceID and deprecatedID.
2. The form is found by its ID in the operation, the form version by the `version` attribute
   (every version ever published is accepted), and the sender's right to fill it is checked.
3. Attachments are written to the content-addressed blob store, each file fsynced and renamed
   into place, BEFORE the transaction that records them commits; the raw XML is stored
   verbatim in that transaction. A 201 is answered only once it committed, so anything
   acknowledged survives a crash (tests/collection/test_crash.py kills the server to show it).
4. Duplicates are decided by the unique (form, instanceID) constraint, an index probe whatever
   the size of the form, never a scan: new instanceID → created; same instanceID and
   byte-identical XML → the attachments not stored yet are added (Collect splits big
   submissions into several POSTs) or, with nothing new, a duplicate (202); same instanceID
   and other XML → 409. `meta/deprecatedID` naming the current version makes a new version of
   that submission ("edited"); naming an unknown one 404, a superseded one 409. Two identical
   POSTs racing each other meet at the constraint: the loser's IntegrityError is caught and the
   winner's row re-read.

Parsing (JSON data, files expected, site and admin area) runs after the commit, in the request
or in a worker: see services/submission_parsing.py (`submission_parse`, re-exported here). A
submission is never refused because its data cannot be parsed.

Audit: one event per receipt that wrote something (created, edited, attachments appended),
written in the receipt's own transaction; an exact duplicate writes nothing and is not
audited. The parse step is not audited: it derives data from what the audited receipt stored.
"""

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element  # noqa: S405 - type only; parsing is defusedxml's

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import can
from opendtm.accounts.services.audit import Action, audit_event
from opendtm.collection.blobs import BlobRef, BlobTooLarge, blob_store
from opendtm.collection.models import (
    AppUser,
    Form,
    FormVersion,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
)
from opendtm.collection.services.submission_parsing import schedule_parse, submission_parse
from opendtm.collection.xform import InstanceMeta, XmlError, instance_meta, parse_xml
from opendtm.core.errors import ApplicationError

__all__ = [
    "IncomingFile",
    "Received",
    "SubmissionRefused",
    "submission_parse",
    "submission_receive",
]

logger = logging.getLogger(__name__)

CREATED = "created"
APPENDED = "appended"
DUPLICATE = "duplicate"
EDITED = "edited"
MAX_ID_LENGTH = 249
MAX_NAME_LENGTH = 255
VERSIONS_NAMED = 10


@dataclass(frozen=True)
class IncomingFile:
    """An attachment as received: its file name, its type and its bytes, streamed."""

    name: str
    content_type: str
    chunks: Iterable[bytes]


@dataclass(frozen=True)
class Received:
    outcome: str  # "created" | "appended" | "duplicate" | "edited"
    submission: Submission
    version: SubmissionVersion

    @property
    def status(self) -> int:
        """What OpenRosa answers: 202 for a duplicate that changed nothing, else 201."""
        return 202 if self.outcome == DUPLICATE else 201


class SubmissionRefused(ApplicationError):
    """Nothing was recorded; `status` is the HTTP status the OpenRosa view answers."""

    def __init__(self, message: str, *, status: int = 400, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status


@dataclass(frozen=True)
class StoredFile:
    name: str
    content_type: str
    blob: BlobRef


@dataclass(frozen=True)
class Sender:
    user: User | None
    app_user: AppUser | None
    device_id: str
    user_agent: str

    @property
    def actor_name(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return f"app user: {self.app_user.name}"[:150] if self.app_user else "system"


def submission_receive(
    *,
    operation: Operation,
    xml: bytes,
    attachments: Sequence[IncomingFile] = (),
    submitted_by: User | None = None,
    app_user: AppUser | None = None,
    device_id: str = "",
    user_agent: str = "",
) -> Received:
    """Store one POSTed instance (and its files) durably; refuse with SubmissionRefused."""
    sender = Sender(submitted_by, app_user, device_id[:255], user_agent[:255])
    check_sender(operation, sender)
    limit = settings.OPENDTM_MAX_SUBMISSION_BYTES
    if len(xml) > limit:
        raise too_large(limit)
    text = xml_text(xml)
    meta, root = read_meta(xml)
    form_version = version_for(operation, meta, sender)
    form = form_version.form
    check_form_open(form, meta, sender)
    xml_sha256 = hashlib.sha256(xml).hexdigest()
    instance_id = meta.instance_id or f"sha256:{xml_sha256}"
    for value, what in ((instance_id, "instanceID"), (meta.deprecated_id, "deprecatedID")):
        if len(value) > MAX_ID_LENGTH:
            raise SubmissionRefused(
                _("The %(what)s is longer than %(limit)d characters.")
                % {"what": what, "limit": MAX_ID_LENGTH}
            )
    stored = store_files(attachments, budget=limit - len(xml))
    incoming = Incoming(
        form=form,
        form_version=form_version,
        meta=meta,
        instance_id=instance_id,
        xml=text,
        xml_sha256=xml_sha256,
        files=stored,
        sender=sender,
    )
    with transaction.atomic():
        received = record(incoming)
    if received.version.parse_status == SubmissionVersion.Parse.PENDING:
        schedule_parse(received.version, root if received.outcome != DUPLICATE else None)
    return received


# ---- checks, before anything is stored -------------------------------------------------


def check_sender(operation: Operation, sender: Sender) -> None:
    if sender.user is not None:
        if not can(user=sender.user, operation=operation, capability=Capability.SUBMIT):
            raise SubmissionRefused(
                _("Your account may not send forms to %(operation)s.")
                % {"operation": operation.name},
                status=403,
                hint=_("Ask a data manager to give you the enumerator role."),
            )
        return
    app_user = sender.app_user
    if app_user is None:
        raise SubmissionRefused(_("Sign in to send forms."), status=401)
    if app_user.revoked_at is not None or app_user.operation_id != operation.pk:
        raise SubmissionRefused(
            _("This device's access was revoked."),
            status=403,
            hint=_("Ask a data manager for a new QR code and scan it in ODK Collect."),
        )


def check_form_open(form: Form, meta: InstanceMeta, sender: Sender) -> None:
    """A closed form refuses, with one exception: a reviewer's edit of a sent submission."""
    if form.state != Form.State.CLOSED:
        return
    reviewer_edit = (
        meta.deprecated_id
        and sender.user is not None
        and can(user=sender.user, operation=form.operation, capability=Capability.REVIEW)
    )
    if not reviewer_edit:
        raise SubmissionRefused(
            _("The form '%(form)s' is closed: it no longer accepts submissions.")
            % {"form": form.title},
            status=409,
            hint=_("Keep this form on the phone and ask your data manager what to do."),
        )


def too_large(limit: int) -> SubmissionRefused:
    return SubmissionRefused(
        _("This submission is larger than the %(limit)d MB the server accepts.")
        % {"limit": limit // (1024 * 1024)},
        status=413,
        hint=_("Send smaller photos, or ask the server admin to raise the limit."),
    )


def xml_text(xml: bytes) -> str:
    """The XML as text, which must be UTF-8: re-encoded it gives back the very same bytes."""
    try:
        return xml.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionRefused(
            _("The submission cannot be read: it is not UTF-8 text."),
            hint=_("Send it from ODK Collect or a web form, which write UTF-8."),
        ) from None


def read_meta(xml: bytes) -> tuple[InstanceMeta, Element]:
    try:
        root: Element = parse_xml(xml)
    except XmlError as error:
        raise SubmissionRefused(
            _("The submission cannot be read as XML (%(reason)s).") % {"reason": error},
            hint=_("The file on the phone may be damaged; open and save the form again."),
        ) from None
    meta = instance_meta(root)
    if not meta.form_id:
        raise SubmissionRefused(
            _("The submission does not say which form it fills (no id on its root element).")
        )
    return meta, root


def first(queryset: QuerySet[Any]) -> Any:
    """The first row of an index probe, without the ORDER BY that .first() would add."""
    return next(iter(queryset.order_by()[:1]), None)


# The hot path's two lookups as plain SQL. Measured per call on SQLite: the ORM took 450 µs
# to find the version (and 180 µs for the duplicate probe), building and compiling the query
# each time; the same SQL run directly takes about 12 µs. Table and column names come from the
# models, so a rename shows up here.
def quoted(name: str) -> str:
    return '"' + name + '"'


FORM_TABLE = quoted(Form._meta.db_table)
VERSION_TABLE = quoted(FormVersion._meta.db_table)
SUBMISSION_VERSION_TABLE = quoted(SubmissionVersion._meta.db_table)
ASSIGNED_TABLE = quoted(AppUser.forms.through._meta.db_table)
# Only model table names are formatted in; every value is a parameter.
VERSION_SQL = (
    "SELECT v.id, v.version, v.title, f.id, f.title, f.state, f.site_field, f.area_field "  # noqa: S608
    f"FROM {VERSION_TABLE} v INNER JOIN {FORM_TABLE} f ON f.id = v.form_id "
    "WHERE f.operation_id = %s AND f.form_id = %s AND v.version = %s"
)
ASSIGNED_VERSION_SQL = (
    f"{VERSION_SQL} AND EXISTS (SELECT 1 FROM {ASSIGNED_TABLE} a "  # noqa: S608
    "WHERE a.form_id = f.id AND a.appuser_id = %s)"
)
INSTANCE_SQL = f"SELECT id FROM {SUBMISSION_VERSION_TABLE} WHERE form_id = %s AND instance_id = %s"  # noqa: S608
FORM_FIELDS = ["id", "operation_id", "form_id", "title", "state", "site_field", "area_field"]


def row_of(sql: str, params: Sequence[Any]) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def version_for(operation: Operation, meta: InstanceMeta, sender: Sender) -> FormVersion:
    """The form version, its form and, for an app user, the assignment: one query.

    The form and version are built from that one row with Django's deferred loading, so any
    other field read later is fetched then.
    """
    params: list[Any] = [operation.pk, meta.form_id, meta.version]
    if sender.user is None and sender.app_user is not None:
        row = row_of(ASSIGNED_VERSION_SQL, [*params, sender.app_user.pk])
    else:
        row = row_of(VERSION_SQL, params)
    if row is None:
        raise not_found(operation, meta, sender)
    pk, version, title, form_pk, form_title, state, site_field, area_field = row
    form = Form.from_db(
        "default",
        FORM_FIELDS,
        [form_pk, operation.pk, meta.form_id, form_title, state, site_field, area_field],
    )
    form.operation = operation
    form_version = FormVersion.from_db(
        "default", ["id", "form_id", "version", "title"], [pk, form_pk, version, title]
    )
    form_version.form = form
    return form_version


def not_found(operation: Operation, meta: InstanceMeta, sender: Sender) -> SubmissionRefused:
    """Why no version was found: no such form, no such version, or not this device's form."""
    form = first(Form.objects.filter(operation=operation, form_id=meta.form_id))
    if form is None:
        return SubmissionRefused(
            _("There is no form '%(form_id)s' in %(operation)s on this server.")
            % {"form_id": meta.form_id, "operation": operation.name},
            status=404,
            hint=_("Check the server address in ODK Collect's settings, then get blank forms."),
        )
    if not FormVersion.objects.filter(form=form, version=meta.version).exists():
        known = list(
            FormVersion.objects.filter(form=form)
            .order_by("-created_at", "-id")
            .values_list("version", flat=True)[:VERSIONS_NAMED]
        )
        return SubmissionRefused(
            _(
                "The form '%(form)s' has no version '%(version)s' on this server. "
                "Versions known: %(known)s."
            )
            % {
                "form": form.title,
                "version": meta.version or _("(none)"),
                "known": ", ".join(version or _("(none)") for version in known) or _("none"),
            },
            status=404,
            hint=_("Get the current blank form in ODK Collect, then fill it again."),
        )
    name = sender.app_user.name if sender.app_user else ""
    return SubmissionRefused(
        _("The form '%(form)s' is not assigned to this device (%(name)s).")
        % {"form": form.title, "name": name},
        status=403,
        hint=_("Ask a data manager to assign the form to this app user."),
    )


# ---- files, durably on disk before the transaction -------------------------------------


def clean_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in {".", ".."} or len(name) > MAX_NAME_LENGTH:
        raise SubmissionRefused(
            _("An attachment has no usable file name ('%(name)s').") % {"name": name[:80]}
        )
    return name


def store_files(files: Sequence[IncomingFile], *, budget: int) -> list[StoredFile]:
    """Each file fsynced into the blob store; the whole submission kept under its limit."""
    per_file = settings.OPENDTM_MAX_ATTACHMENT_BYTES
    remaining = [budget]

    def counted(chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            remaining[0] -= len(chunk)
            if remaining[0] < 0:
                raise too_large(settings.OPENDTM_MAX_SUBMISSION_BYTES)
            yield chunk

    stored: list[StoredFile] = []
    seen: set[str] = set()
    for incoming in files:
        name = clean_name(incoming.name)
        if name in seen:  # the same name twice in one POST: the first one counts
            continue
        seen.add(name)
        try:
            blob = blob_store(counted(incoming.chunks), name=name, max_size=per_file)
        except BlobTooLarge:
            raise SubmissionRefused(
                _("The file %(name)s is larger than the %(limit)d MB allowed per file.")
                % {"name": name, "limit": per_file // (1024 * 1024)},
                status=413,
                hint=_("Send a smaller file, or ask the server admin to raise the limit."),
            ) from None
        content_type = (incoming.content_type or "application/octet-stream")[:100]
        stored.append(StoredFile(name=name, content_type=content_type, blob=blob))
    return stored


# ---- the transaction -------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    form: Form
    form_version: FormVersion
    meta: InstanceMeta
    instance_id: str
    xml: str
    xml_sha256: str
    files: list[StoredFile]
    sender: Sender


def existing_version(form: Form, instance_id: str) -> SubmissionVersion | None:
    """The index probe on (form, instance_id); the row itself is read only when it exists."""
    row = row_of(INSTANCE_SQL, [form.pk, instance_id])
    if row is None:
        return None
    return (
        SubmissionVersion.objects.select_related("submission").defer("xml", "data").get(pk=row[0])
    )


def record(incoming: Incoming) -> Received:
    found = existing_version(incoming.form, incoming.instance_id)
    if found is not None:
        return resubmitted(found, incoming)
    try:
        with transaction.atomic():  # a savepoint: a lost race rolls back only this part
            if incoming.meta.deprecated_id:
                return edited(incoming)
            return created(incoming)
    except IntegrityError:
        found = existing_version(incoming.form, incoming.instance_id)
        if found is not None:  # an identical POST committed first
            return resubmitted(found, incoming)
        if incoming.meta.deprecated_id:  # another edit of the same version committed first
            raise superseded(incoming.meta.deprecated_id) from None
        raise


def new_version(incoming: Incoming, submission: Submission, now: Any) -> SubmissionVersion:
    sender = incoming.sender
    return SubmissionVersion.objects.create(
        submission=submission,
        form=incoming.form,
        form_version=incoming.form_version,
        instance_id=incoming.instance_id,
        deprecated_id=incoming.meta.deprecated_id,
        current=True,
        xml=incoming.xml,
        xml_sha256=incoming.xml_sha256,
        submitted_by=sender.user,
        app_user=sender.app_user,
        device_id=sender.device_id,
        user_agent=sender.user_agent,
        received_at=now,
    )


def attach(version: SubmissionVersion, files: Iterable[StoredFile]) -> list[SubmissionAttachment]:
    rows = [
        SubmissionAttachment(
            version=version,
            name=item.name,
            sha256=item.blob.sha256,
            md5=item.blob.md5,
            size=item.blob.size,
            content_type=item.content_type,
        )
        for item in files
    ]
    if rows:
        SubmissionAttachment.objects.bulk_create(rows)
    return rows


def created(incoming: Incoming) -> Received:
    now = timezone.now()
    form = incoming.form
    submission = Submission.objects.create(
        operation_id=form.operation_id,
        form=form,
        instance_id=incoming.instance_id,
        submitted_by=incoming.sender.user,
        app_user=incoming.sender.app_user,
        received_at=now,
        updated_at=now,
    )
    version = new_version(incoming, submission, now)
    attach(version, incoming.files)
    audit(
        incoming,
        submission,
        Action.CREATE,
        after={
            "form": form.form_id,
            "version": incoming.form_version.version,
            "instance_id": incoming.instance_id,
            "attachments": [item.name for item in incoming.files],
        },
    )
    return Received(CREATED, submission, version)


def edited(incoming: Incoming) -> Received:
    deprecated_id = incoming.meta.deprecated_id
    old = first(
        SubmissionVersion.objects.select_related("submission")
        .defer("xml", "data")
        .filter(form=incoming.form, instance_id=deprecated_id)
    )
    if old is None:
        raise SubmissionRefused(
            _(
                "This is an edit of a submission the server does not have "
                "(deprecatedID %(id)s in form '%(form)s')."
            )
            % {"id": deprecated_id, "form": incoming.form.title},
            status=404,
            hint=_("Send the original submission first, then the edited one."),
        )
    # Compare and set: of two edits racing for the same version only one flips it.
    if not SubmissionVersion.objects.filter(pk=old.pk, current=True).update(current=False):
        raise superseded(deprecated_id)
    now = timezone.now()
    submission = old.submission
    version = new_version(incoming, submission, now)
    sent = {item.name for item in incoming.files}
    carried = [
        SubmissionAttachment(
            version=version,
            name=attachment.name,
            sha256=attachment.sha256,
            md5=attachment.md5,
            size=attachment.size,
            content_type=attachment.content_type,
        )
        for attachment in SubmissionAttachment.objects.filter(version=old)
        if attachment.name not in sent
    ]
    attach(version, incoming.files)
    if carried:
        SubmissionAttachment.objects.bulk_create(carried)
    Submission.objects.filter(pk=submission.pk).update(edits=F("edits") + 1, updated_at=now)
    submission.refresh_from_db(fields=["edits", "updated_at"])
    audit(
        incoming,
        submission,
        Action.UPDATE,
        before={"instance_id": deprecated_id},
        after={
            "instance_id": incoming.instance_id,
            "version": incoming.form_version.version,
            "attachments": sorted(sent),
            "attachments_carried_over": sorted(item.name for item in carried),
        },
    )
    return Received(EDITED, submission, version)


def superseded(deprecated_id: str) -> SubmissionRefused:
    return SubmissionRefused(
        _(
            "This edit replaces version %(id)s of a submission, which was already replaced "
            "by another edit."
        )
        % {"id": deprecated_id},
        status=409,
        hint=_("Ask a data manager to merge the two edits on the server."),
    )


def resubmitted(found: SubmissionVersion, incoming: Incoming) -> Received:
    if found.xml_sha256 != incoming.xml_sha256:
        raise SubmissionRefused(
            _(
                "A submission with this instanceID (%(id)s) was already received with "
                "different answers."
            )
            % {"id": incoming.instance_id},
            status=409,
            hint=_(
                "To send missing files, send the identical form again. To change answers, "
                "edit the sent form so that it gets a new instanceID."
            ),
        )
    have = set(SubmissionAttachment.objects.filter(version=found).values_list("name", flat=True))
    new = [item for item in incoming.files if item.name not in have]
    if not new:
        return Received(DUPLICATE, found.submission, found)
    SubmissionAttachment.objects.bulk_create(
        [
            SubmissionAttachment(
                version=found,
                name=item.name,
                sha256=item.blob.sha256,
                md5=item.blob.md5,
                size=item.blob.size,
                content_type=item.content_type,
            )
            for item in new
        ],
        ignore_conflicts=True,  # the same file sent twice at once: the first one stays
    )
    audit(
        incoming,
        found.submission,
        Action.UPDATE,
        after={"attachments_added": [item.name for item in new]},
        note=found.instance_id,
    )
    return Received(APPENDED, found.submission, found)


def audit(
    incoming: Incoming,
    submission: Submission,
    action: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> None:
    sender = incoming.sender
    event = audit_event(
        actor=sender.user,
        operation=incoming.form.operation,
        action=action,
        instance=submission,
        label=f"{incoming.form.form_id} {submission.instance_id}",
        before=before,
        after=after,
        note=note,
    )
    event.actor_name = sender.actor_name
    event.save()
