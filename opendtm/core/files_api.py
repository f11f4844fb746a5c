"""API endpoints that answer with a file: an XForm or instance XML, or stored bytes.

Such a view subclasses XmlDownloadApi or FileDownloadApi, which answer in their one format
whatever the Accept header asks (refusals still come as JSON), documents its answer with
xml_responses or file_responses, and builds it with xml_download or sandboxed_file.
"""

from typing import IO, Any

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer

from opendtm.core.api import ApiView, FirstRendererNegotiation, refusals

# Shown with everything a browser could render or run in it turned off.
SANDBOX = "default-src 'none'; sandbox"


class XmlRenderer(BaseRenderer):
    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


class BinaryRenderer(BaseRenderer):
    media_type = "application/octet-stream"
    format = "bin"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


# The two base views carry comments, not docstrings: the schema would show a docstring as the
# text of every endpoint that inherits it.
class XmlDownloadApi(ApiView):
    renderer_classes = [XmlRenderer, JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation


class FileDownloadApi(ApiView):
    renderer_classes = [BinaryRenderer, JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation


def xml_responses(*codes: int) -> dict[Any, OpenApiResponse]:
    """The documented responses of an XML download: the XML, and the refusals named."""
    return {(200, "application/xml"): OpenApiResponse(OpenApiTypes.STR), **refusals(*codes)}


def file_responses(*codes: int) -> dict[Any, OpenApiResponse]:
    """The documented responses of a file download: its bytes, and the refusals named."""
    return {
        (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
        **refusals(*codes),
    }


def xml_download(xml: str, filename: str) -> HttpResponse:
    """XML text, byte for byte as stored, as a download."""
    response = HttpResponse(xml.encode(), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


def sandboxed_file(
    file: IO[bytes], *, filename: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """A file whose content came from outside (an upload, a device), never run by a browser."""
    response = FileResponse(
        file, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["Content-Security-Policy"] = SANDBOX
    return response
