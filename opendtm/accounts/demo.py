"""The demo operation and its people: an admin, and one user per role to try each view."""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.crypto import get_random_string

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Role
from opendtm.accounts.services.members import member_add
from opendtm.accounts.services.operations import operation_create

DEMO_SLUG = "nga-ne"
ADMIN = "admin"
ROLE_USERS = {
    "viewer": [Role.VIEWER],
    "enumerator": [Role.ENUMERATOR],
    "datamanager": [Role.DATA_MANAGER],
    "protection": [Role.PROTECTION_OFFICER],
}


@dataclass
class DemoPeople:
    operation: Operation
    admin: User
    password: str | None  # set only when the accounts were created by this run


@transaction.atomic
def demo_people_ensure() -> DemoPeople:
    admin = User.objects.filter(username=ADMIN).first()
    password = None
    if admin is None:
        password = get_random_string(12)
        admin = User.objects.create_superuser(ADMIN, "admin@demo.opendtm.org", password)
    operation = Operation.objects.filter(slug=DEMO_SLUG).first() or operation_create(
        actor=admin,
        name="Nigeria North-East (demo)",
        slug=DEMO_SLUG,
        country="NGA",
        admin_level_names=["Country", "State", "LGA", "Ward"],
        suppression_threshold=5,
    )
    for role in (Role.OPERATION_ADMIN, Role.PROTECTION_OFFICER):
        member_add(actor=admin, operation=operation, user=admin, role=role)
    for username, roles in ROLE_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@demo.opendtm.org")
            user.set_password(password or secrets.token_urlsafe(16))
            user.save()
        for role in roles:
            member_add(actor=admin, operation=operation, user=user, role=role)
    return DemoPeople(operation=operation, admin=admin, password=password)
