"""Disclosure control: what must be hidden before a table or a file leaves the system.

Two rules (research/sharing.md §6):

- Tables: a count of people below the operation's threshold (but above zero) is suppressed
  (primary). A suppressed cell could be recovered from a total it adds up to, so each such
  sum that is published keeps at least two cells hidden: the smallest other cell is hidden
  too (complementary), until every sum is safe.
- Microdata: re-identification risk over key variables, as sdcMicro measures it without
  sampling weights: a record's risk is 1 / (records sharing its key), the global risk is
  their mean (expected re-identifications per record); records whose key fewer than k share
  break k-anonymity. HDX publishes microdata only when the global risk is below 3%.
"""

from collections import Counter, defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

CellKey = Hashable


class Suppressed(StrEnum):
    PRIMARY = "primary"  # below the threshold
    COMPLEMENTARY = "complementary"  # hidden so that a sum cannot reveal a primary cell


def suppress(
    cells: Mapping[CellKey, float | None],
    *,
    threshold: int,
    sums: Iterable[Sequence[CellKey]] = (),
) -> dict[CellKey, Suppressed]:
    """The cells to hide, and why. Each of `sums` lists the cells of one published addition,
    its total included (total, female, male; a column's places and its total): none may end
    up with exactly one hidden cell, which the others would give away."""
    hidden = {
        key: Suppressed.PRIMARY
        for key, value in cells.items()
        if value is not None and 0 < value < threshold
    }
    groups = [list(group) for group in sums]
    containing: dict[CellKey, list[int]] = defaultdict(list)
    for number, group in enumerate(groups):
        for key in group:
            containing[key].append(number)
    # Only the sums holding a newly hidden cell can have come to hold exactly one.
    waiting = deque(sorted({number for key in hidden for number in containing[key]}))
    while waiting:
        group = groups[waiting.popleft()]
        if sum(key in hidden for key in group) != 1:
            continue
        partner = smallest_visible(cells, group, hidden)
        if partner is not None:
            hidden[partner] = Suppressed.COMPLEMENTARY
            waiting.extend(containing[partner])
    return hidden


def smallest_visible(
    cells: Mapping[CellKey, float | None], group: Sequence[CellKey], hidden: Mapping[CellKey, str]
) -> CellKey | None:
    """The visible cell whose hiding loses least information."""
    visible = [key for key in group if key not in hidden and cells.get(key) is not None]
    if not visible:
        return None
    return min(visible, key=lambda key: (cells[key] or 0, str(key)))


@dataclass(frozen=True)
class Risk:
    records: int
    global_risk: float  # expected re-identifications per record, 0..1
    below_k: list[int]  # positions of records whose key fewer than k records share
    k: int
    by_variable: dict[str, float]  # global risk once that one key variable is left out

    def exceeds(self, limit: float) -> bool:
        return self.global_risk > limit

    def riskiest_variables(self) -> list[str]:
        """Key variables ordered by how much leaving them out would lower the risk."""
        return sorted(self.by_variable, key=lambda name: self.by_variable[name])


def key_risk(records: Sequence[Mapping[str, object]], keys: Sequence[str]) -> list[float]:
    combos = [tuple(record.get(name) for name in keys) for record in records]
    frequency = Counter(combos)
    return [1 / frequency[combo] for combo in combos]


def reidentification_risk(
    records: Sequence[Mapping[str, object]], *, keys: Sequence[str], k: int = 3
) -> Risk:
    if not records:
        return Risk(0, 0.0, [], k, {})
    risks = key_risk(records, keys)
    return Risk(
        records=len(records),
        global_risk=sum(risks) / len(records),
        below_k=[position for position, risk in enumerate(risks) if risk > 1 / k],
        k=k,
        by_variable={
            name: sum(key_risk(records, [other for other in keys if other != name])) / len(records)
            for name in keys
        },
    )
