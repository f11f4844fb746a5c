"""The figures page of a round: a table per admin level with drill-down, and a breakdown,
checked against figures computed by hand on Borno's two LGAs and their two sites."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opendtm.accounts.roles import Role
from opendtm.tracking.models import Round
from opendtm.tracking.selectors import figure_tables
from opendtm.tracking.services.rounds import round_move, round_publish
from tests.factories import AdminAreaFactory, SiteFactory
from tests.tracking import conftest as tracking
from tests.tracking.conftest import assess, month_round, tracked_form

borno, manager = tracking.borno, tracking.manager  # the tracking tests' fixtures, shared here

FORM = """
| survey |
| | type | name | label | indicator | indicator_sex | indicator_age | indicator_value |
| | text | site_code | Site code | | | | |
| | integer | idp_hh | IDP households | idp_households | | | |
| | integer | idp_ind | IDP individuals | idp_individuals | | | |
| | integer | f_all | Female IDPs | idp_individuals | f | | |
| | integer | m_all | Male IDPs | idp_individuals | m | | |
| | integer | f_child | Girls 0-4 | idp_individuals | f | 0-4 | |
| | integer | m_child | Boys 0-4 | idp_individuals | m | 0-4 | |
| | integer | f_adult | Women 18-59 | idp_individuals | f | 18-59 | |
| | integer | m_adult | Men 18-59 | idp_individuals | m | 18-59 | |
| | integer | conflict | Fled conflict | idp_reason_conflict | | | |
| | select_one needs | need1 | First need | need_rank_* | | | 1 |
| | select_one yn | water | Drinking water? | svc_drinking_water | | | |
| | select_one yn | dark | Lighting inadequate? | pr_lighting_inadequate | | | |
| choices |
| | list_name | name | label |
| | needs | food | Food |
| | needs | shelter | Shelter |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_title | form_id | version |
| | Site assessment | site_assessment | 2026010101 |
"""
S1 = {
    "idp_hh": 10,
    "idp_ind": 50,
    "f_all": 30,
    "m_all": 20,
    "f_child": 10,
    "m_child": 8,
    "f_adult": 20,
    "m_adult": 12,
    "conflict": 40,
    "need1": "food",
    "water": "yes",
    "dark": "yes",
}
S2 = {
    **S1,
    "idp_hh": 20,
    "idp_ind": 100,
    "f_all": 60,
    "m_all": 40,
    "f_child": 25,
    "m_child": 20,
    "f_adult": 35,
    "m_adult": 20,
    "conflict": 100,
    "need1": "shelter",
    "water": "no",
    "dark": "no",
}


@pytest.fixture
def version(operation):
    return tracked_form(operation, FORM)


@pytest.fixture
def rounds(borno, manager, operation, version):
    """Round 1 published: S1 and S2. Round 2, a draft: S1 grew from 50 to 80, S2 the same."""
    sites = borno[2]
    first = month_round(manager, operation, 1)
    assess(version, sites[0], 1, **S1)
    assess(version, sites[1], 1, **S2)
    round_move(actor=manager, round=first, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=first)
    second = month_round(manager, operation, 2)
    assess(version, sites[0], 2, **{**S1, "idp_ind": 80, "f_all": 50, "m_all": 30})
    assess(version, sites[1], 2, **S2)
    return first, second


def figures_url(operation, number: int, **query) -> str:
    path = reverse(
        "web:round-figures",
        kwargs={"slug": operation.slug, "assessment_type": "SA", "number": number},
    )
    return f"{path}?{urlencode(query)}" if query else path


def table(html: str) -> dict[str, list[tuple]]:
    """Each row's cells as (value, change, places), by data-place (p-code, code or total)."""
    rows = {}
    for place, body in re.findall(r'<tr[^>]*data-place="([^"]+)"[^>]*>(.*?)</tr>', html, re.S):
        rows[place] = [cell(td) for td in re.findall(r'<td class="figure"(.*?)</td>', body, re.S)]
    return rows


def cell(td: str) -> tuple:
    def attribute(name: str) -> str | None:
        found = re.search(rf'data-{name}="([^"]*)"', td)
        return found.group(1) if found else None

    return attribute("value"), attribute("change"), attribute("places")


def columns(html: str) -> list[str]:
    return re.findall(r'<th data-indicator="([^"]+)"', html)


def section(html: str, name: str) -> dict[str, str]:
    """The value of each indicator of a breakdown section."""
    found = re.search(rf'data-section="{name}">(.*?)</table>', html, re.S)
    if found is None:
        return {}
    return dict(
        re.findall(r'<tr data-indicator="([^"]+)">.*?data-value="([^"]*)"', found.group(1), re.S)
    )


def test_states_sum_their_places_within_the_round_with_the_change(
    client, rounds, operation, manager
):
    client.force_login(manager)
    html = client.get(figures_url(operation, 2)).content.decode()
    assert columns(html) == ["idp_households", "idp_individuals"]
    assert table(html) == {
        "NG008": [("30", "0", "2"), ("180", "30", "2")],  # not 330: never across rounds
        "total": [("30", "0", "2"), ("180", "30", "2")],
    }
    assert "(+20.0%)" in html
    assert "Revision 1: Draft" in html
    assert "?level=2&amp;parent=NG008" in html  # Borno drills down to its LGAs


