"""Jobs whose worker died: reported as failed after their limit, with what to do, per operation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from opendtm.accounts.roles import Role
from opendtm.collection.exports.services import export_create
from opendtm.collection.models import Export, FormUpload
from opendtm.collection.services.forms import form_upload_run
from opendtm.collection.services.interrupted_jobs import interrupted_jobs_fail
from tests.collection.factories import FormUploadFactory, published_form
from tests.factories import api_key_for

MINUTE = datetime.timedelta(minutes=1)


def converting(operation, started_minutes_ago: float | None) -> FormUpload:
    started = None if started_minutes_ago is None else timezone.now() - started_minutes_ago * MINUTE
    upload = FormUploadFactory(
        operation=operation, status=FormUpload.Status.CONVERTING, started_at=started
    )
    if started is None:  # an upload from before started_at existed: judged by its creation
        FormUpload.objects.filter(pk=upload.pk).update(created_at=timezone.now() - 10 * MINUTE)
    return upload


def running(form, heard_minutes_ago: float) -> Export:
    return Export.objects.create(
        form=form,
        format="csv",
        status=Export.Status.RUNNING,
        heartbeat_at=timezone.now() - heard_minutes_ago * MINUTE,
        created_by=form.created_by,
    )


def status_of(job) -> str:
    job.refresh_from_db()
    return job.status


@pytest.mark.django_db
def test_a_conversion_past_twice_its_limit_is_failed_with_what_to_do(operation, settings):
    settings.OPENDTM_CONVERSION_TIMEOUT = 120  # a conversion lasts at most 2 x 120 s + 1 min
    stale, legacy, live = (
        converting(operation, 6),
        converting(operation, None),
        converting(operation, 4),
    )
    queued = FormUploadFactory(operation=operation)
    assert interrupted_jobs_fail(operation) == 2
    assert [status_of(job) for job in (stale, legacy, live, queued)] == [
        "failed",
        "failed",
        "converting",
        "queued",
    ]
    assert "Upload the file again" in stale.message
    assert stale.finished_at is not None


@pytest.mark.django_db
def test_an_export_silent_past_its_limit_is_failed_and_a_live_one_is_not(operation, settings):
    settings.OPENDTM_EXPORT_STALLED_AFTER = 600
    form = published_form(operation)
    stale, live = running(form, 11), running(form, 9)
    assert interrupted_jobs_fail(operation) == 1
    assert (status_of(stale), status_of(live)) == ("failed", "running")
    assert "Start a new export" in stale.message


@pytest.mark.django_db
def test_only_the_operations_own_jobs_are_touched(operation, other_operation):
    theirs_upload = converting(other_operation, 60)
    theirs_export = running(published_form(other_operation), 60)
    assert interrupted_jobs_fail(operation) == 0
    assert (status_of(theirs_upload), status_of(theirs_export)) == ("converting", "running")


@pytest.mark.django_db
def test_running_jobs_record_when_they_started_and_that_they_live(
    operation, member, django_capture_on_commit_callbacks
):
    manager = member(Role.OPERATION_ADMIN, operation)
    upload = FormUploadFactory(operation=operation, created_by=manager)
    done = form_upload_run(upload.pk)
    assert done.status == FormUpload.Status.DONE, done.message
    assert done.started_at is not None
    assert done.started_at <= done.finished_at
    form = published_form(operation, form_id="dtm_exported", created_by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_create(actor=manager, form=form, format="csv", options={})
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.heartbeat_at is not None
    assert export.heartbeat_at <= export.finished_at


@pytest.mark.django_db
def test_the_upload_page_stops_polling_an_interrupted_conversion(client, member, operation):
    client.force_login(member(Role.OPERATION_ADMIN, operation))
    upload = converting(operation, 60)
    page = client.get(
        reverse("web:form-upload-status", kwargs={"slug": operation.slug, "upload_id": upload.pk})
    ).content.decode()
    assert "every 2s" not in page
    assert "The conversion was interrupted" in page


@pytest.mark.django_db
def test_the_export_api_reports_an_interrupted_export_as_failed(member, operation):
    form = published_form(operation)
    export = running(form, 60)
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_key_for(member(Role.DATA_MANAGER, operation))}"
    )
    url = reverse(
        "api-submission-export-detail",
        kwargs={"slug": operation.slug, "form_id": form.form_id, "export_id": export.pk},
    )
    answer = client.get(url).json()
    assert (answer["status"], answer["message"].startswith("The export was interrupted")) == (
        "failed",
        True,
    )
