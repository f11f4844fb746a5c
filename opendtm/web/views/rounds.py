"""Round pages: the list with a new-round form, one round with its progress, coverage, issues
and publish checklist, and the actions that move, publish and correct it."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.core.errors import ApplicationError
from opendtm.tracking.models import Round
from opendtm.tracking.selectors.progress import round_coverage_geojson
from opendtm.tracking.selectors.review import round_index
from opendtm.tracking.services.rounds import (
    RoundData,
    round_correct,
    round_create,
    round_move,
    round_publish,
)
from opendtm.web.forms_tracking import CorrectForm, RoundFilterForm, RoundForm, show_problems
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal
from opendtm.web.views.round_page import detail_context, round_found, round_refused


def round_url(operation: Operation, round: Round) -> HttpResponse:
    return redirect(
        "web:round", slug=operation.slug, assessment_type=round.assessment_type, number=round.number
    )


@operation_page(Capability.VIEW_PUBLISHED)
def round_list_view(request: SignedInRequest, operation: Operation) -> HttpResponse:
    """GET lists the rounds (filtered by type); POST creates one, for those who publish."""
    if request.method == "POST":
        require(user=request.user, operation=operation, capability=Capability.PUBLISH)
    filter_form = RoundFilterForm(request.GET or None)
    chosen = filter_form.cleaned_data["type"] if filter_form.is_valid() else ""
    form = RoundForm(request.POST or None, initial={"assessment_type": chosen or "SA"})
    context: dict = {"filter_form": filter_form, "chosen_type": chosen, "form": form}
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            created = round_create(
                actor=request.user, operation=operation, data=RoundData(**form.cleaned_data)
            )
        except ApplicationError as error:
            show_problems(form, error)
            context.update(refusal(error))
        else:
            messages.success(request, _("%(round)s created.") % {"round": created})
            return round_url(operation, created)
    context["rounds"] = round_index(user=request.user, operation=operation, assessment_type=chosen)
    return page(request, operation, "web/rounds/list.html", context, status=status)


@operation_page(Capability.VIEW_PUBLISHED)
def round_detail(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    round = round_found(request, operation, assessment_type, number)
    context = detail_context(request, operation, round)
    return page(request, operation, "web/rounds/detail.html", context)


@operation_page(Capability.VIEW_SUBMISSIONS)
def round_coverage_map(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> JsonResponse:
    round = round_found(request, operation, assessment_type, number)
    return JsonResponse(round_coverage_geojson(user=request.user, round=round))


@operation_page(Capability.PUBLISH)
@require_POST
def round_move_view(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    round = round_found(request, operation, assessment_type, number)
    try:
        round_move(actor=request.user, round=round, status=request.POST.get("status", ""))
    except ApplicationError as error:
        return round_refused(request, operation, round, error)
    messages.success(
        request,
        _("%(round)s is now %(status)s.")
        % {"round": round, "status": Round.Status(round.status).label},
    )
    return round_url(operation, round)


@operation_page(Capability.PUBLISH)
@require_POST
def round_publish_view(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    round = round_found(request, operation, assessment_type, number)
    try:
        revision = round_publish(actor=request.user, round=round)
    except ApplicationError as error:
        return round_refused(request, operation, round, error)
    messages.success(
        request,
        _("%(round)s published (revision %(revision)d); its figures are now frozen.")
        % {"round": round, "revision": revision.number},
    )
    return round_url(operation, round)


@operation_page(Capability.PUBLISH)
@require_POST
def round_correct_view(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    round = round_found(request, operation, assessment_type, number)
    form = CorrectForm(request.POST)
    try:
        revision = round_correct(
            actor=request.user, round=round, reason=request.POST.get("reason", "")
        )
    except ApplicationError as error:
        show_problems(form, error)
        return round_refused(request, operation, round, error, correct_form=form)
    messages.success(
        request,
        _("Revision %(revision)d of %(round)s opened: correct its figures, then publish again.")
        % {"round": round, "revision": revision.number},
    )
    return round_url(operation, round)
