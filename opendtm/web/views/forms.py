"""Form pages: the list, uploading an XLSForm and following its conversion, and one form with
its versions, downloads, settings, state and media files."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import operation_get
from opendtm.collection.blobs import blob_open
from opendtm.collection.models import Form, FormVersion
from opendtm.collection.selectors.forms import (
    form_get,
    form_list,
    form_media_get,
    form_questions,
    form_upload_get,
    form_upload_list,
    form_version_get,
    form_versions,
    require_form_reader,
)
from opendtm.collection.services.forms import (
    form_media_add,
    form_state_set,
    form_update,
    form_upload_create,
)
from opendtm.collection.services.interrupted_jobs import interrupted_jobs_fail
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.tracking.selectors.mapping import mapping_summary
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's own recipe); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class FormUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("XLSForm"),
        help_text=gettext_lazy(
            "An XLSForm (.xlsx, .xls, .csv or .md), or an XForm (.xml) from ODK Central or "
            "KoboToolbox. Uploading a form again with a higher version publishes a new version."
        ),
    )
    media_files = MultipleFileField(
        label=gettext_lazy("Media files"),
        required=False,
        help_text=gettext_lazy(
            "The CSV files of select_one_from_file questions, images and other files the form "
            "uses. You can also add them later."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=Form.Kind.choices,
        initial=Form.Kind.OTHER,
        help_text=gettext_lazy("For a new form; an existing form's kind is set on its page."),
    )


class FormSettingsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Form.Kind.choices)
    site_field = forms.ChoiceField(
        label=gettext_lazy("Site field"),
        required=False,
        help_text=gettext_lazy("The question that holds the site code."),
    )
    area_field = forms.ChoiceField(
        label=gettext_lazy("Admin area field"),
        required=False,
        help_text=gettext_lazy("The question that holds the admin area p-code."),
    )

    def __init__(self, *args: Any, form: Form, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = form_questions(form)
        for name in ("site_field", "area_field"):
            choices = [("", "—"), *((path, path) for path in questions)]
            current = getattr(form, name)
            if current and current not in questions:
                choices.append((current, _("%(path)s (not in this version)") % {"path": current}))
            self.fields[name].choices = choices  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, form: Form) -> dict[str, str]:
        return {
            "title": form.title,
            "kind": form.kind,
            "site_field": form.site_field,
            "area_field": form.area_field,
        }


class FormMediaForm(forms.Form):
    name = forms.ChoiceField(label=gettext_lazy("For the form's file"))
    file = forms.FileField(label=gettext_lazy("File"))

    def __init__(self, *args: Any, version: FormVersion, missing: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        names = missing + [name for name in version.media_expected if name not in missing]
        self.fields["name"].choices = [(name, name) for name in names]  # type: ignore[attr-defined]


FormView = Callable[..., HttpResponseBase]


def forms_page(view: FormView) -> FormView:
    """Sign-in, the operation (404 if not the user's) and a role that works with forms."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponseBase:
        operation = operation_get(user=request.user, slug=slug)
        require_form_reader(user=request.user, operation=operation)
        return view(request, operation, **kwargs)

    return wrapper


@forms_page
def form_index(request: SignedInRequest, operation: Operation) -> HttpResponse:
    return page(
        request,
        operation,
        "web/forms/list.html",
        {"forms": form_list(user=request.user, operation=operation)},
    )


@operation_page(Capability.MANAGE_FORMS)
def form_upload(request: SignedInRequest, operation: Operation) -> HttpResponse:
    form = FormUploadForm(request.POST or None, request.FILES or None)
    interrupted_jobs_fail(operation)
    context: dict[str, Any] = {
        "form": form,
        "uploads": form_upload_list(user=request.user, operation=operation)[:10],
    }
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = form_upload_create(
                actor=request.user,
                operation=operation,
                name=upload.name,
                data=upload.read(),
                kind=form.cleaned_data["kind"],
                media=[(item.name, item.read()) for item in form.cleaned_data["media_files"]],
            )
        except ApplicationError as error:
            context.update(refusal(error))
            return page(request, operation, "web/forms/upload.html", context, status=400)
        return redirect("web:form-upload-status", slug=operation.slug, upload_id=created.pk)
    return page(request, operation, "web/forms/upload.html", context)


@operation_page(Capability.MANAGE_FORMS)
def form_upload_status(
    request: SignedInRequest, operation: Operation, upload_id: int
) -> HttpResponse:
    interrupted_jobs_fail(operation)
    upload = form_upload_get(user=request.user, operation=operation, upload_id=upload_id)
    template = (
        "web/forms/_upload_status.html"
        if request.headers.get("HX-Request")
        else "web/forms/upload_status.html"
    )
    return page(request, operation, template, {"upload": upload})


def form_page(
    request: SignedInRequest,
    operation: Operation,
    form: Form,
    *,
    settings_form: FormSettingsForm | None = None,
    media_form: FormMediaForm | None = None,
    error: ApplicationError | None = None,
) -> HttpResponse:
    """One form; a refused change shows again with the values entered and the reason."""
    versions = list(form_versions(user=request.user, form=form))
    current = form.current_version
    missing: list[str] = []
    if current is not None:
        listed = next((version for version in versions if version.pk == current.pk), current)
        present = {media.filename for media in listed.media.all()}
        missing = [name for name in current.media_expected if name not in present]
    context: dict[str, Any] = {
        "form": form,
        "versions": versions,
        "current": current,
        "missing": missing,
        "states": Form.State.choices,
        "settings_form": settings_form
        or FormSettingsForm(initial=FormSettingsForm.initial_for(form), form=form),
        "media_form": media_form
        or (
            FormMediaForm(version=current, missing=missing)
            if current is not None and current.media_expected
            else None
        ),
    }
    if current is not None:  # how its questions map to indicators, and what is wrong there
        context["mapping"] = mapping_summary(user=request.user, form_version=current)
    if error is not None:
        context.update(refusal(error))
    return page(request, operation, "web/forms/detail.html", context, status=400 if error else 200)


@forms_page
def form_detail(request: SignedInRequest, operation: Operation, form_id: str) -> HttpResponse:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    return form_page(request, operation, form)


@operation_page(Capability.MANAGE_FORMS)
def form_settings(request: SignedInRequest, operation: Operation, form_id: str) -> HttpResponse:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    if request.method != "POST":
        return redirect("web:form", slug=operation.slug, form_id=form.form_id)
    settings_form = FormSettingsForm(request.POST, form=form)
    if not settings_form.is_valid():
        return form_page(request, operation, form, settings_form=settings_form)
    try:
        form_update(actor=request.user, form=form, **settings_form.cleaned_data)
    except ApplicationError as error:
        return form_page(request, operation, form, settings_form=settings_form, error=error)
    messages.success(request, _("Settings of %(form)s saved.") % {"form": form.form_id})
    return redirect("web:form", slug=operation.slug, form_id=form.form_id)


@operation_page(Capability.MANAGE_FORMS)
def form_state(request: SignedInRequest, operation: Operation, form_id: str) -> HttpResponse:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    if request.method != "POST":
        return redirect("web:form", slug=operation.slug, form_id=form.form_id)
    try:
        form_state_set(actor=request.user, form=form, state=request.POST.get("state", ""))
    except ApplicationError as error:
        return form_page(request, operation, form, error=error)
    messages.success(
        request,
        _("%(form)s is now %(state)s.") % {"form": form.form_id, "state": form.get_state_display()},
    )
    return redirect("web:form", slug=operation.slug, form_id=form.form_id)


@operation_page(Capability.MANAGE_FORMS)
def form_media_upload(
    request: SignedInRequest, operation: Operation, form_id: str, version: str
) -> HttpResponse:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    form_version = form_version_get(user=request.user, form=form, version=version)
    if request.method != "POST":
        return redirect("web:form", slug=operation.slug, form_id=form.form_id)
    media_form = FormMediaForm(request.POST, request.FILES, version=form_version, missing=[])
    if not media_form.is_valid():
        return form_page(request, operation, form, media_form=media_form)
    name = media_form.cleaned_data["name"]
    try:
        form_media_add(
            actor=request.user,
            version=form_version,
            name=name,
            data=media_form.cleaned_data["file"].read(),
        )
    except ApplicationError as error:
        return form_page(request, operation, form, media_form=media_form, error=error)
    messages.success(
        request,
        _("%(name)s added to version %(version)s.") % {"name": name, "version": version},
    )
    return redirect("web:form", slug=operation.slug, form_id=form.form_id)


def version_of(
    request: SignedInRequest, operation: Operation, form_id: str, version: str
) -> FormVersion:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    return form_version_get(user=request.user, form=form, version=version)


@forms_page
def form_version_xform(
    request: SignedInRequest, operation: Operation, form_id: str, version: str
) -> HttpResponse:
    """The XForm, byte for byte as devices get it."""
    form_version = version_of(request, operation, form_id, version)
    response = HttpResponse(form_version.xform.encode(), content_type="text/xml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{form_id}-{form_version.version}.xml"
    )
    return response


@forms_page
def form_version_xlsform(
    request: SignedInRequest, operation: Operation, form_id: str, version: str
) -> FileResponse:
    """The file uploaded for this version: the XLSForm, or the XForm when one was uploaded."""
    form_version = version_of(request, operation, form_id, version)
    if not form_version.xlsform_sha256:
        raise NotFound(_("This version has no uploaded file."))
    return FileResponse(
        blob_open(form_version.xlsform_sha256),
        as_attachment=True,
        filename=form_version.xlsform_name or f"{form_id}-{form_version.version}",
    )


@forms_page
def form_version_media(
    request: SignedInRequest, operation: Operation, form_id: str, version: str, name: str
) -> FileResponse:
    form_version = version_of(request, operation, form_id, version)
    media = form_media_get(user=request.user, version=form_version, name=name)
    return FileResponse(
        blob_open(media.sha256),
        as_attachment=True,
        filename=media.filename,
        content_type=media.content_type,
    )
