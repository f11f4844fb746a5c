from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.members import member_list, membership_get
from opendtm.accounts.services.members import member_add, member_remove, user_create
from opendtm.core.errors import ApplicationError
from opendtm.web.forms import MemberAddForm, UserCreateForm
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal


@operation_page(Capability.MANAGE_USERS)
def member_index(request: SignedInRequest, operation: Operation) -> HttpResponse:
    add_form = MemberAddForm(request.POST if "add" in request.POST else None, prefix="add")
    create_form = UserCreateForm(request.POST if "create" in request.POST else None, prefix="new")
    context: dict = {"add_form": add_form, "create_form": create_form}
    status = 200
    try:
        if add_form.is_bound and add_form.is_valid():
            add_existing(request, operation, add_form.cleaned_data)
            return redirect("web:members", slug=operation.slug)
        if create_form.is_bound and create_form.is_valid():
            data = create_form.cleaned_data
            user, password = user_create(
                actor=request.user,
                operation=operation,
                username=data["username"],
                email=data["email"],
                full_name=data["full_name"],
                roles=data["roles"],
            )
            context["new_account"] = (user, password)
    except ApplicationError as error:
        context.update(refusal(error))
        status = 400
    context["members"] = member_list(user=request.user, operation=operation)
    return page(request, operation, "web/members.html", context, status=status)


def add_existing(request: SignedInRequest, operation: Operation, data: dict) -> None:
    user = User.objects.filter(username__iexact=data["username"], is_active=True).first()
    if user is None:
        raise ApplicationError(
            _("There is no active user called '%(username)s'.") % {"username": data["username"]},
            hint=_("Create the account below instead."),
        )
    member_add(actor=request.user, operation=operation, user=user, role=data["role"])
    messages.success(request, _("%(user)s added.") % {"user": user.username})


@operation_page(Capability.MANAGE_USERS)
@require_POST
def member_remove_view(
    request: SignedInRequest, operation: Operation, membership_id: int
) -> HttpResponse:
    membership = membership_get(user=request.user, operation=operation, membership_id=membership_id)
    try:
        member_remove(actor=request.user, membership=membership)
    except ApplicationError as error:
        messages.error(request, f"{error.message} {error.hint}")
    else:
        messages.success(request, _("Role removed."))
    return redirect("web:members", slug=operation.slug)
