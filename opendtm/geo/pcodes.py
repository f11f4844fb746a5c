"""P-codes: checked, upper-cased and given the operation's prefix convention.

COD-AB p-codes are a country prefix and digits. Older data uses the ISO3 prefix (NGA008),
newer data ISO2 (NG008); both are accepted and rewritten to the operation's style.
"""

import re

from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation

PCODE_PATTERN = re.compile(r"^([A-Z]{2,3})(\d*)$")


class PcodeError(ValueError):
    pass


def normalize_pcode(raw: str, operation: Operation) -> str:
    text = re.sub(r"\s+", "", str(raw)).upper()
    match = PCODE_PATTERN.match(text)
    if not match:
        raise PcodeError(
            _(
                "'%(raw)s' is not a p-code: a p-code is the country prefix and digits, like %(example)s."
            )
            % {"raw": raw, "example": f"{operation.pcode_prefix}008"}
        )
    prefix, digits = match.groups()
    if prefix not in {operation.country_iso2, operation.country_iso3}:
        raise PcodeError(
            _(
                "'%(raw)s' is not a p-code of %(country)s, whose p-codes start with %(iso2)s or %(iso3)s."
            )
            % {
                "raw": raw,
                "country": operation.country_name,
                "iso2": operation.country_iso2,
                "iso3": operation.country_iso3,
            }
        )
    return operation.pcode_prefix + digits
