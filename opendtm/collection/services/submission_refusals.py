"""Refusing a submission: nothing is recorded, and OpenRosa answers the refusal's status."""

from django.utils.translation import gettext as _

from opendtm.core.errors import ApplicationError


class SubmissionRefused(ApplicationError):
    """Nothing was recorded; `status` is the HTTP status the OpenRosa view answers."""

    def __init__(self, message: str, *, status: int = 400, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status


def too_large(limit: int) -> SubmissionRefused:
    return SubmissionRefused(
        _("This submission is larger than the %(limit)d MB the server accepts.")
        % {"limit": limit // (1024 * 1024)},
        status=413,
        hint=_("Send smaller photos, or ask the server admin to raise the limit."),
    )
