"""The form pages: list, upload and its status, one form with downloads, settings and state."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opendtm.accounts.roles import Role
from opendtm.collection.blobs import blob_read
from opendtm.collection.models import Form, FormUpload, Submission
from tests.collection.factories import (
    SITE_FORM,
    FormUploadFactory,
    markdown_form,
    md5_of,
    published_form,
)


def url(page: str, operation, **kwargs) -> str:
    return reverse(f"web:{page}", kwargs={"slug": operation.slug, **kwargs})


@pytest.fixture
def signed_in(client, member, operation):
    """signed_in(role) -> the test client, signed in as a new user with that role."""

    def sign_in(role: str = Role.OPERATION_ADMIN):
        user = member(role, operation)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def post_upload(signed_in, operation, django_capture_on_commit_callbacks):
    """post_upload(name, content, media=..., role=...) -> (client, response), task run."""

    def post(name, content, *, media=(), role=Role.OPERATION_ADMIN, kind="site_assessment"):
        client = signed_in(role)
        files = [SimpleUploadedFile(media_name, data) for media_name, data in media]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("form-upload", operation),
                {
                    "file": SimpleUploadedFile(name, content.encode()),
                    "kind": kind,
                    "media_files": files,
                },
            )
        return client, response

    return post


def add_submission(form: Form, at: datetime.datetime) -> Submission:
    return Submission.objects.create(
        operation=form.operation,
        form=form,
        instance_id=f"uuid:{at.timestamp()}-{form.pk}",
        received_at=at,
        updated_at=at,
    )


def test_the_list_shows_each_form_with_its_version_and_submissions(signed_in, operation):
    form = published_form(operation, versions=("1", "2"))
    published_form(operation, form_id="baseline", title="Baseline", state=Form.State.CLOSED)
    last = timezone.now() - datetime.timedelta(days=1)
    add_submission(form, last - datetime.timedelta(days=3))
    add_submission(form, last)
    page = signed_in(Role.ENUMERATOR).get(url("forms", operation)).content.decode()
    assert 'data-form="dtm_sa"' in page
    assert "DTM site assessment" in page
    assert "<code>2</code>" in page
    assert 'data-submissions="2"' in page
    assert 'data-submissions="0"' in page
    assert "Closed" in page
    assert ">Forms</a>" in page  # the tab
    assert "Upload a form" not in page  # enumerators do not manage forms


def test_the_forms_tab_and_list_are_not_for_viewers(signed_in, operation):
    client = signed_in(Role.VIEWER)
    assert ">Forms</a>" not in client.get(url("operation", operation)).content.decode()
    assert client.get(url("forms", operation)).status_code == 403


def test_the_list_page_costs_the_same_queries_for_many_forms(
    signed_in, operation, django_assert_max_num_queries
):
    client = signed_in(Role.DATA_MANAGER)
    published_form(operation, form_id="f0")
    client.get(url("forms", operation))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("forms", operation)).status_code == 200
    assert len(few) <= 8, [query["sql"] for query in few.captured_queries]
    for number in range(1, 16):
        form = published_form(operation, form_id=f"f{number}")
        add_submission(form, timezone.now())
    with django_assert_max_num_queries(len(few)):
        page = client.get(url("forms", operation)).content.decode()
    assert page.count("data-form=") == 16


def test_an_upload_is_converted_and_its_page_links_the_form(post_upload, operation):
    client, response = post_upload(
        "dtm.md", SITE_FORM, media=[("sites.csv", b"name,label\nS1,One\n")]
    )
    upload = FormUpload.objects.get()
    assert response.status_code == 302
    assert response.url == url("form-upload-status", operation, upload_id=upload.pk)
    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page
    assert url("form", operation, form_id="dtm_sa") in page
    assert "max-pixels" in page  # pyxform's warning
    assert 'data-validated="true"' in page
    form = Form.objects.get()
    assert form.kind == "site_assessment"
    assert form.current_version.media.get().filename == "sites.csv"


def test_a_refused_xlsform_shows_sheet_and_row(post_upload):
    client, response = post_upload("bad.md", markdown_form(rows="| | text | 1st | First |\n"))
    page = client.get(response.url).content.decode()
    assert 'data-status="failed"' in page
    assert '<tr data-row="2"><td>survey</td><td>2</td><td>name</td>' in page
    assert "Upload a corrected file" in page
    assert not Form.objects.exists()


def test_a_file_refused_on_arrival_is_shown_on_the_upload_page(post_upload):
    _client, response = post_upload("survey.pdf", "%PDF-1.4")
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a form file" in page
    assert ".xlsx" in page
    assert not FormUpload.objects.exists()


def test_a_queued_upload_polls_and_htmx_gets_the_fragment(signed_in, operation):
    client = signed_in()
    upload = FormUploadFactory(operation=operation, created_by=client.user)
    page = client.get(url("form-upload-status", operation, upload_id=upload.pk)).content.decode()
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get(
        url("form-upload-status", operation, upload_id=upload.pk), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.lstrip().startswith('<section id="upload"')
    assert "<html" not in fragment


def test_only_form_managers_reach_the_upload_pages(signed_in, operation):
    client = signed_in(Role.DATA_MANAGER)
    upload = FormUploadFactory(operation=operation)
    assert client.get(url("form-upload", operation)).status_code == 403
    assert client.get(url("form-upload-status", operation, upload_id=upload.pk)).status_code == 403


def test_the_form_page_lists_versions_with_their_files(signed_in, operation):
    form = published_form(operation, versions=("1", "2"))
    client = signed_in(Role.DATA_MANAGER)
    page = client.get(url("form", operation, form_id="dtm_sa")).content.decode()
    assert 'data-version="1"' in page
    assert 'data-version="2"' in page
    for version in ("1", "2"):
        assert url("form-version-xform", operation, form_id="dtm_sa", version=version) in page
        assert url("form-version-xlsform", operation, form_id="dtm_sa", version=version) in page
        assert (
            url(
                "form-version-media", operation, form_id="dtm_sa", version=version, name="sites.csv"
            )
            in page
        )
    assert "Save settings" not in page  # data managers read, operation admins manage
    current = form.current_version
    assert md5_of(current.xform) in page


def test_downloads_give_the_exact_files(signed_in, operation):
    form = published_form(operation, media={"sites.csv": b"name,label\nS1,Camp\n"})
    version = form.current_version
    client = signed_in(Role.ENUMERATOR)
    xform = client.get(url("form-version-xform", operation, form_id="dtm_sa", version="2026112309"))
    assert xform.content == version.xform.encode()
    assert xform["Content-Type"] == "text/xml; charset=utf-8"
    assert "attachment" in xform["Content-Disposition"]
    source = client.get(
        url("form-version-xlsform", operation, form_id="dtm_sa", version="2026112309")
    )
    assert b"".join(source.streaming_content) == blob_read(version.xlsform_sha256)
    media = client.get(
        url(
            "form-version-media",
            operation,
            form_id="dtm_sa",
            version="2026112309",
            name="sites.csv",
        )
    )
    assert b"".join(media.streaming_content) == b"name,label\nS1,Camp\n"
    missing = url(
        "form-version-media", operation, form_id="dtm_sa", version="2026112309", name="x.csv"
    )
    assert client.get(missing).status_code == 404
    assert (
        client.get(url("form-version-xform", operation, form_id="dtm_sa", version="9")).status_code
        == 404
    )


def test_the_state_switch(signed_in, operation):
    form = published_form(operation)
    client = signed_in()
    response = client.post(url("form-state", operation, form_id="dtm_sa"), {"state": "closing"})
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.state == "closing"
    page = client.get(response.url).content.decode()
    assert "is now Closing" in page
    assert 'data-state="closing"' in page
    refused = client.post(url("form-state", operation, form_id="dtm_sa"), {"state": "paused"})
    assert refused.status_code == 400
    assert "not a form state" in refused.content.decode()


def test_settings_are_saved_and_refusals_shown(signed_in, operation):
    form = published_form(operation, site_field="site_code")
    client = signed_in()
    page = client.get(url("form", operation, form_id="dtm_sa")).content.decode()
    assert '<option value="location/adm2_pcode">' in page
    response = client.post(
        url("form-settings", operation, form_id="dtm_sa"),
        {
            "title": "Sites NE",
            "kind": "baseline_area",
            "site_field": "",
            "area_field": "location/adm2_pcode",
        },
    )
    assert response.status_code == 302
    form.refresh_from_db()
    assert (form.title, form.kind, form.site_field, form.area_field) == (
        "Sites NE",
        "baseline_area",
        "",
        "location/adm2_pcode",
    )
    refused = client.post(
        url("form-settings", operation, form_id="dtm_sa"),
        {"title": "", "kind": "baseline_area", "site_field": "", "area_field": ""},
    )
    assert refused.status_code == 200  # the form's own validation: shown again, unsaved
    assert "field-error" in refused.content.decode()


def test_a_missing_media_file_is_added_from_the_form_page(signed_in, operation):
    form = published_form(operation, media={})
    client = signed_in()
    page = client.get(url("form", operation, form_id="dtm_sa")).content.decode()
    assert 'data-missing="sites.csv"' in page
    response = client.post(
        url("form-media-add", operation, form_id="dtm_sa", version="2026112309"),
        {"name": "sites.csv", "file": SimpleUploadedFile("Sites list final.csv", b"name\nS1\n")},
    )
    assert response.status_code == 302
    assert form.current_version.media.get().filename == "sites.csv"
    assert "data-missing" not in client.get(response.url).content.decode()


def test_managing_a_form_needs_the_form_manager_role(signed_in, operation):
    published_form(operation)
    client = signed_in(Role.DATA_MANAGER)
    for name in ("form-state", "form-settings"):
        assert client.post(url(name, operation, form_id="dtm_sa"), {}).status_code == 403
    media = url("form-media-add", operation, form_id="dtm_sa", version="2026112309")
    assert client.post(media, {}).status_code == 403
