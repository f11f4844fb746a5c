"""HDX HAPI's IDP endpoint: HAPI's rows and filters over the published rounds, paged, with
blanked counts null and never revealed by a filter; a key or a sign-in to call it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from opendtm.accounts.roles import Role
from opendtm.publishing.models import SubscriptionKey
from opendtm.publishing.services.keys import subscription_key_revoke
from tests.factories import api_key_for

IDPS = "/api/v1/affected-people/idps"
FIELDS = [
    "location_code",
    "location_name",
    "admin1_code",
    "admin1_name",
    "admin2_code",
    "admin2_name",
    "admin_level",
    "operation",
    "assessment_type",
    "reporting_round",
    "population",
    "reference_period_start",
    "reference_period_end",
    "suppression_note",
]


def data(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert list(response.json()) == ["data"]
    return response.json()["data"]


def test_rows_carry_hapi_fields_at_every_level(keyed, two_rounds):
    rows = data(keyed.get(IDPS))
    assert all(list(row) == FIELDS for row in rows)
    assert [(row["admin_level"], row["reporting_round"]) for row in rows] == [
        (0, 1),
        (0, 2),
        (1, 1),
        (1, 2),
        (2, 1),
        (2, 1),
        (2, 2),
        (2, 2),
    ]
    assert rows[1] == {
        "location_code": "NGA",
        "location_name": "Nigeria",
        "admin1_code": None,
        "admin1_name": None,
        "admin2_code": None,
        "admin2_name": None,
        "admin_level": 0,
        "operation": "Nigeria North-East",
        "assessment_type": "SA",
        "reporting_round": 2,
        "population": 180,
        "reference_period_start": "2026-02-01T00:00:00",
        "reference_period_end": "2026-02-28T00:00:00",
        "suppression_note": None,
    }
    assert (rows[3]["admin1_code"], rows[3]["admin2_code"]) == ("NG008", None)
    assert rows[6]["admin2_name"] == "Abadam"


def test_small_counts_are_null_with_a_note_and_no_filter_reveals_them(keyed, published):
    askira = data(keyed.get(IDPS, {"admin_level": 2, "admin2_code": "NG008002"}))[0]
    assert askira["population"] is None
    assert askira["suppression_note"] == (
        "Blanked to protect the people counted: population is below 5 people."
    )
    # The blanked 3 and 50 are below 60: a filter on them must not tell.
    assert data(keyed.get(IDPS, {"admin_level": 2, "population_max": 60})) == []
    assert [row["population"] for row in data(keyed.get(IDPS, {"population_min": 50}))] == [
        53,
        53,
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"location_code": "nga", "admin_level": 1}, [(1, 1), (1, 2)]),
        ({"location_name": "nigé"}, []),
        ({"location_name": "niger", "admin_level": 0}, [(0, 1), (0, 2)]),
        (
            {"admin1_code": "NG008", "admin1_name": "BOR"},
            [(1, 1), (1, 2), (2, 1), (2, 1), (2, 2), (2, 2)],
        ),
        ({"admin2_name": "askira"}, [(2, 1), (2, 2)]),
        ({"admin2_code": "NG008001", "reporting_round": 2}, [(2, 2)]),
        ({"operation": "NIGERIA NORTH-EAST", "admin_level": 0}, [(0, 1), (0, 2)]),
        ({"assessment_type": "BA"}, []),
        ({"assessment_type": "SA", "admin_level": 0}, [(0, 1), (0, 2)]),
        ({"reference_period_start": "2026-02-01", "admin_level": 0}, [(0, 2)]),
        ({"reference_period_end": "2026-01-31", "admin_level": 0}, [(0, 1)]),
        ({"app_identifier": "bXlhcHA6bWVAZXhhbXBsZS5vcmc=", "admin_level": 0}, [(0, 1), (0, 2)]),
    ],
)
def test_hapi_filters(keyed, two_rounds, params, expected):
    rows = data(keyed.get(IDPS, params))
    assert [(row["admin_level"], row["reporting_round"]) for row in rows] == expected


def test_limit_and_offset_page_the_rows(keyed, two_rounds):
    every = data(keyed.get(IDPS))
    assert data(keyed.get(IDPS, {"limit": 3, "offset": 2})) == every[2:5]
    assert data(keyed.get(IDPS, {"offset": 8})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 10001}, "limit"),
        ({"admin_level": 3}, "admin_level"),
        ({"assessment_type": "XX"}, "assessment_type"),
        ({"reference_period_start": "January"}, "reference_period_start"),
        ({"output_format": "csv"}, "output_format"),
        ({"adm1_code": "NG008"}, "adm1_code"),
    ],
)
def test_unreadable_filters_are_refused(keyed, published, params, field):
    response = keyed.get(IDPS, params)
    assert response.status_code == 400, response.content
    assert [problem["field"] for problem in response.json()["problems"]] == [field]


def test_a_key_a_token_or_a_session_may_call_it(keyed, published, member, operation, admin_user):
    viewer = member(Role.VIEWER, operation)
    with_token = APIClient(headers={"Authorization": f"Token {api_key_for(viewer)}"})
    signed_in = APIClient()
    signed_in.force_login(viewer)
    for client in (keyed, with_token, signed_in):
        assert len(data(client.get(IDPS, {"admin_level": 0}))) == 1
    assert APIClient().get(IDPS).status_code == 401
    subscription_key_revoke(actor=admin_user, key=SubscriptionKey.objects.get())
    assert keyed.get(IDPS).status_code == 401


def test_a_short_page_stops_reading_rounds(keyed, two_rounds):
    keyed.get(IDPS, {"limit": 1})  # a key's first use is recorded once
    with CaptureQueriesContext(connection) as first_row:
        assert len(data(keyed.get(IDPS, {"limit": 1}))) == 1
    with CaptureQueriesContext(connection) as every_row:
        assert len(data(keyed.get(IDPS))) == 8
    # Three levels of two rounds are six tables; the first row needs one.
    assert len(first_row) <= 8
    assert len(every_row) <= len(first_row) + 5 * 5
