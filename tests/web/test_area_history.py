"""The admin area page: the area's figures over the published rounds from its stored level
figures, its latest needs, and its children with their latest totals."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opendtm.accounts.roles import Role
from tests.factories import AdminAreaFactory
from tests.tracking import conftest as tracking
from tests.tracking.selectors import test_place_history as history
from tests.web.test_site_history import history_rows

borno, manager = tracking.borno, tracking.manager  # the tracking tests' fixtures, shared here
version, rounds = history.version, history.rounds  # three published rounds and a draft


def area_url(operation, pcode: str = "NG008") -> str:
    return reverse("web:area", kwargs={"slug": operation.slug, "pcode": pcode})


def children(html: str) -> dict[str, tuple[str, str]]:
    """Each child's latest (individuals, round) by p-code."""
    found = {}
    for pcode, body in re.findall(r'<tr data-child="([^"]+)">(.*?)</tr>', html, re.S):
        value = re.search(r'data-individuals="([^"]*)"', body)
        number = re.search(r'data-round="(\d+)"', body)
        found[pcode] = (value.group(1) if value else "", number.group(1) if number else "")
    return found


def test_the_state_page_shows_its_history_children_and_needs(signed_in, rounds, operation):
    client = signed_in(Role.VIEWER)
    html = client.get(area_url(operation)).content.decode()
    assert history_rows(html) == [("1", "150", ""), ("2", "80", "-70"), ("3", "180", "100")]
    assert children(html) == {"NG008001": ("60", "3"), "NG008002": ("120", "3")}
    needs = re.search(r'data-section="needs" data-round="3"(.*?)</section>', html, re.S)
    assert needs is not None
    ranked = re.findall(r'data-indicator="(need_rank_\w+)" data-value="([^"]*)"', needs.group(1))
    assert ranked == [("need_rank_food", "2"), ("need_rank_shelter", "0")]
    assert "pr_lighting_inadequate" not in html  # a viewer never sees protection data
    assert "data-sources" not in html  # nor the submissions


def test_an_lga_page_shows_the_round_it_was_not_assessed_in(client, rounds, operation, manager):
    client.force_login(manager)
    html = client.get(area_url(operation, "NG008002")).content.decode()
    assert history_rows(html) == [("1", "100", ""), ("2", "", ""), ("3", "120", "")]
    submissions = reverse(
        "web:submissions", kwargs={"slug": operation.slug, "form_id": "site_assessment"}
    )
    assert f"{submissions}?area=NG008002" in html
    assert re.findall(r'data-form="site_assessment" data-count="(\d+)"', html) == ["1", "1"]


def test_a_protection_officer_sees_the_area_protection_risks(signed_in, rounds, operation):
    html = signed_in(Role.PROTECTION_OFFICER).get(area_url(operation)).content.decode()
    assert 'data-indicator="pr_lighting_inadequate" data-value="1"' in html


def test_an_outsider_gets_404(client, rounds, operation, member, other_operation):
    client.force_login(member(Role.OPERATION_ADMIN, other_operation, "outsider"))
    assert client.get(area_url(operation)).status_code == 404


def test_the_page_queries_do_not_grow_with_children(client, rounds, borno, operation, manager):
    client.force_login(manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(area_url(operation)).status_code == 200
        return len(queries)

    few = count()
    for index in range(3, 33):
        AdminAreaFactory(operation=operation, level=2, pcode=f"NG008{index:03d}", parent=borno[0])
    html = client.get(area_url(operation)).content.decode()
    assert len(children(html)) == 32
    assert count() == few
