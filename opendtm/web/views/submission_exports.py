"""Exports of a form's submissions: choose the format and options, follow the job, download."""

from django import forms
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.collection.exports.services import export_create
from opendtm.collection.models import Export
from opendtm.collection.selectors.submissions import export_get, export_list, submission_form_get
from opendtm.collection.services.interrupted_jobs import interrupted_jobs_fail
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=Export.Format.choices,
        initial=Export.Format.CSV,
        widget=forms.RadioSelect,
    )
    group_paths = forms.BooleanField(
        label=gettext_lazy("Group names in column headers (location-area)"),
        required=False,
        initial=True,
    )
    split_select_multiple = forms.BooleanField(
        label=gettext_lazy("Multiple-choice answers also as one 0/1 column per choice"),
        required=False,
        initial=True,
    )


@operation_page(Capability.VIEW_SUBMISSIONS)
def export_index(request: SignedInRequest, operation: Operation, form_id: str) -> HttpResponse:
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    export_form = ExportForm(request.POST or None)
    interrupted_jobs_fail(operation)
    context: dict = {
        "form": form,
        "export_form": export_form,
        "exports": export_list(user=request.user, operation=operation, form=form)[:20],
    }
    if request.method == "POST" and export_form.is_valid():
        options = dict(export_form.cleaned_data)
        try:
            export = export_create(
                actor=request.user, form=form, format=options.pop("format"), options=options
            )
        except ApplicationError as error:
            context.update(refusal(error))
            return page(request, operation, "web/submissions/exports.html", context, status=400)
        return redirect(
            "web:submission-export", slug=operation.slug, form_id=form.form_id, export_id=export.pk
        )
    return page(request, operation, "web/submissions/exports.html", context)


@operation_page(Capability.VIEW_SUBMISSIONS)
def export_status(
    request: SignedInRequest, operation: Operation, form_id: str, export_id: int
) -> HttpResponse:
    """The export's progress; htmx polls the partial until the file is ready."""
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    interrupted_jobs_fail(operation)
    export = export_get(user=request.user, operation=operation, form=form, export_id=export_id)
    template = (
        "web/submissions/_export.html"
        if request.headers.get("HX-Request")
        else "web/submissions/export.html"
    )
    return page(request, operation, template, {"form": form, "export": export})


@operation_page(Capability.VIEW_SUBMISSIONS)
def export_download(
    request: SignedInRequest, operation: Operation, form_id: str, export_id: int
) -> FileResponse:
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    export = export_get(user=request.user, operation=operation, form=form, export_id=export_id)
    if export.status != Export.Status.DONE or not export.file:
        raise NotFound("This export has no file yet.")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=(export.file.name or "").rpartition("/")[2],
        content_type="application/zip"
        if export.format == Export.Format.CSV
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
