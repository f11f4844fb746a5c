"""Uploading forms: conversion, versions, media, settings, state and who may do what."""

import datetime
import re

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.collection.blobs import blob_read
from opendtm.collection.models import AppUser, Form, FormMedia, FormUpload, FormVersion
from opendtm.collection.selectors.forms import form_media_list, forms_fillable
from opendtm.collection.services.form_versions import next_version, version_key, xform_with_version
from opendtm.collection.services.forms import (
    form_media_add,
    form_state_set,
    form_update,
    form_upload_create,
)
from opendtm.collection.xform import form_schema
from opendtm.core.errors import ApplicationError, Forbidden, NotFound
from tests.collection.factories import SITE_FORM, SITE_SHEETS, markdown_form, md5_of, xlsx_bytes


@pytest.fixture
def upload(admin_user, operation, django_capture_on_commit_callbacks):
    """upload(name, content, ...) -> the FormUpload after its conversion ran."""

    def run(name, content, *, actor=None, media=(), kind=Form.Kind.SITE_ASSESSMENT):
        data = content.encode() if isinstance(content, str) else content
        with django_capture_on_commit_callbacks(execute=True):
            created = form_upload_create(
                actor=actor or admin_user,
                operation=operation,
                name=name,
                data=data,
                kind=kind,
                media=list(media),
            )
        return FormUpload.objects.get(pk=created.pk)

    return run


@pytest.fixture
def no_java(monkeypatch, tmp_path):
    """A PATH without java: ODK Validate is skipped, as on a server without Java."""
    monkeypatch.setenv("PATH", str(tmp_path))


def test_an_xlsform_becomes_a_form_with_its_first_version(upload, operation, admin_user):
    sites = b"name,label\nS1,Camp one\n"
    done = upload("dtm site.md", SITE_FORM, media=[("sites.csv", sites)])
    assert done.status == FormUpload.Status.DONE, done.message
    form = Form.objects.get(operation=operation, form_id="dtm_sa")
    version = form.current_version
    assert done.version == version
    assert (form.title, form.kind, form.state) == ("DTM site assessment", "site_assessment", "open")
    assert (version.version, version.title) == ("2026112309", "DTM site assessment")
    assert version.xform_md5 == md5_of(version.xform)
    assert blob_read(version.xlsform_sha256) == SITE_FORM.encode()
    assert version.xlsform_name == "dtm site.md"
    children = {child["name"]: child for child in version.definition["children"]}
    assert children["idp_ind"]["indicator"] == "idp_individuals"  # extra columns are kept
    assert [field["path"] for field in version.schema["fields"]][:3] == [
        "site_code",
        "site",
        "location",
    ]
    assert version.media_expected == ["sites.csv"]
    media = form_media_list(user=admin_user, version=version).get()
    assert (media.filename, media.size, media.content_type) == ("sites.csv", len(sites), "text/csv")
    assert blob_read(media.sha256) == sites
    assert any("max-pixels" in warning for warning in done.warnings)
    assert version.warnings == done.warnings
    # the site code and the deepest admin p-code were recognised
    assert (form.site_field, form.area_field) == ("site_code", "location/adm3_pcode")


def test_the_upload_and_what_it_created_are_audited(upload, operation):
    upload("dtm.md", SITE_FORM, media=[("sites.csv", b"name,label\nS1,One\n")])
    kinds = set(
        AuditEvent.objects.filter(operation=operation, action="create").values_list(
            "object_type", flat=True
        )
    )
    assert {"collection.formupload", "collection.form", "collection.formversion"} <= kinds


def test_an_xlsx_xlsform(upload):
    done = upload("site_survey.xlsx", xlsx_bytes(SITE_SHEETS))
    assert done.status == "done", done.message
    assert done.version.version == "2026.1"
    assert Form.objects.get().site_field == "ssid"


def test_each_upload_of_a_form_makes_a_new_version_and_keeps_the_old(upload, admin_user):
    upload("dtm.md", SITE_FORM, media=[("sites.csv", b"name,label\nS1,One\n")])
    second = upload("dtm.md", SITE_FORM.replace("2026112309", "2026112310"))
    assert second.status == "done", second.message
    form = Form.objects.get()
    assert form.versions.count() == 2
    assert form.current_version.version == "2026112310"
    old = form.versions.get(version="2026112309")
    assert old.xform != form.current_version.xform
    # the CSV was not uploaded again: the new version keeps the last one's
    assert form.current_version.media.get().md5 == old.media.get().md5
    assert "sites.csv was kept from version 2026112309." in second.warnings


