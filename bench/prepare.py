"""Set up a benchmark database: an operation, the 250-question form, an app user; and
fill the form with N submissions in bulk.

Run inside the benchmark's environment (DATABASE_URL, OPENDTM_DATA_DIR):
    python -m bench.prepare setup          -> prints {"slug", "token"} as JSON
    python -m bench.prepare fill N         -> the form holds at least N submissions

Filling writes rows directly, in bulk: realistic rows (10 KB XML, parsed data, one
version each), built from a few hundred distinct submissions with fresh instanceIDs. It
exists so the load test can run against a form that already holds 100k or 1M rows; the
load test itself goes through the real OpenRosa endpoint.
"""

import json
import os
import sys
import uuid

import django


def setup() -> dict[str, str]:
    from django.db import transaction

    from bench.site_form import FORM_ID, xlsform_bytes
    from opendtm.accounts.models import User
    from opendtm.accounts.services.operations import operation_create
    from opendtm.collection.models import Form
    from opendtm.collection.services.app_users import app_user_create
    from opendtm.collection.services.forms import form_upload_create, form_upload_run

    with transaction.atomic():
        admin = User.objects.create_superuser("bench", "bench@example.org", "bench-password")
        operation = operation_create(
            actor=admin,
            name="Benchmark",
            country="NGA",
            admin_level_names=["Country", "State", "LGA"],
        )
    upload = form_upload_create(
        actor=admin,
        operation=operation,
        name="site_assessment.xlsx",
        data=xlsform_bytes(),
        kind=Form.Kind.SITE_ASSESSMENT,
    )
    upload = form_upload_run(upload.pk)
    if upload.version is None:
        raise SystemExit(f"the benchmark form was refused: {upload.message} {upload.problems}")
    form = Form.objects.get(operation=operation, form_id=FORM_ID)
    _app_user, token = app_user_create(
        actor=admin, operation=operation, name="bench device", forms=[form]
    )
    return {"slug": operation.slug, "token": token}


def fill(target: int, batch: int = 2000) -> int:
    from django.db import transaction
    from django.utils import timezone

    from bench.site_form import FORM_ID, submission_xml
    from opendtm.collection.models import Form, Submission, SubmissionVersion
    from opendtm.collection.xform import instance_data, instance_meta, parse_xml

    form = Form.objects.select_related("current_version").get(form_id=FORM_ID)
    version = form.current_version
    have = Submission.objects.filter(form=form).count()
    templates = []
    for seed in range(300):
        xml = submission_xml(10_000_000 + seed).decode()
        root = parse_xml(xml)
        templates.append((xml, instance_meta(root).instance_id, instance_data(root, {"household"})))
    now = timezone.now()
    while have < target:
        count = min(batch, target - have)
        submissions, versions = [], []
        for index in range(count):
            xml, old_id, data = templates[(have + index) % len(templates)]
            new_id = f"uuid:{uuid.uuid4()}"
            submissions.append(
                Submission(
                    operation_id=form.operation_id,
                    form=form,
                    instance_id=new_id,
                    received_at=now,
                    updated_at=now,
                )
            )
            versions.append((xml.replace(old_id, new_id), new_id, data))
        with transaction.atomic():
            created = Submission.objects.bulk_create(submissions)
            SubmissionVersion.objects.bulk_create(
                [
                    SubmissionVersion(
                        submission=submission,
                        form=form,
                        form_version=version,
                        instance_id=new_id,
                        xml=xml,
                        xml_sha256="0" * 64,
                        data={**data, "meta": {"instanceID": new_id}},
                        parse_status=SubmissionVersion.Parse.PARSED,
                        received_at=now,
                    )
                    for submission, (xml, new_id, data) in zip(created, versions, strict=True)
                ]
            )
        have += count
    return have


def export(fmt: str, mode: str) -> dict:
    """Export the benchmark form once, streaming (the product) or naive (the baseline)."""
    import tempfile
    import time
    from pathlib import Path

    from bench.naive_export import NAIVE_WRITERS
    from bench.site_form import FORM_ID
    from opendtm.collection.exports.layout import ExportOptions
    from opendtm.collection.exports.services import write_export
    from opendtm.collection.exports.writers import CsvZipWriter, XlsxWriter
    from opendtm.collection.models import Form

    form = Form.objects.select_related("current_version").get(form_id=FORM_ID)
    writer = (NAIVE_WRITERS if mode == "naive" else {"csv": CsvZipWriter, "xlsx": XlsxWriter})[fmt]
    target = Path(tempfile.mkdtemp()) / f"export.{fmt}"
    started = time.monotonic()
    rows = write_export(form, ExportOptions.from_dict({}), writer, target)
    return {
        "seconds": time.monotonic() - started,
        "submissions": rows,
        "bytes": target.stat().st_size,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendtm.settings")
    django.setup()
    command = sys.argv[1]
    if command == "setup":
        print(json.dumps(setup()))  # noqa: T201
    elif command == "fill":
        print(fill(int(sys.argv[2])))  # noqa: T201
    elif command == "export":
        print(json.dumps(export(sys.argv[2], sys.argv[3])))  # noqa: T201
    elif command == "noop":
        print("{}")  # noqa: T201  - the memory of a process that only loaded Django
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
