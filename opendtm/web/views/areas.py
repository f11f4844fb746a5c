from django.http import HttpResponse
from django.shortcuts import redirect

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.geo.models import ImportJob
from opendtm.geo.selectors import (
    SiteFilters,
    area_ancestors,
    area_get,
    area_level_counts,
    area_list,
    area_versions,
    site_list,
)
from opendtm.tracking.selectors.place_history import area_children_latest, area_history
from opendtm.web.forms import AreaImportForm
from opendtm.web.views.base import (
    SignedInRequest,
    capabilities,
    operation_page,
    page,
)
from opendtm.web.views.imports import import_page


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
    history = area_history(
        user=request.user, area=area, assessment_type=request.GET.get("type", "")
    )
    context = {
        "area": area,
        "level_name": operation.level_name(area.level),
        "child_level_name": operation.level_name(area.level + 1),
        "history": history,
        "children": area_children_latest(
            user=request.user, area=area, assessment_type=history.assessment_type
        ),
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
