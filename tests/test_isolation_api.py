"""No API URL lets a user of operation A see or touch anything of operation B.

The endpoints are enumerated from the URL resolver: a new /api/v1/operations/<slug>/...
pattern without an entry in SAMPLES below fails test_every_operation_url_has_a_sample.
Both operations are in Nigeria, so B's p-codes are valid p-codes under A's slug too.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from opendtm.accounts.models import AuditEvent, Membership, Operation
from opendtm.accounts.roles import Role
from opendtm.accounts.services.audit import Action, audit_record
from opendtm.collection.models import Export, Form, FormMedia, FormUpload, FormVersion, Submission
from opendtm.geo.models import ImportJob, Site, SiteAreaMatch
from opendtm.tracking.models import (
    Figure,
    Indicator,
    Round,
    RoundRevision,
    RoundSubmission,
    TrackingSettings,
    ValidationIssue,
)
from opendtm.tracking.services.indicators import IndicatorData, indicator_create
from opendtm.tracking.services.rounds import RoundData, round_create, round_move, round_publish
from tests.collection.factories import FormUploadFactory, published_form
from tests.collection.factories_submissions import add_submission, sample_values, site_form
from tests.factories import (
    AdminAreaVersionFactory,
    BoundedAreaFactory,
    ImportJobFactory,
    MembershipFactory,
    OperationFactory,
    SiteAreaMatchFactory,
    SiteFactory,
    UserFactory,
    api_key_for,
)
from tests.tracking.api.factories import IssueFactory, SiteFigureFactory

OPERATION_PREFIX = "api/v1/operations/<slug:slug>/"
# Every name, code, p-code and username of operation B contains one of these.
B_MARKERS = ("BETA", "beta", "NG9", "NGA9")


@dataclass
class World:
    """One operation and the ids, codes and p-codes of its records."""

    operation: Operation
    pcode: str
    site_code: str
    membership_id: int
    area_job_id: int
    site_job_id: int
    match_id: int
    form_id: str = "form"
    submission_id: int = 1
    version_id: int = 1
    export_id: int = 1
    dtm_form_id: str = "dtm"
    upload_id: int = 1
    round_number: int = 1
    issue_id: int = 1
    indicator_code: str = "boats"


# The path arguments besides the slug, per URL name, from an operation's records.
SAMPLES = {
    "api-operation-detail": lambda world: {},
    "api-member-list": lambda world: {},
    "api-member-detail": lambda world: {"membership_id": world.membership_id},
    "api-audit-list": lambda world: {},
    "api-audit-export": lambda world: {},
    "api-area-list": lambda world: {},
    "api-area-geojson": lambda world: {},
    "api-area-import-list": lambda world: {},
    "api-area-import-detail": lambda world: {"job_id": world.area_job_id},
    "api-area-detail": lambda world: {"pcode": world.pcode},
    "api-site-list": lambda world: {},
    "api-site-geojson": lambda world: {},
    "api-site-import-list": lambda world: {},
    "api-site-import-detail": lambda world: {"job_id": world.site_job_id},
    "api-site-match-list": lambda world: {},
    "api-site-match-detail": lambda world: {"match_id": world.match_id},
    "api-site-detail": lambda world: {"code": world.site_code},
    # Submissions (tests/collection/test_submission_api.py probes B's ids under A's form).
    "api-submission-list": lambda world: {"form_id": world.form_id},
    "api-submission-export-list": lambda world: {"form_id": world.form_id},
    "api-submission-export-detail": lambda world: {
        "form_id": world.form_id,
        "export_id": world.export_id,
    },
    "api-submission-export-download": lambda world: {
        "form_id": world.form_id,
        "export_id": world.export_id,
    },
    "api-submission-detail": lambda world: submission_of(world),
    "api-submission-versions": lambda world: submission_of(world),
    "api-submission-version-xml": lambda world: {
        **submission_of(world),
        "version_id": world.version_id,
    },
    "api-submission-attachment-list": lambda world: submission_of(world),
    "api-submission-attachment": lambda world: {**submission_of(world), "name": "site.jpg"},
    "api-submission-reviews": lambda world: submission_of(world),
    # Forms (tests/collection/test_form_api.py has the behaviour).
    "api-form-list": lambda world: {},
    "api-form-upload-list": lambda world: {},
    "api-form-upload-detail": lambda world: {"upload_id": world.upload_id},
    "api-form-detail": lambda world: {"form_id": world.dtm_form_id},
    "api-form-version-xform": lambda world: dtm_version_of(world),
    "api-form-version-xlsform": lambda world: dtm_version_of(world),
    "api-form-media-list": lambda world: dtm_version_of(world),
    "api-form-media-file": lambda world: {**dtm_version_of(world), "name": "sites.csv"},
    # Tracking (tests/tracking/api/ has the behaviour).
    "api-round-list": lambda world: {},
    "api-round-detail": lambda world: round_of(world),
    "api-round-move": lambda world: round_of(world),
    "api-round-validate": lambda world: round_of(world),
    "api-round-publish": lambda world: round_of(world),
    "api-round-correct": lambda world: round_of(world),
    "api-round-attach": lambda world: round_of(world),
    "api-round-issue-list": lambda world: round_of(world),
    "api-round-issue-explain": lambda world: {**round_of(world), "issue_id": world.issue_id},
    "api-round-figures": lambda world: round_of(world),
    "api-figures-latest": lambda world: {},
    "api-area-time-series": lambda world: {"pcode": world.pcode},
    "api-indicator-list": lambda world: {},
    "api-indicator-detail": lambda world: {"code": world.indicator_code},
    "api-tracking-settings": lambda world: {},
}


def submission_of(world: "World") -> dict:
    return {"form_id": world.form_id, "pk": world.submission_id}


def dtm_version_of(world: "World") -> dict:
    return {"form_id": world.dtm_form_id, "version": "2026112309"}


def round_of(world: "World") -> dict:
    return {"assessment_type": "SA", "number": world.round_number}


QUERIES = {
    "api-area-geojson": "?level=1",
    "api-round-figures": "?level=1",
    "api-figures-latest": "?assessment_type=SA&level=1",
    "api-area-time-series": "?assessment_type=SA&indicator=idp_individuals",
}
ANY = World(None, "NG0", "X", 1, 1, 1, 1)  # type: ignore[arg-type]
# The URLs that name a record of the operation, not only the operation.
RECORD_URLS = sorted(name for name, sample in SAMPLES.items() if sample(ANY))


def operation_patterns() -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith(OPERATION_PREFIX):
                assert pattern.name, f"the API URL {route} has no name"
                found[pattern.name] = pattern

    walk(get_resolver().url_patterns, "")
    return found


def methods_of(pattern: URLPattern) -> list[str]:
    view = pattern.callback.view_class  # type: ignore[attr-defined]
    return [method for method in ("get", "post", "put", "patch", "delete") if hasattr(view, method)]


def build_world(slug: str, label: str, number: int, admin_username: str) -> World:
    operation = OperationFactory(slug=slug, name=f"{label} Operation")
    state = BoundedAreaFactory(
        operation=operation, level=1, pcode=f"NG{number}01", name=f"{label} State", lon=12, lat=10
    )
    AdminAreaVersionFactory(area=state, name=f"{label} Former State")
    lga = BoundedAreaFactory(
        operation=operation,
        level=2,
        parent=state,
        pcode=f"NG{number}01001",
        name=f"{label} LGA",
        lon=12,
        lat=10,
        size=0.5,
    )
    site = SiteFactory(
        operation=operation,
        admin_area=lga,
        code=f"{label}-001",
        name=f"{label} Camp",
        latitude=10.5,
        longitude=12.5,
    )
    homeless = SiteFactory(
        operation=operation, admin_area=None, code=f"{label}-002", name=f"{label} Unplaced"
    )
    match = SiteAreaMatchFactory(site=homeless, suggested_area=lga, given_name=f"{label} LGA")
    SiteAreaMatchFactory(
        site=site,
        suggested_area=lga,
        given_name=f"{label} LGA",
        status=SiteAreaMatch.Status.CONFIRMED,
    )
    admin = UserFactory(username=admin_username)
    membership = MembershipFactory(user=admin, operation=operation, role=Role.OPERATION_ADMIN)
    area_job = ImportJobFactory(
        operation=operation, kind=ImportJob.Kind.AREAS, created_by=admin, file_name=f"{label}.csv"
    )
    site_job = ImportJobFactory(
        operation=operation, kind=ImportJob.Kind.SITES, created_by=admin, file_name=f"{label}.csv"
    )
    audit_record(
        actor=admin,
        operation=operation,
        action=Action.UPDATE,
        instance=site,
        note=f"{label} note",
    )
    form = site_form(operation, form_id=f"{label.lower()}_form", created_by=admin)
    submission = add_submission(
        form.current_version,
        sample_values(1, site_code=f"{label}-001", photo="site.jpg"),
        attachments=[("site.jpg", label.encode())],
        submitted_by=admin,
    )
    export = Export(form=form, format="csv", created_by=admin, status=Export.Status.DONE)
    export.file.save(f"{label}.zip", ContentFile(label.encode()), save=True)
    dtm = published_form(
        operation, form_id=f"{label.lower()}_dtm", title=f"{label} DTM", created_by=admin
    )
    upload = FormUploadFactory(operation=operation, created_by=admin, file_name=f"{label}.md")
    second, issue_id = tracked_rounds(operation, label, number, admin, site)
    indicator = indicator_create(
        actor=admin,
        operation=operation,
        data=IndicatorData(
            code=f"{label.lower()}_boats",
            label_en=f"{label} boats",
            category="population",
            unit="places",
            aggregation="stock",
        ),
    )
    return World(
        round_number=second.number,
        issue_id=issue_id,
        indicator_code=indicator.code,
        dtm_form_id=dtm.form_id,
        upload_id=upload.pk,
        form_id=form.form_id,
        submission_id=submission.pk,
        version_id=submission.versions.get().pk,
        export_id=export.pk,
        operation=operation,
        pcode=state.pcode,
        site_code=site.code,
        membership_id=membership.pk,
        area_job_id=area_job.pk,
        site_job_id=site_job.pk,
        match_id=match.pk,
    )


def tracked_rounds(
    operation: Operation, label: str, number: int, admin, site: Site
) -> tuple[Round, int]:
    """Round `number` published; the next one collecting, with a blocking issue."""
    rounds = []
    for month in (number, number + 1):
        start = datetime.date(2026, month, 1)
        data = RoundData(month, "SA", start, start + datetime.timedelta(days=27), f"{label} round")
        rounds.append(round_create(actor=admin, operation=operation, data=data))
        round_move(actor=admin, round=rounds[-1], status=Round.Status.COLLECTING)
        SiteFigureFactory(revision=rounds[-1].revisions.get(), site=site)
    first, second = rounds
    round_move(actor=admin, round=first, status=Round.Status.VALIDATING)
    round_publish(actor=admin, round=first)
    return second, IssueFactory(round=second, site=site).pk


@pytest.fixture
def worlds(db):
    alpha = build_world("nga-a", "ALPHA", 1, "alice")
    beta = build_world("nga-b", "BETA", 9, "beta-admin")
    return alpha, beta


@pytest.fixture
def alice(worlds):
    """The operation admin of A, and of A only."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(UserFactory(username='alice'))}")
    return client


