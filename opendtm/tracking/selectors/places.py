"""The places figures are about: the levels a round's figures are listed at, and their names."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, can, require
from opendtm.core.errors import ApplicationError
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.models import AssessmentType, Round
from opendtm.tracking.selectors.figures import SITE_LEVEL

Level = int | str


@dataclass(frozen=True)
class Place:
    pk: int
    name: str
    code: str  # the p-code, or the site's code


def figure_levels(*, user: AnyUser, round: Round) -> list[Level]:
    """Admin levels 1 to 3 the operation has, then sites: unless the round assesses areas
    (baseline) or the user may not see sites."""
    require(user=user, operation=round.operation, capability=Capability.VIEW_AREAS)
    levels: list[Level] = list(
        AdminArea.objects.current()
        .filter(operation_id=round.operation_id, level__in=[1, 2, 3])
        .values_list("level", flat=True)
        .order_by("level")
        .distinct()
    )
    if round.assessment_type != AssessmentType.BASELINE_AREA and can(
        user=user, operation=round.operation, capability=Capability.VIEW_SITES
    ):
        levels.append(SITE_LEVEL)
    return levels


def level_parse(text: str, levels: list[Level], *, below: int | None = None) -> Level:
    """A level from a query parameter: 1, 2, 3 or site among those offered; by default the
    first one below `below` (a parent's level), or the first of all."""
    offered = [level for level in levels if below is None or level_rank(level) > below]
    if not text:
        if not offered:
            raise ApplicationError(
                _("There is no level below this area to list."),
                hint=_("Pick an area of a higher level."),
            )
        return offered[0]
    found: Level = SITE_LEVEL if text == SITE_LEVEL else int(text) if text.isdigit() else text
    if found not in offered:
        raise ApplicationError(
            _("Figures cannot be listed at level %(level)s here.") % {"level": text},
            hint=_("Use one of: %(levels)s.") % {"levels": ", ".join(map(str, offered)) or "—"},
        )
    return found


def level_rank(level: Level) -> int:
    """Sites sort below every admin level."""
    return 99 if level == SITE_LEVEL else int(level)


def place_names(
    *, user: AnyUser, operation: Operation, level: Level, ids: Collection[int]
) -> dict[int, Place]:
    """The operation's admin areas (or sites) with these ids; sites only for who sees sites."""
    rows: Iterable[tuple[int, str, str]]
    if level == SITE_LEVEL:
        require(user=user, operation=operation, capability=Capability.VIEW_SITES)
        rows = Site.objects.filter(operation=operation, pk__in=ids).values_list(
            "pk", "name", "code"
        )
    else:
        require(user=user, operation=operation, capability=Capability.VIEW_AREAS)
        rows = AdminArea.objects.filter(operation=operation, pk__in=ids).values_list(
            "pk", "name", "pcode"
        )
    return {pk: Place(pk, name, code) for pk, name, code in rows}
