"""What form managers do to forms: upload a form, add media, change settings and state.

An upload stores the file and its media as blobs and queues `convert_form_upload`, which
calls `form_upload_run`: services/form_publishing.py converts and publishes the result, the
form on its first upload and a new version of it on every later one; version numbers are
services/form_versions.py's business, media files services/form_media.py's.
"""

import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, audit_update, snapshot
from opendtm.collection.conversion import check_form_file
from opendtm.collection.models import Form, FormMedia, FormUpload, FormVersion
from opendtm.collection.selectors.forms import form_questions
from opendtm.collection.services.form_media import (
    MEDIA_FIELDS,
    media_content_type,
    media_fields,
    media_name_check,
    store_file,
)
from opendtm.collection.services.form_publishing import FORM_FIELDS, publish
from opendtm.core.errors import ApplicationError, Forbidden, NotFound, Problem
from opendtm.core.tables import check_not_empty, check_upload_size

logger = logging.getLogger(__name__)

UPLOAD_FIELDS = ["file_name", "sha256", "kind", "media"]


def kind_problem(kind: str) -> Problem | None:
    if kind in Form.Kind.values:
        return None
    return Problem(
        _("'%(kind)s' is not a kind of form.") % {"kind": kind},
        field="kind",
        hint=_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(Form.Kind.values)},
    )


# Uploads


def form_upload_create(
    *,
    actor: User,
    operation: Operation,
    name: str,
    data: bytes,
    kind: str = Form.Kind.OTHER,
    media: Sequence[tuple[str, bytes]] = (),
) -> FormUpload:
    """Store the form file and its media, then queue the conversion. Checks run first."""
    require(user=actor, operation=operation, capability=Capability.MANAGE_FORMS)
    if problem := kind_problem(kind):
        raise ApplicationError(problem.message, hint=problem.hint)
    check_form_file(name, data)
    names = [media_name_check(media_name) for media_name, _data in media]
    repeated = sorted({media_name for media_name in names if names.count(media_name) > 1})
    if repeated:
        raise ApplicationError(
            _("The media files %(names)s are uploaded twice.") % {"names": ", ".join(repeated)},
            hint=_("Upload each file once."),
        )
    for media_name, media_data in media:
        check_upload_size(media_name, len(media_data))
        check_not_empty(media_name, media_data)
    ref = store_file(name, data)
    media_refs = [
        {
            "filename": media_name,
            **media_fields(store_file(media_name, media_data), media_content_type(media_name)),
        }
        for media_name, (_given, media_data) in zip(names, media, strict=True)
    ]
    with transaction.atomic():
        upload = FormUpload.objects.create(
            operation=operation,
            kind=kind,
            file_name=name[:255],
            sha256=ref.sha256,
            media=media_refs,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            operation=operation,
            action=Action.CREATE,
            instance=upload,
            after=snapshot(upload, UPLOAD_FIELDS),
        )
        from opendtm.collection.tasks import convert_form_upload

        transaction.on_commit(lambda: convert_form_upload.enqueue(upload.pk))
    return upload


def form_upload_run(upload_id: int) -> FormUpload:
    """Convert and publish a queued upload; a refusal is recorded on it, nothing else changes.
    Publishing marks the upload done in its own transaction (form_publishing.publish)."""
    upload = FormUpload.objects.select_related("operation", "created_by").get(pk=upload_id)
    if upload.status != FormUpload.Status.QUEUED:
        return upload
    upload.status = FormUpload.Status.CONVERTING
    upload.started_at = timezone.now()
    upload.save(update_fields=["status", "started_at"])
    warnings: list[str] = []
    try:
        publish(upload, warnings)
    except ApplicationError as error:
        refuse(upload, error, warnings)
    except (NotFound, Forbidden) as error:  # the uploader lost their role meanwhile
        refuse(upload, ApplicationError(str(error)), warnings)
    except Exception:
        logger.exception("form upload %s failed", upload.pk)
        refuse(
            upload,
            ApplicationError(
                _(
                    "The conversion stopped on an unexpected error; nothing was published. "
                    "The server log has the details."
                )
            ),
            warnings,
        )
    return upload


