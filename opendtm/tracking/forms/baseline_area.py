"""The baseline area assessment (DTM B1): one LGA (admin 2), asked of key informants.

Modelled on IOM DTM's mobility-tracking baseline ("location assessment") tools: presence and
numbers of IDP and returnee households and individuals, the host community, migrants, where
IDPs came from, why they fled and when they arrived, and the needs ranked by sector.
"""

from typing import Any

from opendtm.tracking.forms.common import (
    NOT_NEGATIVE,
    SHARED_CHOICES,
    key_informant,
    metadata,
    needs,
    place,
    remarks,
)
from opendtm.tracking.forms.xlsform import Row, Sheets, Texts, choices, group, question

FORM_ID = "dtm_baseline_area"
VERSION = "2026110101"
TITLE = "DTM baseline area assessment (B1)"
HOUSEHOLD_SIZE = (
    "Between 1 and 15 people per household: check the households and the individuals.",
    "Entre 1 et 15 personnes par ménage : vérifiez les ménages et les personnes.",
)


def count(name: str, label: Texts, indicator: str = "", **columns: Any) -> Row:
    columns.setdefault("constraint", ". >= 0")
    columns.setdefault("constraint_message", NOT_NEGATIVE)
    return question("integer", name, label, required="yes", indicator=indicator, **columns)


def population(prefix: str, code: str, asked: Texts, households: Texts, people: Texts) -> list[Row]:
    """Presence, then households and individuals of IDPs or returnees."""
    present = f"${{{prefix}_present}} = 'yes'"
    return [
        question("select_one yn", f"{prefix}_present", asked, required="yes"),
        count(
            f"{prefix}_hh",
            households,
            f"{code}_households",
            relevant=present,
            constraint=". >= 1",
            constraint_message=("At least 1.", "Au moins 1."),
        ),
        count(
            f"{prefix}_ind",
            people,
            f"{code}_individuals",
            relevant=present,
            constraint=f". >= ${{{prefix}_hh}} and . <= ${{{prefix}_hh}} * 15",
            constraint_message=HOUSEHOLD_SIZE,
        ),
    ]


def idps() -> list[Row]:
    present = "${idp_present} = 'yes'"
    return group(
        "idps",
        ("Internally displaced persons (IDPs)", "Personnes déplacées internes (PDI)"),
        [
            *population(
                "idp",
                "idp",
                ("Are there IDPs in this LGA?", "Y a-t-il des PDI dans cette LGA ?"),
                ("IDP households", "Ménages PDI"),
                ("IDP individuals", "Personnes PDI"),
            ),
            count(
                "idp_origin_same",
                ("IDPs from this state", "PDI venant de cet État"),
                "idp_origin_same_admin1",
                relevant=present,
            ),
            count(
                "idp_origin_other",
                ("IDPs from another state", "PDI venant d'un autre État"),
                "idp_origin_other_admin1",
                relevant=present,
                constraint=". + ${idp_origin_same} <= ${idp_ind}",
                constraint_message=(
                    "IDPs by origin cannot be more than the IDP individuals (${idp_ind}).",
                    "Les PDI par origine ne peuvent dépasser le total des PDI (${idp_ind}).",
                ),
            ),
            count(
                "idp_reason_conflict",
                ("IDPs displaced by conflict", "PDI déplacées par le conflit"),
                "idp_reason_conflict",
                relevant=present,
            ),
            count(
                "idp_reason_disaster",
                ("IDPs displaced by a natural disaster", "PDI déplacées par une catastrophe"),
                "idp_reason_disaster",
                relevant=present,
            ),
            count(
                "idp_reason_other",
                ("IDPs displaced for other reasons", "PDI déplacées pour d'autres raisons"),
                "idp_reason_other",
                relevant=present,
                constraint=". + ${idp_reason_conflict} + ${idp_reason_disaster} = ${idp_ind}",
                constraint_message=(
                    "The three reasons must add up to the IDP individuals (${idp_ind}).",
                    "Les trois raisons doivent totaliser les PDI (${idp_ind}).",
                ),
            ),
            question(
                "select_one arrival",
                "idp_arrival",
                ("When did most IDPs arrive?", "Quand la plupart des PDI sont-elles arrivées ?"),
                required="yes",
                relevant=present,
            ),
        ],
    )


def others() -> list[Row]:
    return [
        *group(
            "returnees",
            ("Returnees", "Personnes retournées"),
            population(
                "ret",
                "returnee",
                (
                    "Have IDPs returned to this LGA?",
                    "Des personnes déplacées sont-elles retournées dans cette LGA ?",
                ),
                ("Returnee households", "Ménages retournés"),
                ("Returnee individuals", "Personnes retournées"),
            ),
        ),
        *group(
            "others",
            ("Host community and migrants", "Communauté hôte et migrants"),
            [
                count(
                    "host_ind",
                    ("Host community: individuals", "Communauté hôte : personnes"),
                    "host_individuals",
                ),
                count(
                    "migrant_ind",
                    ("Migrants from other countries: individuals", "Migrants d'autres pays"),
                    "migrant_individuals",
                ),
            ],
        ),
    ]


ARRIVAL = [
    ("under_6_months", "Less than 6 months ago", "Il y a moins de 6 mois"),
    ("6_12_months", "6 to 12 months ago", "Il y a 6 à 12 mois"),
    ("1_2_years", "1 to 2 years ago", "Il y a 1 à 2 ans"),
    ("2_5_years", "2 to 5 years ago", "Il y a 2 à 5 ans"),
    ("over_5_years", "More than 5 years ago", "Il y a plus de 5 ans"),
]


def sheets() -> Sheets:
    return {
        "survey": [
            *metadata(),
            *place(with_site=False),
            *key_informant(),
            *idps(),
            *others(),
            *needs(),
            *remarks(),
        ],
        "choices": [*SHARED_CHOICES, *choices("arrival", ARRIVAL)],
        "settings": [
            {
                "form_title": TITLE,
                "form_id": FORM_ID,
                "version": VERSION,
                "default_language": "English (en)",
                "instance_name": "concat('BA ', ${adm2_pcode}, ' ', ${assessment_date})",
            }
        ],
    }
