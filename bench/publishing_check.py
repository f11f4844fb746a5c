"""Whether the publishing benchmark's steps gave the same answers, read from the files they
left (no Django):

- opendtm's admin 2 CSV files and pandas' have the same rows (one per admin 2 area with
  figures, and round), and the same IDP individuals and households wherever opendtm did not
  blank them; their XLSX files have as many rows as the CSV files;
- the DTM API, through dtmapi, gives one record per area and round, the same counts, and blanks
  the very counts the multi-round file blanks; requests and the selector give as many records;
- the report has its four charts (map, trend, pyramid, needs), as printed.
"""

import math
import re
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

IDPS, HOUSEHOLDS = "idp_individuals", "idp_households"
CHARTS = 4
REPORTS = ("report", "report-print", "report-print-text")
Key = tuple[int, str]  # round number, admin 2 p-code


def opendtm_csv(path: Path, tags: dict[str, str]) -> pd.DataFrame:
    """Round, p-code and the two counts of an opendtm file, found by their HXL tags (the row
    under the header); a blanked count is NaN."""
    raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    column = {tag: index for index, tag in enumerate(raw.iloc[1])}
    rows = raw.iloc[2:]
    return pd.DataFrame(
        {
            "round": rows[column["#round+code"]].astype(int),
            "pcode": rows[column["#adm2+code"]],
            IDPS: pd.to_numeric(rows[column[tags[IDPS]]]),
            HOUSEHOLDS: pd.to_numeric(rows[column[tags[HOUSEHOLDS]]]),
        }
    )


def pandas_csv(path: Path) -> pd.DataFrame:
    found = pd.read_csv(path, dtype={"admin2_pcode": str})
    return found.rename(columns={"admin2_pcode": "pcode"})[["round", "pcode", IDPS, HOUSEHOLDS]]


def api_csv(path: Path) -> pd.DataFrame:
    found = pd.read_csv(path, dtype={"admin2Pcode": str})
    return pd.DataFrame(
        {
            "round": found["roundNumber"],
            "pcode": found["admin2Pcode"],
            IDPS: found["numPresentIdpInd"],
        }
    )


def by_key(frame: pd.DataFrame, column: str) -> dict[Key, float | None]:
    return {
        (int(number), pcode): None if math.isnan(value) else value
        for number, pcode, value in zip(frame["round"], frame["pcode"], frame[column], strict=True)
    }


def differences(what: str, ours: dict[Key, Any], theirs: dict[Key, Any]) -> list[str]:
    """Places missing on one side, and counts that differ where ours is not blanked."""
    found = [f"{what}: {key} only in opendtm's" for key in sorted(ours.keys() - theirs.keys())]
    found += [
        f"{what}: {key} only in the baseline's" for key in sorted(theirs.keys() - ours.keys())
    ]
    found += [
        f"{what} {key}: opendtm {ours[key]} baseline {theirs[key]}"
        for key in sorted(ours.keys() & theirs.keys())
        if ours[key] is not None and ours[key] != theirs[key]
    ]
    return found


def blanked(values: dict[Key, Any]) -> set[Key]:
    return {key for key, value in values.items() if value is None}


def xlsx_rows(path: Path) -> int:
    workbook = load_workbook(path, read_only=True)
    try:
        return workbook.worksheets[0].max_row or 0
    finally:
        workbook.close()


def files_agree(out: Path, tags: dict[str, str]) -> tuple[list[str], dict[str, int]]:
    """Mismatches between opendtm's files and pandas', and the rows compared."""
    problems, rows = [], {}
    for scope in ("round", "rounds"):
        ours, theirs = (
            opendtm_csv(out / f"opendtm-{scope}.csv", tags),
            pandas_csv(out / f"pandas-{scope}.csv"),
        )
        rows[scope] = len(ours)
        for column in (IDPS, HOUSEHOLDS):
            problems += differences(
                f"{scope} {column}", by_key(ours, column), by_key(theirs, column)
            )
        for who, header, count in (("opendtm", 2, len(ours)), ("pandas", 1, len(theirs))):
            found = xlsx_rows(out / f"{who}-{scope}.xlsx") - header
            if found != count:
                problems.append(f"{scope}: {who}'s XLSX has {found} rows, its CSV {count}")
    return problems, rows


def api_agrees(out: Path, tags: dict[str, str], records: dict[str, int]) -> list[str]:
    """The API's records against pandas' and opendtm's multi-round files; `records`, each HTTP
    or in-process step's count."""
    api = by_key(api_csv(out / "api.csv"), IDPS)
    problems = differences(
        "API idp_individuals", api, by_key(pandas_csv(out / "pandas-rounds.csv"), IDPS)
    )
    in_file = blanked(by_key(opendtm_csv(out / "opendtm-rounds.csv", tags), IDPS))
    if blanked(api) != in_file:
        problems.append(
            f"the API blanks {len(blanked(api))} counts, the multi-round file {len(in_file)}: "
            f"{sorted(blanked(api) ^ in_file)[:5]}"
        )
    problems += [
        f"{step} gave {count} records, dtmapi {len(api)}"
        for step, count in records.items()
        if count != len(api)
    ]
    return problems


def pages(path: Path) -> int:
    """The pages of a PDF, as poppler's pdfinfo counts them (0 if it cannot read it)."""
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False)
    found = re.search(r"^Pages:\s+(\d+)", done.stdout, flags=re.MULTILINE)
    return int(found[1]) if found else 0


def report_agrees(out: Path, charts: int) -> tuple[list[str], dict[str, int]]:
    """Whether the report and its two reprints are whole PDFs; their pages."""
    found = {step: pages(out / f"{step}.pdf") for step in REPORTS}
    problems = [f"{step}.pdf is no PDF pdfinfo reads" for step, count in found.items() if not count]
    if charts != CHARTS:
        problems.append(f"the report has {charts} charts, not {CHARTS}")
    if found["report-print"] != found["report"]:
        problems.append(
            f"the report has {found['report']} pages, its reprint {found['report-print']}"
        )
    return problems, found
