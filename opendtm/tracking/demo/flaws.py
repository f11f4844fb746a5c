"""What goes wrong in the demo, on purpose, so that reviewing a round has something to show.

Rounds 1-5 had problems that the data manager dealt with before publishing (a duplicate
rejected, a typo fixed by a field edit, a finding explained); round 6 keeps its problems
open: sex and age counts that do not add up, households above individuals, an implausible
change, a site assessed twice, and an LGA whose sites count more IDPs than its baseline.

A flaw is either in the answers (a typo, two fields swapped, a second assessment) or in the
world (a surge of people at a place from some round on), applied by `flaws_plan`.
"""

import random
from dataclasses import dataclass

from opendtm.tracking.demo.world import ROUNDS, STEADY, Lga, Place, World

LAST = ROUNDS - 1
TYPO = 100  # added to one count: the eight counts no longer add up to the total
SEX_TYPO, SWAP, DUPLICATE = "sex_typo", "swap", "duplicate"
SURGE_CHANGE, SURGE_ABOVE = 2.3, 1.4


@dataclass(frozen=True)
class Flaw:
    kind: str  # BA or SA
    index: int  # 0-based round
    place: str  # site code or LGA p-code
    what: str  # sex_typo, swap, duplicate, or the rule a surge trips (change, site_above_area)
    resolution: str = ""  # fix, explain, reject; "" leaves the finding open
    note: str = ""  # the explanation or the edit's reason


def flaws_plan(world: World) -> list[Flaw]:
    """Pick the places of each flaw (seeded) and set the world's surges."""
    draw = random.Random(f"{world.seed}:flaws")
    above = above_baseline_lga(world)
    sites = [
        place
        for place in world.sites
        if place.assessed and not place.new and place.lga is not above and place.last == LAST
    ]
    wave = [place for place in sites if place.lga.wave]
    steady = [place for place in sites if not place.lga.wave]
    influx, change = draw.choice(wave), draw.choice(steady)
    picked = draw.sample([place for place in sites if place not in (influx, change)], 7)
    surge(influx, 1, 1.9)
    surge(change, LAST, SURGE_CHANGE)
    flaws = [
        Flaw("SA", 1, influx.code, "change", "explain", EXPLAIN_INFLUX),
        Flaw("BA", 1, influx.lga.pcode, "change", "explain", EXPLAIN_INFLUX),
        Flaw("SA", 1, picked[0].code, DUPLICATE, "reject", REJECT_DUPLICATE),
        Flaw("SA", 3, picked[1].code, SEX_TYPO, "fix", FIX_TYPO),
        Flaw("SA", 4, picked[2].code, SEX_TYPO, "explain", EXPLAIN_TYPO),
        Flaw("SA", LAST, picked[3].code, SEX_TYPO),
        Flaw("SA", LAST, picked[4].code, SEX_TYPO),
        Flaw("SA", LAST, picked[5].code, SWAP),
        Flaw("SA", LAST, picked[6].code, DUPLICATE),
        Flaw("SA", LAST, change.code, "change"),
    ]
    if above is not None:
        above.ratio = 1.15  # its baseline misses IDPs the site teams count
        for place in above.sites:
            surge(place, LAST, SURGE_ABOVE)
        flaws.append(Flaw("SA", LAST, above.pcode, "site_above_area"))
    with_returnees = [lga for lga in world.lgas if lga.returnees and lga is not above]
    swapped = draw.sample(with_returnees, 2)
    flaws += [
        Flaw("BA", 2, swapped[0].pcode, SWAP, "fix", FIX_SWAP),
        Flaw("BA", LAST, swapped[1].pcode, SWAP),
    ]
    return flaws


def surge(place: Place, index: int, factor: float) -> None:
    place.surge_from, place.surge = index, factor


def above_baseline_lga(world: World) -> Lga | None:
    """The quiet LGA with the fewest sites, all open to the end; all of them are assessed."""
    quiet = [
        lga
        for lga in world.lgas
        if lga.trend == STEADY and lga.sites and all(place.last == LAST for place in lga.sites)
    ]
    chosen = min(quiet, key=lambda lga: (len(lga.sites), lga.pcode), default=None)
    for place in chosen.sites if chosen else []:
        place.assessed = True
    return chosen


EXPLAIN_INFLUX = (
    "Confirmed by the site focal point: about 1,500 people arrived after attacks on nearby "
    "villages (flash report of the round)."
)
REJECT_DUPLICATE = "Assessed twice by two teams; the team leader's assessment is kept."
FIX_TYPO = "Women 18-59 typed 100 too many; corrected from the paper form."
EXPLAIN_TYPO = (
    "The total includes newly arrived children whose sex was not recorded; the team will "
    "count them by sex next round."
)
FIX_SWAP = "Households and individuals of returnees were entered in each other's boxes."
