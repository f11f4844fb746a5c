"""The submissions API: list with filters and cursors, detail, versions, XML, files, reviews,
edits and exports; with query-count guards and rights."""

import datetime
import io
import zipfile

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from opendtm.accounts.roles import Role
from opendtm.collection.models import Export
from tests.collection.factories_submissions import (
    add_submission,
    sample_values,
    site_form,
)
from tests.factories import api_key_for
from tests.query_counts import assert_queries_do_not_grow

BASE = "/api/v1/operations/nga-ne/forms/site_assessment/submissions/"


@pytest.fixture
def manager(member, operation):
    return member(Role.DATA_MANAGER, operation, "manager")


@pytest.fixture
def form(operation, manager):
    return site_form(operation, created_by=manager)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


@pytest.fixture
def api(manager):
    return client_for(manager)


def test_list_pages_newest_first_by_cursor(api, form):
    now = timezone.now()
    made = [
        add_submission(
            form.current_version, sample_values(n), received_at=now - datetime.timedelta(hours=n)
        )
        for n in range(5)
    ]
    first = api.get(BASE, {"page_size": 2}).json()
    assert first["count"] == 5
    assert first["count_capped"] is False
    assert [row["id"] for row in first["results"]] == [made[0].pk, made[1].pk]
    assert first["results"][0]["review_state"] == "received"
    second = api.get(first["next"]).json()
    assert second["count"] is None
    assert [row["id"] for row in second["results"]] == [made[2].pk, made[3].pk]
    last = api.get(second["next"]).json()
    assert [row["id"] for row in last["results"]] == [made[4].pk]
    assert last["next"] is None
    assert api.get(BASE, {"cursor": "forged"}).status_code == 400
    assert api.get(BASE, {"page_size": 5000}).status_code == 400


def test_list_filters(api, form):
    add_submission(form.current_version, sample_values(1), review_state="approved")
    add_submission(form.current_version, sample_values(2, remarks="roof leaking"))
    approved = api.get(BASE, {"review_state": "approved"}).json()["results"]
    assert [row["instance_id"] for row in approved] != []
    assert len(api.get(BASE, {"q": "leaking"}).json()["results"]) == 1
    assert api.get(BASE, {"review_state": "wrong"}).status_code == 400
    assert api.get(BASE, {"received_from": "2020-13-01"}).status_code == 400


def test_list_queries_do_not_grow_with_rows(api, form, django_assert_max_num_queries):
    def add_rows(numbers):
        for number in numbers:
            add_submission(form.current_version, sample_values(number))

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries, api, BASE, add_rows, ceiling=10
    )
    assert len(body["results"]) == 31


def test_detail_versions_and_raw_xml(api, form):
    submission = add_submission(form.current_version, sample_values(1))
    detail = api.get(f"{BASE}{submission.pk}/").json()
    assert detail["instance_id"] == submission.instance_id
    assert detail["current"]["answers"]["hh"][1]["head"] == "Musa 1"
    assert detail["current"]["form_version"] == "2024010101"
    assert detail["version_count"] == 1
    versions = api.get(f"{BASE}{submission.pk}/versions/").json()
    assert versions[0]["version"]["current"] is True
    assert versions[0]["changes"] == []
    version_id = versions[0]["version"]["id"]
    xml = api.get(f"{BASE}{submission.pk}/versions/{version_id}/xml/")
    assert xml["Content-Type"].startswith("application/xml")
    assert xml.content == submission.versions.get().xml.encode()


def test_detail_queries_stay_few(api, form, django_assert_max_num_queries):
    submission = add_submission(
        form.current_version,
        sample_values(1, photo="a.jpg"),
        attachments=[("a.jpg", b"1"), ("b.jpg", b"2")],
    )
    api.get(f"{BASE}{submission.pk}/")
    with django_assert_max_num_queries(10):
        assert api.get(f"{BASE}{submission.pk}/").status_code == 200


