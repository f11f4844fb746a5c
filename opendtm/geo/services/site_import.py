"""Importing a site master list: check every row, then write all of it or nothing.

Each row's admin area comes from its p-code, else its area name, else its coordinates.
An exact name match is applied; a fuzzy one waits as a SiteAreaMatch for a data manager.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import (
    Action,
    audit_event,
    audit_record,
    audit_record_many,
    changed,
    snapshot,
)
from opendtm.core.errors import ApplicationError, Problem
from opendtm.core.tables import Table
from opendtm.geo.importers.sites import SiteRow, detect_site_columns, read_site_row
from opendtm.geo.models import AdminArea, Site, SiteAreaMatch
from opendtm.geo.services.site_areas import AreaResolver, Resolution
from opendtm.geo.services.sites import SITE_FIELDS, SiteData, apply_site_data


@dataclass
class SiteImportSummary:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    to_confirm: list[dict] = field(default_factory=list)
    outside_area: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def sites_import(
    *, actor: User, operation: Operation, table: Table, columns: str = ""
) -> SiteImportSummary:
    require(user=actor, operation=operation, capability=Capability.MANAGE_SITES)
    if not table.rows:
        raise ApplicationError(
            _("%(source)s has no sites in it.") % {"source": table.source},
            hint=_("Put one site per row under the header row."),
        )
    site_columns = detect_site_columns(table, columns)
    resolver = AreaResolver(operation, site_columns)
    problems: list[Problem] = []
    rows: list[tuple[SiteRow, Resolution]] = []
    first_seen: dict[str, str] = {}
    for row in table.rows:
        where = f"{table.source}, row {row.number}"
        count = len(problems)
        site_row = read_site_row(row, site_columns, where, problems)
        if site_row.code in first_seen:
            problems.append(
                Problem(
                    _("the site code %(code)s is used again; it is first used in %(first)s")
                    % {"code": site_row.code, "first": first_seen[site_row.code]},
                    where,
                    site_columns.columns["code"],
                    _("Site codes must be unique."),
                )
            )
            continue
        if site_row.code:
            first_seen[site_row.code] = where
        if len(problems) > count and not (site_row.pcode or site_row.area_name):
            continue  # its coordinates were unreadable: placing it would only add noise
        resolution = resolver.resolve(site_row, problems)
        if resolution is not None and len(problems) == count:
            rows.append((site_row, resolution))
    if problems:
        raise ApplicationError(
            _("%(source)s was not imported: %(count)d problem(s). Nothing was changed.")
            % {"source": table.source, "count": len(problems)},
            hint=_("Fix every problem listed, then import the file again."),
            problems=problems,
        )
    with transaction.atomic():
        return write_sites(actor, operation, rows, table.source)


def write_sites(
    actor: User, operation: Operation, rows: list[tuple[SiteRow, Resolution]], source: str
) -> SiteImportSummary:
    summary = SiteImportSummary(source=source)
    existing = {site.code: site for site in Site.objects.filter(operation=operation)}
    events, new, suggestions = [], [], []
    for row, resolution in rows:
        site = existing.get(row.code) or Site(operation=operation)
        before = snapshot(site, SITE_FIELDS) if site.pk else None
        area = resolution.area or (site.admin_area if site.pk else None)
        apply_site_data(
            site,
            SiteData(
                code=row.code,
                name=row.name,
                site_type=row.site_type,
                status=row.status,
                admin_area=area,
                latitude=row.latitude,
                longitude=row.longitude,
                aliases=row.aliases,
            ),
        )
        if resolution.suggestion:
            suggestions.append((site, row, resolution))
        if site.outside_area:
            summary.outside_area.append(site.code)
        if before is None:
            new.append(site)
            continue
        old, changes = changed(before, snapshot(site, SITE_FIELDS))
        if changes:
            site.save()
            summary.updated += 1
            events.append(
                audit_event(
                    actor=actor,
                    operation=operation,
                    action=Action.UPDATE,
                    instance=site,
                    before=old,
                    after=changes,
                )
            )
        else:
            summary.unchanged += 1
    for site in Site.objects.bulk_create(new, batch_size=500):
        summary.created += 1
        events.append(
            audit_event(
                actor=actor,
                operation=operation,
                action=Action.CREATE,
                instance=site,
                after=snapshot(site, SITE_FIELDS),
            )
        )
    record_suggestions(suggestions, summary)
    audit_record_many(events)
    audit_record(
        actor=actor,
        operation=operation,
        action=Action.IMPORT,
        kind="geo.site",
        label=source,
        after={key: value for key, value in summary.as_dict().items() if key != "to_confirm"},
        note=_("Sites imported from %(source)s") % {"source": source},
    )
    return summary


def record_suggestions(
    suggestions: list[tuple[Site, SiteRow, Resolution]], summary: SiteImportSummary
) -> None:
    """One pending match per site and suggested area; a re-import does not repeat it."""
    for site, row, resolution in suggestions:
        if resolution.suggestion is None:
            continue
        area, score = resolution.suggestion.area, resolution.suggestion.score
        if site.admin_area_id == area.pk or was_rejected(site, area, row.area_name):
            continue
        SiteAreaMatch.objects.get_or_create(
            site=site,
            suggested_area=area,
            status=SiteAreaMatch.Status.PENDING,
            defaults={"given_name": row.area_name, "score": score},
        )
        summary.to_confirm.append(
            {
                "code": site.code,
                "given": row.area_name,
                "suggested": area.pcode,
                "name": area.name,
                "score": score,
            }
        )


def was_rejected(site: Site, area: AdminArea, given_name: str) -> bool:
    """A person said no to this name for this site already: do not ask again."""
    return (
        site.pk is not None
        and SiteAreaMatch.objects.filter(
            site=site,
            suggested_area=area,
            given_name=given_name,
            status=SiteAreaMatch.Status.REJECTED,
        ).exists()
    )
