"""Forms, versions and submissions for the submission tests, built from real XLSForms.

Forms are converted by pyxform from markdown XLSForms, so their schemas are what the app
stores. `add_submission` and `add_many` write submissions straight to the models (fast, and
independent of the OpenRosa ingest); tests of edits and imports go through the real
`submission_receive` with `instance_xml`.
"""

import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import factory
import responses
from django.utils import timezone
from factory.django import DjangoModelFactory
from pyxform.xls2xform import convert

from opendtm.collection.blobs import blob_store
from opendtm.collection.models import (
    Form,
    FormVersion,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
)
from opendtm.collection.xform import binary_values, form_schema, instance_data, parse_xml
from tests.factories import OperationFactory, UserFactory

SITE_FORM_V1 = """
| survey |
| | type | name | label |
| | text | site_code | Site code |
| | begin group | location | Location |
| | text | area | Admin area p-code |
| | end group | | |
| | integer | households | Households |
| | select_multiple needs | needs | Needs |
| | select_one yn | lighting | Lighting adequate |
| | image | photo | Photo of the site |
| | text | remarks | Remarks |
| | begin repeat | hh | Household |
| | text | head | Head of household |
| | integer | size | Household size |
| | begin repeat | member | Member |
| | text | name | Name |
| | integer | age | Age |
| | end repeat | | |
| | end repeat | | |
| choices |
| | list_name | name | label |
| | needs | food | Food |
| | needs | shelter | Shelter |
| | needs | wash | WASH |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_title | form_id | version |
| | Site assessment | site_assessment | 2024010101 |
"""

# Version 2 drops `remarks`, adds `lighting_notes` and a `health` choice.
SITE_FORM_V2 = (
    SITE_FORM_V1.replace("| | text | remarks | Remarks |\n", "")
    .replace(
        "| | image | photo |", "| | text | lighting_notes | Lighting notes |\n| | image | photo |"
    )
    .replace(
        "| | needs | wash | WASH |", "| | needs | wash | WASH |\n| | needs | health | Health |"
    )
    .replace("2024010101", "2024020101")
)


def xform_of(markdown: str) -> str:
    return convert(xlsform=markdown, file_type=".md").xform


class FormFactory(DjangoModelFactory):
    class Meta:
        model = Form
        django_get_or_create = ("operation", "form_id")

    operation = factory.SubFactory(OperationFactory)
    form_id = "site_assessment"
    title = "Site assessment"
    kind = Form.Kind.SITE_ASSESSMENT
    created_by = factory.SubFactory(UserFactory)


def add_form_version(form: Form, markdown: str = SITE_FORM_V1) -> FormVersion:
    """A published version from an XLSForm; it becomes the form's current version."""
    xform = xform_of(markdown.replace("site_assessment", form.form_id))
    schema = form_schema(xform)
    version = FormVersion.objects.create(
        form=form,
        version=schema.version,
        title=schema.title,
        xform=xform,
        xform_md5=hashlib.md5(xform.encode(), usedforsecurity=False).hexdigest(),
        schema=schema.as_dict(),
        media_expected=schema.media,
        created_by=form.created_by,
    )
    form.current_version = version
    form.save(update_fields=["current_version"])
    return version


def site_form(operation, markdown: str = SITE_FORM_V1, **kwargs) -> Form:
    form = FormFactory(operation=operation, **kwargs)
    add_form_version(form, markdown)
    return form


