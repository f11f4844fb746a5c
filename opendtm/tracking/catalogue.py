"""The built-in DTM indicator catalogue, modelled on IOM's mobility-tracking tools.

Sources: research/dtm.md §1.5-1.6 (baseline and site assessment fields) and §3 (the GBV, CP
and CT indicators of DTM site forms). Counts of people are stocks; yes/no answers are flags,
counted over the places that answer yes; needs are ranks, counted over the places ranking a
sector first. Every protection-risk indicator is protection-sensitive: only protection roles
see it, and it never leaves in a public output.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    code: str
    label_en: str
    label_fr: str
    category: str
    unit: str
    hxl_tag: str
    aggregation: str
    by_sex: bool = False
    by_age: bool = False
    sensitivity: str = "public"
    sector: str = ""


def people(code: str, en: str, fr: str, tag: str, *, unit: str = "individuals", **kw: Any) -> Entry:
    return Entry(code, en, fr, kw.pop("category", "population"), unit, tag, "stock", **kw)


def need(sector: str, en: str, fr: str) -> Entry:
    return Entry(
        f"need_rank_{sector}",
        f"{en} ranked first need",
        f"{fr} : premier besoin",
        "needs",
        "places",
        f"#need+rank+{sector}",
        "rank",
        sector=sector,
    )


def service(code: str, en: str, fr: str, sector: str) -> Entry:
    return Entry(code, en, fr, "services", "places", f"#service+{sector}", "flag", sector=sector)


def risk(code: str, en: str, fr: str, area: str) -> Entry:
    return Entry(
        code,
        en,
        fr,
        "protection",
        "places",
        f"#risk+{area}+{code.removeprefix('pr_')}",
        "flag",
        sensitivity="protection",
        sector=area,
    )


CATALOGUE: tuple[Entry, ...] = (
    people(
        "idp_households", "IDP households", "Ménages PDI", "#affected+idps+hh", unit="households"
    ),
    people(
        "idp_individuals",
        "IDP individuals",
        "Personnes déplacées internes (PDI)",
        "#affected+idps+ind",
        by_sex=True,
        by_age=True,
    ),
    people(
        "returnee_households",
        "Returnee households",
        "Ménages retournés",
        "#affected+returnees+hh",
        unit="households",
    ),
    people(
        "returnee_individuals",
        "Returnee individuals",
        "Personnes retournées",
        "#affected+returnees+ind",
        by_sex=True,
        by_age=True,
    ),
    people("migrant_individuals", "Migrants", "Migrants", "#affected+migrants+ind"),
    people("host_individuals", "Host community", "Communauté hôte", "#population+host+ind"),
    people(
        "idp_reason_conflict",
        "IDPs displaced by conflict",
        "PDI déplacées par le conflit",
        "#affected+idps+ind+reason_conflict",
        category="origin",
    ),
    people(
        "idp_reason_disaster",
        "IDPs displaced by disaster",
        "PDI déplacées par une catastrophe",
        "#affected+idps+ind+reason_disaster",
        category="origin",
    ),
    people(
        "idp_reason_other",
        "IDPs displaced for other reasons",
        "PDI déplacées pour d'autres raisons",
        "#affected+idps+ind+reason_other",
        category="origin",
    ),
    people(
        "idp_origin_same_admin1",
        "IDPs from the same state",
        "PDI venant du même État",
        "#affected+idps+ind+origin_same_adm1",
        category="origin",
    ),
    people(
        "idp_origin_other_admin1",
        "IDPs from another state",
        "PDI venant d'un autre État",
        "#affected+idps+ind+origin_other_adm1",
        category="origin",
    ),
    need("shelter", "Shelter", "Abri"),
    need("nfi", "Non-food items", "Articles non alimentaires"),
    need("food", "Food", "Nourriture"),
    need("wash", "Water, sanitation and hygiene", "Eau, hygiène et assainissement"),
    need("health", "Health", "Santé"),
    need("education", "Education", "Éducation"),
    need("protection", "Protection", "Protection"),
    need("livelihoods", "Livelihoods", "Moyens de subsistance"),
    service("svc_drinking_water", "Drinking water on site", "Eau potable sur le site", "wash"),
    service(
        "svc_health_access", "Access to a health facility", "Accès à un centre de santé", "health"
    ),
    service(
        "svc_school_access", "Children attend school", "Les enfants vont à l'école", "education"
    ),
    service("svc_food_assistance", "Food assistance", "Assistance alimentaire", "food"),
    service("svc_market_access", "Access to a market", "Accès à un marché", "livelihoods"),
    service("svc_site_management", "Site management agency", "Agence de gestion du site", "cccm"),
    risk(
        "pr_lighting_inadequate",
        "Lighting inadequate in communal areas",
        "Éclairage insuffisant dans les espaces communs",
        "gbv",
    ),
    risk(
        "pr_latrines_not_separated",
        "Latrines not separated by sex",
        "Latrines non séparées par sexe",
        "gbv",
    ),
    risk(
        "pr_latrines_no_locks",
        "Latrines without locks inside",
        "Latrines sans verrou intérieur",
        "gbv",
    ),
    risk(
        "pr_no_women_on_committee",
        "No women on the site committee",
        "Aucune femme au comité du site",
        "gbv",
    ),
    risk(
        "pr_women_feel_unsafe",
        "Women do not feel safe",
        "Les femmes ne se sentent pas en sécurité",
        "gbv",
    ),
    risk(
        "pr_gbv_services_unknown",
        "GBV services not known",
        "Services VBG inconnus",
        "gbv",
    ),
    risk(
        "pr_security_incidents",
        "Security incidents reported",
        "Incidents de sécurité signalés",
        "protection",
    ),
    risk("pr_child_labour", "Child labour observed", "Travail des enfants observé", "cp"),
    risk(
        "pr_no_child_friendly_space",
        "No child-friendly space",
        "Aucun espace ami des enfants",
        "cp",
    ),
    risk(
        "pr_recruiters_visiting",
        "Recruiters visit the site",
        "Des recruteurs visitent le site",
        "ct",
    ),
)
