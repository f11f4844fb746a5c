"""The publishing benchmark: its steps' answers agree (and a disagreement is caught), its
memory is each step's own, and its command prints its table at a tiny scale."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bench import publishing_check as check
from bench.figures_build import build
from bench.publishing_build import boundaries_draw, facts
from bench.publishing_steps import STEPS
from opendtm.accounts.models import Operation
from opendtm.publishing.selectors.dtm import DtmQuery, dtm_records
from opendtm.tracking.models import Figure, RoundRevision

TAGS = {"idp_individuals": "#affected+idps+ind", "idp_households": "#affected+idps+hh"}


@pytest.fixture
def built(db, settings, tmp_path):
    """A small synthetic operation whose threshold blanks about half its LGAs' IDP totals in
    the last round, so that the checks meet blanked counts."""
    settings.DATA_DIR = tmp_path / "data"
    found = build(sites=60, rounds=2, seed=7)
    boundaries_draw(found.operation_id)
    last = RoundRevision.objects.get(round_id=found.round_ids[-1], status="published")
    totals = sorted(lga_totals(last).values())
    threshold = totals[len(totals) // 2]
    Operation.objects.filter(pk=found.operation_id).update(suppression_threshold=threshold)
    return {
        "operation_id": found.operation_id,
        "user_id": found.user_id,
        "round_ids": found.round_ids,
        **facts(found.operation_id),
    }


def lga_totals(revision: RoundRevision) -> dict[int, float]:
    totals: dict[int, float] = {}
    figures = Figure.objects.filter(
        revision=revision, indicator__code="idp_individuals", sex="", age_band=""
    )
    for area, value in figures.values_list("admin2", "value"):
        totals[area] = totals.get(area, 0) + value
    return totals


def test_opendtm_files_and_pandas_agree_and_the_api_blanks_what_they_blank(built, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for step in STEPS:
        if step.startswith(("export-", "pandas-")):
            result = STEPS[step](built, out, 1)
            assert result["peak_bytes"] >= result["start_bytes"] > 0
    problems, rows = check.files_agree(out, built["tags"])
    assert problems == []
    revisions = RoundRevision.objects.filter(round_id__in=built["round_ids"], status="published")
    assert rows == {
        "round": len(lga_totals(revisions.get(round_id=built["round_ids"][-1]))),
        "rounds": sum(len(lga_totals(revision)) for revision in revisions),
    }
    records = dtm_records(level=2, query=DtmQuery(country_name=built["country_name"]))
    pd.DataFrame(records).to_csv(out / "api.csv", index=False)
    assert check.api_agrees(out, built["tags"], {"selector": len(records)}) == []
    api = check.by_key(check.api_csv(out / "api.csv"), "idp_individuals")
    assert len(api) == rows["rounds"]
    assert 0 < len(check.blanked(api)) < len(api)


def write_opendtm_csv(path: Path, rows: list[tuple[int, str, str, str]]) -> None:
    """An opendtm file's shape: header, HXL tags, then round, p-code, IDPs, households."""
    lines = [
        "\ufeffRound,LGA p-code,IDP individuals,IDP households,Blanked figures",
        f"#round+code,#adm2+code,{TAGS['idp_individuals']},{TAGS['idp_households']},#meta+suppressed",
        *(f"{number},{pcode},{idps},{households}," for number, pcode, idps, households in rows),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_wrong_count_and_a_missing_area_are_reported_but_not_a_blanked_one(tmp_path):
    write_opendtm_csv(
        tmp_path / "opendtm.csv",
        [(1, "NG001", "120", "20"), (1, "NG002", "", "4"), (1, "NG003", "90", "15")],
    )
    pd.DataFrame(
        {
            "round": [1, 1, 1],
            "admin2_pcode": ["NG001", "NG002", "NG004"],
            "idp_individuals": [121.0, 3.0, 50.0],
            "idp_households": [20.0, 4.0, 9.0],
        }
    ).to_csv(tmp_path / "pandas.csv", index=False)
    ours = check.opendtm_csv(tmp_path / "opendtm.csv", TAGS)
    theirs = check.pandas_csv(tmp_path / "pandas.csv")
    assert check.differences(
        "idps", check.by_key(ours, "idp_individuals"), check.by_key(theirs, "idp_individuals")
    ) == [
        "idps: (1, 'NG003') only in opendtm's",
        "idps: (1, 'NG004') only in the baseline's",
        "idps (1, 'NG001'): opendtm 120.0 baseline 121.0",
    ]


def test_the_api_blanking_other_counts_than_the_file_is_reported(tmp_path):
    write_opendtm_csv(
        tmp_path / "opendtm-rounds.csv", [(1, "NG001", "", "2"), (1, "NG002", "80", "9")]
    )
    pd.DataFrame(
        {
            "round": [1, 1],
            "admin2_pcode": ["NG001", "NG002"],
            "idp_individuals": [3.0, 80.0],
            "idp_households": [2.0, 9.0],
        }
    ).to_csv(tmp_path / "pandas-rounds.csv", index=False)
    pd.DataFrame(
        {"roundNumber": [1, 1], "admin2Pcode": ["NG001", "NG002"], "numPresentIdpInd": [3, 80]}
    ).to_csv(tmp_path / "api.csv", index=False)
    assert check.api_agrees(tmp_path, TAGS, {"api-requests": 3}) == [
        "the API blanks 0 counts, the multi-round file 1: [(1, 'NG001')]",
        "api-requests gave 3 records, dtmapi 2",
    ]


CHILD = """
from bench.publishing_measure import emit, measured
_answer, result = measured(lambda: len(b"x" * (64 * 2**20)), 1)
emit(result)
"""


def test_a_childs_peak_memory_is_its_own_not_its_parents():
    """getrusage would give the child this process's high-water mark: /proc does not."""
    ballast = b"x" * (512 * 2**20)  # this process grows beyond anything the child does
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    grown = result["peak_bytes"] - result["start_bytes"]
    assert 56 * 2**20 <= grown < 200 * 2**20  # its 64 MiB, some in pages it had already
    assert result["peak_bytes"] < len(ballast)


def test_the_command_prints_its_table():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    command = [sys.executable, "-m", "bench.publishing", "--sites", "150", "--rounds", "3"]
    done = subprocess.run(
        [*command, "--repeats", "1", "--databases", "sqlite"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    for step in (
        "| sqlite | admin 2 CSV, last round |",
        "| sqlite | admin 2 XLSX, last round |",
        "| sqlite | admin 2 CSV, every round (3) |",
        "| sqlite | admin 2 XLSX, every round (3) |",
        "| sqlite | DTM API admin 2, one country, every round (3), dtmapi over HTTP |",
        "| sqlite | PDF situation report, last round",
    ):
        assert step in done.stdout
    assert "| requests GET of the same URL" in done.stdout
    assert "| WeasyPrint printing its finished HTML" in done.stdout
    assert re.search(r"the report has [1-9]\d* pages, 4 charts", done.stdout)
    assert "Answers agree" in done.stdout