def url_for(name: str, slug: str, world: World) -> str:
    return reverse(name, kwargs={"slug": slug, **SAMPLES[name](world)}) + QUERIES.get(name, "")


def body_for(name: str, method: str, world: World) -> tuple[dict, str]:
    """A request body that would succeed, so a refusal cannot come from the input."""
    if name.endswith("-import-list"):
        upload = SimpleUploadedFile("x.csv", b"adm1_pcode,adm1_name\nNG901,BETA Two\n")
        return {"file": upload}, "multipart"
    if name == "api-round-attach":
        submission = Submission.objects.get(pk=world.submission_id)
        return {"submissions": [submission.instance_id]}, "json"
    bodies = {
        "api-member-list": {"username": "intruder", "roles": ["viewer"]},
        "api-site-list": {"code": "X-1", "name": "X", "type": "camp", "admin_area": world.pcode},
        "api-site-match-detail": {"accept": True},
        "api-round-list": {
            "number": 7,
            "assessment_type": "BA",
            "period_start": "2027-01-01",
            "period_end": "2027-01-31",
        },
        "api-round-move": {"status": "validating"},
        "api-round-validate": {},
        "api-round-publish": {},
        "api-round-correct": {"reason": "Taken over"},
        "api-round-issue-explain": {"explanation": "Taken over"},
        "api-indicator-list": {
            "code": "taken_over",
            "label_en": "Taken over",
            "category": "population",
            "unit": "places",
            "aggregation": "stock",
        },
        "api-indicator-detail": {"label_en": "Taken over"},
        "api-tracking-settings": {"age_bands": ["0+"], "change_threshold_percent": 10},
    }
    return bodies.get(name, {"name": "Taken over"}), "json"


