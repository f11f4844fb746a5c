"""A published round's Share section: its public files, the microdata gate's verdict on the
site level, and the restricted download, for protection roles only.

Every check is made here on the server, whatever the page shows: public files need the
published-figures capability, restricted ones the protection capability (and the service
checks it again, and audits the download).
"""

from dataclasses import dataclass

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.errors import ApplicationError
from opendtm.publishing.exports.files import FORMATS
from opendtm.publishing.exports.microdata import Gate
from opendtm.publishing.services.exports import (
    ExportFile,
    Summary,
    level_label,
    round_file,
    round_summaries,
    schema_file,
    series_file,
)
from opendtm.publishing.services.restricted import protection_file
from opendtm.tracking.models import Round
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal
from opendtm.web.views.round_page import round_found


@dataclass(frozen=True)
class LevelShare:
    level: str
    label: str
    summary: Summary
    gate: Gate | None

    @property
    def withheld(self) -> bool:
        return self.gate is not None and self.gate.blocked


def share_context(operation: Operation, round: Round) -> dict:
    levels = [
        LevelShare(level, level_label(round, level), summary, summary.gate(round))
        for level, summary in round_summaries(round).items()
    ]
    return {"round": round, "levels": levels, "formats": FORMATS}


@operation_page(Capability.VIEW_PUBLISHED)
def round_share(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    """The section alone for the round page (htmx), or a page of its own."""
    round = round_found(request, operation, assessment_type, number)
    template = (
        "web/rounds/_sharing_panel.html"
        if request.headers.get("HX-Request")
        else "web/rounds/sharing.html"
    )
    return page(request, operation, template, share_context(operation, round))


def download(found: ExportFile) -> FileResponse:
    return FileResponse(
        found.path.open("rb"),
        as_attachment=True,
        filename=found.filename,
        content_type=found.content_type,
    )


@operation_page(Capability.VIEW_PUBLISHED)
def round_export(
    request: SignedInRequest,
    operation: Operation,
    assessment_type: str,
    number: int,
    level: str,
    format: str,
) -> HttpResponseBase:
    round = round_found(request, operation, assessment_type, number)
    try:
        found = round_file(round=round, level=level, format=format)
    except ApplicationError as error:  # the microdata gate
        context = {**share_context(operation, round), **refusal(error)}
        return page(request, operation, "web/rounds/sharing.html", context, status=400)
    return download(found)


@operation_page(Capability.VIEW_PUBLISHED)
def round_series(
    request: SignedInRequest,
    operation: Operation,
    assessment_type: str,
    number: int,
    level: str,
    format: str,
) -> HttpResponseBase:
    """Every published round's file; while a task writes it, a page that asks again."""
    round = round_found(request, operation, assessment_type, number)
    found = series_file(round=round, level=level, format=format)
    if found is None:
        context = {"round": round, "level": level_label(round, level)}
        return page(request, operation, "web/rounds/sharing_pending.html", context, status=202)
    return download(found)


@operation_page(Capability.VIEW_PUBLISHED)
def round_schema(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int, level: str
) -> HttpResponseBase:
    round = round_found(request, operation, assessment_type, number)
    return download(schema_file(round=round, level=level))


@operation_page(Capability.VIEW_PROTECTION)
def round_restricted(
    request: SignedInRequest,
    operation: Operation,
    assessment_type: str,
    number: int,
    level: str,
    format: str,
) -> HttpResponse:
    round = round_found(request, operation, assessment_type, number)
    found = protection_file(user=request.user, round=round, level=level, format=format)
    response = HttpResponse(found.content, content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.filename)
    response["Cache-Control"] = "no-store"  # never kept by a browser or a proxy
    return response
