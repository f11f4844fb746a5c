"""Reading a submission POST within its limits, whether it has a Content-Length or is chunked.

- A declared Content-Length over the limit is refused (413) before a byte of the body is read.
- A chunked body (no Content-Length; OpenRosa servers must accept HTTP/1.1 chunked transfer
  encoding) is spooled to a temporary file up to the limit and refused past it. Django reads
  a WSGI body only up to its Content-Length, so without this it would see an empty body;
  gunicorn and other servers that set `wsgi.input_terminated` hand over the decoded stream.
- While the multipart body is parsed, `SubmissionUploadHandler` counts every file's bytes and
  stops the upload as soon as one attachment or the whole submission passes its limit, so an
  understated or absent Content-Length cannot slip a larger body through.
"""

import tempfile
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest
from django.utils.translation import gettext as _

from opendtm.collection.openrosa.responses import OpenRosaError

XML_FIELD = "xml_submission_file"
MULTIPART_OVERHEAD = 1024 * 1024  # part headers and boundaries around the files
SPOOL_IN_MEMORY = 1024 * 1024
READ_SIZE = 64 * 1024


def body_limit() -> int:
    return settings.OPENDTM_MAX_SUBMISSION_BYTES + MULTIPART_OVERHEAD


def too_large(name: str = "") -> OpenRosaError:
    if name:
        limit = settings.OPENDTM_MAX_ATTACHMENT_BYTES
        message = _("The file %(name)s is larger than the %(limit)d MB allowed per file.") % {
            "name": name,
            "limit": limit // (1024 * 1024),
        }
    else:
        limit = settings.OPENDTM_MAX_SUBMISSION_BYTES
        message = _("This submission is larger than the %(limit)d MB the server accepts.") % {
            "limit": limit // (1024 * 1024)
        }
    return OpenRosaError(
        message,
        status=413,
        hint=_("Send smaller photos, or ask the server admin to raise the limit."),
    )


class SubmissionUploadHandler(FileUploadHandler):
    """First in the chain: counts bytes per file and in all, passes them on unchanged."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.total = 0
        self.in_file = 0
        self.file_limit = 0

    def new_file(self, field_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, *args, **kwargs)  # type: ignore[arg-type]
        self.in_file = 0
        self.file_limit = (
            settings.OPENDTM_MAX_SUBMISSION_BYTES
            if field_name == XML_FIELD
            else settings.OPENDTM_MAX_ATTACHMENT_BYTES
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.total += len(raw_data)
        self.in_file += len(raw_data)
        if self.total > settings.OPENDTM_MAX_SUBMISSION_BYTES:
            raise too_large()
        if self.in_file > self.file_limit:
            raise too_large("" if self.field_name == XML_FIELD else str(self.file_name))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def spool_chunked(request: HttpRequest) -> None:
    """Read a chunked body to its end (within the limit) and give Django its length."""
    source = request.META["wsgi.input"]
    limit = body_limit()
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - kept open as the body
    size = 0
    while chunk := source.read(READ_SIZE):
        size += len(chunk)
        if size > limit:
            spool.close()
            raise too_large()
        spool.write(chunk)
    spool.seek(0)
    request.META["CONTENT_LENGTH"] = str(size)
    stream: Any = LimitedStream(spool, size)  # type: ignore[arg-type]
    request._stream = stream  # Django reads the body from here


def prepare_upload(request: HttpRequest) -> None:
    """Refuse an oversized body early; set the handlers that cap it while it is read."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.strip():
        try:
            length = int(declared)
        except ValueError:
            raise OpenRosaError(
                _("The Content-Length header is not a number."), status=400
            ) from None
        if length > body_limit():
            raise too_large()
    elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        spool_chunked(request)
    request.upload_handlers = [
        SubmissionUploadHandler(request),
        MemoryFileUploadHandler(request),
        TemporaryFileUploadHandler(request),
    ]