@pytest.mark.parametrize(
    ("first", "second", "word"),
    [("2026112309", "2026112309", "already published"), ("2026112310", "2026112309", "backwards")],
)
def test_a_version_that_repeats_or_goes_backwards_is_refused(upload, first, second, word):
    upload("dtm.md", SITE_FORM.replace("2026112309", first))
    refused = upload("dtm.md", SITE_FORM.replace("2026112309", second))
    assert refused.status == "failed"
    assert word in refused.message
    assert first in refused.message
    assert second in refused.message
    assert FormVersion.objects.count() == 1


def test_versions_compare_in_natural_order(upload):
    assert upload("a.md", markdown_form(version="1.9")).status == "done"
    assert upload("a.md", markdown_form(version="1.10")).status == "done"
    assert version_key("2026112310") > version_key("2026112309")
    assert version_key("1.10") > version_key("1.9")
    assert version_key("v10") > version_key("v9")
    assert version_key("1.0.1") > version_key("1.0")


def test_a_form_without_version_gets_one_and_is_told(upload):
    done = upload("a.md", markdown_form(version=None))
    version = done.version.version
    assert re.fullmatch(r"20\d{10}", version)
    assert form_schema(done.version.xform).version == version
    assert f'version="{version}"' in done.version.xform
    assert done.version.xform_md5 == md5_of(done.version.xform)
    assert any(version in warning and "no version" in warning for warning in done.warnings)
    again = upload("a.md", markdown_form(version=None))
    assert again.status == "done", again.message
    assert version_key(again.version.version) > version_key(version)


def test_next_version_is_a_timestamp_or_one_more():
    now = datetime.datetime(2026, 11, 23, 10, 5, tzinfo=datetime.UTC)
    assert next_version(None, now) == "202611231005"
    assert next_version("2026112309", now) == "202611231005"
    assert next_version("202611231005", now) == "202611231006"
    assert next_version("v3", now) == "v4"
    assert next_version("beta", now) == "beta.1"


def test_setting_the_version_touches_only_the_primary_root():
    xform = (
        '<h:html xmlns:h="h"><h:head><model><instance>\n  <data id="x" orx:v="1">'
        '<a/></data></instance><instance id="list"><root/></instance></model></h:head></h:html>'
    )
    changed = xform_with_version(xform, "202611231005")
    assert '<data id="x" orx:v="1" version="202611231005">' in changed
    assert '<instance id="list"><root/>' in changed
    assert xform_with_version(changed, "7").count('version="7"') == 1


def test_an_xform_is_published_as_uploaded(upload, no_java):
    xform = (
        '<?xml version="1.0"?><h:html xmlns="http://www.w3.org/2002/xforms" '
        'xmlns:h="http://www.w3.org/1999/xhtml"><h:head><h:title>From Central</h:title><model>'
        '<instance><central_form id="central_form" version="7"><q/><meta><instanceID/></meta>'
        '</central_form></instance><bind nodeset="/central_form/q" type="string"/></model>'
        '</h:head><h:body><input ref="/central_form/q"><label>Q</label></input></h:body></h:html>'
    )
    done = upload("central_form.xml", xform)
    assert done.status == "done", done.message
    version = done.version
    assert (version.form.form_id, version.version, version.title) == (
        "central_form",
        "7",
        "From Central",
    )
    assert version.xform == xform
    assert version.definition is None


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("<h:html>not closed", "not a usable XForm"),
        ('<?xml version="1.0"?><html><body/></html>', "not an XForm"),
    ],
)
def test_an_xform_that_cannot_be_read_is_refused(upload, content, words):
    refused = upload("broken.xml", content)
    assert refused.status == "failed"
    assert words in refused.message
    assert not Form.objects.exists()


def test_pyxform_errors_carry_sheet_and_row(upload):
    refused = upload("bad.md", markdown_form(rows="| | text | 1st | First |\n"))
    assert refused.status == "failed"
    problem = refused.problems[0]
    assert (problem["sheet"], problem["row"], problem["field"]) == ("survey", 2, "name")
    assert "row 2" in problem["where"]
    assert "row 2" in refused.message
    assert not Form.objects.exists()


