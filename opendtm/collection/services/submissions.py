"""Receiving submissions: stored durably first, parsed after.

`submission_receive` is the one way in, for ODK Collect (the OpenRosa view), web forms, field
edits and imports alike:

1. The XML is read through `xform.parse_xml` only (defusedxml, no DTD), so XXE and
   billion-laughs documents are refused before anything is stored. Only what routing needs is
   read now: form ID, version, instanceID and deprecatedID.
2. The form is found by its ID in the operation, the form version by the `version` attribute
   (every version ever published is accepted), and the sender's right to fill it is checked.
   The lookups are plain SQL (services/submission_lookups.py).
3. Attachments are written to the content-addressed blob store, each file fsynced and renamed
   into place, BEFORE the transaction that records them commits (services/submission_files.py);
   the raw XML is stored verbatim in that transaction (services/submission_records.py, which
   also decides duplicates and edits). A 201 is answered only once it committed, so anything
   acknowledged survives a crash (tests/collection/test_crash.py kills the server to show it).

Parsing (JSON data, files expected, site and admin area) runs after the commit, in the request
or in a worker: see services/submission_parsing.py. A submission is never refused because its
data cannot be parsed.

Audit: one event per receipt that wrote something, written in the receipt's own transaction.
The parse step is not audited: it derives data from what the audited receipt stored.
"""

import hashlib
from collections.abc import Sequence
from xml.etree.ElementTree import Element  # noqa: S405 - type only; parsing is defusedxml's

from django.conf import settings
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import can
from opendtm.collection.models import AppUser, Form, FormVersion, SubmissionVersion
from opendtm.collection.services.submission_files import IncomingFile, store_files
from opendtm.collection.services.submission_lookups import first, form_version_lookup
from opendtm.collection.services.submission_parsing import schedule_parse
from opendtm.collection.services.submission_records import (
    DUPLICATE,
    Incoming,
    Received,
    Sender,
    record,
)
from opendtm.collection.services.submission_refusals import SubmissionRefused, too_large
from opendtm.collection.xform import InstanceMeta, XmlError, instance_meta, parse_xml

# What callers import from here: the way in, and the words of its signature.
__all__ = ["IncomingFile", "Received", "SubmissionRefused", "submission_receive"]

MAX_ID_LENGTH = 249
VERSIONS_NAMED = 10


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


# ---- routing: the form version the submission fills -----------------------------------


def version_for(operation: Operation, meta: InstanceMeta, sender: Sender) -> FormVersion:
    """The version named, of a form this sender may fill; an app user's must be assigned."""
    form_version = form_version_lookup(
        operation,
        meta.form_id,
        meta.version,
        assigned_to=sender.app_user if sender.user is None else None,
    )
    if form_version is None:
        raise not_found(operation, meta, sender)
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
