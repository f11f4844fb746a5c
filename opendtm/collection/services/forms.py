"""Forms: XLSForm uploads converted in the background, versions, media, settings and state.

An upload stores the file and its media as blobs and queues `convert_form_upload`. The task
converts the XLSForm (collection.conversion: pyxform in a child process with limits, then
ODK Validate when Java is there) and publishes the result: the form on its first upload, a
new version of it on every later one. Versions only go up, compared in natural order
(2026112310 > 2026112309, 1.10 > 1.9); a form without a version gets a UTC timestamp. An
XForm (.xml) can be uploaded as it is, for forms that come from ODK Central or Kobo.

Every version keeps its XLSForm (blob), its XForm byte for byte (what devices download and
hash), its schema and its media files.
"""

import hashlib
import logging
import mimetypes
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, audit_update, snapshot
from opendtm.collection.blobs import BlobRef, blob_read, blob_store_bytes
from opendtm.collection.conversion import (
    XFORM_SUFFIX,
    Conversion,
    SheetProblem,
    check_form_file,
    convert_xlsform,
    validate_xform,
)
from opendtm.collection.models import Form, FormMedia, FormUpload, FormVersion
from opendtm.collection.selectors.forms import form_questions
from opendtm.collection.xform import FormSchema, XmlError, form_schema
from opendtm.core.errors import ApplicationError, Forbidden, NotFound, Problem
from opendtm.core.tables import check_not_empty, check_upload_size

logger = logging.getLogger(__name__)

# Words in the forms' own URLs (forms/upload/, forms/uploads/<id>/): no form may be named so.
RESERVED_FORM_IDS = frozenset({"upload", "uploads"})
ITEMSETS = "itemsets.csv"
MAX_FORM_ID, MAX_VERSION = 249, 100  # the columns' lengths; OpenRosa asks for 249 at least
UPLOAD_FIELDS = ["file_name", "sha256", "kind", "media"]
FORM_FIELDS = ["form_id", "title", "kind", "state", "site_field", "area_field"]
VERSION_FIELDS = ["version", "title", "xform_md5", "xlsform_name", "xlsform_sha256", "validated"]
MEDIA_FIELDS = ["filename", "sha256", "md5", "size", "content_type"]
SITE_FIELD_NAMES = ("site_code", "site", "ssid")
AREA_FIELD_NAMES = ("pcode", "admin_pcode")
AREA_LEVEL_FIELD = re.compile(r"^adm(?:in)?_?(\d)_?pcode$")
PRIMARY_ROOT = re.compile(
    r"<(?:[\w.-]+:)?instance(?:\s[^>]*)?>\s*(?:<!--.*?-->\s*)*"
    r"<(?P<tag>[\w.:-]+)(?P<attributes>(?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<end>/?>)",
    re.DOTALL,
)
VERSION_ATTRIBUTE = re.compile(r"(\sversion\s*=\s*)(\"[^\"]*\"|'[^']*')")


# Versions


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order: runs of digits compare as numbers, so 1.10 > 1.9 and 10 > 9."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"[0-9]+|[^0-9]+", version)
    )


def latest_version(versions: Sequence[str]) -> str | None:
    return max(versions, key=version_key, default=None)


def next_version(latest: str | None, now: datetime) -> str:
    """A UTC timestamp YYYYMMDDHHMM, or one more than the latest when that is not higher."""
    candidate = now.astimezone(UTC).strftime("%Y%m%d%H%M")
    if latest is None or version_key(candidate) > version_key(latest):
        return candidate
    parts = re.split(r"([0-9]+)", latest)
    numbers = [index for index, part in enumerate(parts) if part.isdigit()]
    if not numbers:
        return f"{latest}.1"
    last = numbers[-1]
    parts[last] = str(int(parts[last]) + 1).zfill(len(parts[last]))
    return "".join(parts)


def check_version_order(form_id: str, version: str, existing: Sequence[str]) -> None:
    """A new version must be higher than every published one: never equal, never lower."""
    latest = latest_version(existing)
    if latest is None:
        return
    suggestion = next_version(latest, timezone.now())
    hint = _(
        "Set 'version' on the settings sheet higher than %(latest)s, for example %(suggestion)s, "
        "and upload the form again."
    ) % {"latest": latest, "suggestion": suggestion}
    if version in existing:
        raise ApplicationError(
            _(
                "Version %(version)s of %(form)s is already published; a new upload must have "
                "a higher version (the latest is %(latest)s)."
            )
            % {"version": version, "form": form_id, "latest": latest},
            hint=hint,
        )
    if version_key(version) <= version_key(latest):
        raise ApplicationError(
            _(
                "Version %(version)s of %(form)s goes backwards: it is not higher than "
                "%(latest)s, the latest version published."
            )
            % {"version": version, "form": form_id, "latest": latest},
            hint=hint,
        )


