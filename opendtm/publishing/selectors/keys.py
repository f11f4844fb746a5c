"""An operation's subscription keys, for the admins who issue them."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.core.errors import get_or_not_found
from opendtm.publishing.models import SubscriptionKey

# A key hands out data to someone outside: those who grant people access issue keys.
MANAGE_KEYS = Capability.MANAGE_USERS


def subscription_key_list(*, user: User, operation: Operation) -> QuerySet[SubscriptionKey]:
    require(user=user, operation=operation, capability=MANAGE_KEYS)
    return (
        SubscriptionKey.objects.filter(operation=operation)
        .select_related("issued_by")
        .order_by("-created_at", "-id")
    )


def subscription_key_get(*, user: User, operation: Operation, key_id: int) -> SubscriptionKey:
    return get_or_not_found(
        subscription_key_list(user=user, operation=operation),
        _("No subscription key %(id)s in this operation.") % {"id": key_id},
        pk=key_id,
    )
