"""The receipt's transaction: a new submission, a new version of one (an edit), attachments
added to one already received, or a duplicate that changes nothing.

Duplicates are decided by the unique (form, instanceID) constraint, an index probe whatever
the size of the form, never a scan: new instanceID → created; same instanceID and
byte-identical XML → the attachments not stored yet are added (Collect splits big
submissions into several POSTs) or, with nothing new, a duplicate (202); same instanceID and
other XML → 409. `meta/deprecatedID` naming the current version makes a new version of that
submission ("edited"); naming an unknown one 404, a superseded one 409. A new instanceID is
inserted without a lookup first (one query less on the common path); a resubmission, or the
loser of two identical POSTs racing each other, meets the constraint, and its IntegrityError
rolls the attempt back before the stored row is read.

Audit: one event per receipt that wrote something (created, edited, attachments appended),
written in this transaction; an exact duplicate writes nothing and is not audited.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import User
from opendtm.accounts.services.audit import Action, audit_event
from opendtm.collection.models import (
    AppUser,
    Form,
    FormVersion,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
)
from opendtm.collection.services.submission_files import StoredFile, attach
from opendtm.collection.services.submission_lookups import existing_version, first
from opendtm.collection.services.submission_refusals import SubmissionRefused
from opendtm.collection.xform import InstanceMeta

CREATED = "created"
APPENDED = "appended"
DUPLICATE = "duplicate"
EDITED = "edited"
CARRIED_FIELDS = ["name", "sha256", "md5", "size", "content_type"]


@dataclass(frozen=True)
class Received:
    outcome: str  # "created" | "appended" | "duplicate" | "edited"
    submission: Submission
    version: SubmissionVersion

    @property
    def status(self) -> int:
        """What OpenRosa answers: 202 for a duplicate that changed nothing, else 201."""
        return 202 if self.outcome == DUPLICATE else 201


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


def record(incoming: Incoming) -> Received:
    """Write the receipt in its own transaction (a savepoint inside a caller's).

    A new instanceID, the common case, is simply inserted: the unique constraint, not a prior
    lookup, tells a resubmission, which is then handled in a second transaction. An edit is
    looked up first, as its resent copy would otherwise be refused as superseded.
    """
    try:
        with transaction.atomic():
            if not incoming.meta.deprecated_id:
                return created(incoming)
            found = existing_version(incoming.form, incoming.instance_id)
            return resubmitted(found, incoming) if found else edited(incoming)
    except IntegrityError as error:
        conflict = error
    with transaction.atomic():
        found = existing_version(incoming.form, incoming.instance_id)
        if found is not None:  # sent before, or an identical POST committed first
            return resubmitted(found, incoming)
    if incoming.meta.deprecated_id:  # another edit of the same version committed first
        raise superseded(incoming.meta.deprecated_id) from None
    raise conflict


def new_version(incoming: Incoming, submission: Submission, now: datetime) -> SubmissionVersion:
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
            version=version, **{field: getattr(attachment, field) for field in CARRIED_FIELDS}
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
    attach(found, new, ignore_conflicts=True)
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
