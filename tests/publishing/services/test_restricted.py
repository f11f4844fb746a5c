"""The restricted download: protection roles only, every indicator, nothing blanked, audited."""

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import Forbidden, NotFound
from opendtm.publishing.services.restricted import AUDIT_KIND, protection_file
from tests.publishing.exports.conftest import read_hxl


def test_a_protection_officer_gets_every_indicator_unblanked_and_is_audited(
    aged, member, operation, tmp_path
):
    officer = member(Role.PROTECTION_OFFICER, operation, "officer")
    found = protection_file(user=officer, round=aged, level="admin2", format="csv")
    path = tmp_path / found.filename
    path.write_bytes(found.content)
    data = read_hxl(path)
    assert "#risk+gbv+lighting_inadequate" in data.display_tags
    assert "#meta+suppressed" not in data.display_tags
    abadam = next(row for row in data if row.get("#adm2+code") == "NG008001")
    assert abadam.get("#affected+idps+f+age60plus") == "2"  # blanked in public, not here
    assert abadam.get("#risk+gbv+lighting_inadequate") == "1"
    assert found.filename == "nga-ne-sa-round-1-admin2-restricted.csv"
    (event,) = AuditEvent.objects.filter(object_type=AUDIT_KIND)
    assert (event.actor, event.action, event.operation) == (officer, "read", operation)
    assert event.object_id == str(aged.revisions.get().pk)
    assert event.note == "admin2 csv of SA round 1, revision 1"


def test_the_restricted_xlsx_says_it_is_restricted(aged, member, operation, tmp_path):
    import openpyxl

    officer = member(Role.PROTECTION_OFFICER, operation, "officer")
    found = protection_file(user=officer, round=aged, level="site", format="xlsx")
    path = tmp_path / found.filename
    path.write_bytes(found.content)
    book = openpyxl.load_workbook(path)
    assert "Do not share" in book.worksheets[1]["A1"].value
    assert len(list(book.worksheets[0].values)) == 4  # header, tags, two sites: no gate here


@pytest.mark.parametrize("role", [Role.DATA_MANAGER, Role.OPERATION_ADMIN, Role.VIEWER])
def test_other_roles_are_refused_and_nothing_is_read(aged, member, operation, role):
    with pytest.raises(Forbidden):
        protection_file(user=member(role, operation), round=aged, level="admin1", format="csv")
    assert not AuditEvent.objects.filter(object_type=AUDIT_KIND).exists()


def test_not_even_a_superuser(aged, superuser):
    with pytest.raises(Forbidden):
        protection_file(user=superuser, round=aged, level="admin1", format="csv")


def test_a_protection_officer_of_another_operation_does_not_see_this_one(
    aged, member, other_operation
):
    stranger = member(Role.PROTECTION_OFFICER, other_operation)
    with pytest.raises(NotFound):
        protection_file(user=stranger, round=aged, level="admin1", format="csv")
