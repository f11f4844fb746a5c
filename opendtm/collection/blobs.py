"""Files stored by content: the SHA-256 of the bytes names the file.

A file is written to a temporary name, fsynced, renamed into place and its directory fsynced,
so once `blob_store` returns the bytes survive a crash or power cut. Storing the same bytes
twice keeps one copy.
"""

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from opendtm.core.errors import ApplicationError

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BlobRef:
    sha256: str
    md5: str
    size: int


class BlobTooLarge(ApplicationError):
    pass


def blob_root() -> Path:
    return Path(settings.OPENDTM_BLOB_ROOT)


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or not all(char in "0123456789abcdef" for char in sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return blob_root() / sha256[:2] / sha256[2:4] / sha256


def fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def make_directories(path: Path) -> None:
    """Create missing folders, each made durable in its parent before the file is renamed in."""
    if path.is_dir():
        return
    make_directories(path.parent)
    path.mkdir(exist_ok=True)
    fsync_directory(path.parent)


def blob_store(chunks: Iterable[bytes], *, name: str = "", max_size: int | None = None) -> BlobRef:
    """Store a stream durably; refuse it, leaving nothing behind, past max_size bytes."""
    incoming = blob_root() / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    sha256, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    handle, temporary = tempfile.mkstemp(dir=incoming)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise BlobTooLarge(
                        _("%(name)s is larger than the %(limit)d MB allowed per file.")
                        % {"name": name or _("A file"), "limit": max_size // (1024 * 1024)},
                        hint=_("Send a smaller file, or ask the server admin to raise the limit."),
                    )
                sha256.update(chunk)
                md5.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        ref = BlobRef(sha256=sha256.hexdigest(), md5=md5.hexdigest(), size=size)
        target = blob_path(ref.sha256)
        make_directories(target.parent)
        os.replace(temporary, target)
        fsync_directory(target.parent)
        return ref
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def blob_store_bytes(data: bytes, *, name: str = "", max_size: int | None = None) -> BlobRef:
    return blob_store([data], name=name, max_size=max_size)


def blob_open(sha256: str) -> BinaryIO:
    return blob_path(sha256).open("rb")


def blob_read(sha256: str) -> bytes:
    return blob_path(sha256).read_bytes()
