import pytest

from opendtm.accounts.models import Membership
from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.geo.models import AdminArea, ImportJob, Site
from opendtm.geo.services.imports import import_job_create, import_job_run
from tests.geo.conftest import csv_bytes, geojson, state


@pytest.fixture
def create(operation, admin_user, django_capture_on_commit_callbacks):
    """Create a job as the admin and let the queue (inline in tests) run it."""

    def make(name, data, kind=ImportJob.Kind.AREAS, actor=None, **options):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(
                actor=actor or admin_user,
                operation=operation,
                kind=kind,
                name=name,
                data=data,
                options=options,
            )
        job.refresh_from_db()
        return job

    return make


def test_an_areas_job_runs_and_records_its_summary(create, operation):
    job = create("states.geojson", geojson(state("NG001", "Abia")), valid_on="2024-01-01")
    assert job.status == ImportJob.Status.DONE
    assert job.message == "Imported."
    assert job.summary["created"] == 2
    assert job.summary["by_level"]["1"]["created"] == 1
    assert job.finished_at is not None
    assert str(AdminArea.objects.get(pcode="NG001").valid_on) == "2024-01-01"
    assert job.file.read().startswith(b'{"type": "FeatureCollection"')


def test_a_refused_file_fails_the_job_with_its_problems(create):
    data = csv_bytes([["adm1_pcode", "adm1_name"], ["NG001", "Abia"], ["NG001", "Abia 2"]])
    job = create("states.csv", data)
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "states.csv was not imported: 1 problem(s). Nothing was changed."
    assert job.problems == [
        {
            "message": "the p-code NG001 is used again; it is first used in states.csv, row 2",
            "where": "states.csv, row 3",
            "field": "",
            "hint": "P-codes must be unique: correct one of the two.",
        }
    ]
    assert job.summary == {"hint": "Fix every problem listed, then import the file again."}
    assert not AdminArea.objects.exists()


def test_unclear_columns_fail_the_job_with_the_headers_to_choose_from(create):
    job = create(
        "states.csv", csv_bytes([["ADM1_PCODE", "ADM1_EN", "ADM1_NAME"], ["NG001", "Abia", "Abia"]])
    )
    assert job.status == ImportJob.Status.FAILED
    assert "several columns could be the admin 1 name" in job.message
    assert job.summary["columns_unclear"] is True
    assert job.summary["headers"] == ["ADM1_PCODE", "ADM1_EN", "ADM1_NAME"]
    assert job.summary["missing"] == ["adm1_name"]


def test_the_columns_option_resolves_them(create):
    data = csv_bytes([["ADM1_PCODE", "ADM1_EN", "ADM1_NAME"], ["NG001", "Abia", "Abia State"]])
    job = create("states.csv", data, columns="adm1_name=ADM1_EN")
    assert job.status == ImportJob.Status.DONE
    assert AdminArea.objects.get(pcode="NG001").name == "Abia"


def test_a_sites_job(create, tiny_geo):
    data = csv_bytes([["site_code", "site_name", "pcode"], ["S1", "Muna", "NG008013"]])
    job = create("sites.csv", data, kind=ImportJob.Kind.SITES)
    assert job.status == ImportJob.Status.DONE
    assert job.summary["created"] == 1
    assert Site.objects.get().admin_area == tiny_geo["jere"]


def test_a_job_runs_once(create):
    job = create("states.geojson", geojson(state("NG001", "Abia")))
    assert import_job_run(job.pk).status == ImportJob.Status.DONE
    assert AdminArea.objects.count() == 2


def test_a_job_whose_uploader_lost_the_role_fails_clearly(operation, admin_user):
    job = import_job_create(
        actor=admin_user,
        operation=operation,
        kind=ImportJob.Kind.AREAS,
        name="states.geojson",
        data=geojson(state("NG001", "Abia")),
        options={},
    )
    Membership.objects.filter(user=admin_user).delete()
    job = import_job_run(job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "No operation 'nga-ne' that you can see."
    assert not AdminArea.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_stored(operation, admin_user, settings):
    settings.OPENDTM_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ApplicationError, match="upload limit"):
        import_job_create(
            actor=admin_user,
            operation=operation,
            kind=ImportJob.Kind.AREAS,
            name="states.geojson",
            data=geojson(state("NG001", "Abia")),
            options={},
        )
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("data", "options", "message"),
    [
        (b"", {}, "states.csv is empty."),
        (b"adm1_pcode,adm1_name\n", {"valid_on": "15/12/2016"}, "'15/12/2016' is not a date"),
    ],
)
def test_an_empty_file_or_a_bad_date_is_refused_at_once(
    operation, admin_user, data, options, message
):
    with pytest.raises(ApplicationError, match=message):
        import_job_create(
            actor=admin_user,
            operation=operation,
            kind=ImportJob.Kind.AREAS,
            name="states.csv",
            data=data,
            options=options,
        )
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (Role.VIEWER, ImportJob.Kind.SITES),
        (Role.ENUMERATOR, ImportJob.Kind.SITES),
        (Role.DATA_MANAGER, ImportJob.Kind.AREAS),
    ],
)
def test_roles_without_the_capability_cannot_queue(operation, member, role, kind):
    with pytest.raises(Forbidden):
        import_job_create(
            actor=member(role, operation),
            operation=operation,
            kind=kind,
            name="x.csv",
            data=b"a\n1\n",
            options={},
        )
    assert not ImportJob.objects.exists()
