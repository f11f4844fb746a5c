"""IOM's own Python client, dtmapi, pointed at this server: every method gives the DataFrame
it gives against IOM's, and a bad key, bad parameters and a spent rate fail as they would.

The client reads its endpoint URLs from module constants at each call; the test points them
at the live test server (localhost only)."""

import math

import dtmapi.api
import pytest
from django.db import connections
from dtmapi import DTMApi, DTMApiRequestError, DTMAuthenticationError, ValidationError

from opendtm.publishing.models import SubscriptionKey
from opendtm.publishing.services.keys import subscription_key_revoke

ENDPOINTS = {
    "IDP_ADMIN_0_API": "admin0",
    "IDP_ADMIN_1_API": "admin1",
    "IDP_ADMIN_2_API": "admin2",
    "COUNTRY_LIST_API": "country-list",
    "OPERATION_LIST_API": "operation-list",
}


@pytest.fixture
def dtm_client(live_server, monkeypatch, two_rounds):
    """dtm_client(key) -> IOM's client, talking to the live test server, not retrying."""
    # The server's threads close their database connection after each request, not when the
    # client drops the HTTP connection (a failed one lingers until garbage-collected), so
    # that none is left open when the test database is dropped.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    for constant, path in ENDPOINTS.items():
        monkeypatch.setattr(dtmapi.api, constant, f"{live_server.url}/v3/displacement/{path}")
    return lambda key: DTMApi(subscription_key=key, max_retries=0, timeout=30)


def test_lists_of_countries_and_operations(dtm_client, secret):
    api = dtm_client(secret)
    countries = api.get_all_countries()
    assert countries.to_dict("records") == [{"admin0Name": "Nigeria", "admin0Pcode": "NGA"}]
    operations = api.get_all_operations()
    assert list(operations.columns) == ["operation", "operationStatus", "admin0Name", "admin0Pcode"]
    assert operations.loc[0, "operation"] == "Nigeria North-East"


def test_idp_data_at_every_admin_level(dtm_client, secret):
    api = dtm_client(secret)
    country = api.get_idp_admin0_data(CountryName="Nigeria", FromRoundNumber=1, ToRoundNumber=2)
    assert country["numPresentIdpInd"].tolist() == [53, 180]
    assert country["reportingDate"].tolist() == ["2026-01-28T00:00:00", "2026-02-28T00:00:00"]
    assert "id" not in country.columns
    states = api.get_idp_admin1_data(Operation="Nigeria North-East", Admin1Name="Borno")
    assert states[["admin1Pcode", "roundNumber", "numberFemales"]].values.tolist() == [
        ["NG008", 1, 32],
        ["NG008", 2, 110],
    ]
    lgas = api.get_idp_admin2_data(Admin0Pcode="NGA", FromReportingDate="2026-01-01")
    assert len(lgas) == 4
    assert lgas["id"].is_unique
    assert lgas["admin2Pcode"].tolist() == ["NG008001", "NG008002"] * 2
    # Round 1's small counts are blanked: NaN to pandas, with the reason beside them.
    first, second = lgas[lgas["roundNumber"] == 1], lgas[lgas["roundNumber"] == 2]
    assert all(math.isnan(value) for value in first["numPresentIdpInd"])
    assert first["suppressionNote"].str.startswith("Blanked to protect").all()
    assert second["numPresentIdpInd"].tolist() == [100, 80]
    assert second["suppressionNote"].isna().all()
    one = api.get_idp_admin2_data(CountryName="Nigeria", Admin2Pcode="NG008002", ToRoundNumber=1)
    assert one[["admin2Name", "roundNumber"]].values.tolist() == [["Askira/Uba", 1]]


def test_a_bad_or_revoked_key_fails_as_authentication(dtm_client, secret, admin_user):
    with pytest.raises(DTMAuthenticationError, match="401"):
        dtm_client("not-a-key").get_all_countries()
    api = dtm_client(secret)
    assert len(api.get_all_countries()) == 1
    subscription_key_revoke(actor=admin_user, key=SubscriptionKey.objects.get())
    with pytest.raises(DTMAuthenticationError, match="401"):
        api.get_idp_admin0_data(Admin0Pcode="NGA")


def test_bad_parameters_fail(dtm_client, secret):
    api = dtm_client(secret)
    # The server refuses what it cannot find; the client reports the status, not our message.
    with pytest.raises(DTMApiRequestError, match="400") as refused:
        api.get_idp_admin2_data(Admin0Pcode="NGA", Admin1Pcode="NG999")
    assert refused.value.status_code == 400
    with pytest.raises(DTMApiRequestError, match="400"):
        api.get_idp_admin1_data(CountryName="Atlantis")
    # Malformed dates the client refuses itself, before asking.
    with pytest.raises(ValidationError, match="FromReportingDate"):
        api.get_idp_admin0_data(CountryName="Nigeria", FromReportingDate="28/01/2026")


def test_a_spent_rate_fails_with_429(dtm_client, secret, settings):
    settings.OPENDTM_PUBLIC_API_RATE = "1/minute"
    api = dtm_client(secret)
    api.get_all_countries()
    with pytest.raises(DTMApiRequestError, match="429") as throttled:
        api.get_all_countries()
    assert throttled.value.status_code == 429
