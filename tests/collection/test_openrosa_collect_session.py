"""An ODK Collect session replayed against the server, request by request.

The requests in fixtures/collect_session/ are RECONSTRUCTED from ODK Collect's source code
(see reconstruct.py there for what each header and part is based on), not captured from a
device. They follow one phone through: formList → form download → manifest → media file →
HEAD preflight → a POST with a photo → a submission split in two POSTs (`*isIncomplete*`) →
an edit (meta/deprecatedID). The test sends them as recorded and checks what Collect checks:
status codes, OpenRosa headers, that formList's hashes are the MD5 of what the downloads
serve, that the URLs it gives are the ones Collect then asks for; and what was stored.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from opendtm.collection.models import Submission, SubmissionVersion
from tests.collection.factories_openrosa import (
    FIXTURES,
    SITES_CSV,
    app_user_with_token,
    md5,
    sha256,
    site_form,
)

HOST = "dtm.example.org"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def load(path: Path, values: dict[str, str]) -> Recorded:
    raw = path.read_bytes()
    separator = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
    head, _sep, body = raw.partition(separator)
    lines = head.decode().splitlines()
    for key, value in values.items():
        lines = [line.replace("{" + key + "}", value) for line in lines]
    method, path_text, _protocol = lines[0].split(" ")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    if "Content-Length" in headers:
        assert int(headers["Content-Length"]) == len(body), path.name
    return Recorded(method, path_text, headers, body)


def replay(client: Client, request: Recorded):
    meta = {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in request.headers.items()
        if name not in {"Content-Type", "Content-Length", "Host"}
    }
    path, _q, query = request.path.partition("?")
    return client.generic(
        request.method,
        f"{path}?{query}" if query else path,
        request.body,
        content_type=request.headers.get("Content-Type", ""),
        HTTP_HOST=request.headers["Host"],
        **meta,
    )


def xml_part(body: bytes) -> bytes:
    """The xml_submission_file part of a recorded multipart body, byte for byte."""
    start = body.index(b'name="xml_submission_file"')
    length = int(re.search(rb"Content-Length: (\d+)", body[start:])[1])
    begin = body.index(b"\r\n\r\n", start) + 4
    return body[begin : begin + length]


def file_part(body: bytes, name: str) -> bytes:
    start = body.index(f'name="{name}"'.encode())
    length = int(re.search(rb"Content-Length: (\d+)", body[start:])[1])
    begin = body.index(b"\r\n\r\n", start) + 4
    return body[begin : begin + length]


@pytest.fixture
def session(operation, settings):
    settings.ALLOWED_HOSTS = [HOST]
    form = site_form(operation, site_field="location/site_code", area_field="location/pcode")
    _app_user, token = app_user_with_token(operation, [form], name="Tablet 07")
    values = {
        "host": HOST,
        "token": token,
        "slug": operation.slug,
        "version_pk": str(form.current_version_id),
    }
    requests = {
        path.name.split("_", 1)[0]: load(path, values)
        for path in sorted(FIXTURES.glob("[0-9][0-9]_*.http"))
    }
    return form, requests


def test_a_recorded_collect_session_replays(client, session, django_capture_on_commit_callbacks):
    form, recorded = session
    answers = {}
    with django_capture_on_commit_callbacks(execute=True):
        for step, request in recorded.items():
            response = replay(client, request)
            assert response["X-OpenRosa-Version"] == "1.0", step
            assert response.has_header("Date"), step
            answers[step] = response

    # formList: one form, whose URLs are the very ones Collect then requested.
    form_list = answers["01"]
    assert form_list.status_code == 200
    assert form_list["Content-Type"].startswith("text/xml")
    listed = form_list.content.decode()
    base = f"http://{HOST}"
    assert re.findall(r"<formID>(.*?)</formID>", listed) == ["dtm_site_assessment"]
    assert f"<downloadUrl>{base}{recorded['02'].path}</downloadUrl>" in listed
    assert f"<manifestUrl>{base}{recorded['03'].path}</manifestUrl>" in listed

    # The download is the stored XForm byte for byte, and formList's hash is its MD5.
    download = answers["02"]
    assert download.status_code == 200
    assert download.content == form.current_version.xform.encode()
    assert f"<hash>md5:{md5(download.content)}</hash>" in listed

    manifest = answers["03"].content.decode()
    assert f"<downloadUrl>{base}{recorded['04'].path}</downloadUrl>" in manifest
    assert f"<hash>md5:{md5(SITES_CSV)}</hash>" in manifest
    assert b"".join(answers["04"].streaming_content) == SITES_CSV

    head = answers["05"]
    assert head.status_code == 204
    assert int(head["X-OpenRosa-Accept-Content-Length"]) > 0

    # Submissions: created, split in two (201, 201), then edited.
    assert [answers[step].status_code for step in ("06", "07", "08", "09")] == [201] * 4
    for step in ("06", "07", "08", "09"):
        assert b'<message nature="submit_success">' in answers[step].content

    first_xml = xml_part(recorded["06"].body)
    split_xml = xml_part(recorded["07"].body)
    edit_xml = xml_part(recorded["09"].body)
    assert split_xml == xml_part(recorded["08"].body)
    assert Submission.objects.count() == 2

    original = SubmissionVersion.objects.get(
        instance_id="uuid:6c1f6a5e-6c7b-4a41-9d8e-3d1f0b6f2a11"
    )
    edit = SubmissionVersion.objects.get(instance_id="uuid:9e2d7c41-1b0a-4e5f-a7c3-8f6b2d4e9a33")
    split = SubmissionVersion.objects.get(instance_id="uuid:0b3f5e0c-2f58-4d6a-8c3e-5a9e4f7d1c22")
    assert original.xml.encode() == first_xml
    assert not original.current
    assert edit.xml.encode() == edit_xml
    assert edit.current
    assert edit.submission_id == original.submission_id
    assert edit.submission.edits == 1
    assert split.xml.encode() == split_xml

    photo = "1718271667123.jpg"
    assert {a.name: a.sha256 for a in edit.attachments.all()} == {
        photo: sha256(file_part(recorded["09"].body, photo))
    }
    assert {a.name: a.sha256 for a in split.attachments.all()} == {
        "1718271912001.jpg": sha256(file_part(recorded["07"].body, "1718271912001.jpg")),
        "1718271950377.jpg": sha256(file_part(recorded["08"].body, "1718271950377.jpg")),
    }

    # Who sent it and from where, as Collect said; parsed after the commit.
    assert {v.device_id for v in (original, split, edit)} == {"collect:oTiB5ez3hYSXSrQp"}
    assert edit.user_agent.startswith("org.odk.collect.android/v2024.2.4")
    assert edit.app_user.name == "Tablet 07"
    assert split.attachments_expected == ["1718271912001.jpg", "1718271950377.jpg"]
    assert edit.data["idp_households"] == "14"


def test_the_session_with_the_token_revoked_is_refused(client, session):
    from opendtm.collection.models import AppUser

    AppUser.objects.update(revoked_at="2024-06-13T00:00:00Z")
    _form, recorded = session
    for step in ("01", "05", "06"):
        response = replay(client, recorded[step])
        assert response.status_code == 403, step
        assert response["X-OpenRosa-Version"] == "1.0"
    assert not Submission.objects.exists()
