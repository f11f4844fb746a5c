"""A user of operation A can reach nothing of operation B through the pages.

The test walks every page URL that takes an operation slug, so a new page without a case
in SAMPLES fails here until someone says how to probe it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opendtm.accounts.roles import Role
from opendtm.geo.models import ImportJob, SiteAreaMatch
from tests.factories import AdminAreaFactory, MembershipFactory, SiteFactory, UserFactory


def web_patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else prefix
            yield from web_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name and prefix == "web:":
            yield f"{prefix}{entry.name}", entry


def operation_pages():
    names = set()
    for name, _pattern in web_patterns():
        try:
            reverse(name, kwargs={"slug": "x", **SAMPLES.get(name, lambda b: {})(None)})
        except Exception:  # noqa: BLE001, S112 - a pattern that takes no slug is not an operation page
            continue
        names.add(name)
    return sorted(names)


# For each page: the object kwargs that point at operation B's records.
SAMPLES = {
    "web:area": lambda b: {"pcode": b["area"].pcode if b else "NG"},
    "web:area-children": lambda b: {"pcode": b["area"].pcode if b else "NG"},
    "web:site": lambda b: {"code": b["site"].code if b else "S"},
    "web:site-edit": lambda b: {"code": b["site"].code if b else "S"},
    "web:site-match-decide": lambda b: {"match_id": b["match"].pk if b else 1},
    "web:import": lambda b: {"kind": "sites", "job_id": b["job"].pk if b else 1},
    "web:member-remove": lambda b: {"membership_id": b["membership"].pk if b else 1},
}
SLUG_ONLY = {
    "web:operation",
    "web:operation-settings",
    "web:areas",
    "web:areas-import",
    "web:sites",
    "web:site-new",
    "web:sites-import",
    "web:site-matches",
    "web:members",
    "web:audit",
    "web:audit-export",
}


@pytest.fixture
def operation_b(other_operation, superuser):
    area = AdminAreaFactory(operation=other_operation, level=1, pcode="SD01", name="Khartoum")
    site = SiteFactory(admin_area=area, code="SD-CAMP-1", name="Secret Camp")
    membership = MembershipFactory(operation=other_operation, role=Role.OPERATION_ADMIN)
    match = SiteAreaMatch.objects.create(
        site=site, given_name="Khartum", suggested_area=area, score=90
    )
    job = ImportJob.objects.create(
        operation=other_operation, kind="sites", file_name="b.csv", created_by=superuser
    )
    return {
        "operation": other_operation,
        "area": area,
        "site": site,
        "match": match,
        "job": job,
        "membership": membership,
    }


@pytest.fixture
def admin_of_a(client, operation):
    user = UserFactory(username="admin-a")
    for role in (Role.OPERATION_ADMIN, Role.PROTECTION_OFFICER):
        MembershipFactory(user=user, operation=operation, role=role)
    AdminAreaFactory(operation=operation, level=1, pcode="NG008", name="Borno")
    client.force_login(user)
    return client


def test_every_operation_page_has_a_probe():
    unprobed = set(operation_pages()) - set(SAMPLES) - SLUG_ONLY
    assert not unprobed, f"add these pages to SAMPLES or SLUG_ONLY: {sorted(unprobed)}"


@pytest.mark.parametrize("name", operation_pages())
@pytest.mark.parametrize("method", ["get", "post"])
def test_operation_b_pages_are_not_found_under_its_own_slug(admin_of_a, operation_b, name, method):
    kwargs = {"slug": operation_b["operation"].slug, **SAMPLES.get(name, lambda b: {})(operation_b)}
    response = getattr(admin_of_a, method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 404, f"{method.upper()} {name}: {response.status_code}"
    assert b"Secret Camp" not in response.content
    assert b"Khartoum" not in response.content


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_operation_b_records_are_not_found_under_a_slug(
    admin_of_a, operation, operation_b, name, method
):
    kwargs = {"slug": operation.slug, **SAMPLES[name](operation_b)}
    response = getattr(admin_of_a, method)(reverse(name, kwargs=kwargs))
    assert response.status_code in {404, 405}, f"{method.upper()} {name}: {response.status_code}"
    assert b"Secret Camp" not in response.content


def test_lists_of_a_never_show_b(admin_of_a, operation, operation_b):
    for name in [
        "web:areas",
        "web:sites",
        "web:site-matches",
        "web:members",
        "web:audit",
        "web:home",
    ]:
        path = (
            reverse(name) if name == "web:home" else reverse(name, kwargs={"slug": operation.slug})
        )
        content = admin_of_a.get(path, {"q": "Khart"}).content  # echoed, unlike the name
        assert b"Secret Camp" not in content, name
        assert b"Khartoum" not in content, name
    search = admin_of_a.get(reverse("web:sites", kwargs={"slug": operation.slug}), {"area": "SD01"})
    assert b"Secret Camp" not in search.content
