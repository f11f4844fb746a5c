"""Time the four questions of the figures benchmark, opendtm's selectors against the naive
pandas baseline, and check that both give the same answers.

    python -m bench.figures_measure --sites N --rounds R [--repeats K] [--fast]

runs in a benchmark environment (DATABASE_URL, OPENDTM_DATA_DIR, a migrated database): it
builds the synthetic operation, gathers statistics, measures, and prints one JSON line.
"""

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Callable
from typing import Any

LEVELS = (0, 1, 2, 3, "site")
STORED = (0, 1, 2, 3)
LATEST_CODES = ["idp_individuals", "idp_households"]
SERIES_CODE = "idp_individuals"
QUESTIONS = {
    "round": "one round summed to admin levels 0-3 (stored when it is published)",
    "read": "one round read at every level (0-3, site) with the previous round's",
    "latest": "latest per admin2 (idp_individuals and idp_households)",
    "series": "time series of one admin1 over every round (idp_individuals)",
}


def timed(parts: dict[str, Callable[[], Any]], repeats: int) -> tuple[dict, dict[str, list]]:
    """Each part run once to warm up, then `repeats` times: its last answer and its times. A
    part with a `before` attribute has it run, untimed, before each run."""
    answers = {name: part() for name, part in parts.items()}
    seconds: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(repeats):
        for name, part in parts.items():
            getattr(part, "before", lambda: None)()
            started = time.perf_counter()
            answers[name] = part()
            seconds[name].append(time.perf_counter() - started)
    return answers, seconds


def opendtm_questions(built: Any) -> dict[str, dict[str, Callable[[], Any]]]:
    from django.db import connection

    from opendtm.accounts.models import Operation, User
    from opendtm.geo.models import AdminArea
    from opendtm.tracking.models import LevelFigure, Round
    from opendtm.tracking.selectors.figures import figures_by_level, latest_by_level, time_series
    from opendtm.tracking.services.level_figures import level_figures_store

    user = User.objects.get(pk=built.user_id)
    operation = Operation.objects.get(pk=built.operation_id)
    last = Round.objects.get(pk=built.round_ids[-1])
    area = AdminArea.objects.get(pk=built.series_area_id)
    revision = last.revisions.get(status="published")

    def store() -> int:
        return level_figures_store(revision)

    def unstore() -> None:
        """As before the revision was published: its rows gone, and their space reclaimed, so
        each run writes into the table as the first did."""
        LevelFigure.objects.filter(revision=revision).delete()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:  # not in tests
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {LevelFigure._meta.db_table}")

    store.before = unstore  # type: ignore[attr-defined]
    return {
        "round": {"0-3": store},
        "read": {
            str(level): lambda level=level: figures_by_level(user=user, round=last, level=level)
            for level in LEVELS
        },
        "latest": {
            "2": lambda: latest_by_level(
                user=user, operation=operation, assessment_type="SA", level=2, codes=LATEST_CODES
            )
        },
        "series": {
            "1": lambda: time_series(user=user, area=area, assessment_type="SA", code=SERIES_CODE)
        },
    }


def pandas_questions(frame: Any, built: Any, ids: dict[str, int]) -> dict[str, dict]:
    from bench import figures_baseline as naive

    ranked = [ids[code] for code in ids if code.startswith("need_rank_")]
    number = len(built.round_ids)
    last = frame[frame["round"] == number]
    return {
        "round": {
            str(level): lambda level=level: naive.level_totals(last, level, ranked)
            for level in STORED
        },
        "read": {
            str(level): lambda level=level: naive.by_level(frame, level, number, ranked)
            for level in LEVELS
        },
        "latest": {"2": lambda: naive.latest(frame, 2, [ids[code] for code in LATEST_CODES])},
        "series": {"1": lambda: naive.series(frame, built.series_area_id, ids[SERIES_CODE])},
    }


def opendtm_answers(answers: dict[str, dict[str, Any]], built: Any) -> dict[str, dict]:
    from opendtm.tracking.models import Indicator, RoundRevision
    from opendtm.tracking.selectors.figures import aggregate

    revision = RoundRevision.objects.get(round_id=built.round_ids[-1], status="published")
    rules = {
        pk: (code, rule)
        for pk, code, rule in Indicator.objects.values_list("pk", "code", "aggregation")
    }
    stored = {
        (str(level), *key): found
        for level in STORED
        for key, found in aggregate(revision, level, rules, place_field="site").items()
    }
    by_level = {
        (level, row.place_id, row.indicator, row.sex, row.age_band): (
            row.value,
            row.places,
            row.previous,
        )
        for level, rows in answers["read"].items()
        for row in rows
    }
    latest = {
        (row.place_id, row.indicator): (row.value, row.round_number)
        for row in answers["latest"]["2"]
    }
    series = {number: (total,) for number, _end, total in answers["series"]["1"]}
    return {"round": stored, "read": by_level, "latest": latest, "series": series}


