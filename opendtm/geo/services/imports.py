"""Uploads of admin areas and sites, run as background tasks with a recorded outcome."""

import datetime
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.selectors.operations import require
from opendtm.core.errors import ApplicationError, Forbidden, NotFound
from opendtm.core.tables import check_not_empty, check_upload_size, read_table
from opendtm.geo.importers.areas import read_area_file
from opendtm.geo.importers.columns import ColumnsUnclear
from opendtm.geo.models import ImportJob
from opendtm.geo.services.areas import admin_areas_import
from opendtm.geo.services.site_import import sites_import

logger = logging.getLogger(__name__)


def import_job_create(
    *, actor: User, operation: Operation, kind: str, name: str, data: bytes, options: dict
) -> ImportJob:
    """Store the upload and queue it. Size is checked before anything is written."""
    require(user=actor, operation=operation, capability=ImportJob.capability_for(kind))
    check_upload_size(name, len(data))
    check_not_empty(name, data)
    option_valid_on(options)
    job = ImportJob(
        operation=operation, kind=kind, file_name=name, options=options, created_by=actor
    )
    job.file.save(name, ContentFile(data), save=False)
    job.save()
    from opendtm.geo.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def import_job_run(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("operation", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        with job.file.open("rb") as stored:
            data = stored.read()
        summary = run_import(job, data)
    except ColumnsUnclear as error:
        finish(
            job,
            ImportJob.Status.FAILED,
            error.message,
            summary={
                "columns_unclear": True,
                "headers": error.headers,
                "guess": error.guess.describe(),
                "missing": error.missing,
                "hint": error.hint,
            },
        )
    except ApplicationError as error:
        finish(
            job,
            ImportJob.Status.FAILED,
            error.message,
            problems=[problem.as_dict() for problem in error.problems],
            summary={"hint": error.hint} if error.hint else None,
        )
    except (NotFound, Forbidden) as error:  # the uploader lost their role meanwhile
        finish(job, ImportJob.Status.FAILED, str(error))
    except Exception:
        logger.exception("import job %s failed", job.pk)
        finish(
            job,
            ImportJob.Status.FAILED,
            _(
                "The import stopped on an unexpected error; nothing was changed. "
                "The server log has the details."
            ),
        )
    else:
        finish(job, ImportJob.Status.DONE, _("Imported."), summary=summary)
    return job


def run_import(job: ImportJob, data: bytes) -> dict:
    options = job.options
    if job.kind == ImportJob.Kind.AREAS:
        source = read_area_file(
            job.file_name,
            data,
            job.operation,
            columns=options.get("columns", ""),
            repair=options.get("repair", False),
        )
        return admin_areas_import(
            actor=job.created_by,
            operation=job.operation,
            source=source,
            valid_on=option_valid_on(options),
            label=options.get("label") or job.file_name,
            retire_missing=options.get("retire_missing", False),
        ).as_dict()
    table = read_table(job.file_name, data)
    return sites_import(
        actor=job.created_by,
        operation=job.operation,
        table=table,
        columns=options.get("columns", ""),
    ).as_dict()


def option_valid_on(options: dict) -> datetime.date | None:
    text = options.get("valid_on") or ""
    try:
        day = parse_date(str(text)) if text else None
    except ValueError:
        day = None
    if text and day is None:
        raise ApplicationError(
            _("'%(text)s' is not a date for 'valid on'.") % {"text": text},
            hint=_("Write it as YYYY-MM-DD, for example 2025-06-30."),
        )
    return day


def finish(
    job: ImportJob,
    status: str,
    message: str,
    problems: list | None = None,
    summary: dict | None = None,
) -> None:
    job.status = status
    job.message = message
    job.problems = problems or []
    job.summary = summary or {}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "problems", "summary", "finished_at"])
