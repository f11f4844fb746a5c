"""pyxform and ODK Validate in child processes: real conversions, their refusals and limits."""

import io
import zipfile

import pytest

from opendtm.collection import conversion
from opendtm.collection.conversion import (
    convert_xlsform,
    fallback_form_id,
    sheet_problem,
    validate_xform,
)
from opendtm.collection.xform import form_schema
from opendtm.core.errors import ApplicationError
from tests.collection.factories import SITE_FORM, SITE_SHEETS, markdown_form, xls_bytes, xlsx_bytes

INVALID_FOR_VALIDATE = """
| survey |
| | type | name | label | relevant |
| | integer | a | A | |
| | text | b | B | foo(${a}) |
"""


def refusal(name: str, data: bytes) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        convert_xlsform(name, data)
    return error.value


def test_a_markdown_xlsform(settings):
    result = convert_xlsform("dtm.md", SITE_FORM.encode())
    schema = form_schema(result.xform)
    assert (schema.form_id, schema.version, schema.title) == (
        "dtm_sa",
        "2026112309",
        "DTM site assessment",
    )
    assert schema.media == ["sites.csv"]
    assert any("max-pixels" in warning for warning in result.warnings)
    children = {child["name"]: child for child in result.definition["children"]}
    assert children["idp_ind"]["indicator"] == "idp_individuals"
    assert result.itemsets is None


def test_an_xlsx_xlsform():
    result = convert_xlsform("site_survey.xlsx", xlsx_bytes(SITE_SHEETS))
    assert form_schema(result.xform).version == "2026.1"


def test_an_xls_xlsform():
    pytest.importorskip("xlwt")
    result = convert_xlsform("site_survey.xls", xls_bytes(SITE_SHEETS))
    assert form_schema(result.xform).form_id == "site_survey"


def test_a_csv_xlsform():
    data = b"survey,,,\n,type,name,label\n,text,site_code,Site code\n"
    result = convert_xlsform("Site Form (v2).csv", data)
    schema = form_schema(result.xform)
    assert schema.form_id == "Site_Form_v2"  # named after the file, as ODK Central does
    assert [field.name for field in schema.fields][:1] == ["site_code"]


def test_a_form_without_form_id_is_named_after_its_file():
    assert fallback_form_id("DTM site v3 (final).xlsx") == "DTM_site_v3_final"
    assert fallback_form_id("2026 sites.xlsx") == "form_2026_sites"
    assert fallback_form_id("???.md") == "form"


def test_a_pyxform_error_names_sheet_row_and_column():
    error = refusal("dtm.md", markdown_form(rows="| | text | 1st | First |\n").encode())
    [problem] = error.problems
    assert (problem.sheet, problem.row, problem.field) == ("survey", 2, "name")
    assert problem.where == "dtm.md, sheet 'survey', row 2"
    assert problem.message.startswith("On the 'survey' sheet, the 'name' value is invalid.")
    assert "row 2" in problem.hint
    assert error.message.startswith("pyxform refused dtm.md: sheet 'survey', row 2: ")


def test_a_choices_error_and_an_unmatched_group():
    choices = markdown_form(rows="| | select_one yn | q | Q |\n") + (
        "| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n| | yn | yes | Y |\n"
    )
    [problem] = refusal("dtm.md", choices.encode()).problems
    assert (problem.sheet, problem.row) == ("choices", 3)
    group = markdown_form(rows="| | begin_group | g | G |\n| | text | a | A |\n")
    [problem] = refusal("dtm.md", group.encode()).problems
    assert problem.row == 2
    assert "Unmatched 'begin_group'" in problem.message


def test_an_error_without_a_row():
    error = refusal("dtm.md", b"| settings |\n| | form_id |\n| | x |\n")
    [problem] = error.problems
    assert problem.row is None
    assert "survey" in problem.message
    assert problem.where == "dtm.md"


def test_problem_parsing_of_pyxform_messages():
    problem = sheet_problem(
        "f.xlsx", "[row : 12] On the 'choices' sheet, the 'label' value is invalid. Add one."
    )
    assert (problem.sheet, problem.row, problem.field) == ("choices", 12, "label")
    headers = sheet_problem("f.xlsx", "Invalid headers provided for sheet: 'survey'. Fix them.")
    assert (headers.sheet, headers.row) == ("survey", None)


