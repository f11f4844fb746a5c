"""Subscription keys to the public API: an operation admin issues one to a named consumer
(shown once), sees when each was last used, and revokes it."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.core.errors import ApplicationError
from opendtm.publishing.api.keys import HEADER
from opendtm.publishing.selectors.keys import (
    MANAGE_KEYS,
    subscription_key_get,
    subscription_key_list,
)
from opendtm.publishing.services.keys import subscription_key_issue, subscription_key_revoke
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal


class SubscriptionKeyForm(forms.Form):
    consumer_name = forms.CharField(
        label=gettext_lazy("Consumer"),
        max_length=200,
        help_text=gettext_lazy("The organisation or application that will call the API."),
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Contact email"),
        max_length=254,
        help_text=gettext_lazy("Whom to write to about this key."),
    )


@operation_page(MANAGE_KEYS)
def subscription_key_index(request: SignedInRequest, operation: Operation) -> HttpResponse:
    form = SubscriptionKeyForm(request.POST or None)
    context: dict = {"form": form, "header": HEADER}
    status = 200
    if form.is_bound and form.is_valid():
        try:
            key, secret = subscription_key_issue(
                actor=request.user, operation=operation, **form.cleaned_data
            )
        except ApplicationError as error:
            context.update(refusal(error))
            status = 400
        else:
            context.update({"new_key": key, "new_secret": secret, "form": SubscriptionKeyForm()})
    context["keys"] = subscription_key_list(user=request.user, operation=operation)
    context["api_url"] = request.build_absolute_uri("/v3/displacement/")
    return page(request, operation, "web/sharing/keys.html", context, status=status)


@operation_page(MANAGE_KEYS)
@require_POST
def subscription_key_revoke_view(
    request: SignedInRequest, operation: Operation, key_id: int
) -> HttpResponse:
    key = subscription_key_get(user=request.user, operation=operation, key_id=key_id)
    subscription_key_revoke(actor=request.user, key=key)
    messages.success(
        request, _("The key of %(consumer)s is revoked.") % {"consumer": key.consumer_name}
    )
    return redirect("web:subscription-keys", slug=operation.slug)
