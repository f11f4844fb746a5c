"""Reading admin areas and sites, always through the acting user's rights."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, require
from opendtm.core.errors import get_or_not_found
from opendtm.geo.models import AdminArea, AdminAreaVersion, ImportJob, Site, SiteAreaMatch
from opendtm.geo.pcodes import PcodeError, normalize_pcode


def area_list(
    *,
    user: AnyUser,
    operation: Operation,
    level: int | None = None,
    parent: AdminArea | None = None,
    text: str = "",
    include_retired: bool = False,
) -> QuerySet[AdminArea]:
    require(user=user, operation=operation, capability=Capability.VIEW_AREAS)
    areas = AdminArea.objects.filter(operation=operation).without_geometry()
    if not include_retired:
        areas = areas.current()
    if level is not None:
        areas = areas.filter(level=level)
    if parent is not None:
        areas = areas.filter(parent=parent)
    if text:
        areas = areas.filter(Q(name__icontains=text) | Q(pcode__istartswith=text.strip()))
    return areas.select_related("parent").annotate(
        child_count=Count("children", filter=Q(children__valid_to__isnull=True), distinct=True),
        site_count=Count("sites", distinct=True),
    )


def area_get(*, user: AnyUser, operation: Operation, pcode: str) -> AdminArea:
    """By p-code, ISO2 or ISO3 prefix alike; another operation's p-code is not found."""
    require(user=user, operation=operation, capability=Capability.VIEW_AREAS)
    message = _("No admin area %(pcode)s in %(operation)s.") % {
        "pcode": pcode,
        "operation": operation.name,
    }
    try:
        pcode = normalize_pcode(pcode, operation)
    except PcodeError:
        pcode = ""
    return get_or_not_found(
        AdminArea.objects.select_related("parent").without_geometry(),
        message,
        operation=operation,
        pcode=pcode,
    )


def area_level_counts(*, user: AnyUser, operation: Operation) -> dict[int, int]:
    require(user=user, operation=operation, capability=Capability.VIEW_AREAS)
    rows = (
        AdminArea.objects.current()
        .filter(operation=operation)
        .values("level")
        .annotate(count=Count("id"))
        .order_by("level")
    )
    return {row["level"]: row["count"] for row in rows}


def area_versions(*, user: AnyUser, area: AdminArea) -> QuerySet[AdminAreaVersion]:
    require(user=user, operation=area.operation, capability=Capability.VIEW_AREAS)
    return area.versions.defer("geometry")


def areas_geojson(*, user: AnyUser, operation: Operation, level: int, parent: str = "") -> dict:
    """The simplified boundaries of one level, as a GeoJSON FeatureCollection for maps."""
    require(user=user, operation=operation, capability=Capability.VIEW_AREAS)
    areas = AdminArea.objects.current().filter(
        operation=operation, level=level, geometry_simplified__isnull=False
    )
    if parent:
        try:
            areas = areas.filter(pcode__startswith=normalize_pcode(parent, operation))
        except PcodeError:
            areas = areas.none()
    rows = areas.values("pcode", "name", "level", "parent__pcode", "geometry_simplified")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["pcode"],
                "properties": {
                    "pcode": row["pcode"],
                    "name": row["name"],
                    "level": row["level"],
                    "parent": row["parent__pcode"],
                },
                "geometry": row["geometry_simplified"],
            }
            for row in rows.order_by("pcode")
        ],
    }


@dataclass(frozen=True)
class SiteFilters:
    text: str = ""
    site_type: str = ""
    status: str = ""
    area: str = ""
    outside_area: bool = False
    without_area: bool = False

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> "SiteFilters":
        """From cleaned query parameters, named as pages and the API name them."""
        return cls(
            text=data.get("q", ""),
            site_type=data.get("type", ""),
            status=data.get("status", ""),
            area=data.get("area", ""),
            outside_area=data.get("outside_area", False),
            without_area=data.get("without_area", False),
        )


