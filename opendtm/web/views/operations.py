from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability, Role
from opendtm.accounts.selectors.operations import operation_access, operation_list_with_roles
from opendtm.accounts.services.operations import operation_create, operation_update
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.geo.models import ImportJob, Site
from opendtm.geo.selectors import (
    area_level_counts,
    import_job_list,
    site_match_list,
    site_type_counts,
)
from opendtm.publishing.services.reports import report_branding_update
from opendtm.web.forms import OperationCreateForm, OperationSettingsForm, split_names
from opendtm.web.views.base import (
    SignedInRequest,
    capabilities,
    operation_page,
    page,
    refusal,
)


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    operations = []
    for operation in operation_list_with_roles(user=request.user):
        roles = operation_access(user=request.user, operation=operation).roles
        operations.append((operation, sorted(Role(role).label for role in roles)))
    return render(request, "web/home.html", {"operations": operations})


@login_required
def operation_new(request: SignedInRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise Forbidden(_("Only superusers create operations."))
    form = OperationCreateForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = operation_create(
                actor=request.user,
                name=data["name"],
                slug=data["slug"],
                country=data["country"],
                admin_level_names=split_names(data["admin_level_names"]),
                pcode_style=data["pcode_style"],
                default_language=data["default_language"],
                suppression_threshold=data["suppression_threshold"],
            )
        except ApplicationError as error:
            context.update(refusal(error))
        else:
            return redirect("web:operation", slug=operation.slug)
    return render(request, "web/operation_new.html", context)


@operation_page(Capability.VIEW_AREAS)
def overview(request: SignedInRequest, operation: Operation) -> HttpResponse:
    user = request.user
    granted = capabilities(request, operation)
    context: dict = {
        "levels": [
            (level, operation.level_name(level), count)
            for level, count in area_level_counts(user=user, operation=operation).items()
        ],
    }
    if Capability.VIEW_SITES in granted:
        counts = site_type_counts(user=user, operation=operation)
        context["site_types"] = [(Site.Type(kind).label, count) for kind, count in counts.items()]
        context["site_total"] = sum(counts.values())
    if Capability.MANAGE_SITES in granted:
        context["pending_matches"] = site_match_list(user=user, operation=operation).count()
    if Capability.MANAGE_AREAS in granted:
        jobs = import_job_list(user=user, operation=operation, kind=ImportJob.Kind.AREAS)
        context["area_imports"] = jobs[:5]
    return page(request, operation, "web/operation.html", context)


@operation_page(Capability.MANAGE_OPERATION)
def operation_settings(request: SignedInRequest, operation: Operation) -> HttpResponse:
    form = OperationSettingsForm(
        request.POST or None,
        request.FILES or None,
        initial=OperationSettingsForm.initial_for(operation),
    )
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        logo = data["report_logo"]
        try:
            with transaction.atomic():  # both saved, or neither
                operation_update(
                    actor=request.user,
                    operation=operation,
                    name=data["name"],
                    admin_level_names=split_names(data["admin_level_names"]),
                    default_language=data["default_language"],
                    suppression_threshold=data["suppression_threshold"],
                    public_dashboard=data["public_dashboard"],
                )
                report_branding_update(
                    actor=request.user,
                    operation=operation,
                    disclaimer=data["report_disclaimer"],
                    logo=logo.read() if logo else None,
                    remove_logo=data["remove_report_logo"],
                )
        except ApplicationError as error:
            context.update(refusal(error))
        else:
            return redirect("web:operation", slug=operation.slug)
    return page(request, operation, "web/operation_settings.html", context)
