"""Benchmark: sustained OpenRosa submissions, and exports, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.submissions            # the full run of issue 4 (about an hour)
    .venv/bin/python -m bench.submissions --seconds 10 --sizes 0 --databases sqlite  # a quick look

For each database: a fresh database with the 250-question site-assessment form; a real
gunicorn server with a parse worker beside it; 1, 4 and 16 clients posting new submissions
through an app user's OpenRosa URL for --seconds each, with the form holding each of
--sizes submissions (filled in bulk between steps). After each step the parse backlog is
counted. At 100k submissions the form is exported to CSV and XLSX, streaming (the product) and
naively (the baseline). The baseline for throughput is bench/baseline_app.py under the same
gunicorn settings. Run it on a quiet machine: the load client shares the cores.
"""

import argparse
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from bench.load import run_load
from bench.server import free_port, gunicorn, manage, opendtm_env
from bench.site_form import submission_xml

WARM_UP_SECONDS = 3
POSTGRES = "postgres://postgres@127.0.0.1:5432/opendtm_bench"
ANCHOR = (
    "Anchor, not run here (from the issue): ODK Central v2026.2.2 on this machine kind, load "
    "client on the same cores: 49 / 63 / 71 submissions/s at 1 / 4 / 16 clients on a young form "
    "(p99 435 ms at 16); 23/s once the form held 105k submissions."
)


def fresh_database(kind: str, folder: str) -> str:
    if kind == "sqlite":
        return ""
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS opendtm_bench WITH (FORCE)")
        db.execute("CREATE DATABASE opendtm_bench")
    return POSTGRES


def backlog(kind: str, folder: str) -> int:
    query = "SELECT count(*) FROM collection_submissionversion WHERE parse_status = 'pending'"
    if kind == "sqlite":
        with sqlite3.connect(f"{folder}/opendtm.sqlite3") as db:
            return db.execute(query).fetchone()[0]
    with psycopg.connect(POSTGRES) as db:
        return db.execute(query).fetchone()[0]


def vacuum(kind: str) -> None:
    if kind == "postgresql":
        with psycopg.connect(POSTGRES, autocommit=True) as db:
            db.execute("VACUUM ANALYZE")


@contextmanager
def parse_worker(env: dict[str, str]) -> Iterator[None]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "opendtm.cli", "parse_submissions", "--loop"],
        env=env,
        start_new_session=True,
    )
    try:
        yield
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


NAIVE_MEMORY_CAP = 6 * 2**30  # the naive baseline is stopped here rather than swap the machine


def capped(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def measured(
    command: list[str], env: dict[str, str], memory_cap: int | None = None
) -> tuple[dict | None, float]:
    """Run a child; its JSON output (None if it failed) and its peak resident memory in MB."""
    child = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=capped(memory_cap) if memory_cap else None,  # noqa: PLW1509 - no threads here
    )
    output = child.stdout.read() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)
    lines = output.strip().splitlines()
    result = json.loads(lines[-1]) if status == 0 and lines else None
    return result, usage.ru_maxrss / 1024


def load_rows(kind, folder, env, slug, token, size, args) -> list[dict]:
    rows = []
    path = f"/collect/key/{token}/{slug}/submission"
    with gunicorn(env, args.workers, args.threads) as port, parse_worker(env):
        # Unmeasured: every worker's first requests import and connect.
        run_load("127.0.0.1", port, path, submission_xml(1), 2 * args.workers, WARM_UP_SECONDS)
        for clients in args.clients:
            result = run_load("127.0.0.1", port, path, submission_xml(1), clients, args.seconds)
            time.sleep(1)
            rows.append(
                {
                    "database": kind,
                    "holds": size,
                    "clients": clients,
                    "rate": result.rate,
                    "p50": result.percentile(0.5),
                    "p99": result.percentile(0.99),
                    "errors": result.errors,
                    "backlog": backlog(kind, folder),
                }
            )
            print(format_row(rows[-1]), flush=True)
    return rows


