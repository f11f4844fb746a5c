"""Benchmark: what publishing a large operation costs, in time and peak memory: its admin 2
files, the DTM API's admin 2 records of a country, and the PDF situation report, each against
a named baseline measured in the same run.

    .venv/bin/python -m bench.publishing     # the issue's scale: 50,000 sites, 36 rounds
    .venv/bin/python -m bench.publishing --sites 2000 --rounds 6 --databases sqlite   # a look

For each database: a fresh, migrated database (a temporary SQLite file; PostgreSQL database
opendtm_bench_publishing, dropped at the end unless --keep) holding the figures benchmark's
synthetic operation, built as bench/figures.py builds it, with a boundary per admin 2 area and
a subscription key (bench/publishing_build.py), and VACUUM ANALYZE. Then each step runs alone
in its own child process, a warm-up and --repeats timed runs, and reports its time and its
peak resident memory (bench/publishing_measure.py says how, and why not getrusage):

- the admin 2 CSV and XLSX files of the last round and of every round, through the export
  service, its cache emptied before each run; baseline: pandas writing the same rows, read once
  from the database (bench/publishing_baseline.py);
- the DTM API's admin 2 records of the country over every round, through HTTP with IOM's
  dtmapi client against a live server (gunicorn, one worker, as bench/server.py starts it);
  baselines: a plain requests GET of the same URL, and the selector called in-process;
- the last round's PDF situation report; baselines: WeasyPrint printing the report's finished
  HTML, with its charts and without.

The answers are checked against each other (bench/publishing_check.py); if they differ, the
run fails.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import publishing_check as check
from bench.figures import gib, postgres
from bench.publishing_client import KEY_VARIABLE
from bench.publishing_measure import resident
from bench.server import gunicorn, manage, opendtm_env

DATABASE = "opendtm_bench_publishing"
# The benchmark's one consumer asks as often as it needs; the worker may take long to answer.
SERVER_ENV = {"OPENDTM_PUBLIC_API_RATE": "100000/minute", "GUNICORN_CMD_ARGS": "--timeout 1800"}
HTTP_STEPS = ("api-dtmapi", "api-requests")


@dataclass(frozen=True)
class Row:
    what: str
    ours: str  # a step of bench/publishing_steps.py or bench/publishing_client.py
    baseline: str
    named: str  # what the baseline is


def rows(rounds: int) -> list[Row]:
    every = f"every round ({rounds})"
    writes = {"csv": "DataFrame.to_csv", "xlsx": "DataFrame.to_excel (openpyxl)"}
    exports = [
        Row(
            f"admin 2 {format.upper()}, {'last round' if scope == 'round' else every}",
            f"export-{format}-{scope}",
            f"pandas-{format}-{scope}",
            f"pandas {writes[format]} of the same rows, read once",
        )
        for scope in ("round", "rounds")
        for format in ("csv", "xlsx")
    ]
    api = f"DTM API admin 2, one country, {every}, dtmapi over HTTP"
    report = "PDF situation report, last round (reading, charts, printing)"
    return [
        *exports,
        Row(api, "api-dtmapi", "api-requests", "requests GET of the same URL + .json()"),
        Row(api, "api-dtmapi", "api-selector", "dtm_records() in-process: no HTTP, no JSON"),
        Row(report, "report", "report-print", "WeasyPrint printing its finished HTML"),
        Row(report, "report", "report-print-text", "WeasyPrint printing it without its charts"),
    ]


def child(module: str, *arguments: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def server_peak(port: int) -> int:
    """The peak resident size of the largest process serving `port`: its worker."""
    found = 0
    for process in Path("/proc").glob("[0-9]*"):
        try:
            command = (process / "cmdline").read_bytes()
            if b"gunicorn" in command and f"127.0.0.1:{port}".encode() in command:
                found = max(found, resident("VmHWM", process.name))
        except (OSError, LookupError):
            continue  # gone meanwhile
    return found


def measure_steps(env: dict[str, str], out: Path, args: argparse.Namespace) -> dict[str, dict]:
    built = json.loads((out / "built.json").read_text())
    common = ["--out", str(out), "--repeats", str(args.repeats)]
    results = {}
    steps = (name for row in rows(args.rounds) for name in (row.ours, row.baseline))
    for step in dict.fromkeys(steps):  # in order: the report before its reprints
        print(f"measuring {step}", file=sys.stderr)
        if step in HTTP_STEPS:
            results[step] = http_step(step, env, built, common)
        else:
            results[step] = child("bench.publishing_steps", step, *common, env=env)
    return results


def http_step(step: str, env: dict[str, str], built: dict, common: list[str]) -> dict[str, Any]:
    """A client step against a server of its own, so that the worker's peak is this step's."""
    with gunicorn(env | SERVER_ENV, workers=1) as port:
        found = child(
            "bench.publishing_client",
            step,
            *("--url", f"http://127.0.0.1:{port}", "--country", built["country_name"]),
            *common,
            env=env | {KEY_VARIABLE: built["key"]},
        )
        return {**found, "server_bytes": server_peak(port)}


def run_database(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"opendtm-bench-publishing-{kind}-"))
    out = folder / "out"
    out.mkdir()
    url = ""
    if kind == "postgresql":
        postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        postgres(f"CREATE DATABASE {DATABASE}")
        url = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    env = opendtm_env(url, str(folder))
    (folder / "static").mkdir()  # the server's STATIC_ROOT: nothing is served from it here
    try:
        manage(env, "migrate", "--noinput", "--skip-checks")
        scale = ["--sites", str(args.sites), "--rounds", str(args.rounds), "--seed", str(args.seed)]
        subprocess.run(
            [sys.executable, "-m", "bench.publishing_build", *scale, "--out", str(out)],
            env=env,
            check=True,
        )
        steps = measure_steps(env, out, args)
        built = json.loads((out / "built.json").read_text())
        return {"database": kind, "built": built, "steps": steps, **checked(out, built, steps)}
    finally:
        if args.keep:
            print(f"kept: {url or folder / 'opendtm.sqlite3'} and {out}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
            if kind == "postgresql":
                postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def checked(out: Path, built: dict[str, Any], steps: dict[str, dict]) -> dict[str, Any]:
    tags = built["tags"]
    problems, compared = check.files_agree(out, tags)
    records = {step: steps[step]["records"] for step in ("api-requests", "api-selector")}
    problems += check.api_agrees(out, tags, records)
    found, pages = check.report_agrees(out, steps["report"]["charts"])
    return {"problems": [*problems, *found], "compared": compared, "pages": pages}


def timing(result: dict[str, Any]) -> str:
    runs = result["seconds"]
    return f"{statistics.median(runs) * 1000:,.0f} ms ({min(runs) * 1000:,.0f})"


def memory(result: dict[str, Any]) -> str:
    peak, start = result["peak_bytes"], result["start_bytes"]
    found = f"{gib(peak)} (+{gib(max(peak - start, 0))})"
    return f"{found}; server {gib(result['server_bytes'])}" if "server_bytes" in result else found


def print_tables(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\nPublishing: medians of {args.repeats} runs after a warm-up (best in brackets); peak "
        "resident memory of the process running the step (its growth from just before the "
        "step in brackets; for HTTP, the client's, then the server worker's)."
    )
    for result in results:
        built, steps = result["built"], result["steps"]
        print(
            f"{result['database']}: {built['sites']:,} sites in {built['areas']:,} admin areas "
            f"({built['boundaries']:,} admin 2 areas), {len(built['round_ids'])} published "
            f"rounds, {built['rows']:,} figure rows, built in {built['seconds']:,.0f} s; "
            f"admin 2 files of {result['compared']['round']:,} and "
            f"{result['compared']['rounds']:,} rows; {steps['api-dtmapi']['records']:,} API "
            f"records; the report has {result['pages']['report']} pages, "
            f"{steps['report']['charts']} charts."
        )
    print(
        "| database | step | opendtm time | opendtm peak memory | baseline | baseline time "
        "| baseline peak memory | opendtm ÷ baseline time |"
    )
    print("|---|---|---:|---:|---|---:|---:|---:|")
    for result in results:
        steps = result["steps"]
        for row in rows(args.rounds):
            ours, theirs = steps[row.ours], steps[row.baseline]
            ratio = statistics.median(ours["seconds"]) / statistics.median(theirs["seconds"])
            print(
                f"| {result['database']} | {row.what} | {timing(ours)} | {memory(ours)} "
                f"| {row.named} | {timing(theirs)} | {memory(theirs)} | {ratio:,.1f} |"
            )
    for result in results:
        reads = ", ".join(
            f"{step.removeprefix('pandas-')} {result['steps'][step]['read_seconds']:,.1f} s"
            for step in result["steps"]
            if step.startswith("pandas-")
        )
        print(
            f"\n{result['database']}: pandas' reads from the database (not timed above): {reads}."
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=36)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the databases and files")
    args = parser.parse_args()
    results = [run_database(kind, args) for kind in args.databases.split(",")]
    print_tables(results, args)
    problems = [
        f"{result['database']}: {line}" for result in results for line in result["problems"]
    ]
    if problems:
        print(
            f"\nANSWERS DIFFER ({len(problems)}): the timings above measure a wrong answer.",
            file=sys.stderr,
        )
        for line in problems[:20]:
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(1)
    print(
        "\nAnswers agree: opendtm's admin 2 files and pandas' have the same rows and counts "
        "where not blanked, the API's records match them and blank what the files blank, and "
        "the report has its map, trend, pyramid and needs charts."
    )


if __name__ == "__main__":
    main()
