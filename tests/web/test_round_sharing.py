"""The Share section of a published round: its downloads, the suppression note, the microdata
gate's verdict, and the restricted download for protection roles only; every check on the
server."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.publishing.services.restricted import AUDIT_KIND
from tests.factories import SiteFactory
from tests.publishing.conftest import publish
from tests.publishing.exports import conftest as exports
from tests.tracking import conftest as tracking
from tests.tracking.conftest import month_round

borno, manager = tracking.borno, tracking.manager
aged, aged_form, sites = exports.aged, exports.aged_form, exports.sites
_own_data_folder = exports._own_data_folder  # autouse: a data folder of the test's own


def url(name, operation, round, **kwargs):
    kwargs.update(assessment_type=round.assessment_type, number=round.number)
    return reverse(f"web:{name}", kwargs={"slug": operation.slug, **kwargs})


def share(client, operation, round):
    return client.get(url("round-share", operation, round), HTTP_HX_REQUEST="true")


def test_the_round_page_loads_the_share_section_of_a_published_round(
    signed_in, operation, aged, manager
):
    client = signed_in(Role.VIEWER)
    page = client.get(url("round", operation, aged)).content.decode()
    assert f'hx-get="{url("round-share", operation, aged)}"' in page
    collecting = month_round(manager, operation, 2)
    assert 'id="sharing"' not in client.get(url("round", operation, collecting)).content.decode()


def test_a_viewer_sees_the_downloads_the_note_and_the_gate_but_no_restricted_file(
    signed_in, operation, aged
):
    response = share(signed_in(Role.VIEWER), operation, aged)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page  # the section alone, for htmx
    for level in ("admin1", "admin2"):
        assert f'data-download="{level}.csv"' in page
        assert f'data-series="{level}.xlsx"' in page
        assert f'data-schema="{level}"' in page
    assert 'data-note="admin2"' in page
    assert "10 figures below 5 people" in page
    assert 'data-note="admin1"' not in page  # nothing blanked there
    assert 'data-withheld="site"' in page
    assert 'data-download="site.csv"' not in page
    assert 'data-gate="blocked"' in page
    assert "re-identification risk is 100.0%" in page
    assert "data-restricted" not in page
    assert "data-report" not in page  # the report is for those who publish


def test_a_data_manager_is_offered_the_situation_report(signed_in, operation, aged):
    page = share(signed_in(Role.DATA_MANAGER), operation, aged).content.decode()
    assert "data-report" in page
    assert f"/rounds/{aged.assessment_type}/{aged.number}/report.pdf" in page


def test_a_protection_officer_also_sees_the_restricted_downloads(signed_in, operation, aged):
    page = share(signed_in(Role.PROTECTION_OFFICER), operation, aged).content.decode()
    assert 'data-restricted="admin2.csv"' in page
    assert 'data-restricted="site.xlsx"' in page


def test_the_section_is_a_page_of_its_own_without_htmx(signed_in, operation, aged):
    page = signed_in(Role.VIEWER).get(url("round-share", operation, aged)).content.decode()
    assert "<html" in page
    assert 'data-download="admin1.csv"' in page


def test_a_public_file_downloads_with_its_name(signed_in, operation, aged):
    response = signed_in(Role.VIEWER).get(
        url("round-export", operation, aged, level="admin2", format="csv")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="nga-ne-sa-round-1-admin2.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[1].startswith("#date+reported,#country+code,#adm1+code")
    schema = signed_in(Role.VIEWER).get(url("round-schema", operation, aged, level="admin2"))
    assert b"#valid_tag" in b"".join(schema.streaming_content)


def test_a_withheld_site_file_is_refused_with_the_reasons(signed_in, operation, aged, settings):
    client = signed_in(Role.VIEWER)
    response = client.get(url("round-export", operation, aged, level="site", format="csv"))
    assert response.status_code == 400
    assert "re-identification risk is 100.0%" in response.content.decode()
    settings.OPENDTM_MICRODATA_RISK_LIMIT = 1.0
    response = client.get(url("round-export", operation, aged, level="site", format="xlsx"))
    assert response.status_code == 200


def test_the_multi_round_file_downloads_or_asks_again_while_it_is_written(
    signed_in, operation, aged, settings
):
    client = signed_in(Role.VIEWER)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    pending = client.get(url("round-series", operation, aged, level="admin1", format="csv"))
    assert pending.status_code == 202
    assert 'http-equiv="refresh"' in pending.content.decode()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    found = client.get(url("round-series", operation, aged, level="admin2", format="xlsx"))
    assert found.status_code == 200
    assert 'filename="nga-ne-sa-rounds-admin2.xlsx"' in found["Content-Disposition"]


def test_the_restricted_download_is_for_protection_roles_and_audited(
    signed_in, member, operation, other_operation, aged, client
):
    address = url("round-restricted", operation, aged, level="admin2", format="csv")
    officer = signed_in(Role.PROTECTION_OFFICER)
    response = officer.get(address)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert b"#risk+gbv+lighting_inadequate" in response.content
    assert 'filename="nga-ne-sa-round-1-admin2-restricted.csv"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(object_type=AUDIT_KIND, actor=officer.user).count() == 1
    for role in (Role.VIEWER, Role.DATA_MANAGER, Role.OPERATION_ADMIN):
        assert signed_in(role).get(address).status_code == 403
    client.force_login(member(Role.PROTECTION_OFFICER, other_operation))
    assert client.get(address).status_code == 404
    assert AuditEvent.objects.filter(object_type=AUDIT_KIND).count() == 1


def test_outsiders_and_strangers_get_nothing(client, member, other_operation, operation, aged):
    address = url("round-export", operation, aged, level="admin1", format="csv")
    assert client.get(address).status_code == 302  # to the sign-in page
    client.force_login(member(Role.VIEWER, other_operation))
    assert client.get(address).status_code == 404
    assert client.get(url("round-share", operation, aged)).status_code == 404


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("round-export", {"level": "admin3", "format": "csv"}),
        ("round-export", {"level": "admin1", "format": "pdf"}),
        ("round-series", {"level": "ward", "format": "csv"}),
        ("round-schema", {"level": "x"}),
    ],
)
def test_unknown_levels_and_formats_are_not_found(signed_in, operation, aged, name, kwargs):
    assert signed_in(Role.VIEWER).get(url(name, operation, aged, **kwargs)).status_code == 404


def test_an_unpublished_round_has_nothing_to_share(signed_in, operation, manager):
    collecting = month_round(manager, operation, 1)
    client = signed_in(Role.VIEWER)
    assert share(client, operation, collecting).status_code == 404
    address = url("round-export", operation, collecting, level="admin1", format="csv")
    assert client.get(address).status_code == 404


def test_the_share_section_costs_the_same_queries_with_thirty_more_sites(
    signed_in, operation, manager, aged_form, borno, aged
):
    """Round 1 has two sites; round 2 thirty-two: the section's first (uncached) load of each
    makes the same number of queries."""
    _state, (abadam, _askira), first_sites = borno
    more = [SiteFactory(admin_area=abadam, code=f"M{number}") for number in range(30)]
    answers = [{**exports.ABADAM, "need1": "food", "dark": "no"}] * 32
    second = publish(manager, operation, aged_form, [*first_sites, *more], 2, answers)
    client = signed_in(Role.VIEWER)
    counts = []
    for round in (aged, second):
        with CaptureQueriesContext(connection) as queries:
            assert share(client, operation, round).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 40
