"""Which operations a user sees, and what they may do in each.

Every selector of every app starts here. An operation the user does not belong to is
reported as not found, exactly like one that does not exist, so slugs cannot be probed.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
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


ROLES_ATTRIBUTE = "user_memberships"


def operation_list_with_roles(*, user: AnyUser) -> QuerySet[Operation]:
    """operation_list, each operation carrying the user's own memberships in it.

    operation_access then reads roles without a query per operation, so a list of any
    length costs the same few queries.
    """
    operations = operation_list(user=user)
    if not user.is_authenticated:
        return operations
    return operations.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(user=user).order_by("role"),
            to_attr=ROLES_ATTRIBUTE,
        )
    )


@dataclass(frozen=True)
class Access:
    """What a user is and may do in one operation."""

    roles: list[str]
    capabilities: list[str]


def operation_access(*, user: AnyUser, operation: Operation) -> Access:
    if not user.is_authenticated:
        return Access(roles=[], capabilities=[])
    prefetched = getattr(operation, ROLES_ATTRIBUTE, None)
    if prefetched is None:
        roles = user_roles(user=user, operation=operation)
    else:
        roles = {membership.role for membership in prefetched if membership.user_id == user.pk}
    capabilities = capabilities_of(roles, is_superuser=user.is_superuser)
    return Access(
        roles=sorted(roles),
        capabilities=sorted(capability.value for capability in capabilities),
    )
