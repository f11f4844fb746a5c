"""Users and their roles in an operation."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from opendtm.accounts.models import Membership, Operation, User
from opendtm.accounts.roles import Capability, Role
from opendtm.accounts.selectors.operations import forget_capabilities, require, user_roles
from opendtm.accounts.services.audit import Action, audit_record, snapshot
from opendtm.core.errors import ApplicationError, Forbidden, clean_or_refuse


def check_may_grant(*, actor: User, operation: Operation, role: str) -> None:
    require(user=actor, operation=operation, capability=Capability.MANAGE_USERS)
    # Protection data is need-to-know: an operation admin cannot hand it to themselves.
    if role == Role.PROTECTION_OFFICER and not (
        actor.is_superuser or Role.PROTECTION_OFFICER in user_roles(user=actor, operation=operation)
    ):
        raise Forbidden(
            _("Only a superuser or a protection officer of this operation grants that role.")
        )


@transaction.atomic
def member_add(*, actor: User, operation: Operation, user: User, role: str) -> Membership:
    if role not in Role.values:
        raise ApplicationError(
            _("'%(role)s' is not a role.") % {"role": role},
            hint=_("Roles are: %(roles)s.") % {"roles": ", ".join(Role.values)},
        )
    check_may_grant(actor=actor, operation=operation, role=role)
    membership, created = Membership.objects.get_or_create(
        user=user, operation=operation, role=role
    )
    if created:
        audit_record(
            actor=actor,
            operation=operation,
            action=Action.CREATE,
            instance=membership,
            after=snapshot(membership),
        )
        forget_capabilities(user)
    return membership


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    operation = membership.operation
    check_may_grant(actor=actor, operation=operation, role=membership.role)
    admins = Membership.objects.filter(operation=operation, role=Role.OPERATION_ADMIN)
    if membership.role == Role.OPERATION_ADMIN and admins.count() == 1 and not actor.is_superuser:
        raise ApplicationError(
            _("%(user)s is the last operation admin of %(operation)s.")
            % {"user": membership.user, "operation": operation},
            hint=_("Make someone else operation admin first."),
        )
    audit_record(
        actor=actor,
        operation=operation,
        action=Action.DELETE,
        instance=membership,
        before=snapshot(membership),
    )
    membership.delete()
    forget_capabilities(membership.user)


@transaction.atomic
def user_create(
    *,
    actor: User,
    operation: Operation,
    username: str,
    email: str = "",
    full_name: str = "",
    roles: list[str],
) -> tuple[User, str]:
    """A new account with roles in this operation; the password is returned once."""
    for role in roles:
        check_may_grant(actor=actor, operation=operation, role=role)
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            _("The username '%(username)s' is taken.") % {"username": username},
            hint=_("Add the existing user to this operation instead, or choose another name."),
        )
    first, _space, last = full_name.strip().partition(" ")
    user = User(username=username.strip(), email=email.strip(), first_name=first, last_name=last)
    clean_or_refuse(user, exclude=["password"])
    password = get_random_string(14)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        operation=operation,
        action=Action.CREATE,
        instance=user,
        after=snapshot(user, ["username", "email", "first_name", "last_name"]),
    )
    for role in roles:
        member_add(actor=actor, operation=operation, user=user, role=role)
    return user, password


@dataclass(frozen=True)
class Grant:
    """The outcome of member_grant; password is set only for a new account, shown once."""

    user: User
    memberships: list[Membership]
    created: bool
    password: str = ""


@transaction.atomic
def member_grant(
    *,
    actor: User,
    operation: Operation,
    username: str,
    roles: list[str],
    email: str = "",
    full_name: str = "",
) -> Grant:
    """Give roles in this operation to a username: the existing account, or a new one.

    The email and full name are used only when the account is created.
    """
    if not roles:
        raise ApplicationError(
            _("Give at least one role."),
            hint=_("Roles are: %(roles)s.") % {"roles": ", ".join(Role.values)},
        )
    existing = User.objects.filter(username__iexact=username.strip()).first()
    if existing is None:
        user, password = user_create(
            actor=actor,
            operation=operation,
            username=username,
            email=email,
            full_name=full_name,
            roles=roles,
        )
    else:
        user, password = existing, ""
        for role in roles:
            member_add(actor=actor, operation=operation, user=user, role=role)
    memberships = list(
        Membership.objects.filter(user=user, operation=operation).order_by("role", "pk")
    )
    return Grant(user=user, memberships=memberships, created=existing is None, password=password)