def to_xml(name: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(to_xml(name, item) for item in value)
    if isinstance(value, Mapping):
        inner = "".join(to_xml(key, item) for key, item in value.items())
        return f"<{name}>{inner}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>" if value not in (None, "") else f"<{name}/>"


def instance_xml(
    form_id: str,
    version: str,
    values: Mapping[str, Any],
    *,
    instance_id: str = "",
    deprecated_id: str = "",
) -> str:
    """A submission as Collect sends it; lists make repeats, dicts groups."""
    meta = {"instanceID": instance_id or f"uuid:{uuid.uuid4()}"}
    if deprecated_id:
        meta["deprecatedID"] = deprecated_id
    body = "".join(to_xml(key, item) for key, item in values.items()) + to_xml("meta", meta)
    return (
        '<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">{body}</data>'
    )


def sample_values(number: int = 1, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "site_code": f"MMC-{number:02d}",
        "location": {"area": "NG008021"},
        "households": 10 + number,
        "needs": "food wash",
        "lighting": "no",
        "photo": "",
        "remarks": f"remark {number}",
        "hh": [
            {"head": f"Amina {number}", "size": 5, "member": [{"name": "Ali", "age": 4}]},
            {"head": f"Musa {number}", "size": 3, "member": []},
        ],
    }
    values.update(overrides)
    return values


def repeats_of(version: FormVersion) -> set[str]:
    return {field["path"] for field in version.schema["fields"] if field["kind"] == "repeat"}


def add_submission(
    version: FormVersion,
    values: Mapping[str, Any] | None = None,
    *,
    received_at: datetime.datetime | None = None,
    instance_id: str = "",
    submitted_by=None,
    app_user=None,
    site=None,
    admin_area=None,
    review_state: str = Submission.Review.RECEIVED,
    attachments: Iterable[tuple[str, bytes]] = (),
) -> Submission:
    """A submission with one current, parsed version, written straight to the models."""
    form = version.form
    xml = instance_xml(
        form.form_id, version.version, values or sample_values(), instance_id=instance_id
    )
    root = parse_xml(xml)
    data = instance_data(root, repeats_of(version))
    instance = data["meta"]["instanceID"]
    at = received_at or timezone.now()
    submission = Submission.objects.create(
        operation=form.operation,
        form=form,
        instance_id=instance,
        review_state=review_state,
        submitted_by=submitted_by,
        app_user=app_user,
        site=site,
        admin_area=admin_area,
        received_at=at,
        updated_at=at,
    )
    stored = SubmissionVersion.objects.create(
        submission=submission,
        form=form,
        form_version=version,
        instance_id=instance,
        xml=xml,
        xml_sha256=hashlib.sha256(xml.encode()).hexdigest(),
        data=data,
        parse_status=SubmissionVersion.Parse.PARSED,
        attachments_expected=binary_values(data, form_schema(version.xform)),
        submitted_by=submitted_by,
        app_user=app_user,
        received_at=at,
    )
    for name, content in attachments:
        ref = blob_store([content], name=name)
        SubmissionAttachment.objects.create(
            version=stored,
            name=name,
            sha256=ref.sha256,
            md5=ref.md5,
            size=ref.size,
            content_type="image/jpeg" if name.endswith(".jpg") else "application/octet-stream",
        )
    return submission


def add_many(version: FormVersion, count: int, *, start: datetime.datetime | None = None) -> None:
    """Many submissions quickly (bulk inserts), one second apart."""
    form = version.form
    start = start or timezone.now() - datetime.timedelta(days=30)
    repeats = repeats_of(version)
    batch = 500
    for first in range(0, count, batch):
        numbers = range(first, min(first + batch, count))
        xmls = {}
        submissions = []
        for number in numbers:
            xml = instance_xml(form.form_id, version.version, sample_values(number))
            instance = parse_xml(xml).find("meta/instanceID").text
            xmls[instance] = xml
            at = start + datetime.timedelta(seconds=number)
            submissions.append(
                Submission(
                    operation=form.operation,
                    form=form,
                    instance_id=instance,
                    received_at=at,
                    updated_at=at,
                )
            )
        created = Submission.objects.bulk_create(submissions)
        if created and created[0].pk is None:  # SQLite before RETURNING: read the ids back
            created = list(Submission.objects.filter(instance_id__in=list(xmls)))
        SubmissionVersion.objects.bulk_create(
            [
                SubmissionVersion(
                    submission=submission,
                    form=form,
                    form_version=version,
                    instance_id=submission.instance_id,
                    xml=xmls[submission.instance_id],
                    xml_sha256=hashlib.sha256(xmls[submission.instance_id].encode()).hexdigest(),
                    data=instance_data(parse_xml(xmls[submission.instance_id]), repeats),
                    parse_status=SubmissionVersion.Parse.PARSED,
                    received_at=submission.received_at,
                )
                for submission in created
            ]
        )


FIXTURES = Path(__file__).parent / "fixtures"


def replay(mock: responses.RequestsMock, source: str) -> list[dict]:
    """Register the recorded (reconstructed) responses of "central" or "kobo" with a mock."""
    folder = FIXTURES / source
    recording = json.loads((folder / "recording.json").read_text())
    for entry in recording:
        if "json" in entry:
            mock.add(entry["method"], entry["url"], json=entry["json"], status=200)
        else:
            mock.add(
                entry["method"],
                entry["url"],
                body=(folder / entry["file"]).read_bytes(),
                status=200,
                content_type=entry["content_type"],
            )
    return recording
