"""The submission pages: table with filters and an 'older' link, detail, review, edit, exports."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from opendtm.accounts.roles import Role
from opendtm.collection.models import Export, Submission, SubmissionVersion
from tests.collection.factories_submissions import (
    add_submission,
    sample_values,
    site_form,
)


@pytest.fixture
def form(operation, member):
    return site_form(operation, created_by=member(Role.DATA_MANAGER, operation))


@pytest.fixture
def signed_in(client, member, operation):
    def sign_in(role=Role.DATA_MANAGER):
        client.force_login(member(role, operation))
        return client

    return sign_in


def url(page_name, form, **kwargs):
    return reverse(
        f"web:{page_name}", kwargs={"slug": form.operation.slug, "form_id": form.form_id, **kwargs}
    )


def test_the_table_pages_with_an_older_link_and_filters_by_htmx(signed_in, form, settings):
    client = signed_in()
    now = timezone.now()
    for number in range(55):
        add_submission(
            form.current_version,
            sample_values(number),
            received_at=now - datetime.timedelta(minutes=number),
        )
    first = client.get(url("submissions", form))
    page = first.content.decode()
    assert first.status_code == 200
    assert 'data-count="55"' in page
    assert page.count("data-submission=") == 50
    assert 'rel="next"' in page
    cursor = first.context["page"].next_cursor
    older = client.get(url("submissions", form), {"cursor": cursor}).content.decode()
    assert older.count("data-submission=") == 5
    assert 'rel="next"' not in older
    partial = client.get(
        url("submissions", form), {"q": "Amina 7", "review_state": ""}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode()
    assert partial.content.decode().count("data-submission=") == 1
    bad = client.get(url("submissions", form), {"cursor": "forged"})
    assert bad.status_code == 400


def test_the_table_costs_the_same_queries_for_one_row_or_fifty(
    signed_in, form, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in()
    add_submission(form.current_version)
    client.get(url("submissions", form))
    with CaptureQueriesContext(connection) as one:
        assert client.get(url("submissions", form)).status_code == 200
    # Read now: the next request clears the log the context reads from.
    assert len(one) <= 12, [query["sql"] for query in one.captured_queries]
    few = len(one)
    for number in range(30):
        add_submission(form.current_version, sample_values(number))
    with django_assert_max_num_queries(few):
        assert client.get(url("submissions", form)).status_code == 200


def test_detail_lays_out_answers_by_question_with_files_versions_and_reviews(signed_in, form):
    submission = add_submission(
        form.current_version,
        sample_values(1, photo="site.jpg"),
        attachments=[("site.jpg", b"\xff\xd8jpeg")],
    )
    page = signed_in().get(url("submission", form, pk=submission.pk)).content.decode()
    assert "Household size" in page  # the question's label
    assert 'data-path="hh[2]/size"' in page
    assert "Household #2" in page
    assert "Lighting adequate" in page
    assert '<img src="' in page
    assert "site.jpg" in page
    assert "Original" in page
    assert "Save review" in page
    assert "Edit answers" in page
    assert 'name="field:hh[1]/member[1]/age"' in page
    viewer_page = signed_in(Role.VIEWER)
    assert viewer_page.get(url("submission", form, pk=submission.pk)).status_code == 403


def test_review_from_the_page(signed_in, form):
    submission = add_submission(form.current_version)
    client = signed_in()
    refused = client.post(url("submission-review", form, pk=submission.pk), {"state": "rejected"})
    assert refused.status_code == 400
    assert "needs a comment" in refused.content.decode()
    done = client.post(
        url("submission-review", form, pk=submission.pk),
        {"state": "has_issues", "comment": "Ages look wrong"},
    )
    assert done.status_code == 302
    page = client.get(url("submission", form, pk=submission.pk)).content.decode()
    assert "Ages look wrong" in page
    assert Submission.objects.get(pk=submission.pk).review_state == "has_issues"


def test_edit_from_the_page_changes_only_what_differs(
    signed_in, form, django_capture_on_commit_callbacks
):
    submission = add_submission(form.current_version)
    client = signed_in()
    detail = client.get(url("submission", form, pk=submission.pk))
    fields = {
        f"field:{entry['path']}": entry["text"]
        for entry in detail.context["entries"]
        if entry["kind"] == "field" and entry["editable"]
    }
    fields["field:households"] = "99"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("submission-edit", form, pk=submission.pk), {**fields, "reason": "typo"}
        )
    assert response.status_code == 302, response.content.decode()
    current = SubmissionVersion.objects.get(submission=submission, current=True)
    assert current.data["households"] == "99"
    page = client.get(url("submission", form, pk=submission.pk)).content.decode()
    assert "<ins>99</ins>" in page
    assert "<del>11</del>" in page
    no_reason = client.post(url("submission-edit", form, pk=submission.pk), {**fields})
    assert no_reason.status_code == 400


def test_raw_xml_and_attachments_are_served_safely(signed_in, form):
    submission = add_submission(
        form.current_version,
        sample_values(1, photo="site.jpg"),
        attachments=[("site.jpg", b"\xff\xd8jpeg"), ("notes.html", b"<script>alert(1)</script>")],
    )
    client = signed_in()
    version = submission.versions.get()
    xml = client.get(url("submission-version-xml", form, pk=submission.pk, version_id=version.pk))
    assert xml["Content-Type"].startswith("text/plain")
    assert b"MMC-01" in b"".join([xml.content])
    image = client.get(url("submission-attachment", form, pk=submission.pk, name="site.jpg"))
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content) == b"\xff\xd8jpeg"
    html = client.get(url("submission-attachment", form, pk=submission.pk, name="notes.html"))
    assert html["Content-Type"] == "application/octet-stream"
    assert html["Content-Disposition"].startswith("attachment")
    b"".join(html.streaming_content)
    missing = client.get(url("submission-attachment", form, pk=submission.pk, name="x.jpg"))
    assert missing.status_code == 404


def test_export_page_starts_a_job_shows_progress_and_downloads(
    signed_in, form, django_capture_on_commit_callbacks
):
    add_submission(form.current_version)
    client = signed_in(Role.DATA_MANAGER)
    page = client.get(url("submission-exports", form)).content.decode()
    assert "Start the export" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("submission-exports", form), {"format": "csv", "group_paths": "on"}
        )
    export = Export.objects.get()
    assert response.url == url("submission-export", form, export_id=export.pk)
    assert export.options == {"group_paths": True, "split_select_multiple": False}
    status = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in status
    assert "Download" in status
    download = client.get(url("submission-export-download", form, export_id=export.pk))
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_a_running_export_polls_with_a_progress_bar(signed_in, form):
    export = Export.objects.create(
        form=form,
        format="xlsx",
        created_by=form.created_by,
        status=Export.Status.RUNNING,
        rows_done=500,
        rows_total=2000,
    )
    client = signed_in(Role.DATA_MANAGER)
    page = client.get(url("submission-export", form, export_id=export.pk)).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert '<progress max="2000" value="500"' in page
    not_yet = client.get(url("submission-export-download", form, export_id=export.pk))
    assert not_yet.status_code == 404