def xform_with_version(xform: str, version: str) -> str:
    """The XForm with `version` set on its primary instance root, the rest untouched."""
    model = re.search(r"<(?:[\w.-]+:)?model[\s>]", xform)
    match = PRIMARY_ROOT.search(xform, model.start() if model else 0)
    if match is None:
        raise ApplicationError(_("The XForm has no primary instance to set a version on."))
    attributes = match["attributes"]
    if VERSION_ATTRIBUTE.search(attributes):
        attributes = VERSION_ATTRIBUTE.sub(
            lambda found: f"{found[1]}{quoteattr(version)}", attributes, count=1
        )
    else:
        attributes = f"{attributes} version={quoteattr(version)}"
    start, end = match.span("attributes")
    return xform[:start] + attributes + xform[end:]


# Media names and files


def media_name_check(name: str) -> str:
    """A file name devices can store beside the form: no folders, no way out of them."""
    cleaned = name.strip()
    if (
        not cleaned
        or "/" in cleaned
        or "\\" in cleaned
        or ".." in cleaned
        or "\x00" in cleaned
        or cleaned.startswith(".")
        or len(cleaned) > 255
    ):
        raise ApplicationError(
            _("'%(name)s' cannot be the name of a form's media file.") % {"name": name},
            hint=_(
                "Use the plain file name the form refers to, such as sites.csv or logo.png, "
                "without folders or '..'."
            ),
        )
    return cleaned


def media_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def store_file(name: str, data: bytes) -> BlobRef:
    check_upload_size(name, len(data))
    return blob_store_bytes(data, name=name, max_size=settings.OPENDTM_MAX_UPLOAD_BYTES)


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
    if kind not in Form.Kind.values:
        raise ApplicationError(
            _("'%(kind)s' is not a kind of form.") % {"kind": kind},
            hint=_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(Form.Kind.values)},
        )
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
    media_refs = []
    for media_name, media_data in zip(names, (media_data for _n, media_data in media), strict=True):
        media_ref = store_file(media_name, media_data)
        media_refs.append(
            {
                "filename": media_name,
                "sha256": media_ref.sha256,
                "md5": media_ref.md5,
                "size": media_ref.size,
                "content_type": media_content_type(media_name),
            }
        )
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
    """Convert and publish a queued upload; a refusal is recorded on it, nothing else changes."""
    upload = FormUpload.objects.select_related("operation", "created_by").get(pk=upload_id)
    if upload.status != FormUpload.Status.QUEUED:
        return upload
    upload.status = FormUpload.Status.CONVERTING
    upload.save(update_fields=["status"])
    warnings: list[str] = []
    try:
        version = publish(upload, warnings)
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
    else:
        upload.status = FormUpload.Status.DONE
        upload.version = version
        upload.message = _("Published %(form)s version %(version)s.") % {
            "form": version.form.form_id,
            "version": version.version,
        }
        upload.problems = []
        upload.warnings = warnings
        upload.finished_at = timezone.now()
        upload.save(
            update_fields=["status", "version", "message", "problems", "warnings", "finished_at"]
        )
    return upload


def refuse(upload: FormUpload, error: ApplicationError, warnings: list[str]) -> None:
    upload.status = FormUpload.Status.FAILED
    upload.message = f"{error.message} {error.hint}".strip()
    upload.problems = [problem.as_dict() for problem in error.problems]
    upload.warnings = warnings
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "message", "problems", "warnings", "finished_at"])


