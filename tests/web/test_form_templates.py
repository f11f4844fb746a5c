"""The DTM forms page: listed for form readers, installed and refreshed by form managers."""

import pytest
from django.urls import reverse

from opendtm.accounts.roles import Role
from opendtm.collection.models import Form, FormMedia, FormUpload
from opendtm.tracking.services.form_templates import form_template_get
from tests.factories import AdminAreaFactory, SiteFactory

SA = "dtm_site_assessment"


def url(page: str, operation, **kwargs) -> str:
    return reverse(f"web:{page}", kwargs={"slug": operation.slug, **kwargs})


@pytest.fixture
def places(operation):
    state = AdminAreaFactory(operation=operation, level=1, pcode="NG008", name="Borno")
    lga = AdminAreaFactory(
        operation=operation, level=2, pcode="NG008021", name="Maiduguri", parent=state
    )
    return SiteFactory(admin_area=lga, code="NG008021-S01", name="Bakassi Camp")  # fmt: skip


@pytest.fixture
def signed_in(client, member, operation):
    def sign_in(role: str):
        client.force_login(member(role, operation))
        return client

    return sign_in


@pytest.fixture
def no_java(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # converted without ODK Validate: quicker


def test_the_forms_list_leads_managers_to_the_dtm_forms(signed_in, operation):
    page = signed_in(Role.OPERATION_ADMIN).get(url("forms", operation)).content.decode()
    assert url("form-templates", operation) in page
    page = signed_in(Role.ENUMERATOR).get(url("forms", operation)).content.decode()
    assert url("form-templates", operation) not in page


def test_readers_see_and_download_the_forms_but_do_not_install(signed_in, operation):
    client = signed_in(Role.ENUMERATOR)
    page = client.get(url("form-templates", operation))
    assert page.status_code == 200
    text = page.content.decode()
    assert "DTM site assessment (MSLA)" in text
    assert "DTM baseline area assessment (B1)" in text
    assert 'value="install"' not in text
    download = client.get(url("form-template-download", operation, form_id=SA))
    assert download["Content-Disposition"] == f'attachment; filename="{SA}.xlsx"'
    assert b"".join(download.streaming_content) == form_template_get(SA).data()
    assert client.get(url("form-template-download", operation, form_id="nope")).status_code == 404
    refused = client.post(url("form-templates", operation), {"template": SA, "action": "install"})
    assert refused.status_code == 403
    assert not FormUpload.objects.exists()


def test_a_manager_installs_then_refreshes_the_place_lists(
    signed_in, operation, places, no_java, django_capture_on_commit_callbacks
):
    client = signed_in(Role.OPERATION_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("form-templates", operation), {"template": SA, "action": "install"}
        )
    upload = FormUpload.objects.get()
    assert response.url == url("form-upload-status", operation, upload_id=upload.pk)
    assert upload.status == FormUpload.Status.DONE, upload.message
    page = client.get(url("form-templates", operation)).content.decode()
    assert 'data-installed="2026110101"' in page
    assert 'value="refresh"' in page
    before = set(FormMedia.objects.values_list("pk", "sha256"))
    response = client.post(url("form-templates", operation), {"template": SA, "action": "refresh"})
    assert response.url == url("form-templates", operation)
    assert set(FormMedia.objects.values_list("pk", "sha256")) == before  # nothing new: same
    again = client.post(url("form-templates", operation), {"template": SA, "action": "install"})
    assert again.status_code == 400
    assert "already installed" in again.content.decode()
    assert Form.objects.count() == 1


def test_an_operation_without_places_is_told_what_to_do_first(signed_in, operation):
    client = signed_in(Role.OPERATION_ADMIN)
    response = client.post(url("form-templates", operation), {"template": SA, "action": "install"})
    assert response.status_code == 400
    assert "Import the operation" in response.content.decode()


def test_the_page_reads_a_fixed_number_of_queries(
    signed_in, operation, django_assert_max_num_queries
):
    client = signed_in(Role.OPERATION_ADMIN)
    with django_assert_max_num_queries(8):
        assert client.get(url("form-templates", operation)).status_code == 200