def test_odk_validate_refuses_what_devices_cannot_open(upload):
    rows = "| | integer | a | A |\n| | text | b | B |\n"
    form = markdown_form(rows=rows).replace(
        "| | type | name | label |", "| | type | name | label | relevant |"
    )
    form = form.replace("| | text | b | B |", "| | text | b | B | foo(${a}) |")
    refused = upload("bad.md", form)
    assert refused.status == "failed"
    assert "ODK Validate" in refused.message
    [problem] = refused.problems
    assert problem["where"] == "ODK Validate"
    assert "cannot handle function 'foo'" in problem["message"]
    assert "JAVA_TOOL_OPTIONS" not in problem["message"]
    assert not FormVersion.objects.exists()


def test_a_validated_version_records_the_verdict(upload):
    done = upload("a.md", markdown_form())
    assert done.version.validated is True


def test_without_java_the_version_is_published_unvalidated(upload, no_java):
    done = upload("a.md", markdown_form())
    assert done.status == "done", done.message
    assert done.version.validated is None
    assert done.version.validate_output == ""


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("OPENDTM_CONVERSION_TIMEOUT", 0.01, "took longer than 0.01 seconds"),
        ("OPENDTM_CONVERSION_MEMORY_MB", 1, "more than the 1 MB of memory"),
    ],
)
def test_a_conversion_past_its_limits_is_refused_and_writes_nothing(
    upload, settings, setting, value, words
):
    setattr(settings, setting, value)
    choices = "".join(f"| | big | c{n} | Choice {n} |\n" for n in range(3000))
    form = markdown_form(rows="| | select_one big | q | Q |\n") + (
        "| choices |\n| | list_name | name | label |\n" + choices
    )
    refused = upload("big.md", form)
    assert refused.status == "failed"
    assert words in refused.message
    assert refused.finished_at is not None
    assert not Form.objects.exists()
    assert not FormVersion.objects.exists()


def test_external_choices_give_the_form_its_itemsets_csv(upload):
    form = """
| survey |
| | type | name | label | choice_filter |
| | select_one state | state | State | |
| | select_one_external lga | lga | LGA | state=${state} |
| choices |
| | list_name | name | label |
| | state | ng008 | Borno |
| external_choices |
| | list_name | name | label | state |
| | lga | ng008001 | Abadam | ng008 |
| settings |
| | form_id | version |
| | lgas | 1 |
"""
    done = upload("lgas.md", form)
    assert done.status == "done", done.message
    media = done.version.media.get()
    assert media.filename == "itemsets.csv"
    assert b"ng008001" in blob_read(media.sha256)


def test_files_the_form_does_not_use_are_not_kept(upload):
    done = upload("a.md", SITE_FORM, media=[("sites.csv", b"n\n1\n"), ("other.png", b"png")])
    assert [media.filename for media in done.version.media.all()] == ["sites.csv"]
    assert any("other.png" in warning for warning in done.warnings)


def test_missing_media_are_named_and_can_be_added_later(upload, admin_user):
    done = upload("a.md", SITE_FORM)
    assert any("sites.csv" in warning for warning in done.warnings)
    version = done.version
    assert not version.media.exists()
    media = form_media_add(actor=admin_user, version=version, name="sites.csv", data=b"n\n1\n")
    assert (media.filename, media.md5) == ("sites.csv", md5_of("n\n1\n"))
    replaced = form_media_add(actor=admin_user, version=version, name="sites.csv", data=b"n\n2\n")
    assert replaced.pk == media.pk
    assert FormMedia.objects.get().md5 == md5_of("n\n2\n")


@pytest.mark.parametrize("name", ["../sites.csv", "a/sites.csv", "a\\sites.csv", ".hidden", ""])
def test_media_names_with_paths_are_refused(upload, admin_user, name):
    version = upload("a.md", SITE_FORM).version
    with pytest.raises(ApplicationError, match="cannot be the name"):
        form_media_add(actor=admin_user, version=version, name=name, data=b"x")
    with pytest.raises(ApplicationError, match="cannot be the name"):
        upload("a.md", SITE_FORM, media=[(name, b"x")])


def test_a_file_the_version_does_not_use_is_refused(upload, admin_user):
    version = upload("a.md", SITE_FORM).version
    with pytest.raises(ApplicationError, match=r"does not use a file named logo.png") as error:
        form_media_add(actor=admin_user, version=version, name="logo.png", data=b"x")
    assert "sites.csv" in error.value.hint


