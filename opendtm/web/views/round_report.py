"""The situation report of a published round, printed on request and downloaded at once:
it takes about a second (publishing/services/reports.py), so the POST answers with the PDF
and no task is queued."""

from django.http import HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.errors import ApplicationError
from opendtm.publishing.services.reports import REPORT_LANGUAGES, situation_report
from opendtm.web.views.base import SignedInRequest, operation_page
from opendtm.web.views.round_page import round_found, round_refused


def default_language(operation: Operation) -> str:
    """The page's language when reports are written in it, else the operation's, else en."""
    for language in (get_language(), operation.default_language):
        if language in REPORT_LANGUAGES:
            return language
    return "en"


@operation_page(Capability.PUBLISH)
@require_POST
def round_report_view(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    round = round_found(request, operation, assessment_type, number)
    language = request.POST.get("language") or default_language(operation)
    try:
        report = situation_report(actor=request.user, round=round, language=language)
    except ApplicationError as error:
        return round_refused(request, operation, round, error)
    return HttpResponse(
        report.pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )
