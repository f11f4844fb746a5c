from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.geo.models import ImportJob, Site
from opendtm.geo.selectors import (
    SiteFilters,
    area_get,
    site_get,
    site_list,
    site_match_get,
    site_match_list,
)
from opendtm.geo.services.sites import SiteData, site_area_match_decide, site_create, site_update
from opendtm.tracking.selectors.place_history import site_history
from opendtm.web.forms import SiteFilterForm, SiteForm, SiteImportForm
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal
from opendtm.web.views.imports import import_page

PAGE_SIZE = 50


@operation_page(Capability.VIEW_SITES)
def site_index(request: SignedInRequest, operation: Operation) -> HttpResponse:
    form = SiteFilterForm(request.GET or None)
    filters = SiteFilters.from_query(form.cleaned_data if form.is_valid() else {})
    sites = site_list(user=request.user, operation=operation, filters=filters)
    paginator = Paginator(sites, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "sites": paginator.get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "site_types": Site.Type.choices,
    }
    template = (
        "web/sites/_table.html" if request.headers.get("HX-Request") else "web/sites/list.html"
    )
    return page(request, operation, template, context)


@operation_page(Capability.VIEW_SITES)
def site_detail(request: SignedInRequest, operation: Operation, code: str) -> HttpResponse:
    site = site_get(user=request.user, operation=operation, code=code)
    history = site_history(
        user=request.user, site=site, assessment_type=request.GET.get("type", "")
    )
    return page(request, operation, "web/sites/detail.html", {"site": site, "history": history})


def site_data(operation: Operation, request: SignedInRequest, data: dict) -> SiteData:
    """Form values as the service takes them; the p-code is looked up as the user sees it."""
    area = None
    if data["pcode"]:
        try:
            area = area_get(user=request.user, operation=operation, pcode=data["pcode"])
        except NotFound:
            raise ApplicationError(
                _("%(pcode)s is not an admin area of this operation.") % {"pcode": data["pcode"]},
                hint=_("Check the p-code on the admin areas page, or leave it empty."),
            ) from None
    return SiteData(
        code=data["code"],
        name=data["name"],
        site_type=data["site_type"],
        status=data["status"],
        admin_area=area,
        latitude=data["latitude"],
        longitude=data["longitude"],
        aliases=[alias.strip() for alias in data["aliases"].split(";")],
    )


@operation_page(Capability.MANAGE_SITES)
def site_new(request: SignedInRequest, operation: Operation) -> HttpResponse:
    return site_form(request, operation, None, {"status": Site.Status.OPEN})


@operation_page(Capability.MANAGE_SITES)
def site_edit(request: SignedInRequest, operation: Operation, code: str) -> HttpResponse:
    site = site_get(user=request.user, operation=operation, code=code)
    initial = {
        "code": site.code,
        "name": site.name,
        "site_type": site.site_type,
        "status": site.status,
        "pcode": site.admin_area.pcode if site.admin_area else "",
        "latitude": site.latitude,
        "longitude": site.longitude,
        "aliases": "; ".join(site.aliases),
    }
    return site_form(request, operation, site, initial)


def site_form(
    request: SignedInRequest, operation: Operation, site: Site | None, initial: dict
) -> HttpResponse:
    """Create (no site yet) or edit; a refusal keeps the form filled in with the reason."""
    form = SiteForm(request.POST or None, initial=initial)
    context: dict = {"form": form, "site": site}
    if request.method == "POST" and form.is_valid():
        try:
            data = site_data(operation, request, form.cleaned_data)
            if site is None:
                site = site_create(actor=request.user, operation=operation, data=data)
            else:
                site = site_update(actor=request.user, site=site, data=data)
        except ApplicationError as error:
            context.update(refusal(error))
        else:
            messages.success(request, _("Site %(code)s saved.") % {"code": site.code})
            return redirect("web:site", slug=operation.slug, code=site.code)
    return page(request, operation, "web/sites/form.html", context)


@operation_page(Capability.MANAGE_SITES)
def site_import(request: SignedInRequest, operation: Operation) -> HttpResponse:
    return import_page(request, operation, ImportJob.Kind.SITES, SiteImportForm)


@operation_page(Capability.MANAGE_SITES)
def site_matches(request: SignedInRequest, operation: Operation) -> HttpResponse:
    pending = site_match_list(user=request.user, operation=operation)
    return page(request, operation, "web/sites/matches.html", {"matches": pending})


@operation_page(Capability.MANAGE_SITES)
@require_POST
def site_match_decide(
    request: SignedInRequest, operation: Operation, match_id: int
) -> HttpResponse:
    match = site_match_get(user=request.user, operation=operation, match_id=match_id)
    accept = request.POST.get("decision") == "accept"
    try:
        site_area_match_decide(actor=request.user, match=match, accept=accept)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        text = (
            _("%(site)s placed in %(area)s.") if accept else _("Suggestion for %(site)s rejected.")
        )
        messages.success(
            request, text % {"site": match.site.name, "area": match.suggested_area.name}
        )
    return redirect("web:site-matches", slug=operation.slug)
