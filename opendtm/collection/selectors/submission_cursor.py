"""The cursor of a newest-first submission list: the (received_at, id) of the last row shown.

It travels in page links, so it is URL-safe base64 without padding; one that cannot be read,
or whose time has no time zone, is refused as ApplicationError, not as a server error.
"""

import base64
import binascii
import datetime
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from opendtm.collection.models import Submission
from opendtm.core.errors import ApplicationError


@dataclass(frozen=True)
class Cursor:
    received_at: datetime.datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.received_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        refused = ApplicationError(
            _("This page link is not valid (its cursor cannot be read)."),
            hint=_("Start again from the first page."),
        )
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            stamp, _sep, number = raw.partition("|")
            received_at = parse_datetime(stamp)
            position = int(number)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise refused from None
        if received_at is None or received_at.tzinfo is None:
            raise refused
        return cls(received_at=received_at, id=position)

    @classmethod
    def after(cls, submission: Submission) -> "Cursor":
        return cls(received_at=submission.received_at, id=submission.pk)
