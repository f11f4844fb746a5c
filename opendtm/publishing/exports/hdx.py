"""A published round described as an HDX dataset, with hdx-python-api's own objects.

The metadata are those HDX requires of a dataset (research/sharing.md §2.1): name, title,
notes, methodology, source, the reference period as dataset_date, the expected update
frequency, licence, organisation, maintainer, tags and country. Nothing here calls HDX: the
country comes from hdx-python-country's bundled data, the location list is that one country,
and the tags are written as HDX stores them, from HDX's approved "Topics" vocabulary, so the
library never downloads its lists. Organisation and maintainer are HDX ids from the settings;
without them the package can be written but not uploaded (see `missing`).
"""

from pathlib import Path

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _
from hdx.api.configuration import Configuration
from hdx.data.dataset import Dataset
from hdx.data.hdxobject import HDXError
from hdx.data.resource import Resource
from hdx.location.country import Country

from opendtm.core.errors import ApplicationError
from opendtm.tracking.models import AssessmentType, Round

# HDX's approved tag vocabulary ("Topics"), and tags from it (checked against HDX's list).
TOPICS_VOCABULARY = "b891512e-9516-4bf5-962a-7a289772a2a1"
TAGS = ("displacement", "forced displacement", "hxl", "internally displaced persons-idp")
SADD_TAG = "sex and age disaggregated data-sadd"
FREQUENCIES = (7, 14, 30, 60, 90, 120, 180, 365)  # days, as HDX's update frequencies
USER_AGENT = "opendtm"

# HDX's metadata are read in English: what follows is written for HDX, not translated.

METHODS = {
    AssessmentType.SITE: (
        "Site assessment, as in IOM's Displacement Tracking Matrix: at each displacement site, "
        "key informants are interviewed and the site is observed once per round; a figure "
        "above the site is the sum over the sites assessed."
    ),
    AssessmentType.BASELINE_AREA: (
        "Baseline area assessment, as in IOM's Displacement Tracking Matrix: key informants in "
        "each admin area estimate the displaced people living there, once per round; a figure "
        "above the area is the sum over the areas assessed."
    ),
    AssessmentType.EMERGENCY_EVENT: (
        "Emergency event tracking, as in IOM's Displacement Tracking Matrix: rapid counts, from "
        "key informants, of the people a sudden event displaced, where they arrived."
    ),
}


def offline_configuration() -> Configuration:
    """Read-only, keyless: an object of the library, not a connection."""
    return Configuration(
        hdx_site=settings.OPENDTM_HDX_SITE, user_agent=USER_AGENT, hdx_read_only=True
    )


def upload_configuration() -> Configuration:
    """With the key and a session to HDX: the one configuration that reaches the network."""
    configuration = Configuration(
        hdx_site=settings.OPENDTM_HDX_SITE,
        user_agent=USER_AGENT,
        hdx_key=settings.OPENDTM_HDX_KEY,
    )
    configuration.setup_session_remoteckan()
    # hdx-python-api checks tags against HDX's list through its global configuration only.
    Configuration.setup(configuration)
    return configuration


def dataset_name(round: Round) -> str:
    """HDX names are lowercase letters, digits, - and _, up to 100 characters."""
    return slugify(f"{round.operation.slug}-{round.assessment_type}-round-{round.number}")[:100]


def update_frequency(round: Round, previous: Round | None) -> str:
    """The HDX frequency nearest the time since the previous round (or this one's length)."""
    if previous is not None:
        days = (round.period_end - previous.period_end).days
    else:
        days = (round.period_end - round.period_start).days + 1
    return str(min(FREQUENCIES, key=lambda frequency: abs(frequency - days)))


def methodology(round: Round) -> str:
    return " ".join(
        [
            METHODS[AssessmentType(round.assessment_type)],
            f"Counts of people below {round.operation.suppression_threshold}, and the figures "
            "that would reveal them through a total, are blanked before publication; "
            "protection-sensitive indicators are never published.",
        ]
    )


def country_location(dataset: Dataset, iso3: str) -> None:
    name = Country.get_country_name_from_iso3(iso3, use_live=False)
    if name is None:
        raise ApplicationError(
            _("'%(iso3)s' is not a country HDX knows.") % {"iso3": iso3},
            hint=_("Correct the operation's country ISO3 code."),
        )
    dataset.add_country_location(
        iso3, locations=[{"name": iso3.lower(), "title": name}], use_live=False
    )


def round_dataset(
    *,
    round: Round,
    previous: Round | None,
    notes: str,
    caveats: str,
    disaggregated: bool,
    configuration: Configuration,
) -> Dataset:
    operation = round.operation
    dataset = Dataset(
        {
            "name": dataset_name(round),
            "title": f"{operation.country_name} - Displacement - {operation.name} - "
            f"{AssessmentType(round.assessment_type).label} round {round.number}",
            "notes": notes,
            "caveats": caveats,
            "dataset_source": operation.name,
            "methodology": "Other",
            "methodology_other": methodology(round),
            "license_id": settings.OPENDTM_HDX_LICENSE,
            "private": False,
        },
        configuration=configuration,
    )
    dataset.set_time_period(round.period_start.isoformat(), round.period_end.isoformat())
    dataset.set_expected_update_frequency(update_frequency(round, previous))
    dataset.set_subnational(True)
    country_location(dataset, operation.country_iso3)
    tags = [*TAGS, SADD_TAG] if disaggregated else list(TAGS)
    dataset["tags"] = [{"name": tag, "vocabulary_id": TOPICS_VOCABULARY} for tag in tags]
    try:
        if settings.OPENDTM_HDX_ORGANIZATION:
            dataset.set_organization(settings.OPENDTM_HDX_ORGANIZATION)
        if settings.OPENDTM_HDX_MAINTAINER:
            dataset.set_maintainer(settings.OPENDTM_HDX_MAINTAINER)
    except HDXError as error:
        raise ApplicationError(
            str(error),
            hint=_(
                "OPENDTM_HDX_ORGANIZATION and OPENDTM_HDX_MAINTAINER take the ids HDX gives an "
                "organisation and a user."
            ),
        ) from None
    return dataset


def add_resource(dataset: Dataset, path: Path, description: str) -> None:
    resource = Resource(
        {
            "name": path.name,
            "description": description,
            "format": path.suffix.lstrip("."),
            "url_type": "upload",
            "resource_type": "file.upload",
        },
        configuration=dataset.configuration,
    )
    resource.set_file_to_upload(str(path))
    dataset.add_update_resource(resource)


def missing(dataset: Dataset) -> list[str]:
    """The fields HDX requires that the dataset lacks (organisation and maintainer, unless
    the settings give them)."""
    required = dataset.configuration["dataset"]["required_fields"]
    return [name for name in required if dataset.data.get(name) in (None, "", [])]
