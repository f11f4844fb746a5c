import datetime

from opendtm.collection.models import Submission
from opendtm.collection.services.review import submission_review
from opendtm.tracking.models import Figure, Round, ValidationIssue
from opendtm.tracking.services.figures import figures_recompute
from opendtm.tracking.services.rounds import round_move, round_publish
from tests.collection.factories_submissions import add_submission
from tests.tracking.conftest import assess, month_round

S1 = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "need1": "food", "dark": "yes"}


def figures_of(submission):
    return sorted(
        (figure.indicator.code, figure.sex, figure.value)
        for figure in Figure.objects.filter(submission=submission).select_related("indicator")
    )


def test_an_approved_submission_gives_figures_traced_to_it(borno, manager, operation, form_version):
    state, lgas, sites = borno
    month_round(manager, operation, 1)
    submission = assess(form_version, sites[0], 1, **S1)
    assert figures_of(submission) == [
        ("idp_households", "", 10.0),
        ("idp_individuals", "", 50.0),
        ("idp_individuals", "f", 30.0),
        ("idp_individuals", "m", 20.0),
        ("need_rank_food", "", 1.0),
        ("pr_lighting_inadequate", "", 1.0),
    ]
    figure = Figure.objects.filter(submission=submission).first()
    assert (figure.form_version, figure.site, figure.admin_area) == (
        form_version,
        sites[0],
        lgas[0],
    )
    assert (figure.admin1_id, figure.admin2_id, figure.admin3_id) == (state.pk, lgas[0].pk, None)


def test_review_states_and_edits_rewrite_the_figures(
    borno, manager, operation, form_version, django_capture_on_commit_callbacks
):
    _state, _lgas, sites = borno
    month_round(manager, operation, 1)
    submission = assess(form_version, sites[0], 1, approved=False, **S1)
    assert figures_of(submission) == []
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(actor=manager, submission=submission, state="approved")
    assert len(figures_of(submission)) == 6
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(
            actor=manager, submission=submission, state="rejected", comment="wrong site"
        )
    assert figures_of(submission) == []


def test_a_submission_outside_every_round_or_without_a_place_gives_none(
    borno, manager, operation, form_version
):
    _state, _lgas, sites = borno
    month_round(manager, operation, 1)
    assert figures_of(assess(form_version, sites[0], 3, **S1)) == []  # no round in March
    nowhere = add_submission(
        form_version,
        {"site_code": "S9", **S1},
        received_at=datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC),
        review_state=Submission.Review.APPROVED,
    )
    figures_recompute([nowhere.pk])
    issue = ValidationIssue.objects.get(submission=nowhere)
    assert (issue.rule, issue.severity) == ("no_place", "blocking")


def test_a_published_round_keeps_its_figures_and_flags_the_change(
    borno, manager, operation, form_version
):
    _state, _lgas, sites = borno
    current = month_round(manager, operation, 1)
    submission = assess(form_version, sites[0], 1, **S1)
    round_move(actor=manager, round=current, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=current)
    Submission.objects.filter(pk=submission.pk).update(review_state="rejected")
    figures_recompute([submission.pk])
    assert len(figures_of(submission)) == 6
    assert ValidationIssue.objects.get(submission=submission).rule == "published_round_changed"


def test_newly_received_submissions_cost_one_query(
    borno, manager, operation, form_version, django_assert_num_queries
):
    _state, _lgas, sites = borno
    month_round(manager, operation, 1)
    received = [assess(form_version, sites[0], 1, approved=False, **S1).pk for _ in range(5)]
    with django_assert_num_queries(1):
        assert figures_recompute(received) == 0
