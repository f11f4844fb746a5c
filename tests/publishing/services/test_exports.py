"""Public files cached by revision, multi-round files written by a task, the gate applied at
every download."""

from unittest import mock

import pytest
from django.utils import translation
from django_tasks import default_task_backend

from opendtm.core.errors import ApplicationError, NotFound
from opendtm.publishing.services import exports
from opendtm.publishing.services.exports import (
    round_cache,
    round_file,
    round_summaries,
    series_file,
)
from opendtm.publishing.tasks import build_series_file
from opendtm.tracking.models import Indicator
from opendtm.tracking.services.rounds import round_correct, round_publish
from tests.publishing.conftest import publish
from tests.publishing.exports.conftest import ABADAM, ASKIRA, hxl_report, read_hxl
from tests.tracking.conftest import month_round


def test_a_file_is_written_once_per_revision(aged):
    with mock.patch.object(exports, "table", wraps=exports.table) as computed:
        first = round_file(round=aged, level="admin2", format="csv")
        again = round_file(round=aged, level="admin2", format="csv")
    assert computed.call_count == 1
    assert first.path == again.path
    assert f"revision-{aged.revisions.get().pk}" in str(first.path)


def test_a_correction_publishes_a_new_revision_and_so_a_new_file(aged, manager, sites):
    before = round_file(round=aged, level="admin1", format="csv")
    round_correct(actor=manager, round=aged, reason="Askira counted twice")
    round_publish(actor=manager, round=aged)
    after = round_file(round=aged, level="admin1", format="csv")
    assert after.path != before.path
    assert before.path.exists()  # the old revision's file is still right for that revision


def test_an_indicator_made_protection_sensitive_leaves_the_files_at_once(aged):
    assert (
        "#need+rank+food" in round_file(round=aged, level="admin1", format="csv").path.read_text()
    )
    Indicator.objects.filter(code="need_rank_food").update(sensitivity="protection")
    assert (
        "#need+rank+food"
        not in round_file(round=aged, level="admin1", format="csv").path.read_text()
    )


def test_a_new_threshold_makes_a_new_file(aged, operation):
    before = read_hxl(round_file(round=aged, level="admin2", format="csv").path)
    assert not any(row.get("#affected+idps+f") for row in before)
    operation.suppression_threshold = 1
    operation.save()
    aged.operation.refresh_from_db()
    after = read_hxl(round_file(round=aged, level="admin2", format="csv").path)
    assert [row.get("#affected+idps+f") for row in after] == ["30", "110"]
    assert not any(row.get("#meta+suppressed") for row in after)


def test_headers_follow_the_language_and_each_language_has_its_file(aged):
    english = round_cache(aged).folder
    with translation.override("fr"):
        assert round_cache(aged).folder != english


def test_the_summaries_give_each_levels_note_and_the_site_levels_risk(aged):
    summaries = round_summaries(aged)
    assert list(summaries) == ["admin1", "admin2", "site"]
    assert summaries["admin1"].note == ""
    assert "blanked" in summaries["admin2"].note
    assert summaries["admin2"].blanked == 10
    gate = summaries["site"].gate(aged)
    assert gate.blocked  # two sites, each alone of its kind
    assert summaries["admin2"].gate(aged) is None


def test_the_gate_is_applied_at_every_download_with_the_limit_of_the_moment(aged, settings):
    settings.OPENDTM_MICRODATA_RISK_LIMIT = 1.0
    assert round_file(round=aged, level="site", format="csv").path.exists()
    settings.OPENDTM_MICRODATA_RISK_LIMIT = 0.03
    with pytest.raises(ApplicationError, match="withheld"):
        round_file(round=aged, level="site", format="csv")


def test_a_blocked_site_file_is_never_written(aged):
    with pytest.raises(ApplicationError, match="re-identification risk is 100.0%"):
        round_file(round=aged, level="site", format="xlsx")
    assert not (round_cache(aged).folder / "site.xlsx").exists()


