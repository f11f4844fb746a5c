"""The read of the HDX HAPI-shaped endpoint /api/v1/affected-people/idps: HAPI's IDP rows
(research/sharing.md §4.2) over every operation's published rounds, admin levels 0 to 2.

As in HAPI, codes match exactly and names by a part of them, ignoring case; beyond HAPI's
fields, suppression_note says why a population is null (a blanked small count). Population
filters compare published counts only, so they never reveal a blanked one.
"""

import datetime
from dataclasses import dataclass
from itertools import islice

from opendtm.accounts.models import Operation
from opendtm.publishing.selectors.idps import (
    IdpCount,
    blanked_note,
    idp_counts,
    published_operations,
    timestamp,
    whole,
)
from opendtm.publishing.selectors.tables import Place, published_rounds
from opendtm.tracking.models import Round

LEVELS = (0, 1, 2)
Row = dict[str, object]


@dataclass(frozen=True)
class HapiQuery:
    location_code: str | None = None
    location_name: str | None = None
    admin1_code: str | None = None
    admin1_name: str | None = None
    admin2_code: str | None = None
    admin2_name: str | None = None
    admin_level: int | None = None
    operation: str | None = None
    assessment_type: str | None = None
    reporting_round: int | None = None
    reference_period_start: datetime.date | None = None  # periods starting on or after
    reference_period_end: datetime.date | None = None  # periods ending on or before
    population_min: int | None = None
    population_max: int | None = None


def hapi_idps(*, query: HapiQuery, limit: int, offset: int) -> list[Row]:
    """One page of rows, by level, then operation and round, then p-code."""
    operations = [item.pk for item in published_operations() if operation_matches(item, query)]
    rounds = [
        round
        for round in published_rounds(operations, query.assessment_type)
        if round_matches(round, query)
    ]
    levels = LEVELS if query.admin_level is None else (query.admin_level,)
    rows = (
        hapi_row(count)
        for level in levels
        for count in idp_counts(rounds, level, lambda place: place_matches(place, query))
        if population_matches(count, query)
    )
    return list(islice(rows, offset, offset + limit))


def hapi_row(count: IdpCount) -> Row:
    operation, round = count.round.operation, count.round
    admin1 = count.place.admin(1) if count.level >= 1 else (None, None)
    admin2 = count.place.admin(2) if count.level >= 2 else (None, None)
    return {
        "location_code": operation.country_iso3,
        "location_name": operation.country_name,
        "admin1_code": admin1[0],
        "admin1_name": admin1[1],
        "admin2_code": admin2[0],
        "admin2_name": admin2[1],
        "admin_level": count.level,
        "operation": operation.name,
        "assessment_type": round.assessment_type,
        "reporting_round": round.number,
        "population": whole(count.counts[""]),
        "reference_period_start": timestamp(round.period_start),
        "reference_period_end": timestamp(round.period_end),
        "suppression_note": blanked_note(
            {"population": count.blanked[""]} if "" in count.blanked else {}, count.threshold
        ),
    }


def operation_matches(operation: Operation, query: HapiQuery) -> bool:
    return (
        same(operation.country_iso3, query.location_code)
        and part(operation.country_name, query.location_name)
        and same(operation.name, query.operation)
    )


def round_matches(round: Round, query: HapiQuery) -> bool:
    start, end = query.reference_period_start, query.reference_period_end
    return (
        (query.reporting_round is None or round.number == query.reporting_round)
        and (start is None or round.period_start >= start)
        and (end is None or round.period_end <= end)
    )


def place_matches(place: Place, query: HapiQuery) -> bool:
    (code1, name1), (code2, name2) = place.admin(1), place.admin(2)
    return (
        same(code1, query.admin1_code)
        and part(name1, query.admin1_name)
        and same(code2, query.admin2_code)
        and part(name2, query.admin2_name)
    )


def population_matches(count: IdpCount, query: HapiQuery) -> bool:
    if query.population_min is None and query.population_max is None:
        return True
    value = count.counts[""]  # None when blanked: no population filter may reveal it
    return (
        value is not None
        and (query.population_min is None or value >= query.population_min)
        and (query.population_max is None or value <= query.population_max)
    )


def same(value: str, wanted: str | None) -> bool:
    return wanted is None or value.casefold() == wanted.casefold()


def part(value: str, wanted: str | None) -> bool:
    return wanted is None or wanted.casefold() in value.casefold()