def test_a_file_pyxform_cannot_read_at_all():
    error = refusal("dtm.md", b"this is no table at all")
    assert "pyxform" in error.message


def test_a_zip_bomb_is_refused_before_pyxform_runs(monkeypatch):
    monkeypatch.setattr(conversion, "run_child", lambda *args, **kwargs: pytest.fail("ran"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    error = refusal("survey.xlsx", archive.getvalue())
    assert "ZIP bombs" in error.message


def test_a_file_over_the_upload_limit_is_refused_unread(monkeypatch, settings):
    settings.OPENDTM_MAX_UPLOAD_BYTES = 1000
    monkeypatch.setattr(conversion, "run_child", lambda *args, **kwargs: pytest.fail("ran"))
    assert "upload limit" in refusal("big.md", b"x" * 2000).message


def test_other_file_types_are_refused():
    error = refusal("survey.ods", b"data")
    assert "not a form file" in error.message
    assert ".xlsx" in error.hint


def test_the_time_limit_stops_the_conversion(settings):
    settings.OPENDTM_CONVERSION_TIMEOUT = 0.01
    error = refusal("slow.md", SITE_FORM.encode())
    assert error.message == "Converting slow.md took longer than 0.01 seconds and was stopped."
    assert "OPENDTM_CONVERSION_TIMEOUT" in error.hint


def test_the_memory_limit_stops_the_conversion(settings):
    settings.OPENDTM_CONVERSION_MEMORY_MB = 1
    choices = "".join(f"| | big | c{n} | Choice {n} |\n" for n in range(3000))
    form = markdown_form(rows="| | select_one big | q | Q |\n") + (
        "| choices |\n| | list_name | name | label |\n" + choices
    )
    error = refusal("big.md", form.encode())
    assert error.message == "Converting big.md needed more than the 1 MB of memory allowed."
    assert "OPENDTM_CONVERSION_MEMORY_MB" in error.hint


def test_the_default_limits_let_a_large_form_through():
    choices = "".join(f"| | big | c{n} | Choice {n} |\n" for n in range(3000))
    form = markdown_form(rows="| | select_one big | q | Q |\n") + (
        "| choices |\n| | list_name | name | label |\n" + choices
    )
    assert "c2999" in convert_xlsform("big.md", form.encode()).xform


def test_odk_validate_with_java_passes_a_good_form():
    validation = validate_xform(convert_xlsform("a.md", SITE_FORM.encode()).xform, form_id="a")
    assert validation.valid is True
    assert validation.output == ""


def test_odk_validate_with_java_refuses_an_unknown_function():
    xform = convert_xlsform("bad.md", INVALID_FOR_VALIDATE.encode()).xform
    validation = validate_xform(xform, form_id="bad")
    assert validation.valid is False
    assert "cannot handle function 'foo'" in validation.output
    assert "Picked up" not in validation.output
    assert "${bad}.xml" in validation.output  # the file is named after the form, not a temp


def test_without_java_validate_does_not_run(monkeypatch, tmp_path):
    xform = convert_xlsform("bad.md", INVALID_FOR_VALIDATE.encode()).xform
    monkeypatch.setenv("PATH", str(tmp_path))
    validation = validate_xform(xform)
    assert (validation.valid, validation.output) == (None, "")


def test_validate_can_be_switched_off(settings):
    settings.OPENDTM_CONVERSION_VALIDATE = False
    xform = convert_xlsform("bad.md", INVALID_FOR_VALIDATE.encode()).xform
    assert validate_xform(xform).valid is None


def test_validate_past_the_time_limit_gives_no_verdict(settings):
    xform = convert_xlsform("a.md", SITE_FORM.encode()).xform
    settings.OPENDTM_CONVERSION_TIMEOUT = 0.01
    validation = validate_xform(xform)
    assert validation.valid is None
    assert "did not finish within 0.01 seconds" in validation.output
