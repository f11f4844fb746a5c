"""What the round page shows, by role, shared by the page itself and the actions that render
it again with their refusal."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.errors import ApplicationError
from opendtm.tracking.models import Round
from opendtm.tracking.selectors.progress import (
    IssueCount,
    missing_places,
    round_progress,
    round_revisions,
)
from opendtm.tracking.selectors.review import round_checklist
from opendtm.tracking.selectors.rounds import IssueFilters, issue_list, round_coverage, round_get
from opendtm.tracking.services.rounds import MOVES
from opendtm.web.forms_tracking import CorrectForm, IssueFilterForm
from opendtm.web.views.base import SignedInRequest, capabilities, page, refusal

ISSUES_PER_PAGE = 50


def round_found(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> Round:
    return round_get(
        user=request.user, operation=operation, assessment_type=assessment_type, number=number
    )


def issues_context(
    request: SignedInRequest, round: Round, counts: list[IssueCount]
) -> dict[str, Any]:
    """The filtered, paginated issue list; filters and page come from the query string."""
    form = IssueFilterForm(request.GET or None, rules=sorted({item.rule for item in counts}))
    chosen = form.cleaned_data if form.is_valid() else {}
    filters = IssueFilters(
        state=chosen.get("state") or None,
        severity=chosen.get("severity") or None,
        rule=chosen.get("rule") or None,
    )
    issues = issue_list(user=request.user, round=round, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "round": round,
        "issue_filter_form": form,
        "issues": Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page")),
        "issue_query": query.urlencode(),
    }


def detail_context(request: SignedInRequest, operation: Operation, round: Round) -> dict:
    user = request.user
    granted = capabilities(request, operation)
    context: dict[str, Any] = {
        "round": round,
        "revisions": list(round_revisions(user=user, round=round)),
        "moves": [
            Round.Status(status) for status in sorted(MOVES.get(Round.Status(round.status), ()))
        ],
        "correct_form": CorrectForm(),
    }
    progress = []
    coverage = None
    if Capability.VIEW_SUBMISSIONS in granted:
        progress = round_progress(user=user, round=round)
        coverage = round_coverage(user=user, round=round)
        context.update(
            progress=progress,
            coverage=coverage,
            missing=missing_places(user=user, round=round, coverage=coverage),
        )
    if Capability.REVIEW in granted:
        checklist = round_checklist(user=user, round=round, progress=progress, coverage=coverage)
        context["checklist"] = checklist
        context.update(issues_context(request, round, checklist.counts))
    return context


def round_refused(
    request: SignedInRequest,
    operation: Operation,
    round: Round,
    error: ApplicationError,
    **extra: Any,
) -> HttpResponse:
    """The round page again, with the reason an action was refused."""
    context = detail_context(request, operation, round)
    context.update(refusal(error), **extra)
    return page(request, operation, "web/rounds/detail.html", context, status=400)
