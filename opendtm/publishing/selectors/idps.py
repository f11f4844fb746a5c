"""Published IDP counts per place and round, for the public APIs (DTM API v3 and HAPI).

Every count is read through the public tables (tables.py), so only published rounds and
public indicators are served, and small counts and those that would reveal them are blanked.
A blanked count is None and carries why, which each API reports in its own words.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.publishing.disclosure import Suppressed
from opendtm.publishing.selectors.tables import Audience, Place, reference_date, table
from opendtm.tracking.models import Round, RoundRevision

IDPS = "idp_individuals"
SEXES = ("", "f", "m")  # all, female, male


@dataclass(frozen=True)
class IdpCount:
    round: Round
    place: Place
    level: int
    counts: dict[str, float | None]  # sex ("" for all) -> the published count; None if blanked
    blanked: dict[str, str]  # sex -> "primary" or "complementary", for the blanked ones only
    threshold: int

    @property
    def reporting_date(self) -> datetime.date:
        return reference_date(self.round)


PUBLISHED = Q(rounds__revisions__status=RoundRevision.Status.PUBLISHED)


def published_operations() -> QuerySet[Operation]:
    """Operations with a published round."""
    return Operation.objects.filter(PUBLISHED).distinct().order_by("name", "pk")


def idp_counts(
    rounds: Iterable[Round], level: int, keep: Callable[[Place], bool] = lambda place: True
) -> Iterator[IdpCount]:
    """The IDP count of each place of `level` reporting one, round by round, as published.

    A generator: a caller that stops early spares the tables of the remaining rounds."""
    for round in rounds:
        found = table(round, level, codes=[IDPS], audience=Audience.PUBLIC)
        for place in found.places:
            if (place.id, IDPS, "", "") not in found.values or not keep(place):
                continue
            yield IdpCount(
                round=round,
                place=place,
                level=level,
                counts={sex: found.cell(place, IDPS, sex) for sex in SEXES},
                blanked={sex: why for sex in SEXES if (why := found.why(place, IDPS, sex))},
                threshold=found.threshold,
            )


def whole(value: float | None) -> int | float | None:
    """Counts of people as the integers IOM and HAPI publish (figures are stored as floats)."""
    return int(value) if value is not None and value.is_integer() else value


def timestamp(date: datetime.date) -> str:
    """A date as both APIs write it: midnight, no time zone ("2026-01-28T00:00:00")."""
    return f"{date.isoformat()}T00:00:00"


def blanked_note(blanked: Mapping[str, str], threshold: int) -> str | None:
    """The sentence that must come with blanked fields (field name -> why), or None."""
    if not blanked:
        return None
    reasons = [
        (
            _("%(field)s is below %(threshold)d people")
            if why == Suppressed.PRIMARY
            else _("%(field)s would reveal a blanked figure through a total")
        )
        % {"field": field, "threshold": threshold}
        for field, why in blanked.items()
    ]
    return _("Blanked to protect the people counted: %(reasons)s.") % {
        "reasons": "; ".join(reasons)
    }
