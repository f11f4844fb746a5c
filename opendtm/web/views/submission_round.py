"""Attaching one submission to a round explicitly, from its page."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.collection.selectors.submissions import submission_form_get, submission_get
from opendtm.core.errors import ApplicationError
from opendtm.tracking.selectors.attachments import submission_round_get
from opendtm.tracking.services.attach import round_attach
from opendtm.web.views.base import SignedInRequest, operation_page
from opendtm.web.views.submissions import detail_page


@operation_page(Capability.REVIEW)
@require_POST
def submission_attach_view(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int
) -> HttpResponse:
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    submission = submission_get(user=request.user, operation=operation, form=form, pk=pk)
    counts_in = submission_round_get(user=request.user, submission=submission)
    chosen = next(
        (
            item
            for item in (counts_in.choices if counts_in else [])
            if str(item.pk) == request.POST.get("round", "")
        ),
        None,
    )
    try:
        if chosen is None:
            raise ApplicationError(
                _("Choose one of the rounds offered."),
                hint=_("Only rounds of the form's assessment type that are not published are."),
            )
        round_attach(actor=request.user, submissions=[submission], round=chosen)
    except ApplicationError as error:
        return detail_page(request, operation, form_id, pk, error=error)
    messages.success(request, _("The submission now counts in %(round)s.") % {"round": chosen})
    return redirect("web:submission", slug=operation.slug, form_id=form.form_id, pk=pk)
