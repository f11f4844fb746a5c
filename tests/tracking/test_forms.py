"""The shipped DTM XLSForms: built reproducibly, valid, mapped, and turned into figures."""

import datetime
import shutil

import pytest
from django.utils import timezone
from pyxform.xls2xform import convert

from opendtm.accounts.roles import Role
from opendtm.collection.blobs import blob_read
from opendtm.collection.models import Form, FormUpload, FormVersion
from opendtm.collection.services.forms import form_upload_create
from opendtm.collection.services.review import submission_review
from opendtm.collection.services.submissions import submission_receive
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.geo.models import Site
from opendtm.tracking.forms import BUILDERS, FOLDER
from opendtm.tracking.forms.build import built
from opendtm.tracking.forms.xlsform import workbook_sheets
from opendtm.tracking.models import Figure, TrackingSettings, ValidationIssue
from opendtm.tracking.services.form_templates import (
    form_template_get,
    form_template_install,
    form_template_list,
    form_template_lists_refresh,
)
from opendtm.tracking.services.mapping import mapping_read
from opendtm.tracking.services.rounds import RoundData, round_create, round_move
from tests.collection.factories import markdown_form
from tests.collection.factories_submissions import instance_xml
from tests.factories import SiteFactory

BA, SA = "dtm_baseline_area", "dtm_site_assessment"
BANDS = ["0-4", "5-17", "18-59", "60+"]
SECTORS = ["shelter", "nfi", "food", "wash", "health", "education", "protection", "livelihoods"]
SERVICES = {
    "svc_site_management",
    "svc_drinking_water",
    "svc_health_access",
    "svc_school_access",
    "svc_food_assistance",
    "svc_market_access",
}
RISKS = {
    "pr_lighting_inadequate",
    "pr_latrines_not_separated",
    "pr_latrines_no_locks",
    "pr_no_women_on_committee",
    "pr_women_feel_unsafe",
    "pr_gbv_services_unknown",
    "pr_security_incidents",
    "pr_child_labour",
    "pr_no_child_friendly_space",
    "pr_recruiters_visiting",
}


def test_the_committed_forms_are_what_the_builder_makes():
    assert set(BUILDERS) == {f"{BA}.xlsx", f"{SA}.xlsx"}
    for name, data in built().items():
        assert workbook_sheets((FOLDER / name).read_bytes()) == workbook_sheets(data), (
            f"{name} differs from its source: run scripts/build-dtm-forms"
        )


@pytest.mark.parametrize("form_id", [BA, SA])
def test_each_form_converts_without_warnings(form_id):
    converted = convert(xlsform=str(form_template_get(form_id).path))
    assert converted.warnings == []
    assert f'id="{form_id}"' in converted.xform
    assert "jr://file-csv/admin2.csv" in converted.xform


@pytest.mark.skipif(not shutil.which("java"), reason="ODK Validate needs java, not installed")
@pytest.mark.parametrize("form_id", [BA, SA])
def test_each_form_passes_odk_validate(form_id):
    convert(xlsform=str(form_template_get(form_id).path), validate=True)


@pytest.fixture
def enumerator(member, operation):
    return member(Role.ENUMERATOR, operation, "enumerator")


@pytest.fixture
def install(
    admin_user, operation, borno, django_capture_on_commit_callbacks, monkeypatch, tmp_path
):
    """install(form_id) -> the published FormVersion, converted as any upload.

    Without java on the PATH, so without ODK Validate: the test above runs it on both forms.
    """
    monkeypatch.setenv("PATH", str(tmp_path))

    def run(form_id: str) -> FormVersion:
        with django_capture_on_commit_callbacks(execute=True):
            upload = form_template_install(
                actor=admin_user, operation=operation, template=form_template_get(form_id)
            )
        upload.refresh_from_db()
        assert upload.status == FormUpload.Status.DONE, upload.message
        assert upload.version is not None
        return upload.version

    return run


def mapped(version: FormVersion) -> set[tuple[str, str, str, str]]:
    rows, problems = mapping_read(version)
    assert problems == []
    return {(row.indicator.code, row.sex, row.age_band, row.choice) for row in rows}


