"""The HDX package: written to a folder for real, offline; uploaded, against a mocked HDX,
only when a key is configured."""

import json
import re

import pytest
import responses
from django.core.management import CommandError, call_command
from hdx.api.configuration import Configuration
from hdx.data.dataset import Dataset
from hdx.data.resource import Resource
from hdx.data.vocabulary import Vocabulary

from opendtm.accounts.models import AuditEvent
from opendtm.core.errors import ApplicationError
from opendtm.publishing.exports.hdx import TAGS, TOPICS_VOCABULARY, offline_configuration
from opendtm.publishing.services.hdx import hdx_package_upload, hdx_package_write
from tests.publishing.exports.conftest import hxl_report, read_hxl

ORGANIZATION = "f53d32cd-132c-4ef4-bc6d-058f94d08adf"
MAINTAINER = "80d68c27-4b7f-4865-87c6-050ebb6912ae"
HDX = "https://stage.data-humdata-org.ahconu.org/api/action/"
# HDX's approved tags as its vocabulary_show gives them (a few of them).
APPROVED = [*TAGS, "sex and age disaggregated data-sadd", "refugees"]


@pytest.fixture
def hdx_ids(settings):
    settings.OPENDTM_HDX_ORGANIZATION = ORGANIZATION
    settings.OPENDTM_HDX_MAINTAINER = MAINTAINER


@pytest.fixture
def fresh_hdx_library(monkeypatch):
    """hdx-python-api keeps what it downloaded, and its configuration, on its classes."""
    monkeypatch.setattr(Vocabulary, "_approved_vocabulary", None)
    monkeypatch.setattr(Vocabulary, "_tags_dict", None)
    monkeypatch.setattr(Resource, "_formats_dict", None)
    monkeypatch.setattr(Configuration, "_configuration", None)


@pytest.fixture
def offline():
    """Any request would fail the test: nothing here may reach the network."""
    with responses.RequestsMock() as mock:
        yield mock
    assert not mock.calls


def test_the_package_is_a_folder_with_the_dataset_and_its_files(aged, tmp_path, offline):
    package = hdx_package_write(round=aged, folder=tmp_path)
    written = json.loads((tmp_path / "dataset.json").read_text())
    assert written["name"] == "nga-ne-sa-round-1"
    assert written["title"] == (
        "Nigeria - Displacement - Nigeria North-East - Site assessment round 1"
    )
    assert written["dataset_date"] == "[2026-01-01T00:00:00 TO 2026-01-28T23:59:59]"
    assert written["data_update_frequency"] == "30"  # a round of 28 days: every month
    assert written["groups"] == [{"name": "nga"}]
    assert written["license_id"] == "cc-by-igo"
    assert written["methodology"] == "Other"
    assert "key informants" in written["methodology_other"]
    assert "blanked" in written["caveats"]
    assert written["private"] is False
    assert {tag["name"] for tag in written["tags"]} == {
        *TAGS,
        "sex and age disaggregated data-sadd",
    }
    assert {tag["vocabulary_id"] for tag in written["tags"]} == {TOPICS_VOCABULARY}
    # Without HDX ids in the settings, the package lacks what only HDX can give.
    assert package.missing == ["owner_org", "maintainer"]
    names = [resource["name"] for resource in written["resources"]]
    assert sorted(names) == sorted(
        path.name for path in tmp_path.iterdir() if path.suffix != ".json"
    )
    assert names == [
        "nga-ne-sa-round-1-admin1.csv",
        "nga-ne-sa-round-1-admin1.xlsx",
        "nga-ne-sa-rounds-admin1.csv",
        "nga-ne-sa-round-1-admin2.csv",
        "nga-ne-sa-round-1-admin2.xlsx",
        "nga-ne-sa-rounds-admin2.csv",
    ]
    for resource in written["resources"]:
        assert resource["format"] == resource["name"].rpartition(".")[2]
        assert resource["url_type"] == "upload"
        assert resource["description"]
    assert read_hxl(tmp_path / "nga-ne-sa-round-1-admin2.csv").display_tags[0] == "#date+reported"


