"""Uploading a file to import, and following the job it becomes. Areas and sites alike."""

import datetime

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.errors import ApplicationError
from opendtm.geo.selectors import import_job_get, import_job_list
from opendtm.geo.services.imports import import_job_create
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal


def import_page(
    request: SignedInRequest, operation: Operation, kind: str, form_class: type
) -> HttpResponse:
    """Upload, queue, then follow the job on its page. Shared by areas and sites."""
    form = form_class(request.POST or None, request.FILES or None)
    context: dict = {
        "form": form,
        "kind": kind,
        "jobs": import_job_list(user=request.user, operation=operation, kind=kind)[:10],
    }
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.pop("file")
        options = {  # stored as JSON: dates as ISO text
            key: value.isoformat() if isinstance(value, datetime.date) else value
            for key, value in form.cleaned_data.items()
        }
        try:
            job = import_job_create(
                actor=request.user,
                operation=operation,
                kind=kind,
                name=upload.name,
                data=upload.read(),
                options=options,
            )
        except ApplicationError as error:
            context.update(refusal(error))
            return page(request, operation, "web/imports/new.html", context, status=400)
        return redirect("web:import", slug=operation.slug, kind=kind, job_id=job.pk)
    return page(request, operation, "web/imports/new.html", context)


@operation_page(Capability.VIEW_AREAS)
def import_status(
    request: SignedInRequest, operation: Operation, kind: str, job_id: int
) -> HttpResponse:
    job = import_job_get(user=request.user, operation=operation, kind=kind, job_id=job_id)
    template = (
        "web/imports/_status.html" if request.headers.get("HX-Request") else "web/imports/job.html"
    )
    return page(
        request,
        operation,
        template,
        {
            "job": job,
            "retry_url": reverse(f"web:{kind}-import", kwargs={"slug": operation.slug}),
        },
    )