def publish(upload: FormUpload, warnings: list[str]) -> FormVersion:
    """Convert, check, validate, then write the form, version and media in one transaction."""
    operation, actor = upload.operation, upload.created_by
    require(user=actor, operation=operation, capability=Capability.MANAGE_FORMS)
    conversion = convert(upload)
    warnings.extend(conversion.warnings)
    xform = conversion.xform
    schema = read_schema(upload.file_name, xform)
    check_identity(schema)
    existing = list(
        FormVersion.objects.filter(
            form__operation=operation, form__form_id=schema.form_id
        ).values_list("version", flat=True)
    )
    if not schema.version:
        version = next_version(latest_version(existing), timezone.now())
        xform = xform_with_version(xform, version)
        schema = read_schema(upload.file_name, xform)
        warnings.append(
            _(
                "The form has no version, so it was given version %(version)s (the upload time, "
                "UTC). Set 'version' on the settings sheet to choose your own."
            )
            % {"version": version}
        )
    check_version_order(schema.form_id, schema.version, existing)
    validation = validate_xform(xform, form_id=schema.form_id)
    if validation.valid is False:
        raise ApplicationError(
            _("ODK Validate refused the form: devices could not open it."),
            hint=_("Correct the XLSForm as ODK Validate's message says and upload it again."),
            problems=[
                SheetProblem(
                    message=validation.output,
                    where="ODK Validate",
                    hint=_("${name} in the message is the question of that name."),
                )
            ],
        )
    if validation.valid is None and validation.output:
        warnings.append(validation.output)
    try:
        with transaction.atomic():
            return write_version(
                upload, conversion, xform, schema, validation.valid, warnings, validation.output
            )
    except IntegrityError:
        raise ApplicationError(
            _("Another upload of %(form)s was published at the same moment; this one was not.")
            % {"form": schema.form_id},
            hint=_("Look at the form's versions, then upload again if still needed."),
        ) from None


