"""submission_receive: what is stored, what is refused, and what a refusal leaves behind."""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.collection.blobs import blob_path, blob_read
from opendtm.collection.models import Form, Submission, SubmissionAttachment, SubmissionVersion
from opendtm.collection.services.app_users import app_user_revoke
from opendtm.collection.services.submissions import (
    IncomingFile,
    SubmissionRefused,
    submission_receive,
)
from tests.collection.factories_openrosa import (
    app_user_with_token,
    instance,
    instance_id_of,
    new_instance_id,
    sha256,
    site_form,
)
from tests.factories import UserFactory

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"shelter" * 100

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<data id="dtm_site_assessment" version="2024061201"><location><site_code>&secret;</site_code>
</location><meta><instanceID>uuid:xxe</instanceID></meta></data>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE data [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<data id="dtm_site_assessment" version="2024061201"><location><site_code>&lol9;</site_code>
</location><meta><instanceID>uuid:lol</instanceID></meta></data>"""


def file(name: str, data: bytes, content_type: str = "image/jpeg") -> IncomingFile:
    return IncomingFile(name=name, content_type=content_type, chunks=iter([data]))


@pytest.fixture
def enumerator(member, operation):
    return member(Role.ENUMERATOR, operation, "enum1")


@pytest.fixture
def form(operation):
    return site_form(operation)


def receive(operation, user, xml, files=(), **kwargs):
    return submission_receive(
        operation=operation, xml=xml, attachments=list(files), submitted_by=user, **kwargs
    )


def nothing_stored():
    return not Submission.objects.exists() and not SubmissionVersion.objects.exists()


# ---- created, duplicate, appended, conflict ------------------------------------------------


def test_a_new_instance_is_created_with_its_xml_verbatim_and_its_attachment(
    operation, enumerator, form
):
    xml = instance(photo="1718.jpg")
    received = receive(
        operation,
        enumerator,
        xml,
        [file("1718.jpg", JPEG)],
        device_id="collect:abc",
        user_agent="UA",
    )
    assert (received.outcome, received.status) == ("created", 201)
    version = SubmissionVersion.objects.get()
    assert version.xml.encode() == xml
    assert version.xml_sha256 == sha256(xml)
    assert version.current
    assert version.form_version == form.current_version
    assert (version.device_id, version.user_agent, version.submitted_by) == (
        "collect:abc",
        "UA",
        enumerator,
    )
    attachment = SubmissionAttachment.objects.get()
    assert (attachment.name, attachment.sha256, attachment.size) == (
        "1718.jpg",
        sha256(JPEG),
        len(JPEG),
    )
    assert blob_read(attachment.sha256) == JPEG
    submission = Submission.objects.get()
    assert submission.instance_id == instance_id_of(xml)
    assert submission.operation == operation
    assert submission.edits == 0


def test_the_same_xml_again_is_a_duplicate_that_changes_nothing(operation, enumerator, form):
    xml = instance(photo="1718.jpg")
    receive(operation, enumerator, xml, [file("1718.jpg", JPEG)])
    again = receive(operation, enumerator, xml, [file("1718.jpg", JPEG)])
    assert (again.outcome, again.status) == ("duplicate", 202)
    assert SubmissionVersion.objects.count() == 1
    assert SubmissionAttachment.objects.count() == 1


def test_the_same_xml_with_a_missing_file_appends_it(operation, enumerator, form):
    """Collect splits a big submission: every POST repeats the XML with the next files."""
    xml = instance(photo="a.jpg", photo_shelter="b.png")
    first = receive(operation, enumerator, xml, [file("a.jpg", JPEG)])
    second = receive(operation, enumerator, xml, [file("b.png", PNG, "image/png")])
    assert (first.outcome, second.outcome, second.status) == ("created", "appended", 201)
    assert second.version.pk == first.version.pk
    assert sorted(SubmissionAttachment.objects.values_list("name", flat=True)) == ["a.jpg", "b.png"]


def test_the_same_instance_id_with_other_answers_is_a_conflict(operation, enumerator, form):
    instance_id = new_instance_id()
    receive(operation, enumerator, instance(instance_id=instance_id, households=3))
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, instance(instance_id=instance_id, households=4))
    assert refused.value.status == 409
    assert "different answers" in refused.value.message
    assert SubmissionVersion.objects.get().xml.count("<idp_households>3<") == 1


def test_the_same_bytes_are_stored_once(operation, enumerator, form):
    receive(operation, enumerator, instance(photo="a.jpg"), [file("a.jpg", JPEG)])
    receive(operation, enumerator, instance(photo="b.jpg"), [file("b.jpg", JPEG)])
    assert SubmissionAttachment.objects.count() == 2
    assert SubmissionAttachment.objects.values("sha256").distinct().count() == 1
    path = blob_path(sha256(JPEG))
    assert path.read_bytes() == JPEG
    assert len(list(path.parent.iterdir())) == 1


def test_an_instance_without_an_instance_id_gets_one_from_its_content(operation, enumerator, form):
    xml = instance().replace(b"<instanceID>", b"<x>").replace(b"</instanceID>", b"</x>")
    first = receive(operation, enumerator, xml)
    assert first.submission.instance_id == f"sha256:{sha256(xml)}"
    assert receive(operation, enumerator, xml).outcome == "duplicate"


# ---- edits ------------------------------------------------------------------------------


def test_an_edit_is_a_new_current_version_carrying_unsent_files_over(operation, enumerator, form):
    original = instance(photo="a.jpg", photo_shelter="b.png")
    receive(operation, enumerator, original, [file("a.jpg", JPEG), file("b.png", PNG)])
    new_photo = JPEG + b"retaken"
    edit = instance(
        deprecated_id=instance_id_of(original),
        photo="a.jpg",
        photo_shelter="b.png",
        households=20,
    )
    received = receive(operation, enumerator, edit, [file("a.jpg", new_photo)])
    assert (received.outcome, received.status) == ("edited", 201)
    submission = Submission.objects.get()
    assert submission.edits == 1
    assert submission.instance_id == instance_id_of(original)
    old, new = submission.versions.order_by("id")
    assert (old.current, new.current) == (False, True)
    assert new.deprecated_id == old.instance_id
    files = {a.name: a.sha256 for a in new.attachments.all()}
    assert files == {"a.jpg": sha256(new_photo), "b.png": sha256(PNG)}
    assert {a.name: a.sha256 for a in old.attachments.all()} == {
        "a.jpg": sha256(JPEG),
        "b.png": sha256(PNG),
    }


def test_an_edit_sent_twice_is_a_duplicate(operation, enumerator, form):
    original = instance()
    receive(operation, enumerator, original)
    edit = instance(deprecated_id=instance_id_of(original), households=20)
    receive(operation, enumerator, edit)
    assert receive(operation, enumerator, edit).outcome == "duplicate"
    assert SubmissionVersion.objects.count() == 2


def test_an_edit_of_an_unknown_instance_is_not_found(operation, enumerator, form):
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, instance(deprecated_id="uuid:nobody"))
    assert refused.value.status == 404
    assert nothing_stored()


def test_an_edit_of_a_replaced_version_is_a_conflict(operation, enumerator, form):
    original = instance()
    receive(operation, enumerator, original)
    receive(operation, enumerator, instance(deprecated_id=instance_id_of(original), households=2))
    with pytest.raises(SubmissionRefused) as refused:
        receive(
            operation, enumerator, instance(deprecated_id=instance_id_of(original), households=3)
        )
    assert refused.value.status == 409
    assert SubmissionVersion.objects.count() == 2
    assert SubmissionVersion.objects.filter(current=True).count() == 1


# ---- which form, which version, who ----------------------------------------------------


def test_an_unknown_form_is_not_found(operation, enumerator, form):
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, instance(form_id="no_such_form"))
    assert refused.value.status == 404
    assert "no_such_form" in refused.value.message


def test_an_unknown_version_names_the_versions_known(operation, enumerator):
    site_form(operation, versions=("2024061201", "2024061202"))
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, instance(version="1999"))
    assert refused.value.status == 404
    assert "1999" in refused.value.message
    assert "2024061201" in refused.value.message
    assert "2024061202" in refused.value.message


def test_every_published_version_is_accepted(operation, enumerator):
    site_form(operation, versions=("2024061201", "2024061202"))
    old = receive(operation, enumerator, instance(version="2024061201"))
    new = receive(operation, enumerator, instance(version="2024061202"))
    assert old.version.form_version.version == "2024061201"
    assert new.version.form_version.version == "2024061202"


def test_a_closed_form_refuses_and_a_closing_one_accepts(operation, enumerator, form):
    form.state = Form.State.CLOSING
    form.save()
    assert receive(operation, enumerator, instance()).outcome == "created"
    form.state = Form.State.CLOSED
    form.save()
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, instance())
    assert refused.value.status == 409
    assert "closed" in refused.value.message


def test_a_reviewer_may_still_edit_a_submission_of_a_closed_form(operation, member, form):
    manager = member(Role.DATA_MANAGER, operation, "dm")
    original = instance()
    receive(operation, manager, original)
    Form.objects.filter(pk=form.pk).update(state=Form.State.CLOSED)
    edit = instance(deprecated_id=instance_id_of(original), households=1)
    assert receive(operation, manager, edit).outcome == "edited"


def test_a_viewer_may_not_submit(operation, member, form):
    viewer = member(Role.VIEWER, operation, "viewer")
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, viewer, instance())
    assert refused.value.status == 403
    assert nothing_stored()


def test_a_user_of_another_operation_may_not_submit(operation, other_operation, member, form):
    stranger = member(Role.ENUMERATOR, other_operation, "stranger")
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, stranger, instance())
    assert refused.value.status == 403


def test_an_app_user_submits_its_assigned_forms_only(operation, form):
    other = site_form(operation, form_id="other_form")
    app_user, _token = app_user_with_token(operation, [form])
    received = submission_receive(operation=operation, xml=instance(), app_user=app_user)
    assert received.submission.app_user == app_user
    assert received.version.submitted_by is None
    with pytest.raises(SubmissionRefused) as refused:
        submission_receive(
            operation=operation, xml=instance(form_id=other.form_id), app_user=app_user
        )
    assert refused.value.status == 403


def test_a_revoked_app_user_is_refused(operation, form, admin_user):
    app_user, _token = app_user_with_token(operation, [form], actor=admin_user)
    app_user_revoke(actor=admin_user, app_user=app_user)
    with pytest.raises(SubmissionRefused) as refused:
        submission_receive(operation=operation, xml=instance(), app_user=app_user)
    assert refused.value.status == 403
    assert nothing_stored()


def test_nobody_at_all_is_refused(operation, form):
    with pytest.raises(SubmissionRefused) as refused:
        submission_receive(operation=operation, xml=instance())
    assert refused.value.status == 401


# ---- dangerous or broken XML, sizes ----------------------------------------------------


@pytest.mark.parametrize("xml", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_entity_attacks_are_refused_and_nothing_is_stored(operation, enumerator, form, xml):
    photo = os.urandom(2000)  # bytes no other test stored
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, xml, [file("a.jpg", photo)])
    assert refused.value.status == 400
    assert "refused" in refused.value.message
    assert nothing_stored()
    assert not SubmissionAttachment.objects.exists()
    assert not blob_path(sha256(photo)).exists()


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        (b"<data id='dtm_site_assessment'><unclosed></data>", "cannot be read as XML"),
        (b"not xml at all", "cannot be read as XML"),
        (b"<data version='1'><meta/></data>", "which form"),
        ('<data id="dtm_site_assessment">é</data>'.encode("latin-1"), "UTF-8"),
    ],
)
def test_unreadable_xml_is_refused_with_a_reason(operation, enumerator, form, xml, words):
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, xml)
    assert refused.value.status == 400
    assert words in refused.value.message
    assert nothing_stored()


def test_an_attachment_over_its_limit_is_refused(operation, enumerator, form, settings):
    settings.OPENDTM_MAX_ATTACHMENT_BYTES = 1000
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, instance(photo="a.jpg"), [file("a.jpg", JPEG)])
    assert refused.value.status == 413
    assert "a.jpg" in refused.value.message
    assert nothing_stored()


def test_a_submission_over_its_limit_is_refused(operation, enumerator, form, settings):
    xml = instance(photo="a.jpg", photo_shelter="b.jpg")
    settings.OPENDTM_MAX_SUBMISSION_BYTES = len(xml) + len(JPEG) + 10
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, xml, [file("a.jpg", JPEG), file("b.jpg", JPEG + b"2")])
    assert refused.value.status == 413
    assert nothing_stored()
    settings.OPENDTM_MAX_SUBMISSION_BYTES = len(xml) - 1
    with pytest.raises(SubmissionRefused) as refused:
        receive(operation, enumerator, xml)
    assert refused.value.status == 413


# ---- audit, cost --------------------------------------------------------------------------


def test_one_audit_event_per_receipt_that_wrote_something(operation, enumerator, form):
    xml = instance(photo="a.jpg", photo_shelter="b.png")
    receive(operation, enumerator, xml, [file("a.jpg", JPEG)])
    receive(operation, enumerator, xml, [file("b.png", PNG)])
    receive(operation, enumerator, xml, [file("b.png", PNG)])  # duplicate: nothing written
    receive(operation, enumerator, instance(deprecated_id=instance_id_of(xml)))
    events = list(AuditEvent.objects.filter(object_type="collection.submission").order_by("id"))
    assert [event.action for event in events] == ["create", "update", "update"]
    assert events[0].actor == enumerator
    assert events[0].operation == operation
    assert events[1].after == {"attachments_added": ["b.png"]}


def test_an_app_users_receipt_is_audited_under_its_name(operation, form):
    app_user, _token = app_user_with_token(operation, [form], name="Tablet 9")
    submission_receive(operation=operation, xml=instance(), app_user=app_user)
    event = AuditEvent.objects.get(object_type="collection.submission")
    assert event.actor is None
    assert event.actor_name == "app user: Tablet 9"


def test_the_cost_of_a_receipt_does_not_grow_with_the_form(operation, enumerator, form):
    """The duplicate check is an index probe: as many queries at 1 as at 40 submissions."""
    receive(operation, enumerator, instance())
    with CaptureQueriesContext(connection) as early:
        receive(operation, enumerator, instance())
    for _ in range(40):
        receive(operation, enumerator, instance())
    with CaptureQueriesContext(connection) as late:
        receive(operation, enumerator, instance())
    assert len(late) == len(early) <= 14, [query["sql"] for query in late.captured_queries]
    scans = [q["sql"] for q in late.captured_queries if "collection_submissionversion" in q["sql"]]
    assert all("WHERE" in sql or sql.startswith(("INSERT", "UPDATE")) for sql in scans)


def test_a_user_from_the_factory_has_no_rights(operation, form):
    with pytest.raises(SubmissionRefused):
        receive(operation, UserFactory(), instance())


def test_a_resubmission_meets_the_constraint_and_leaves_nothing_behind(
    operation, enumerator, form, monkeypatch
):
    """A new instanceID is inserted without a lookup; a repeat is told by the constraint."""
    from opendtm.accounts.models import AuditEvent
    from opendtm.collection.services import submission_records

    xml = instance()
    receive(operation, enumerator, xml)
    events = AuditEvent.objects.count()
    real = submission_records.existing_version
    calls = []

    def probe(form, instance_id):
        calls.append(instance_id)
        return real(form, instance_id)

    monkeypatch.setattr(submission_records, "existing_version", probe)
    assert receive(operation, enumerator, xml).outcome == "duplicate"
    assert len(calls) == 1  # only after the insert met the constraint
    assert Submission.objects.count() == 1  # the attempt's submission row was rolled back
    assert AuditEvent.objects.count() == events
    receive(operation, enumerator, instance(instance_id="uuid:other"))
    assert len(calls) == 1  # a new instanceID needs no lookup
