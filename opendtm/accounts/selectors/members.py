from dataclasses import dataclass

from django.db.models import Prefetch

from opendtm.accounts.models import Membership, Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import audit_read
from opendtm.core.errors import get_or_not_found


@dataclass(frozen=True)
class Member:
    user: User
    memberships: list[Membership]

    @property
    def roles(self) -> list[str]:
        return [membership.role for membership in self.memberships]


def member_list(*, user: User, operation: Operation) -> list[Member]:
    """The people of an operation with their roles. Names and emails are personal data."""
    require(user=user, operation=operation, capability=Capability.MANAGE_USERS)
    users = (
        User.objects.filter(memberships__operation=operation)
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(operation=operation),
                to_attr="operation_memberships",
            )
        )
        .order_by("username")
    )
    members = [Member(user=member, memberships=member.operation_memberships) for member in users]
    audit_read(actor=user, operation=operation, kind="accounts.membership", note="member list")
    return members


def membership_get(*, user: User, operation: Operation, membership_id: int) -> Membership:
    require(user=user, operation=operation, capability=Capability.MANAGE_USERS)
    return get_or_not_found(
        Membership.objects.select_related("user", "operation"),
        operation=operation,
        pk=membership_id,
    )
