"""The DTM forms opendtm ships, installed into an operation as any uploaded form.

Installing goes through collection's form upload (conversion, ODK Validate, versions,
audit), with the form's place lists as its media files: admin1.csv and admin2.csv from the
operation's current admin areas, sites.csv from its open sites, each row named by the
p-code or site code that parsing reads back. The lists are written when the form is
installed; `form_template_lists_refresh` writes them again once areas or sites changed.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.collection.models import Form, FormMedia, FormUpload
from opendtm.collection.services.form_versions import version_key
from opendtm.collection.services.forms import form_media_add, form_upload_create
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.forms import FOLDER, baseline_area, site_assessment
from opendtm.tracking.services.mapping import age_bands

SITES = "sites.csv"


@dataclass(frozen=True)
class FormTemplate:
    form_id: str
    kind: str
    version: str
    title: str | Promise
    description: str | Promise
    lists: tuple[str, ...]
    age_bands: list[str] = field(default_factory=list)  # those its questions are mapped to

    @property
    def filename(self) -> str:
        return f"{self.form_id}.xlsx"

    @property
    def path(self) -> Path:
        return FOLDER / self.filename

    def data(self) -> bytes:
        return self.path.read_bytes()


TEMPLATES = (
    FormTemplate(
        form_id=baseline_area.FORM_ID,
        kind=Form.Kind.BASELINE_AREA,
        version=baseline_area.VERSION,
        title=gettext_lazy("DTM baseline area assessment (B1)"),
        description=gettext_lazy(
            "One LGA or district per submission, from key informants: IDP and returnee "
            "households and individuals, host community, migrants, origin, reason and time of "
            "displacement, needs ranked by sector."
        ),
        lists=("admin1.csv", "admin2.csv"),
    ),
    FormTemplate(
        form_id=site_assessment.FORM_ID,
        kind=Form.Kind.SITE_ASSESSMENT,
        version=site_assessment.VERSION,
        title=gettext_lazy("DTM site assessment (MSLA)"),
        description=gettext_lazy(
            "One site per submission: type and management, IDPs by sex and age, needs ranked "
            "by sector, services and access, and GBV, child protection and trafficking risks."
        ),
        lists=("admin1.csv", "admin2.csv", SITES),
        age_bands=site_assessment.AGE_BANDS,
    ),
)


def form_template_list() -> list[FormTemplate]:
    return list(TEMPLATES)


def form_template_get(form_id: str) -> FormTemplate:
    for template in TEMPLATES:
        if template.form_id == form_id:
            return template
    raise NotFound(_("No DTM form %(name)s.") % {"name": form_id})


def form_template_install(
    *, actor: User, operation: Operation, template: FormTemplate
) -> FormUpload:
    """Upload the template with the operation's place lists; converted like any upload."""
    require(user=actor, operation=operation, capability=Capability.MANAGE_FORMS)
    check_age_bands(operation, template)
    installed = (
        Form.objects.filter(operation=operation, form_id=template.form_id)
        .values_list("current_version__version", flat=True)
        .first()
    )
    if installed and version_key(installed) >= version_key(template.version):
        raise ApplicationError(
            _("%(title)s is already installed, as version %(version)s.")
            % {"title": template.title, "version": installed},
            hint=_(
                "Open it from the forms list. To change it, download the XLSForm, edit it, "
                "raise its version and upload it."
            ),
        )
    return form_upload_create(
        actor=actor,
        operation=operation,
        name=template.filename,
        data=template.data(),
        kind=template.kind,
        media=place_lists(operation, template),
    )


def form_template_lists_refresh(*, actor: User, form: Form) -> list[FormMedia]:
    """Write the place lists of an installed DTM form again, from today's areas and sites."""
    template = form_template_get(form.form_id)
    version = form.current_version
    if version is None:
        raise ApplicationError(_("The form %(form)s has no version yet.") % {"form": form.title})
    return [
        form_media_add(actor=actor, version=version, name=name, data=data)
        for name, data in place_lists(form.operation, template)
    ]


def check_age_bands(operation: Operation, template: FormTemplate) -> None:
    bands = age_bands(operation.pk)
    if template.age_bands and template.age_bands != bands:
        raise ApplicationError(
            _(
                "%(title)s counts people in the age bands %(form)s, but this operation uses "
                "%(operation)s."
            )
            % {
                "title": template.title,
                "form": ", ".join(template.age_bands),
                "operation": ", ".join(bands),
            },
            hint=_(
                "Download the XLSForm, change its sex and age questions (indicator_age column) "
                "to the operation's bands, and upload it."
            ),
        )


def place_lists(operation: Operation, template: FormTemplate) -> list[tuple[str, bytes]]:
    areas = AdminArea.objects.current().filter(operation=operation)
    admin1 = list(areas.filter(level=1).order_by("pcode").values_list("pcode", "name"))
    admin2 = list(
        areas.filter(level=2, parent__level=1)
        .order_by("pcode")
        .values_list("pcode", "name", "parent__pcode")
    )
    if not admin2:
        raise ApplicationError(
            _("The operation has no admin areas at levels 1 and 2 to choose from."),
            hint=_("Import the operation's admin boundaries first (Admin areas, Import COD-AB)."),
        )
    lists = {
        "admin1.csv": csv_bytes(["name", "label"], admin1),
        "admin2.csv": csv_bytes(["name", "label", "admin1"], admin2),
    }
    if SITES in template.lists:
        sites = site_rows(operation)
        if not sites:
            raise ApplicationError(
                _("The operation has no open sites placed in an admin area to choose from."),
                hint=_("Add or import the operation's sites first (Sites)."),
            )
        lists[SITES] = csv_bytes(["name", "label", "admin2"], sites)
    return [(name, lists[name]) for name in template.lists]


def site_rows(operation: Operation) -> list[tuple[str, str, str]]:
    """(code, label, admin2 p-code) of the open sites; a site deeper than admin2 climbs up."""
    areas = {
        pk: (level, parent, pcode)
        for pk, level, parent, pcode in AdminArea.objects.filter(
            operation=operation, level__gte=2
        ).values_list("pk", "level", "parent_id", "pcode")
    }
    rows = []
    for code, name, area_id in (
        Site.objects.filter(operation=operation, status=Site.Status.OPEN, admin_area__isnull=False)
        .order_by("code")
        .values_list("code", "name", "admin_area_id")
    ):
        while area_id in areas and areas[area_id][0] > 2:
            area_id = areas[area_id][1]
        if area_id in areas:
            rows.append((code, f"{name} ({code})", areas[area_id][2]))
    return rows


def csv_bytes(header: list[str], rows: Sequence[tuple[str, ...]]) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return output.getvalue().encode("utf-8")
