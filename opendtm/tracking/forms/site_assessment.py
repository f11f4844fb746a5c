"""The site assessment (DTM MSLA): one site, asked of key informants and observed.

Modelled on IOM DTM's multi-sectoral location assessment: the site's type and management,
IDP households and individuals by sex and age band, the needs ranked by sector, services
and access, and the GBV, child protection and counter-trafficking risk questions DTM asks
about the site (never about a person).

The eight sex-and-age counts are typed; the totals by sex and by age band are calculated
from them, and the last count checks that they add up to the individuals.
"""

from typing import Any

from opendtm.tracking.forms.common import (
    SHARED_CHOICES,
    key_informant,
    metadata,
    needs,
    place,
    remarks,
    yes_no,
)
from opendtm.tracking.forms.xlsform import Row, Sheets, choices, group, question

FORM_ID = "dtm_site_assessment"
VERSION = "2026110101"
TITLE = "DTM site assessment (MSLA)"
# The operation's default age bands (TrackingSettings.DEFAULT_AGE_BANDS), as the mapping
# names them, with the field-name suffix and the words for each sex.
# fmt: off
AGES = [
    ("0-4", "0_4", ("Girls aged 0-4", "Filles de 0 à 4 ans"), ("Boys aged 0-4", "Garçons de 0 à 4 ans")),
    ("5-17", "5_17", ("Girls aged 5-17", "Filles de 5 à 17 ans"), ("Boys aged 5-17", "Garçons de 5 à 17 ans")),
    ("18-59", "18_59", ("Women aged 18-59", "Femmes de 18 à 59 ans"), ("Men aged 18-59", "Hommes de 18 à 59 ans")),
    ("60+", "60", ("Women aged 60 and over", "Femmes de 60 ans et plus"), ("Men aged 60 and over", "Hommes de 60 ans et plus")),
]
# fmt: on
AGE_BANDS = [band for band, *_rest in AGES]
CELLS = [f"idp_{sex}_{suffix}" for _band, suffix, *_rest in AGES for sex in "fm"]


def site() -> list[Row]:
    return group(
        "site",
        ("The site", "Le site"),
        [
            question(
                "select_one site_type",
                "site_type",
                ("Type of site", "Type de site"),
                required="yes",
            ),
            yes_no(
                "management",
                ("Is there a site management agency?", "Y a-t-il une agence de gestion du site ?"),
                "svc_site_management",
                "yes",
            ),
            question(
                "select_one agency",
                "management_agency",
                ("Which agency manages the site?", "Quelle agence gère le site ?"),
                required="yes",
                relevant="${management} = 'yes'",
            ),
        ],
    )


def total(name: str, parts: list[str], **mapping: Any) -> Row:
    return question(
        "calculate",
        name,
        calculation=" + ".join(f"${{{part}}}" for part in parts),
        indicator="idp_individuals",
        **mapping,
    )


def population() -> list[Row]:
    cells = []
    for band, suffix, *words in AGES:
        for sex, label in zip("fm", words, strict=True):
            cells.append(
                question(
                    "integer",
                    f"idp_{sex}_{suffix}",
                    label,
                    required="yes",
                    constraint=". >= 0",
                    constraint_message=("Enter 0 or more.", "Saisissez 0 ou plus."),
                    indicator="idp_individuals",
                    indicator_sex=sex,
                    indicator_age=band,
                )
            )
    last = cells[-1]
    last["constraint"] = f"{' + '.join(f'${{{cell}}}' for cell in CELLS[:-1])} + . = ${{idp_ind}}"
    last["constraint_message::English (en)"] = (
        "The eight counts by sex and age must add up to the IDP individuals (${idp_ind})."
    )
    last["constraint_message::French (fr)"] = (
        "Les huit nombres par sexe et âge doivent totaliser les personnes PDI (${idp_ind})."
    )
    return group(
        "population",
        ("IDPs living on the site", "PDI vivant sur le site"),
        [
            question(
                "integer",
                "idp_hh",
                ("IDP households", "Ménages PDI"),
                required="yes",
                constraint=". >= 1",
                constraint_message=("At least 1.", "Au moins 1."),
                indicator="idp_households",
            ),
            question(
                "integer",
                "idp_ind",
                ("IDP individuals", "Personnes PDI"),
                required="yes",
                constraint=". >= ${idp_hh} and . <= ${idp_hh} * 15",
                constraint_message=(
                    "Between 1 and 15 people per household: check the households and the "
                    "individuals.",
                    "Entre 1 et 15 personnes par ménage : vérifiez les ménages et les personnes.",
                ),
                indicator="idp_individuals",
            ),
            *cells,
            total("idp_f", [f"idp_f_{suffix}" for _b, suffix, *_w in AGES], indicator_sex="f"),
            total("idp_m", [f"idp_m_{suffix}" for _b, suffix, *_w in AGES], indicator_sex="m"),
            *(
                total(
                    f"idp_age_{suffix}", [f"idp_f_{suffix}", f"idp_m_{suffix}"], indicator_age=band
                )
                for band, suffix, *_w in AGES
            ),
        ],
    )


