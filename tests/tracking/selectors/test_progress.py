"""Round progress per admin area, the coverage map, and who may see them."""

import datetime

import pytest

from opendtm.accounts.roles import Role
from opendtm.collection.models import Form, Submission
from opendtm.core.errors import Forbidden
from opendtm.tracking.models import Round
from opendtm.tracking.selectors.progress import (
    issue_counts,
    round_coverage_geojson,
    round_progress,
    round_revisions,
)
from opendtm.tracking.services.rounds import (
    RoundData,
    round_correct,
    round_create,
    round_move,
    round_publish,
)
from tests.collection.factories_submissions import add_submission
from tests.factories import AdminAreaFactory, BoundedAreaFactory, SiteFactory
from tests.tracking.conftest import assess, month_round, tracked_form

GOOD = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "need1": "food", "dark": "no"}


def receive(version, month: int, *, site=None, area=None, review=Submission.Review.RECEIVED):
    return add_submission(
        version,
        {"site_code": site.code if site else ""},
        received_at=datetime.datetime(2026, month, 12, tzinfo=datetime.UTC),
        site=site,
        admin_area=area,
        review_state=review,
    )


def rows(progress):
    return {
        (row.pcode, row.name): (row.received, row.approved, row.rejected, row.pending)
        for row in progress
    }


def test_progress_counts_each_review_outcome_per_lga_in_one_group_by(
    borno, manager, operation, form_version, django_assert_num_queries
):
    _state, (abadam, askira), (s1, s2) = borno
    ward = AdminAreaFactory(operation=operation, level=3, pcode="NG008001001", parent=abadam)
    s3 = SiteFactory(admin_area=ward, code="S3")
    current = month_round(manager, operation, 1)
    assess(form_version, s1, 1, **GOOD)
    assess(form_version, s3, 1, **GOOD)  # in a ward of Abadam: counted in Abadam
    receive(form_version, 1, site=s1, review=Submission.Review.REJECTED)
    receive(form_version, 1, site=s2)
    receive(form_version, 1, site=s2, review=Submission.Review.HAS_ISSUES)
    receive(form_version, 1)  # names no place
    receive(form_version, 2, site=s2)  # another month: another round
    with django_assert_num_queries(3):  # the deepest level, the GROUP BY, the area names
        progress = round_progress(user=manager, round=current)
    assert rows(progress) == {
        ("NG008001", "Abadam"): (3, 2, 1, 0),
        ("NG008002", "Askira/Uba"): (2, 0, 0, 2),
        ("", ""): (1, 0, 0, 1),
    }
    assert [row.pcode for row in progress] == ["NG008001", "NG008002", ""]


def test_a_baseline_round_counts_assessments_of_areas(borno, manager, operation):
    _state, (abadam, askira), _sites = borno
    version = tracked_form(operation, kind=Form.Kind.BASELINE_AREA, form_id="baseline")
    start = datetime.date(2026, 1, 1)
    current = round_create(
        actor=manager,
        operation=operation,
        data=RoundData(1, "BA", start, start + datetime.timedelta(days=27)),
    )
    receive(version, 1, area=abadam, review=Submission.Review.APPROVED)
    receive(version, 1, area=askira)
    assert rows(round_progress(user=manager, round=current)) == {
        ("NG008001", "Abadam"): (1, 1, 0, 0),
        ("NG008002", "Askira/Uba"): (1, 0, 0, 1),
    }


def test_those_who_do_not_see_submissions_see_no_progress_nor_coverage(
    borno, manager, member, operation
):
    current = month_round(manager, operation, 1)
    officer = member(Role.PROTECTION_OFFICER, operation)
    with pytest.raises(Forbidden):
        round_progress(user=officer, round=current)
    with pytest.raises(Forbidden):
        round_coverage_geojson(user=officer, round=current)
    with pytest.raises(Forbidden):
        issue_counts(user=officer, round=current)


@pytest.fixture
def mapped(operation):
    """Borno with two LGAs drawn as squares; a site with coordinates in each."""
    state = BoundedAreaFactory(operation=operation, level=1, pcode="NG008", name="Borno", size=2)
    lgas = [
        BoundedAreaFactory(
            operation=operation, level=2, pcode=f"NG00800{n}", name=name, parent=state, lon=12 + n
        )
        for n, name in ((1, "Abadam"), (2, "Askira/Uba"))
    ]
    sites = [
        SiteFactory(admin_area=lga, code=f"S{n}", latitude=11.5, longitude=12.5 + n)
        for n, lga in enumerate(lgas, 1)
    ]
    return lgas, sites


def states(collection, kind):
    return {
        feature["id"]: feature["properties"]["state"]
        for feature in collection["features"]
        if feature["properties"]["kind"] == kind
    }


def test_coverage_map_colours_sites_and_their_lgas(mapped, manager, operation, form_version):
    _lgas, (s1, s2) = mapped
    closed = SiteFactory(
        admin_area=s1.admin_area, code="S9", latitude=11, longitude=13, status="closed"
    )
    first = month_round(manager, operation, 1, Round.Status.VALIDATING)
    assess(form_version, s1, 1, **GOOD)
    round_publish(actor=manager, round=first)
    second = month_round(manager, operation, 2)
    assess(form_version, s1, 2, **GOOD)
    assess(form_version, closed, 2, **GOOD)  # assessed though closed: drawn, and new
    collection = round_coverage_geojson(user=manager, round=second)
    assert states(collection, "site") == {"S1": "assessed", "S2": "missing", "S9": "new"}
    assert states(collection, "area") == {"NG008001": "new", "NG008002": "missing"}
    point = next(f for f in collection["features"] if f["id"] == "S2")
    assert point["geometry"] == {"type": "Point", "coordinates": [14.5, 11.5]}


def test_coverage_map_of_a_baseline_round_colours_its_areas(mapped, manager, operation):
    (abadam, _askira), _sites = mapped
    version = tracked_form(operation, kind=Form.Kind.BASELINE_AREA, form_id="baseline")
    start = datetime.date(2026, 1, 1)
    current = round_create(
        actor=manager,
        operation=operation,
        data=RoundData(1, "BA", start, start + datetime.timedelta(days=27)),
    )
    receive(version, 1, area=abadam, review=Submission.Review.APPROVED)
    collection = round_coverage_geojson(user=manager, round=current)
    assert states(collection, "area") == {"NG008001": "assessed", "NG008002": "missing"}
    assert collection["features"][0]["geometry"]["type"] == "Polygon"


def test_a_correction_under_way_is_shown_to_reviewers_only(manager, member, operation):
    first = month_round(manager, operation, 1)
    round_move(actor=manager, round=first, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=first)
    round_correct(actor=manager, round=first, reason="Bama counted twice")
    viewer = member(Role.VIEWER, operation)
    assert [item.status for item in round_revisions(user=viewer, round=first)] == ["published"]
    assert [item.reason for item in round_revisions(user=manager, round=first)] == [
        "",
        "Bama counted twice",
    ]
