"""An operation's own indicators: checked, unique beside the catalogue, fixed once mapped."""

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.tracking.models import Indicator
from opendtm.tracking.selectors.indicators import (
    catalogue_get,
    catalogue_list,
    indicator_list,
)
from opendtm.tracking.services.indicators import (
    IndicatorData,
    indicator_create,
    indicator_delete,
    indicator_update,
)
from opendtm.tracking.services.mapping import mapping_for
from tests.tracking.conftest import tracked_form

pytestmark = pytest.mark.django_db

MAPPED_FORM = """
| survey |
| | type | name | label | indicator |
| | integer | boats | Boats arriving | boat_arrivals |
| settings |
| | form_title | form_id | version |
| | Boats | boats | 1 |
"""


def boats(**changes) -> IndicatorData:
    data = IndicatorData(
        code="boat_arrivals",
        label_en="Boats arriving",
        category="population",
        unit="places",
        aggregation="stock",
        hxl_tag="#indicator+boats",
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def test_an_operation_adds_its_own_indicator(manager, operation, other_operation):
    created = indicator_create(actor=manager, operation=operation, data=boats())
    codes = [item.code for item in indicator_list(user=manager, operation=operation)]
    assert codes[-1] == "boat_arrivals"
    assert "idp_individuals" in codes
    assert catalogue_get(user=manager, operation=operation, code="boat_arrivals") == created
    with pytest.raises(NotFound):
        catalogue_get(user=manager, operation=other_operation, code="boat_arrivals")
    assert AuditEvent.objects.filter(object_type="tracking.indicator", action="create").exists()


def test_every_mistake_is_named(manager, operation):
    with pytest.raises(ApplicationError) as refused:
        indicator_create(
            actor=manager,
            operation=operation,
            data=boats(code="idp_individuals", unit="boats", hxl_tag="boats", label_en=" "),
        )
    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"code", "unit", "hxl_tag", "label_en"}
    assert not Indicator.objects.filter(operation=operation).exists()


def test_a_mapped_indicator_keeps_its_meaning_but_not_its_label(manager, operation):
    created = indicator_create(actor=manager, operation=operation, data=boats())
    mapping_for(tracked_form(operation, MAPPED_FORM, form_id="boats"))
    with pytest.raises(ApplicationError, match="its unit, aggregation cannot change"):
        indicator_update(
            actor=manager,
            operation=operation,
            indicator=created,
            data=boats(unit="households", aggregation="flag"),
        )
    indicator_update(
        actor=manager, operation=operation, indicator=created, data=boats(label_fr="Bateaux")
    )
    assert Indicator.objects.get(pk=created.pk).label_fr == "Bateaux"
    with pytest.raises(ApplicationError, match="cannot be deleted"):
        indicator_delete(actor=manager, operation=operation, indicator=created)


def test_built_in_indicators_cannot_be_changed_and_unused_own_ones_can_go(manager, operation):
    builtin = Indicator.objects.get(code="idp_individuals")
    with pytest.raises(ApplicationError, match="built-in"):
        indicator_delete(actor=manager, operation=operation, indicator=builtin)
    created = indicator_create(actor=manager, operation=operation, data=boats())
    indicator_delete(actor=manager, operation=operation, indicator=created)
    assert not Indicator.objects.filter(code="boat_arrivals").exists()


def test_a_data_manager_manages_protection_indicators_whose_figures_they_cannot_see(
    manager, operation
):
    created = indicator_create(
        actor=manager,
        operation=operation,
        data=boats(code="night_patrols", sensitivity="protection"),
    )
    assert created not in indicator_list(user=manager, operation=operation)
    assert catalogue_get(user=manager, operation=operation, code="night_patrols") == created
    assert "pr_lighting_inadequate" in {
        item.code for item in catalogue_list(user=manager, operation=operation)
    }