@pytest.mark.parametrize(
    ("form_id", "version", "words"),
    [("uploads", "1", "cannot be a form ID"), ("dtm", "2026/11", "cannot be a version")],
)
def test_names_our_urls_cannot_carry_are_refused(upload, form_id, version, words):
    refused = upload("a.md", markdown_form(form_id=form_id, version=version))
    assert refused.status == "failed"
    assert words in refused.message
    assert not Form.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("form.pdf", b"%PDF", "not a form file"),
        ("form.xlsx", b"plain text", "not an XLSX workbook"),
        ("form.md", b"   ", "is empty"),
    ],
)
def test_files_that_are_no_forms_are_refused_at_once(upload, name, content, words):
    with pytest.raises(ApplicationError, match=words):
        upload(name, content)
    assert not FormUpload.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(upload, settings):
    settings.OPENDTM_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ApplicationError, match="upload limit"):
        upload("a.md", markdown_form() + " " * 200)


@pytest.mark.parametrize("role", [Role.DATA_MANAGER, Role.ENUMERATOR, Role.VIEWER])
def test_only_form_managers_upload(upload, member, operation, role):
    with pytest.raises(Forbidden):
        upload("a.md", markdown_form(), actor=member(role, operation))


def test_a_user_of_another_operation_cannot_upload_here(upload, member, other_operation):
    with pytest.raises(NotFound):
        upload("a.md", markdown_form(), actor=member(Role.OPERATION_ADMIN, other_operation))


def test_settings_are_changed_checked_and_audited(upload, admin_user):
    form = upload("a.md", SITE_FORM).version.form
    form_update(actor=admin_user, form=form, kind="baseline_area", site_field="", title="Sites, NE")
    form.refresh_from_db()
    assert (form.kind, form.site_field, form.title) == ("baseline_area", "", "Sites, NE")
    event = AuditEvent.objects.filter(object_type="collection.form", action="update").latest("at")
    assert event.after == {"kind": "baseline_area", "site_field": "", "title": "Sites, NE"}
    with pytest.raises(ApplicationError) as error:
        form_update(actor=admin_user, form=form, area_field="nowhere", kind="nonsense")
    assert {problem.field for problem in error.value.problems} == {"area_field", "kind"}
    form_update(actor=admin_user, form=form, area_field="location/adm2_pcode")
    form.refresh_from_db()
    assert form.area_field == "location/adm2_pcode"


def test_a_renamed_form_keeps_its_name_through_new_versions(upload, admin_user):
    form = upload("a.md", SITE_FORM).version.form
    form_update(actor=admin_user, form=form, title="Renamed")
    upload("a.md", SITE_FORM.replace("2026112309", "2026112310"))
    form.refresh_from_db()
    assert form.title == "Renamed"


def test_states_open_closing_closed(upload, admin_user, member, operation):
    form = upload("a.md", SITE_FORM).version.form
    enumerator = member(Role.ENUMERATOR, operation)
    assert list(forms_fillable(operation=operation, user=enumerator)) == [form]
    form_state_set(actor=admin_user, form=form, state=Form.State.CLOSING)
    assert not forms_fillable(operation=operation, user=enumerator).exists()
    form_state_set(actor=admin_user, form=form, state=Form.State.CLOSED)
    form.refresh_from_db()
    assert form.state == "closed"
    with pytest.raises(ApplicationError, match="not a form state"):
        form_state_set(actor=admin_user, form=form, state="paused")
    with pytest.raises(Forbidden):
        form_state_set(actor=enumerator, form=form, state=Form.State.OPEN)
    changes = AuditEvent.objects.filter(object_type="collection.form", action="update")
    assert [event.after for event in changes.order_by("at", "id")] == [
        {"state": "closing"},
        {"state": "closed"},
    ]


def test_fillable_forms_for_users_and_app_users(upload, admin_user, member, operation):
    first = upload("a.md", markdown_form(form_id="first")).version.form
    second = upload("b.md", markdown_form(form_id="second")).version.form
    phone = AppUser.objects.create(
        operation=operation, name="Phone 1", prefix="p1", digest="d", created_by=admin_user
    )
    phone.forms.add(second)
    assert list(forms_fillable(operation=operation, app_user=phone)) == [second]
    assert list(forms_fillable(operation=operation, user=admin_user)) == [first, second]
    assert not forms_fillable(operation=operation, user=member(Role.VIEWER, operation)).exists()
    assert not forms_fillable(operation=operation).exists()
    phone.revoked_at = phone.created_at
    phone.save()
    assert not forms_fillable(operation=operation, app_user=phone).exists()
