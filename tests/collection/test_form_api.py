"""The forms API: list, detail, settings, uploads polled to their end, and version files."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from opendtm.accounts.models import User
from opendtm.accounts.roles import Role
from opendtm.collection.models import Form, FormUpload, Submission
from tests.collection.factories import (
    SITE_FORM,
    FormUploadFactory,
    markdown_form,
    md5_of,
    published_form,
)
from tests.factories import api_key_for
from tests.query_counts import assert_queries_do_not_grow

API = "/api/v1/operations/nga-ne"


@pytest.fixture
def client_for(db):
    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
        return client

    return make


@pytest.fixture
def as_role(client_for, member, operation):
    """as_role(role) -> a client of a new user holding that role in the operation."""
    return lambda role: client_for(member(role, operation))


@pytest.fixture
def upload(as_role, django_capture_on_commit_callbacks):
    """upload(name, content, media=...) -> (client, 202 response); the conversion ran."""

    def post(name, content, *, media=(), **fields):
        client = as_role(Role.OPERATION_ADMIN)
        data = {
            "file": SimpleUploadedFile(name, content.encode()),
            "media": [SimpleUploadedFile(media_name, body) for media_name, body in media],
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{API}/forms/uploads/", data, format="multipart")
        return client, response

    return post


def test_the_list_gives_versions_and_submission_counts(as_role, operation):
    form = published_form(operation, versions=("1", "2"))
    at = timezone.now() - datetime.timedelta(hours=2)
    Submission.objects.create(
        operation=operation, form=form, instance_id="uuid:1", received_at=at, updated_at=at
    )
    body = as_role(Role.ENUMERATOR).get(f"{API}/forms/").json()
    [item] = body["results"]
    assert item["form_id"] == "dtm_sa"
    assert item["current_version"]["version"] == "2"
    assert item["current_version"]["xform_md5"] == md5_of(form.current_version.xform)
    assert item["submission_count"] == 1
    assert item["last_submission_at"] == at.isoformat().replace("+00:00", "Z")
    assert (item["kind"], item["state"]) == ("site_assessment", "open")


def test_the_list_queries_do_not_grow_with_forms(django_assert_max_num_queries, as_role, operation):
    def add_rows(numbers):
        for number in numbers:
            published_form(operation, form_id=f"f{number}", title=f"F {number}")

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        as_role(Role.DATA_MANAGER),
        f"{API}/forms/",
        add_rows,
        ceiling=5,
    )
    assert body["count"] == 31


def test_viewers_have_no_forms(as_role, operation):
    published_form(operation)
    client = as_role(Role.VIEWER)
    assert client.get(f"{API}/forms/").status_code == 403
    assert client.get(f"{API}/forms/dtm_sa/").status_code == 403


def test_the_detail_gives_every_version_with_its_media(as_role, operation):
    published_form(operation, versions=("1", "2"), media={"sites.csv": b"name\nS1\n"})
    body = as_role(Role.DATA_MANAGER).get(f"{API}/forms/dtm_sa/").json()
    assert [version["version"] for version in body["versions"]] == ["2", "1"]
    assert body["versions"][0]["media"] == [
        {
            "filename": "sites.csv",
            "md5": md5_of("name\nS1\n"),
            "size": 8,
            "content_type": "text/csv",
        }
    ]
    assert body["versions"][0]["media_expected"] == ["sites.csv"]
    assert as_role(Role.DATA_MANAGER).get(f"{API}/forms/nothing/").status_code == 404


def test_settings_and_state_are_patched(as_role, operation):
    published_form(operation)
    client = as_role(Role.OPERATION_ADMIN)
    response = client.patch(
        f"{API}/forms/dtm_sa/",
        {"kind": "baseline_area", "site_field": "site_code", "state": "closed"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["kind"], body["site_field"], body["state"]) == (
        "baseline_area",
        "site_code",
        "closed",
    )
    assert Form.objects.get().state == "closed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"area_field": "no/such/question"}, "area_field"),
        ({"state": "paused"}, "state"),
        ({"title": ""}, "title"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_bad_settings_are_refused_with_the_field(as_role, operation, change, field):
    published_form(operation)
    response = as_role(Role.OPERATION_ADMIN).patch(f"{API}/forms/dtm_sa/", change, format="json")
    assert response.status_code == 400
    assert [problem["field"] for problem in response.json()["problems"]] == [field]


def test_only_form_managers_change_forms_and_upload(as_role, operation):
    published_form(operation)
    client = as_role(Role.DATA_MANAGER)
    assert client.patch(f"{API}/forms/dtm_sa/", {"kind": "other"}, format="json").status_code == 403
    file = SimpleUploadedFile("a.md", markdown_form().encode())
    assert client.post(f"{API}/forms/uploads/", {"file": file}).status_code == 403
    assert client.get(f"{API}/forms/uploads/").status_code == 403
    assert not FormUpload.objects.exists()


def test_an_upload_is_accepted_then_polled_to_its_version(upload):
    client, response = upload(
        "dtm.md", SITE_FORM, media=[("sites.csv", b"name\nS1\n")], kind="site_assessment"
    )
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued"
    assert response.json()["media"] == [
        {"filename": "sites.csv", "size": 8, "content_type": "text/csv"}
    ]
    done = client.get(response["Location"]).json()
    assert done["status"] == "done", done
    assert (done["form_id"], done["version"], done["validated"]) == ("dtm_sa", "2026112309", True)
    assert any("max-pixels" in warning for warning in done["warnings"])
    form = client.get(f"{API}/forms/dtm_sa/").json()
    assert form["kind"] == "site_assessment"
    assert [media["filename"] for media in form["versions"][0]["media"]] == ["sites.csv"]


def test_a_refused_upload_gives_sheet_and_row(upload):
    client, response = upload("bad.md", markdown_form(rows="| | text | 1st | First |\n"))
    body = client.get(response["Location"]).json()
    assert body["status"] == "failed"
    [problem] = body["problems"]
    assert (problem["sheet"], problem["row"], problem["field"]) == ("survey", 2, "name")
    assert body["form_id"] is None
    assert body["validated"] is None


def test_a_validate_refusal_gives_its_output(upload):
    form = markdown_form(rows="| | integer | a | A |\n| | text | b | B |\n")
    form = form.replace("| | type | name | label |", "| | type | name | label | relevant |")
    form = form.replace("| | text | b | B |", "| | text | b | B | foo(${a}) |")
    client, response = upload("bad.md", form)
    body = client.get(response["Location"]).json()
    assert body["validated"] is False
    assert "cannot handle function 'foo'" in body["validate_output"]


def test_an_upload_refused_on_arrival(upload):
    _client, response = upload("form.docx", "text")
    assert response.status_code == 400
    assert "not a form file" in response.json()["message"]


def test_the_upload_list_and_another_operations_upload(as_role, operation, other_operation):
    mine = FormUploadFactory(operation=operation)
    theirs = FormUploadFactory(operation=other_operation)
    client = as_role(Role.OPERATION_ADMIN)
    body = client.get(f"{API}/forms/uploads/").json()
    assert [item["id"] for item in body["results"]] == [mine.pk]
    assert client.get(f"{API}/forms/uploads/{theirs.pk}/").status_code == 404


def test_version_files_are_served_exactly(as_role, operation):
    form = published_form(operation, media={"sites.csv": b"name\nS1\n"})
    version = form.current_version
    client = as_role(Role.ENUMERATOR)
    base = f"{API}/forms/dtm_sa/versions/2026112309"
    xform = client.get(f"{base}/xform/")
    assert xform.status_code == 200
    assert xform.content == version.xform.encode()
    assert xform["Content-Type"] == "application/xml; charset=utf-8"
    xlsform = client.get(f"{base}/xlsform/")
    assert b"".join(xlsform.streaming_content) == SITE_FORM.encode()
    media = client.get(f"{base}/media/sites.csv")
    assert b"".join(media.streaming_content) == b"name\nS1\n"
    assert media["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert client.get(f"{base}/media/other.csv").status_code == 404
    assert client.get(f"{API}/forms/dtm_sa/versions/1/xform/").status_code == 404
    listing = client.get(f"{base}/media/").json()
    assert (listing["expected"], listing["missing"]) == (["sites.csv"], [])


def test_a_media_file_is_added_under_the_name_the_form_uses(as_role, operation):
    published_form(operation, media={})
    client = as_role(Role.OPERATION_ADMIN)
    base = f"{API}/forms/dtm_sa/versions/2026112309/media/"
    assert client.get(base).json()["missing"] == ["sites.csv"]
    response = client.post(
        base, {"file": SimpleUploadedFile("my list.csv", b"name\nS1\n"), "name": "sites.csv"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["missing"] == []
    refused = client.post(base, {"file": SimpleUploadedFile("logo.png", b"png")})
    assert refused.status_code == 400
    assert "does not use a file named logo.png" in refused.json()["message"]
