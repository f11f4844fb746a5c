"""Questions and choice lists both DTM forms share: the place, the key informant, needs.

Places are chosen from lists the server writes for each operation when it installs a form
(admin1.csv, admin2.csv, sites.csv: see tracking/services/form_templates.py), filtered by
the level above. Their names are the p-codes and site codes that collection's parsing
reads (adm2_pcode names the admin area, site_code the site).
"""

from opendtm.tracking.forms.xlsform import Row, choices, group, question

NEEDS = [
    ("shelter", "Shelter", "Abri"),
    ("nfi", "Non-food items", "Articles non alimentaires"),
    ("food", "Food", "Nourriture"),
    ("wash", "Water, sanitation and hygiene", "Eau, hygiène et assainissement"),
    ("health", "Health", "Santé"),
    ("education", "Education", "Éducation"),
    ("protection", "Protection", "Protection"),
    ("livelihoods", "Livelihoods", "Moyens de subsistance"),
]
NOT_FUTURE = (
    "The date cannot be in the future.",
    "La date ne peut pas être dans le futur.",
)
NOT_NEGATIVE = ("Enter 0 or more.", "Saisissez 0 ou plus.")


def metadata() -> list[Row]:
    return [question("start", "start"), question("end", "end"), question("today", "today")]


def place(*, with_site: bool) -> list[Row]:
    rows = [
        question(
            "date",
            "assessment_date",
            ("Date of the assessment", "Date de l'évaluation"),
            required="yes",
            constraint=". <= today()",
            constraint_message=NOT_FUTURE,
        ),
        question(
            "select_one_from_file admin1.csv",
            "adm1_pcode",
            ("State or region (admin 1)", "État ou région (admin 1)"),
            required="yes",
            appearance="minimal",
        ),
        question(
            "select_one_from_file admin2.csv",
            "adm2_pcode",
            ("LGA or district (admin 2)", "LGA ou département (admin 2)"),
            required="yes",
            appearance="minimal",
            choice_filter="admin1=${adm1_pcode}",
        ),
    ]
    if with_site:
        rows.append(
            question(
                "select_one_from_file sites.csv",
                "site_code",
                ("Site", "Site"),
                hint=(
                    "Sites of the LGA in the master list. A site missing here must be added to "
                    "the list first.",
                    "Sites de la LGA dans la liste de référence. Un site absent doit d'abord y "
                    "être ajouté.",
                ),
                required="yes",
                appearance="minimal",
                choice_filter="admin2=${adm2_pcode}",
            )
        )
    return group("location", ("Location assessed", "Lieu évalué"), rows)


def key_informant() -> list[Row]:
    return group(
        "informant",
        ("Key informant", "Informateur clé"),
        [
            question(
                "select_one informant_type",
                "ki_type",
                ("Who is the main key informant?", "Qui est l'informateur clé principal ?"),
                required="yes",
            ),
            question(
                "select_one sex",
                "ki_sex",
                ("Sex of the main key informant", "Sexe de l'informateur clé principal"),
                required="yes",
            ),
            question(
                "integer",
                "ki_count",
                ("How many key informants were interviewed?", "Combien d'informateurs clés ?"),
                required="yes",
                constraint=". >= 1 and . <= 20",
                constraint_message=("Between 1 and 20.", "Entre 1 et 20."),
            ),
        ],
    )


def needs() -> list[Row]:
    """Three needs ranked; each maps the chosen sector to need_rank_<sector> at its rank."""
    ranks = [
        ("need_1", ("First need", "Premier besoin"), ""),
        ("need_2", ("Second need", "Deuxième besoin"), ". != ${need_1}"),
        ("need_3", ("Third need", "Troisième besoin"), ". != ${need_1} and . != ${need_2}"),
    ]
    return group(
        "needs",
        ("Needs by sector", "Besoins par secteur"),
        [
            question(
                "select_one sector",
                name,
                label,
                required="yes",
                constraint=constraint,
                constraint_message=(
                    ("Choose a sector not ranked yet.", "Choisissez un secteur pas encore classé.")
                    if constraint
                    else ("", "")
                ),
                indicator="need_rank_*",
                indicator_value=str(rank),
            )
            for rank, (name, label, constraint) in enumerate(ranks, 1)
        ],
    )


def remarks() -> list[Row]:
    return [question("text", "remarks", ("Remarks", "Remarques"), appearance="multiline")]


def yes_no(name: str, label: tuple[str, str], indicator: str, means: str, **columns: str) -> Row:
    """A yes/no question whose answer `means` sets the (yes/no) indicator."""
    return question(
        "select_one yn",
        name,
        label,
        required="yes",
        indicator=indicator,
        indicator_value=means,
        **columns,
    )


SHARED_CHOICES = [
    *choices("yn", [("yes", "Yes", "Oui"), ("no", "No", "Non")]),
    *choices("sex", [("f", "Female", "Femme"), ("m", "Male", "Homme")]),
    *choices("sector", NEEDS),
    *choices(
        "informant_type",
        [
            ("community_leader", "Community leader", "Leader communautaire"),
            ("religious_leader", "Religious leader", "Leader religieux"),
            ("local_authority", "Local authority", "Autorité locale"),
            ("idp_representative", "IDP representative", "Représentant des PDI"),
            ("host_representative", "Host community representative", "Représentant des hôtes"),
            ("humanitarian", "Humanitarian worker", "Travailleur humanitaire"),
            ("other", "Other", "Autre"),
        ],
    ),
]
