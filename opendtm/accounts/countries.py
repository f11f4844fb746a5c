"""Country names and codes, resolved offline with hdx-python-country."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from hdx.location.country import Country as HdxCountry

from opendtm.core.errors import ApplicationError

# The library would otherwise try to download its table from Google Sheets on first use,
# which waits 30 seconds on a machine without internet and then uses the bundled copy.
HdxCountry.set_use_live_default(False)


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str
    name: str


def country_resolve(value: str) -> Country:
    """An ISO3 code, an ISO2 code or a name (fuzzy) to the country it means."""
    text = value.strip()
    iso3 = None
    if len(text) == 2:
        iso3 = HdxCountry.get_iso3_from_iso2(text.upper())
    elif len(text) == 3:
        iso3 = HdxCountry.get_iso3_country_code(text.upper())
    if iso3 is None and len(text) > 3:
        iso3, _exact = HdxCountry.get_iso3_country_code_fuzzy(text)
    if iso3 is None:
        raise ApplicationError(
            _("'%(value)s' is not a country that opendtm knows.") % {"value": value},
            hint=_("Give its ISO3 code (for example NGA) or its English name."),
        )
    return Country(
        iso3=iso3,
        iso2=HdxCountry.get_iso2_from_iso3(iso3) or "",
        name=HdxCountry.get_country_name_from_iso3(iso3) or iso3,
    )
