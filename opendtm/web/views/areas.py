from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.errors import ApplicationError
from opendtm.geo.models import ImportJob
from opendtm.geo.selectors import (
    SiteFilters,
    area_ancestors,
    area_get,
    area_level_counts,
    area_list,
    area_versions,
    import_job_get,
    import_job_list,
    site_list,
)
from opendtm.geo.services.imports import import_job_create
from opendtm.web.forms import AreaImportForm
from opendtm.web.views.base import (
    SignedInRequest,
    capabilities,
    operation_page,
    page,
    refusal,
)


@operation_page(Capability.VIEW_AREAS)
def area_tree(request: SignedInRequest, operation: Operation) -> HttpResponse:
    counts = area_level_counts(user=request.user, operation=operation)
    top = min(counts, default=0)
    roots = area_list(user=request.user, operation=operation, level=top).order_by("name")
    text = request.GET.get("q", "").strip()
    found = area_list(user=request.user, operation=operation, text=text)[:100] if text else None
    return page(
        request,
        operation,
        "web/areas/tree.html",
        {
            "levels": [
                (level, operation.level_name(level), count) for level, count in counts.items()
            ],
            "roots": roots,
            "found": found,
            "q": text,
            "map_level": 1 if 1 in counts else top,
        },
    )


@operation_page(Capability.VIEW_AREAS)
def area_children(request: SignedInRequest, operation: Operation, pcode: str) -> HttpResponse:
    """The next branch of the tree, loaded by htmx when a node opens."""
    area = area_get(user=request.user, operation=operation, pcode=pcode)
    children = area_list(user=request.user, operation=operation, parent=area).order_by("name")
    return page(request, operation, "web/areas/_children.html", {"children": children})


@operation_page(Capability.VIEW_AREAS)
def area_detail(request: SignedInRequest, operation: Operation, pcode: str) -> HttpResponse:
    area = area_get(user=request.user, operation=operation, pcode=pcode)
    if area.pcode != pcode:
        return redirect("web:area", slug=operation.slug, pcode=area.pcode)
    context = {
        "area": area,
        "level_name": operation.level_name(area.level),
        "child_level_name": operation.level_name(area.level + 1),
        "children": area_list(user=request.user, operation=operation, parent=area).order_by("name"),
        "versions": area_versions(user=request.user, area=area),
        "ancestors": area_ancestors(user=request.user, area=area),
    }
    if Capability.VIEW_SITES in capabilities(request, operation):
        sites = site_list(
            user=request.user, operation=operation, filters=SiteFilters(area=area.pcode)
        )
        context["sites"] = sites[:200]
        context["site_count"] = sites.count()
    return page(request, operation, "web/areas/detail.html", context)


@operation_page(Capability.MANAGE_AREAS)
def area_import(request: SignedInRequest, operation: Operation) -> HttpResponse:
    return import_page(request, operation, ImportJob.Kind.AREAS, AreaImportForm)


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
        options = {key: str(value) if value else value for key, value in form.cleaned_data.items()}
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
