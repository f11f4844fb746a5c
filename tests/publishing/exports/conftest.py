"""A round with sex and age figures to export: two Borno sites, one with few older women."""

import pytest

from tests.publishing.conftest import publish
from tests.tracking.conftest import TRACKED_FORM, tracked_form

AGED_FORM = """
| survey |
| | type | name | label | indicator | indicator_sex | indicator_age | indicator_value |
| | text | site_code | Site code | | | | |
| | integer | idp_hh | IDP households | idp_households | | | |
| | integer | idp_ind | IDP individuals | idp_individuals | | | |
| | integer | idp_f | Female IDPs | idp_individuals | f | | |
| | integer | idp_m | Male IDPs | idp_individuals | m | | |
| | integer | f0_4 | Girls under 5 | idp_individuals | f | 0-4 | |
| | integer | m0_4 | Boys under 5 | idp_individuals | m | 0-4 | |
| | integer | f60 | Women over 60 | idp_individuals | f | 60+ | |
| | select_one needs | need1 | First need | need_rank_* | | | 1 |
| | select_one yn | dark | Lighting inadequate? | pr_lighting_inadequate | | | |
""" + TRACKED_FORM[TRACKED_FORM.index("| choices |") :]

ABADAM = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "f0_4": 6, "m0_4": 5, "f60": 2}
ASKIRA = {"idp_hh": 40, "idp_ind": 200, "idp_f": 110, "idp_m": 90, "f0_4": 20, "m0_4": 18, "f60": 9}


@pytest.fixture(autouse=True)
def _own_data_folder(settings, tmp_path_factory):
    """Cached files live in the data folder, keyed by revision ids the next test reuses."""
    settings.DATA_DIR = tmp_path_factory.mktemp("data")


@pytest.fixture
def aged_form(operation):
    return tracked_form(operation, AGED_FORM)


@pytest.fixture
def sites(borno):
    """The two sites, named and placed; the first name is a spreadsheet formula."""
    s1, s2 = borno[2]
    s1.name, s1.latitude, s1.longitude = '=HYPERLINK("http://x")', 13.1, 12.5
    s2.name, s2.site_type, s2.latitude, s2.longitude = "Askira Host", "host_community", 10.6, 12.9
    for site in (s1, s2):
        site.save()
    return s1, s2


@pytest.fixture
def aged(manager, operation, aged_form, sites):
    """Round 1, published: Abadam's 2 women over 60 are below the threshold of 5."""
    answers = [
        {**ABADAM, "need1": "food", "dark": "yes"},
        {**ASKIRA, "need1": "shelter", "dark": "no"},
    ]
    return publish(manager, operation, aged_form, sites, 1, answers)


def read_hxl(path):
    """The file as libhxl reads it: local files must be allowed explicitly."""
    import hxl

    return hxl.data(str(path), hxl.InputOptions(allow_local=True)).cache()


def hxl_report(path, schema_path):
    import hxl

    options = hxl.InputOptions(allow_local=True)
    return hxl.validate(read_hxl(path), hxl.data(str(schema_path), options))
