"""What OpenRosa answers look like: the headers on every response, and the XML documents.

ODK Collect takes a response without `X-OpenRosa-Version` for "not an OpenRosa server", so
`openrosa_endpoint` puts it (and `Date`) on every response of these views, errors included,
and turns every refusal into an OpenRosaResponse whose message a field team can act on.
"""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from opendtm.collection.services.submissions import SubmissionRefused
from opendtm.core.errors import ApplicationError

logger = logging.getLogger(__name__)

XML_TYPE = "text/xml; charset=utf-8"
RESPONSE_NS = "http://openrosa.org/http/response"
FORM_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class OpenRosaError(Exception):
    """A refusal the view answers with this status, message and any extra headers."""

    def __init__(
        self, message: str, *, status: int, hint: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.hint = hint
        self.headers = headers or {}


def xml_escape(text: Any) -> str:
    """Escaped for XML element content (never used in attributes)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def with_headers(response: HttpResponseBase) -> HttpResponseBase:
    response["X-OpenRosa-Version"] = "1.0"
    response["Date"] = http_date()
    return response


def xml_response(body: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(body.encode(), status=status, content_type=XML_TYPE)


def message_response(message: str, *, status: int, hint: str = "") -> HttpResponse:
    """An OpenRosaResponse; Collect shows its message to the person holding the phone."""
    text = f"{message} {hint}".strip() if hint else message
    nature = "submit_success" if status in {201, 202} else "error"
    body = (
        f'{DECLARATION}<OpenRosaResponse xmlns="{RESPONSE_NS}" items="0">'
        f'<message nature="{nature}">{xml_escape(text)}</message></OpenRosaResponse>'
    )
    return xml_response(body, status=status)


@dataclass(frozen=True)
class ListedForm:
    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str = ""


def form_list_xml(forms: Iterable[ListedForm]) -> str:
    parts = [f'{DECLARATION}<xforms xmlns="{FORM_LIST_NS}">']
    for form in forms:
        parts.append(
            f"<xform><formID>{xml_escape(form.form_id)}</formID>"
            f"<name>{xml_escape(form.name)}</name>"
            f"<version>{xml_escape(form.version)}</version>"
            f"<hash>md5:{form.md5}</hash>"
            f"<downloadUrl>{xml_escape(form.download_url)}</downloadUrl>"
            + (
                f"<manifestUrl>{xml_escape(form.manifest_url)}</manifestUrl>"
                if form.manifest_url
                else ""
            )
            + "</xform>"
        )
    parts.append("</xforms>")
    return "".join(parts)


@dataclass(frozen=True)
class ListedMedia:
    filename: str
    md5: str
    download_url: str


def manifest_xml(files: Iterable[ListedMedia]) -> str:
    parts = [f'{DECLARATION}<manifest xmlns="{MANIFEST_NS}">']
    for item in files:
        parts.append(
            f"<mediaFile><filename>{xml_escape(item.filename)}</filename>"
            f"<hash>md5:{item.md5}</hash>"
            f"<downloadUrl>{xml_escape(item.download_url)}</downloadUrl></mediaFile>"
        )
    parts.append("</manifest>")
    return "".join(parts)


def refusal(error: Exception) -> HttpResponse:
    """The OpenRosaResponse for an exception raised while answering."""
    if isinstance(error, OpenRosaError):
        response = message_response(error.message, status=error.status, hint=error.hint)
        for name, value in error.headers.items():
            response[name] = value
        return response
    if isinstance(error, SubmissionRefused):
        return message_response(error.message, status=error.status, hint=error.hint)
    if isinstance(error, Http404):
        return message_response(str(error) or _("Not found on this server."), status=404)
    if isinstance(error, PermissionDenied):
        return message_response(str(error) or _("You may not do this."), status=403)
    if isinstance(error, ApplicationError):
        return message_response(error.message, status=400, hint=error.hint)
    if isinstance(
        error,
        MultiPartParserError
        | UnreadablePostError
        | RequestDataTooBig
        | TooManyFieldsSent
        | TooManyFilesSent,
    ):
        return message_response(
            _("The upload arrived incomplete or damaged (%(reason)s).") % {"reason": error},
            status=400,
            hint=_("Send it again when the connection is better."),
        )
    logger.exception("OpenRosa request failed", exc_info=error)
    return message_response(
        _("The server failed to handle this request; nothing was recorded."),
        status=500,
        hint=_("Try again later; if it keeps failing, tell the server admin."),
    )


TOKEN_IN_PATH = re.compile(r"/collect/key/[^/]+/")


def log_refusal(request: HttpRequest, response: HttpResponseBase) -> None:
    """Logged as Django would, but with an app user's token cut out of the path."""
    path = TOKEN_IN_PATH.sub("/collect/key/***/", request.path)
    log = logger.error if response.status_code >= 500 else logger.warning
    log("OpenRosa %s %s: %s", request.method, path, response.status_code)
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own log skips it


def openrosa_endpoint(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """OpenRosa headers on every answer, refusals as OpenRosaResponses, no redirect ever.

    csrf_exempt because devices send no CSRF token; a browser session's POST is checked
    for its CSRF token by the view itself (auth.caller_for), so only Basic- and
    token-authenticated requests go without it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every failure still answers OpenRosa
            response = refusal(error)
        if response.status_code >= 400:
            log_refusal(request, response)
        return with_headers(response)

    return csrf_exempt(wrapper)
