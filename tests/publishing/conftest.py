"""Published rounds to share: the tracking fixture (Borno, two LGAs, a site in each) with
round 1 published, and helpers to publish more."""

import pytest

from opendtm.tracking.models import Round
from opendtm.tracking.services.rounds import round_move, round_publish
from tests.tracking.conftest import assess, borno, form_version, manager, month_round

__all__ = ["borno", "form_version", "manager"]  # fixtures shared with the tracking tests

S1 = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "need1": "food", "dark": "yes"}
S2 = {"idp_hh": 1, "idp_ind": 3, "idp_f": 2, "idp_m": 1, "need1": "shelter", "dark": "no"}


def publish(manager, operation, form_version, sites, number: int, answers: list[dict]) -> Round:
    """Round `number` (month `number` of 2026) with one assessment per site, published."""
    found = month_round(manager, operation, number)
    for site, values in zip(sites, answers, strict=True):
        assess(form_version, site, number, **values)
    round_move(actor=manager, round=found, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=found)
    found.refresh_from_db()
    return found


@pytest.fixture
def published(borno, manager, operation, form_version):
    """Round 1, published: site 1 (Abadam) has 50 IDPs, site 2 (Askira/Uba) only 3."""
    return publish(manager, operation, form_version, borno[2], 1, [S1, S2])