def content_of(response) -> str:
    """The body; a streamed one is read to its end, where the test client closes it.

    A streamed export holds a database cursor open until its generator ends. Left half-read,
    the generator is closed whenever it is garbage-collected, and on PostgreSQL its CLOSE
    statement then fails inside whichever later test's transaction is running.
    """
    if not response.streaming:
        return response.content.decode()
    return b"".join(response.streaming_content).decode()


def request(client: APIClient, method: str, url: str, name: str, world: World):
    if method in {"get", "delete"}:
        return getattr(client, method)(url)
    data, format_ = body_for(name, method, world)
    return getattr(client, method)(url, data, format=format_)


def b_state(beta: World) -> dict:
    operation = beta.operation
    return {
        "operation": Operation.objects.filter(pk=operation.pk).values_list("name").get(),
        "sites": sorted(Site.objects.filter(operation=operation).values_list("code", "name")),
        "matches": sorted(
            SiteAreaMatch.objects.filter(site__operation=operation).values_list("status")
        ),
        "members": Membership.objects.filter(operation=operation).count(),
        "jobs": ImportJob.objects.filter(operation=operation).count(),
        "events": AuditEvent.objects.filter(operation=operation).count(),
        "submissions": sorted(
            Submission.objects.filter(operation=operation).values_list(
                "review_state", "edits", "updated_at"
            )
        ),
        "exports": Export.objects.filter(form__operation=operation).count(),
        "forms": sorted(
            Form.objects.filter(operation=operation).values_list(
                "form_id", "title", "kind", "state", "site_field", "area_field"
            )
        ),
        "form_versions": FormVersion.objects.filter(form__operation=operation).count(),
        "form_media": sorted(
            FormMedia.objects.filter(version__form__operation=operation).values_list(
                "filename", "md5"
            )
        ),
        "form_uploads": FormUpload.objects.filter(operation=operation).count(),
        "rounds": sorted(
            Round.objects.filter(operation=operation).values_list("number", "status", "title")
        ),
        "revisions": sorted(
            RoundRevision.objects.filter(round__operation=operation).values_list(
                "round__number", "number", "status", "reason"
            )
        ),
        "issues": sorted(
            ValidationIssue.objects.filter(round__operation=operation).values_list(
                "rule", "state", "explanation"
            )
        ),
        "figures": Figure.objects.filter(revision__round__operation=operation).count(),
        "attached": RoundSubmission.objects.filter(round__operation=operation).count(),
        "indicators": sorted(
            Indicator.objects.filter(operation=operation).values_list("code", "label_en")
        ),
        "tracking_settings": list(
            TrackingSettings.objects.filter(operation=operation).values_list(
                "age_bands", "change_threshold_percent"
            )
        ),
    }


