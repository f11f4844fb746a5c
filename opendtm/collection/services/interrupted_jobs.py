"""Background jobs whose worker died are reported as failed, not left running forever.

A worker killed in the middle of a job (a restart, the out-of-memory killer) leaves its upload
"converting" or its export "running", and the page showing it would poll forever. A conversion
cannot outlive twice its time limit (pyxform, then ODK Validate, each killed at the limit),
and an export touches `heartbeat_at` as it writes, so past those limits the job is over. It is
then marked failed, with what to do. The pages and API views that show jobs call this first.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.collection.models import Export, FormUpload

CONVERSION_GRACE = datetime.timedelta(minutes=1)  # the worker's own steps around the children


def interrupted_jobs_fail(operation: Operation, now: datetime.datetime | None = None) -> int:
    """Mark the operation's interrupted conversions and exports failed; how many there were."""
    now = now or timezone.now()
    return uploads_fail(operation, now) + exports_fail(operation, now)


def uploads_fail(operation: Operation, now: datetime.datetime) -> int:
    limit = 2 * datetime.timedelta(seconds=settings.OPENDTM_CONVERSION_TIMEOUT)
    return FormUpload.objects.filter(
        silent_since(now - limit - CONVERSION_GRACE, "started_at"),
        operation=operation,
        status=FormUpload.Status.CONVERTING,
    ).update(
        status=FormUpload.Status.FAILED,
        message=_(
            "The conversion was interrupted: the background worker stopped before it finished. "
            "Nothing was published. Upload the file again."
        ),
        finished_at=now,
    )


def exports_fail(operation: Operation, now: datetime.datetime) -> int:
    limit = datetime.timedelta(seconds=settings.OPENDTM_EXPORT_STALLED_AFTER)
    return Export.objects.filter(
        silent_since(now - limit, "heartbeat_at"),
        form__operation=operation,
        status=Export.Status.RUNNING,
    ).update(
        status=Export.Status.FAILED,
        message=_(
            "The export was interrupted: the background worker stopped before it finished. "
            "Start a new export."
        ),
        finished_at=now,
    )


def silent_since(cutoff: datetime.datetime, field: str) -> Q:
    """Last heard of before the cutoff; jobs from before the field existed by their creation."""
    return Q(**{f"{field}__lt": cutoff}) | Q(**{f"{field}__isnull": True, "created_at__lt": cutoff})
