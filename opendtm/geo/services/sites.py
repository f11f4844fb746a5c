"""Creating and changing sites, one at a time (pages, API) or from a master list."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, audit_update, snapshot
from opendtm.core.errors import ApplicationError, Problem, clean_or_refuse
from opendtm.geo.geometry import covers_point
from opendtm.geo.models import AdminArea, Site, SiteAreaMatch


@dataclass
class SiteData:
    code: str
    name: str
    site_type: str
    status: str = Site.Status.OPEN
    admin_area: AdminArea | None = None
    latitude: float | None = None
    longitude: float | None = None
    aliases: list[str] = field(default_factory=list)


SITE_FIELDS = [
    "code",
    "name",
    "site_type",
    "status",
    "admin_area",
    "latitude",
    "longitude",
    "aliases",
    "outside_area",
]


def area_at_point(operation: Operation, latitude: float, longitude: float) -> AdminArea | None:
    """The deepest current area whose boundary covers the point."""
    candidates = (
        AdminArea.objects.current()
        .filter(
            operation=operation,
            geometry__isnull=False,
            min_lon__lte=longitude,
            max_lon__gte=longitude,
            min_lat__lte=latitude,
            max_lat__gte=latitude,
        )
        .order_by("-level")
    )
    for area in candidates:
        if covers_point(area.geometry, longitude, latitude):  # type: ignore[arg-type]
            return area
    return None


def is_outside(area: AdminArea | None, latitude: float | None, longitude: float | None) -> bool:
    if area is None or latitude is None or longitude is None or not area.geometry:
        return False
    return not covers_point(area.geometry, longitude, latitude)


def check_site_data(operation: Operation, data: SiteData, site: Site | None = None) -> None:
    problems = []
    taken = Site.objects.filter(operation=operation, code=data.code.strip())
    if site is not None:
        taken = taken.exclude(pk=site.pk)
    if taken.exists():
        problems.append(
            Problem(
                _("another site already has the code %(code)s") % {"code": data.code},
                field="code",
                hint=_("Site codes are unique in an operation."),
            )
        )
    area = data.admin_area
    if area is not None and (area.operation_id != operation.pk or area.valid_to is not None):
        problems.append(
            Problem(_("this admin area is not a current area of the operation"), field="admin_area")
        )
    if (data.latitude is None) != (data.longitude is None):
        problems.append(
            Problem(_("give both latitude and longitude, or neither"), field="latitude")
        )
    if problems:
        raise ApplicationError(_("The site was not saved."), problems=problems)


def locate(operation: Operation, data: SiteData) -> None:
    """A site given coordinates but no area is placed in the area that covers it."""
    if data.admin_area is None and data.latitude is not None and data.longitude is not None:
        data.admin_area = area_at_point(operation, data.latitude, data.longitude)


def apply_site_data(site: Site, data: SiteData) -> None:
    site.code = data.code.strip()
    site.name = data.name.strip()
    site.site_type = data.site_type
    site.status = data.status
    site.latitude, site.longitude = data.latitude, data.longitude
    site.aliases = [alias.strip() for alias in data.aliases if alias.strip()]
    site.admin_area = data.admin_area
    site.outside_area = is_outside(site.admin_area, site.latitude, site.longitude)


@transaction.atomic
def site_create(*, actor: User, operation: Operation, data: SiteData) -> Site:
    require(user=actor, operation=operation, capability=Capability.MANAGE_SITES)
    check_site_data(operation, data)
    locate(operation, data)
    site = Site(operation=operation)
    apply_site_data(site, data)
    clean_or_refuse(site)
    site.save()
    audit_record(
        actor=actor,
        operation=operation,
        action=Action.CREATE,
        instance=site,
        after=snapshot(site, SITE_FIELDS),
    )
    return site


@transaction.atomic
def site_update(*, actor: User, site: Site, data: SiteData) -> Site:
    require(user=actor, operation=site.operation, capability=Capability.MANAGE_SITES)
    check_site_data(site.operation, data, site)
    locate(site.operation, data)
    before = snapshot(site, SITE_FIELDS)
    apply_site_data(site, data)
    clean_or_refuse(site)
    site.save()
    audit_update(actor=actor, operation=site.operation, instance=site, before=before)
    return site


@transaction.atomic
def site_area_match_decide(*, actor: User, match: SiteAreaMatch, accept: bool) -> SiteAreaMatch:
    """A data manager confirms or rejects a fuzzy name match; nothing applies it otherwise."""
    site = match.site
    require(user=actor, operation=site.operation, capability=Capability.MANAGE_SITES)
    if match.status != SiteAreaMatch.Status.PENDING:
        raise ApplicationError(_("This match was decided already."))
    before = snapshot(match, ["status"])
    match.status = SiteAreaMatch.Status.CONFIRMED if accept else SiteAreaMatch.Status.REJECTED
    match.decided_by, match.decided_at = actor, timezone.now()
    match.save()
    audit_update(actor=actor, operation=site.operation, instance=match, before=before)
    if accept:
        site_before = snapshot(site, SITE_FIELDS)
        site.admin_area = match.suggested_area
        site.outside_area = is_outside(site.admin_area, site.latitude, site.longitude)
        site.save()
        audit_update(actor=actor, operation=site.operation, instance=site, before=site_before)
    return match
