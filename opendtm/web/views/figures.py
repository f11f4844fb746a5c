"""A round's figures per admin level, drilled down from the states to the sites."""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.errors import ApplicationError
from opendtm.tracking.selectors.figure_tables import figures_table
from opendtm.tracking.selectors.figures import SITE_LEVEL
from opendtm.tracking.selectors.rounds import round_get
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal


@operation_page(Capability.VIEW_PUBLISHED)
def round_figures(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    found = round_get(
        user=request.user, operation=operation, assessment_type=assessment_type, number=number
    )
    context: dict[str, Any] = {"round": found}
    try:
        table = figures_table(
            user=request.user,
            round=found,
            level=request.GET.get("level", "").strip(),
            parent=request.GET.get("parent", "").strip(),
        )
    except ApplicationError as error:
        context.update(refusal(error))
        return page(request, operation, "web/figures/round.html", context, status=400)
    names = level_names(operation)
    context.update(
        table=table,
        tabs=[(str(level), names[str(level)]) for level in table.levels],
        level_name=names[str(table.level)],
    )
    return page(request, operation, "web/figures/round.html", context)


def level_names(operation: Operation) -> dict[str, str]:
    """What each level is called in this operation (State, LGA, Ward...), by query value."""
    names = {str(level): operation.level_name(level) for level in range(4)}
    return {**names, SITE_LEVEL: _("Sites")}
