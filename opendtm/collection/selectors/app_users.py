"""Reading an operation's app users, for those who manage them."""

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, require
from opendtm.collection.models import AppUser, Form
from opendtm.core.errors import get_or_not_found


def app_user_list(*, user: AnyUser, operation: Operation) -> QuerySet[AppUser]:
    """The operation's app users, revoked last, each with its forms (two queries in all)."""
    require(user=user, operation=operation, capability=Capability.MANAGE_APP_USERS)
    return (
        AppUser.objects.filter(operation=operation)
        .select_related("operation")
        .prefetch_related(Prefetch("forms", queryset=Form.objects.order_by("title")))
        .order_by(F("revoked_at").asc(nulls_first=True), "name", "id")
    )


def app_user_get(*, user: AnyUser, operation: Operation, app_user_id: int) -> AppUser:
    return get_or_not_found(
        app_user_list(user=user, operation=operation),
        _("No app user %(id)s in %(operation)s.")
        % {"id": app_user_id, "operation": operation.name},
        pk=app_user_id,
    )


def app_user_assignable_forms(*, user: AnyUser, operation: Operation) -> QuerySet[Form]:
    """The forms an app user of the operation can be given: every form not closed."""
    require(user=user, operation=operation, capability=Capability.MANAGE_APP_USERS)
    return (
        Form.objects.filter(operation=operation).exclude(state=Form.State.CLOSED).order_by("title")
    )
