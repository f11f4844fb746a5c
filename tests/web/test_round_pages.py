"""Round pages: the list and a new round, one round by role, its moves, issues, publishing and
correction."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.collection.models import Submission
from opendtm.tracking.models import Round, RoundRevision, ValidationIssue
from opendtm.tracking.services.rounds import round_publish
from tests.collection.factories_submissions import add_submission
from tests.factories import SiteFactory
from tests.tracking import conftest as tracking
from tests.tracking.conftest import assess, month_round

# The tracked operation of the tracking tests: Borno, two LGAs with a site each, a mapped form.
borno, manager, form_version = tracking.borno, tracking.manager, tracking.form_version

GOOD = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "need1": "food", "dark": "no"}


def url(name, operation, round=None, **kwargs):
    if round is not None:
        kwargs.update(assessment_type=round.assessment_type, number=round.number)
    return reverse(f"web:{name}", kwargs={"slug": operation.slug, **kwargs})


@pytest.fixture
def reviewed(borno, manager, operation, form_version):
    """Round 1 being validated: S1 with females and males not adding up (blocking), S2 fine."""
    _state, _lgas, (s1, s2) = borno
    current = month_round(manager, operation, 1, Round.Status.VALIDATING)
    bad = assess(form_version, s1, 1, **{**GOOD, "idp_f": 31})
    assess(form_version, s2, 1, **GOOD)
    return current, bad


def test_the_list_shows_rounds_by_type_with_their_open_issues(signed_in, operation, reviewed):
    client = signed_in(Role.DATA_MANAGER)
    page = client.get(url("rounds", operation)).content.decode()
    assert 'data-round="SA-1"' in page
    assert 'data-open-issues="1"' in page
    assert "1 blocking" in page
    assert (
        'data-round="SA-1"'
        not in client.get(url("rounds", operation), {"type": "BA"}).content.decode()
    )
    viewer = signed_in(Role.VIEWER).get(url("rounds", operation)).content.decode()
    assert 'data-round="SA-1"' in viewer
    assert "data-open-issues" not in viewer
    assert "New round" not in viewer


def test_a_data_manager_creates_a_round(signed_in, operation):
    response = signed_in(Role.DATA_MANAGER).post(
        url("rounds", operation),
        {
            "assessment_type": "BA",
            "number": "4",
            "period_start": "2026-04-01",
            "period_end": "2026-04-30",
            "title": "April",
        },
    )
    created = Round.objects.get(operation=operation)
    assert response.url == url("round", operation, created)
    assert (created.assessment_type, created.number, created.status) == ("BA", 4, "planned")


def test_a_period_ending_before_it_starts_is_shown_on_its_field(signed_in, operation):
    response = signed_in(Role.DATA_MANAGER).post(
        url("rounds", operation),
        {
            "assessment_type": "SA",
            "number": "1",
            "period_start": "2026-04-30",
            "period_end": "2026-04-01",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert (
        "the period ends (2026-04-01) before it starts (2026-04-30)" in form.errors["period_end"][0]
    )
    assert "Swap the two dates." in response.content.decode()
    assert not Round.objects.exists()


def test_those_who_do_not_publish_cannot_create_rounds(signed_in, operation):
    response = signed_in(Role.VIEWER).post(url("rounds", operation), {"number": "1"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "sees_submissions", "reviews", "publishes"),
    [
        (Role.VIEWER, False, False, False),
        (Role.ENUMERATOR, False, False, False),
        (Role.PROTECTION_OFFICER, False, False, False),
        (Role.DATA_MANAGER, True, True, True),
        (Role.OPERATION_ADMIN, True, True, True),
    ],
)
def test_the_round_page_shows_each_role_what_it_may_see(
    signed_in, operation, reviewed, role, sees_submissions, reviews, publishes
):
    current, _bad = reviewed
    page = signed_in(role).get(url("round", operation, current)).content.decode()
    assert 'data-status="validating"' in page
    assert ('data-revision="1"' in page) is reviews  # a draft, not yet published
    assert url("round-figures", operation, current) in page
    assert ('id="coverage-map"' in page) is sees_submissions
    assert ('data-area="NG008001"' in page) is sees_submissions
    assert ('id="issues"' in page) is reviews
    assert ("females and males add up" in page) is reviews
    assert ('data-action="publish"' in page) is publishes
    assert ('data-move="collecting"' in page) is publishes


def test_the_page_shows_progress_coverage_and_the_checklist(
    signed_in, operation, reviewed, form_version, borno
):
    current, bad = reviewed
    add_submission(  # received, not reviewed yet
        form_version,
        {"site_code": "S2"},
        received_at=datetime.datetime(2026, 1, 20, tzinfo=datetime.UTC),
        site=borno[2][1],
    )
    page = signed_in(Role.DATA_MANAGER).get(url("round", operation, current)).content.decode()
    assert 'data-coverage="expected">2<' in page
    assert 'data-coverage="missing">0<' in page
    assert 'data-check="blocking" data-count="1"' in page
    assert 'data-check="unreviewed" data-count="1"' in page
    assert 'data-check="change" data-count="0"' in page
    submission_url = reverse(
        "web:submission",
        kwargs={"slug": operation.slug, "form_id": bad.form.form_id, "pk": bad.pk},
    )
    assert submission_url in page
    assert "disabled" in page.split('data-action="publish"')[1].split(">")[0]


def test_moves_follow_the_status_order(signed_in, operation, manager):
    current = month_round(manager, operation, 1, Round.Status.PLANNED)
    client = signed_in(Role.DATA_MANAGER)
    response = client.post(url("round-move", operation, current), {"status": "collecting"})
    assert response.url == url("round", operation, current)
    current.refresh_from_db()
    assert current.status == "collecting"
    refused = client.post(url("round-move", operation, current), {"status": "published"})
    assert refused.status_code == 400
    assert "A round that is Collecting cannot become Published." in refused.content.decode()
    assert (
        signed_in(Role.VIEWER)
        .post(url("round-move", operation, current), {"status": "validating"})
        .status_code
        == 403
    )


def test_issues_are_filtered_by_state_severity_and_rule(
    signed_in, operation, reviewed, form_version, borno
):
    current, _bad = reviewed
    assess(form_version, borno[2][1], 1, **{**GOOD, "idp_hh": 2, "idp_ind": 40, "idp_f": 20})
    client = signed_in(Role.DATA_MANAGER)
    page = client.get(url("round", operation, current), {"rule": "household_size"}).content.decode()
    assert 'data-rule="household_size"' in page
    assert 'data-rule="sex_sum"' not in page
    partial = client.get(
        url("round-issues", operation, current), {"severity": "blocking"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial
    assert 'data-rule="sex_sum"' in partial
    assert 'data-rule="household_size"' not in partial
    explained = client.get(url("round-issues", operation, current), {"state": "explained"})
    assert 'data-count="0"' in explained.content.decode()
    assert signed_in(Role.VIEWER).get(url("round-issues", operation, current)).status_code == 403


def test_an_issue_is_explained_with_a_reason(signed_in, operation, reviewed):
    current, _bad = reviewed
    issue = ValidationIssue.objects.get(round=current, rule="sex_sum")
    client = signed_in(Role.DATA_MANAGER)
    refused = client.post(
        url("issue-explain", operation, current, pk=issue.pk), {"explanation": " "}
    )
    assert refused.status_code == 400
    assert (
        "An explanation is required." in refused.context["explaining_form"].errors["explanation"][0]
    )
    response = client.post(
        url("issue-explain", operation, current, pk=issue.pk),
        {"explanation": "One woman counted twice by the enumerator; the total is right."},
    )
    assert response.url == url("round", operation, current) + "#issues"
    issue.refresh_from_db()
    assert (issue.state, issue.decided_by) == ("explained", client.user)


def test_publishing_is_refused_while_blocking_issues_are_open(signed_in, operation, reviewed):
    current, bad = reviewed
    response = signed_in(Role.DATA_MANAGER).post(url("round-publish", operation, current))
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 blocking issue(s) are still open." in page
    assert "idp_individuals: females and males add up to 51, not the total 50" in page
    assert f'data-blocking="{ValidationIssue.objects.get(rule="sex_sum").pk}"' in page
    current.refresh_from_db()
    assert current.status == "validating"


def test_a_round_is_validated_published_then_corrected_with_a_reason(
    signed_in, operation, reviewed
):
    current, _bad = reviewed
    client = signed_in(Role.DATA_MANAGER)
    assert client.post(url("round-validate", operation, current)).status_code == 302
    issue = ValidationIssue.objects.get(round=current, rule="sex_sum", state="open")
    client.post(url("issue-explain", operation, current, pk=issue.pk), {"explanation": "Checked."})
    published = client.post(url("round-publish", operation, current))
    assert published.url == url("round", operation, current)
    current.refresh_from_db()
    assert current.status == "published"
    page = client.get(url("round", operation, current)).content.decode()
    assert 'data-action="validate"' not in page
    assert "Correct the published figures" in page
    no_reason = client.post(url("round-correct", operation, current), {"reason": ""})
    assert no_reason.status_code == 400
    assert "a reason is required" in no_reason.context["correct_form"].errors["reason"][0]
    assert RoundRevision.objects.filter(round=current).count() == 1
    client.post(url("round-correct", operation, current), {"reason": "Site S1 recounted."})
    revisions = {
        item.number: (item.status, item.reason)
        for item in RoundRevision.objects.filter(round=current)
    }
    assert revisions == {1: ("published", ""), 2: ("draft", "Site S1 recounted.")}
    page = client.get(url("round", operation, current)).content.decode()
    assert "Site S1 recounted." in page
    assert 'data-revision="2"' in page
    assert AuditEvent.objects.filter(note="Site S1 recounted.").exists()


def test_validating_a_published_round_is_refused_on_the_page(
    signed_in, operation, reviewed, manager
):
    current, _bad = reviewed
    ValidationIssue.objects.filter(round=current).update(state="explained")
    round_publish(actor=manager, round=current)
    response = signed_in(Role.DATA_MANAGER).post(url("round-validate", operation, current))
    assert response.status_code == 400
    assert "its figures are frozen" in response.content.decode()


def test_the_coverage_map_data_is_for_those_who_see_submissions(signed_in, operation, reviewed):
    current, _bad = reviewed
    collection = signed_in(Role.DATA_MANAGER).get(url("round-coverage", operation, current)).json()
    assert collection["type"] == "FeatureCollection"
    assert signed_in(Role.VIEWER).get(url("round-coverage", operation, current)).status_code == 403


def queries_of(client, path, ceiling):
    """The queries of a GET, counted at once: the next request clears Django's query log."""
    client.get(path)  # warm up
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    assert len(captured) <= ceiling, [query["sql"] for query in captured.captured_queries]
    return len(captured)


