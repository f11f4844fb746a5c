"""The publishing benchmark's steps that run inside opendtm, one per child process:

    python -m bench.publishing_steps STEP --out FOLDER [--repeats N]

in a benchmark environment, FOLDER holding built.json (bench/publishing_build.py). The child
measures its step (bench/publishing_measure.py), keeps what it made in FOLDER for the checks,
and prints one JSON line. Steps:

- export-csv-round, export-xlsx-round: the last round's admin 2 file, through the export
  service (round_file), its cache emptied before each run so that the file is built each time;
- export-csv-rounds, export-xlsx-rounds: the multi-round admin 2 file, as its task builds it
  (series_build), its cache emptied likewise;
- pandas-csv-round ... pandas-xlsx-rounds: the baseline, the same rows written by pandas
  (bench/publishing_baseline.py);
- api-selector: the DTM API's admin 2 records of the country over every round, in-process
  (selectors/dtm.py, what the view serialises);
- report: the last round's PDF situation report (services/reports.py), in English;
- report-print, report-print-text: WeasyPrint printing that report's HTML, made beforehand by
  the report step, as it is (charts drawn, as inline SVG) and without its charts.
"""

import argparse
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.publishing_measure import emit, measured, resident

LEVEL = "admin2"
Step = Callable[[dict[str, Any], Path, int], dict[str, Any]]


def last_round(built: dict[str, Any]) -> Any:
    from opendtm.tracking.models import Round

    return Round.objects.select_related("operation").get(pk=built["round_ids"][-1])


def export_step(scope: str, format: str, built: dict[str, Any], out: Path, repeats: int) -> dict:
    from opendtm.publishing.services import exports

    last = last_round(built)
    if scope == "round":
        cache = exports.round_cache
        run = partial(exports.round_file, round=last, level=LEVEL, format=format)
    else:
        cache = exports.series_cache
        run = partial(exports.series_build, round=last, level=LEVEL, format=format)

    def emptied() -> None:
        shutil.rmtree(cache(last).folder, ignore_errors=True)

    emptied()
    made, result = measured(run, repeats, before=emptied)
    shutil.copyfile(made.path, out / f"opendtm-{scope}.{format}")
    return {**result, "bytes": made.path.stat().st_size}


def pandas_step(scope: str, format: str, built: dict[str, Any], out: Path, repeats: int) -> dict:
    from bench.publishing_baseline import admin2_frame, frame_write

    start = resident("VmRSS")
    started = time.perf_counter()
    one = built["round_ids"][-1] if scope == "round" else None
    frame = admin2_frame(built["operation_id"], one)
    read = time.perf_counter() - started
    path = out / f"pandas-{scope}.{format}"
    _written, result = measured(partial(frame_write, frame, path, format), repeats)
    return {**result, "start_bytes": start, "read_seconds": read, "bytes": path.stat().st_size}


def api_selector_step(built: dict[str, Any], out: Path, repeats: int) -> dict:
    from opendtm.publishing.selectors.dtm import DtmQuery, dtm_records

    query = DtmQuery(country_name=built["country_name"])
    records, result = measured(partial(dtm_records, level=2, query=query), repeats)
    return {**result, "records": len(records)}


def report_step(built: dict[str, Any], out: Path, repeats: int) -> dict:
    from opendtm.accounts.models import User
    from opendtm.publishing.services.reports import situation_report, situation_report_html

    user, last = User.objects.get(pk=built["user_id"]), last_round(built)
    made, result = measured(
        partial(situation_report, actor=user, round=last, language="en"), repeats
    )
    (out / "report.pdf").write_bytes(made.pdf)
    html = situation_report_html(actor=user, round=last, language="en")
    (out / "report.html").write_text(html)
    return {**result, "bytes": len(made.pdf), "charts": charts(html)}


def print_step(step: str, built: dict[str, Any], out: Path, repeats: int) -> dict:
    from opendtm.publishing.reports.pdf import report_pdf

    html = (out / "report.html").read_text()
    if step == "report-print-text":
        html = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.DOTALL)
    pdf, result = measured(partial(report_pdf, html), repeats)
    (out / f"{step}.pdf").write_bytes(pdf)
    return {**result, "bytes": len(pdf), "charts": charts(html)}


def charts(html: str) -> int:
    return html.count("<svg")


STEPS: dict[str, Step] = {
    **{
        f"{who}-{format}-{scope}": partial(step, scope, format)
        for who, step in (("export", export_step), ("pandas", pandas_step))
        for format in ("csv", "xlsx")
        for scope in ("round", "rounds")
    },
    "api-selector": api_selector_step,
    "report": report_step,
    "report-print": partial(print_step, "report-print"),
    "report-print-text": partial(print_step, "report-print-text"),
}


def main() -> None:
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendtm.settings")
    django.setup()
    from django.utils import translation

    translation.activate("en")
    built = json.loads((args.out / "built.json").read_text())
    emit(STEPS[args.step](built, args.out, args.repeats))


if __name__ == "__main__":
    main()
