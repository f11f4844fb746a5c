"""What the demo's enumerators answer: one filled DTM form per LGA or site and round, as XML.

Answers follow the world (world.py) and the shipped forms' questions; sex and age split the
individuals the way displaced populations usually do (more women than men among adults,
about half children), and households hold five people or so. Each answer is drawn from a
Random seeded by the place and the round, so a place answers the same in every run.
"""

import datetime
import uuid
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from opendtm.tracking.demo.world import Lga, Place, World, rng
from opendtm.tracking.forms import site_assessment
from opendtm.tracking.forms.common import NEEDS

Answers = dict[str, Any]
AGE_SHARES = {"0_4": 0.17, "5_17": 0.36, "18_59": 0.41, "60": 0.06}
FEMALE_SHARES = {"0_4": 0.50, "5_17": 0.51, "18_59": 0.58, "60": 0.56}
SECTORS = [name for name, _en, _fr in NEEDS]
NEED_WEIGHTS = {  # how often a sector comes first in Borno's assessments
    "food": 9,
    "shelter": 6,
    "nfi": 5,
    "wash": 4,
    "health": 3,
    "livelihoods": 3,
    "education": 1,
    "protection": 1,
}
SERVICE_ODDS = {"water": 0.75, "health": 0.65, "school": 0.45, "food": 0.6, "market": 0.7}
RISK_ODDS = {  # the odds that the answer is the risky one (see the form's RISKS)
    "lighting": 0.55,
    "latrines_separated": 0.35,
    "latrines_lock": 0.45,
    "women_committee": 0.4,
    "women_safe": 0.25,
    "gbv_services": 0.45,
    "incidents": 0.2,
    "child_labour": 0.3,
    "child_space": 0.6,
    "recruiters": 0.1,
}
RISKY = {name: means for name, _en, _fr, _code, means in site_assessment.RISKS}
INFORMANTS = ["community_leader", "religious_leader", "local_authority", "idp_representative"]


def split(total: int, draw: Any) -> dict[str, int]:
    """The eight sex-and-age counts adding up to `total` (largest remainders)."""
    shares = {}
    for band, share in AGE_SHARES.items():
        weight = share * draw.uniform(0.9, 1.1)
        female = FEMALE_SHARES[band] * draw.uniform(0.96, 1.04)
        shares[f"idp_f_{band}"], shares[f"idp_m_{band}"] = weight * female, weight * (1 - female)
    scale = total / sum(shares.values())
    exact = {cell: share * scale for cell, share in shares.items()}
    counts = {cell: int(value) for cell, value in exact.items()}
    short = total - sum(counts.values())
    for cell in sorted(exact, key=lambda cell: counts[cell] - exact[cell])[:short]:
        counts[cell] += 1
    return {cell: counts[cell] for cell in site_assessment.CELLS}


def totals(cells: Mapping[str, int]) -> dict[str, int]:
    """The form's calculated totals, by sex and by age band."""
    bands = [suffix for _band, suffix, *_words in site_assessment.AGES]
    found = {sex: sum(cells[f"idp_{sex}_{band}"] for band in bands) for sex in ("f", "m")}
    return {
        "idp_f": found["f"],
        "idp_m": found["m"],
        **{f"idp_age_{band}": cells[f"idp_f_{band}"] + cells[f"idp_m_{band}"] for band in bands},
    }


def needs(draw: Any, wave: bool) -> Answers:
    weights = dict(NEED_WEIGHTS)
    if wave:  # new arrivals need a roof and the basics first
        weights.update(shelter=14, nfi=9)
    chosen: list[str] = []
    while len(chosen) < 3:
        pick = draw.choices(SECTORS, [weights[sector] for sector in SECTORS])[0]
        if pick not in chosen:
            chosen.append(pick)
    return {f"need_{rank}": sector for rank, sector in enumerate(chosen, 1)}


def stamps(day: datetime.date, draw: Any) -> Answers:
    start = datetime.datetime.combine(day, datetime.time(8, 0)) + datetime.timedelta(
        minutes=draw.randint(0, 480)
    )
    end = start + datetime.timedelta(minutes=draw.randint(25, 70))
    return {
        "start": f"{start.isoformat()}.000+01:00",
        "end": f"{end.isoformat()}.000+01:00",
        "today": day.isoformat(),
    }


def informant(draw: Any) -> Answers:
    return {
        "ki_type": draw.choice(INFORMANTS),
        "ki_sex": "f" if draw.random() < 0.35 else "m",
        "ki_count": str(draw.randint(2, 5)),
    }


