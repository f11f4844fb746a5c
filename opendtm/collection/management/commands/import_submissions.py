"""import_submissions: bring a form and its submissions over from ODK Central or KoboToolbox.

    opendtm import_submissions central nga-ne --user admin --form site_assessment --project 3
        (Central's URL, user and password from a pyodk_config.toml, or --url and the
        CENTRAL_USER / CENTRAL_PASSWORD environment variables)
    opendtm import_submissions kobo nga-ne --user admin --asset aBcD123 \
        --url https://kf.kobotoolbox.org        (the API token from KOBO_TOKEN)

Each form version is published here, then every submission (every version, with its files)
goes through the same path as a device's submission. Running it again adds nothing.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pyodk.client import Client

from opendtm.collection.importers.central import central_client, central_import
from opendtm.collection.importers.common import ImportSummary
from opendtm.collection.importers.kobo import kobo_import, kobo_session
from opendtm.collection.models import Form
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.geo.management.commands._shared import acting_user, operation_of, refuse


class Command(BaseCommand):
    help = "Import a form's submissions from ODK Central (pyodk) or a KoboToolbox asset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=["central", "kobo"])
        parser.add_argument("operation", help="The operation's slug, for example nga-ne.")
        parser.add_argument("--user", required=True, help="Who imports (recorded in the audit).")
        parser.add_argument(
            "--kind", default=Form.Kind.OTHER, choices=Form.Kind.values, help="For a new form."
        )
        parser.add_argument("--url", default="", help="The Central or Kobo server's URL.")
        parser.add_argument("--form", default="", help="Central: the form ID (xmlFormId).")
        parser.add_argument("--project", type=int, default=0, help="Central: the project ID.")
        parser.add_argument(
            "--config", default="", help="Central: a pyodk_config.toml with url and credentials."
        )
        parser.add_argument("--asset", default="", help="Kobo: the asset UID.")
        parser.add_argument(
            "--token-env", default="KOBO_TOKEN", help="Kobo: the variable holding the API token."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        operation = operation_of(user, options["operation"])
        try:
            if options["source"] == "central":
                summary = self.from_central(user, operation, options)
            else:
                summary = self.from_kobo(user, operation, options)
        except Forbidden as error:
            raise CommandError(str(error)) from None
        except ApplicationError as error:
            raise refuse(error, self.stderr) from None
        self.report(summary)

    def from_central(self, user: Any, operation: Any, options: dict[str, Any]) -> ImportSummary:
        if not options["form"] or not options["project"]:
            raise CommandError("Give --form and --project for an import from ODK Central.")
        with tempfile.TemporaryDirectory(prefix="opendtm-pyodk-") as folder:
            cache = Path(folder) / "pyodk_cache.toml"
            if options["config"]:
                client = Client(config_path=options["config"], cache_path=cache)
            else:
                username = os.environ.get("CENTRAL_USER", "")
                password = os.environ.get("CENTRAL_PASSWORD", "")
                if not (options["url"] and username and password):
                    raise CommandError(
                        "Give --config, or --url with CENTRAL_USER and CENTRAL_PASSWORD set."
                    )
                client = central_client(
                    base_url=options["url"],
                    username=username,
                    password=password,
                    project_id=options["project"],
                    cache_path=cache,
                )
            with client:
                return central_import(
                    actor=user,
                    operation=operation,
                    client=client,
                    project_id=options["project"],
                    form_id=options["form"],
                    kind=options["kind"],
                )

    def from_kobo(self, user: Any, operation: Any, options: dict[str, Any]) -> ImportSummary:
        token = os.environ.get(options["token_env"], "")
        if not (options["asset"] and options["url"] and token):
            raise CommandError(
                f"Give --asset and --url, and set {options['token_env']} to the API token."
            )
        with kobo_session(token) as session:
            return kobo_import(
                actor=user,
                operation=operation,
                session=session,
                base_url=options["url"],
                asset_uid=options["asset"],
                kind=options["kind"],
            )

    def report(self, summary: ImportSummary) -> None:
        self.stdout.write(self.style.SUCCESS(summary.describe()))
        for version in summary.versions_published:
            self.stdout.write(f"  published {version}")
        for problem in summary.problems:
            self.stderr.write(f"  {problem}")
        for refusal in summary.refused:
            self.stderr.write(f"  refused {refusal}")