def test_every_operation_url_has_a_sample(db):
    names = set(operation_patterns())
    assert names - set(SAMPLES) == set(), "add the new API URL to SAMPLES in this test"
    assert set(SAMPLES) - names == set(), "SAMPLES names a URL that no longer exists"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_sample_works_in_the_users_own_operation(alice, worlds, name):
    """Else a 404 below might only mean a broken sample."""
    alpha, _beta = worlds
    url = url_for(name, "nga-a", alpha)
    methods = methods_of(operation_patterns()[name])
    if "get" in methods:
        response = alice.get(url)
        assert response.status_code == 200, content_of(response)
        content_of(response)
    else:  # a write: it must reach the record (alice is A's last admin: refused, 400)
        response = request(alice, methods[0], url, name, alpha)
        assert response.status_code in {200, 204, 400}, response.content


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_url_of_another_operation_is_not_found(alice, worlds, name):
    _alpha, beta = worlds
    before = b_state(beta)
    pattern = operation_patterns()[name]
    url = url_for(name, "nga-b", beta)
    for method in methods_of(pattern):
        response = request(alice, method, url, name, beta)
        assert response.status_code == 404, (method, url, response.content)
        assert b"BETA" not in response.content
    assert b_state(beta) == before


@pytest.mark.parametrize("name", RECORD_URLS)
def test_another_operations_ids_under_my_slug_are_not_found(alice, worlds, name):
    """A's URL with B's membership, job and match ids, site code and p-code."""
    _alpha, beta = worlds
    before = b_state(beta)
    pattern = operation_patterns()[name]
    url = url_for(name, "nga-a", beta)
    for method in methods_of(pattern):
        response = request(alice, method, url, name, beta)
        assert response.status_code == 404, (method, url, response.content)
    assert b_state(beta) == before


