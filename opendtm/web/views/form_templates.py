"""The DTM forms opendtm ships: install one into the operation, or download its XLSForm."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.collection.selectors.forms import form_get, form_list
from opendtm.core.errors import ApplicationError
from opendtm.tracking.services.form_templates import (
    form_template_get,
    form_template_install,
    form_template_list,
    form_template_lists_refresh,
)
from opendtm.web.views.base import SignedInRequest, page, refusal
from opendtm.web.views.forms import forms_page


@forms_page
def form_templates(request: SignedInRequest, operation: Operation) -> HttpResponseBase:
    """GET: the templates, each with its installed version; POST: install or refresh one."""
    error = None
    if request.method == "POST":
        try:
            return template_action(request, operation)
        except ApplicationError as refused:
            error = refused
    templates = form_template_list()
    installed = {
        form.form_id: form
        for form in form_list(user=request.user, operation=operation).filter(
            form_id__in=[template.form_id for template in templates]
        )
    }
    context: dict[str, Any] = {
        "templates": [(template, installed.get(template.form_id)) for template in templates]
    }
    if error is not None:
        context.update(refusal(error))
    return page(
        request, operation, "web/forms/templates.html", context, status=400 if error else 200
    )


def template_action(request: SignedInRequest, operation: Operation) -> HttpResponse:
    template = form_template_get(request.POST.get("template", ""))
    if request.POST.get("action") == "refresh":
        form = form_get(user=request.user, operation=operation, form_id=template.form_id)
        form_template_lists_refresh(actor=request.user, form=form)
        messages.success(
            request,
            _("The place lists of %(form)s were written again from today's areas and sites.")
            % {"form": form.title},
        )
        return redirect("web:form-templates", slug=operation.slug)
    upload = form_template_install(actor=request.user, operation=operation, template=template)
    return redirect("web:form-upload-status", slug=operation.slug, upload_id=upload.pk)


@forms_page
def form_template_download(
    request: SignedInRequest, operation: Operation, form_id: str
) -> FileResponse:
    template = form_template_get(form_id)
    return FileResponse(template.path.open("rb"), as_attachment=True, filename=template.filename)