def convert(upload: FormUpload) -> Conversion:
    data = blob_read(upload.sha256)
    if check_form_file(upload.file_name, data) != XFORM_SUFFIX:
        return convert_xlsform(upload.file_name, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ApplicationError(
            _("%(name)s is not UTF-8 text (byte %(position)d).")
            % {"name": upload.file_name, "position": error.start},
            hint=_("Save the XForm as UTF-8 and upload it again."),
        ) from None
    return Conversion(xform=text, warnings=[], definition=None, itemsets=None)


def read_schema(name: str, xform: str) -> FormSchema:
    try:
        return form_schema(xform)
    except XmlError as error:
        raise ApplicationError(
            _("%(name)s is not a usable XForm: %(error)s") % {"name": name, "error": error},
            hint=_("Upload the XLSForm instead, or an XForm exported by ODK Central or pyxform."),
        ) from None


def check_identity(schema: FormSchema) -> None:
    problems = []
    if not schema.form_id:
        problems.append(
            Problem(
                _("The form has no form ID (the id attribute of its primary instance)."),
                field="form_id",
                hint=_("Set form_id on the settings sheet."),
            )
        )
    elif schema.form_id in RESERVED_FORM_IDS or "/" in schema.form_id:
        problems.append(
            Problem(
                _("'%(form)s' cannot be a form ID here.") % {"form": schema.form_id},
                field="form_id",
                hint=_("Choose another form_id on the settings sheet, without '/'."),
            )
        )
    elif len(schema.form_id) > MAX_FORM_ID:
        problems.append(Problem(_("The form ID is longer than 249 characters."), field="form_id"))
    version = schema.version
    if len(version) > MAX_VERSION or re.search(r"[/\\\x00-\x1f]", version):
        problems.append(
            Problem(
                _("'%(version)s' cannot be a version: at most 100 characters, no '/'.")
                % {"version": version[:120]},
                field="version",
                hint=_("Use a number or a date such as 2026112301 on the settings sheet."),
            )
        )
    if problems:
        raise ApplicationError(
            "; ".join(problem.message for problem in problems),
            hint=_("Correct the settings sheet and upload the form again."),
            problems=problems,
        )


def write_version(
    upload: FormUpload,
    conversion: Conversion,
    xform: str,
    schema: FormSchema,
    valid: bool | None,
    warnings: list[str],
    validate_output: str,
) -> FormVersion:
    operation, actor = upload.operation, upload.created_by
    form = (
        Form.objects.select_for_update().filter(operation=operation, form_id=schema.form_id).first()
    )
    title = schema.title[:255] or schema.form_id[:255]
    previous = form.current_version if form else None
    if form is None:
        site_field, area_field = detect_fields(schema)
        form = Form.objects.create(
            operation=operation,
            form_id=schema.form_id,
            title=title,
            kind=upload.kind,
            site_field=site_field,
            area_field=area_field,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            operation=operation,
            action=Action.CREATE,
            instance=form,
            after=snapshot(form, FORM_FIELDS),
            note=_("from upload %(upload)s") % {"upload": upload.pk},
        )
    else:  # checked again under the lock: a concurrent upload may have published meanwhile
        check_version_order(
            form.form_id, schema.version, list(form.versions.values_list("version", flat=True))
        )
    expected = sorted(set(schema.media) | ({ITEMSETS} if conversion.itemsets else set()))
    version = FormVersion.objects.create(
        form=form,
        version=schema.version,
        title=title,
        xform=xform,
        xform_md5=md5_text(xform),
        xlsform_name=upload.file_name,
        xlsform_sha256=upload.sha256,
        definition=conversion.definition,
        schema=schema.as_dict(),
        warnings=warnings,
        validated=valid,
        validate_output=validate_output,
        media_expected=expected,
        created_by=actor,
    )
    media_for_version(upload, version, previous, conversion.itemsets, warnings)
    version.warnings = warnings
    version.save(update_fields=["warnings"])
    audit_record(
        actor=actor,
        operation=operation,
        action=Action.CREATE,
        instance=version,
        after=snapshot(version, VERSION_FIELDS),
        note=_("from upload %(upload)s") % {"upload": upload.pk},
    )
    before = snapshot(form, ["title"])
    if previous is not None and form.title == previous.title:  # not renamed by hand
        form.title = title
    form.current_version = version
    form.save(update_fields=["title", "current_version", "updated_at"])
    if previous is not None:
        audit_update(actor=actor, operation=operation, instance=form, before=before)
    return version


def md5_text(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def media_for_version(
    upload: FormUpload,
    version: FormVersion,
    previous: FormVersion | None,
    itemsets: str | None,
    warnings: list[str],
) -> None:
    """The files the version expects: uploaded now, generated, or kept from the last version."""
    uploaded = {item["filename"]: item for item in upload.media}
    earlier = {media.filename: media for media in previous.media.all()} if previous else {}
    rows, missing = [], []
    item: dict[str, Any]
    for name in version.media_expected:
        if name == ITEMSETS and itemsets is not None:
            if name in uploaded:
                warnings.append(
                    _(
                        "itemsets.csv was made from the XLSForm's external_choices sheet; the "
                        "uploaded itemsets.csv was not used."
                    )
                )
            ref = blob_store_bytes(itemsets.encode("utf-8"), name=name)
            item = {
                "sha256": ref.sha256,
                "md5": ref.md5,
                "size": ref.size,
                "content_type": "text/csv",
            }
        elif name in uploaded:
            item = uploaded[name]
        elif name in earlier:
            item = snapshot(earlier[name], MEDIA_FIELDS)
            warnings.append(
                _("%(name)s was kept from version %(version)s.")
                % {"name": name, "version": previous.version if previous else ""}
            )
        else:
            missing.append(name)
            continue
        rows.append(
            FormMedia(
                version=version,
                filename=name,
                sha256=item["sha256"],
                md5=item["md5"],
                size=item["size"],
                content_type=item["content_type"],
            )
        )
    FormMedia.objects.bulk_create(rows)
    unused = sorted(set(uploaded) - set(version.media_expected))
    if unused:
        warnings.append(
            _("%(names)s: the form does not use these files, so they were not kept.")
            % {"names": ", ".join(unused)}
        )
    if missing:
        warnings.append(
            _(
                "The form uses files not uploaded yet: %(names)s. Add them on the form's page; "
                "until then devices get the form without them."
            )
            % {"names": ", ".join(missing)}
        )


def detect_fields(schema: FormSchema) -> tuple[str, str]:
    """The questions that most likely hold the site code and the admin area p-code."""
    paths: dict[str, str] = {}
    for item in schema.fields:
        if item.kind == "field" and not item.repeat:
            paths.setdefault(item.name.lower(), item.path)
    site = next((paths[name] for name in SITE_FIELD_NAMES if name in paths), "")
    area = next((paths[name] for name in AREA_FIELD_NAMES if name in paths), "")
    if not area:
        levels = [
            (int(match[1]), path)
            for name, path in paths.items()
            if (match := AREA_LEVEL_FIELD.match(name))
        ]
        area = max(levels)[1] if levels else ""
    return site, area


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
    if kind is not None and kind not in Form.Kind.values:
        problems.append(
            Problem(
                _("'%(kind)s' is not a kind of form.") % {"kind": kind},
                field="kind",
                hint=_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(Form.Kind.values)},
            )
        )
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
