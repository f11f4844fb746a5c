"""The demo's Borno over six months: who lives where, round after round. Pure and seeded.

A displacement wave hits a few LGAs in rounds 2-3 (their sites swell, two new camps open in
round 3), then people go home: returnees rise from round 4 and the IDPs around Maiduguri
ebb. Sites closed in the master list were open early on and leave the rounds one by one,
Molai-like camps first. The baseline (BA) of an LGA counts its sites' IDPs and those living
outside sites, so it is a stable multiple of its sites' total.

Every number is drawn from a Random seeded by the demo seed and the thing it describes, so
the world does not depend on the order it is read in, or on how much of it is used.
"""

import random
from dataclasses import dataclass, field

ROUNDS = 6
WAVE_NAMES = ("Gwoza", "Bama", "Dikwa", "Ngala")
HOST_NAMES = ("Maiduguri", "Jere")
WAVE = (1.0, 1.3, 1.55, 1.4, 1.25, 1.15)
HOSTING = (1.0, 1.02, 1.04, 0.97, 0.92, 0.88)
STEADY = (1.0, 1.01, 1.02, 1.01, 1.0, 0.99)
RETURNS = (1.0, 1.0, 1.02, 1.25, 1.5, 1.7)
TYPE_SIZE = {  # median IDP individuals by site type
    "camp": 3500,
    "collective_centre": 900,
    "informal_settlement": 1500,
    "host_community": 2500,
}
NEW_CAMP_ROUND = 2  # 0-based: round 3
NEW_CAMPS = 2
CLOSING_CAMP_LAST = 2  # a closed camp's last round: round 3


@dataclass(frozen=True)
class AreaInput:
    pcode: str
    name: str
    admin1: str


@dataclass(frozen=True)
class SiteInput:
    code: str
    name: str
    site_type: str
    lga: str  # the p-code of its LGA
    closed: bool


@dataclass
class Lga:
    pcode: str
    name: str
    admin1: str
    wave: bool  # hit by the displacement wave
    trend: tuple[float, ...]
    ratio: float  # BA individuals per site individual
    returnees: int  # 0: none
    returns: tuple[float, ...]
    host: int
    sites: list["Place"] = field(default_factory=list)


@dataclass
class Place:
    code: str
    name: str
    site_type: str
    lga: Lga
    base: float
    first: int = 0  # 0-based rounds it is open in, first and last
    last: int = ROUNDS - 1
    new: bool = False  # created by the demo when it opens
    assessed: bool = True  # by the site assessments (a smaller demo assesses fewer)
    surge_from: int = ROUNDS  # from this round on, `surge` times more people
    surge: float = 1.0

    def open_in(self, index: int) -> bool:
        return self.first <= index <= self.last


def rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in (seed, *parts)))


@dataclass
class World:
    seed: int
    lgas: list[Lga]
    sites: list[Place]

    def site_idps(self, place: Place, index: int) -> int:
        if not place.open_in(index):
            return 0
        grow = 1.0 if not place.new else min(1.0 + 0.2 * (index - place.first), 1.4)
        if index >= place.surge_from:
            grow *= place.surge
        noise = rng(self.seed, "noise", place.code, index).uniform(0.97, 1.03)
        return max(5, round(place.base * place.lga.trend[index] * grow * noise))

    def lga_idps(self, lga: Lga, index: int) -> int:
        inside = sum(self.site_idps(place, index) for place in lga.sites)
        noise = rng(self.seed, "ba", lga.pcode, index).uniform(0.98, 1.02)
        return round(inside * lga.ratio * noise)

    def lga_returnees(self, lga: Lga, index: int) -> int:
        noise = rng(self.seed, "returns", lga.pcode, index).uniform(0.98, 1.02)
        return round(lga.returnees * lga.returns[index] * noise)


def world_build(
    seed: int, areas: list[AreaInput], sites: list[SiteInput], sites_per_lga: int | None = None
) -> World:
    """The world of these LGAs and sites; site assessments cover `sites_per_lga` per LGA."""
    names = {area.name for area in areas}
    wave = set(WAVE_NAMES) & names or {area.name for area in areas[:2]}
    lgas = {area.pcode: lga_of(seed, area, wave) for area in areas}
    ordered = sorted(lgas.values(), key=lambda lga: lga.pcode)
    places = [new_camp(seed, lga) for lga in [lga for lga in ordered if lga.wave][:NEW_CAMPS]]
    created = {place.code for place in places}  # in the master list after a first run
    for item in sorted(sites, key=lambda site: site.code):
        if item.lga not in lgas or item.code in created:
            continue
        draw = rng(seed, "site", item.code)
        base = TYPE_SIZE.get(item.site_type, 1200) * draw.lognormvariate(0, 0.45)
        place = Place(item.code, item.name, item.site_type, lgas[item.lga], base)
        if item.closed:  # open at first, then closed: a camp after round 3, others earlier
            place.last = CLOSING_CAMP_LAST if item.site_type == "camp" else draw.randint(0, 3)
        places.append(place)
    places.sort(key=lambda place: place.code)
    for place in places:
        place.lga.sites.append(place)
        existing = sum(not other.new for other in place.lga.sites)
        place.assessed = place.new or sites_per_lga is None or existing <= sites_per_lga
    return World(seed, ordered, places)


def lga_of(seed: int, area: AreaInput, wave: set[str]) -> Lga:
    draw = rng(seed, "lga", area.pcode)
    trend = WAVE if area.name in wave else HOSTING if area.name in HOST_NAMES else STEADY
    returns = RETURNS if area.name in wave or draw.random() < 0.3 else STEADY
    return Lga(
        pcode=area.pcode,
        name=area.name,
        admin1=area.admin1,
        wave=area.name in wave,
        trend=trend,
        ratio=draw.uniform(1.3, 1.8),
        returnees=round(draw.uniform(2000, 25000)) if draw.random() < 0.65 else 0,
        returns=returns,
        host=round(draw.uniform(40_000, 250_000)),
    )


def new_camp(seed: int, lga: Lga) -> Place:
    """A camp opened for the wave's arrivals in round 3; created in the master list then."""
    base = rng(seed, "new camp", lga.pcode).uniform(2000, 4000)
    name = f"{lga.name} Extension Camp"
    return Place(f"{lga.pcode}-N01", name, "camp", lga, base, first=NEW_CAMP_ROUND, new=True)
