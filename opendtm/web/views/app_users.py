"""App users (devices) and ODK Collect setup: the list, creating one, its QR code.

A new or regenerated token is shown once, inside the QR code and the server URL on the page
that answers the POST; it is never stored or shown again. Signed-in users get their own QR
code too (server URL and username; the password is typed on the phone).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.collection.models import AppUser, Form
from opendtm.collection.openrosa.qr import collect_settings, qr_svg, settings_payload
from opendtm.collection.selectors.app_users import (
    app_user_assignable_forms,
    app_user_get,
    app_user_list,
)
from opendtm.collection.services.app_users import (
    app_user_create,
    app_user_forms_set,
    app_user_regenerate,
    app_user_revoke,
)
from opendtm.core.errors import ApplicationError
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal


class AppUserForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("The phone or the enumerator, e.g. 'Tablet 07 - Bama team'."),
    )
    forms = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Forms it may fill"),
        queryset=Form.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forms"].queryset = choices  # type: ignore[attr-defined]


class AppUserFormsForm(forms.Form):
    forms = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Forms it may fill"),
        queryset=Form.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forms"].queryset = choices  # type: ignore[attr-defined]


def collect_url(request: HttpRequest, operation: Operation, token: str = "") -> str:
    """The server URL to give ODK Collect: no trailing slash (Collect adds /formList)."""
    path = f"/collect/key/{token}/{operation.slug}" if token else f"/collect/{operation.slug}"
    return request.build_absolute_uri(path)


def qr_context(server_url: str, project: str, username: str = "") -> dict[str, Any]:
    payload = settings_payload(
        collect_settings(server_url=server_url, project_name=project, username=username)
    )
    return {
        "server_url": server_url,
        "payload": payload,
        "qr": qr_svg(payload, label=_("QR code for ODK Collect")),
    }


def token_page(
    request: SignedInRequest, operation: Operation, app_user: AppUser, token: str
) -> HttpResponse:
    context = {
        "app_user": app_user,
        **qr_context(collect_url(request, operation, token), f"{operation.name} ({app_user.name})"),
    }
    response = page(request, operation, "web/app_users/token.html", context)
    response["Cache-Control"] = "no-store"  # the token must not stay in a cache
    return response


@operation_page(Capability.MANAGE_APP_USERS)
def app_user_index(request: SignedInRequest, operation: Operation) -> HttpResponse:
    choices = app_user_assignable_forms(user=request.user, operation=operation)
    form = AppUserForm(request.POST or None, choices=choices)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            app_user, token = app_user_create(
                actor=request.user,
                operation=operation,
                name=form.cleaned_data["name"],
                forms=form.cleaned_data["forms"],
            )
        except ApplicationError as error:
            context.update(refusal(error))
            status = 400
        else:
            return token_page(request, operation, app_user, token)
    elif request.method == "POST":
        status = 400
    # Each row's "change forms" checkboxes come from these two lists: no query per row.
    context["assignable"] = list(choices)
    context["app_users"] = [
        (app_user, {form.pk for form in app_user.forms.all()})
        for app_user in app_user_list(user=request.user, operation=operation)
    ]
    return page(request, operation, "web/app_users/list.html", context, status=status)


@operation_page(Capability.MANAGE_APP_USERS)
@require_POST
def app_user_revoke_view(
    request: SignedInRequest, operation: Operation, app_user_id: int
) -> HttpResponse:
    app_user = app_user_get(user=request.user, operation=operation, app_user_id=app_user_id)
    app_user_revoke(actor=request.user, app_user=app_user)
    messages.success(
        request, _("%(name)s can no longer send or download forms.") % {"name": app_user.name}
    )
    return redirect("web:app-users", slug=operation.slug)


@operation_page(Capability.MANAGE_APP_USERS)
@require_POST
def app_user_regenerate_view(
    request: SignedInRequest, operation: Operation, app_user_id: int
) -> HttpResponse:
    app_user = app_user_get(user=request.user, operation=operation, app_user_id=app_user_id)
    token = app_user_regenerate(actor=request.user, app_user=app_user)
    return token_page(request, operation, app_user, token)


@operation_page(Capability.MANAGE_APP_USERS)
@require_POST
def app_user_forms_view(
    request: SignedInRequest, operation: Operation, app_user_id: int
) -> HttpResponse:
    app_user = app_user_get(user=request.user, operation=operation, app_user_id=app_user_id)
    choices = app_user_assignable_forms(user=request.user, operation=operation)
    form = AppUserFormsForm(request.POST, choices=choices)
    if not form.is_valid():
        messages.error(request, _("Those forms cannot be assigned."))
    else:
        try:
            app_user_forms_set(
                actor=request.user, app_user=app_user, forms=form.cleaned_data["forms"]
            )
        except ApplicationError as error:
            messages.error(request, f"{error.message} {error.hint}")
        else:
            messages.success(request, _("Forms of %(name)s saved.") % {"name": app_user.name})
    return redirect("web:app-users", slug=operation.slug)


@operation_page(Capability.SUBMIT)
def collect_setup(request: SignedInRequest, operation: Operation) -> HttpResponse:
    """A signed-in user's own phone: server URL and username in the QR, password typed."""
    server_url = collect_url(request, operation)
    context = {
        "https": server_url.startswith("https://"),
        **qr_context(server_url, operation.name, request.user.get_username()),
    }
    return page(request, operation, "web/app_users/setup.html", context)
