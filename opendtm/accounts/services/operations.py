from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from opendtm.accounts.countries import country_resolve
from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, audit_update, snapshot
from opendtm.core.errors import ApplicationError, Forbidden, clean_or_refuse

EDITABLE_FIELDS = (
    "name",
    "admin_level_names",
    "default_language",
    "suppression_threshold",
    "public_dashboard",
)


def clean_level_names(names: list[str]) -> list[str]:
    cleaned = [name.strip() for name in names if name.strip()]
    if not cleaned:
        raise ApplicationError(
            _("An operation needs the names of its admin levels."),
            hint=_("For example: Country, State, LGA, Ward."),
        )
    return cleaned


@transaction.atomic
def operation_create(
    *,
    actor: User,
    name: str,
    country: str,
    slug: str = "",
    admin_level_names: list[str],
    default_language: str = "en",
    suppression_threshold: int = 5,
    pcode_style: str = Operation.PcodeStyle.ISO2,
) -> Operation:
    if not actor.is_superuser:
        raise Forbidden(_("Only superusers create operations."))
    resolved = country_resolve(country)
    slug = slugify(slug or name)[:60].strip("-")  # a long name gives a slug the URL can hold
    if not slug:
        raise ApplicationError(_("The operation needs a name made of letters or digits."))
    if Operation.objects.filter(slug=slug).exists():
        raise ApplicationError(
            _("An operation with the slug '%(slug)s' exists already.") % {"slug": slug},
            hint=_("Choose another name or slug."),
        )
    operation = Operation.objects.create(
        name=name.strip(),
        slug=slug,
        country_iso3=resolved.iso3,
        country_iso2=resolved.iso2,
        country_name=resolved.name,
        pcode_style=pcode_style,
        admin_level_names=clean_level_names(admin_level_names),
        default_language=default_language,
        suppression_threshold=suppression_threshold,
    )
    audit_record(
        actor=actor,
        operation=operation,
        action=Action.CREATE,
        instance=operation,
        after=snapshot(operation),
    )
    return operation


@transaction.atomic
def operation_update(*, actor: User, operation: Operation, **changes: object) -> Operation:
    require(user=actor, operation=operation, capability=Capability.MANAGE_OPERATION)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)},
            hint=_("The country and p-code style are fixed once an operation exists."),
        )
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    before = snapshot(operation, EDITABLE_FIELDS)
    if "admin_level_names" in changes:
        changes["admin_level_names"] = clean_level_names(changes["admin_level_names"])  # type: ignore[arg-type]
    for field, value in changes.items():
        setattr(operation, field, value)
    clean_or_refuse(operation)
    operation.save()
    audit_update(actor=actor, operation=operation, instance=operation, before=before)
    return operation