def test_the_site_level_is_left_out_while_the_gate_blocks_it(aged, tmp_path, offline, settings):
    package = hdx_package_write(round=aged, folder=tmp_path)
    assert "withheld" in package.withheld
    assert package.withheld in package.dataset["caveats"]
    assert "LGA (admin 2): 10 figures below 5 people" in package.dataset["caveats"]
    assert "Sites: " not in package.dataset["caveats"]  # what was blanked in a file not shared
    assert not list(tmp_path.glob("*site*"))
    settings.OPENDTM_MICRODATA_RISK_LIMIT = 1.0
    package = hdx_package_write(round=aged, folder=tmp_path / "open")
    assert package.withheld == ""
    assert "Sites: 5 figures below 5 people" in package.dataset["caveats"]
    site_file = tmp_path / "open" / "nga-ne-sa-round-1-site.csv"
    assert read_hxl(site_file).display_tags[6] == "#loc+code"


def test_with_hdx_ids_the_metadata_are_complete_for_hdx(aged, tmp_path, offline, hdx_ids):
    package = hdx_package_write(round=aged, folder=tmp_path)
    assert package.missing == []
    package.dataset.check_required_fields(ignore_fields=["package_id"])  # hdx's own check
    assert package.dataset["owner_org"] == ORGANIZATION
    assert package.dataset["maintainer"] == MAINTAINER


def test_a_bad_hdx_id_is_refused_with_what_to_set(aged, tmp_path, settings):
    settings.OPENDTM_HDX_MAINTAINER = "jane"
    with pytest.raises(ApplicationError, match="not a valid user id") as refused:
        hdx_package_write(round=aged, folder=tmp_path)
    assert "OPENDTM_HDX_MAINTAINER" in refused.value.hint


def fake_hdx(mock, *, refuse=False):
    """HDX's API as create-or-update uses it: the dataset is new, its tags approved."""

    def action(request):
        name = request.url.rpartition("/")[2]
        if name == "package_show":
            return 404, {}, json.dumps({"success": False, "error": {"__type": "Not Found Error"}})
        if name == "vocabulary_show":
            tags = [{"name": tag} for tag in APPROVED]
            return (
                200,
                {},
                json.dumps(
                    {
                        "success": True,
                        "result": {"id": TOPICS_VOCABULARY, "name": "Topics", "tags": tags},
                    }
                ),
            )
        if name == "package_create" and refuse:
            error = {"__type": "Validation Error", "owner_org": ["Organization does not exist"]}
            return 409, {}, json.dumps({"success": False, "error": error})
        if name == "package_create":
            return (
                200,
                {},
                json.dumps({"success": True, "result": {**json.loads(request.body), "id": "d-1"}}),
            )
        if name == "package_revise":
            return (
                200,
                {},
                json.dumps(
                    {
                        "success": True,
                        "result": {
                            "package": {"id": "d-1", "name": "nga-ne-sa-round-1", "resources": []}
                        },
                    }
                ),
            )
        return 500, {}, "{}"

    mock.add_callback(responses.POST, re.compile(re.escape(HDX) + r"\w+"), callback=action)
    # The lists hdx-python-api downloads: file formats, and tag clean-up rules (none here).
    formats = [["CSV", "", "text/csv", ["csv"]], ["XLSX", "", "", ["xlsx"]]]
    mock.add(responses.GET, re.compile(r".*resource_formats\.json"), json=formats)
    mock.add(
        responses.GET,
        re.compile(r"https://docs\.google\.com/.*"),
        body="Current Tag,Action to Take,New Tag(s)\n",
    )


def calls_to(mock, name):
    return [call.request for call in mock.calls if call.request.url.endswith(f"/{name}")]


def test_an_upload_creates_the_dataset_with_its_files_and_is_audited(
    aged, tmp_path, settings, hdx_ids, fresh_hdx_library
):
    settings.OPENDTM_HDX_KEY = "the-key"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake_hdx(mock)
        package = hdx_package_upload(round=aged, folder=tmp_path)
        (create,) = calls_to(mock, "package_create")
        (revise,) = calls_to(mock, "package_revise")
    sent = json.loads(create.body)
    assert create.headers["Authorization"] == "the-key"
    assert sent["name"] == "nga-ne-sa-round-1"
    assert sent["owner_org"] == ORGANIZATION
    assert sent["dataset_date"] == "[2026-01-01T00:00:00 TO 2026-01-28T23:59:59]"
    assert {tag["name"] for tag in sent["tags"]} == {*TAGS, "sex and age disaggregated data-sadd"}
    uploads = re.findall(rb'filename="([^"]+)"', revise.body)
    assert sorted(uploads) == sorted(
        path.name.encode() for path in tmp_path.iterdir() if path.suffix != ".json"
    )
    assert package.folder == tmp_path
    (event,) = AuditEvent.objects.filter(action="export", object_type="tracking.round")
    assert event.actor is None
    assert event.note == "HDX dataset nga-ne-sa-round-1 on stage"