def site_answers(
    world: World, place: Place, index: int, day: datetime.date, copy: int = 0
) -> Answers:
    """A site assessment; `copy` > 0 is another team's assessment of the same site."""
    draw = rng(world.seed, "sa", place.code, index, copy)
    traits = rng(world.seed, "sa traits", place.code)
    people = world.site_idps(place, index)
    if copy:
        people = round(people * draw.uniform(0.93, 1.07))
    cells = split(people, draw)
    managed = traits.random() < (0.9 if place.site_type == "camp" else 0.4)
    return {
        **stamps(day, draw),
        "location": {
            "assessment_date": day.isoformat(),
            "adm1_pcode": place.lga.admin1,
            "adm2_pcode": place.lga.pcode,
            "site_code": place.code,
        },
        "informant": informant(draw),
        "site": {
            "site_type": place.site_type,
            "management": "yes" if managed else "no",
            "management_agency": traits.choice(["government", "international_ngo", "un"])
            if managed
            else "",
        },
        "population": {
            "idp_hh": str(max(1, round(people / traits.uniform(4.6, 5.6)))),
            "idp_ind": str(people),
            **{cell: str(count) for cell, count in cells.items()},
            **{name: str(value) for name, value in totals(cells).items()},
        },
        "needs": needs(draw, place.lga.wave and 1 <= index <= 3),
        "services": {name: yes_or_no(traits, draw, name, odds) for name, odds in SERVICE_ODDS.items()},
        "protection": {name: risk_answer(traits, draw, name) for name in RISK_ODDS},
        "remarks": "",
    }  # fmt: skip


def yes_or_no(traits: Any, draw: Any, name: str, odds: float) -> str:
    """A site's answer keeps from round to round, but one in ten changes."""
    usual = traits.random() < odds
    return "yes" if usual != (draw.random() < 0.1) else "no"


def risk_answer(traits: Any, draw: Any, name: str) -> str:
    risky = yes_or_no(traits, draw, name, RISK_ODDS[name]) == "yes"
    means = RISKY[name]
    return means if risky else ("no" if means == "yes" else "yes")


def area_answers(world: World, lga: Lga, index: int, day: datetime.date) -> Answers:
    draw = rng(world.seed, "ba", lga.pcode, index)
    traits = rng(world.seed, "ba traits", lga.pcode)
    idps = world.lga_idps(lga, index)
    returnees = world.lga_returnees(lga, index)
    same = round(idps * traits.uniform(0.85, 0.97))
    conflict = round(idps * traits.uniform(0.86, 0.96))
    disaster = round((idps - conflict) * draw.uniform(0.3, 0.7))
    recent = lga.wave and index >= 1
    return {
        **stamps(day, draw),
        "location": {
            "assessment_date": day.isoformat(),
            "adm1_pcode": lga.admin1,
            "adm2_pcode": lga.pcode,
        },
        "informant": informant(draw),
        "idps": {
            "idp_present": "yes",
            "idp_hh": str(max(1, round(idps / traits.uniform(4.8, 5.9)))),
            "idp_ind": str(idps),
            "idp_origin_same": str(same),
            "idp_origin_other": str(idps - same),
            "idp_reason_conflict": str(conflict),
            "idp_reason_disaster": str(disaster),
            "idp_reason_other": str(idps - conflict - disaster),
            "idp_arrival": "under_6_months" if recent else traits.choice(["2_5_years", "over_5_years"]),
        },
        "returnees": {
            "ret_present": "yes" if returnees else "no",
            "ret_hh": str(max(1, round(returnees / traits.uniform(5.2, 6.4)))) if returnees else "",
            "ret_ind": str(returnees) if returnees else "",
        },
        "others": {
            "host_ind": str(round(lga.host * draw.uniform(0.99, 1.01))),
            "migrant_ind": str(round(traits.uniform(0, 300))),
        },
        "needs": needs(draw, recent and index <= 3),
        "remarks": "",
    }  # fmt: skip


def instance_id(seed: int, *parts: object) -> str:
    """The same instanceID for the same assessment in every run: a resend is a duplicate."""
    name = ":".join(str(part) for part in (seed, *parts))
    return f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'opendtm-demo:{name}')}"


def element(name: str, value: Any) -> str:
    if isinstance(value, Mapping):
        return f"<{name}>{''.join(element(key, item) for key, item in value.items())}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>" if value != "" else f"<{name}/>"


def instance_xml(form_id: str, version: str, answers: Answers, identifier: str) -> bytes:
    body = "".join(element(name, value) for name, value in answers.items())
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"{body}<meta><instanceID>{identifier}</instanceID></meta></data>"
    ).encode()