def pandas_answers(answers: dict[str, dict[str, Any]], codes: dict[int, str]) -> dict[str, dict]:
    stored = {
        (
            level,
            getattr(row, frame.columns[0]) if level != "0" else None,
            codes[row.indicator],
            row.sex,
            row.age_band,
        ): (row.value, row.places)
        for level, frame in answers["round"].items()
        for row in frame.itertuples(index=False)
    }
    by_level = {}
    for level, frame in answers["read"].items():
        place = frame.columns[0] if level != "0" else None
        for row in frame.itertuples(index=False):
            previous = None if math.isnan(row.previous) else row.previous
            key = (
                level,
                getattr(row, place) if place else None,
                codes[row.indicator],
                row.sex,
                row.age_band,
            )
            by_level[key] = (row.value, row.places, previous)
    latest = {
        (row.admin2, codes[row.indicator]): (row.value, row.round)
        for row in answers["latest"]["2"].itertuples(index=False)
    }
    series = {number: (total,) for number, total in answers["series"]["1"].items()}
    return {"round": stored, "read": by_level, "latest": latest, "series": series}


def same(ours: tuple | None, theirs: tuple | None) -> bool:
    if ours is None or theirs is None:
        return ours is theirs
    return len(ours) == len(theirs) and all(
        (a is None and b is None)
        or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6))
        for a, b in zip(ours, theirs, strict=True)
    )


def differences(ours: dict[str, dict], theirs: dict[str, dict]) -> list[str]:
    """Every key whose answers differ, as 'question key: opendtm ... pandas ...'."""
    found = []
    for question in QUESTIONS:
        mine, other = ours[question], theirs[question]
        for key in sorted(mine.keys() | other.keys(), key=str):
            if not same(mine.get(key), other.get(key)):
                found.append(f"{question} {key}: opendtm {mine.get(key)} pandas {other.get(key)}")
    return found


def measure(built: Any, repeats: int) -> dict[str, Any]:
    """Time both sides on a built operation and compare their answers."""
    from django.db import connection

    from bench import figures_baseline as naive
    from bench.figures_build import database_bytes
    from opendtm.tracking.models import Indicator

    ours, our_seconds = timed_all(opendtm_questions(built), repeats)
    started = time.monotonic()
    frame = naive.export(built.operation_id)
    export_seconds = time.monotonic() - started
    ids = dict(Indicator.objects.filter(operation__isnull=True).values_list("code", "id"))
    theirs, their_seconds = timed_all(pandas_questions(frame, built, ids), repeats)
    codes = {number: code for code, number in ids.items()}
    ours, theirs = opendtm_answers(ours, built), pandas_answers(theirs, codes)
    return {
        "database": connection.vendor,
        "built": dataclasses.asdict(built),
        "database_bytes": database_bytes(),
        "export_seconds": export_seconds,
        "exported_rows": len(frame),
        "frame_bytes": int(frame.memory_usage(deep=True).sum()),
        "seconds": {"opendtm": our_seconds, "pandas": their_seconds},
        "compared": sum(len(answers) for answers in ours.values()),
        "mismatches": differences(ours, theirs),
    }


def timed_all(questions: dict[str, dict], repeats: int) -> tuple[dict, dict]:
    answers, seconds = {}, {}
    for name, parts in questions.items():
        answers[name], seconds[name] = timed(parts, repeats)
    return answers, seconds


def main() -> None:
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendtm.settings")
    django.setup()
    from bench.figures_build import build, statistics_gather

    built = build(sites=args.sites, rounds=args.rounds, seed=args.seed, fast=args.fast)
    print(f"built {built.rows:,} figure rows in {built.seconds:,.0f} s", file=sys.stderr)
    started = time.monotonic()
    statistics_gather()
    print(f"statistics gathered in {time.monotonic() - started:,.0f} s", file=sys.stderr)
    print(json.dumps(measure(built, args.repeats)))


if __name__ == "__main__":
    main()
