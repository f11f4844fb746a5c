"""Exports read back: tables, KEY/PARENT_KEY, split select_multiple, group paths, formulas."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.collection.exports.layout import ExportOptions
from opendtm.collection.exports.services import export_create, export_run, write_export
from opendtm.collection.exports.writers import CsvZipWriter, XlsxWriter
from opendtm.collection.models import Export
from opendtm.core.errors import Forbidden
from tests.collection.factories_submissions import (
    SITE_FORM_V2,
    add_form_version,
    add_submission,
    sample_values,
    site_form,
)


def read_zip(path) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def read_xlsx(path) -> dict[str, list[dict]]:
    workbook = load_workbook(path, read_only=True)
    tables = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        tables[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    workbook.close()
    return tables


def export_to(tmp_path, form, fmt="csv", **options):
    target = tmp_path / f"out.{'zip' if fmt == 'csv' else 'xlsx'}"
    writer = CsvZipWriter if fmt == "csv" else XlsxWriter
    write_export(form, ExportOptions(**options), writer, target)
    return read_zip(target) if fmt == "csv" else read_xlsx(target)


@pytest.fixture
def form(operation, member):
    return site_form(operation, created_by=member(Role.DATA_MANAGER, operation))


def test_root_and_repeat_tables_join_by_key_and_parent_key(tmp_path, form):
    # given
    submission = add_submission(form.current_version, sample_values(1))
    key = submission.instance_id
    # when
    tables = export_to(tmp_path, form)
    # then
    assert set(tables) == {"site_assessment", "site_assessment-hh", "site_assessment-member"}
    [root] = tables["site_assessment"]
    assert root["KEY"] == key
    assert root["site_code"] == "MMC-01"
    assert root["location-area"] == "NG008021"
    assert root["households"] == "11"
    assert root["FormVersion"] == "2024010101"
    assert root["ReviewState"] == "received"
    assert root["SubmissionDate"].endswith("Z")
    households = tables["site_assessment-hh"]
    assert [row["KEY"] for row in households] == [f"{key}/hh[1]", f"{key}/hh[2]"]
    assert {row["PARENT_KEY"] for row in households} == {key}
    assert [row["head"] for row in households] == ["Amina 1", "Musa 1"]
    [member] = tables["site_assessment-member"]
    assert member["PARENT_KEY"] == f"{key}/hh[1]"
    assert member["KEY"] == f"{key}/hh[1]/member[1]"
    assert member["name"] == "Ali"
    assert member["age"] == "4"


def test_select_multiple_is_one_column_and_one_zero_one_column_per_choice(tmp_path, form):
    add_submission(form.current_version, sample_values(1, needs="food wash"))
    add_submission(form.current_version, sample_values(2, needs="fuel"))  # not a declared choice
    add_submission(form.current_version, sample_values(3, needs=""))
    rows = export_to(tmp_path, form)["site_assessment"]
    by_site = {row["site_code"]: row for row in rows}
    assert by_site["MMC-01"]["needs"] == "food wash"
    assert [by_site["MMC-01"][f"needs/{c}"] for c in ("food", "shelter", "wash", "fuel")] == [
        "1",
        "0",
        "1",
        "0",
    ]
    assert by_site["MMC-02"]["needs/fuel"] == "1"
    assert by_site["MMC-03"]["needs/food"] == ""  # unanswered: no 0 claimed
    headers = list(rows[0])
    assert headers.index("needs") + 1 == headers.index("needs/food")
    unsplit = export_to(tmp_path, form, split_select_multiple=False)["site_assessment"]
    assert "needs/food" not in unsplit[0]


def test_group_paths_can_be_left_out_of_headers(tmp_path, form):
    add_submission(form.current_version)
    with_groups = export_to(tmp_path, form)["site_assessment"][0]
    without = export_to(tmp_path, form, group_paths=False)["site_assessment"][0]
    assert "location-area" in with_groups
    assert "meta-instanceID" in with_groups
    assert "area" in without
    assert "instanceID" in without
    assert "location-area" not in without


def test_fields_of_every_version_latest_order_first(tmp_path, form):
    old = form.current_version
    add_submission(old, sample_values(1, remarks="old remark"))
    new = add_form_version(form, SITE_FORM_V2)
    values = sample_values(2, lighting_notes="dark at night")
    del values["remarks"]
    add_submission(new, values)
    rows = export_to(tmp_path, form)["site_assessment"]
    headers = list(rows[0])
    assert headers.index("lighting_notes") < headers.index("photo")
    assert headers.index("remarks") > headers.index("meta-instanceID")  # older fields last
    assert "needs/health" in headers
    by_version = {row["FormVersion"]: row for row in rows}
    assert by_version["2024010101"]["remarks"] == "old remark"
    assert by_version["2024020101"]["lighting_notes"] == "dark at night"
    assert by_version["2024020101"]["remarks"] == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_are_neutralised_and_numbers_stay_numbers(tmp_path, form, fmt):
    add_submission(
        form.current_version,
        sample_values(
            1,
            site_code='=HYPERLINK("http://x")',
            remarks="@SUM(A1)",
            households=-3,
            hh=[{"head": "+2+3", "size": 4, "member": [{"name": "-1", "age": 2}]}],
        ),
    )
    tables = export_to(tmp_path, form, fmt)
    [root] = tables["site_assessment"]
    assert root["site_code"] == '\'=HYPERLINK("http://x")'
    assert root["remarks"] == "'@SUM(A1)"
    [household] = tables["site_assessment-hh"]
    assert household["head"] == "'+2+3"
    [member] = tables["site_assessment-member"]
    assert member["name"] == "'-1"
    if fmt == "xlsx":
        assert root["households"] == -3
        assert member["age"] == 2
    else:
        assert root["households"] == "-3"


def test_xlsx_has_one_sheet_per_table_with_the_same_rows(tmp_path, form):
    for number in range(3):
        add_submission(form.current_version, sample_values(number))
    tables = export_to(tmp_path, form, "xlsx")
    assert set(tables) == {"site_assessment", "site_assessment-hh", "site_assessment-member"}
    assert len(tables["site_assessment"]) == 3
    assert len(tables["site_assessment-hh"]) == 6
    assert all(row["PARENT_KEY"] for row in tables["site_assessment-member"])


def test_export_job_runs_records_progress_and_is_audited(
    form, member, operation, django_capture_on_commit_callbacks
):
    user = member(Role.VIEWER, operation)
    for number in range(3):
        add_submission(form.current_version, sample_values(number))
    manager = form.created_by
    with django_capture_on_commit_callbacks(execute=True):
        export = export_create(actor=manager, form=form, format="xlsx", options={})
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.message
    assert (export.rows_done, export.rows_total) == (3, 3)
    assert export.file.name.endswith(".xlsx")
    assert AuditEvent.objects.filter(action="export", object_id=str(form.pk)).exists()
    with pytest.raises(Forbidden):
        export_create(actor=user, form=form, format="csv", options={})


def test_a_failing_export_is_marked_failed(form, monkeypatch):
    export = Export.objects.create(form=form, format="csv", created_by=form.created_by)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("opendtm.collection.exports.services.write_export", broken)
    assert export_run(export.pk).status == Export.Status.FAILED
