"""Field edits: a new version through the ingest path, audited field by field."""

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.collection.models import Submission, SubmissionAttachment, SubmissionVersion
from opendtm.collection.services.edits import plain_path, submission_edit_fields
from opendtm.collection.xform import instance_meta, parse_xml
from opendtm.core.errors import ApplicationError, Forbidden
from tests.collection.factories_submissions import (
    add_submission,
    sample_values,
    site_form,
)


@pytest.fixture
def manager(member, operation):
    return member(Role.DATA_MANAGER, operation, "manager")


@pytest.fixture
def submission(operation, manager):
    return add_submission(
        site_form(operation, created_by=manager).current_version,
        sample_values(1, photo="site.jpg"),
        attachments=[("site.jpg", b"\xff\xd8jpeg")],
    )


def edit(manager, submission, changes, reason="checked by phone"):
    return submission_edit_fields(
        actor=manager, submission=submission, changes=changes, reason=reason
    )


def test_an_edit_is_a_new_version_with_new_ids_and_an_audit_event_per_field(
    manager, submission, django_capture_on_commit_callbacks
):
    # given
    original = submission.versions.get()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        received = edit(
            manager,
            submission,
            {
                "households": "12",
                "hh[2]/size": "4",
                "location/area": "NG008021",
                "hh[1]/member[1]/age": "5",
            },
            reason="household sizes confirmed by phone",
        )
    # then
    assert received.outcome == "edited"
    versions = list(SubmissionVersion.objects.filter(submission=submission).order_by("pk"))
    assert [version.current for version in versions] == [False, True]
    new = versions[1]
    meta = instance_meta(parse_xml(new.xml))
    assert meta.deprecated_id == original.instance_id
    assert meta.instance_id.startswith("uuid:")
    assert meta.instance_id != original.instance_id
    assert new.parse_status == "parsed"
    assert new.data["households"] == "12"
    assert new.data["hh"][1]["size"] == "4"
    assert new.data["hh"][1]["head"] == "Musa 1"  # untouched answers stay
    assert new.data["hh"][0]["member"][0]["age"] == "5"
    assert Submission.objects.get(pk=submission.pk).edits == 1
    assert list(
        SubmissionAttachment.objects.filter(version=new).values_list("name", flat=True)
    ) == ["site.jpg"]  # the file carried over
    events = AuditEvent.objects.filter(
        object_type="collection.submission",
        object_id=str(submission.pk),
        note="household sizes confirmed by phone",
    )
    changes = {path: (e.before[path], e.after[path]) for e in events for path in e.after}
    assert changes == {
        "households": ("11", "12"),
        "hh[2]/size": ("3", "4"),
        "hh[1]/member[1]/age": ("4", "5"),
    }  # location/area kept its value: no event
    assert len(events) == 3


def test_edits_chain_each_deprecating_the_current_version(
    manager, submission, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        edit(manager, submission, {"households": "20"})
    with django_capture_on_commit_callbacks(execute=True):
        edit(manager, submission, {"households": "21"})
    versions = list(SubmissionVersion.objects.filter(submission=submission).order_by("pk"))
    assert [v.deprecated_id for v in versions[1:]] == [
        versions[0].instance_id,
        versions[1].instance_id,
    ]
    assert versions[2].current
    assert versions[2].data["households"] == "21"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nope": "1"}, "nope"),
        ({"hh[9]/size": "1"}, "hh[9]/size"),
        ({"households": "many"}, "households"),
        ({"needs": "food caviar"}, "needs"),
        ({"lighting": "maybe"}, "lighting"),
        ({"meta/instanceID": "uuid:x"}, "meta/instanceID"),
        ({"photo": "other.jpg"}, "photo"),
        ({"hh": "x"}, "hh"),
    ],
)
def test_impossible_changes_are_refused_and_nothing_is_written(manager, submission, changes, field):
    with pytest.raises(ApplicationError) as refused:
        edit(manager, submission, changes)
    assert [problem.field for problem in refused.value.problems] == [field]
    assert SubmissionVersion.objects.filter(submission=submission).count() == 1
    assert not AuditEvent.objects.filter(object_type="collection.submission").exists()


def test_an_edit_needs_a_reason_and_a_change(manager, submission):
    with pytest.raises(ApplicationError):
        edit(manager, submission, {"households": "30"}, reason=" ")
    with pytest.raises(ApplicationError):
        edit(manager, submission, {"households": "11"})  # the current value
    with pytest.raises(ApplicationError):
        edit(manager, submission, {})


def test_only_reviewers_edit(member, operation, submission):
    with pytest.raises(Forbidden):
        edit(member(Role.VIEWER, operation), submission, {"households": "1"})


def test_plain_path_drops_indices():
    assert plain_path("hh[2]/member[10]/age") == "hh/member/age"
