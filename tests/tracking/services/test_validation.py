import datetime

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.tracking.models import AssessmentType, Round, TrackingSettings, ValidationIssue
from opendtm.tracking.services.figures import figures_recompute
from opendtm.tracking.services.rounds import RoundData, round_create, round_move, round_publish
from opendtm.tracking.services.validation import (
    issue_explain,
    round_validate,
    round_validate_run,
)
from tests.collection.factories_submissions import add_submission
from tests.tracking.conftest import assess, month_round, tracked_form

GOOD = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "need1": "food", "dark": "no"}


def open_rules(round):
    return sorted(
        (issue.rule, issue.severity, issue.field)
        for issue in ValidationIssue.objects.filter(round=round, state="open")
    )


def test_a_clean_assessment_raises_nothing(borno, manager, operation, form_version):
    current = month_round(manager, operation, 1)
    assess(form_version, borno[2][0], 1, **GOOD)
    assert round_validate(current) == []


def test_sums_and_households_are_checked_when_figures_are_written(
    borno, manager, operation, form_version
):
    current = month_round(manager, operation, 1)
    assess(form_version, borno[2][0], 1, **{**GOOD, "idp_f": 31})
    assess(form_version, borno[2][1], 1, **{**GOOD, "idp_hh": 60})
    assert open_rules(current) == [
        ("households_over_individuals", "blocking", "idp_households"),
        ("sex_sum", "blocking", "idp_individuals"),
    ]
    message = ValidationIssue.objects.get(rule="sex_sum").message
    assert message == "idp_individuals: females and males add up to 51, not the total 50"


def test_household_size_above_fifteen_is_a_warning(borno, manager, operation, form_version):
    current = month_round(manager, operation, 1)
    assess(form_version, borno[2][0], 1, **{**GOOD, "idp_hh": 2, "idp_ind": 40, "idp_f": 20})
    assert open_rules(current) == [("household_size", "warning", "idp_individuals")]


def test_fixing_the_data_clears_the_issue(borno, manager, operation, form_version):
    current = month_round(manager, operation, 1)
    submission = assess(form_version, borno[2][0], 1, **{**GOOD, "idp_f": 31})
    version = submission.versions.get()
    version.data["idp_f"] = "30"
    version.save(update_fields=["data"])
    figures_recompute([submission.pk])
    assert open_rules(current) == []


def test_duplicates_and_change_are_round_rules(borno, manager, operation, form_version):
    first = month_round(manager, operation, 1)
    assess(form_version, borno[2][0], 1, **GOOD)
    round_move(actor=manager, round=first, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=first)
    second = month_round(manager, operation, 2)
    big = {**GOOD, "idp_ind": 100, "idp_f": 60, "idp_m": 40}
    assess(form_version, borno[2][0], 2, **big)
    assess(form_version, borno[2][0], 2, **big)
    round_validate(second)
    assert open_rules(second) == [
        ("change", "warning", "idp_individuals"),
        ("duplicate_place", "blocking", ""),
    ]
    change = ValidationIssue.objects.get(rule="change")
    assert change.message == "IDP individuals went from 50 to 200 (+300%) since round 1"
    TrackingSettings.objects.create(operation=operation, change_threshold_percent=400)
    round_validate(second)
    assert open_rules(second) == [("duplicate_place", "blocking", "")]


def test_site_totals_above_the_baseline_are_flagged(borno, manager, operation, form_version):
    _state, lgas, sites = borno
    baseline_form = tracked_form(operation, kind="baseline_area", form_id="baseline")
    baseline = round_create(
        actor=manager,
        operation=operation,
        data=RoundData(
            1, AssessmentType.BASELINE_AREA, datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)
        ),
    )
    round_move(actor=manager, round=baseline, status=Round.Status.COLLECTING)
    area_report = add_submission(
        baseline_form,
        {"site_code": "", "idp_hh": 5, "idp_ind": 40, "idp_f": 20, "idp_m": 20},
        received_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        admin_area=lgas[0],
        review_state="approved",
    )
    figures_recompute([area_report.pk])
    round_move(actor=manager, round=baseline, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=baseline)
    sites_round = month_round(manager, operation, 2)
    assess(form_version, sites[0], 2, **GOOD)
    round_validate(sites_round)
    assert open_rules(sites_round) == [("site_above_area", "warning", "idp_individuals")]


def test_an_explained_issue_stops_blocking_and_stays_explained(
    borno, manager, operation, form_version
):
    current = month_round(manager, operation, 1, status=Round.Status.VALIDATING)
    assess(form_version, borno[2][0], 1, **{**GOOD, "idp_f": 31})
    issue = ValidationIssue.objects.get()
    with pytest.raises(ApplicationError):
        round_publish(actor=manager, round=current)
    with pytest.raises(ApplicationError):
        issue_explain(actor=manager, issue=issue, explanation=" ")
    issue_explain(
        actor=manager,
        issue=issue,
        explanation="One woman counted twice by the KI; confirmed by phone",
    )
    round_validate(current)
    assert ValidationIssue.objects.get().state == "explained"
    round_publish(actor=manager, round=current)


def test_a_reviewers_run_is_audited_and_a_viewer_cannot_run_it(
    manager, member, operation, form_version, borno
):
    current = month_round(manager, operation, 1)
    assert round_validate_run(actor=manager, round=current) == []
    event = AuditEvent.objects.filter(object_type="tracking.round", note="validation run").get()
    assert event.after == {"open_issues": 0}
    with pytest.raises(Forbidden):
        round_validate_run(actor=member(Role.VIEWER, operation), round=current)
