"""HXL hashtags for the columns of our files.

The tag row goes directly under the header (research/sharing.md §1.2). Fixed columns have
fixed tags. An indicator's column takes the indicator's own `hxl_tag`, with attributes for
its breakdown: +f or +m for sex (+i would be non-binary people, never "individuals") and
+age0_4, +age60plus for an age band. A breakdown by sex or age counts people, so it drops the
counting attribute +ind: #affected+idps+ind becomes #affected+idps+f+age0_4, the tag row the
design promises.

Operations type their own indicators' tags, and one bad tag ("+2013", an attribute starting
with a digit) once made HDX refuse a whole DTM file. So every tag is parsed by libhxl first, and
a tag it refuses leaves its column untagged, which HXL allows, instead of spoiling the row.
"""

import re

import hxl
from hxl.model import Column

DATE = "date"
NUMBER = "number"
TEXT = "text"

COUNTING_ATTRIBUTES = {"ind"}  # implied once a column is broken down by sex or age


def well_formed(tag: str) -> bool:
    try:
        return Column.parse(tag, use_exception=True) is not None
    except hxl.HXLException:
        return False


def age_attribute(band: str) -> str:
    """0-4 -> age0_4, 60+ -> age60plus: an attribute must not start with a digit."""
    text = band.strip().lower().replace("+", "plus")
    return "age" + re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def indicator_tag(tag: str, sex: str = "", age_band: str = "") -> str:
    """The tag of one indicator column; '' when the indicator's own tag is not valid HXL."""
    tag = tag.strip()
    if not tag or not well_formed(tag):
        return ""
    if not (sex or age_band):
        return tag
    hashtag, *attributes = tag.split("+")
    kept = [name for name in attributes if name.strip().lower() not in COUNTING_ATTRIBUTES]
    extra = [sex.lower()] if sex else []
    extra += [age_attribute(age_band)] if age_band else []
    found = "+".join([hashtag, *kept, *(name for name in extra if name not in kept)])
    return found if well_formed(found) else ""
