"""Forms for the form tests: XLSForms written in the test (markdown, XLSX, XLS) and models.

`published_form` writes a form, version and media straight to the models, from a real
pyxform conversion run in-process, so page and API tests need no background conversion.
The service tests go through the real upload path instead.
"""

import hashlib
import io

import factory
from factory.django import DjangoModelFactory
from pyxform.xls2xform import convert

from opendtm.collection.blobs import blob_store_bytes
from opendtm.collection.models import Form, FormMedia, FormUpload, FormVersion
from opendtm.collection.xform import form_schema
from tests.factories import OperationFactory, UserFactory

SITE_FORM = """
| survey |
| | type | name | label | indicator |
| | text | site_code | Site code | |
| | select_one_from_file sites.csv | site | Site | |
| | begin_group | location | Location | |
| | text | adm2_pcode | LGA p-code | |
| | text | adm3_pcode | Ward p-code | |
| | end_group | | | |
| | integer | idp_ind | IDP individuals | idp_individuals |
| | image | photo | Photo | |
| settings |
| | form_title | form_id | version |
| | DTM site assessment | dtm_sa | 2026112309 |
"""


def markdown_form(
    *, form_id: str = "dtm_sa", version: str | None = "1", title: str = "DTM form", rows: str = ""
) -> str:
    """A small XLSForm in markdown; version None leaves the version out."""
    questions = rows or "| | text | site_code | Site code |\n| | integer | hh | Households |\n"
    settings_header = "| | form_title | form_id |" + (" version |" if version is not None else "")
    settings_row = f"| | {title} | {form_id} |" + (f" {version} |" if version is not None else "")
    return (
        "| survey |\n| | type | name | label |\n"
        f"{questions}"
        f"| settings |\n{settings_header}\n{settings_row}\n"
    )


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xls_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    import xlwt  # an old-Excel writer that pyxform's dependencies bring along

    workbook = xlwt.Workbook()
    for name, rows in sheets.items():
        sheet = workbook.add_sheet(name)
        for row_number, row in enumerate(rows):
            for column, value in enumerate(row):
                sheet.write(row_number, column, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


SITE_SHEETS: dict[str, list[list[object]]] = {
    "survey": [
        ["type", "name", "label", "indicator"],
        ["text", "ssid", "Site ID", ""],
        ["integer", "idp_hh", "IDP households", "idp_households"],
    ],
    "settings": [["form_title", "form_id", "version"], ["Site survey", "site_survey", "2026.1"]],
}


def md5_of(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class FormFactory(DjangoModelFactory):
    class Meta:
        model = Form

    operation = factory.SubFactory(OperationFactory)
    form_id = factory.Sequence(lambda n: f"form_{n}")
    title = factory.LazyAttribute(lambda form: f"Form {form.form_id}")
    kind = Form.Kind.SITE_ASSESSMENT
    created_by = factory.SubFactory(UserFactory)


class FormUploadFactory(DjangoModelFactory):
    class Meta:
        model = FormUpload

    operation = factory.SubFactory(OperationFactory)
    file_name = "form.md"
    sha256 = factory.LazyFunction(lambda: blob_store_bytes(markdown_form().encode()).sha256)
    created_by = factory.SubFactory(UserFactory)


def published_form(
    operation,
    *,
    form_id: str = "dtm_sa",
    title: str = "DTM site assessment",
    versions: tuple[str, ...] = ("2026112309",),
    markdown: str = SITE_FORM,
    media: dict[str, bytes] | None = None,
    created_by=None,
    **form_fields,
) -> Form:
    """A form with one version per entry of `versions`, the last current, each with media."""
    created_by = created_by or UserFactory()
    form = FormFactory(
        operation=operation, form_id=form_id, title=title, created_by=created_by, **form_fields
    )
    files = {"sites.csv": b"name,label\nS1,Camp one\n"} if media is None else media
    for version in versions:
        source = markdown.replace("dtm_sa", form_id).replace("2026112309", version)
        xform = convert(xlsform=source.encode(), file_type=".md").xform
        schema = form_schema(xform)
        xlsform = blob_store_bytes(source.encode())
        current = FormVersion.objects.create(
            form=form,
            version=version,
            title=schema.title,
            xform=xform,
            xform_md5=md5_of(xform),
            xlsform_name=f"{form_id}.md",
            xlsform_sha256=xlsform.sha256,
            schema=schema.as_dict(),
            media_expected=schema.media,
            created_by=created_by,
        )
        for name, data in files.items():
            ref = blob_store_bytes(data)
            FormMedia.objects.create(
                version=current,
                filename=name,
                sha256=ref.sha256,
                md5=ref.md5,
                size=ref.size,
                content_type="text/csv",
            )
        form.current_version = current
    form.save()
    return form
