"""hdx_package: a published round as an HDX dataset package, in a folder, uploaded when
the settings give an HDX key.

    opendtm hdx_package nga-ne SA 12 --out ./hdx-nga-ne-sa-12
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from opendtm.core.errors import ApplicationError
from opendtm.publishing.exports.hdx import dataset_name
from opendtm.publishing.services.hdx import Package, hdx_package_upload, hdx_package_write
from opendtm.tracking.models import Round


class Command(BaseCommand):
    help = "Write a published round's HDX dataset package; upload it when an HDX key is set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", help="The operation's slug, for example nga-ne.")
        parser.add_argument("assessment_type", help="The round's type: SA, BA or ETT.")
        parser.add_argument("number", type=int, help="The round's number.")
        parser.add_argument(
            "--out", default="", help="The folder to write (default: in the data folder)."
        )
        parser.add_argument(
            "--no-upload", action="store_true", help="Only write the folder, key or not."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        round = self.round_of(options["operation"], options["assessment_type"], options["number"])
        default = Path(settings.DATA_DIR) / "publishing" / "hdx" / dataset_name(round)
        folder = Path(options["out"]) if options["out"] else default
        upload = bool(settings.OPENDTM_HDX_KEY) and not options["no_upload"]
        try:
            if upload:
                package = hdx_package_upload(round=round, folder=folder)
            else:
                package = hdx_package_write(round=round, folder=folder)
        except (ApplicationError, Http404) as error:
            hint = getattr(error, "hint", "")
            raise CommandError(f"{error} {hint}".strip()) from None
        self.report(package, upload)

    def round_of(self, slug: str, assessment_type: str, number: int) -> Round:
        found = (
            Round.objects.filter(
                operation__slug=slug, assessment_type=assessment_type.upper(), number=number
            )
            .select_related("operation")
            .first()
        )
        if found is None:
            raise CommandError(f"No {assessment_type} round {number} in operation '{slug}'.")
        return found

    def report(self, package: Package, uploaded: bool) -> None:
        resources = package.dataset.get_resources()
        self.stdout.write(
            self.style.SUCCESS(
                f"{package.dataset['name']}: {len(resources)} files and dataset.json "
                f"in {package.folder}."
            )
        )
        if package.withheld:
            self.stdout.write(package.withheld)
        if uploaded:
            self.stdout.write(self.style.SUCCESS(f"Uploaded to HDX ({settings.OPENDTM_HDX_SITE})."))
        elif package.missing:
            self.stdout.write(
                "Before it can be uploaded, HDX needs: "
                + ", ".join(package.missing)
                + " (OPENDTM_HDX_ORGANIZATION, OPENDTM_HDX_MAINTAINER)."
            )
