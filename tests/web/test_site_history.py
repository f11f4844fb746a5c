"""The site page: its figures over the published rounds, its latest needs, and the
submissions behind each round, for those allowed to see each part."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opendtm.accounts.roles import Role
from tests.publishing.conftest import publish
from tests.tracking import conftest as tracking
from tests.tracking.selectors import test_place_history as history

borno, manager = tracking.borno, tracking.manager  # the tracking tests' fixtures, shared here
version, rounds = history.version, history.rounds  # three published rounds and a draft


def site_url(operation, code: str = "S1") -> str:
    return reverse("web:site", kwargs={"slug": operation.slug, "code": code})


def history_rows(html: str) -> list[tuple[str, str, str]]:
    """(round, individuals, change in individuals) of each row of the history table."""
    rows = re.findall(r'<tr data-round="(\d+)">(.*?)</tr>', html, re.S)
    found = []
    for number, body in rows:
        cell = re.search(r'data-individuals="([^"]*)"(?: data-change="([^"]*)")?', body)
        assert cell is not None
        found.append((number, cell.group(1), cell.group(2) or ""))
    return found


def test_the_site_page_shows_its_published_history_and_needs(client, rounds, operation, manager):
    client.force_login(manager)
    html = client.get(site_url(operation)).content.decode()
    assert history_rows(html) == [("1", "50", ""), ("2", "80", "30"), ("3", "60", "-20")]
    needs = re.search(r'data-section="needs" data-round="(\d)"(.*?)</section>', html, re.S)
    assert needs is not None
    assert needs.group(1) == "3"
    ranked = re.findall(r'data-indicator="(need_rank_\w+)" data-value="([^"]*)"', needs.group(2))
    assert ranked == [("need_rank_food", "1"), ("need_rank_shelter", "2")]
    assert 'data-indicator="svc_drinking_water" data-value="1"' in needs.group(2)
    assert "pr_lighting_inadequate" not in html  # a data manager is not a protection role


def test_each_round_links_to_the_submissions_behind_it(client, rounds, operation, manager, borno):
    client.force_login(manager)
    html = client.get(site_url(operation)).content.decode()
    for submission in borno[2][0].submissions.all():
        link = reverse(
            "web:submission",
            kwargs={"slug": operation.slug, "form_id": "site_assessment", "pk": submission.pk},
        )
        published = submission.received_at.month < 4  # round 4 is still a draft
        assert (link in html) == published, submission.received_at
    assert html.count('data-submission="') == 3  # rounds 1 to 3; round 4's draft is not shown


def test_without_submission_rights_the_assessments_are_hidden(signed_in, rounds, operation):
    client = signed_in(Role.ENUMERATOR)  # sees sites, not submissions
    html = client.get(site_url(operation)).content.decode()
    assert history_rows(html)[1] == ("2", "80", "30")
    assert "data-sources" not in html
    assert "/submissions/" not in html
    assert "pr_lighting_inadequate" not in html


def test_a_protection_officer_sees_the_site_protection_risks(signed_in, rounds, operation):
    html = signed_in(Role.PROTECTION_OFFICER).get(site_url(operation)).content.decode()
    assert 'data-indicator="pr_lighting_inadequate" data-value="1"' in html


def test_an_outsider_gets_404(client, rounds, operation, member, other_operation):
    client.force_login(member(Role.OPERATION_ADMIN, other_operation, "outsider"))
    assert client.get(site_url(operation)).status_code == 404


@pytest.mark.parametrize("code", ["S1", "S2"])
def test_the_page_queries_do_not_grow_with_rounds(client, borno, manager, operation, version, code):
    client.force_login(manager)
    one = history.answers(10, 50, "food", "shelter", True)
    publish(manager, operation, version, borno[2], 1, [one, one])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(site_url(operation, code)).status_code == 200
        return len(queries)

    few = count()
    for number in range(2, 6):
        publish(manager, operation, version, borno[2], number, [one, one])
    html = client.get(site_url(operation, code)).content.decode()
    assert len(history_rows(html)) == 5
    assert count() == few