def test_tags_hdx_does_not_approve_are_not_sent(
    aged, tmp_path, settings, hdx_ids, fresh_hdx_library
):
    settings.OPENDTM_HDX_KEY = "the-key"
    APPROVED.remove("forced displacement")
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            fake_hdx(mock)
            hdx_package_upload(round=aged, folder=tmp_path)
            (create,) = calls_to(mock, "package_create")
    finally:
        APPROVED.append("forced displacement")
    assert "forced displacement" not in {tag["name"] for tag in json.loads(create.body)["tags"]}


def test_hdx_refusing_the_dataset_is_a_clear_error_and_not_audited(
    aged, tmp_path, settings, hdx_ids, fresh_hdx_library
):
    settings.OPENDTM_HDX_KEY = "the-key"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake_hdx(mock, refuse=True)
        with pytest.raises(ApplicationError, match="HDX did not take the dataset") as refused:
            hdx_package_upload(round=aged, folder=tmp_path)
    assert str(tmp_path) in refused.value.hint
    assert (tmp_path / "dataset.json").exists()  # the package is there to try again
    assert not AuditEvent.objects.filter(action="export").exists()


def test_no_upload_without_a_key_or_without_hdx_ids(aged, tmp_path, settings):
    with pytest.raises(ApplicationError, match="No HDX key"):
        hdx_package_upload(round=aged, folder=tmp_path)
    settings.OPENDTM_HDX_KEY = "the-key"
    with responses.RequestsMock(), pytest.raises(ApplicationError, match="owner_org, maintainer"):
        hdx_package_upload(round=aged, folder=tmp_path)


def test_the_command_writes_the_folder(aged, tmp_path, offline, capsys, fresh_hdx_library):
    call_command("hdx_package", "nga-ne", "sa", "1", "--out", str(tmp_path / "pkg"))
    out = capsys.readouterr().out
    assert "nga-ne-sa-round-1: 6 files and dataset.json" in out
    assert "HDX needs: owner_org, maintainer" in out
    assert "withheld" in out
    # The folder is in hdx-python-api's own format: it loads the dataset back.
    Configuration.setup(offline_configuration())
    loaded = Dataset.load_from_json(tmp_path / "pkg" / "dataset.json")
    assert loaded["name"] == "nga-ne-sa-round-1"
    assert [resource["format"] for resource in loaded.get_resources()][:2] == ["csv", "xlsx"]


def test_the_command_uploads_when_a_key_is_set(
    aged, tmp_path, settings, hdx_ids, fresh_hdx_library, capsys
):
    settings.OPENDTM_HDX_KEY = "the-key"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake_hdx(mock)
        call_command("hdx_package", "nga-ne", "SA", "1", "--out", str(tmp_path))
        assert calls_to(mock, "package_create")
    assert "Uploaded to HDX (stage)" in capsys.readouterr().out
    with responses.RequestsMock():  # --no-upload: not one request
        call_command("hdx_package", "nga-ne", "SA", "1", "--out", str(tmp_path), "--no-upload")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nga-ne", "SA", "9"], "No SA round 9 in operation 'nga-ne'"),
        (["nowhere", "SA", "1"], "No SA round 1 in operation 'nowhere'"),
    ],
)
def test_the_command_names_a_round_that_does_not_exist(aged, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("hdx_package", *args)


def test_the_command_refuses_an_unpublished_round(aged, manager, operation, tmp_path):
    from tests.tracking.conftest import month_round

    month_round(manager, operation, 2)
    with pytest.raises(CommandError, match="no published figures"):
        call_command("hdx_package", "nga-ne", "SA", "2", "--out", str(tmp_path))


def test_each_file_of_the_package_validates(aged, tmp_path, offline):
    from opendtm.publishing.services.exports import schema_file

    hdx_package_write(round=aged, folder=tmp_path)
    for level in ("admin1", "admin2"):
        schema = schema_file(round=aged, level=level).path
        for name in (f"nga-ne-sa-round-1-{level}.csv", f"nga-ne-sa-round-1-{level}.xlsx"):
            report = hxl_report(tmp_path / name, schema)
            assert report["is_valid"], (name, report["issues"])
