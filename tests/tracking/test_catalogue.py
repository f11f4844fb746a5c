from opendtm.tracking.catalogue import CATALOGUE
from opendtm.tracking.models import Indicator
from opendtm.tracking.services.catalogue import catalogue_sync


def test_migrate_installs_the_whole_catalogue(db):
    builtin = Indicator.objects.filter(operation__isnull=True)
    assert builtin.count() == len(CATALOGUE)
    idps = builtin.get(code="idp_individuals")
    assert (idps.unit, idps.aggregation, idps.by_sex, idps.by_age) == (
        "individuals",
        "stock",
        True,
        True,
    )
    assert idps.hxl_tag == "#affected+idps+ind"
    assert idps.label_fr


def test_every_protection_risk_is_protection_sensitive(db):
    risks = Indicator.objects.filter(category=Indicator.Category.PROTECTION)
    assert risks.count() >= 8
    assert set(risks.values_list("sensitivity", flat=True)) == {"protection"}
    assert {"pr_lighting_inadequate", "pr_latrines_not_separated", "pr_child_labour"} <= set(
        risks.values_list("code", flat=True)
    )


def test_needs_cover_the_eight_sectors(db):
    sectors = set(Indicator.objects.filter(category="needs").values_list("sector", flat=True))
    assert sectors == {
        "shelter",
        "nfi",
        "food",
        "wash",
        "health",
        "education",
        "protection",
        "livelihoods",
    }


def test_sync_repairs_a_changed_entry_and_is_idempotent(db):
    assert catalogue_sync() == 0
    Indicator.objects.filter(code="idp_households").update(hxl_tag="#wrong")
    assert catalogue_sync() == 1
    assert Indicator.objects.get(code="idp_households").hxl_tag == "#affected+idps+hh"


def test_hxl_tags_are_well_formed():
    import re

    tag = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")
    assert [entry.code for entry in CATALOGUE if not tag.match(entry.hxl_tag)] == []
    assert len({entry.code for entry in CATALOGUE}) == len(CATALOGUE)
