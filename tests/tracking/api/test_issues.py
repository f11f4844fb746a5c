"""The issues API: a round's validation issues, filtered, and explained one by one."""

from opendtm.tracking.models import ValidationIssue
from tests.factories import SiteFactory
from tests.query_counts import assert_queries_do_not_grow
from tests.tracking.api.conftest import ROUNDS, S1
from tests.tracking.conftest import assess

ISSUES = f"{ROUNDS}SA/2/issues/"


def test_each_issue_names_its_submission_field_and_rule(api, tracked):
    [issue] = api.get(ISSUES).json()["results"]
    assert issue["submission"] == {
        "id": tracked.sex_mismatch_submission_id,
        "form_id": "site_assessment",
    }
    assert issue["site"] == "S2"
    assert (issue["rule"], issue["field"], issue["severity"], issue["state"]) == (
        "sex_sum",
        "idp_individuals",
        "blocking",
        "open",
    )
    assert "105" in issue["message"]
    assert (issue["explanation"], issue["decided_by"]) == ("", None)


def test_filters_by_state_severity_and_rule(api, tracked):
    assert len(api.get(ISSUES, {"state": "open", "severity": "blocking"}).json()["results"]) == 1
    assert api.get(ISSUES, {"state": "explained"}).json()["results"] == []
    assert api.get(ISSUES, {"severity": "warning"}).json()["results"] == []
    assert api.get(ISSUES, {"rule": "age_sum"}).json()["results"] == []
    refused = api.get(ISSUES, {"state": "closed"})
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["field"] == "state"


def test_list_queries_do_not_grow_with_issues(
    api, tracked, borno, form_version, django_assert_max_num_queries
):
    lga = borno[1][0]

    def add_rows(numbers):
        for number in numbers:
            site = SiteFactory(admin_area=lga, code=f"X{number}")
            assess(form_version, site, 2, **{**S1, "idp_f": 1})

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries, api, ISSUES, add_rows, ceiling=8
    )
    assert body["count"] == 32


def test_explain_records_why_and_who(api, tracked):
    issue = ValidationIssue.objects.get(round=tracked.second)
    url = f"{ISSUES}{issue.pk}/explain/"
    missing = api.post(url, {"explanation": "  "}, format="json")
    assert missing.status_code == 400
    assert [problem["field"] for problem in missing.json()["problems"]] == ["explanation"]
    explained = api.post(url, {"explanation": "5 of unknown sex"}, format="json")
    assert explained.status_code == 200
    assert (explained.json()["state"], explained.json()["decided_by"]) == ("explained", "manager")
    assert api.get(ISSUES, {"state": "explained"}).json()["count"] == 1
    assert api.post(f"{ISSUES}{issue.pk + 100}/explain/", {"explanation": "x"}).status_code == 404


def test_issues_are_for_reviewers_of_the_operation(viewer, outsider, tracked):
    issue = ValidationIssue.objects.get(round=tracked.second)
    assert viewer.get(ISSUES).status_code == 403
    refused = viewer.post(f"{ISSUES}{issue.pk}/explain/", {"explanation": "x"}, format="json")
    assert refused.status_code == 403
    assert outsider.get(ISSUES).status_code == 404
    assert ValidationIssue.objects.get(pk=issue.pk).state == "open"
