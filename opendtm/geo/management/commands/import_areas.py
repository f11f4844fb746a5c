"""import_areas: load a COD-AB file (GeoJSON, CSV, XLSX) into an operation's admin areas.

Runs the import directly, not through the job queue. When the columns are unclear and
the command runs in a terminal, it asks which column is which.
"""

import datetime
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from opendtm.accounts.models import Operation
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.geo.importers.areas import AreaSource, read_area_file
from opendtm.geo.importers.columns import ColumnsUnclear
from opendtm.geo.management.commands._shared import acting_user, operation_of, read_upload, refuse
from opendtm.geo.services.areas import OUTCOMES, AreaImportSummary, admin_areas_import


def valid_on_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--valid-on '{text}' is not a date: write YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Import admin areas from a COD-AB file (GeoJSON, CSV or XLSX) into an operation."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", help="The operation's slug, for example nga-ne.")
        parser.add_argument("file", help="A .geojson, .csv or .xlsx file.")
        parser.add_argument("--user", required=True, help="Who imports (recorded in the audit).")
        parser.add_argument(
            "--columns",
            default="",
            help="Which column is which, such as adm1_pcode=admin1Pcod,adm1_name=admin1Name.",
        )
        parser.add_argument("--valid-on", help="The COD version's date, YYYY-MM-DD.")
        parser.add_argument(
            "--label", default="", help="The source to record, such as 'COD-AB 2024'."
        )
        parser.add_argument(
            "--retire-missing",
            action="store_true",
            help="Close (never delete) areas of the file's level that the file no longer has.",
        )
        parser.add_argument(
            "--repair-geometry",
            action="store_true",
            help="Repair invalid polygons (self-intersections) instead of refusing them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        operation = operation_of(user, options["operation"])
        valid_on = valid_on_date(options["valid_on"]) if options["valid_on"] else None
        name, data = read_upload(options["file"])
        stdin: TextIO = options.get("stdin") or sys.stdin
        try:
            source = self.read(name, data, operation, options["columns"], options, stdin)
            summary = admin_areas_import(
                actor=user,
                operation=operation,
                source=source,
                valid_on=valid_on,
                label=options["label"],
                retire_missing=options["retire_missing"],
            )
        except Forbidden as error:
            raise CommandError(str(error)) from None
        except ApplicationError as error:
            raise refuse(error, self.stderr) from None
        self.report(summary, operation)

    def read(
        self,
        name: str,
        data: bytes,
        operation: Operation,
        columns: str,
        options: dict,
        stdin: TextIO,
    ) -> AreaSource:
        """Read the file; while its columns are unclear, ask in a terminal, else refuse."""
        while True:
            try:
                return read_area_file(
                    name, data, operation, columns=columns, repair=options["repair_geometry"]
                )
            except ColumnsUnclear as error:
                if not stdin.isatty():
                    raise
                answers = ColumnPrompt(self.stdout, stdin, operation).ask(error)
                if not answers:
                    raise
                columns = ",".join(filter(None, [columns, *answers]))

    def report(self, summary: AreaImportSummary, operation: Operation) -> None:
        self.stdout.write(self.style.SUCCESS(f"{summary.source}: imported."))
        for level, counts in sorted(summary.levels.items()):
            outcome = ", ".join(f"{counts[key]} {key}" for key in OUTCOMES)
            self.stdout.write(f"  admin {level} ({operation.level_name(level)}): {outcome}")


class ColumnPrompt:
    """Asks, for each column still unclear, which of the file's headers it is."""

    def __init__(self, stdout: OutputWrapper, stdin: TextIO, operation: Operation) -> None:
        self.stdout, self.stdin, self.operation = stdout, stdin, operation

    def ask(self, error: ColumnsUnclear) -> list[str]:
        self.stdout.write(f"{error.message}\nThe file's columns:")
        for number, header in enumerate(error.headers, start=1):
            self.stdout.write(f"  {number:>3}. {header}")
        keys = error.missing or self.keys_for_level()
        answers = []
        for key in keys:
            column = self.column_for(key, error.headers)
            if not column:
                return []
            answers.append(f"{key}={column}")
        return answers

    def keys_for_level(self) -> list[str]:
        answer = self.line("Which admin level does the file describe (0-5, empty to stop)? ")
        if answer not in {"0", "1", "2", "3", "4", "5"}:
            return []
        return [f"adm{answer}_pcode", f"adm{answer}_name"]

    def column_for(self, key: str, headers: list[str]) -> str:
        level, kind = key[3], "p-code" if key.endswith("pcode") else "name"
        label = f"admin {level} ({self.operation.level_name(int(level))}) {kind}"
        while True:
            answer = self.line(f"Column of the {label} (number or name, empty to stop): ")
            if not answer:
                return ""
            if answer.isdigit() and 1 <= int(answer) <= len(headers):
                return headers[int(answer) - 1]
            if answer in headers:
                return answer
            self.stdout.write(f"'{answer}' is not one of the columns listed.")

    def line(self, prompt: str) -> str:
        self.stdout.write(prompt, ending="")
        self.stdout.flush()
        return self.stdin.readline().strip()
