"""The published Borno fixture (tests/publishing) read through the public APIs with a
subscription key: round 1 has counts small enough to be blanked, round 2 has none."""

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from opendtm.publishing.api.keys import HEADER
from opendtm.publishing.services.keys import subscription_key_issue
from tests.publishing.conftest import publish

# Round 2: both LGAs well above the threshold, so nothing is blanked.
R2 = [
    {"idp_hh": 20, "idp_ind": 100, "idp_f": 60, "idp_m": 40, "need1": "food", "dark": "yes"},
    {"idp_hh": 16, "idp_ind": 80, "idp_f": 50, "idp_m": 30, "need1": "food", "dark": "no"},
]


@pytest.fixture(autouse=True)
def _throttle_history_cleared():
    """The rate limit counts in its cache, which outlives a test."""
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def issue_key(admin, operation, consumer: str = "ReliefWeb") -> str:
    _key, secret = subscription_key_issue(
        actor=admin, operation=operation, consumer_name=consumer, contact_email="data@example.org"
    )
    return secret


@pytest.fixture
def secret(admin_user, operation):
    """A subscription key issued by the operation's admin."""
    return issue_key(admin_user, operation)


@pytest.fixture
def keyed(secret):
    """An API client that sends the subscription key."""
    client = APIClient()
    client.credentials(**{f"HTTP_{HEADER.upper().replace('-', '_')}": secret})
    return client


@pytest.fixture
def two_rounds(published, borno, manager, operation, form_version):
    """Round 1 (with blanked counts) and round 2 (without), both published."""
    return published, publish(manager, operation, form_version, borno[2], 2, R2)
