"""Age bands and the change threshold: checked, kept for mapped forms, audited."""

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.tracking.models import TrackingSettings
from opendtm.tracking.services.mapping import mapping_for
from opendtm.tracking.services.settings import (
    band_mistake,
    tracking_settings_get,
    tracking_settings_update,
)
from tests.tracking.conftest import tracked_form

AGED_FORM = """
| survey |
| | type | name | label | indicator | indicator_age |
| | integer | kids | Children 0-4 | idp_individuals | 0-4 |
| settings |
| | form_title | form_id | version |
| | Aged | aged | 1 |
"""


@pytest.mark.parametrize(
    ("bands", "mistake"),
    [
        ([], "at least one"),
        (["0-4", "5-17", "18+"], None),
        (["0+"], None),
        (["0-4", "six-17", "18+"], "Age band 2, 'six-17'"),
        (["0-4", "6-17", "18+"], "'6-17' should start at 5"),
        (["0-4", "5+", "18+"], "'5+' is not the last"),
        (["0-4", "5-17"], "'5-17', must be open-ended"),
        (["0-4", "5-3", "4+"], "'5-3' ends before it starts"),
    ],
)
def test_age_bands_are_checked(bands, mistake):
    found = band_mistake(bands)
    assert (found is None) if mistake is None else (mistake in found)


@pytest.mark.django_db
def test_the_defaults_hold_until_someone_changes_them(manager, operation):
    assert tracking_settings_get(user=manager, operation=operation).age_bands == [
        "0-4",
        "5-17",
        "18-59",
        "60+",
    ]
    saved = tracking_settings_update(
        actor=manager,
        operation=operation,
        age_bands=["0-4", "5-11", "12-17", "18-59", " 60+ "],
        change_threshold_percent=30,
    )
    assert TrackingSettings.objects.get(pk=saved.pk).age_bands[-1] == "60+"
    event = AuditEvent.objects.get(object_type="tracking.trackingsettings")
    assert event.after["change_threshold_percent"] == 30


@pytest.mark.django_db
def test_a_band_a_form_maps_to_cannot_be_dropped(manager, operation):
    version = tracked_form(operation, AGED_FORM, form_id="aged")
    mapping_for(version)
    with pytest.raises(ApplicationError) as refused:
        tracking_settings_update(
            actor=manager,
            operation=operation,
            age_bands=["0-17", "18+"],
            change_threshold_percent=50,
        )
    assert "question kids to age band 0-4" in refused.value.problems[0].message
    assert not TrackingSettings.objects.exists()


@pytest.mark.django_db
def test_a_wrong_threshold_names_the_field_and_only_managers_change_settings(
    manager, member, operation
):
    with pytest.raises(ApplicationError) as refused:
        tracking_settings_update(
            actor=manager, operation=operation, age_bands=["0+"], change_threshold_percent=0
        )
    assert refused.value.problems[0].field == "change_threshold_percent"
    viewer = member(Role.VIEWER, operation)
    with pytest.raises(Forbidden):
        tracking_settings_update(
            actor=viewer, operation=operation, age_bands=["0+"], change_threshold_percent=50
        )
