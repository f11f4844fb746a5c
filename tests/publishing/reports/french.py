"""The report's own strings in French, as the lead adds them to the project's catalogue,
compiled here into a catalogue of the test's own so the French report can be checked now."""

import struct
from pathlib import Path

FRENCH = {
    "Displacement situation report": "Rapport de situation sur les déplacements",
    "round %(number)s": "cycle %(number)s",
    "made on %(date)s": "établi le %(date)s",
    "Sites assessed": "Sites évalués",
    "Areas assessed": "Zones évaluées",
    "IDPs by %(level)s": "PDI par %(level)s",
    "No boundaries are loaded for this level, so there is no map.": (
        "Aucune limite n'est chargée pour ce niveau : pas de carte."
    ),
    "IDPs over the rounds": "PDI au fil des cycles",
    "IDPs by sex and age": "PDI par sexe et par âge",
    "This round did not count IDPs by sex.": "Ce cycle n'a pas compté les PDI par sexe.",
    "Top needs by sector": "Principaux besoins par secteur",
    "No first needs were recorded in this round.": (
        "Aucun besoin prioritaire n'a été relevé dans ce cycle."
    ),
    "%(level)s areas with the most IDPs": "Zones (%(level)s) comptant le plus de PDI",
    "IDPs": "PDI",
    "Methodology": "Méthodologie",
    "blanked": "masqué",
    "The first published round of this type.": "Premier cycle publié de ce type.",
    "Not comparable with round %(number)d.": "Non comparable au cycle %(number)d.",
    "%(change)s since round %(number)d": "%(change)s depuis le cycle %(number)d",
    "%(number)s%%": "%(number)s\u00a0%%",
    "%(assessed)s place was assessed.\x00%(assessed)s places were assessed.": (
        "%(assessed)s lieu a été évalué.\x00%(assessed)s lieux ont été évalués."
    ),
    "%(assessed)s of the %(expected)s open sites were assessed (%(percent)s).": (
        "%(assessed)s des %(expected)s sites ouverts ont été évalués (%(percent)s)."
    ),
    "%(assessed)s of the %(expected)s areas were assessed (%(percent)s).": (
        "%(assessed)s des %(expected)s zones ont été évaluées (%(percent)s)."
    ),
    "%(count)s of them were not assessed in the previous round.": (
        "%(count)s d'entre eux n'avaient pas été évalués au cycle précédent."
    ),
    "Round %(number)d, %(type)s: reference period from %(start)s to %(end)s, published on "
    "%(published)s (revision %(revision)d).": (
        "Cycle %(number)d, %(type)s : période de référence du %(start)s au %(end)s, publié "
        "le %(published)s (révision %(revision)d)."
    ),
    "Enumerators collected the figures from key informants at each place assessed, and every "
    "assessment was reviewed before the round was published.": (
        "Les enquêteurs ont recueilli les chiffres auprès d'informateurs clés dans chaque lieu "
        "évalué, et chaque évaluation a été vérifiée avant la publication du cycle."
    ),
    "Counts of people are added up over places, never over rounds: each round stands on its "
    "own, and changes are measured against the previous published round of the same type.": (
        "Les effectifs s'additionnent d'un lieu à l'autre, jamais d'un cycle à l'autre : "
        "chaque cycle se suffit à lui-même, et les évolutions sont mesurées par rapport au "
        "cycle publié précédent du même type."
    ),
    "To protect the people counted, figures below %(threshold)d people, and those that would "
    "reveal them through a total, are not published.": (
        "Pour protéger les personnes recensées, les chiffres inférieurs à %(threshold)d "
        "personnes, et ceux qui permettraient de les retrouver par un total, ne sont pas "
        "publiés."
    ),
    "The boundaries and names shown and the designations used in this report do not imply "
    "official endorsement or acceptance by the organisations publishing it. Figures are "
    "estimates from key informants and may be revised in later rounds.": (
        "Les frontières et les noms indiqués ainsi que les désignations employées dans ce "
        "rapport n'impliquent ni reconnaissance ni acceptation officielles de la part des "
        "organisations qui le publient. Les chiffres sont des estimations fournies par des "
        "informateurs clés et peuvent être révisés lors des cycles suivants."
    ),
    "%(start)s to %(end)s": "du %(start)s au %(end)s",
    "All ages": "Tous âges",
    "%(sex)s, %(age)s: %(value)s": "%(sex)s, %(age)s : %(value)s",
    "Round %(number)d: %(value)s": "Cycle %(number)d : %(value)s",
    "%(need)s: %(places)s place\x00%(need)s: %(places)s places": (
        "%(need)s : %(places)s lieu\x00%(need)s : %(places)s lieux"
    ),
    "Share of places naming it their first need": "Part des lieux qui en font leur premier besoin",
    "Blanked (small count)": "Masqué (petit effectif)",
    "No figures": "Pas de chiffres",
    "%(place)s: %(value)s": "%(place)s : %(value)s",
    "%(level)s, round %(number)d: %(note)s": "%(level)s, cycle %(number)d : %(note)s",
    # The public tables' note (publishing/selectors/tables.py), which the report prints.
    "%(count)d figures below %(threshold)d people, and those that would reveal them through a "
    "total, are blanked to protect the people counted.": (
        "%(count)d chiffres inférieurs à %(threshold)d personnes, et ceux qui permettraient de "
        "les retrouver par un total, sont masqués pour protéger les personnes recensées."
    ),
}

HEADER = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n"


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU gettext catalogue: a header, the two tables of (length, offset), the strings."""
    entries = sorted({"": HEADER, **messages}.items())
    count = len(entries)
    strings_at = 28 + 16 * count
    tables, data = [], b""
    for column in (0, 1):
        for entry in entries:
            raw = entry[column].encode("utf-8")
            tables.append(struct.pack("<2I", len(raw), strings_at + len(data)))
            data += raw + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, 28, 28 + 8 * count, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + b"".join(tables) + data)
