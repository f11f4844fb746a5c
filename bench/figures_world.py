"""A synthetic country for the figures benchmark: admin areas, sites, and what each site
assessment reports, round after round. Pure numpy: bench/figures_build.py writes it.

Dynamics, seeded: a displacement wave peaking about a third of the way through the rounds,
then returns; about 10% of the sites open late (new camps) and 5% close (closed camps); each
open site is assessed in 97% of the rounds, and 2% of the LGAs are inaccessible for the last
three rounds, so that their latest figures come from an earlier round.
"""

from dataclasses import dataclass

import numpy as np

AGE_BANDS = ("0-4", "5-17", "18-59", "60+")
AGE_SHARES = {"f": (0.19, 0.31, 0.42, 0.08), "m": (0.21, 0.33, 0.40, 0.06)}
NEEDS = ("food", "shelter", "wash", "nfi", "health", "livelihoods", "education", "protection")
NEED_WEIGHTS = (0.30, 0.25, 0.15, 0.10, 0.08, 0.06, 0.04, 0.02)
RANKED_NEEDS = 3  # each assessment ranks its first three needs
FLAGS = {
    "svc_drinking_water": 0.6,
    "pr_lighting_inadequate": 0.45,
    "pr_latrines_not_separated": 0.3,
}
# households, individuals, individuals by sex, by sex and age band, ranked needs, flags
ROWS_PER_ASSESSMENT = 2 + 2 + 2 * len(AGE_BANDS) + RANKED_NEEDS + len(FLAGS)
COLUMNS = ("indicator", "admin_area", "site", "admin1", "admin2", "admin3", "sex", "age_band")


@dataclass(frozen=True)
class Layout:
    """How many areas of each level: 1 country, states, LGAs, wards; ten sites per area."""

    states: int
    lgas: int
    wards: int

    @classmethod
    def for_sites(cls, sites: int) -> "Layout":
        areas = max(sites // 10, 20)
        states = max(2, areas // 500)
        lgas = max(2 * states, areas // 10)
        return cls(states=states, lgas=lgas, wards=areas - 1 - states - lgas)

    @property
    def areas(self) -> int:
        return 1 + self.states + self.lgas + self.wards

    def lga_of_ward(self) -> np.ndarray:
        return np.arange(self.wards) % self.lgas

    def state_of_lga(self) -> np.ndarray:
        return np.arange(self.lgas) % self.states


@dataclass
class Sites:
    """One entry per site; area ids are filled in once the areas exist."""

    ward: np.ndarray  # index of the ward (0..wards-1)
    base: np.ndarray  # individuals before the wave
    household_size: np.ndarray
    opens: np.ndarray  # first round assessed (1-based)
    closes: np.ndarray  # first round no longer assessed
    admin1: np.ndarray
    admin2: np.ndarray
    admin3: np.ndarray
    site: np.ndarray


def sites_draw(rng: np.random.Generator, layout: Layout, count: int, rounds: int) -> Sites:
    late = rng.random(count) < 0.10
    opens = np.where(late, rng.integers(2, max(rounds, 2) + 1, count), 1)
    closing = rng.random(count) < 0.05
    closes = np.where(closing, rng.integers(opens + 1, rounds + 2), rounds + 1)
    empty = np.zeros(count, dtype=np.int64)
    return Sites(
        ward=rng.integers(0, layout.wards, count),
        base=np.clip(rng.lognormal(np.log(400), 1.0, count), 5, 30_000),
        household_size=rng.uniform(4, 7, count),
        opens=opens,
        closes=closes,
        admin1=empty,
        admin2=empty.copy(),
        admin3=empty.copy(),
        site=empty.copy(),
    )


def inaccessible_lgas(rng: np.random.Generator, layout: Layout) -> np.ndarray:
    """LGA indexes cut off for the last three rounds (at least one)."""
    return rng.choice(layout.lgas, size=max(1, layout.lgas // 50), replace=False)


def trend(number: int, rounds: int) -> float:
    """The national factor in round `number`: a wave, then returns."""
    x = number / rounds
    wave = 1 + 0.8 * np.exp(-(((x - 0.3) / 0.12) ** 2))
    returns = 1 - 0.35 * min(max((x - 0.45) / 0.55, 0.0), 1.0)
    return float(wave * returns)


def assessed(
    rng: np.random.Generator,
    sites: Sites,
    lga_of_ward: np.ndarray,
    cut_off: np.ndarray,
    number: int,
    rounds: int,
) -> np.ndarray:
    """Indexes of the sites assessed in this round, in the order their submissions arrive."""
    open_now = (sites.opens <= number) & (number < sites.closes)
    reached = rng.random(len(sites.base)) < 0.97
    if number > rounds - 3:
        reached &= ~np.isin(lga_of_ward[sites.ward], cut_off)
    chosen = np.flatnonzero(open_now & reached)
    rng.shuffle(chosen)
    return chosen


def round_figures(
    rng: np.random.Generator,
    sites: Sites,
    chosen: np.ndarray,
    number: int,
    rounds: int,
    ids: dict[str, int],
) -> dict[str, np.ndarray]:
    """Figure columns for one round: ROWS_PER_ASSESSMENT rows per assessment, each
    assessment's rows together. `ids` maps indicator codes to their ids."""
    count = len(chosen)
    individuals = np.maximum(
        1, np.rint(sites.base[chosen] * trend(number, rounds) * rng.lognormal(0, 0.1, count))
    ).astype(np.int64)
    households = np.maximum(1, np.rint(individuals / sites.household_size[chosen])).astype(np.int64)
    female = rng.binomial(individuals, 0.54)
    by_sex = {"f": female, "m": individuals - female}
    blocks = [
        (ids["idp_households"], "", "", households),
        (ids["idp_individuals"], "", "", individuals),
    ]
    for sex, counts in by_sex.items():
        blocks.append((ids["idp_individuals"], sex, "", counts))
        bands = rng.multinomial(counts, AGE_SHARES[sex])
        blocks += [
            (ids["idp_individuals"], sex, band, bands[:, i]) for i, band in enumerate(AGE_BANDS)
        ]
    keys = rng.gumbel(size=(count, len(NEEDS))) + np.log(NEED_WEIGHTS)
    ranked = np.argsort(-keys, axis=1)[:, :RANKED_NEEDS]
    need_ids = np.array([ids[f"need_rank_{need}"] for need in NEEDS])
    blocks += [
        (need_ids[ranked[:, rank]], "", "", np.full(count, rank + 1))
        for rank in range(RANKED_NEEDS)
    ]
    blocks += [
        (ids[code], "", "", (rng.random(count) < share).astype(np.int64))
        for code, share in FLAGS.items()
    ]
    return interleaved(blocks, sites, chosen)


def interleaved(blocks: list, sites: Sites, chosen: np.ndarray) -> dict[str, np.ndarray]:
    count, width = len(chosen), len(blocks)

    # (width, count) -> (count, width) -> flat: one assessment's rows are adjacent, as written.
    def flat(values: list) -> np.ndarray:
        return np.stack([np.broadcast_to(value, (count,)) for value in values]).T.reshape(-1)

    place = {
        name: np.repeat(getattr(sites, name)[chosen], width)
        for name in ("admin1", "admin2", "admin3", "site")
    }
    return {
        "indicator": flat([block[0] for block in blocks]),
        "admin_area": place["admin3"],
        **place,
        "sex": flat([np.array(block[1], dtype=object) for block in blocks]),
        "age_band": flat([np.array(block[2], dtype=object) for block in blocks]),
        "value": flat([block[3] for block in blocks]).astype(np.float64),
    }
