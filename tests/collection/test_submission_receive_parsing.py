"""Parsing after the receipt: data, files expected, site and admin area; failures kept."""

import io
import os
import signal
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendtm.accounts.roles import Role
from opendtm.collection.models import FormVersion, Submission, SubmissionVersion
from opendtm.collection.services import submission_parsing
from opendtm.collection.services.submission_parsing import (
    submission_parse,
    submissions_parse_pending,
    value_at,
)
from opendtm.collection.services.submissions import submission_receive
from tests.collection.factories_openrosa import instance, instance_id_of, site_form
from tests.factories import AdminAreaFactory, SiteFactory

Parse = SubmissionVersion.Parse


@pytest.fixture
def enumerator(member, operation):
    return member(Role.ENUMERATOR, operation, "enum1")


@pytest.fixture
def places(operation):
    borno = AdminAreaFactory(operation=operation, level=1, pcode="NG008", name="Borno")
    mmc = AdminAreaFactory(operation=operation, level=2, pcode="NG008021", name="MMC", parent=borno)
    site = SiteFactory(admin_area=mmc, code="MMC-01", name="Bakassi Camp")
    return {"borno": borno, "mmc": mmc, "site": site}


@pytest.fixture
def form(operation):
    return site_form(operation, site_field="location/site_code", area_field="location/pcode")


def receive(operation, user, xml, capture):
    with capture(execute=True):
        return submission_receive(operation=operation, xml=xml, submitted_by=user)


def test_a_receipt_is_parsed_once_committed(
    operation, enumerator, form, places, django_capture_on_commit_callbacks
):
    xml = instance(photo="a.jpg", photo_shelter="b.jpg", sizes=(4, 6, 8))
    received = receive(operation, enumerator, xml, django_capture_on_commit_callbacks)
    version = SubmissionVersion.objects.get(pk=received.version.pk)
    assert version.parse_status == Parse.PARSED
    assert version.parse_error == ""
    assert version.data["location"] == {"site_code": "MMC-01", "pcode": "NG008021"}
    assert version.data["idp_households"] == "12"
    assert [member["hh_size"] for member in version.data["hh"]] == ["4", "6", "8"]
    assert version.data["meta"]["instanceID"] == instance_id_of(xml)
    assert version.attachments_expected == ["a.jpg", "b.jpg"]
    submission = Submission.objects.get()
    assert (submission.site, submission.admin_area) == (places["site"], places["mmc"])


def test_nothing_is_parsed_before_the_commit(operation, enumerator, form):
    submission_receive(operation=operation, xml=instance(), submitted_by=enumerator)
    assert SubmissionVersion.objects.get().parse_status == Parse.PENDING


def test_an_iso3_pcode_is_matched_and_a_site_gives_its_area(
    operation, enumerator, form, places, django_capture_on_commit_callbacks
):
    receive(operation, enumerator, instance(pcode="nga008"), django_capture_on_commit_callbacks)
    assert Submission.objects.get().admin_area == places["borno"]
    Submission.objects.all().delete()
    receive(operation, enumerator, instance(pcode=""), django_capture_on_commit_callbacks)
    assert Submission.objects.get().admin_area == places["mmc"]  # the site's own area


@pytest.mark.parametrize(
    ("site_code", "pcode"),
    [("NOPE-99", "NG999"), ("", "not a pcode"), ("MMC-01 ", "SD01")],
)
def test_unresolvable_places_stay_empty_and_parsing_succeeds(
    operation, enumerator, form, places, django_capture_on_commit_callbacks, site_code, pcode
):
    xml = instance(site_code=site_code, pcode=pcode)
    receive(operation, enumerator, xml, django_capture_on_commit_callbacks)
    version = SubmissionVersion.objects.get()
    assert version.parse_status == Parse.PARSED
    submission = Submission.objects.get()
    if site_code.strip() == "MMC-01":
        assert submission.site == places["site"]
    else:
        assert submission.site is None
        assert submission.admin_area is None


def test_a_site_code_is_matched_in_upper_case(
    operation, enumerator, form, places, django_capture_on_commit_callbacks
):
    receive(operation, enumerator, instance(site_code="mmc-01"), django_capture_on_commit_callbacks)
    assert Submission.objects.get().site == places["site"]


def test_an_edit_moves_the_submission_and_an_old_version_parsed_late_does_not(
    operation, enumerator, form, places, django_capture_on_commit_callbacks
):
    other = SiteFactory(admin_area=places["borno"], code="BOR-02", name="Dalori")
    original = instance(site_code="MMC-01", pcode="")
    submission_receive(operation=operation, xml=original, submitted_by=enumerator)  # not parsed
    edit = instance(deprecated_id=instance_id_of(original), site_code="BOR-02", pcode="")
    receive(operation, enumerator, edit, django_capture_on_commit_callbacks)
    assert Submission.objects.get().site == other
    old = SubmissionVersion.objects.get(current=False)
    submission_parse(SubmissionVersion.objects.select_related("form__operation").get(pk=old.pk))
    assert SubmissionVersion.objects.get(pk=old.pk).parse_status == Parse.PARSED
    assert Submission.objects.get().site == other


