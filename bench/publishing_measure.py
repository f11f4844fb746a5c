"""Time and memory of one step of the publishing benchmark, in the child process that runs it
and nothing else.

Time: a warm-up run, then `repeats` timed runs (bench/figures_measure.timed); a `before`
callable runs, untimed, before each (to empty a cache).

Memory: the process's peak resident set size, VmHWM in /proc/<pid>/status (Linux), read by the
child itself once its runs are over, beside its resident set just before the first run (VmRSS:
the interpreter and the step's libraries, imported). Resident size and not tracemalloc, which
sees Python's own allocations only (not libpq's result buffers, nor cairo's and pango's in
WeasyPrint, nor vl-convert's V8 heap) and slows every allocation, so the times would lie. Read
from /proc and not through getrusage: Linux folds the parent's high-water mark into a child's
ru_maxrss at exec, so a 10 MiB child of a 400 MiB process reports 412 MiB (RUSAGE_SELF, wait4
and RUSAGE_CHILDREN alike), and RUSAGE_CHILDREN keeps only the largest child's besides.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.figures_measure import timed


def resident(field: str, pid: int | str = "self") -> int:
    """VmRSS (now) or VmHWM (the peak) of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024  # kB
    raise LookupError(f"no {field} in /proc/{pid}/status")


def measured(
    run: Callable[[], Any], repeats: int, before: Callable[[], Any] | None = None
) -> tuple[Any, dict[str, Any]]:
    """The last answer, and the runs' seconds with the process's memory around them."""

    def part() -> Any:
        return run()

    if before is not None:
        part.before = before  # type: ignore[attr-defined]
    start = resident("VmRSS")
    answers, seconds = timed({"run": part}, repeats)
    return answers["run"], {
        "seconds": seconds["run"],
        "start_bytes": start,
        "peak_bytes": resident("VmHWM"),
    }


def emit(result: dict[str, Any]) -> None:
    """The child's answer to its parent: one JSON line, last on stdout."""
    print(json.dumps(result), flush=True)
