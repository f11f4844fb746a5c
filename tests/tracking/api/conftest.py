"""The tracked Borno fixture of tests/tracking, reached through the API: round 1 published,
round 2 collecting with one blocking issue (S2's females and males do not add up)."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from opendtm.accounts.roles import Role
from opendtm.tracking.models import Round
from opendtm.tracking.services.rounds import round_move, round_publish
from tests.factories import api_key_for
from tests.tracking.conftest import assess, month_round

BASE = "/api/v1/operations/nga-ne/"
ROUNDS = f"{BASE}rounds/"
S1 = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "need1": "food", "dark": "yes"}
S2 = {"idp_hh": 20, "idp_ind": 100, "idp_f": 60, "idp_m": 40, "need1": "shelter", "dark": "no"}


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


@pytest.fixture
def api(manager):
    return client_for(manager)


@pytest.fixture
def viewer(member, operation):
    return client_for(member(Role.VIEWER, operation, "viewer"))


@pytest.fixture
def officer(member, operation):
    return client_for(member(Role.PROTECTION_OFFICER, operation, "officer"))


@pytest.fixture
def outsider(member, other_operation):
    """A data manager of another operation."""
    return client_for(member(Role.DATA_MANAGER, other_operation, "outsider"))


@dataclass
class Tracked:
    first: Round
    second: Round
    sex_mismatch_submission_id: int


@pytest.fixture
def tracked(borno, manager, operation, form_version) -> Tracked:
    """S1 grows from 50 to 80 IDPs in round 2; S2 says 100 IDPs but 60 + 45 by sex."""
    _state, _lgas, sites = borno
    first = month_round(manager, operation, 1)
    assess(form_version, sites[0], 1, **S1)
    assess(form_version, sites[1], 1, **S2)
    round_move(actor=manager, round=first, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=first)
    second = month_round(manager, operation, 2)
    assess(form_version, sites[0], 2, **{**S1, "idp_ind": 80, "idp_f": 50, "idp_m": 30})
    mismatch = assess(form_version, sites[1], 2, **{**S2, "idp_m": 45})
    return Tracked(first, second, mismatch.pk)
