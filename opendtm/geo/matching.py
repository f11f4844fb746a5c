"""Matching place names to p-codes with hdx-python-country's AdminLevel.

An exact match (after its normalisation: case, accents, punctuation, "LGA" and similar
words) is applied. A fuzzy match is only a suggestion that a person confirms.
"""

import logging
from dataclasses import dataclass, field

from hdx.location.adminlevel import AdminLevel
from rapidfuzz import fuzz, process

from opendtm.accounts.models import Operation
from opendtm.geo.models import AdminArea

logging.getLogger("hdx.location.adminlevel").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class NameMatch:
    pcode: str | None
    exact: bool
    score: float = 0.0
    suggestions: list[str] = field(default_factory=list)


class AreaNameMatcher:
    def __init__(self, operation: Operation, level: int) -> None:
        self.iso3 = operation.country_iso3
        areas = AdminArea.objects.current().filter(operation=operation, level=level)
        rows = list(areas.values("pcode", "name", "alt_names", "parent__pcode"))
        self.names = {row["pcode"]: row["name"] for row in rows}
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
            score = 100.0 if exact else fuzz.WRatio(name, self.names[pcode])
            return NameMatch(pcode=pcode, exact=exact, score=round(score, 1))
        closest = process.extract(name, self.names, scorer=fuzz.WRatio, limit=3)
        return NameMatch(
            pcode=None,
            exact=False,
            suggestions=[f"{choice} ({pcode})" for choice, _score, pcode in closest],
        )