def test_another_operations_pcode_in_iso3_form_under_my_slug_is_not_found(alice, worlds):
    assert alice.get("/api/v1/operations/nga-a/areas/NGA901/").status_code == 404
    assert alice.get("/api/v1/operations/nga-a/areas/NGA901001/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/me/",
        "/api/v1/operations/",
        "/api/v1/tokens/",
        *(
            f"/api/v1/operations/nga-a/{path}"
            for path in (
                "members/",
                "audit/",
                "audit/export.csv",
                "areas/",
                "areas/?include_retired=true",
                "areas/geojson/?level=1",
                "areas/geojson/?level=2",
                "areas/imports/",
                "sites/",
                "sites/geojson/",
                "sites/imports/",
                "sites/matches/",
                "sites/matches/?status=confirmed",
                "forms/",
                "forms/uploads/",
                "rounds/",
                "rounds/SA/2/",
                "rounds/SA/2/issues/",
                "rounds/SA/2/figures/?level=site",
                "rounds/SA/2/figures/?level=2",
                "figures/latest/?assessment_type=SA&level=site",
                "figures/latest/?assessment_type=SA&level=2",
                "indicators/",
            )
        ),
    ],
)
def test_no_list_of_my_operation_holds_anything_of_another(alice, worlds, url):
    response = alice.get(url)
    assert response.status_code == 200, response.content
    content = content_of(response)
    if not url.endswith("tokens/"):
        assert any(marker in content for marker in ("ALPHA", "alice", "NG101")), content
    for marker in B_MARKERS:
        assert marker not in content, (url, marker)


@pytest.mark.parametrize(
    "query",
    [
        "areas/?parent=NG901",
        "areas/?q=NG9",
        "areas/?q=BETA",
        "areas/geojson/?level=2&parent=NG901",
        "sites/?area=NG901",
        "sites/?q=BETA-001",
        "sites/geojson/?area=NGA901",
        "audit/?q=BETA",
        "audit/?actor=beta-admin",
        "rounds/SA/2/figures/?level=site&area=NG901",
        "rounds/SA/2/figures/?level=site&indicator=beta_boats",
        "figures/latest/?assessment_type=SA&level=2&indicator=beta_boats",
        "areas/NG101/time-series/?assessment_type=SA&indicator=beta_boats",
    ],
)
def test_filtering_my_lists_by_another_operations_values_finds_nothing(alice, worlds, query):
    response = alice.get(f"/api/v1/operations/nga-a/{query}")
    assert response.status_code in {200, 400}, response.content
    if response.status_code == 200:
        body = response.json()
        assert body.get("results", body.get("features")) == [], body


def test_creating_a_site_in_my_operation_with_another_operations_area_is_refused(alice, worlds):
    response = alice.post(
        "/api/v1/operations/nga-a/sites/",
        {"code": "A-9", "name": "Camp", "type": "camp", "admin_area": "NG901"},
        format="json",
    )
    assert response.status_code == 400
    assert [problem["field"] for problem in response.json()["problems"]] == ["admin_area"]
    assert not Site.objects.filter(code="A-9").exists()
