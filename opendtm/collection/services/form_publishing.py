"""Publishing an upload: its file converted, checked and validated, then written as a version.

`form_upload_run` (services/forms.py) calls `publish` in the background. The XLSForm is
converted by collection.conversion (pyxform in a child process with limits, then ODK
Validate when Java is there); an XForm (.xml), as ODK Central or Kobo export it, is taken as
it is. The result is the form on its first upload and a new version of it on every later one.

Every version keeps its XLSForm (blob), its XForm byte for byte (what devices download and
hash), its schema and its media files.
"""

import hashlib
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, audit_update, snapshot
from opendtm.collection.blobs import blob_read
from opendtm.collection.conversion import (
    XFORM_SUFFIX,
    Conversion,
    SheetProblem,
    check_form_file,
    convert_xlsform,
    validate_xform,
)
from opendtm.collection.models import Form, FormUpload, FormVersion
from opendtm.collection.services.form_media import ITEMSETS, media_for_version
from opendtm.collection.services.form_versions import (
    check_version_order,
    latest_version,
    next_version,
    xform_with_version,
)
from opendtm.collection.xform import FormSchema, XmlError, form_schema
from opendtm.core.errors import ApplicationError, Problem

# Words in the forms' own URLs (forms/upload/, forms/uploads/<id>/, forms/templates/): no
# form may be named so.
RESERVED_FORM_IDS = frozenset({"upload", "uploads", "templates"})
MAX_FORM_ID, MAX_VERSION = 249, 100  # the columns' lengths; OpenRosa asks for 249 at least
FORM_FIELDS = ["form_id", "title", "kind", "state", "site_field", "area_field"]
VERSION_FIELDS = ["version", "title", "xform_md5", "xlsform_name", "xlsform_sha256", "validated"]
SITE_FIELD_NAMES = ("site_code", "site", "ssid")
AREA_FIELD_NAMES = ("pcode", "admin_pcode")
AREA_LEVEL_FIELD = re.compile(r"^adm(?:in)?_?(\d)_?pcode$")


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
            published = write_version(
                upload, conversion, xform, schema, validation.valid, warnings, validation.output
            )
            upload_published(upload, published, warnings)
            return published
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


def upload_published(upload: FormUpload, version: FormVersion, warnings: list[str]) -> None:
    """Done in the version's own transaction: a worker that dies after it never leaves a
    published upload looking interrupted."""
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


def md5_text(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


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
