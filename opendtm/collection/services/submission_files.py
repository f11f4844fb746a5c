"""A submission's attachments: in the blob store before the receipt's transaction, within limits.

Each file is written to the content-addressed blob store, fsynced and renamed into place,
while its bytes are counted against the per-file limit (OPENDTM_MAX_ATTACHMENT_BYTES) and
what is left of the whole submission's (OPENDTM_MAX_SUBMISSION_BYTES). The transaction then
records the stored files as a version's attachments (`attach`).
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from opendtm.collection.blobs import BlobRef, BlobTooLarge, blob_store
from opendtm.collection.models import SubmissionAttachment, SubmissionVersion
from opendtm.collection.services.submission_refusals import SubmissionRefused, too_large

MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class IncomingFile:
    """An attachment as received: its file name, its type and its bytes, streamed."""

    name: str
    content_type: str
    chunks: Iterable[bytes]


@dataclass(frozen=True)
class StoredFile:
    name: str
    content_type: str
    blob: BlobRef


def clean_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in {".", ".."} or len(name) > MAX_NAME_LENGTH:
        raise SubmissionRefused(
            _("An attachment has no usable file name ('%(name)s').") % {"name": name[:80]}
        )
    return name


def store_files(files: Sequence[IncomingFile], *, budget: int) -> list[StoredFile]:
    """Each file fsynced into the blob store; the whole submission kept under its limit."""
    per_file = settings.OPENDTM_MAX_ATTACHMENT_BYTES
    remaining = [budget]

    def counted(chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            remaining[0] -= len(chunk)
            if remaining[0] < 0:
                raise too_large(settings.OPENDTM_MAX_SUBMISSION_BYTES)
            yield chunk

    stored: list[StoredFile] = []
    seen: set[str] = set()
    for incoming in files:
        name = clean_name(incoming.name)
        if name in seen:  # the same name twice in one POST: the first one counts
            continue
        seen.add(name)
        try:
            blob = blob_store(counted(incoming.chunks), name=name, max_size=per_file)
        except BlobTooLarge:
            raise SubmissionRefused(
                _("The file %(name)s is larger than the %(limit)d MB allowed per file.")
                % {"name": name, "limit": per_file // (1024 * 1024)},
                status=413,
                hint=_("Send a smaller file, or ask the server admin to raise the limit."),
            ) from None
        content_type = (incoming.content_type or "application/octet-stream")[:100]
        stored.append(StoredFile(name=name, content_type=content_type, blob=blob))
    return stored


def attach(
    version: SubmissionVersion, files: Iterable[StoredFile], *, ignore_conflicts: bool = False
) -> None:
    """The stored files recorded as the version's attachments.

    With ignore_conflicts, a name the version has already (the same file sent twice at once)
    keeps its first row.
    """
    rows = [
        SubmissionAttachment(
            version=version,
            name=item.name,
            sha256=item.blob.sha256,
            md5=item.blob.md5,
            size=item.blob.size,
            content_type=item.content_type,
        )
        for item in files
    ]
    if rows:
        SubmissionAttachment.objects.bulk_create(rows, ignore_conflicts=ignore_conflicts)
