"""Reading the indicator catalogue: built-in entries and the operation's own."""

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.selectors.operations import AnyUser
from opendtm.core.errors import NotFound
from opendtm.tracking.models import Indicator
from opendtm.tracking.selectors.figures import visible_indicators


def indicator_list(*, user: AnyUser, operation: Operation) -> QuerySet[Indicator]:
    """Those the user may see figures of, built-in first, then the operation's own."""
    return visible_indicators(user=user, operation=operation).order_by(
        F("operation_id").asc(nulls_first=True), "position", "code"
    )


def indicator_get(*, user: AnyUser, operation: Operation, code: str) -> Indicator:
    found = indicator_list(user=user, operation=operation).filter(code=code).first()
    if found is None:
        raise NotFound(
            _("No indicator '%(code)s' that you can see in %(operation)s.")
            % {"code": code, "operation": operation.name}
        )
    return found