# (name, English, French, indicator, the answer that sets it)
# fmt: off
SERVICES = [
    ("water", "Is drinking water available on the site?", "Y a-t-il de l'eau potable sur le site ?", "svc_drinking_water", "yes"),
    ("health", "Can residents reach a health facility?", "Les résidents ont-ils accès à un centre de santé ?", "svc_health_access", "yes"),
    ("school", "Do most children go to school?", "La plupart des enfants vont-ils à l'école ?", "svc_school_access", "yes"),
    ("food", "Was food distributed in the last month?", "Y a-t-il eu une distribution de nourriture le mois dernier ?", "svc_food_assistance", "yes"),
    ("market", "Can residents reach a market?", "Les résidents ont-ils accès à un marché ?", "svc_market_access", "yes"),
]
RISKS = [
    ("lighting", "Is lighting adequate in communal areas at night (latrines, water points)?", "L'éclairage est-il suffisant la nuit dans les espaces communs (latrines, points d'eau) ?", "pr_lighting_inadequate", "no"),
    ("latrines_separated", "Are latrines separated for women and men?", "Les latrines sont-elles séparées pour les femmes et les hommes ?", "pr_latrines_not_separated", "no"),
    ("latrines_lock", "Do latrines lock from the inside?", "Les latrines ferment-elles de l'intérieur ?", "pr_latrines_no_locks", "no"),
    ("women_committee", "Are women members of the site committee?", "Des femmes siègent-elles au comité du site ?", "pr_no_women_on_committee", "no"),
    ("women_safe", "Do women and girls say they feel safe on the site?", "Les femmes et les filles disent-elles se sentir en sécurité sur le site ?", "pr_women_feel_unsafe", "no"),
    ("gbv_services", "Do residents know where to get help after gender-based violence?", "Les résidents savent-ils où trouver de l'aide après une violence basée sur le genre ?", "pr_gbv_services_unknown", "no"),
    ("incidents", "Were security incidents reported in the last month?", "Des incidents de sécurité ont-ils été signalés le mois dernier ?", "pr_security_incidents", "yes"),
    ("child_labour", "Are children seen working for money or goods?", "Voit-on des enfants travailler pour de l'argent ou des biens ?", "pr_child_labour", "yes"),
    ("child_space", "Is there a child-friendly space?", "Y a-t-il un espace ami des enfants ?", "pr_no_child_friendly_space", "no"),
    ("recruiters", "Do people visit the site offering work or travel elsewhere?", "Des personnes viennent-elles proposer du travail ou un voyage ailleurs ?", "pr_recruiters_visiting", "yes"),
]
# fmt: on


def services() -> list[Row]:
    return group(
        "services",
        ("Services and access", "Services et accès"),
        [yes_no(name, (en, fr), code, means) for name, en, fr, code, means in SERVICES],
    )


def protection() -> list[Row]:
    """GBV, CP and CT risks of the site; each indicator is set by the risky answer."""
    note = (
        "Ask about the site, never about a person. Record no names or stories.",
        "Posez les questions sur le site, jamais sur une personne. N'enregistrez ni nom ni récit.",
    )
    return group(
        "protection",
        ("Protection risks (GBV, CP, CT)", "Risques de protection (VBG, PE, LTE)"),
        [
            question("note", "protection_note", note),
            *(yes_no(name, (en, fr), code, means) for name, en, fr, code, means in RISKS),
        ],
    )


SITE_TYPES = [
    ("camp", "Camp", "Camp"),
    ("collective_centre", "Collective centre", "Centre collectif"),
    ("informal_settlement", "Informal settlement", "Site informel"),
    ("host_community", "Host community", "Communauté hôte"),
    ("transit_centre", "Transit centre", "Centre de transit"),
    ("other", "Other", "Autre"),
]
AGENCIES = [
    ("government", "Government", "Gouvernement"),
    ("un", "UN agency", "Agence des Nations unies"),
    ("international_ngo", "International NGO", "ONG internationale"),
    ("national_ngo", "National NGO", "ONG nationale"),
    ("community", "Community committee", "Comité communautaire"),
]


def sheets() -> Sheets:
    return {
        "survey": [
            *metadata(),
            *place(with_site=True),
            *key_informant(),
            *site(),
            *population(),
            *needs(),
            *services(),
            *protection(),
            *remarks(),
        ],
        "choices": [
            *SHARED_CHOICES,
            *choices("site_type", SITE_TYPES),
            *choices("agency", AGENCIES),
        ],
        "settings": [
            {
                "form_title": TITLE,
                "form_id": FORM_ID,
                "version": VERSION,
                "default_language": "English (en)",
                "instance_name": "concat('SA ', ${site_code}, ' ', ${assessment_date})",
            }
        ],
    }