def test_the_site_assessment_maps_population_by_sex_and_age_needs_services_and_risks(install):
    version = install(SA)
    assert (version.form.kind, version.form.site_field, version.form.area_field) == (
        Form.Kind.SITE_ASSESSMENT,
        "location/site_code",
        "location/adm2_pcode",
    )
    mapping = mapped(version)
    people = {(code, sex, age) for code, sex, age, _choice in mapping if code.startswith("idp_")}
    assert people == {
        ("idp_households", "", ""),
        ("idp_individuals", "", ""),
        ("idp_individuals", "f", ""),
        ("idp_individuals", "m", ""),
        *(("idp_individuals", "", band) for band in BANDS),
        *(("idp_individuals", sex, band) for sex in "fm" for band in BANDS),
    }
    needs = {(code, choice) for code, _sex, _age, choice in mapping if code.startswith("need")}
    assert needs == {(f"need_rank_{sector}", sector) for sector in SECTORS}
    flags = {(code, choice) for code, _sex, _age, choice in mapping if code[:3] in {"svc", "pr_"}}
    assert {code for code, _choice in flags} == SERVICES | RISKS
    assert ("pr_lighting_inadequate", "no") in flags  # "is lighting adequate?" - no is the risk
    assert ("pr_security_incidents", "yes") in flags
    assert version.media_expected == ["admin1.csv", "admin2.csv", "sites.csv"]
    assert not version.media.exclude(filename__in=version.media_expected).exists()


def test_the_baseline_maps_idps_returnees_host_origin_reason_and_needs(install):
    version = install(BA)
    assert (version.form.kind, version.form.site_field, version.form.area_field) == (
        Form.Kind.BASELINE_AREA,
        "",
        "location/adm2_pcode",
    )
    codes = {code for code, _sex, _age, _choice in mapped(version)}
    assert codes == {
        "idp_households",
        "idp_individuals",
        "idp_origin_same_admin1",
        "idp_origin_other_admin1",
        "idp_reason_conflict",
        "idp_reason_disaster",
        "idp_reason_other",
        "returnee_households",
        "returnee_individuals",
        "host_individuals",
        "migrant_individuals",
        *(f"need_rank_{sector}" for sector in SECTORS),
    }


def round_of_today(admin_user, operation, kind: str):
    today = timezone.now().date()
    start = today - datetime.timedelta(days=3)
    created = round_create(
        actor=admin_user,
        operation=operation,
        data=RoundData(1, kind, start, start + datetime.timedelta(days=10)),
    )
    return round_move(actor=admin_user, round=created, status="collecting")


def receive_and_approve(version, answers, enumerator, admin_user, capture):
    xml = instance_xml(version.form.form_id, version.version, answers)
    with capture(execute=True):  # parsed once the receipt committed
        received = submission_receive(
            operation=version.form.operation, xml=xml.encode(), submitted_by=enumerator
        )
    with capture(execute=True):  # figures written once the approval committed
        submission_review(actor=admin_user, submission=received.submission, state="approved")
    received.submission.refresh_from_db()
    return received.submission


def figures(submission) -> dict[tuple[str, str, str], float]:
    rows = Figure.objects.filter(submission=submission).select_related("indicator")
    return {(row.indicator.code, row.sex, row.age_band): row.value for row in rows}


SITE_ANSWERS = {
    "location": {
        "assessment_date": "2026-11-02",
        "adm1_pcode": "NG008",
        "adm2_pcode": "NG008001",
        "site_code": "S1",
    },
    "informant": {"ki_type": "community_leader", "ki_sex": "f", "ki_count": "3"},
    "site": {"site_type": "camp", "management": "yes", "management_agency": "un"},
    "population": {
        "idp_hh": "40",
        "idp_ind": "200",
        **{"idp_f_0_4": "20", "idp_m_0_4": "18", "idp_f_5_17": "35", "idp_m_5_17": "33"},
        **{"idp_f_18_59": "50", "idp_m_18_59": "30", "idp_f_60": "8", "idp_m_60": "6"},
        **{"idp_f": "113", "idp_m": "87"},
        **{"idp_age_0_4": "38", "idp_age_5_17": "68", "idp_age_18_59": "80", "idp_age_60": "14"},
    },
    "needs": {"need_1": "shelter", "need_2": "food", "need_3": "wash"},
    "services": {"water": "yes", "health": "no", "school": "yes", "food": "no", "market": "yes"},
    "protection": {
        **{"lighting": "no", "latrines_separated": "yes", "latrines_lock": "no"},
        **{"women_committee": "yes", "women_safe": "yes", "gbv_services": "no"},
        **{"incidents": "yes", "child_labour": "no", "child_space": "no", "recruiters": "no"},
    },
}