def test_attachments_list_and_download(api, form):
    submission = add_submission(
        form.current_version,
        sample_values(1, photo="site.jpg"),
        attachments=[("site.jpg", b"\xff\xd8jpeg")],
    )
    [listed] = api.get(f"{BASE}{submission.pk}/attachments/").json()
    assert (listed["name"], listed["size"]) == ("site.jpg", 6)
    download = api.get(f"{BASE}{submission.pk}/attachments/site.jpg")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\xff\xd8jpeg"
    assert api.get(f"{BASE}{submission.pk}/attachments/none.jpg").status_code == 404


def test_review_post_and_list(api, form, member, operation):
    submission = add_submission(form.current_version)
    refused = api.post(f"{BASE}{submission.pk}/reviews/", {"state": "rejected"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["field"] == "comment"
    done = api.post(
        f"{BASE}{submission.pk}/reviews/", {"state": "approved", "comment": "ok"}, format="json"
    )
    assert done.status_code == 201
    assert done.json()["reviewed_by"] == "manager"
    assert api.get(f"{BASE}{submission.pk}/").json()["review_state"] == "approved"
    assert [r["state"] for r in api.get(f"{BASE}{submission.pk}/reviews/").json()] == ["approved"]
    viewer = client_for(member(Role.VIEWER, operation))
    assert viewer.get(f"{BASE}{submission.pk}/").status_code == 403


def test_field_edit_patch(api, form, django_capture_on_commit_callbacks):
    submission = add_submission(form.current_version)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"{BASE}{submission.pk}/",
            {"changes": {"hh[1]/size": "6"}, "reason": "confirmed"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["edits"] == 1
    # (in a request the parse runs on commit, before the response; here, after the block)
    detail = api.get(f"{BASE}{submission.pk}/").json()
    assert detail["current"]["answers"]["hh"][0]["size"] == "6"
    history = api.get(f"{BASE}{submission.pk}/versions/").json()
    assert history[0]["changes"] == [{"path": "hh[1]/size", "before": "5", "after": "6"}]
    refused = api.patch(
        f"{BASE}{submission.pk}/", {"changes": {"x": "1"}, "reason": "r"}, format="json"
    )
    assert refused.status_code == 400
    unknown = api.patch(f"{BASE}{submission.pk}/", {"changes": {}, "extra": 1}, format="json")
    assert unknown.status_code == 400


def test_export_post_status_and_download(api, form, django_capture_on_commit_callbacks):
    add_submission(form.current_version)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(f"{BASE}exports/", {"format": "csv"}, format="json")
    assert created.status_code == 202
    export_id = created.json()["id"]
    assert created["Location"].endswith(f"/exports/{export_id}/")
    status = api.get(f"{BASE}exports/{export_id}/").json()
    assert status["status"] == "done"
    assert (status["rows_done"], status["rows_total"]) == (1, 1)
    download = api.get(status["download"])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "site_assessment.csv" in archive.namelist()
    assert [row["id"] for row in api.get(f"{BASE}exports/").json()["results"]] == [export_id]
    assert api.post(f"{BASE}exports/", {"format": "pdf"}, format="json").status_code == 400


def test_a_queued_export_has_no_download_yet(api, form):
    export = Export.objects.create(form=form, format="xlsx", created_by=form.created_by)
    assert api.get(f"{BASE}exports/{export.pk}/").json()["download"] is None
    assert api.get(f"{BASE}exports/{export.pk}/download/").status_code == 404


def test_another_form_or_operation_is_not_found(api, form, other_operation, manager):
    theirs = site_form(other_operation, created_by=manager)
    submission = add_submission(theirs.current_version)
    assert api.get(f"{BASE}{submission.pk}/").status_code == 404
    other = f"/api/v1/operations/{other_operation.slug}/forms/site_assessment/submissions/"
    assert api.get(other).status_code == 404
    assert api.get(BASE.replace("site_assessment", "nope")).status_code == 404
