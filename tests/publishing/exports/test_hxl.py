"""HXL tags: an indicator's tag with sex and age attributes, and bad tags left out."""

import hxl
import pytest
from hxl.model import Column

from opendtm.publishing.exports.columns import figure_columns
from opendtm.publishing.exports.hxl import age_attribute, indicator_tag, well_formed
from opendtm.tracking.models import Indicator


@pytest.mark.parametrize(
    ("tag", "sex", "band", "expected"),
    [
        ("#affected+idps+ind", "", "", "#affected+idps+ind"),
        ("#affected+idps+ind", "f", "", "#affected+idps+f"),
        ("#affected+idps+ind", "f", "0-4", "#affected+idps+f+age0_4"),
        ("#affected+idps+ind", "m", "60+", "#affected+idps+m+age60plus"),
        ("#affected+idps+ind", "", "18-59", "#affected+idps+age18_59"),
        ("#affected+idps+hh", "f", "", "#affected+idps+hh+f"),  # households are not implied
        ("#affected+idps+ind+reason_conflict", "m", "", "#affected+idps+reason_conflict+m"),
        (" #need+rank+food ", "", "", "#need+rank+food"),
    ],
)
def test_a_breakdown_adds_sex_and_age_attributes(tag, sex, band, expected):
    found = indicator_tag(tag, sex, band)
    assert found == expected
    assert Column.parse(found, use_exception=True).display_tag == expected


@pytest.mark.parametrize("tag", ["#affected+idps+2013", "affected+idps", "#", "#a b c+d"])
def test_a_tag_libhxl_refuses_is_left_out(tag):
    assert not well_formed(tag)
    assert indicator_tag(tag) == ""
    assert indicator_tag(tag, "f", "0-4") == ""


def test_age_bands_become_attributes_that_start_with_a_letter():
    assert [age_attribute(band) for band in ("0-4", "5-17", "60+", " 80 + ")] == [
        "age0_4",
        "age5_17",
        "age60plus",
        "age80_plus",
    ]


def test_an_operations_indicator_with_a_bad_tag_gives_an_untagged_column():
    mine = Indicator(pk=900, code="idp_2013", label_en="IDPs 2013", hxl_tag="#affected+2013")
    good = Indicator(pk=901, code="idp_individuals", label_en="IDPs", hxl_tag="#affected+idps+ind")
    columns = figure_columns([mine, good], {(900, "", ""), (901, "", ""), (901, "f", "")})
    assert [(column.header, column.tag) for column in columns] == [
        ("IDPs 2013", ""),
        ("IDPs", "#affected+idps+ind"),
        ("IDPs, female", "#affected+idps+f"),
    ]
    # libhxl reads the other columns of such a file: the untagged one is simply skipped.
    data = hxl.data([[c.header for c in columns], [c.tag for c in columns], [1, 2, 1]])
    assert data.display_tags == ["", "#affected+idps+ind", "#affected+idps+f"]
