"""A user of operation A can reach nothing of operation B through the pages.

The test walks every page URL that takes an operation slug, so a new page without a case
in SAMPLES fails here until someone says how to probe it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from opendtm.accounts.roles import Role
from opendtm.collection.models import (
    AppUser,
    Export,
    Form,
    FormUpload,
    FormVersion,
    Submission,
    SubmissionVersion,
)
from opendtm.geo.models import ImportJob, SiteAreaMatch
from opendtm.publishing.models import SubscriptionKey
from opendtm.tracking.models import Indicator, Round, ValidationIssue
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
    # Web forms: fill the current version, edit a submission.
    "web:webform-fill": lambda b: {"form_id": b["form"].form_id if b else "f"},
    "web:webform-xform": lambda b: {"form_id": b["form"].form_id if b else "f"},
    "web:webform-media": lambda b: {
        "form_id": b["form"].form_id if b else "f",
        "filename": "camp.png",
    },
    "web:webform-edit": lambda b: submission_kwargs(b),
    "web:webform-edit-xform": lambda b: submission_kwargs(b),
    "web:webform-edit-instance": lambda b: submission_kwargs(b),
    "web:webform-edit-media": lambda b: {**submission_kwargs(b), "filename": "camp.png"},
    "web:webform-edit-attachment": lambda b: {**submission_kwargs(b), "filename": "1.jpg"},
    # Submissions and their exports.
    "web:submissions": lambda b: {"form_id": b["form"].form_id if b else "f"},
    "web:submission-exports": lambda b: {"form_id": b["form"].form_id if b else "f"},
    "web:submission-export": lambda b: export_kwargs(b),
    "web:submission-export-download": lambda b: export_kwargs(b),
    "web:submission": lambda b: submission_kwargs(b),
    "web:submission-review": lambda b: submission_kwargs(b),
    "web:submission-edit": lambda b: submission_kwargs(b),
    "web:submission-attach": lambda b: submission_kwargs(b),
    "web:submission-version-xml": lambda b: {
        **submission_kwargs(b),
        "version_id": b["submission"].versions.get().pk if b else 1,
    },
    "web:submission-attachment": lambda b: {**submission_kwargs(b), "name": "1.jpg"},
    # Forms: uploads, one form, its settings and state, its versions' files.
    "web:form-upload-status": lambda b: {"upload_id": b["upload"].pk if b else 1},
    "web:form": lambda b: {"form_id": b["form"].form_id if b else "f"},
    "web:form-settings": lambda b: {"form_id": b["form"].form_id if b else "f"},
    "web:form-state": lambda b: {"form_id": b["form"].form_id if b else "f"},
    "web:form-version-xform": lambda b: form_version_kwargs(b),
    "web:form-version-xlsform": lambda b: form_version_kwargs(b),
    "web:form-media-add": lambda b: form_version_kwargs(b),
    "web:form-version-media": lambda b: {**form_version_kwargs(b), "name": "sites.csv"},
    "web:form-mapping": lambda b: {"form_id": b["form"].form_id if b else "f"},
    # A round's figures (operation A has no round: B's number must not reach B's round).
    "web:round-figures": lambda b: {"assessment_type": "SA", "number": 1},
    # A shipped DTM form: named after B's form, it must not hand out B's XLSForm.
    "web:form-template-download": lambda b: {
        "form_id": b["form"].form_id if b else "dtm_site_assessment"
    },
    # App users (devices).
    "web:app-user-revoke": lambda b: {"app_user_id": b["app_user"].pk if b else 1},
    "web:app-user-regenerate": lambda b: {"app_user_id": b["app_user"].pk if b else 1},
    "web:app-user-forms": lambda b: {"app_user_id": b["app_user"].pk if b else 1},
    # Rounds, their issues, and the operation's own indicators (B's round SA 1, issue, indicator).
    "web:round": lambda b: round_kwargs(b),
    "web:round-coverage": lambda b: round_kwargs(b),
    "web:round-move": lambda b: round_kwargs(b),
    "web:round-publish": lambda b: round_kwargs(b),
    "web:round-correct": lambda b: round_kwargs(b),
    "web:round-issues": lambda b: round_kwargs(b),
    "web:round-validate": lambda b: round_kwargs(b),
    "web:issue-explain": lambda b: {**round_kwargs(b), "pk": issue_of(b).pk if b else 1},
    "web:indicator-edit": lambda b: {"code": own_indicator_of(b).code if b else "x"},
    "web:indicator-delete": lambda b: {"code": own_indicator_of(b).code if b else "x"},
    "web:round-report": lambda b: round_kwargs(b),
    # The dashboard's JSON parts, table and restricted panel of B's round SA 1.
    "web:dashboard-data": lambda b: {**round_kwargs(b), "part": "headlines"},
    "web:dashboard-csv": lambda b: round_kwargs(b),
    "web:dashboard-restricted": lambda b: round_kwargs(b),
    # Subscription keys to the public API (B's key).
    "web:subscription-key-revoke": lambda b: {"key_id": subscription_key_of(b).pk if b else 1},
}


def form_version_kwargs(b):
    return {"form_id": b["form"].form_id if b else "f", "version": "1"}


def export_kwargs(b):
    if not b:
        return {"form_id": "f", "export_id": 1}
    export, _created = Export.objects.get_or_create(
        form=b["form"], format="csv", defaults={"created_by": b["form"].created_by}
    )
    return {"form_id": b["form"].form_id, "export_id": export.pk}


def submission_kwargs(b):
    if not b:
        return {"form_id": "f", "pk": 1}
    return {"form_id": b["form"].form_id, "pk": b["submission"].pk}


def round_kwargs(b):
    if b:
        round_b_get(b)
    return {"assessment_type": "SA", "number": 1}


def round_b_get(b):
    found, _created = Round.objects.get_or_create(
        operation=b["operation"],
        assessment_type="SA",
        number=1,
        defaults={"period_start": timezone.now().date(), "period_end": timezone.now().date()},
    )
    return found


def issue_of(b):
    found, _created = ValidationIssue.objects.get_or_create(
        round=round_b_get(b),
        rule="sex_sum",
        defaults={"message": "Secret Camp sums", "severity": "blocking"},
    )
    return found


def own_indicator_of(b):
    found, _created = Indicator.objects.get_or_create(
        operation=b["operation"],
        code="b_secret_boats",
        defaults={"label_en": "Boats", "category": "population", "unit": "places"},
    )
    return found


def subscription_key_of(b):
    found, _created = SubscriptionKey.objects.get_or_create(
        operation=b["operation"],
        prefix="b" * 12,
        defaults={
            "consumer_name": "Khartoum consumer",
            "contact_email": "b@example.org",
            "digest": "0" * 64,
            "issued_by": b["membership"].user,
        },
    )
    return found


SLUG_ONLY = {
    "web:operation",
    "web:dashboard",
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
    "web:forms",
    "web:form-upload",
    "web:form-templates",
    "web:app-users",
    "web:collect-setup",
    "web:rounds",
    "web:tracking-settings",
    "web:indicator-new",
    "web:subscription-keys",
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
    form = Form.objects.create(
        operation=other_operation, form_id="camps_b", title="Khartoum camps", created_by=superuser
    )
    version = FormVersion.objects.create(
        form=form, version="1", title=form.title, xform="<h:html/>", created_by=superuser
    )
    form.current_version = version
    form.save(update_fields=["current_version"])
    now = timezone.now()
    submission = Submission.objects.create(
        operation=other_operation, form=form, instance_id="uuid:b", received_at=now, updated_at=now
    )
    SubmissionVersion.objects.create(
        submission=submission,
        form=form,
        form_version=version,
        instance_id="uuid:b",
        xml="<data><camp>Secret Camp</camp></data>",
        received_at=now,
    )
    upload = FormUpload.objects.create(
        operation=other_operation, file_name="b.md", sha256="0" * 64, created_by=superuser
    )
    app_user = AppUser.objects.create(
        operation=other_operation,
        name="Khartoum tablet",
        prefix="b" * 12,
        digest="0" * 64,
        created_by=superuser,
    )
    return {
        "app_user": app_user,
        "upload": upload,
        "operation": other_operation,
        "area": area,
        "site": site,
        "match": match,
        "job": job,
        "membership": membership,
        "form": form,
        "submission": submission,
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
        "web:forms",
        "web:app-users",
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
