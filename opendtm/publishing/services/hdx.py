"""The HDX package of a published round: a folder with the dataset's metadata and its files,
uploaded to HDX only when the settings give a key.

The files are the round's public exports, in English as HDX reads them: CSV and XLSX at admin1
and admin2, and at the site level while the microdata gate lets it through, plus each level's
multi-round CSV. The folder holds dataset.json (the dataset as hdx-python-api saves it, its
resources listed) beside the files, named as the resources are. An upload goes through
hdx-python-api's create-or-update, which checks the tags against HDX's approved list, and is
recorded in the audit log as an export.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from hdx.api.configuration import Configuration
from hdx.data.dataset import Dataset
from hdx.data.hdxobject import HDXError
from hdx.utilities.base_downloader import DownloadError

from opendtm.accounts.services.audit import Action, audit_record
from opendtm.core.errors import ApplicationError
from opendtm.publishing.exports.files import FORMATS
from opendtm.publishing.exports.hdx import (
    add_resource,
    missing,
    offline_configuration,
    round_dataset,
    upload_configuration,
)
from opendtm.publishing.selectors.tables import published_rounds
from opendtm.publishing.services.exports import (
    ExportFile,
    columns_of,
    export_levels,
    level_label,
    round_cache,
    round_file,
    round_summaries,
    series_build,
)
from opendtm.tracking.models import AssessmentType, Round


@dataclass(frozen=True)
class Package:
    dataset: Dataset
    folder: Path
    missing: list[str]  # fields HDX requires that the settings do not give
    withheld: str  # why the site-level files are left out, if they are


def package_files(round: Round) -> tuple[list[tuple[ExportFile, str]], set[str], str]:
    """The files with their descriptions, the levels they cover, and why the site level is
    left out, if it is."""
    files: list[tuple[ExportFile, str]] = []
    shared: set[str] = set()
    withheld = ""
    period = f"{round.period_start.isoformat()} - {round.period_end.isoformat()}"
    for level in export_levels(round):
        label = level_label(round, level)
        try:
            for format in FORMATS:
                found = round_file(round=round, level=level, format=format)
                files.append((found, f"{label}: {round} ({period}), HXL-tagged {format.upper()}."))
        except ApplicationError as error:  # the microdata gate
            withheld = error.message
            continue
        shared.add(level)
        kind = AssessmentType(round.assessment_type).label
        files.append(
            (
                series_build(round=round, level=level, format="csv"),
                f"{label}: every published {kind} round, one row per place and round, "
                "HXL-tagged CSV.",
            )
        )
    return files, shared, withheld


def package_notes(round: Round, shared: set[str], withheld: str) -> tuple[str, str]:
    """The dataset's description and its caveats: what was blanked in the levels shared."""
    operation = round.operation
    notes = (
        f"Figures of {round} of {operation.name} ({operation.country_name}), reference period "
        f"{round.period_start.isoformat()} to {round.period_end.isoformat()}: displaced people "
        "and their needs by place, with their sex and age where collected. HXL-tagged CSV and "
        "XLSX files with one row per place; the multi-round files have one row per place and "
        "round."
    )
    caveats = [
        f"{level_label(round, level)}: {summary.note}"
        for level, summary in round_summaries(round).items()
        if summary.note and level in shared
    ]
    if withheld:
        caveats.append(withheld)
    return notes, "\n\n".join(caveats)


def previous_published(round: Round) -> Round | None:
    earlier = [
        item
        for item in published_rounds([round.operation_id], round.assessment_type)
        if item.period_end < round.period_end
    ]
    return earlier[-1] if earlier else None


def disaggregated(round: Round) -> bool:
    columns = columns_of(round_cache(round), "admin1")
    return any(column.figure and (column.figure[1] or column.figure[2]) for column in columns)


def hdx_package_write(
    *, round: Round, folder: Path, configuration: Configuration | None = None
) -> Package:
    """Write the package into `folder`: dataset.json and the files."""
    with translation.override("en"):
        files, shared, withheld = package_files(round)
        notes, caveats = package_notes(round, shared, withheld)
        dataset = round_dataset(
            round=round,
            previous=previous_published(round),
            notes=notes,
            caveats=caveats,
            disaggregated=disaggregated(round),
            configuration=configuration or offline_configuration(),
        )
    folder.mkdir(parents=True, exist_ok=True)
    for found, description in files:
        target = folder / found.filename
        shutil.copyfile(found.path, target)
        add_resource(dataset, target, description)
    dataset.save_to_json(folder / "dataset.json")
    return Package(dataset, folder, missing(dataset), withheld)


def hdx_package_upload(*, round: Round, folder: Path) -> Package:
    """Write the package, then create or update the dataset on HDX with its files."""
    if not settings.OPENDTM_HDX_KEY:
        raise ApplicationError(
            _("No HDX key is configured, so the package was not uploaded."),
            hint=_("Set OPENDTM_HDX_KEY (and OPENDTM_HDX_SITE) to upload."),
        )
    package = hdx_package_write(round=round, folder=folder, configuration=upload_configuration())
    if package.missing:
        raise ApplicationError(
            _("HDX requires %(fields)s, which the package lacks.")
            % {"fields": ", ".join(package.missing)},
            hint=_("Set OPENDTM_HDX_ORGANIZATION and OPENDTM_HDX_MAINTAINER to HDX ids."),
        )
    try:
        package.dataset.create_in_hdx(remove_additional_resources=True)
    except (HDXError, DownloadError, requests.RequestException) as error:
        raise ApplicationError(
            _("HDX did not take the dataset: %(error)s") % {"error": error},
            hint=_("The package is in %(folder)s; try again later.") % {"folder": folder},
        ) from None
    audit_record(
        actor=None,
        operation=round.operation,
        action=Action.EXPORT,
        instance=round,
        note=f"HDX dataset {package.dataset['name']} on {settings.OPENDTM_HDX_SITE}",
    )
    return package
