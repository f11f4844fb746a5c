"""Situation reports: the PDF of a published round, and the logo and disclaimer it carries.

A report is printed on request in about a second (a round of the demo, with its 27 LGAs and
five rounds of trend: 38 queries, 1.2 s; the first in a process takes half a second more
while vl-convert starts), so the web page and the command print it at once instead of
queueing a task. It shows public figures only, through the public tables; making one is
recorded in the audit log as an export of the round.
"""

import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, audit_update, snapshot
from opendtm.collection.blobs import blob_store_bytes
from opendtm.core.errors import ApplicationError
from opendtm.publishing.reports.content import report_content
from opendtm.publishing.reports.pdf import report_html, report_pdf
from opendtm.tracking.models import Round

REPORT_LANGUAGES = ("en", "fr")
LOGO_FORMATS = ("PNG", "JPEG")
MAX_LOGO_BYTES = 1024 * 1024
BRANDING_FIELDS = ("report_logo", "report_disclaimer")


@dataclass(frozen=True)
class SituationReport:
    filename: str
    pdf: bytes


def report_language(language: str) -> str:
    if language not in REPORT_LANGUAGES:
        raise ApplicationError(
            _("Situation reports are written in English or French, not '%(language)s'.")
            % {"language": language},
            hint=_("Choose en or fr."),
        )
    return language


def situation_report_html(*, actor: User, round: Round, language: str) -> str:
    """The report's page before printing, for those who publish the operation's rounds."""
    require(user=actor, operation=round.operation, capability=Capability.PUBLISH)
    with translation.override(report_language(language)):
        return report_html(report_content(actor=actor, round=round))


def situation_report(*, actor: User, round: Round, language: str) -> SituationReport:
    html = situation_report_html(actor=actor, round=round, language=language)
    pdf = report_pdf(html)
    audit_record(
        actor=actor,
        operation=round.operation,
        action=Action.EXPORT,
        instance=round,
        note=f"situation report ({language})",
    )
    name = f"{round.operation.slug}-{round.assessment_type}-round-{round.number}-{language}.pdf"
    return SituationReport(filename=name.lower(), pdf=pdf)


def logo_checked(data: bytes) -> None:
    """A PNG or JPEG image of at most 1 MB, whole."""
    refused = ApplicationError(
        _("The report logo must be a PNG or JPEG image of at most 1 MB."),
        hint=_("Export the logo as PNG, about 600 pixels wide, and upload it again."),
    )
    if len(data) > MAX_LOGO_BYTES:
        raise refused
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise refused from None
    if kind not in LOGO_FORMATS:
        raise refused


@transaction.atomic
def report_branding_update(
    *,
    actor: User,
    operation: Operation,
    disclaimer: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Operation:
    """Set the disclaimer; replace the logo when one is given, or remove it."""
    require(user=actor, operation=operation, capability=Capability.MANAGE_OPERATION)
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    before = snapshot(operation, BRANDING_FIELDS)
    if logo is not None:
        logo_checked(logo)
        stored = blob_store_bytes(logo, name=_("The report logo"), max_size=MAX_LOGO_BYTES)
        operation.report_logo = stored.sha256
    elif remove_logo:
        operation.report_logo = ""
    operation.report_disclaimer = disclaimer.strip()
    operation.save(update_fields=[*BRANDING_FIELDS, "updated_at"])
    audit_update(actor=actor, operation=operation, instance=operation, before=before)
    return operation
