"""What both importers share: publishing form versions, feeding submissions, the summary."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.collection.models import Form, FormUpload, FormVersion
from opendtm.collection.services.forms import form_upload_create, form_upload_run
from opendtm.collection.services.submissions import (
    IncomingFile,
    SubmissionRefused,
    submission_receive,
)
from opendtm.collection.xform import XmlError, form_schema
from opendtm.core.errors import ApplicationError


@dataclass
class ImportSummary:
    source: str
    versions_published: list[str] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return self.outcomes.get(outcome, 0)

    def describe(self) -> str:
        parts = [f"{count} {outcome}" for outcome, count in sorted(self.outcomes.items())]
        return _(
            "%(source)s: %(outcomes)s; %(refused)d refused; %(versions)d form version(s) published."
        ) % {
            "source": self.source,
            "outcomes": ", ".join(parts) or _("no submission"),
            "refused": len(self.refused),
            "versions": len(self.versions_published),
        }


def form_version_ensure(
    *, actor: User, operation: Operation, xform: str, kind: str, summary: ImportSummary
) -> FormVersion | None:
    """The version this XForm declares; published from it when the operation lacks it.

    A refusal (a version older than the form's latest, a broken XForm) is noted in the
    summary: that version's submissions will then be refused one by one, with the reason.
    """
    try:
        schema = form_schema(xform)
    except XmlError as error:
        summary.problems.append(
            _("A form definition could not be read: %(error)s") % {"error": error}
        )
        return None
    found = FormVersion.objects.filter(
        form__operation=operation, form__form_id=schema.form_id, version=schema.version
    ).first()
    if found is not None:
        return found
    upload = form_upload_create(
        actor=actor,
        operation=operation,
        name=f"{schema.form_id}.xml",
        data=xform.encode("utf-8"),
        kind=kind,
    )
    upload = form_upload_run(upload.pk)
    if upload.status != FormUpload.Status.DONE or upload.version is None:
        summary.problems.append(
            _("Version %(version)s of %(form)s was not published: %(message)s")
            % {"version": schema.version, "form": schema.form_id, "message": upload.message}
        )
        return None
    summary.versions_published.append(f"{schema.form_id} {schema.version}")
    return upload.version


def form_kind_check(kind: str) -> str:
    if kind not in Form.Kind.values:
        raise ApplicationError(
            _("'%(kind)s' is not a kind of form.") % {"kind": kind},
            hint=_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(Form.Kind.values)},
        )
    return kind


def submission_feed(
    *,
    actor: User,
    operation: Operation,
    xml: bytes,
    files: Sequence[IncomingFile] | Iterable[IncomingFile],
    label: str,
    device_id: str,
    user_agent: str,
    summary: ImportSummary,
) -> str:
    """Re-feed one submission version; returns its outcome ("refused" when refused)."""
    try:
        received = submission_receive(
            operation=operation,
            xml=xml,
            attachments=list(files),
            submitted_by=actor,
            device_id=device_id,
            user_agent=user_agent,
        )
    except SubmissionRefused as error:
        summary.refused.append(f"{label}: {error.message}")
        return "refused"
    summary.outcomes[received.outcome] = summary.count(received.outcome) + 1
    return received.outcome
