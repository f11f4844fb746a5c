"""Benchmark: a large operation's figures, read through opendtm's selectors on SQLite and
PostgreSQL, against a naive pandas group-by over the same rows.

    .venv/bin/python -m bench.figures        # the issue's scale: 50,000 sites, 36 rounds (hours)
    .venv/bin/python -m bench.figures --sites 2000 --rounds 6 --databases sqlite   # a quick look

For each database: a fresh, migrated database (a temporary SQLite file; PostgreSQL database
opendtm_bench_figures, dropped at the end unless --keep); a synthetic operation of --sites
sites in a tenth as many admin areas, with --rounds monthly site-assessment rounds, created
and published through the round services, their figures written in bulk (bench/figures_build.py);
statistics gathered (VACUUM ANALYZE, ANALYZE). Then four questions, each timed --repeats
times after a warm-up: one round summed to admin levels 0-3 and stored (what publishing it
does), that round read at every level and per site with the previous round's figures, the
latest figures per admin2, and one admin1's time series. The baseline exports the same rows once into a pandas
DataFrame and answers the same questions with group-bys; both answers must agree, or the run
fails. Targets (PostgreSQL): under 1 s for the round, under 100 ms for latest and series; the
read, which builds one Python object per place and figure, has none.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile

import psycopg

from bench.figures_measure import QUESTIONS
from bench.server import manage, opendtm_env

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE = "opendtm_bench_figures"
TARGETS = {"round": 1.0, "latest": 0.1, "series": 0.1}  # seconds, on PostgreSQL; "read": none


def postgres(statement: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(statement)


def run_database(kind: str, args: argparse.Namespace) -> dict:
    folder = tempfile.mkdtemp(prefix=f"opendtm-bench-figures-{kind}-")
    url = ""
    if kind == "postgresql":
        postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        postgres(f"CREATE DATABASE {DATABASE}")
        url = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    env = opendtm_env(url, folder)
    try:
        manage(env, "migrate", "--noinput", "--skip-checks")  # no server here
        command = [sys.executable, "-m", "bench.figures_measure", "--fast"]
        for option in ("sites", "rounds", "seed", "repeats"):
            command += [f"--{option}", str(getattr(args, option))]
        child = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
        return json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if args.keep:
            print(f"kept: {url or folder + '/opendtm.sqlite3'}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
            if kind == "postgresql":
                postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def median(seconds: dict[str, list[float]]) -> tuple[float, float]:
    """Median and best of a question's runs, its parts added up run by run."""
    runs = [sum(parts) for parts in zip(*seconds.values(), strict=True)]
    return statistics.median(runs), min(runs)


def milliseconds(pair: tuple[float, float]) -> str:
    return f"{pair[0] * 1000:,.0f} ms ({pair[1] * 1000:,.0f})"


def gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"


def verdict(kind: str, question: str, seconds: float) -> str:
    if kind != "postgresql" or question not in TARGETS:
        return ""
    limit = TARGETS[question]
    return f"< {limit * 1000:,.0f} ms: {'met' if seconds < limit else 'MISSED'}"


def print_tables(results: list[dict], args: argparse.Namespace) -> None:
    first = results[0]["built"]
    print(
        f"\nFigures: {first['sites']:,} sites in {first['areas']:,} admin areas, {args.rounds} "
        f"monthly site-assessment rounds, all published; medians of {args.repeats} runs after a "
        "warm-up (best in brackets)."
    )
    for result in results:
        built = result["built"]
        print(
            f"{result['database']}: built in {built['seconds']:,.0f} s: {built['assessments']:,} "
            f"site assessments, {built['rows']:,} figure rows "
            f"({built['rows'] / max(built['assessments'], 1):.0f} per assessment)."
        )
    print("| database | question | opendtm (SQL) | pandas (naive) | pandas ÷ opendtm | target |")
    print("|---|---|---:|---:|---:|---|")
    for result in results:
        kind, seconds = result["database"], result["seconds"]
        for question, label in QUESTIONS.items():
            ours, theirs = median(seconds["opendtm"][question]), median(seconds["pandas"][question])
            print(
                f"| {kind} | {label} | {milliseconds(ours)} | {milliseconds(theirs)} "
                f"| {theirs[0] / ours[0]:.2f} | {verdict(kind, question, ours[0])} |"
            )
        print(
            f"| {kind} | data size; export | database {gib(result['database_bytes'])} "
            f"| frame {gib(result['frame_bytes'])}; export once {result['export_seconds']:,.1f} s "
            f"({result['exported_rows']:,} rows) | | |"
        )
    print("\nOne round read, level by level (median ms, opendtm / pandas)")
    print("| database | admin0 | admin1 | admin2 | admin3 | site |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        parts = {who: result["seconds"][who]["read"] for who in ("opendtm", "pandas")}
        cells = [
            f"{statistics.median(parts['opendtm'][level]) * 1000:,.0f} / "
            f"{statistics.median(parts['pandas'][level]) * 1000:,.0f}"
            for level in parts["opendtm"]
        ]
        print(f"| {result['database']} | {' | '.join(cells)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=36)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the databases for a look")
    args = parser.parse_args()
    results = [run_database(kind, args) for kind in args.databases.split(",")]
    print_tables(results, args)
    mismatches = [f"{r['database']}: {line}" for r in results for line in r["mismatches"]]
    if mismatches:
        print(
            f"\nANSWERS DIFFER: opendtm and pandas disagree on {len(mismatches)} figures; the "
            "timings above measure at least one wrong answer. First ones:",
            file=sys.stderr,
        )
        for line in mismatches[:20]:
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(1)
    compared = sum(result["compared"] for result in results)
    print(f"\nAnswers agree: opendtm's selectors and pandas gave the same {compared:,} figures.")


if __name__ == "__main__":
    main()
