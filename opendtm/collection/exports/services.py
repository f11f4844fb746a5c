"""Creating an export (queued, audited) and running it in the background.

The run reads the form's current submission versions in chunks, over only the columns it
writes, and records its progress every PROGRESS_EVERY submissions so the page can show a
bar. When select_multiple questions are split, a first pass reads only the parsed data to
find the values seen beyond the declared choices.
"""

import datetime
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record
from opendtm.collection.exports.layout import (
    ExportOptions,
    Table,
    all_tables,
    export_layout,
    merged_fields,
    multiple_paths,
)
from opendtm.collection.exports.rows import SubmissionMeta, seen_choices, submission_rows
from opendtm.collection.exports.writers import CsvZipWriter, RowWriter, XlsxWriter
from opendtm.collection.models import Export, Form, FormVersion, SubmissionAttachment
from opendtm.collection.models import SubmissionVersion as Version
from opendtm.core.errors import ApplicationError

logger = logging.getLogger(__name__)
CHUNK_SIZE = 500
PROGRESS_EVERY = 500
META_COLUMNS = (
    "submission__received_at",
    "submission__instance_id",
    "submission__submitted_by__username",
    "submission__app_user__name",
    "attachments_present",
    "attachments_expected",
    "submission__review_state",
    "device_id",
    "submission__edits",
    "form_version__version",
    "data",
)


def export_create(*, actor: User, form: Form, format: str, options: dict[str, Any]) -> Export:
    """Queue an export of the form's current submissions; the task builds the file."""
    require(user=actor, operation=form.operation, capability=Capability.VIEW_SUBMISSIONS)
    if format not in Export.Format.values:
        raise ApplicationError(
            _("'%(format)s' is not an export format.") % {"format": format},
            hint=_("Choose csv or xlsx."),
        )
    export = Export.objects.create(
        form=form,
        format=format,
        options=ExportOptions.from_dict(options).as_dict(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        operation=form.operation,
        action=Action.EXPORT,
        instance=form,
        note=f"{format} export {export.pk} of the submissions",
    )
    from opendtm.collection.tasks import run_submission_export

    transaction.on_commit(lambda: run_submission_export.enqueue(export.pk))
    return export


def current_versions(form: Form) -> Any:
    return Version.objects.filter(current=True, submission__form=form)


def form_fields(form: Form) -> list[dict[str, Any]]:
    """Every version's fields, the current version's first, then newest to oldest."""
    versions = list(FormVersion.objects.filter(form=form).order_by("-created_at", "-id"))
    versions.sort(key=lambda version: version.pk != form.current_version_id)  # stable
    return merged_fields(version.schema or {} for version in versions)


def seen_values(form: Form, paths: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    if not paths:
        return found
    rows = current_versions(form).order_by().values_list("data", flat=True)
    for data in rows.iterator(chunk_size=CHUNK_SIZE):
        seen_choices(data, paths, found)
    return found


def export_rows(form: Form) -> Iterator[tuple[Any, ...]]:
    present = (
        SubmissionAttachment.objects.filter(version=OuterRef("pk"))
        .order_by()
        .values("version")
        .annotate(count=Count("id"))
        .values("count")
    )
    rows = (
        current_versions(form)
        .annotate(attachments_present=Coalesce(Subquery(present, output_field=IntegerField()), 0))
        .order_by("submission__received_at", "submission_id")
        .values_list(*META_COLUMNS)
    )
    return rows.iterator(chunk_size=CHUNK_SIZE)


def meta_of(row: tuple[Any, ...]) -> SubmissionMeta:
    (received, key, username, app_user, present, expected, review, device, edits, version) = row[
        :10
    ]
    return SubmissionMeta(
        submission_date=received.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        key=key,
        submitter=username or app_user or "",
        attachments_present=present or 0,
        attachments_expected=len(expected or []),
        review_state=review,
        device_id=device or "",
        edits=edits,
        form_version=version,
    )


def write_export(
    form: Form,
    options: ExportOptions,
    writer_class: type[CsvZipWriter] | type[XlsxWriter],
    target: Path,
    progress: Any = None,
) -> int:
    """Write the form's export to target; returns the number of submissions written."""
    fields = form_fields(form)
    seen = seen_values(form, multiple_paths(fields)) if options.split_select_multiple else {}
    root: Table = export_layout(form.form_id, fields, options, seen)
    writer: RowWriter = writer_class(all_tables(root))
    done = 0
    for row in export_rows(form):
        for table, values in submission_rows(root, row[10] or {}, meta_of(row)):
            writer.write(table, values)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None:  # closing a large workbook takes a while
        progress(done)
    writer.close(target)
    return done


def export_run(export_id: int) -> Export:
    export = Export.objects.select_related("form__operation", "form__current_version").get(
        pk=export_id
    )
    if export.status != Export.Status.QUEUED:
        return export
    form = export.form
    total = current_versions(form).count()
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RUNNING, rows_total=total, heartbeat_at=timezone.now()
    )

    def progress(done: int) -> None:  # the heartbeat tells a live export from an interrupted one
        Export.objects.filter(pk=export.pk).update(rows_done=done, heartbeat_at=timezone.now())

    writer_class = CsvZipWriter if export.format == Export.Format.CSV else XlsxWriter
    suffix = "zip" if export.format == Export.Format.CSV else "xlsx"
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    try:
        with tempfile.TemporaryDirectory(prefix="opendtm-export-") as folder:
            target = Path(folder) / f"export.{suffix}"
            done = write_export(
                form, ExportOptions.from_dict(export.options), writer_class, target, progress
            )
            with target.open("rb") as built:
                export.file.save(f"{form.form_id}-{stamp}.{suffix}", File(built), save=False)
    except Exception:
        logger.exception("export %s failed", export.pk)
        export.status = Export.Status.FAILED
        export.message = _("The export stopped on an unexpected error. The server log has it.")
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "message", "finished_at"])
        return export
    export.status = Export.Status.DONE
    export.rows_done = done
    export.rows_total = max(total, done)
    export.message = _("%(count)d submissions exported.") % {"count": done}
    export.finished_at = timezone.now()
    export.save(
        update_fields=["status", "rows_done", "rows_total", "message", "finished_at", "file"]
    )
    return export
