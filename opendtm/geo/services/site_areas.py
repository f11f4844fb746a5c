"""Placing each row of a site master list in its admin area.

By p-code, else by area name, else by coordinates. An exact name is applied; a fuzzy one
becomes a suggestion for a person. Coordinates that fit the area only once swapped are a
problem, not a silent flag.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.core.errors import Problem
from opendtm.geo.importers.sites import SiteColumns, SiteRow
from opendtm.geo.matching import AreaNameMatcher
from opendtm.geo.models import AdminArea
from opendtm.geo.pcodes import PcodeError, normalize_pcode
from opendtm.geo.services.sites import area_at_point, is_outside


@dataclass(frozen=True)
class Suggestion:
    area: AdminArea
    score: float


@dataclass
class Resolution:
    area: AdminArea | None
    suggestion: Suggestion | None = None


class AreaResolver:
    """Finds each row's admin area; problems name the file's own columns."""

    def __init__(self, operation: Operation, columns: SiteColumns) -> None:
        self.operation = operation
        self.columns = columns
        level = columns.area_level
        self.areas = {
            area.pcode: area
            for area in AdminArea.objects.filter(operation=operation).without_geometry()
        }
        current_levels = [area.level for area in self.areas.values() if area.valid_to is None]
        self.level = level if level is not None else max(current_levels, default=1)
        self.matchers: dict[int, AreaNameMatcher] = {}

    def column(self, key: str) -> str:
        return self.columns.columns.get(key, key)

    def matcher(self, level: int) -> AreaNameMatcher:
        if level not in self.matchers:
            self.matchers[level] = AreaNameMatcher(self.operation, level)
        return self.matchers[level]

    def resolve(self, row: SiteRow, problems: list[Problem]) -> Resolution | None:
        if row.pcode:
            resolution = self.by_pcode(row, problems)
        elif row.area_name:
            resolution = self.by_name(row, problems)
        elif row.latitude is not None and row.longitude is not None:
            resolution = self.by_point(row, row.latitude, row.longitude, problems)
        else:
            problems.append(
                Problem(
                    _("the site has no p-code, area name or coordinates"),
                    row.where,
                    hint=_("Give at least one, so the site can be placed in its admin area."),
                )
            )
            return None
        if resolution and resolution.area and swapped(resolution.area, row):
            problems.append(self.swapped_problem(row, resolution.area.name))
            return None
        return resolution

    def by_point(
        self, row: SiteRow, latitude: float, longitude: float, problems: list[Problem]
    ) -> Resolution | None:
        area = area_at_point(self.operation, latitude, longitude)
        if area is not None:
            return Resolution(area)
        area = area_at_point(self.operation, longitude, latitude)
        if area is not None:
            problems.append(self.swapped_problem(row, area.name))
            return None
        problems.append(
            Problem(
                _("no admin area of the operation covers %(lat)s, %(lon)s")
                % {"lat": latitude, "lon": longitude},
                row.where,
                self.coordinate_columns(),
                _("Give the site's p-code or check its coordinates."),
            )
        )
        return None

    def coordinate_columns(self) -> str:
        return f"{self.column('latitude')}/{self.column('longitude')}"

    def swapped_problem(self, row: SiteRow, area_name: str) -> Problem:
        return Problem(
            _(
                "latitude and longitude seem swapped: %(lat)s, %(lon)s is outside %(area)s, "
                "but %(lon)s, %(lat)s is inside it"
            )
            % {"lat": row.latitude, "lon": row.longitude, "area": area_name},
            row.where,
            self.coordinate_columns(),
            _("Swap the two values (latitude is north-south, longitude east-west)."),
        )

    def by_pcode(self, row: SiteRow, problems: list[Problem]) -> Resolution | None:
        try:
            pcode = normalize_pcode(row.pcode, self.operation)
        except PcodeError as error:
            problems.append(Problem(str(error), row.where, self.column("pcode")))
            return None
        area = self.areas.get(pcode)
        if area is None:
            problems.append(
                Problem(
                    _("the p-code %(pcode)s is not an admin area of the operation")
                    % {"pcode": pcode},
                    row.where,
                    self.column("pcode"),
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
                    self.column("pcode"),
                    _("Use the p-code of the current COD-AB version."),
                )
            )
            return None
        return Resolution(area)

    def by_name(self, row: SiteRow, problems: list[Problem]) -> Resolution | None:
        found = self.matcher(self.level).match(row.area_name, self.parent_pcode(row.parent))
        if found.ambiguous:
            problems.append(
                Problem(
                    _("several admin %(level)d areas are called '%(name)s': %(areas)s")
                    % {
                        "level": self.level,
                        "name": row.area_name,
                        "areas": "; ".join(found.suggestions),
                    },
                    row.where,
                    self.column("area_name"),
                    _("Give the p-code, or add a column with the parent area."),
                )
            )
            return None
        if found.pcode is None:
            problems.append(
                Problem(
                    _("the area name '%(name)s' matches no admin %(level)d of the operation")
                    % {"name": row.area_name, "level": self.level},
                    row.where,
                    self.column("area_name"),
                    self.unknown_name_hint(found.suggestions),
                )
            )
            return None
        area = self.areas[found.pcode]
        if found.exact:
            return Resolution(area)
        return Resolution(None, suggestion=Suggestion(area, found.score))

    def unknown_name_hint(self, suggestions: list[str]) -> str:
        if not suggestions:
            return _("The operation has no admin %(level)d areas yet: import them first.") % {
                "level": self.level
            }
        return _("Closest names: %(names)s. Give the p-code instead.") % {
            "names": "; ".join(suggestions)
        }

    def parent_pcode(self, parent: str) -> str:
        if not parent or self.level < 2:
            return ""
        try:
            pcode = normalize_pcode(parent, self.operation)
        except PcodeError:
            found = self.matcher(self.level - 1).match(parent)
            return found.pcode if found.exact and found.pcode else ""
        return pcode if pcode in self.areas else ""


def swapped(area: AdminArea, row: SiteRow) -> bool:
    """The point is outside its area, and with latitude and longitude exchanged inside."""
    return is_outside(area, row.latitude, row.longitude) and not is_outside(
        area, row.longitude, row.latitude
    )
