"""The rounds API: list, create, detail, and the move, validate, publish and correct actions."""

import datetime

from opendtm.tracking.models import Round, RoundRevision, ValidationIssue
from opendtm.tracking.services.rounds import RoundData, round_create
from tests.query_counts import assert_queries_do_not_grow
from tests.tracking.api.conftest import ROUNDS

SECOND = f"{ROUNDS}SA/2/"


def test_list_newest_first_with_filters(api, tracked):
    rounds = api.get(ROUNDS).json()["results"]
    assert [(row["number"], row["status"]) for row in rounds] == [
        (2, "collecting"),
        (1, "published"),
    ]
    assert [row["published_revision"] for row in rounds] == [None, 1]
    published = api.get(ROUNDS, {"status": "published"}).json()["results"]
    assert [row["number"] for row in published] == [1]
    assert api.get(ROUNDS, {"assessment_type": "BA"}).json()["results"] == []
    refused = api.get(ROUNDS, {"status": "finished"})
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["field"] == "status"


def test_list_queries_do_not_grow_with_rounds(
    api, manager, operation, django_assert_max_num_queries
):
    def add_rows(numbers):
        for number in numbers:
            start = datetime.date(2020, 1, 1) + datetime.timedelta(days=10 * number)
            data = RoundData(number + 1, "SA", start, start + datetime.timedelta(days=9))
            round_create(actor=manager, operation=operation, data=data)

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries, api, ROUNDS, add_rows, ceiling=8
    )
    assert body["count"] == 31


