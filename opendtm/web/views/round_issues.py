"""A round's validation issues: the filtered list (htmx), running the rules, explaining one."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.errors import ApplicationError
from opendtm.tracking.selectors.progress import issue_counts
from opendtm.tracking.selectors.rounds import issue_get
from opendtm.tracking.services.validation import issue_explain, round_validate_run
from opendtm.web.forms_tracking import ExplainForm, show_problems
from opendtm.web.views.base import SignedInRequest, operation_page, page
from opendtm.web.views.round_page import issues_context, round_found, round_refused


@operation_page(Capability.REVIEW)
def round_issues(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    """The issue table alone, for the filters and pages of the round page."""
    round = round_found(request, operation, assessment_type, number)
    counts = issue_counts(user=request.user, round=round)
    context = issues_context(request, round, counts)
    return page(request, operation, "web/rounds/_issues.html", context)


@operation_page(Capability.REVIEW)
@require_POST
def round_validate_view(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    round = round_found(request, operation, assessment_type, number)
    try:
        still_open = round_validate_run(actor=request.user, round=round)
    except ApplicationError as error:
        return round_refused(request, operation, round, error)
    messages.success(
        request,
        _("Validation run: %(count)d issue(s) open.") % {"count": len(still_open)},
    )
    return redirect(issues_url(operation, round.assessment_type, round.number))


@operation_page(Capability.REVIEW)
@require_POST
def issue_explain_view(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int, pk: int
) -> HttpResponse:
    round = round_found(request, operation, assessment_type, number)
    issue = issue_get(user=request.user, round=round, pk=pk)
    form = ExplainForm(request.POST)
    try:
        issue_explain(
            actor=request.user, issue=issue, explanation=request.POST.get("explanation", "")
        )
    except ApplicationError as error:
        show_problems(form, error)
        return round_refused(
            request, operation, round, error, explaining=issue.pk, explaining_form=form
        )
    messages.success(request, _("Issue explained: it no longer blocks publishing."))
    return redirect(issues_url(operation, assessment_type, number))


def issues_url(operation: Operation, assessment_type: str, number: int) -> str:
    page_url = reverse(
        "web:round",
        kwargs={"slug": operation.slug, "assessment_type": assessment_type, "number": number},
    )
    return f"{page_url}#issues"
