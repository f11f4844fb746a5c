"""opendtm demo: a ready-to-explore server on the embedded SQLite database.

The demo operation gets Nigeria's boundaries, Borno's sites, then six months of mobility
tracking: the two DTM forms installed and six monthly rounds of baseline and site
assessments sent through the real services (opendtm/tracking/demo/).

Idempotent: a second run finds the demo operation, changes nothing that is already there
and does not print the password again.
"""

import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from opendtm.accounts.demo import ADMIN, demo_people_ensure
from opendtm.geo.demo import demo_areas_load, demo_sites_load
from opendtm.tracking.demo import demo_tracking_load


class Command(BaseCommand):
    help = "Create or update the demo operation, then serve it on http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and stop.")
        parser.add_argument(
            "--sites-per-lga",
            type=int,
            default=None,
            help="Assess at most this many sites per LGA: a smaller, quicker demo.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        with transaction.atomic():
            people = demo_people_ensure()
            areas = demo_areas_load(actor=people.admin, operation=people.operation)
            sites = demo_sites_load(actor=people.admin, operation=people.operation)
        created = sum(summary.created for summary in areas)
        self.stdout.write(
            f"Demo operation '{people.operation.name}': {created} admin areas added, "
            f"{sites.created} sites added, {sites.updated} updated, {sites.unchanged} unchanged."
        )
        # Outside the transaction above: each assessment is received, parsed and approved in
        # its own commits, as on a live server.
        tracking = demo_tracking_load(
            operation=people.operation, admin=people.admin, sites_per_lga=options["sites_per_lga"]
        )
        self.stdout.write(
            f"Mobility tracking: {tracking.rounds} rounds, {tracking.submissions} assessments, "
            f"{tracking.open_issues} findings open in the rounds being validated "
            f"({tracking.seconds:.0f} s)."
        )
        if people.password:
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nSign in as '{ADMIN}' with the password: {people.password}\n"
                    "The users viewer, enumerator, datamanager and protection share it.\n"
                    "It is shown this once; `opendtm changepassword admin` sets a new one.\n"
                )
            )
        else:
            self.stdout.write(f"Sign in as '{ADMIN}' (password shown on the first run).")
        if options["no_serve"]:
            return
        worker = subprocess.Popen([sys.executable, "-m", "opendtm.cli", "db_worker"])  # noqa: S603
        # Stopped by a service manager (SIGTERM), the demo still stops its worker.
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            worker.terminate()
