"""IOM's DTM API v3: IOM's records from published rounds only, blanked counts null with the
reason, every refusal in IOM's envelope, and a rate per key."""

import datetime
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from opendtm.publishing.api.keys import HEADER
from opendtm.publishing.models import SubscriptionKey
from opendtm.publishing.selectors.dtm import pair
from opendtm.publishing.services.keys import subscription_key_revoke
from tests.factories import AdminAreaFactory, OperationFactory, SiteFactory
from tests.publishing.api.conftest import R2, issue_key
from tests.publishing.conftest import publish
from tests.tracking.conftest import assess, month_round

DTM = "/v3/displacement/"
ADMIN2_FIELDS = [
    "id",
    "operation",
    "admin0Name",
    "admin0Pcode",
    "admin1Name",
    "admin1Pcode",
    "admin2Name",
    "admin2Pcode",
    "numPresentIdpInd",
    "reportingDate",
    "yearReportingDate",
    "monthReportingDate",
    "roundNumber",
    "numberMales",
    "numberFemales",
    "assessmentType",
    "suppressionNote",
]


def result(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["isSuccess"], body["errorMessages"]) == (True, [])
    return body["result"]


def refused(response, status: int) -> list[str]:
    """The error messages of a refusal, after checking it is IOM's envelope."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["isSuccess"] is False
    assert body["result"] is None
    assert body["errorMessages"]
    assert set(body) == {"isSuccess", "result", "errorMessages"}
    return body["errorMessages"]


def test_admin2_records_are_iom_records_of_the_published_counts(keyed, two_rounds, borno):
    _first, second = two_rounds
    _state, lgas, _sites = borno
    rows = result(keyed.get(f"{DTM}admin2", {"Admin0Pcode": "NGA", "FromRoundNumber": 2}))
    assert [list(row) for row in rows] == [ADMIN2_FIELDS, ADMIN2_FIELDS]
    assert rows[0] == {
        "id": pair(second.pk, lgas[0].pk),
        "operation": "Nigeria North-East",
        "admin0Name": "Nigeria",
        "admin0Pcode": "NGA",
        "admin1Name": "Borno",
        "admin1Pcode": "NG008",
        "admin2Name": "Abadam",
        "admin2Pcode": "NG008001",
        "numPresentIdpInd": 100,
        "reportingDate": "2026-02-28T00:00:00",
        "yearReportingDate": 2026,
        "monthReportingDate": 2,
        "roundNumber": 2,
        "numberMales": 40,
        "numberFemales": 60,
        "assessmentType": "SA",
        "suppressionNote": None,
    }
    assert (rows[1]["admin2Name"], rows[1]["numPresentIdpInd"]) == ("Askira/Uba", 80)
    assert rows[0]["id"] != rows[1]["id"]


def test_admin0_and_admin1_add_up_the_places_per_round(keyed, two_rounds):
    country = result(keyed.get(f"{DTM}admin0", {"CountryName": "Nigeria"}))
    # IOM numbers admin 1 and 2 records only.
    assert [list(row)[:3] for row in country] == [["operation", "admin0Name", "admin0Pcode"]] * 2
    assert "admin1Name" not in country[0]
    assert [(row["roundNumber"], row["numPresentIdpInd"]) for row in country] == [(1, 53), (2, 180)]
    states = result(keyed.get(f"{DTM}admin1", {"Operation": "Nigeria North-East"}))
    assert [
        (row["admin1Pcode"], row["numPresentIdpInd"], row["numberFemales"]) for row in states
    ] == [("NG008", 53, 32), ("NG008", 180, 110)]
    assert "admin2Name" not in states[0]
    assert "id" in states[0]


def test_small_counts_are_null_and_the_record_says_why(keyed, published):
    rows = result(keyed.get(f"{DTM}admin2", {"Admin0Pcode": "NGA"}))
    abadam, askira = rows
    # Askira/Uba's 3 IDPs are below 5; Abadam's 50 would give them away from Borno's 53.
    for row in rows:
        assert (row["numPresentIdpInd"], row["numberFemales"], row["numberMales"]) == (None,) * 3
    assert "numPresentIdpInd is below 5 people" in askira["suppressionNote"]
    assert "numPresentIdpInd would reveal a blanked figure" in abadam["suppressionNote"]
    assert askira["suppressionNote"].startswith("Blanked to protect the people counted")


def test_only_published_rounds_are_served(
    keyed, published, borno, manager, operation, form_version
):
    collecting = month_round(manager, operation, 2)
    assess(form_version, borno[2][0], 2, **R2[0])
    rows = result(keyed.get(f"{DTM}admin1", {"Admin0Pcode": "NGA"}))
    assert [row["roundNumber"] for row in rows] == [1]
    assert collecting.number == 2
    unpublished = OperationFactory(name="Chad Lake", slug="tcd", country_name="Chad")
    messages = refused(keyed.get(f"{DTM}admin0", {"Operation": unpublished.name}), 400)
    assert messages[0].startswith("Operation: No published data has Operation 'Chad Lake'.")


@pytest.mark.parametrize(
    ("params", "rounds"),
    [
        ({"Admin0Pcode": "nga", "ToRoundNumber": 1}, [1, 1]),
        ({"CountryName": "NIGERIA", "FromReportingDate": "2026-02-01"}, [2, 2]),
        ({"Operation": "nigeria north-east", "ToReportingDate": "2026-01-31"}, [1, 1]),
        ({"Admin0Pcode": "NGA", "Admin2Name": "askira/uba"}, [1, 2]),
        ({"Admin0Pcode": "NGA", "Admin1Pcode": "NG008", "Admin2Pcode": "ng008001"}, [1, 2]),
        # IOM's R client sends 0 for "no bound".
        ({"Admin0Pcode": "NGA", "FromRoundNumber": 0, "ToRoundNumber": 0}, [1, 1, 2, 2]),
        # IOM's server reads parameter names whatever their case.
        ({"admin0pcode": "NGA", "fromroundnumber": 2}, [2, 2]),
    ],
)
def test_filters_by_place_date_and_round(keyed, two_rounds, params, rounds):
    rows = result(keyed.get(f"{DTM}admin2", params))
    assert [row["roundNumber"] for row in rows] == rounds


@pytest.mark.parametrize(
    ("params", "parameter", "expected"),
    [
        (
            {"Admin0Pcode": "NGA", "FromReportingDate": "28/02/2026"},
            "FromReportingDate",
            "YYYY-MM-DD",
        ),
        ({"Admin0Pcode": "NGA", "ToReportingDate": "2026-02-30"}, "ToReportingDate", "YYYY-MM-DD"),
        ({"Admin0Pcode": "NGA", "FromRoundNumber": "two"}, "FromRoundNumber", "integer"),
        (
            {"Admin0Pcode": "NGA", "FromRoundNumber": 3, "ToRoundNumber": 2},
            "ToRoundNumber",
            "below",
        ),
        ({"CountryName": "Atlantis"}, "CountryName", "country-list"),
        ({"Admin0Pcode": "ATL"}, "Admin0Pcode", "country-list"),
        ({"Operation": "Atlantis"}, "Operation", "operation-list"),
        ({"Admin0Pcode": "NGA", "Admin1Pcode": "NG999"}, "Admin1Pcode", "admin 1 area"),
        ({"Admin0Pcode": "NGA", "Admin2Name": "Atlantis"}, "Admin2Name", "admin 2 area"),
        ({"Admin0Pcode": "NGA", "Admin3Pcode": "NG008001001"}, "Admin3Pcode", "Known fields"),
        ({}, "Operation, CountryName or Admin0Pcode", "at least one"),
    ],
)
def test_parameters_that_name_nothing_are_refused_naming_them(
    keyed, published, params, parameter, expected
):
    messages = refused(keyed.get(f"{DTM}admin2", params), 400)
    assert parameter in messages[0]
    assert expected.casefold() in messages[0].casefold()


def test_admin_parameters_belong_to_their_levels(keyed, published):
    messages = refused(keyed.get(f"{DTM}admin1", {"Admin0Pcode": "NGA", "Admin2Pcode": "x"}), 400)
    assert messages[0].startswith("Admin2Pcode: This field is not known here.")
    assert refused(keyed.get(f"{DTM}country-list", {"Admin0Pcode": "NGA"}), 400)


def test_a_key_is_required_and_a_revoked_one_refused(keyed, published, admin_user):
    anonymous = APIClient().get(f"{DTM}admin0", {"Admin0Pcode": "NGA"})
    assert HEADER in refused(anonymous, 401)[0]
    assert anonymous.headers["WWW-Authenticate"] == HEADER
    wrong = APIClient(headers={HEADER: "odtmpub_000000000000_guessed"})
    assert refused(wrong.get(f"{DTM}country-list"), 401) == [
        "This subscription key is unknown or has been revoked."
    ]
    assert result(keyed.get(f"{DTM}country-list"))
    subscription_key_revoke(actor=admin_user, key=SubscriptionKey.objects.get())
    assert refused(keyed.get(f"{DTM}country-list"), 401)


def test_each_key_has_its_own_rate(keyed, published, admin_user, operation, settings):
    settings.OPENDTM_PUBLIC_API_RATE = "2/minute"
    for _attempt in range(2):
        result(keyed.get(f"{DTM}country-list"))
    throttled = keyed.get(f"{DTM}country-list")
    assert "throttled" in refused(throttled, 429)[0]
    assert int(throttled.headers["Retry-After"]) > 0
    other = APIClient(headers={HEADER: issue_key(admin_user, operation, "Another consumer")})
    assert result(other.get(f"{DTM}country-list"))


# Another server process on the host spends one call of the key whose prefix it is given.
SPEND_ONE_CALL = """
import sys, types, django
django.setup()
from opendtm.publishing.api.keys import PublicApiThrottle
from opendtm.publishing.models import SubscriptionKey
request = types.SimpleNamespace(auth=SubscriptionKey(prefix=sys.argv[1]), user=None)
assert PublicApiThrottle().allow_request(request, None)
"""


def test_a_keys_rate_holds_across_server_processes(keyed, published, settings):
    settings.OPENDTM_PUBLIC_API_RATE = "2/minute"
    result(keyed.get(f"{DTM}country-list"))
    environment = {**os.environ, "OPENDTM_PUBLIC_API_RATE": "2/minute"}
    prefix = SubscriptionKey.objects.get().prefix
    subprocess.run([sys.executable, "-c", SPEND_ONE_CALL, prefix], env=environment, check=True)
    assert "throttled" in refused(keyed.get(f"{DTM}country-list"), 429)[0]


def test_other_methods_are_refused_in_the_envelope(keyed, published):
    assert refused(keyed.post(f"{DTM}admin0"), 405)


def test_countries_and_operations_with_published_rounds(
    keyed, two_rounds, other_operation, manager, operation, monkeypatch
):
    assert result(keyed.get(f"{DTM}country-list")) == [
        {"admin0Name": "Nigeria", "admin0Pcode": "NGA"}
    ]
    month_round(manager, operation, 3)  # collecting until 28 March: not published yet
    operations = result(keyed.get(f"{DTM}operation-list"))
    assert operations == [
        {
            "operation": "Nigeria North-East",
            "operationStatus": "Active",
            "admin0Name": "Nigeria",
            "admin0Pcode": "NGA",
        }
    ]  # Sudan publishes nothing
    # Active for a year after its newest published round ended, on 28 February 2026.
    for today, status in (
        (datetime.date(2027, 2, 28), "Active"),
        (datetime.date(2027, 3, 1), "Inactive"),
    ):
        monkeypatch.setattr(timezone, "localdate", lambda today=today: today)
        assert result(keyed.get(f"{DTM}operation-list"))[0]["operationStatus"] == status


def test_queries_grow_with_rounds_not_with_places(
    keyed, published, borno, manager, operation, form_version
):
    state, _lgas, first_sites = borno
    sites = [
        SiteFactory(
            admin_area=AdminAreaFactory(
                operation=operation, level=2, pcode=f"NG008{n:03d}", name=f"LGA {n}", parent=state
            ),
            code=f"X{n}",
        )
        for n in range(3, 33)
    ]
    publish(manager, operation, form_version, [*first_sites, *sites], 2, [R2[0]] * 32)
    url = f"{DTM}admin2"
    result(keyed.get(url, {"Admin0Pcode": "NGA"}))  # a key's first use is recorded once
    with CaptureQueriesContext(connection) as two_places:
        assert len(result(keyed.get(url, {"Admin0Pcode": "NGA", "ToRoundNumber": 1}))) == 2
    with CaptureQueriesContext(connection) as many_places:
        assert len(result(keyed.get(url, {"Admin0Pcode": "NGA", "FromRoundNumber": 2}))) == 32
    with CaptureQueriesContext(connection) as both:
        assert len(result(keyed.get(url, {"Admin0Pcode": "NGA"}))) == 34
    assert len(many_places) == len(two_places) <= 12, many_places.captured_queries
    per_round = len(both) - len(two_places)
    assert per_round <= 6