def test_a_site_assessment_goes_from_receipt_to_figures(
    install, admin_user, operation, borno, enumerator, django_capture_on_commit_callbacks
):
    _state, lgas, sites = borno
    version = install(SA)
    round_of_today(admin_user, operation, "SA")
    submission = receive_and_approve(
        version, SITE_ANSWERS, enumerator, admin_user, django_capture_on_commit_callbacks
    )
    assert (submission.site, submission.admin_area) == (sites[0], lgas[0])
    ages = {"0-4": 38, "5-17": 68, "18-59": 80, "60+": 14}
    cells = {("f", "0-4"): 20, ("m", "0-4"): 18, ("f", "5-17"): 35, ("m", "5-17"): 33}
    cells |= {("f", "18-59"): 50, ("m", "18-59"): 30, ("f", "60+"): 8, ("m", "60+"): 6}
    assert figures(submission) == {
        ("idp_households", "", ""): 40,
        ("idp_individuals", "", ""): 200,
        ("idp_individuals", "f", ""): 113,
        ("idp_individuals", "m", ""): 87,
        **{("idp_individuals", "", band): count for band, count in ages.items()},
        **{("idp_individuals", sex, band): count for (sex, band), count in cells.items()},
        ("need_rank_shelter", "", ""): 1,
        ("need_rank_food", "", ""): 2,
        ("need_rank_wash", "", ""): 3,
        ("svc_site_management", "", ""): 1,
        ("svc_drinking_water", "", ""): 1,
        ("svc_health_access", "", ""): 0,
        ("svc_school_access", "", ""): 1,
        ("svc_food_assistance", "", ""): 0,
        ("svc_market_access", "", ""): 1,
        ("pr_lighting_inadequate", "", ""): 1,
        ("pr_latrines_not_separated", "", ""): 0,
        ("pr_latrines_no_locks", "", ""): 1,
        ("pr_no_women_on_committee", "", ""): 0,
        ("pr_women_feel_unsafe", "", ""): 0,
        ("pr_gbv_services_unknown", "", ""): 1,
        ("pr_security_incidents", "", ""): 1,
        ("pr_child_labour", "", ""): 0,
        ("pr_no_child_friendly_space", "", ""): 1,
        ("pr_recruiters_visiting", "", ""): 0,
    }
    assert not ValidationIssue.objects.filter(submission=submission).exists()
    assert {figure.form_version for figure in Figure.objects.filter(submission=submission)} == {
        version
    }