def refuse(upload: FormUpload, error: ApplicationError, warnings: list[str]) -> None:
    upload.status = FormUpload.Status.FAILED
    upload.message = f"{error.message} {error.hint}".strip()
    upload.problems = [problem.as_dict() for problem in error.problems]
    upload.warnings = warnings
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "message", "problems", "warnings", "finished_at"])


# Media added later, settings and state


@transaction.atomic
def form_media_add(*, actor: User, version: FormVersion, name: str, data: bytes) -> FormMedia:
    """Add (or replace) a file the version expects, such as the CSV of a select_one_from_file."""
    operation = version.form.operation
    require(user=actor, operation=operation, capability=Capability.MANAGE_FORMS)
    name = media_name_check(name)
    if name not in version.media_expected:
        raise ApplicationError(
            _("Version %(version)s of %(form)s does not use a file named %(name)s.")
            % {"version": version.version, "form": version.form.form_id, "name": name},
            hint=_("It uses: %(names)s.") % {"names": ", ".join(version.media_expected)}
            if version.media_expected
            else _("This version uses no media files."),
        )
    check_not_empty(name, data)
    ref = store_file(name, data)
    media = FormMedia.objects.filter(version=version, filename=name).first()
    before = snapshot(media, MEDIA_FIELDS) if media else None
    if media is None:
        media = FormMedia(version=version, filename=name)
    media.sha256, media.md5, media.size = ref.sha256, ref.md5, ref.size
    media.content_type = media_content_type(name)
    media.save()
    if before is None:
        audit_record(
            actor=actor,
            operation=operation,
            action=Action.CREATE,
            instance=media,
            after=snapshot(media, MEDIA_FIELDS),
            note=str(version),
        )
    else:
        audit_update(actor=actor, operation=operation, instance=media, before=before)
    return media


@transaction.atomic
def form_update(
    *,
    actor: User,
    form: Form,
    kind: str | None = None,
    site_field: str | None = None,
    area_field: str | None = None,
    title: str | None = None,
) -> Form:
    """Change the settings given (None leaves one as it is; "" clears a field)."""
    require(user=actor, operation=form.operation, capability=Capability.MANAGE_FORMS)
    problems = []
    if kind is not None and (problem := kind_problem(kind)):
        problems.append(problem)
    if title is not None and not title.strip():
        problems.append(Problem(_("The title cannot be empty."), field="title"))
    questions = form_questions(form)
    for name, path in (("site_field", site_field), ("area_field", area_field)):
        if path and path not in questions and path != getattr(form, name):
            problems.append(
                Problem(
                    _("The form has no question %(path)s.") % {"path": path},
                    field=name,
                    hint=_("Give the path of a question outside repeats, such as %(example)s.")
                    % {"example": next(iter(questions), "site_code")},
                )
            )
    if problems:
        raise ApplicationError(
            _("Some values are not valid: %(problems)s")
            % {"problems": "; ".join(str(problem) for problem in problems)},
            problems=problems,
        )
    before = snapshot(form, FORM_FIELDS)
    if kind is not None:
        form.kind = kind
    if title is not None:
        form.title = title.strip()[:255]
    if site_field is not None:
        form.site_field = site_field
    if area_field is not None:
        form.area_field = area_field
    form.save()
    audit_update(actor=actor, operation=form.operation, instance=form, before=before)
    return form


@transaction.atomic
def form_state_set(*, actor: User, form: Form, state: str) -> Form:
    """Open (listed, accepting), closing (accepting, not listed) or closed (refusing)."""
    require(user=actor, operation=form.operation, capability=Capability.MANAGE_FORMS)
    if state not in Form.State.values:
        raise ApplicationError(
            _("'%(state)s' is not a form state.") % {"state": state},
            hint=_("Choose one of: %(states)s.") % {"states": ", ".join(Form.State.values)},
        )
    before = snapshot(form, ["state"])
    form.state = state
    form.save(update_fields=["state", "updated_at"])
    audit_update(actor=actor, operation=form.operation, instance=form, before=before)
    return form
