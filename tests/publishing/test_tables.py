"""Public tables: only published rounds, public indicators, small counts blanked with the
cells that would reveal them."""

import pytest

from opendtm.core.errors import NotFound
from opendtm.publishing.disclosure import Suppressed
from opendtm.publishing.selectors.tables import Audience, table
from tests.tracking.conftest import month_round


def by_pcode(found):
    return {place.pcode: place for place in found.places}


def test_a_public_table_blanks_small_counts_and_their_complements(published, operation):
    operation.suppression_threshold = 5
    operation.save()
    found = table(published, 2)
    places = by_pcode(found)
    abadam, askira = places["NG008001"], places["NG008002"]
    # 3 people in Askira/Uba: blanked, and so are its 2 women and 1 man.
    assert found.cell(askira, "idp_individuals") is None
    assert found.why(askira, "idp_individuals") == Suppressed.PRIMARY
    assert found.why(askira, "idp_individuals", "m") == Suppressed.PRIMARY
    # Borno's 53 is published a level up: Abadam's 50 would give the 3 away, so it goes too.
    assert found.why(abadam, "idp_individuals") == Suppressed.COMPLEMENTARY
    assert found.values[(abadam.id, "idp_individuals", "", "")] == 50  # kept, not published
    assert found.cell(abadam, "need_rank_food") == 1  # places, not people: never blanked
    assert "blanked" in found.note
    assert found.round == published
    assert found.level == 2
    assert (abadam.admin(1), abadam.admin(2)) == (("NG008", "Borno"), ("NG008001", "Abadam"))


def test_protection_indicators_never_reach_the_public(published):
    public = {item.code for item in table(published, 1).indicators}
    assert "idp_individuals" in public
    assert "pr_lighting_inadequate" not in public
    restricted = table(published, 1, audience=Audience.PROTECTION)
    assert "pr_lighting_inadequate" in {item.code for item in restricted.indicators}
    assert not restricted.suppressed  # a restricted download is not blanked, but audited


def test_sites_name_their_admin_areas(published, borno):
    found = table(published, "site", codes=["idp_individuals"])
    site = by_pcode(found)["S1"]
    assert site.admin(2) == ("NG008001", "Abadam")
    assert site.parent == borno[1][0].pk
    assert found.cell(site, "idp_individuals") == 50


def test_only_published_rounds_are_read(published, manager, operation):
    collecting = month_round(manager, operation, 2)
    with pytest.raises(NotFound, match="no published figures"):
        table(collecting, 1)
