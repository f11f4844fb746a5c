"""Reading the indicator catalogue: built-in entries and the operation's own."""

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, can
from opendtm.core.errors import NotFound
from opendtm.tracking.models import Indicator
from opendtm.tracking.selectors.figures import visible_indicators


def indicator_list(*, user: AnyUser, operation: Operation) -> QuerySet[Indicator]:
    """Those the user may see figures of, built-in first, then the operation's own."""
    return visible_indicators(user=user, operation=operation).order_by(
        F("operation_id").asc(nulls_first=True), "position", "code"
    )


def catalogue_list(*, user: AnyUser, operation: Operation) -> QuerySet[Indicator]:
    """What the user may see of the catalogue: all of it for those who manage tracking (a
    definition holds no data, and they map and manage protection indicators whose figures
    they cannot read); for everyone else, the indicators whose figures they may see."""
    if not can(user=user, operation=operation, capability=Capability.PUBLISH):
        return indicator_list(user=user, operation=operation)
    return Indicator.objects.filter(Q(operation__isnull=True) | Q(operation=operation)).order_by(
        F("operation_id").asc(nulls_first=True), "position", "code"
    )


def catalogue_get(*, user: AnyUser, operation: Operation, code: str) -> Indicator:
    found = catalogue_list(user=user, operation=operation).filter(code=code).first()
    if found is None:
        raise NotFound(
            _("No indicator '%(code)s' that you can see in %(operation)s.")
            % {"code": code, "operation": operation.name}
        )
    return found
