"""Which operations a user sees, and what they may do in each.

Every selector of every app starts here. An operation the user does not belong to is
reported as not found, exactly like one that does not exist, so slugs cannot be probed.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Membership, Operation, User
from opendtm.accounts.roles import Capability, capabilities_of
from opendtm.core.errors import Forbidden, NotFound

AnyUser = User | AnonymousUser
_CACHE_ATTRIBUTE = "_opendtm_capabilities"


def operation_list(*, user: AnyUser) -> QuerySet[Operation]:
    if not user.is_authenticated or not user.is_active:
        return Operation.objects.none()
    if user.is_superuser:
        return Operation.objects.all()
    return Operation.objects.filter(memberships__user=user).distinct()


def user_roles(*, user: AnyUser, operation: Operation) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, operation=operation).values_list("role", flat=True)
    )


def user_capabilities(*, user: AnyUser, operation: Operation) -> frozenset[Capability]:
    """Computed once per user object and operation; a request reuses it."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[Capability]] = user.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    if operation.pk not in cache:
        roles = user_roles(user=user, operation=operation)
        cache[operation.pk] = capabilities_of(roles, is_superuser=user.is_superuser)
    return cache[operation.pk]


def forget_capabilities(user: AnyUser) -> None:
    user.__dict__.pop(_CACHE_ATTRIBUTE, None)


def operation_get(*, user: AnyUser, slug: str) -> Operation:
    operation = operation_list(user=user).filter(slug=slug).first()
    if operation is None:
        raise NotFound(_("No operation '%(slug)s' that you can see.") % {"slug": slug})
    return operation


def require(*, user: AnyUser, operation: Operation, capability: Capability) -> None:
    capabilities = user_capabilities(user=user, operation=operation)
    if not capabilities:
        raise NotFound(_("No operation '%(slug)s' that you can see.") % {"slug": operation.slug})
    if capability not in capabilities:
        raise Forbidden(
            _("Your role in %(operation)s does not allow this (%(capability)s).")
            % {"operation": operation.name, "capability": capability.value}
        )


def can(*, user: AnyUser, operation: Operation, capability: Capability) -> bool:
    return capability in user_capabilities(user=user, operation=operation)
