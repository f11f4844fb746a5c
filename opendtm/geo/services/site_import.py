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
from opendtm.geo.matching import AreaNameMatcher
from opendtm.geo.models import AdminArea, Site, SiteAreaMatch
from opendtm.geo.pcodes import PcodeError, normalize_pcode
from opendtm.geo.services.sites import SITE_FIELDS, SiteData, apply_site_data, area_at_point


@dataclass(frozen=True)
class Suggestion:
    area: AdminArea
    score: float


@dataclass
class Resolution:
    area: AdminArea | None
    suggestion: Suggestion | None = None


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


class AreaResolver:
    def __init__(self, operation: Operation, level: int | None) -> None:
        self.operation = operation
        self.areas = {
            area.pcode: area
            for area in AdminArea.objects.filter(operation=operation).without_geometry()
        }
        current_levels = [area.level for area in self.areas.values() if area.valid_to is None]
        self.level = level if level is not None else max(current_levels, default=1)
        self.matchers: dict[int, AreaNameMatcher] = {}

    def matcher(self, level: int) -> AreaNameMatcher:
        if level not in self.matchers:
            self.matchers[level] = AreaNameMatcher(self.operation, level)
        return self.matchers[level]

    def resolve(self, row: SiteRow, problems: list[Problem]) -> Resolution | None:
        if row.pcode:
            return self.by_pcode(row, problems)
        if row.area_name:
            return self.by_name(row, problems)
        if row.latitude is not None and row.longitude is not None:
            area = area_at_point(self.operation, row.latitude, row.longitude)
            if area is not None:
                return Resolution(area)
            problems.append(
                Problem(
                    _("no admin area of the operation covers %(lat)s, %(lon)s")
                    % {"lat": row.latitude, "lon": row.longitude},
                    row.where,
                    "latitude/longitude",
                    _("Give the site's p-code or check its coordinates."),
                )
            )
            return None
        problems.append(
            Problem(
                _("the site has no p-code, area name or coordinates"),
                row.where,
                hint=_("Give at least one, so the site can be placed in its admin area."),
            )
        )
        return None

    def by_pcode(self, row: SiteRow, problems: list[Problem]) -> Resolution | None:
        try:
            pcode = normalize_pcode(row.pcode, self.operation)
        except PcodeError as error:
            problems.append(Problem(str(error), row.where, "pcode"))
            return None
        area = self.areas.get(pcode)
        if area is None:
            problems.append(
                Problem(
                    _("the p-code %(pcode)s is not an admin area of the operation")
                    % {"pcode": pcode},
                    row.where,
                    "pcode",
                    _("Check the code, or import that area first."),
                )
            )
            return None
        if area.valid_to is not None:
            problems.append(
                Problem(
                    _("the p-code %(pcode)s was retired on %(date)s")
                    % {"pcode": pcode, "date": area.valid_to},
                    row.where,
                    "pcode",
                    _("Use the p-code of the current COD-AB version."),
                )
            )
            return None
        return Resolution(area)

    def by_name(self, row: SiteRow, problems: list[Problem]) -> Resolution | None:
        found = self.matcher(self.level).match(row.area_name, self.parent_pcode(row.parent))
        if found.pcode is None:
            problems.append(
                Problem(
                    _("the area name '%(name)s' matches no admin %(level)d of the operation")
                    % {"name": row.area_name, "level": self.level},
                    row.where,
                    "area",
                    _("Closest names: %(names)s. Give the p-code instead.")
                    % {"names": "; ".join(found.suggestions) or "-"},
                )
            )
            return None
        area = self.areas[found.pcode]
        if found.exact:
            return Resolution(area)
        return Resolution(None, suggestion=Suggestion(area, found.score))

    def parent_pcode(self, parent: str) -> str:
        if not parent or self.level < 2:
            return ""
        try:
            pcode = normalize_pcode(parent, self.operation)
        except PcodeError:
            found = self.matcher(self.level - 1).match(parent)
            return found.pcode if found.exact and found.pcode else ""
        return pcode if pcode in self.areas else ""


def sites_import(
    *, actor: User, operation: Operation, table: Table, columns: str = ""
) -> SiteImportSummary:
    require(user=actor, operation=operation, capability=Capability.MANAGE_SITES)
    site_columns = detect_site_columns(table, columns)
    resolver = AreaResolver(operation, site_columns.area_level)
    problems: list[Problem] = []
    rows: list[tuple[SiteRow, Resolution]] = []
    first_seen: dict[str, str] = {}
    for row in table.rows:
        where = f"{table.source}, row {row.number}"
        site_row = read_site_row(row, site_columns, where, problems)
        if site_row is None:
            continue
        if site_row.code in first_seen:
            problems.append(
                Problem(
                    _("the site code %(code)s is used again; it is first used in %(first)s")
                    % {"code": site_row.code, "first": first_seen[site_row.code]},
                    where,
                    "code",
                    _("Site codes must be unique."),
                )
            )
            continue
        first_seen[site_row.code] = where
        resolution = resolver.resolve(site_row, problems)
        if resolution is not None:
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
        if site.admin_area_id == area.pk:
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
