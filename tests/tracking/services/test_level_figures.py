"""Level figures: a published revision's sums, stored once, equal what the database sums from
its figures when asked; a correction stores its own and leaves the earlier one readable."""

import pytest

from opendtm.tracking.models import Indicator, LevelFigure, Round, RoundRevision
from opendtm.tracking.selectors.figures import aggregate
from opendtm.tracking.services.rounds import round_correct, round_move, round_publish
from tests.tracking.conftest import assess, month_round
from tests.tracking.selectors.test_figures import S1, S2


@pytest.fixture
def published(borno, manager, operation, form_version):
    _state, _lgas, sites = borno
    found = month_round(manager, operation, 1)
    assess(form_version, sites[0], 1, **S1)
    assess(form_version, sites[1], 1, **S2)
    round_move(actor=manager, round=found, status=Round.Status.VALIDATING)
    return round_publish(actor=manager, round=found)


def rules():
    return {item.pk: (item.code, item.aggregation) for item in Indicator.objects.all()}


@pytest.mark.parametrize(
    ("level", "inside"),
    [(level, None) for level in range(4)]
    + [(level, "state") for level in range(4)]
    + [(level, "lga") for level in (0, 2, 3)],  # a level above the area is never asked
)
def test_stored_sums_equal_the_sums_of_the_figures(published, level, inside, borno):
    within = {None: None, "state": borno[0], "lga": borno[1][1]}[inside]
    stored = aggregate(published, level, rules(), within, place_field="site")
    assert LevelFigure.objects.filter(revision=published, level=level).exists() == (level != 3)
    published.status = RoundRevision.Status.DRAFT  # read as a draft: summed when asked
    assert aggregate(published, level, rules(), within, place_field="site") == stored
    assert stored or level == 3


def test_hand_computed_levels(published, borno):
    state, lgas, _sites = borno
    stored = aggregate(published, 1, rules(), place_field="site")
    assert stored[(state.pk, "idp_individuals", "", "")] == (150.0, 2)  # 50 + 100, two sites
    assert stored[(state.pk, "need_rank_food", "", "")] == (1.0, 1)  # site 1 ranks food first
    by_lga = aggregate(published, 2, rules(), within=state, place_field="site")
    assert by_lga[(lgas[1].pk, "idp_individuals", "f", "")] == (60.0, 1)
    assert aggregate(published, 0, rules(), place_field="site")[
        (None, "idp_households", "", "")
    ] == (30.0, 2)


def test_a_correction_stores_its_own_sums_and_keeps_the_earlier(published, manager, borno):
    round = published.round
    correction = round_correct(actor=manager, round=round, reason="Site 2 counted twice")
    assert not LevelFigure.objects.filter(revision=correction).exists()  # a draft: live
    round_publish(actor=manager, round=round)
    published.refresh_from_db()
    assert published.status == RoundRevision.Status.SUPERSEDED
    assert LevelFigure.objects.filter(revision=correction).count() == (
        LevelFigure.objects.filter(revision=published).count()
    )
