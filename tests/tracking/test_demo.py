"""The demo's six months of mobility tracking over Borno, played once (one site per LGA)."""

import pytest
from django.core.management import call_command

from opendtm.accounts.demo import demo_people_ensure
from opendtm.accounts.models import User
from opendtm.collection.models import Submission, SubmissionVersion
from opendtm.core.errors import ApplicationError
from opendtm.geo.demo import demo_areas_load, demo_sites_load
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.demo import SEED, borno, demo_tracking_load
from opendtm.tracking.demo.flaws import flaws_plan
from opendtm.tracking.models import Figure, Round, RoundRevision, RoundSubmission, ValidationIssue
from opendtm.tracking.selectors.figures import time_series
from opendtm.tracking.selectors.rounds import round_coverage
from opendtm.tracking.services.rounds import round_publish

SITES_PER_LGA = 1


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the module, committed as the demo commits; flushed afterwards."""
    with django_db_blocker.unblock():
        people = demo_people_ensure()
        demo_areas_load(actor=people.admin, operation=people.operation)
        demo_sites_load(actor=people.admin, operation=people.operation)
        summary = demo_tracking_load(
            operation=people.operation, admin=people.admin, sites_per_lga=SITES_PER_LGA
        )
        yield people.operation, summary
        call_command("flush", interactive=False, verbosity=0)


def rounds(operation, kind):
    return list(Round.objects.filter(operation=operation, assessment_type=kind).order_by("number"))


def borno_series(operation, kind, code="idp_individuals", area=None):
    admin = User.objects.get(username="admin")
    area = area or AdminArea.objects.get(operation=operation, pcode="NG008")
    return [total for _number, _end, total in time_series(user=admin, area=area, assessment_type=kind, code=code)]  # fmt: skip


@pytest.mark.django_db
def test_six_monthly_rounds_of_each_type_five_published(demo):
    operation, summary = demo
    for kind in ("BA", "SA"):
        found = rounds(operation, kind)
        assert [item.number for item in found] == [1, 2, 3, 4, 5, 6]
        assert [item.status for item in found] == ["published"] * 5 + ["validating"]
        assert [item.period_start.month for item in found] == [5, 6, 7, 8, 9, 10]
    assert summary.rounds == 12
    assert summary.submissions == Submission.objects.filter(operation=operation).count()


@pytest.mark.django_db
def test_the_last_rounds_keep_one_open_finding_of_each_deliberate_kind(demo):
    operation, summary = demo
    ba, sa = rounds(operation, "BA")[-1], rounds(operation, "SA")[-1]
    open_rules = {
        (item.round.assessment_type, item.rule, item.severity)
        for item in ValidationIssue.objects.filter(round__in=[ba, sa], state="open")
    }
    assert open_rules >= {
        ("SA", "sex_sum", "blocking"),
        ("SA", "age_sum", "blocking"),
        ("SA", "households_over_individuals", "blocking"),
        ("SA", "duplicate_place", "blocking"),
        ("SA", "change", "warning"),
        ("SA", "site_above_area", "warning"),
        ("BA", "households_over_individuals", "blocking"),
    }
    assert (
        summary.open_issues
        == ValidationIssue.objects.filter(round__in=[ba, sa], state="open").count()
    )
    admin = User.objects.get(username="admin")
    with pytest.raises(ApplicationError, match="blocking issue") as refused:
        round_publish(actor=admin, round=sa)
    assert {problem.field for problem in refused.value.problems} >= {
        "idp_individuals",
        "idp_households",
    }


@pytest.mark.django_db
def test_earlier_findings_were_explained_or_dealt_with_before_publishing(demo):
    operation, _summary = demo
    published = Round.objects.filter(operation=operation, status="published")
    issues = ValidationIssue.objects.filter(round__in=published)
    assert not issues.filter(state="open", severity="blocking").exists()
    explained = set(issues.filter(state="explained").values_list("round__number", "rule"))
    assert {(2, "change"), (5, "sex_sum"), (5, "age_sum")} <= explained
    assert all(issues.filter(state="explained").values_list("explanation", flat=True))
    rejected = Submission.objects.filter(operation=operation, review_state="rejected")
    assert rejected.count() == 1  # round 2's second assessment of a site
    assert Submission.objects.filter(operation=operation, edits__gt=0).count() == 3  # fixes


@pytest.mark.django_db
def test_a_published_round_was_corrected_in_a_second_revision(demo):
    operation, _summary = demo
    corrected = Round.objects.get(operation=operation, assessment_type="SA", number=4)
    first, second = RoundRevision.objects.filter(round=corrected).order_by("number")
    assert (first.status, second.status) == ("superseded", "published")
    assert "Verification visit" in second.reason
    totals = {
        revision.number: dict(
            Figure.objects.filter(
                revision=revision, indicator__code="idp_individuals", sex="", age_band=""
            ).values_list("site_id", "value")
        )
        for revision in (first, second)
    }
    changed = [site for site, value in totals[1].items() if totals[2][site] != value]
    assert len(changed) == 1  # one site's IDPs; the first revision still reads as published
    assert totals[2][changed[0]] == round(totals[1][changed[0]] * 0.8)


@pytest.mark.django_db
def test_figures_trace_to_their_submission_and_form_version(demo):
    operation, _summary = demo
    figures = Figure.objects.filter(revision__round__operation=operation)
    assert figures.exists()
    assert not figures.filter(submission__isnull=True).exists()
    assert not figures.filter(form_version__isnull=True).exists()
    for figure in figures.filter(revision__status="published").select_related("submission")[:50]:
        current = SubmissionVersion.objects.get(submission=figure.submission, current=True)
        assert figure.form_version_id == current.form_version_id
        assert figure.submission.review_state == "approved"
    assert RoundSubmission.objects.count() == Submission.objects.filter(operation=operation).count()


@pytest.mark.django_db
def test_the_displacement_wave_rises_to_round_3_then_ebbs(demo):
    operation, _summary = demo
    for kind in ("BA", "SA"):
        first, second, third, fourth, fifth = borno_series(operation, kind)
        assert first < second < third, kind
        assert third > fourth > fifth, kind
    gwoza = AdminArea.objects.get(operation=operation, name="Gwoza", level=2)
    wave = borno_series(operation, "BA", area=gwoza)
    assert wave[2] > 1.4 * wave[0]  # the wave hits Gwoza hardest
    returnees = borno_series(operation, "BA", "returnee_individuals")
    assert returnees[4] > 1.1 * returnees[2]  # people go home from round 4


@pytest.mark.django_db
def test_camps_open_and_close_with_the_rounds(demo):
    operation, _summary = demo
    admin = User.objects.get(username="admin")
    new_camps = Site.objects.filter(operation=operation, code__endswith="-N01")
    assert new_camps.count() == 2
    closed = Site.objects.get(operation=operation, code="NG008021-S09")  # Molai Camp
    assert closed.status == Site.Status.CLOSED

    def assessed_in(site):
        return sorted(
            Figure.objects.filter(site=site, revision__status="published")
            .values_list("revision__round__number", flat=True)
            .distinct()
        )

    assert all(assessed_in(camp) == [3, 4, 5] for camp in new_camps)
    third = Round.objects.get(operation=operation, assessment_type="SA", number=3)
    assert (
        set(new_camps.values_list("pk", flat=True)) <= round_coverage(user=admin, round=third).new
    )
    # A closed camp was open until round 3; closed sites leave the rounds after their last.
    world = borno(operation, SEED, SITES_PER_LGA)
    places = {place.code: place for place in world.sites}
    assert places[closed.code].last == 2
    closing = [place for place in world.sites if place.last < 5 and place.assessed]
    assert closing
    for place in closing:
        site = Site.objects.get(operation=operation, code=place.code)
        assert assessed_in(site) == list(range(1, place.last + 2)), place.code


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_figures(demo):
    operation, _summary = demo
    world = borno(operation, SEED, SITES_PER_LGA)
    flaws_plan(world)
    expected = [sum(world.lga_idps(lga, index) for lga in world.lgas) for index in range(5)]
    assert borno_series(operation, "BA") == expected
    sites = [
        sum(world.site_idps(place, index) for place in world.sites if place.assessed)
        for index in range(5)
    ]
    series = borno_series(operation, "SA")
    assert [series[index] for index in (0, 1, 2, 4)] == [sites[index] for index in (0, 1, 2, 4)]
    other = borno(operation, SEED + 1, SITES_PER_LGA)
    assert [sum(other.lga_idps(lga, 0) for lga in other.lgas)] != expected[:1]


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo):
    operation, _summary = demo
    models = [Round, RoundRevision, Submission, SubmissionVersion, Figure, ValidationIssue, Site]
    before = {model.__name__: model.objects.count() for model in models}
    again = demo_tracking_load(
        operation=operation, admin=User.objects.get(username="admin"), sites_per_lga=SITES_PER_LGA
    )
    assert {model.__name__: model.objects.count() for model in models} == before
    assert again.rounds == 12
