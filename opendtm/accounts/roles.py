"""Roles and what each one allows within an operation.

A user may hold several roles in one operation (a data manager who is also a protection
officer); what they may do is the union. Protection data is need-to-know: no other role,
and not even a superuser, gets it without the protection officer role.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    ENUMERATOR = "enumerator", _("Enumerator")
    DATA_MANAGER = "data_manager", _("Data manager")
    PROTECTION_OFFICER = "protection_officer", _("Protection officer")
    OPERATION_ADMIN = "operation_admin", _("Operation admin")


class Capability(StrEnum):
    VIEW_AREAS = "view_areas"
    VIEW_PUBLISHED = "view_published"
    VIEW_SITES = "view_sites"
    SUBMIT = "submit"
    VIEW_SUBMISSIONS = "view_submissions"
    REVIEW = "review"
    PUBLISH = "publish"
    VIEW_PROTECTION = "view_protection"
    MANAGE_SITES = "manage_sites"
    MANAGE_AREAS = "manage_areas"
    MANAGE_FORMS = "manage_forms"
    MANAGE_APP_USERS = "manage_app_users"
    MANAGE_USERS = "manage_users"
    MANAGE_OPERATION = "manage_operation"
    VIEW_AUDIT = "view_audit"


_READER = {Capability.VIEW_AREAS, Capability.VIEW_PUBLISHED}
_FIELD = _READER | {Capability.VIEW_SITES}
_DATA = _FIELD | {
    Capability.SUBMIT,
    Capability.VIEW_SUBMISSIONS,
    Capability.REVIEW,
    Capability.PUBLISH,
    Capability.MANAGE_SITES,
    Capability.MANAGE_APP_USERS,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VIEWER: frozenset(_READER),
    Role.ENUMERATOR: frozenset(_FIELD | {Capability.SUBMIT}),
    Role.DATA_MANAGER: frozenset(_DATA),
    Role.PROTECTION_OFFICER: frozenset(_FIELD | {Capability.VIEW_PROTECTION}),
    Role.OPERATION_ADMIN: frozenset(
        _DATA
        | {
            Capability.MANAGE_AREAS,
            Capability.MANAGE_FORMS,
            Capability.MANAGE_USERS,
            Capability.MANAGE_OPERATION,
            Capability.VIEW_AUDIT,
        }
    ),
}

SUPERUSER_CAPABILITIES = frozenset(set(Capability) - {Capability.VIEW_PROTECTION})


def capabilities_of(roles: set[str], *, is_superuser: bool = False) -> frozenset[Capability]:
    granted: set[Capability] = set(SUPERUSER_CAPABILITIES) if is_superuser else set()
    for role in roles:
        granted |= ROLE_CAPABILITIES[role]
    return frozenset(granted)
