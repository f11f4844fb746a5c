"""import_sites: load a site master list (CSV or XLSX) into an operation.

Prints what changed, the fuzzy area-name matches that wait for a person's confirmation,
and the sites whose coordinates fall outside their admin area.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.core.tables import read_table
from opendtm.geo.management.commands._shared import acting_user, operation_of, read_upload, refuse
from opendtm.geo.services.site_import import SiteImportSummary, sites_import


class Command(BaseCommand):
    help = "Import or update sites from a master list (CSV or XLSX) into an operation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", help="The operation's slug, for example nga-ne.")
        parser.add_argument("file", help="A .csv or .xlsx file, one site per row.")
        parser.add_argument("--user", required=True, help="Who imports (recorded in the audit).")
        parser.add_argument(
            "--columns", default="", help="Which column is which, such as code=SSID,name=Site."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        operation = operation_of(user, options["operation"])
        name, data = read_upload(options["file"])
        try:
            summary = sites_import(
                actor=user,
                operation=operation,
                table=read_table(name, data),
                columns=options["columns"],
            )
        except Forbidden as error:
            raise CommandError(str(error)) from None
        except ApplicationError as error:
            raise refuse(error, self.stderr) from None
        self.report(summary, operation.slug)

    def report(self, summary: SiteImportSummary, slug: str) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.source}: {summary.created} created, {summary.updated} updated, "
                f"{summary.unchanged} unchanged."
            )
        )
        if summary.to_confirm:
            self.stdout.write(
                f"{len(summary.to_confirm)} area name(s) matched only approximately; "
                f"confirm or reject them on /ops/{slug}/sites/matches/ :"
            )
            for match in summary.to_confirm:
                self.stdout.write(
                    f"  {match['code']}: '{match['given']}' -> {match['name']} "
                    f"({match['suggested']}), score {match['score']}"
                )
        if summary.outside_area:
            self.stdout.write(
                f"{len(summary.outside_area)} site(s) have coordinates outside their admin "
                f"area: {', '.join(summary.outside_area)}"
            )
