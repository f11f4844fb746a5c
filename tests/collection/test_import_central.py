"""Import from ODK Central through pyodk, against recorded (reconstructed) responses."""

import pytest
import responses

from opendtm.accounts.roles import Role
from opendtm.collection.importers.central import central_client, central_import
from opendtm.collection.models import Form, Submission, SubmissionAttachment, SubmissionVersion
from tests.collection.factories_submissions import (
    replay,
)

S1 = "uuid:0c6b7a2e-4f1d-4d6e-9a51-1b2f3c4d5e01"
S1_EDIT = "uuid:9e3f1d2c-7b6a-4c5d-8e9f-0a1b2c3d4e11"


@pytest.fixture
def importer(member, operation):
    return member(Role.OPERATION_ADMIN, operation, "importer")


def run_import(importer, operation, tmp_path, capture):
    client = central_client(
        base_url="https://central.example.org",
        username="manager@example.org",
        password="not-a-real-password",
        project_id=3,
        cache_path=tmp_path / "pyodk_cache.toml",
    )
    with capture(execute=True), client:
        return central_import(
            actor=importer,
            operation=operation,
            client=client,
            project_id=3,
            form_id="site_assessment",
            kind=Form.Kind.SITE_ASSESSMENT,
        )


def test_import_publishes_versions_and_refeeds_every_submission_version(
    importer, operation, tmp_path, django_capture_on_commit_callbacks
):
    # given: Central's answers, and nothing else reachable
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        recording = replay(mock, "central")
        # when
        summary = run_import(importer, operation, tmp_path, django_capture_on_commit_callbacks)
        called = {call.request.url for call in mock.calls}
    # every recorded answer was asked for, but the token check a cached token makes
    assert {entry["url"] for entry in recording} - called == {
        "https://central.example.org/v1/users/current"
    }
    # then
    assert summary.problems == []
    assert summary.refused == []
    assert summary.versions_published == [
        "site_assessment 2024010101",
        "site_assessment 2024020101",
    ]
    assert summary.outcomes == {"created": 2, "edited": 1}
    form = Form.objects.get(operation=operation, form_id="site_assessment")
    assert form.kind == Form.Kind.SITE_ASSESSMENT
    assert form.current_version.version == "2024020101"
    edited = Submission.objects.get(instance_id=S1)
    assert edited.edits == 1
    current = SubmissionVersion.objects.get(submission=edited, current=True)
    assert current.instance_id == S1_EDIT
    assert current.deprecated_id == S1
    assert current.data["households"] == "14"
    assert current.parse_status == "parsed"
    files = SubmissionAttachment.objects.filter(version__submission=edited)
    assert sorted((f.version.instance_id, f.name, f.content_type) for f in files) == [
        (S1, "site.jpg", "image/jpeg"),
        (S1_EDIT, "site.jpg", "image/jpeg"),
    ]
    assert current.user_agent.startswith("opendtm import from ODK Central (Mozilla")
    assert Submission.objects.filter(form=form).count() == 2


def test_running_the_import_again_adds_nothing(
    importer, operation, tmp_path, django_capture_on_commit_callbacks
):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        replay(mock, "central")
        run_import(importer, operation, tmp_path, django_capture_on_commit_callbacks)
        again = run_import(importer, operation, tmp_path, django_capture_on_commit_callbacks)
    assert again.versions_published == []
    assert again.outcomes == {"duplicate": 3}
    assert SubmissionVersion.objects.count() == 3
    assert SubmissionAttachment.objects.count() == 2


def test_an_importer_without_form_rights_publishes_nothing(
    member, operation, tmp_path, django_capture_on_commit_callbacks
):
    manager = member(Role.ENUMERATOR, operation)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        replay(mock, "central")
        with pytest.raises(Exception, match="does not allow"):
            run_import(manager, operation, tmp_path, django_capture_on_commit_callbacks)
    assert not Form.objects.exists()
