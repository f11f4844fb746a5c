"""The tracking settings API: the defaults, then an operation's own age bands and threshold."""

from opendtm.tracking.models import TrackingSettings
from tests.tracking.api.conftest import BASE

SETTINGS = f"{BASE}tracking-settings/"


def test_defaults_until_changed(api, viewer):
    for client in (api, viewer):
        assert client.get(SETTINGS).json() == {
            "age_bands": ["0-4", "5-17", "18-59", "60+"],
            "change_threshold_percent": 50,
        }
    changed = api.put(
        SETTINGS, {"age_bands": ["0-17", "18+"], "change_threshold_percent": 25}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert viewer.get(SETTINGS).json() == {
        "age_bands": ["0-17", "18+"],
        "change_threshold_percent": 25,
    }


def test_mistakes_are_named_and_nothing_is_saved(api, viewer, outsider):
    refused = api.put(
        SETTINGS, {"age_bands": ["0-4", "6+"], "change_threshold_percent": 0}, format="json"
    )
    assert refused.status_code == 400
    fields = [problem["field"] for problem in refused.json()["problems"]]
    assert fields == ["age_bands", "change_threshold_percent"]
    missing = api.put(SETTINGS, {"age_bands": ["0+"]}, format="json")
    assert [problem["field"] for problem in missing.json()["problems"]] == [
        "change_threshold_percent"
    ]
    good = {"age_bands": ["0+"], "change_threshold_percent": 10}
    assert viewer.put(SETTINGS, good, format="json").status_code == 403
    assert outsider.put(SETTINGS, good, format="json").status_code == 404
    assert outsider.get(SETTINGS).status_code == 404
    assert not TrackingSettings.objects.exists()
