"""Whether a site-level file may leave: its re-identification risk over key variables.

A site-level file is microdata: one record per site. HDX shares microdata only when the global
re-identification risk (sdcMicro's, research/sharing.md §6) is below 3%; ours is the setting
OPENDTM_MICRODATA_RISK_LIMIT. The key variables are what someone outside could know of a site
and match against the file:

- its admin2 area (p-code);
- its type (camp, host community...);
- its size: the published IDP individuals, banded (under 50, 50-199, 200-999, 1000-4999,
  5000+);
- its households' size: published individuals per household, banded (under 4, 4-6, 7+).

Names, codes and coordinates are left out on purpose: they identify the site, a public place
on the master list, not its people; the risk is a site whose people stand out, being among
the few of its kind, size and family size in its area. Values are read as published, so a
blanked count is a band of its own ("blanked"), as a reader of the file sees it. A record whose
key fewer than K records share breaks K-anonymity.
"""

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.core.errors import ApplicationError, Problem
from opendtm.publishing.disclosure import Risk, reidentification_risk
from opendtm.publishing.selectors.tables import Place, Table

K = 3
KEYS = ("admin2", "site_type", "size", "household_size")
SIZE_BANDS = (50, 200, 1000, 5000)  # upper bounds, exclusive
HOUSEHOLD_SIZE_BANDS = (4, 7)
PEOPLE, HOUSEHOLDS = "idp_individuals", "idp_households"


def band(value: float | None, bounds: tuple[int, ...]) -> str:
    if value is None:
        return "blanked"
    lower = 0
    for bound in bounds:
        if value < bound:
            return f"{lower}-{bound - 1}"
        lower = bound
    return f"{lower}+"


def site_record(table: Table, place: Place) -> dict[str, object]:
    people = table.cell(place, PEOPLE)
    households = table.cell(place, HOUSEHOLDS)
    per_household = people / households if people is not None and households else None
    return {
        "admin2": place.admin(2)[0],
        "site_type": place.site_type,
        "size": band(people, SIZE_BANDS),
        "household_size": band(per_household, HOUSEHOLD_SIZE_BANDS),
    }


def site_risk(table: Table) -> Risk:
    """The risk of the public site-level table as it would be written."""
    records = [site_record(table, place) for place in table.places]
    return reidentification_risk(records, keys=KEYS, k=K)


def key_names(operation: Operation) -> dict[str, str]:
    return {
        "admin2": operation.level_name(2),
        "site_type": _("site type"),
        "size": _("size (IDP individuals, banded)"),
        "household_size": _("household size (banded)"),
    }


def risk_as_dict(risk: Risk) -> dict[str, Any]:
    return asdict(risk)


def risk_from_dict(data: dict[str, Any]) -> Risk:
    return Risk(**data)


@dataclass(frozen=True)
class Gate:
    """The microdata rule applied to one site-level table."""

    risk: Risk
    limit: float
    names: dict[str, str]  # key variable -> how people call it

    @classmethod
    def of(cls, risk: Risk, operation: Operation) -> "Gate":
        return cls(risk, settings.OPENDTM_MICRODATA_RISK_LIMIT, key_names(operation))

    @property
    def blocked(self) -> bool:
        return self.risk.exceeds(self.limit)

    @property
    def culprits(self) -> list[tuple[str, float]]:
        """The key variables whose leaving out would lower the risk most, with that risk."""
        return [
            (self.names[name], self.risk.by_variable[name])
            for name in self.risk.riskiest_variables()
            if self.risk.by_variable[name] < self.risk.global_risk
        ]

    @property
    def summary(self) -> str:
        values = {
            "risk": f"{self.risk.global_risk:.1%}",
            "limit": f"{self.limit:.1%}",
            "below": len(self.risk.below_k),
            "records": self.risk.records,
            "k": self.risk.k,
            "keys": ", ".join(self.names[name] for name in KEYS),
        }
        if not self.blocked:
            return (
                _(
                    "Re-identification risk of the site-level file: %(risk)s, within the "
                    "%(limit)s limit; %(below)d of %(records)d sites are shared by fewer than "
                    "%(k)d sites on their %(keys)s."
                )
                % values
            )
        return (
            _(
                "The site-level file is withheld: its re-identification risk is %(risk)s, above "
                "the %(limit)s limit. %(below)d of %(records)d sites are shared by fewer than "
                "%(k)d sites on their %(keys)s (%(k)d-anonymity)."
            )
            % values
        )

    @property
    def problems(self) -> list[Problem]:
        return [
            Problem(
                _("Leaving out the %(name)s would bring the risk down to %(risk)s.")
                % {"name": name, "risk": f"{risk:.1%}"},
                field=name,
            )
            for name, risk in self.culprits
        ]

    @property
    def hint(self) -> str:
        return _(
            "The admin-level files are not affected. The site level can be shared once sites "
            "that stand out have others like them in their area."
        )

    def require_shareable(self) -> None:
        if self.blocked:
            raise ApplicationError(self.summary, hint=self.hint, problems=self.problems)
