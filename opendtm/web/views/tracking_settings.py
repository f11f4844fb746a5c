"""Tracking settings: age bands and the change threshold, and the indicator catalogue with the
operation's own indicators added, edited and deleted."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.core.errors import ApplicationError
from opendtm.tracking.models import Indicator
from opendtm.tracking.selectors.indicators import catalogue_get, catalogue_list
from opendtm.tracking.services.indicators import (
    IndicatorData,
    indicator_create,
    indicator_delete,
    indicator_update,
)
from opendtm.tracking.services.settings import tracking_settings_get, tracking_settings_update
from opendtm.web.forms_tracking import IndicatorForm, TrackingSettingsForm, show_problems
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal


def settings_context(
    request: SignedInRequest, operation: Operation, form: TrackingSettingsForm | None = None
) -> dict[str, Any]:
    if form is None:
        found = tracking_settings_get(user=request.user, operation=operation)
        form = TrackingSettingsForm(
            initial={
                "age_bands": ", ".join(found.age_bands),
                "change_threshold_percent": found.change_threshold_percent,
            }
        )
    return {"form": form, "indicators": catalogue_list(user=request.user, operation=operation)}


@operation_page(Capability.VIEW_PUBLISHED)
def settings_page(request: SignedInRequest, operation: Operation) -> HttpResponse:
    """GET shows the settings and catalogue; POST saves the settings, for those who publish."""
    if request.method != "POST":
        return page(
            request, operation, "web/tracking/settings.html", settings_context(request, operation)
        )
    require(user=request.user, operation=operation, capability=Capability.PUBLISH)
    form = TrackingSettingsForm(request.POST)
    context = settings_context(request, operation, form)
    if not form.is_valid():
        return page(request, operation, "web/tracking/settings.html", context, status=400)
    try:
        tracking_settings_update(
            actor=request.user,
            operation=operation,
            age_bands=form.bands(),
            change_threshold_percent=form.cleaned_data["change_threshold_percent"],
        )
    except ApplicationError as error:
        show_problems(form, error)
        context.update(refusal(error))
        return page(request, operation, "web/tracking/settings.html", context, status=400)
    messages.success(request, _("Tracking settings saved."))
    return redirect("web:tracking-settings", slug=operation.slug)


def catalogue_url(operation: Operation) -> str:
    return reverse("web:tracking-settings", kwargs={"slug": operation.slug}) + "#indicators"


@operation_page(Capability.PUBLISH)
def indicator_new(request: SignedInRequest, operation: Operation) -> HttpResponse:
    return indicator_form(request, operation, None)


@operation_page(Capability.PUBLISH)
def indicator_edit(request: SignedInRequest, operation: Operation, code: str) -> HttpResponse:
    indicator = catalogue_get(user=request.user, operation=operation, code=code)
    return indicator_form(request, operation, indicator)


def indicator_form(
    request: SignedInRequest, operation: Operation, indicator: Indicator | None
) -> HttpResponse:
    """Add (no indicator yet) or edit one; a refusal keeps the form filled in with the reason."""
    initial = IndicatorForm.initial_for(indicator) if indicator else {}
    form = IndicatorForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {"form": form, "indicator": indicator}
    status = 200
    if request.method == "POST" and form.is_valid():
        data = IndicatorData(**form.cleaned_data)
        try:
            if indicator is None:
                saved = indicator_create(actor=request.user, operation=operation, data=data)
            else:
                saved = indicator_update(
                    actor=request.user, operation=operation, indicator=indicator, data=data
                )
        except ApplicationError as error:
            show_problems(form, error)
            context.update(refusal(error))
            status = 400
        else:
            messages.success(request, _("Indicator %(code)s saved.") % {"code": saved.code})
            return redirect(catalogue_url(operation))
    elif request.method == "POST":
        status = 400
    return page(request, operation, "web/tracking/indicator_form.html", context, status=status)


@operation_page(Capability.PUBLISH)
@require_POST
def indicator_delete_view(
    request: SignedInRequest, operation: Operation, code: str
) -> HttpResponse:
    indicator = catalogue_get(user=request.user, operation=operation, code=code)
    try:
        indicator_delete(actor=request.user, operation=operation, indicator=indicator)
    except ApplicationError as error:
        context = {**settings_context(request, operation), **refusal(error)}
        return page(request, operation, "web/tracking/settings.html", context, status=400)
    messages.success(request, _("Indicator %(code)s deleted.") % {"code": code})
    return redirect(catalogue_url(operation))