def test_the_list_costs_the_same_queries_for_one_round_or_ten(
    signed_in, operation, manager, django_assert_max_num_queries
):
    client = signed_in(Role.DATA_MANAGER)
    month_round(manager, operation, 1)
    one = queries_of(client, url("rounds", operation), ceiling=8)
    for month in range(2, 12):
        month_round(manager, operation, month)
    with django_assert_max_num_queries(one):
        assert client.get(url("rounds", operation)).status_code == 200


def test_the_round_page_costs_the_same_queries_whatever_its_issues_and_areas(
    signed_in, operation, reviewed, form_version, borno, django_assert_max_num_queries
):
    current, _bad = reviewed
    client = signed_in(Role.DATA_MANAGER)
    few = queries_of(client, url("round", operation, current), ceiling=20)
    for number in range(12):  # a site in a new LGA each, with an issue each
        site = SiteFactory(
            admin_area__operation=operation,
            admin_area__level=2,
            admin_area__parent=borno[0],
            admin_area__pcode=f"NG0089{number:02d}",
            code=f"X{number}",
        )
        assess(form_version, site, 1, **{**GOOD, "idp_m": 21})
    add_submission(
        form_version,
        {},
        received_at=datetime.datetime(2026, 1, 3, tzinfo=datetime.UTC),
        review_state=Submission.Review.REJECTED,
    )
    with django_assert_max_num_queries(few):
        page = client.get(url("round", operation, current)).content.decode()
    assert page.count("data-issue=") == 13
    assert page.count("data-area=") == 15  # two LGAs, twelve new ones, and no place


def test_an_issue_of_another_operation_is_not_found_under_a_round_of_this_one(
    signed_in, operation, other_operation, reviewed, member
):
    current, _bad = reviewed
    round_b = month_round(member(Role.DATA_MANAGER, other_operation), other_operation, 1)
    issue_b = ValidationIssue.objects.create(
        round=round_b, rule="sex_sum", message="Khartoum camp sums", severity="blocking"
    )
    client = signed_in(Role.DATA_MANAGER)
    response = client.post(
        url("issue-explain", operation, current, pk=issue_b.pk), {"explanation": "Fine."}
    )
    assert response.status_code == 404
    issue_b.refresh_from_db()
    assert issue_b.state == "open"
    page = client.get(url("round", operation, current)).content.decode()
    assert "Khartoum" not in page
