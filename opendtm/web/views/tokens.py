from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opendtm.accounts.selectors.tokens import token_get, token_list
from opendtm.accounts.services.tokens import token_create, token_revoke
from opendtm.core.errors import ApplicationError
from opendtm.web.forms import TokenForm
from opendtm.web.views.base import SignedInRequest, refusal


@login_required
def token_index(request: SignedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            token, key = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ApplicationError as error:
            context.update(refusal(error))
        else:
            context.update({"new_token": token, "new_key": key, "form": TokenForm()})
    context["tokens"] = token_list(user=request.user)
    return render(request, "web/tokens.html", context)


@login_required
@require_POST
def token_revoke_view(request: SignedInRequest, token_id: int) -> HttpResponse:
    token_revoke(actor=request.user, token=token_get(user=request.user, token_id=token_id))
    return redirect("web:tokens")
