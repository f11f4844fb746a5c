"""A realistic 250-question DTM site-assessment form, and submissions for it.

The form follows the shape of IOM DTM site assessments: location, population by sex and age,
displacement, shelter, WASH, health, food, education, livelihoods and protection sections,
with a repeat of households interviewed. Submissions are filled with seeded random values and
come to about 10 KB of XML, like the ODK Central soak test's 250-question form.
"""

import io
import random
import uuid

from openpyxl import Workbook

FORM_ID = "bench_site_assessment"
SECTIONS = [
    "location",
    "population",
    "displacement",
    "shelter",
    "wash",
    "health",
    "food",
    "education",
    "livelihoods",
    "protection",
    "services",
    "communication",
]
AGE_BANDS = ["0_4", "5_17", "18_59", "60plus"]
NEEDS = ["shelter", "nfi", "food", "wash", "health", "education", "protection", "livelihoods"]
HOUSEHOLD_QUESTIONS = 8


def survey_rows() -> list[list[str]]:
    """(type, name, label) rows: 250 questions across groups and one repeat."""
    rows = [["text", "site_code", "Site code"], ["text", "pcode", "Admin area p-code"]]
    for sex in ("f", "m"):
        for band in AGE_BANDS:
            rows.append(["integer", f"idp_{sex}_{band}", f"IDPs {sex} {band}"])
    rows += [
        ["integer", "idp_households", "IDP households"],
        ["integer", "idp_individuals", "IDP individuals"],
    ]
    rows.append(["select_multiple needs", "top_needs", "Top needs"])
    number = 0
    while len(rows) < 250 - HOUSEHOLD_QUESTIONS:
        section = SECTIONS[number % len(SECTIONS)]
        kind = ["integer", "select_one yn", "text", "decimal", "select_one level"][number % 5]
        rows.append([kind, f"{section}_q{number:03d}", f"{section.title()} question {number}"])
        number += 1
    grouped: list[list[str]] = []
    for section in SECTIONS:
        members = [row for row in rows[13:] if row[1].startswith(section + "_")]
        grouped += [["begin_group", section, section.title()], *members, ["end_group", "", ""]]
    household = [["begin_repeat", "household", "Households interviewed"]]
    household += [
        ["integer", f"hh_q{index}", f"Household question {index}"]
        for index in range(HOUSEHOLD_QUESTIONS)
    ]
    household.append(["end_repeat", "", ""])
    return rows[:13] + grouped + household


def xlsform_bytes(version: str = "2026112301") -> bytes:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    for row in survey_rows():
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for name in NEEDS:
        choices.append(["needs", name, name.upper()])
    for name in ("yes", "no"):
        choices.append(["yn", name, name.title()])
    for name in ("none", "some", "most", "all"):
        choices.append(["level", name, name.title()])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["DTM site assessment (benchmark)", FORM_ID, version])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def value(kind: str, rng: random.Random) -> str:
    if kind == "integer":
        return str(rng.randint(0, 5000))
    if kind == "decimal":
        return f"{rng.uniform(0, 100):.2f}"
    if kind == "select_one yn":
        return rng.choice(["yes", "no"])
    if kind == "select_one level":
        return rng.choice(["none", "some", "most", "all"])
    if kind == "select_multiple needs":
        return " ".join(rng.sample(NEEDS, 3))
    return rng.choice(["Bakassi", "Dalori", "Muna Garage", "Gubio", "Teachers Village"]) + (
        f" {rng.randint(1, 99)}"
    )


def submission_xml(seed: int, version: str = "2026112301", households: int = 4) -> bytes:
    """One instance of the form: about 10 KB, unique instanceID, values seeded by `seed`."""
    rng = random.Random(seed)
    parts = [f'<data id="{FORM_ID}" version="{version}">']
    group = ""
    for kind, name, _label in survey_rows():
        if kind == "begin_group":
            parts.append(f"<{name}>")
            group = name
        elif kind == "end_group":
            parts.append(f"</{group}>")
        elif kind == "begin_repeat":
            parts += [household_xml(rng) for _ in range(households)]
            break
        else:
            parts.append(f"<{name}>{value(kind, rng)}</{name}>")
    instance_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    parts.append(f"<meta><instanceID>uuid:{instance_id}</instanceID></meta></data>")
    return "".join(parts).encode()


def household_xml(rng: random.Random) -> str:
    answers = "".join(
        f"<hh_q{index}>{rng.randint(0, 12)}</hh_q{index}>" for index in range(HOUSEHOLD_QUESTIONS)
    )
    return f"<household>{answers}</household>"
