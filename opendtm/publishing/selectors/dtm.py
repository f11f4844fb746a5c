"""The reads of the DTM API v3 (IOM's shape, design.md §6): IDP records at admin 0, 1 and 2
over every operation's published rounds, and the lists of countries and operations.

Records carry IOM's field names. Beyond them: numberMales and numberFemales (IOM's names for
the IDPs by sex) and suppressionNote, which says why a count is null (small counts and those
that would reveal them are blanked). IOM's displacementReason and idpOrigin* fields are left
out: no figure of ours holds them.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.core.errors import ApplicationError, Problem
from opendtm.geo.models import AdminArea
from opendtm.publishing.selectors.idps import (
    PUBLISHED,
    IdpCount,
    blanked_note,
    idp_counts,
    published_operations,
    timestamp,
    whole,
)
from opendtm.publishing.selectors.tables import Place, published_rounds, reference_date
from opendtm.tracking.models import Round

# An operation is "Active" while its newest published round ended less than this long ago.
ACTIVE_WITHIN = datetime.timedelta(days=365)
FIELDS_BY_SEX = {"": "numPresentIdpInd", "m": "numberMales", "f": "numberFemales"}

Record = dict[str, object]


@dataclass(frozen=True)
class DtmQuery:
    """IOM's parameters; None where not given. Round 0 means no bound, as IOM's R client
    sends it."""

    operation: str | None = None
    country_name: str | None = None
    admin0_pcode: str | None = None
    admin1_name: str | None = None
    admin1_pcode: str | None = None
    admin2_name: str | None = None
    admin2_pcode: str | None = None
    from_reporting_date: datetime.date | None = None
    to_reporting_date: datetime.date | None = None
    from_round_number: int | None = None
    to_round_number: int | None = None


def dtm_records(*, level: int, query: DtmQuery) -> list[Record]:
    operations = matching_operations(query)
    check_areas_exist(query, operations)
    rounds = [
        round
        for round in published_rounds([operation.pk for operation in operations])
        if round_matches(round, query)
    ]
    return [dtm_record(count) for count in idp_counts(rounds, level, place_filter(query))]


def dtm_record(count: IdpCount) -> Record:
    operation, place, date = count.round.operation, count.place, count.reporting_date
    # IOM numbers admin 1 and 2 records only; ours is one integer per place and round.
    record: Record = {} if count.level == 0 else {"id": pair(count.round.pk, place.id or 0)}
    record.update(
        operation=operation.name,
        admin0Name=operation.country_name,
        admin0Pcode=operation.country_iso3,
    )
    for level in range(1, count.level + 1):
        pcode, name = place.admin(level)
        record[f"admin{level}Name"] = name
        record[f"admin{level}Pcode"] = pcode
    record.update(
        numPresentIdpInd=whole(count.counts[""]),
        reportingDate=timestamp(date),
        yearReportingDate=date.year,
        monthReportingDate=date.month,
        roundNumber=count.round.number,
        numberMales=whole(count.counts["m"]),
        numberFemales=whole(count.counts["f"]),
        assessmentType=count.round.assessment_type,
        suppressionNote=blanked_note(
            {FIELDS_BY_SEX[sex]: why for sex, why in count.blanked.items()}, count.threshold
        ),
    )
    return record


def pair(first: int, second: int) -> int:
    """Cantor's pairing: a different non-negative integer for every pair."""
    return (first + second) * (first + second + 1) // 2 + second


def country_list() -> list[Record]:
    countries = set(published_operations().values_list("country_name", "country_iso3"))
    return [{"admin0Name": name, "admin0Pcode": iso3} for name, iso3 in sorted(countries)]


def operation_list() -> list[Record]:
    since = timezone.localdate() - ACTIVE_WITHIN
    rows = (
        published_operations()
        .annotate(last_reported=Max("rounds__period_end", filter=PUBLISHED))
        .values_list("name", "last_reported", "country_name", "country_iso3")
    )
    return [
        {
            "operation": name,
            "operationStatus": "Active" if last_reported >= since else "Inactive",
            "admin0Name": country_name,
            "admin0Pcode": iso3,
        }
        for name, last_reported, country_name, iso3 in rows
    ]


def matching_operations(query: DtmQuery) -> list[Operation]:
    """The published operations the query names; a name that matches none is refused, so
    that a typo is not mistaken for an operation without displacement."""
    operations = list(published_operations())
    chosen = set(operations)
    for parameter, value, attribute, listing in (
        ("Operation", query.operation, "name", "operation-list"),
        ("CountryName", query.country_name, "country_name", "country-list"),
        ("Admin0Pcode", query.admin0_pcode, "country_iso3", "country-list"),
    ):
        if value is None:
            continue
        named = {
            item for item in operations if getattr(item, attribute).casefold() == value.casefold()
        }
        if not named:
            raise unknown_value(
                parameter, value, _("See /v3/displacement/%(listing)s.") % {"listing": listing}
            )
        chosen &= named
    return [item for item in operations if item in chosen]


def check_areas_exist(query: DtmQuery, operations: Sequence[Operation]) -> None:
    for parameter, value, level, field in (
        ("Admin1Name", query.admin1_name, 1, "name"),
        ("Admin1Pcode", query.admin1_pcode, 1, "pcode"),
        ("Admin2Name", query.admin2_name, 2, "name"),
        ("Admin2Pcode", query.admin2_pcode, 2, "pcode"),
    ):
        areas = AdminArea.objects.filter(operation__in=operations, level=level)
        if value is not None and not areas.filter(**{f"{field}__iexact": value}).exists():
            raise unknown_value(
                parameter,
                value,
                _("Give the name or p-code of an admin %(level)d area of the operations asked for.")
                % {"level": level},
            )


def unknown_value(parameter: str, value: str, hint: str) -> ApplicationError:
    message = _("No published data has %(parameter)s '%(value)s'.") % {
        "parameter": parameter,
        "value": value,
    }
    return ApplicationError(
        message, hint=hint, problems=[Problem(message, field=parameter, hint=hint)]
    )


def round_matches(round: Round, query: DtmQuery) -> bool:
    date = reference_date(round)
    return (
        (not query.from_round_number or round.number >= query.from_round_number)
        and (not query.to_round_number or round.number <= query.to_round_number)
        and (query.from_reporting_date is None or date >= query.from_reporting_date)
        and (query.to_reporting_date is None or date <= query.to_reporting_date)
    )


def place_filter(query: DtmQuery) -> Callable[[Place], bool]:
    wanted = [
        (level, part, value.casefold())
        for level, part, value in (
            (1, 1, query.admin1_name),
            (1, 0, query.admin1_pcode),
            (2, 1, query.admin2_name),
            (2, 0, query.admin2_pcode),
        )
        if value is not None
    ]
    return lambda place: all(
        place.admin(level)[part].casefold() == value for level, part, value in wanted
    )
