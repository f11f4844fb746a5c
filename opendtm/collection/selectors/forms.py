"""Reading forms, their versions, media and uploads, always through the acting user's rights.

Forms are seen by whoever may fill them (SUBMIT), read their data (VIEW_SUBMISSIONS) or
manage them (MANAGE_FORMS). Uploads are the managers' business. `forms_fillable` is what the
OpenRosa formList offers a user or an app user.
"""

from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, can, require, user_capabilities
from opendtm.collection.models import AppUser, Form, FormMedia, FormUpload, FormVersion
from opendtm.core.errors import get_or_not_found

FORM_READERS = frozenset({Capability.SUBMIT, Capability.VIEW_SUBMISSIONS, Capability.MANAGE_FORMS})
# Columns a list never shows; a version's XForm and pyxform JSON can be large.
HEAVY_VERSION_FIELDS = ("xform", "definition", "schema")


def require_form_reader(*, user: AnyUser, operation: Operation) -> None:
    """Not found outside the user's operations; forbidden to roles without form access."""
    granted = user_capabilities(user=user, operation=operation)
    if not granted & FORM_READERS:
        require(user=user, operation=operation, capability=Capability.VIEW_SUBMISSIONS)


def form_list(*, user: AnyUser, operation: Operation) -> QuerySet[Form]:
    """The forms with their current version, submission count and last submission."""
    require_form_reader(user=user, operation=operation)
    return (
        Form.objects.filter(operation=operation)
        .select_related("current_version")
        .defer(*(f"current_version__{name}" for name in HEAVY_VERSION_FIELDS))
        .annotate(
            submission_count=Count("submissions"),
            last_submission_at=Max("submissions__received_at"),
        )
    )


def form_get(*, user: AnyUser, operation: Operation, form_id: str) -> Form:
    require_form_reader(user=user, operation=operation)
    return get_or_not_found(
        Form.objects.select_related("operation", "current_version", "created_by"),
        _("No form %(form)s in %(operation)s.") % {"form": form_id, "operation": operation.name},
        operation=operation,
        form_id=form_id,
    )


def form_questions(form: Form) -> list[str]:
    """Paths of the current version's questions holding one value per submission.

    These can name the site or admin area of a submission: repeats, groups, files and the
    meta block cannot.
    """
    version = form.current_version
    if version is None:
        return []
    return [
        field["path"]
        for field in version.schema.get("fields", [])
        if field.get("kind") == "field"
        and not field.get("repeat")
        and field.get("type") != "binary"
        and not field["path"].startswith("meta/")
    ]


def form_versions(*, user: AnyUser, form: Form) -> QuerySet[FormVersion]:
    """Newest first, each with its media files; without the XForm text itself."""
    require_form_reader(user=user, operation=form.operation)
    return (
        form.versions.select_related("created_by")
        .prefetch_related("media")
        .defer(*HEAVY_VERSION_FIELDS)
    )


def form_version_get(*, user: AnyUser, form: Form, version: str) -> FormVersion:
    require_form_reader(user=user, operation=form.operation)
    return get_or_not_found(
        FormVersion.objects.select_related("form", "form__operation", "created_by"),
        _("%(form)s has no version %(version)s.") % {"form": form.form_id, "version": version},
        form=form,
        version=version,
    )


def form_media_list(*, user: AnyUser, version: FormVersion) -> QuerySet[FormMedia]:
    require_form_reader(user=user, operation=version.form.operation)
    return FormMedia.objects.filter(version=version)


def form_media_get(*, user: AnyUser, version: FormVersion, name: str) -> FormMedia:
    return get_or_not_found(
        form_media_list(user=user, version=version),
        _("Version %(version)s has no file %(name)s.") % {"version": version.version, "name": name},
        filename=name,
    )


def form_upload_list(*, user: AnyUser, operation: Operation) -> QuerySet[FormUpload]:
    require(user=user, operation=operation, capability=Capability.MANAGE_FORMS)
    return (
        FormUpload.objects.filter(operation=operation)
        .select_related("created_by", "version", "version__form")
        .defer(*(f"version__{name}" for name in HEAVY_VERSION_FIELDS))
    )


def form_upload_get(*, user: AnyUser, operation: Operation, upload_id: int) -> FormUpload:
    return get_or_not_found(
        form_upload_list(user=user, operation=operation),
        _("No form upload %(upload)s in %(operation)s.")
        % {"upload": upload_id, "operation": operation.name},
        pk=upload_id,
    )


def forms_fillable(
    *, operation: Operation, user: AnyUser | None = None, app_user: AppUser | None = None
) -> QuerySet[Form]:
    """Open forms with a published version that this user or app user may fill.

    An app user gets only the forms assigned to it, and nothing once revoked or when it
    belongs to another operation; a user needs SUBMIT in the operation. Closing and closed
    forms are never listed.
    """
    forms = Form.objects.filter(
        operation=operation, state=Form.State.OPEN, current_version__isnull=False
    ).select_related("current_version")
    if app_user is not None:
        if app_user.operation_id != operation.pk or app_user.revoked_at is not None:
            return Form.objects.none()
        return forms.filter(app_users=app_user)
    if user is not None and can(user=user, operation=operation, capability=Capability.SUBMIT):
        return forms
    return Form.objects.none()