def test_a_baseline_assessment_goes_from_receipt_to_figures(
    install, admin_user, operation, borno, enumerator, django_capture_on_commit_callbacks
):
    _state, lgas, _sites = borno
    version = install(BA)
    round_of_today(admin_user, operation, "BA")
    answers = {
        "location": {"assessment_date": "2026-11-02", "adm1_pcode": "NG008", "adm2_pcode": "NG008002"},
        "informant": {"ki_type": "local_authority", "ki_sex": "m", "ki_count": "4"},
        "idps": {
            **{"idp_present": "yes", "idp_hh": "1000", "idp_ind": "5200"},
            **{"idp_origin_same": "4800", "idp_origin_other": "400"},
            **{"idp_reason_conflict": "5000", "idp_reason_disaster": "150", "idp_reason_other": "50"},
            "idp_arrival": "2_5_years",
        },
        "returnees": {"ret_present": "yes", "ret_hh": "300", "ret_ind": "1700"},
        "others": {"host_ind": "90000", "migrant_ind": "120"},
        "needs": {"need_1": "food", "need_2": "shelter", "need_3": "health"},
    }  # fmt: skip
    submission = receive_and_approve(
        version, answers, enumerator, admin_user, django_capture_on_commit_callbacks
    )
    assert (submission.site, submission.admin_area) == (None, lgas[1])
    assert figures(submission) == {
        ("idp_households", "", ""): 1000,
        ("idp_individuals", "", ""): 5200,
        ("idp_origin_same_admin1", "", ""): 4800,
        ("idp_origin_other_admin1", "", ""): 400,
        ("idp_reason_conflict", "", ""): 5000,
        ("idp_reason_disaster", "", ""): 150,
        ("idp_reason_other", "", ""): 50,
        ("returnee_households", "", ""): 300,
        ("returnee_individuals", "", ""): 1700,
        ("host_individuals", "", ""): 90000,
        ("migrant_individuals", "", ""): 120,
        ("need_rank_food", "", ""): 1,
        ("need_rank_shelter", "", ""): 2,
        ("need_rank_health", "", ""): 3,
    }


def test_installing_writes_the_place_lists_of_the_operation(install, borno):
    state, lgas, sites = borno
    Site.objects.filter(pk=sites[1].pk).update(status=Site.Status.CLOSED)
    version = install(SA)
    lists = {media.filename: media for media in version.media.all()}
    assert set(lists) == {"admin1.csv", "admin2.csv", "sites.csv"}
    assert blob_read(lists["admin1.csv"].sha256).decode() == "name,label\nNG008,Borno\n"
    assert blob_read(lists["admin2.csv"].sha256).decode() == (
        "name,label,admin1\nNG008001,Abadam,NG008\nNG008002,Askira/Uba,NG008\n"
    )
    # Open sites only, each under its LGA.
    assert blob_read(lists["sites.csv"].sha256).decode() == (
        f"name,label,admin2\nS1,{sites[0].name} (S1),NG008001\n"
    )


def test_refreshing_the_lists_adds_new_sites(install, admin_user, borno):
    _state, lgas, _sites = borno
    version = install(SA)
    SiteFactory(admin_area=lgas[1], code="S9", name="New camp")
    media = form_template_lists_refresh(actor=admin_user, form=version.form)
    sites_csv = next(item for item in media if item.filename == "sites.csv")
    assert "S9,New camp (S9),NG008002" in blob_read(sites_csv.sha256).decode()


def test_a_form_installed_once_is_not_installed_again(install, admin_user, operation):
    install(BA)
    with pytest.raises(ApplicationError, match="already installed"):
        form_template_install(actor=admin_user, operation=operation, template=form_template_get(BA))


def test_an_operation_without_places_or_with_other_age_bands_is_told_why(
    admin_user, operation, borno
):
    TrackingSettings.objects.create(operation=operation, age_bands=["0-17", "18+"])
    with pytest.raises(ApplicationError, match="age bands 0-4, 5-17, 18-59, 60[+]") as error:
        form_template_install(actor=admin_user, operation=operation, template=form_template_get(SA))
    assert "indicator_age" in error.value.hint
    Site.objects.all().delete()
    TrackingSettings.objects.filter(operation=operation).delete()
    with pytest.raises(ApplicationError, match="no open sites"):
        form_template_install(actor=admin_user, operation=operation, template=form_template_get(SA))


def test_only_form_managers_install(member, operation, borno):
    manager = member(Role.DATA_MANAGER, operation)
    with pytest.raises(Forbidden):
        form_template_install(actor=manager, operation=operation, template=form_template_list()[0])


def test_templates_cannot_be_a_form_id(admin_user, operation, django_capture_on_commit_callbacks):
    """forms/templates/ is the DTM forms' page: no form may take the word as its ID."""
    with django_capture_on_commit_callbacks(execute=True):
        created = form_upload_create(
            actor=admin_user,
            operation=operation,
            name="t.md",
            data=markdown_form(form_id="templates").encode(),
        )
    created.refresh_from_db()
    assert created.status == FormUpload.Status.FAILED
    assert "cannot be a form ID" in created.message
