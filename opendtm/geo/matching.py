"""Matching place names to p-codes with hdx-python-country's AdminLevel.

An exact match (after its normalisation: case, accents, punctuation, "LGA" and similar
words) is applied. A fuzzy match is only a suggestion that a person confirms. A name that
several areas share (Nigeria has four LGAs called Irepodun) is never guessed: the parent
or the p-code has to tell them apart.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from hdx.location.adminlevel import AdminLevel
from hdx.utilities.text import normalise
from rapidfuzz import fuzz, process

from opendtm.accounts.models import Operation
from opendtm.geo.models import AdminArea

logging.getLogger("hdx.location.adminlevel").setLevel(logging.CRITICAL)

# Below this a fuzzy match is noise ("Bassa" for "Bama"), not worth a person's time.
MIN_SUGGESTION_SCORE = 80.0


@dataclass(frozen=True)
class NameMatch:
    pcode: str | None
    exact: bool
    score: float = 0.0
    suggestions: list[str] = field(default_factory=list)
    ambiguous: bool = False


class AreaNameMatcher:
    def __init__(self, operation: Operation, level: int) -> None:
        self.iso3 = operation.country_iso3
        areas = AdminArea.objects.current().filter(operation=operation, level=level)
        rows = list(areas.values("pcode", "name", "alt_names", "parent__pcode"))
        self.names = {row["pcode"]: row["name"] for row in rows}
        self.parents = {row["pcode"]: row["parent__pcode"] or "" for row in rows}
        self.pcodes_named: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            for name in [row["name"], *row["alt_names"]]:
                self.pcodes_named[normalise(name)].add(row["pcode"])
        self.admin_level = AdminLevel(admin_level=level)
        self.admin_level.setup_from_iterable(
            [
                {
                    "Location": self.iso3,
                    "Admin Level": str(level),
                    "P-Code": row["pcode"],
                    "Name": name,
                    "Parent P-Code": row["parent__pcode"] or "",
                }
                for row in rows
                for name in [row["name"], *row["alt_names"]]
            ],
            [self.iso3],
        )

    def match(self, name: str, parent_pcode: str = "") -> NameMatch:
        options = {"parent": parent_pcode} if parent_pcode else {}
        pcode, exact = self.admin_level.get_pcode(self.iso3, name, **options)
        if pcode in self.names:
            if exact and not parent_pcode:
                namesakes = self.pcodes_named.get(normalise(name), set())
                if len(namesakes) > 1:
                    return NameMatch(
                        pcode=None,
                        exact=False,
                        suggestions=[self.label(code) for code in sorted(namesakes)],
                        ambiguous=True,
                    )
            score = 100.0 if exact else round(fuzz.WRatio(name, self.names[pcode]), 1)
            if exact or score >= MIN_SUGGESTION_SCORE:
                return NameMatch(pcode=pcode, exact=exact, score=score)
        return NameMatch(pcode=None, exact=False, suggestions=self.closest(name, parent_pcode))

    def closest(self, name: str, parent_pcode: str) -> list[str]:
        """The three nearest names, among the parent's areas when the parent is known."""
        scope = {
            pcode: area_name
            for pcode, area_name in self.names.items()
            if not parent_pcode or self.parents[pcode] == parent_pcode
        }
        closest = process.extract(name, scope or self.names, scorer=fuzz.WRatio, limit=3)
        return [self.label(pcode) for _choice, _score, pcode in closest]

    def label(self, pcode: str) -> str:
        return f"{self.names[pcode]} ({pcode})"