def test_a_parse_failure_is_recorded_and_the_submission_kept(
    operation, enumerator, form, django_capture_on_commit_callbacks
):
    FormVersion.objects.filter(pk=form.current_version_id).update(schema={}, xform="<broken")
    submission_parsing._plans.clear()
    xml = instance()
    receive(operation, enumerator, xml, django_capture_on_commit_callbacks)
    version = SubmissionVersion.objects.get()
    assert version.parse_status == Parse.FAILED
    assert "could not be read" in version.parse_error
    assert version.xml.encode() == xml
    assert Submission.objects.count() == 1


def test_parse_submissions_drains_the_backlog(operation, enumerator, form, settings, places):
    settings.OPENDTM_PARSE = "worker"
    for _ in range(5):
        submission_receive(operation=operation, xml=instance(), submitted_by=enumerator)
    assert SubmissionVersion.objects.filter(parse_status=Parse.PENDING).count() == 5
    assert submissions_parse_pending(limit=2) == 2
    out = io.StringIO()
    call_command("parse_submissions", "--batch", "2", stdout=out)
    assert "Parsed 3 submission versions" in out.getvalue()
    assert not SubmissionVersion.objects.filter(parse_status=Parse.PENDING).exists()
    assert set(Submission.objects.values_list("site", flat=True)) == {places["site"].pk}


def test_a_batch_costs_the_same_queries_whatever_its_size(
    operation, enumerator, form, settings, places
):
    """Its versions are updated, and their submissions placed, in one batch each."""
    settings.OPENDTM_PARSE = "worker"
    for _ in range(8):
        submission_receive(operation=operation, xml=instance(), submitted_by=enumerator)
    submissions_parse_pending(limit=1)  # reads the form version's parse plan, kept after
    counts = []
    for size in (2, 5):
        with CaptureQueriesContext(connection) as queries:
            assert submissions_parse_pending(limit=size) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert set(Submission.objects.values_list("site", flat=True)) == {places["site"].pk}
    parsed = SubmissionVersion.objects.filter(parse_status=Parse.PARSED)
    assert parsed.count() == 8
    assert all(version.data["location"]["site_code"] == "MMC-01" for version in parsed)


@pytest.fixture
def three_pending(operation, enumerator, form, settings, tmp_path):
    """Three versions left to a worker, which keeps its heartbeat in tmp_path."""
    settings.OPENDTM_PARSE = "worker"
    settings.DATA_DIR = tmp_path
    for _ in range(3):
        submission_receive(operation=operation, xml=instance(), submitted_by=enumerator)


def test_the_worker_lets_a_partial_batch_grow_before_the_next(three_pending, monkeypatch):
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(
        "opendtm.collection.management.commands.parse_submissions.time.sleep", sleep
    )
    out = io.StringIO()
    call_command(
        "parse_submissions",
        "--loop",
        "--batch",
        "2",
        "--gather",
        "0.3",
        "--idle",
        "0.7",
        stdout=out,
    )
    # a full batch of 2 goes on at once; the partial one waits 0.3 s, the empty one 0.7 s
    assert waits == [0.3, 0.7]
    assert "Parsed 3 submission versions" in out.getvalue()


def test_worker_mode_leaves_the_version_pending(
    operation, enumerator, form, settings, django_capture_on_commit_callbacks
):
    settings.OPENDTM_PARSE = "worker"
    receive(operation, enumerator, instance(), django_capture_on_commit_callbacks)
    assert SubmissionVersion.objects.get().parse_status == Parse.PENDING


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("location/site_code", "S1"),
        ("/data/location/site_code", "S1"),
        ("site_code", "S1"),  # a bare name is looked for anywhere
        ("hh/size", "3"),  # inside a repeat: the first one
        ("location/nothing", ""),
        ("location", ""),  # a group is not an answer
    ],
)
def test_value_at(path, expected):
    data = {"location": {"site_code": " S1 "}, "hh": [{"size": "3"}, {"size": "4"}]}
    assert value_at(data, path) == expected


def test_auto_leaves_parsing_to_a_live_worker_and_parses_inline_without_one(
    operation, enumerator, form, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.OPENDTM_PARSE = "auto"
    settings.DATA_DIR = tmp_path
    submission_parsing.worker_heartbeat()
    first = receive(operation, enumerator, instance(), django_capture_on_commit_callbacks)
    assert SubmissionVersion.objects.get(pk=first.version.pk).parse_status == Parse.PENDING
    old = time.time() - submission_parsing.HEARTBEAT_FRESH_SECONDS - 1
    os.utime(submission_parsing.heartbeat_path(), (old, old))  # the worker died
    second = receive(operation, enumerator, instance(), django_capture_on_commit_callbacks)
    assert SubmissionVersion.objects.get(pk=second.version.pk).parse_status == Parse.PARSED
    submission_parsing.worker_gone()
    assert not submission_parsing.worker_alive()


def test_the_worker_loop_drains_beats_and_leaves_no_heartbeat(three_pending, monkeypatch):
    beats = []
    real_beat = submission_parsing.worker_heartbeat

    def beat():
        real_beat()
        beats.append(submission_parsing.worker_alive())
        if len(beats) == 3:
            os.kill(os.getpid(), signal.SIGTERM)  # as a service manager stops it

    monkeypatch.setattr(
        "opendtm.collection.management.commands.parse_submissions.worker_heartbeat", beat
    )
    out = io.StringIO()
    call_command("parse_submissions", "--loop", "--idle", "0.01", stdout=out)
    assert "Parsed 3 submission versions" in out.getvalue()
    assert beats == [True, True, True]
    assert not submission_parsing.heartbeat_path().exists()
