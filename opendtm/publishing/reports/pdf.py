"""The report as HTML (publishing/report.html) and as a PDF printed by WeasyPrint.

Everything the page needs is inside it: charts as inline SVG, the logo as a data: URL.
WeasyPrint is allowed data: URLs only, so printing reads no file and no network.
"""

import base64
import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from PIL import Image

from opendtm.accounts.models import Operation
from opendtm.collection.blobs import blob_read
from opendtm.core.errors import ApplicationError
from opendtm.publishing.reports.content import ReportContent
from opendtm.publishing.reports.page import page_context


def logo_url(operation: Operation) -> str:
    """The operation's report logo as a data: URL; "" without one."""
    if not operation.report_logo:
        return ""
    try:
        data = blob_read(operation.report_logo)
    except FileNotFoundError:
        raise ApplicationError(
            _("The operation's report logo is missing from the server's storage."),
            hint=_("An operation admin can upload it again on the operation's settings page."),
        ) from None
    with Image.open(io.BytesIO(data)) as image:
        kind = image.get_format_mimetype() or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def report_html(content: ReportContent) -> str:
    operation = content.round.operation
    context = page_context(
        content, logo=logo_url(operation), disclaimer=operation.report_disclaimer.strip()
    )
    return render_to_string("publishing/report.html", context)


def report_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint parses its stylesheets on import, which every command
    # and server start would otherwise pay.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