def test_an_lga_drills_down_to_its_sites_with_breadcrumbs(client, rounds, operation, manager):
    client.force_login(manager)
    html = client.get(figures_url(operation, 2, parent="NG008")).content.decode()
    assert table(html) == {
        "NG008001": [("10", "0", "1"), ("80", "30", "1")],
        "NG008002": [("20", "0", "1"), ("100", "0", "1")],
        "total": [("30", "0", "2"), ("180", "30", "2")],
    }
    assert "(+60.0%)" in html
    assert 'data-crumb="all"' in html
    sites = client.get(figures_url(operation, 2, level="site", parent="NG008001")).content.decode()
    assert table(sites) == {
        "S1": [("10", "0", None), ("80", "30", None)]
        if False
        else [("10", "0", "1"), ("80", "30", "1")],
        "total": [("10", "0", "1"), ("80", "30", "1")],
    }
    assert 'data-crumb="NG008"' in sites  # back up to Borno
    assert reverse("web:site", args=[operation.slug, "S1"]) in sites
    assert reverse("web:round", args=[operation.slug, "SA", 2]) in sites


def test_the_breakdown_shows_sex_and_age_origin_needs_and_services(
    client, rounds, operation, manager
):
    client.force_login(manager)
    html = client.get(figures_url(operation, 1)).content.decode()
    bands = re.findall(
        r'data-band="([^"]+)" data-female="([^"]*)" data-male="([^"]*)" data-total="([^"]*)"', html
    )
    assert bands == [
        ("18-59", "55", "32", "87"),
        ("0-4", "35", "28", "63"),
        ("all", "90", "60", "150"),
    ]  # hand-summed over S1 and S2, the oldest band on top
    assert section(html, "origin") == {"idp_reason_conflict": "140"}
    assert section(html, "needs") == {"need_rank_food": "1", "need_rank_shelter": "1"}
    assert section(html, "services") == {"svc_drinking_water": "1"}
    assert 'data-section="protection"' not in html  # a data manager is no protection officer


def test_protection_risks_only_for_protection_officers(client, rounds, operation, member):
    officer = member(Role.PROTECTION_OFFICER, operation, "protect")
    client.force_login(officer)
    html = client.get(figures_url(operation, 1)).content.decode()
    assert section(html, "protection") == {"pr_lighting_inadequate": "1"}
    viewer = member(Role.VIEWER, operation, "viewer")
    client.force_login(viewer)
    html = client.get(figures_url(operation, 1)).content.decode()
    assert "pr_lighting_inadequate" not in html
    assert "Protection risks" not in html
    assert section(html, "needs") == {"need_rank_food": "1", "need_rank_shelter": "1"}


def test_viewers_see_published_rounds_without_sites(client, rounds, operation, member):
    client.force_login(member(Role.VIEWER, operation, "viewer"))
    html = client.get(figures_url(operation, 1, parent="NG008")).content.decode()
    assert table(html)["NG008001"] == [("10", None, "1"), ("50", None, "1")]
    assert 'data-level="site"' not in html
    assert 'href="/ops/nga-ne/sites/' not in html
    refused = client.get(figures_url(operation, 1, level="site"))
    assert refused.status_code == 400
    assert "Use one of: 1, 2." in refused.content.decode()
    assert client.get(figures_url(operation, 2)).status_code == 404  # a draft: reviewers only


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ({"level": "4"}, 400, "Figures cannot be listed at level 4 here."),
        ({"parent": "NG008001", "level": "1"}, 400, "Use one of: site."),
        ({"parent": "NG999"}, 404, ""),
    ],
)
def test_a_wrong_level_or_parent_is_explained(
    client, rounds, operation, manager, query, status, text
):
    client.force_login(manager)
    response = client.get(figures_url(operation, 2, **query))
    assert response.status_code == status
    assert text in response.content.decode()


def test_the_page_costs_the_same_queries_for_many_places(
    client,
    rounds,
    borno,
    operation,
    manager,
    version,
    django_assert_max_num_queries,
):
    client.force_login(manager)
    url = figures_url(operation, 2, parent="NG008")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    assert len(few) <= 28, [query["sql"] for query in few.captured_queries]
    for number in range(3, 13):
        lga = AdminAreaFactory(
            operation=operation, level=2, pcode=f"NG0080{number:02d}", parent=borno[0]
        )
        assess(version, SiteFactory(admin_area=lga, code=f"S{number}"), 2, **S2)
    with django_assert_max_num_queries(len(few)):
        html = client.get(url).content.decode()
    assert len(table(html)) == 13  # 12 LGAs and the total


def test_past_the_limit_the_largest_places_are_listed(
    client, rounds, operation, manager, monkeypatch
):
    monkeypatch.setattr(figure_tables, "MAX_PLACES", 1)
    client.force_login(manager)
    html = client.get(figures_url(operation, 2, parent="NG008")).content.decode()
    assert list(table(html)) == ["NG008002", "total"]  # by the first column: 20 households over 10
    assert "1 more place is not listed" in html