def export_rows(env: dict[str, str], kind: str, size: int) -> list[dict]:
    rows = []
    _noop, base = measured([sys.executable, "-m", "bench.prepare", "noop"], env)
    for fmt in ("csv", "xlsx"):
        for mode in ("streaming", "naive"):
            started = time.monotonic()
            result, peak = measured(
                [sys.executable, "-m", "bench.prepare", "export", fmt, mode],
                env,
                NAIVE_MEMORY_CAP if mode == "naive" else None,
            )
            rows.append(
                {
                    "database": kind,
                    "submissions": result["submissions"] if result else size,
                    "format": fmt,
                    "method": mode,
                    "seconds": result["seconds"] if result else time.monotonic() - started,
                    "peak_mb": peak,
                    "over_django_mb": peak - base,
                    "file_mb": result["bytes"] / 2**20 if result else None,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def run_database(kind: str, args: argparse.Namespace) -> tuple[list[dict], list[dict]]:
    folder = tempfile.mkdtemp(prefix=f"opendtm-bench-{kind}-")
    env = opendtm_env(fresh_database(kind, folder), folder)
    manage(env, "migrate", "--noinput")
    prepared = subprocess.run(
        [sys.executable, "-m", "bench.prepare", "setup"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    setup = json.loads(prepared.stdout.strip().splitlines()[-1])
    load, exports = [], []
    for size in args.sizes:
        subprocess.run(
            [sys.executable, "-m", "bench.prepare", "fill", str(size)],
            env=env,
            check=True,
            capture_output=True,
        )
        vacuum(kind)
        load += load_rows(kind, folder, env, setup["slug"], setup["token"], size, args)
        if size == args.export_at:
            exports += export_rows(env, kind, size)
    shutil.rmtree(folder, ignore_errors=True)
    return load, exports


def baseline_rows(args: argparse.Namespace) -> list[dict]:
    rows = []
    folder = tempfile.mkdtemp(prefix="opendtm-bench-baseline-")
    env = {**os.environ, "BASELINE_FILE": f"{folder}/body.bin"}
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.baseline_app",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        for clients in args.clients:
            result = run_load("127.0.0.1", port, "/", submission_xml(1), clients, args.seconds)
            rows.append(
                {
                    "database": "baseline: fsync WSGI",
                    "holds": 0,
                    "clients": clients,
                    "rate": result.rate,
                    "p50": result.percentile(0.5),
                    "p99": result.percentile(0.99),
                    "errors": result.errors,
                    "backlog": 0,
                }
            )
            print(format_row(rows[-1]), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def wait_for_port(port: int) -> None:
    import socket

    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("the baseline server did not start")


def format_row(row: dict) -> str:
    return (
        f"| {row['database']:<20} | {row['holds']:>9,} | {row['clients']:>7} | "
        f"{row['rate']:>10.1f} | {row['p50']:>7.1f} | {row['p99']:>7.1f} | "
        f"{row['errors']:>6} | {row['backlog']:>8} |"
    )


def print_tables(load: list[dict], exports: list[dict], args: argparse.Namespace) -> None:
    print(
        f"\nSustained submissions: 250-question form, ~10 KB XML, {args.seconds:.0f} s per row, "
        f"gunicorn --preload {args.workers} workers x {args.threads} threads, client on the same cores"
    )
    print(
        "| database             | form holds | clients | accepted/s | p50 ms | p99 ms | errors | backlog |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in load:
        print(format_row(row))
    print(ANCHOR)
    if exports:
        print("\nExports (streaming = opendtm; naive = materialise every row, then write)")
        print(
            "| database | submissions | format | method | seconds | peak RSS MB | over Django MB | file MB |"
        )
        print("|---|---:|---|---|---:|---:|---:|---:|")
        for row in exports:
            size = (
                f"{row['file_mb']:.1f}"
                if row["file_mb"] is not None
                else f"failed: out of memory at the {NAIVE_MEMORY_CAP // 2**30} GiB cap"
            )
            print(
                f"| {row['database']} | {row['submissions']:,} | {row['format']} | {row['method']} "
                f"| {row['seconds']:.1f} | {row['peak_mb']:.0f} | {row['over_django_mb']:.0f} "
                f"| {size} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--clients", type=lambda text: [int(n) for n in text.split(",")], default=[1, 4, 16]
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[0, 100_000, 1_000_000],
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--export-at", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    load = baseline_rows(args)
    exports = []
    for kind in args.databases.split(","):
        database_load, database_exports = run_database(kind, args)
        load += database_load
        exports += database_exports
    print_tables(load, exports, args)


if __name__ == "__main__":
    main()