def test_create_answers_the_new_round_with_its_location(api, operation):
    body = {
        "number": 1,
        "assessment_type": "BA",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "title": "March baseline",
    }
    created = api.post(ROUNDS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created["Location"] == f"{ROUNDS}BA/1/"
    assert created.json()["status"] == "planned"
    assert [revision["status"] for revision in created.json()["revisions"]] == ["draft"]
    again = api.post(
        ROUNDS, {**body, "period_start": "2026-04-01", "period_end": "2026-04-02"}, format="json"
    )
    assert again.status_code == 400
    assert [problem["field"] for problem in again.json()["problems"]] == ["number"]


def test_create_refuses_bad_input_naming_the_field(api, viewer):
    body = {"number": 0, "assessment_type": "XX", "period_start": "2026-03-01"}
    refused = api.post(ROUNDS, body, format="json")
    assert refused.status_code == 400
    fields = {problem["field"] for problem in refused.json()["problems"]}
    assert fields == {"number", "assessment_type", "period_end"}
    unknown = api.post(ROUNDS, {**body, "extra": 1}, format="json")
    assert [problem["field"] for problem in unknown.json()["problems"]] == ["extra"]
    backwards = {**body, "number": 1, "assessment_type": "SA", "period_end": "2026-02-01"}
    refused = api.post(ROUNDS, backwards, format="json")
    assert [problem["field"] for problem in refused.json()["problems"]] == ["period_end"]
    complete = {**backwards, "period_end": "2026-03-31"}
    assert viewer.post(ROUNDS, complete, format="json").status_code == 403
    assert not Round.objects.exists()


def test_detail_has_revisions_issue_counts_and_coverage(api, tracked):
    detail = api.get(SECOND).json()
    assert (detail["number"], detail["status"], detail["period_start"]) == (
        2,
        "collecting",
        "2026-02-01",
    )
    assert detail["revisions"][0]["opened_by"] == "manager"
    assert detail["issue_counts"] == [
        {"rule": "sex_sum", "severity": "blocking", "state": "open", "count": 1}
    ]
    assert detail["coverage"] == {"expected": 2, "assessed": 2, "missing": 0, "new": 0}


def test_a_viewer_sees_the_round_without_issues_or_coverage(viewer, tracked):
    detail = viewer.get(SECOND).json()
    assert detail["status"] == "collecting"
    assert (detail["issue_counts"], detail["coverage"]) == (None, None)


def test_unknown_or_foreign_rounds_are_not_found(api, outsider, tracked):
    assert api.get(f"{ROUNDS}SA/9/").status_code == 404
    assert api.get(f"{ROUNDS}XX/1/").status_code == 404
    assert api.get(f"{ROUNDS}SA/99999999999999999999/").status_code == 404
    assert outsider.get(SECOND).status_code == 404
    assert outsider.post(f"{SECOND}publish/").status_code == 404


def test_move_between_collecting_and_validating(api, viewer, tracked):
    moved = api.post(f"{SECOND}move/", {"status": "validating"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == "validating"
    refused = api.post(f"{SECOND}move/", {"status": "published"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["field"] == "status"
    assert viewer.post(f"{SECOND}move/", {"status": "collecting"}, format="json").status_code == 403
    assert Round.objects.get(pk=tracked.second.pk).status == "validating"


def test_validate_runs_the_round_rules(api, viewer, tracked):
    ValidationIssue.objects.filter(round=tracked.second).delete()
    assert viewer.post(f"{SECOND}validate/").status_code == 403
    assert not ValidationIssue.objects.exists()
    validated = api.post(f"{SECOND}validate/")
    assert validated.status_code == 200
    rules = {count["rule"] for count in validated.json()["issue_counts"]}
    assert "sex_sum" in rules
    published = api.post(f"{ROUNDS}SA/1/validate/")
    assert published.status_code == 400
    assert "frozen" in published.json()["message"]


def test_publish_is_refused_with_the_blocking_issues_listed(api, tracked):
    api.post(f"{SECOND}move/", {"status": "validating"}, format="json")
    refused = api.post(f"{SECOND}publish/")
    assert refused.status_code == 400
    body = refused.json()
    [issue] = body["blocking_issues"]
    assert issue["submission"]["id"] == tracked.sex_mismatch_submission_id
    assert (issue["rule"], issue["field"], issue["state"]) == ("sex_sum", "idp_individuals", "open")
    assert [problem["field"] for problem in body["problems"]] == ["idp_individuals"]
    assert Round.objects.get(pk=tracked.second.pk).status == "validating"

    explained = api.post(
        f"{SECOND}issues/{issue['id']}/explain/", {"explanation": "5 unknown sex"}, format="json"
    )
    assert explained.status_code == 200
    published = api.post(f"{SECOND}publish/")
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published"
    assert published.json()["published_revision"] == 1
    assert published.json()["revisions"][0]["published_by"] == "manager"


def test_publishing_a_collecting_round_is_refused(api, tracked):
    refused = api.post(f"{SECOND}publish/")
    assert refused.status_code == 400
    assert "validated" in refused.json()["message"]


def test_correct_needs_a_reason_then_opens_the_next_revision(api, tracked):
    first = f"{ROUNDS}SA/1/"
    missing = api.post(f"{first}correct/", {}, format="json")
    assert missing.status_code == 400
    assert [problem["field"] for problem in missing.json()["problems"]] == ["reason"]
    blank = api.post(f"{first}correct/", {"reason": "   "}, format="json")
    assert blank.status_code == 400
    assert [problem["field"] for problem in blank.json()["problems"]] == ["reason"]
    assert RoundRevision.objects.filter(round=tracked.first).count() == 1

    corrected = api.post(f"{first}correct/", {"reason": "S2 counted twice"}, format="json")
    assert corrected.status_code == 200, corrected.json()
    body = corrected.json()
    assert body["status"] == "validating"
    assert body["published_revision"] == 1  # readable until the correction is published
    assert [(rev["number"], rev["status"], rev["reason"]) for rev in body["revisions"]] == [
        (1, "published", ""),
        (2, "draft", "S2 counted twice"),
    ]
    published = api.post(f"{first}publish/").json()
    assert [rev["status"] for rev in published["revisions"]] == ["superseded", "published"]
    assert published["published_revision"] == 2