@pytest.mark.parametrize(("level", "format"), [("site", "pdf"), ("admin3", "csv"), ("x", "csv")])
def test_only_known_levels_and_formats(aged, level, format):
    with pytest.raises(NotFound):
        round_file(round=aged, level=level, format=format)


def test_an_unpublished_round_has_no_file(manager, operation, aged):
    collecting = month_round(manager, operation, 2)
    with pytest.raises(NotFound, match="no published figures"):
        round_file(round=collecting, level="admin1", format="csv")


@pytest.fixture
def two_rounds(aged, manager, operation, aged_form, sites):
    second = [{**ABADAM, "idp_ind": 60, "idp_f": 40}, {**ASKIRA}]
    return aged, publish(manager, operation, aged_form, sites, 2, second)


def test_the_multi_round_file_has_a_row_per_place_and_round(two_rounds):
    first, second = two_rounds
    found = series_file(round=first, level="admin2", format="csv")  # the task runs inline here
    data = read_hxl(found.path)
    rows = [
        (row.get("#round+code"), row.get("#adm2+code"), row.get("#affected+idps+ind"))
        for row in data
    ]
    assert rows == [
        ("1", "NG008001", "50"),
        ("1", "NG008002", "200"),
        ("2", "NG008001", "60"),
        ("2", "NG008002", "200"),
    ]
    assert [row.get("#date+reported") for row in data][2] == "2026-02-28"
    assert found.filename == "nga-ne-sa-rounds-admin2.csv"
    # The same file from either round's page; a new round makes a new one.
    assert series_file(round=second, level="admin2", format="csv").path == found.path


def test_the_multi_round_xlsx_is_valid_hxl(two_rounds, tmp_path):
    first, _second = two_rounds
    found = series_file(round=first, level="admin1", format="xlsx")
    schema = exports.schema_file(round=first, level="admin1")
    report = hxl_report(found.path, schema.path)
    assert report["is_valid"], report["issues"]
    assert len(read_hxl(found.path).values) == 2


def test_a_round_the_gate_blocks_is_a_note_row_in_the_site_series(two_rounds):
    first, _second = two_rounds
    found = series_file(round=first, level="site", format="csv")
    data = read_hxl(found.path)
    notes = [row.get("#meta+suppressed") for row in data]
    assert len(notes) == 2  # one row per round, no site
    assert all("withheld" in note for note in notes)
    assert not any(row.get("#loc+code") for row in data)
    report = hxl_report(found.path, exports.schema_file(round=first, level="site").path)
    assert report["is_valid"], report["issues"]


def test_a_multi_round_file_is_queued_once_while_it_is_written(aged, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert series_file(round=aged, level="admin1", format="csv") is None
    assert series_file(round=aged, level="admin1", format="csv") is None
    (queued,) = default_task_backend.results
    assert queued.task.func is build_series_file.func
    assert queued.args == [aged.pk, "admin1", "csv", "en"]
    # The task writes it (and clears the mark); then the file is served.
    build_series_file.call(*queued.args)
    assert series_file(round=aged, level="admin1", format="csv").path.exists()
    assert len(default_task_backend.results) == 1


def test_publishing_writes_the_public_files_ahead_of_the_first_download(
    manager, operation, aged_form, sites, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the task runs inline in tests
        found = publish(manager, operation, aged_form, sites, 1, [ABADAM, ASKIRA])
    with mock.patch.object(exports, "table", wraps=exports.table) as computed:
        for level in ("admin1", "admin2"):
            for format in ("csv", "xlsx"):
                assert round_file(round=found, level=level, format=format).path.exists()
    assert computed.call_count == 0  # all written when it was published
    with pytest.raises(ApplicationError):  # the site level is withheld here: nothing written
        round_file(round=found, level="site", format="csv")
    assert computed.call_count == 0
