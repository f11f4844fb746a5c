"""situation_report: the PDF situation report of a published round.

    opendtm situation_report nga-ne SA 5 --user admin --language fr --out nga-ne-sa-5.pdf

The user must publish the operation's rounds (data managers, operation admins): the report
states the round's coverage, read as that user, and is recorded in the audit log.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.geo.management.commands._shared import acting_user, operation_of
from opendtm.publishing.services.reports import REPORT_LANGUAGES, situation_report
from opendtm.tracking.models import AssessmentType
from opendtm.tracking.selectors.rounds import round_get


class Command(BaseCommand):
    help = "Print a published round's situation report to a PDF file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", help="The operation's slug, for example nga-ne.")
        parser.add_argument(
            "assessment_type", choices=AssessmentType.values, help="The round's type."
        )
        parser.add_argument("number", type=int, help="The round's number.")
        parser.add_argument("--user", required=True, help="Who makes it (recorded in the audit).")
        parser.add_argument("--language", choices=REPORT_LANGUAGES, default="en")
        parser.add_argument(
            "--out", default="", help="The PDF to write (default: its name, in this folder)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        operation = operation_of(user, options["operation"])
        try:
            round = round_get(
                user=user,
                operation=operation,
                assessment_type=options["assessment_type"],
                number=options["number"],
            )
            report = situation_report(actor=user, round=round, language=options["language"])
        except (ApplicationError, Http404, Forbidden) as error:
            hint = getattr(error, "hint", "")
            raise CommandError(f"{error} {hint}".strip()) from None
        out = Path(options["out"] or report.filename)
        out.write_bytes(report.pdf)
        self.stdout.write(self.style.SUCCESS(f"{out}: {len(report.pdf) // 1024} KB."))
