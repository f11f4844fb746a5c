import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opendtm.accounts.roles import Role
from opendtm.geo.models import AdminArea, ImportJob, Site, SiteAreaMatch


@pytest.fixture
def upload(signed_in, operation, django_capture_on_commit_callbacks):
    """upload(kind, name, content, role) -> the response; the queued job runs on commit."""

    def post(kind, name, content, role=Role.OPERATION_ADMIN, **fields):
        client = signed_in(role)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse(f"web:{kind}-import", kwargs={"slug": operation.slug}),
                {"file": SimpleUploadedFile(name, content), **fields},
            )
        return client, response

    return post


def test_an_area_upload_runs_and_its_page_shows_the_summary(upload, operation):
    client, response = upload(
        "areas", "states.csv", b"adm1_pcode,adm1_name\nNG008,Borno\nNG036,Yobe\n"
    )
    job = ImportJob.objects.get()
    assert response.url == reverse(
        "web:import", kwargs={"slug": operation.slug, "kind": "areas", "job_id": job.pk}
    )
    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page
    assert 'data-summary="created">3<' in page
    assert AdminArea.objects.filter(operation=operation).count() == 3  # with the country


def test_a_refused_upload_lists_every_problem_and_changes_nothing(upload):
    client, response = upload(
        "areas", "states.csv", b"adm1_pcode,adm1_name\nNG008,Borno\nNG008,Bornu\nCM001,Far North\n"
    )
    page = client.get(response.url).content.decode()
    assert 'data-status="failed"' in page
    assert "row 3" in page
    assert "row 4" in page
    assert "CM001" in page
    assert not AdminArea.objects.exists()


def test_unclear_columns_show_the_headers_to_map(upload):
    client, response = upload("areas", "odd.csv", b"code,label\nNG008,Borno\n")
    page = client.get(response.url).content.decode()
    assert "<code>code</code>" in page
    assert "<code>label</code>" in page


def test_a_site_upload_leaves_fuzzy_matches_to_confirm(upload, operation, geography):
    client, response = upload(
        "sites",
        "sites.csv",
        b"site_code,site_name,site_type,area\nS-1,Gwange Camp,camp,Maiduguri M.C.\n",
        role=Role.DATA_MANAGER,
    )
    assert 'data-status="done"' in client.get(response.url).content.decode()
    match = SiteAreaMatch.objects.get()
    assert Site.objects.get(code="S-1").admin_area is None
    matches_url = reverse("web:site-matches", kwargs={"slug": operation.slug})
    assert "Maiduguri M.C." in client.get(matches_url).content.decode()
    client.post(
        reverse("web:site-match-decide", kwargs={"slug": operation.slug, "match_id": match.pk}),
        {"decision": "accept"},
    )
    assert Site.objects.get(code="S-1").admin_area == geography["maiduguri"]


def test_an_upload_over_the_limit_is_refused_before_anything_is_stored(upload, settings):
    settings.OPENDTM_MAX_UPLOAD_BYTES = 1000
    _client, response = upload("areas", "big.csv", b"adm1_pcode,adm1_name\n" + b"NG001,A\n" * 500)
    assert response.status_code == 400
    assert "upload limit" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_options_reach_the_job_as_json_values(upload):
    upload(
        "areas",
        "states.csv",
        b"adm1_pcode,adm1_name\nNG008,Borno\n",
        valid_on="2024-06-30",
        retire_missing="on",
    )
    job = ImportJob.objects.get()
    assert job.options["valid_on"] == "2024-06-30"
    assert job.options["retire_missing"] is True
    assert job.options["repair"] is False
    assert AdminArea.objects.get(pcode="NG008").valid_on.isoformat() == "2024-06-30"
