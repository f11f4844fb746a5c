"""The figures benchmark: its synthetic operation, its check that opendtm's selectors and the
pandas baseline agree, and its command at a tiny scale."""

import os
import subprocess
import sys

import pytest

from bench import figures_baseline as naive
from bench.figures_build import build
from bench.figures_measure import differences, measure
from bench.figures_world import ROWS_PER_ASSESSMENT, Layout
from opendtm.accounts.models import Operation, User
from opendtm.tracking.models import Figure, Indicator, Round, RoundRevision
from opendtm.tracking.selectors.figures import latest_by_level


def test_the_issue_scale_gives_5000_areas_under_10_states():
    layout = Layout.for_sites(50_000)
    assert (layout.states, layout.lgas, layout.wards, layout.areas) == (10, 500, 4489, 5000)


@pytest.fixture
def built(db):
    return build(sites=200, rounds=4, seed=7)


def test_the_operation_is_published_round_after_round(built):
    rounds = Round.objects.filter(pk__in=built.round_ids)
    assert {found.status for found in rounds} == {Round.Status.PUBLISHED}
    published = RoundRevision.objects.filter(round__in=rounds, status="published")
    assert published.count() == 4
    assert Figure.objects.filter(revision__in=published).count() == built.rows
    assert built.rows == built.assessments * ROWS_PER_ASSESSMENT
    sites = Figure.objects.filter(revision__in=published).values("site").distinct().count()
    assert 150 < sites <= 200  # some sites open late, close, or go unassessed


def test_selectors_and_pandas_agree(built):
    result = measure(built, repeats=1)
    assert result["mismatches"] == []
    assert result["exported_rows"] == built.rows
    assert result["compared"] > 1000
    assert set(result["seconds"]["opendtm"]) == {"round", "read", "latest", "series"}


def test_latest_reaches_back_for_the_inaccessible_lga(built):
    """One LGA of four is cut off after round 1: its latest figures are round 1's."""
    rows = latest_by_level(
        user=User.objects.get(pk=built.user_id),
        operation=Operation.objects.get(pk=built.operation_id),
        assessment_type="SA",
        level=2,
        codes=["idp_individuals"],
    )
    assert sorted(row.round_number for row in rows) == [1, 4, 4, 4]


@pytest.mark.parametrize("level", [0, 1, 2, 3, "site"])
def test_latest_at_every_level_is_each_places_own_latest_round(built, level):
    codes = dict(Indicator.objects.filter(operation__isnull=True).values_list("id", "code"))
    wanted = [pk for pk, code in codes.items() if code in ("idp_individuals", "need_rank_food")]
    column = naive.PLACE_COLUMN[level]
    expected = {
        (getattr(row, column) if column else None, codes[row.indicator], row.round): row.value
        for row in naive.latest(naive.export(built.operation_id), level, wanted).itertuples()
    }
    rows = latest_by_level(
        user=User.objects.get(pk=built.user_id),
        operation=Operation.objects.get(pk=built.operation_id),
        assessment_type="SA",
        level=level,
        codes=["idp_individuals", "need_rank_food"],
    )
    assert {(row.place_id, row.indicator, row.round_number): row.value for row in rows} == expected
    assert len(expected) > 1


def test_a_wrong_answer_is_reported():
    ours = {
        "round": {("1", 5, "idp_individuals", "f", ""): (120.0, 3)},
        "read": {("1", 5, "idp_individuals", "f", ""): (120.0, 3, 100.0)},
        "latest": {(9, "idp_households"): (40.0, 4)},
        "series": {1: (10.0,), 2: (12.0,)},
    }
    theirs = {
        "round": {("1", 5, "idp_individuals", "f", ""): (120.0, 3)},
        "read": {("1", 5, "idp_individuals", "f", ""): (120.0, 3, None)},
        "latest": {(9, "idp_households"): (40.0, 4)},
        "series": {1: (10.0,), 2: (13.0,)},
    }
    assert differences(ours, ours) == []
    assert differences(ours, theirs) == [
        "read ('1', 5, 'idp_individuals', 'f', ''): opendtm (120.0, 3, 100.0) pandas (120.0, 3, None)",
        "series 2: opendtm (12.0,) pandas (13.0,)",
    ]


def test_the_command_prints_its_table():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    command = [sys.executable, "-m", "bench.figures", "--sites", "150", "--rounds", "3"]
    done = subprocess.run(
        [*command, "--repeats", "1", "--databases", "sqlite"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "| sqlite | one round summed to admin levels 0-3" in done.stdout
    assert "| sqlite | latest per admin2" in done.stdout
    assert "| sqlite | time series of one admin1" in done.stdout
    assert "Answers agree" in done.stdout
