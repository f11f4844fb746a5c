"""parse_submissions: parse the submission versions waiting to be parsed, in batches.

Once, it drains the backlog and stops: the versions a crash left between a receipt's commit
and its parse. With --loop it is the parse worker: it keeps draining, and while it runs the
receipts on this host leave their parsing to it (collection/services/submission_parsing.py).
"""

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from opendtm.collection.services.submission_parsing import (
    BATCH,
    submissions_parse_pending,
    worker_gone,
    worker_heartbeat,
)


class Command(BaseCommand):
    help = "Parse submissions waiting to be parsed, in batches; --loop keeps watching."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running, parse new ones.")
        parser.add_argument("--batch", type=int, default=BATCH, help="Versions per batch.")
        parser.add_argument(
            "--idle", type=float, default=0.5, help="Seconds to wait when nothing is pending."
        )
        parser.add_argument(
            "--gather",
            type=float,
            default=0.2,
            help="Seconds to let a backlog smaller than a batch grow before taking it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stopping: list[bool] = []
        previous = {}
        if options["loop"]:
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, lambda *_args: stopping.append(True))
        batch = max(1, options["batch"])
        total = 0
        started = time.monotonic()
        try:
            while not stopping:
                if options["loop"]:
                    worker_heartbeat()
                done = submissions_parse_pending(limit=batch)
                total += done
                if done == batch or (done and not options["loop"]):
                    continue
                if done:
                    # Each batch costs a few queries and a commit whatever its size: under a
                    # steady stream, wait for a bigger one rather than parse a few at a time.
                    time.sleep(options["gather"])
                    continue
                if not options["loop"]:
                    break
                if not connection.in_atomic_block:  # (a test's transaction stays open)
                    close_old_connections()  # a connection the database dropped is renewed
                time.sleep(options["idle"])
        finally:
            if options["loop"]:
                worker_gone()  # receipts parse inline again at once
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        elapsed = time.monotonic() - started
        self.stdout.write(f"Parsed {total} submission versions in {elapsed:.1f} s.")
