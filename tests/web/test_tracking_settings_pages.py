"""The tracking settings page: age bands and change threshold, and the operation's own indicators
beside the built-in catalogue."""

from django.urls import reverse

from opendtm.accounts.roles import Role
from opendtm.tracking.models import Indicator, TrackingSettings
from opendtm.tracking.services.mapping import mapping_for
from tests.tracking.conftest import tracked_form

BOATS = {
    "code": "boat_arrivals",
    "label_en": "Boats arriving",
    "label_fr": "Bateaux arrivant",
    "category": "population",
    "unit": "places",
    "aggregation": "stock",
    "sensitivity": "public",
    "hxl_tag": "#indicator+boats",
    "sector": "",
}
MAPPED_FORM = """
| survey |
| | type | name | label | indicator |
| | integer | boats | Boats arriving | boat_arrivals |
| settings |
| | form_title | form_id | version |
| | Boats | boats | 1 |
"""


def url(name, operation, **kwargs):
    return reverse(f"web:{name}", kwargs={"slug": operation.slug, **kwargs})


def test_a_viewer_reads_the_settings_and_the_public_catalogue_only(signed_in, operation):
    client = signed_in(Role.VIEWER)
    page = client.get(url("tracking-settings", operation)).content.decode()
    assert 'data-setting="age_bands">0-4, 5-17, 18-59, 60+<' in page
    assert 'data-indicator="idp_individuals"' in page
    assert 'data-indicator="pr_lighting_inadequate"' not in page  # protection-sensitive
    assert url("indicator-new", operation) not in page
    assert 'name="age_bands"' not in page
    refused = client.post(url("tracking-settings", operation), {"age_bands": "0-17, 18+"})
    assert refused.status_code == 403
    assert client.get(url("indicator-new", operation)).status_code == 403


def test_a_data_manager_saves_age_bands_and_the_change_threshold(signed_in, operation):
    client = signed_in(Role.DATA_MANAGER)
    response = client.post(
        url("tracking-settings", operation),
        {"age_bands": "0-17, 18-59, 60+", "change_threshold_percent": "30"},
    )
    assert response.url == url("tracking-settings", operation)
    saved = TrackingSettings.objects.get(operation=operation)
    assert (saved.age_bands, saved.change_threshold_percent) == (["0-17", "18-59", "60+"], 30)
    page = client.get(url("tracking-settings", operation)).content.decode()
    assert 'value="0-17, 18-59, 60+"' in page


def test_mistakes_in_the_settings_are_shown_on_their_fields(signed_in, operation):
    response = signed_in(Role.DATA_MANAGER).post(
        url("tracking-settings", operation),
        {"age_bands": "0-4, 6-17, 18+", "change_threshold_percent": "0"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Age band '6-17' should start at 5." in errors["age_bands"][0]
    assert "Write bands like 0-4, 5-17" in errors["age_bands"][0]
    assert "between 1 and 1000 percent" in errors["change_threshold_percent"][0]
    assert not TrackingSettings.objects.exists()


def test_an_own_indicator_is_added_edited_and_deleted(signed_in, operation):
    client = signed_in(Role.DATA_MANAGER)
    added = client.post(url("indicator-new", operation), {**BOATS, "by_sex": "on"})
    assert added.url == url("tracking-settings", operation) + "#indicators"
    created = Indicator.objects.get(operation=operation, code="boat_arrivals")
    assert (created.by_sex, created.label_fr) == (True, "Bateaux arrivant")
    page = client.get(url("tracking-settings", operation)).content.decode()
    assert url("indicator-edit", operation, code="boat_arrivals") in page
    assert url("indicator-edit", operation, code="idp_individuals") not in page
    form = client.get(url("indicator-edit", operation, code="boat_arrivals")).content.decode()
    assert 'value="Boats arriving"' in form
    client.post(
        url("indicator-edit", operation, code="boat_arrivals"),
        {**BOATS, "label_en": "Boat arrivals"},
    )
    created.refresh_from_db()
    assert (created.label_en, created.by_sex) == ("Boat arrivals", False)
    deleted = client.post(url("indicator-delete", operation, code="boat_arrivals"))
    assert deleted.status_code == 302
    assert not Indicator.objects.filter(operation=operation).exists()


def test_indicator_mistakes_are_shown_on_their_fields(signed_in, operation):
    response = signed_in(Role.DATA_MANAGER).post(
        url("indicator-new", operation), {**BOATS, "code": "idp_individuals", "hxl_tag": "boats"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "An indicator with the code 'idp_individuals' already exists." in errors["code"][0]
    assert "'boats' is not an HXL hashtag." in errors["hxl_tag"][0]
    assert not Indicator.objects.filter(operation=operation).exists()


def test_built_in_and_mapped_indicators_are_refused_on_the_page(signed_in, operation):
    client = signed_in(Role.DATA_MANAGER)
    built_in = client.get(url("indicator-edit", operation, code="idp_individuals")).content.decode()
    assert "This is a built-in indicator" in built_in
    refused = client.post(url("indicator-edit", operation, code="idp_individuals"), BOATS)
    assert refused.status_code == 400
    assert "built-in indicator; it cannot be changed" in refused.content.decode()
    client.post(url("indicator-new", operation), BOATS)
    mapping_for(tracked_form(operation, MAPPED_FORM, form_id="boats"))
    in_use = client.post(url("indicator-delete", operation, code="boat_arrivals"))
    assert in_use.status_code == 400
    assert "is mapped by a form or has figures" in in_use.content.decode()
    assert Indicator.objects.filter(operation=operation, code="boat_arrivals").exists()