def site_list(
    *, user: AnyUser, operation: Operation, filters: SiteFilters | None = None
) -> QuerySet[Site]:
    require(user=user, operation=operation, capability=Capability.VIEW_SITES)
    filters = filters or SiteFilters()
    sites = Site.objects.filter(operation=operation).select_related("admin_area__parent")
    if filters.text:
        text = filters.text.strip()
        sites = sites.filter(
            Q(name__icontains=text)
            | Q(code__iexact=text)
            | Q(aliases__icontains=text)
            # SQLite keeps JSON text ASCII-escaped: "\u0645" for an Arabic letter.
            | Q(aliases__icontains=json.dumps(text)[1:-1])
        )
    if filters.site_type:
        sites = sites.filter(site_type=filters.site_type)
    if filters.status:
        sites = sites.filter(status=filters.status)
    if filters.area:
        try:
            pcode = normalize_pcode(filters.area, operation)
        except PcodeError:
            return sites.none()
        # A child's p-code starts with its parent's: one prefix test finds every descendant.
        sites = sites.filter(admin_area__pcode__startswith=pcode)
    if filters.outside_area:
        sites = sites.filter(outside_area=True)
    if filters.without_area:
        sites = sites.filter(admin_area__isnull=True)
    return sites.order_by("code")


def site_get(*, user: AnyUser, operation: Operation, code: str) -> Site:
    require(user=user, operation=operation, capability=Capability.VIEW_SITES)
    return get_or_not_found(
        Site.objects.select_related("admin_area__parent", "operation"),
        _("No site %(code)s in %(operation)s.") % {"code": code, "operation": operation.name},
        operation=operation,
        code=code,
    )


def sites_geojson(
    *, user: AnyUser, operation: Operation, filters: SiteFilters | None = None
) -> dict:
    sites = site_list(user=user, operation=operation, filters=filters).filter(
        latitude__isnull=False
    )
    rows = sites.values(
        "code",
        "name",
        "site_type",
        "status",
        "latitude",
        "longitude",
        "admin_area__pcode",
        "outside_area",
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["code"],
                "properties": {
                    "code": row["code"],
                    "name": row["name"],
                    "type": row["site_type"],
                    "status": row["status"],
                    "pcode": row["admin_area__pcode"],
                    "outside_area": row["outside_area"],
                },
                "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            }
            for row in rows
        ],
    }


def site_match_list(
    *, user: User, operation: Operation, status: str = SiteAreaMatch.Status.PENDING
) -> QuerySet[SiteAreaMatch]:
    require(user=user, operation=operation, capability=Capability.MANAGE_SITES)
    return SiteAreaMatch.objects.filter(site__operation=operation, status=status).select_related(
        "site", "suggested_area__parent", "decided_by"
    )


def site_match_get(*, user: User, operation: Operation, match_id: int) -> SiteAreaMatch:
    return get_or_not_found(site_match_list(user=user, operation=operation), pk=match_id)


def import_job_list(*, user: User, operation: Operation, kind: str) -> QuerySet[ImportJob]:
    require(user=user, operation=operation, capability=ImportJob.capability_for(kind))
    return ImportJob.objects.filter(operation=operation, kind=kind).select_related("created_by")


def import_job_get(*, user: User, operation: Operation, kind: str, job_id: int) -> ImportJob:
    return get_or_not_found(import_job_list(user=user, operation=operation, kind=kind), pk=job_id)


def site_type_counts(*, user: AnyUser, operation: Operation) -> dict[str, int]:
    sites = site_list(user=user, operation=operation).order_by()
    rows = sites.values("site_type").annotate(count=Count("id"))
    return {row["site_type"]: row["count"] for row in rows}


def area_ancestors(*, user: AnyUser, area: AdminArea) -> list[AdminArea]:
    """From the top level down to the area's parent, in one query: p-codes nest by prefix."""
    require(user=user, operation=area.operation, capability=Capability.VIEW_AREAS)
    prefixes = [area.pcode[:length] for length in range(2, len(area.pcode))]
    return list(
        AdminArea.objects.filter(operation=area.operation, pcode__in=prefixes, level__lt=area.level)
        .without_geometry()
        .order_by("level")
    )
