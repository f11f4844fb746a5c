"""The OpenRosa endpoints: headers, form list, downloads, submission answers, authentication."""

import base64
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opendtm.accounts.roles import Role
from opendtm.collection.models import Form, Submission, SubmissionAttachment, SubmissionVersion
from opendtm.collection.openrosa import auth
from opendtm.collection.services.app_users import app_user_revoke
from tests.collection.factories_openrosa import (
    FORM_ID,
    SITES_CSV,
    app_user_with_token,
    instance,
    md5,
    sha256,
    site_form,
)
from tests.factories import UserFactory

PASSWORD = "pass-word-123"  # tests.factories.UserFactory's
JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 300 + b"\xff\xd9"


@pytest.fixture(autouse=True)
def _forget_verified_passwords():
    auth._verified.clear()


@pytest.fixture
def form(operation):
    return site_form(operation)


@pytest.fixture
def enumerator(member, operation):
    return member(Role.ENUMERATOR, operation, "enum1")


@pytest.fixture
def device(operation, form):
    """(app user, base URL path) of a tablet given the form."""
    app_user, token = app_user_with_token(operation, [form])
    return app_user, f"/collect/key/{token}/{operation.slug}"


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


def post_instance(client, url, xml, files=None, **extra):
    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
    for name, content in (files or {}).items():
        data[name] = SimpleUploadedFile(name, content, "image/jpeg")
    return client.post(url, data, HTTP_X_OPENROSA_VERSION="1.0", **extra)


def message_of(response) -> str:
    match = re.search(rb'<message nature="(\w+)">(.*)</message>', response.content, re.S)
    assert match, response.content
    return html.unescape(match[2].decode())


def assert_openrosa(response):
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response.has_header("Date")
    assert "Location" not in response


# ---- every response is an OpenRosa response -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "{base}/formList", 200),
        ("get", "{base}/forms/dtm_site_assessment.xml", 200),
        ("get", "{base}/forms/dtm_site_assessment/manifest", 200),
        ("head", "{base}/submission", 204),
        ("get", "{base}/submission", 204),
        ("get", "{base}/forms/unknown.xml", 404),
        ("get", "{base}/forms/unknown/manifest", 404),
        ("post", "{base}/formList", 405),
        ("post", "{base}/submission", 400),
        ("put", "{base}/submission", 405),
        ("get", "/collect/key/not-a-token/nga-ne/formList", 403),
        ("get", "/collect/nga-ne/formList", 401),
        ("get", "/collect/", 404),
        ("get", "/collect/nga-ne/whatever/else", 404),
        ("post", "/collect/nga-ne/submission/", 404),
    ],
)
def test_every_answer_has_the_openrosa_headers(client, device, method, path, status):
    response = getattr(client, method)(path.format(base=device[1]))
    assert response.status_code == status
    assert_openrosa(response)
    if status >= 400 and method != "head":
        assert message_of(response)


# ---- form list, download, manifest, media ----------------------------------------------------


def test_form_list_offers_the_forms_with_the_hash_of_the_bytes_served(client, device, form):
    response = client.get(f"{device[1]}/formList", {"deviceID": "collect:x"})
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content.decode()
    assert body.count("<xform>") == 1
    assert f"<formID>{FORM_ID}</formID>" in body
    assert "<version>2024061201</version>" in body
    download = re.search(r"<downloadUrl>http://testserver(.*)</downloadUrl>", body)[1]
    served = client.get(download).content
    assert served == form.current_version.xform.encode()
    assert f"<hash>md5:{md5(served)}</hash>" in body
    manifest_url = re.search(r"<manifestUrl>http://testserver(.*)</manifestUrl>", body)[1]
    manifest = client.get(manifest_url).content.decode()
    assert "<filename>sites.csv</filename>" in manifest
    assert f"<hash>md5:{md5(SITES_CSV)}</hash>" in manifest
    media_url = re.search(r"<downloadUrl>http://testserver(.*)</downloadUrl>", manifest)[1]
    media = client.get(media_url)
    assert media.status_code == 200
    assert b"".join(media.streaming_content) == SITES_CSV
    assert_openrosa(media)


def test_no_manifest_url_without_media(client, operation, device):
    app_user, base = device
    plain = site_form(operation, form_id="no_media", media={})
    app_user.forms.add(plain)
    body = client.get(f"{base}/formList", {"formID": "no_media"}).content.decode()
    assert "<formID>no_media</formID>" in body
    assert "manifestUrl" not in body


def test_form_list_honours_form_id_and_hides_closing_and_closed(client, operation, device):
    app_user, base = device
    for form_id, state in [("second", Form.State.OPEN), ("closing", Form.State.CLOSING)]:
        app_user.forms.add(site_form(operation, form_id=form_id, state=state))
    app_user.forms.add(site_form(operation, form_id="closed", state=Form.State.CLOSED))
    listed = re.findall(r"<formID>(.*?)</formID>", client.get(f"{base}/formList").content.decode())
    assert sorted(listed) == [FORM_ID, "second"]
    only = client.get(f"{base}/formList", {"formID": "second"}).content.decode()
    assert re.findall(r"<formID>(.*?)</formID>", only) == ["second"]
    # A closing form is not listed but still downloads, and accepts submissions.
    assert client.get(f"{base}/forms/closing.xml").status_code == 200
    assert client.get(f"{base}/forms/closed.xml").status_code == 404


def test_an_app_user_sees_only_its_forms(client, operation, form):
    other = site_form(operation, form_id="other")
    _app_user, token = app_user_with_token(operation, [other])
    base = f"/collect/key/{token}/{operation.slug}"
    body = client.get(f"{base}/formList").content.decode()
    assert re.findall(r"<formID>(.*?)</formID>", body) == ["other"]
    assert client.get(f"{base}/forms/{FORM_ID}.xml").status_code == 404
    response = post_instance(client, f"{base}/submission", instance())
    assert response.status_code == 403
    assert "not assigned" in message_of(response)


def test_a_user_lists_what_their_role_lets_them_fill(client, operation, member, form):
    member(Role.ENUMERATOR, operation, "enum")
    member(Role.VIEWER, operation, "viewer")
    listed = client.get(f"/collect/{operation.slug}/formList", secure=True, **basic("enum"))
    assert f"<formID>{FORM_ID}</formID>" in listed.content.decode()
    empty = client.get(f"/collect/{operation.slug}/formList", secure=True, **basic("viewer"))
    assert empty.status_code == 200
    assert b"<xform>" not in empty.content
    refused = post_instance(
        client, f"/collect/{operation.slug}/submission", instance(), secure=True, **basic("viewer")
    )
    assert refused.status_code == 403
    assert not Submission.objects.exists()


def test_media_of_another_form_is_not_served(client, operation, device, form):
    hidden = site_form(operation, form_id="hidden", media={"secret.csv": b"a,b\n"})
    version = hidden.current_version_id
    base = device[1]
    assert client.get(f"{base}/forms/{FORM_ID}/media/{version}/secret.csv").status_code == 404
    assert client.get(f"{base}/forms/hidden/media/{version}/secret.csv").status_code == 404


# ---- submission -----------------------------------------------------------------------------


def test_head_answers_204_with_the_size_the_server_accepts(client, device, settings):
    response = client.head(f"{device[1]}/submission")
    assert response.status_code == 204
    assert response["X-OpenRosa-Accept-Content-Length"] == str(
        settings.OPENDTM_MAX_SUBMISSION_BYTES
    )


def test_a_post_is_created_then_a_duplicate_then_a_conflict(client, device):
    app_user, base = device
    xml = instance(photo="1.jpg")
    url = f"{base}/submission?deviceID=collect%3AAbC123"
    created = post_instance(
        client, url, xml, {"1.jpg": JPEG}, HTTP_USER_AGENT="org.odk.collect.android/v2024.2.4"
    )
    assert created.status_code == 201
    assert_openrosa(created)
    assert b'<message nature="submit_success">' in created.content
    version = SubmissionVersion.objects.get()
    assert (version.app_user, version.device_id) == (app_user, "collect:AbC123")
    assert version.user_agent == "org.odk.collect.android/v2024.2.4"
    assert SubmissionAttachment.objects.get().sha256 == sha256(JPEG)
    again = post_instance(client, url, xml, {"1.jpg": JPEG})
    assert again.status_code == 202
    conflict = post_instance(client, url, xml.replace(b">12<", b">13<"))
    assert conflict.status_code == 409
    assert "different answers" in message_of(conflict)


@pytest.mark.parametrize(
    ("xml", "status", "words"),
    [
        (instance(form_id="nope"), 404, "no form 'nope'"),
        (instance(version="1"), 404, "Versions known: 2024061201"),
        (b"<data id='dtm_site_assessment'", 400, "cannot be read as XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<data id="dtm_site_assessment" version="2024061201">&x;</data>',
            400,
            "refused",
        ),
    ],
)
def test_refusals_say_what_is_wrong(client, device, xml, status, words):
    response = post_instance(client, f"{device[1]}/submission", xml)
    assert response.status_code == status
    assert_openrosa(response)
    assert words in message_of(response)
    assert not Submission.objects.exists()


def test_a_closed_form_refuses_with_409(client, device, form):
    Form.objects.filter(pk=form.pk).update(state=Form.State.CLOSED)
    response = post_instance(client, f"{device[1]}/submission", instance())
    assert response.status_code == 409
    assert "closed" in message_of(response)


def test_a_post_without_the_xml_part_is_refused(client, device):
    response = client.post(
        f"{device[1]}/submission", {"photo.jpg": SimpleUploadedFile("photo.jpg", JPEG)}
    )
    assert response.status_code == 400
    assert "xml_submission_file" in message_of(response)


def test_is_incomplete_is_ignored_and_files_are_appended(client, device):
    xml = instance(photo="1.jpg", photo_shelter="2.jpg")
    url = f"{device[1]}/submission"
    first = post_instance(client, url, xml, {"1.jpg": JPEG})
    assert first.status_code == 201
    data = {
        "xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml"),
        "2.jpg": SimpleUploadedFile("2.jpg", JPEG + b"2", "image/jpeg"),
        "*isIncomplete*": "yes",
    }
    assert client.post(url, data).status_code == 201
    assert sorted(SubmissionAttachment.objects.values_list("name", flat=True)) == ["1.jpg", "2.jpg"]


def test_a_declared_length_over_the_limit_is_refused_unread(client, device, settings):
    response = client.generic(
        "POST",
        f"{device[1]}/submission",
        b"x" * 10,
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(settings.OPENDTM_MAX_SUBMISSION_BYTES + 2 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "larger than" in message_of(response)


def test_an_attachment_over_its_limit_is_stopped_while_read(client, device, settings):
    settings.OPENDTM_MAX_ATTACHMENT_BYTES = 1000
    response = post_instance(
        client, f"{device[1]}/submission", instance(photo="1.jpg"), {"1.jpg": JPEG}
    )
    assert response.status_code == 413
    assert "1.jpg" in message_of(response)
    assert not Submission.objects.exists()


def test_a_body_over_the_limit_is_stopped_while_read(client, device, settings):
    settings.OPENDTM_MAX_SUBMISSION_BYTES = 1200
    response = post_instance(
        client, f"{device[1]}/submission", instance(photo="1.jpg"), {"1.jpg": JPEG}
    )
    assert response.status_code == 413
    assert not Submission.objects.exists()


def chunked_post(client, url, body: bytes, boundary: str):
    """A body sent with Transfer-Encoding: chunked, as gunicorn hands it over (no length)."""
    return client.generic(
        "POST",
        url,
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    )


def multipart_body(xml: bytes, boundary: str = "chunky") -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            f'filename="s.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + xml
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_a_chunked_body_is_read_and_capped(client, device, settings):
    url = f"{device[1]}/submission"
    assert chunked_post(client, url, multipart_body(instance()), "chunky").status_code == 201
    settings.OPENDTM_MAX_SUBMISSION_BYTES = 100
    big = multipart_body(instance() + b" " * (2 * 1024 * 1024))
    response = chunked_post(client, url, big, "chunky")
    assert response.status_code == 413
    assert Submission.objects.count() == 1


def test_the_post_costs_a_fixed_number_of_queries(client, device, django_assert_max_num_queries):
    url = f"{device[1]}/submission"
    post_instance(client, url, instance())
    with django_assert_max_num_queries(16):
        assert post_instance(client, url, instance(), {"1.jpg": JPEG}).status_code == 201


# ---- authentication ----------------------------------------------------------------------


def test_no_credentials_get_a_basic_challenge(client, operation, form):
    response = client.head(f"/collect/{operation.slug}/submission", secure=True)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="opendtm"'


def test_basic_over_https_is_accepted_and_over_http_refused(client, operation, form, enumerator):
    url = f"/collect/{operation.slug}/submission"
    over_https = post_instance(client, url, instance(), secure=True, **basic("enum1"))
    assert over_https.status_code == 201
    assert SubmissionVersion.objects.get().submitted_by == enumerator
    over_http = post_instance(client, url, instance(), **basic("enum1"))
    assert over_http.status_code == 403
    assert "https" in message_of(over_http)
    assert client.get(f"/collect/{operation.slug}/formList", **basic("enum1")).status_code == 403


def test_basic_over_http_works_with_debug_on_for_local_demos(
    client, operation, form, enumerator, settings
):
    settings.DEBUG = True
    response = post_instance(
        client, f"/collect/{operation.slug}/submission", instance(), **basic("enum1")
    )
    assert response.status_code == 201


def test_a_wrong_password_is_challenged_again(client, operation, form, enumerator):
    response = client.get(
        f"/collect/{operation.slug}/formList", secure=True, **basic("enum1", "nope")
    )
    assert response.status_code == 401
    assert "Wrong username or password" in message_of(response)
    assert response["WWW-Authenticate"].startswith("Basic")


def test_a_changed_password_is_not_remembered(client, operation, form, enumerator):
    url = f"/collect/{operation.slug}/formList"
    assert client.get(url, secure=True, **basic("enum1")).status_code == 200
    enumerator.set_password("another-pass-123")
    enumerator.save()
    assert client.get(url, secure=True, **basic("enum1")).status_code == 401
    assert client.get(url, secure=True, **basic("enum1", "another-pass-123")).status_code == 200


def test_a_revoked_token_gets_403_not_401(client, operation, admin_user, form):
    app_user, token = app_user_with_token(operation, [form], actor=admin_user)
    base = f"/collect/key/{token}/{operation.slug}"
    assert client.get(f"{base}/formList").status_code == 200
    app_user_revoke(actor=admin_user, app_user=app_user)
    for response in (
        client.get(f"{base}/formList"),
        client.head(f"{base}/submission"),
        post_instance(client, f"{base}/submission", instance()),
    ):
        assert response.status_code == 403
        assert "WWW-Authenticate" not in response
        assert response.request["REQUEST_METHOD"] == "HEAD" or "revoked" in message_of(response)
    assert not Submission.objects.exists()


def test_a_signed_in_browser_posts_with_its_csrf_token(operation, form, enumerator):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(enumerator)
    url = f"/collect/{operation.slug}/submission"
    assert browser.get(f"/collect/{operation.slug}/formList").status_code == 200
    refused = post_instance(browser, url, instance())
    assert refused.status_code == 403
    assert "CSRF" in message_of(refused)
    browser.get(reverse("web:home"))  # sets the CSRF cookie, as the web form page does
    token = browser.cookies["csrftoken"].value
    accepted = post_instance(browser, url, instance(), HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    assert SubmissionVersion.objects.get().submitted_by == enumerator


def test_tokens_and_passwords_need_no_csrf_token(operation, form, enumerator, device):
    strict = Client(enforce_csrf_checks=True)
    assert post_instance(strict, f"{device[1]}/submission", instance()).status_code == 201
    url = f"/collect/{operation.slug}/submission"
    assert post_instance(strict, url, instance(), secure=True, **basic("enum1")).status_code == 201


# ---- isolation ----------------------------------------------------------------------------


def test_another_operation_is_out_of_reach(client, operation, other_operation, device, member):
    theirs = site_form(other_operation, form_id="sudan_form")
    their_version = theirs.current_version_id
    _app_user, base = device
    other_base = base.replace(operation.slug, other_operation.slug)
    assert client.get(f"{other_base}/formList").status_code == 404
    assert post_instance(client, f"{other_base}/submission", instance()).status_code == 404
    assert client.get(f"{base}/forms/sudan_form.xml").status_code == 404
    assert client.get(f"{base}/forms/sudan_form/media/{their_version}/sites.csv").status_code == 404
    refused = post_instance(client, f"{base}/submission", instance(form_id="sudan_form"))
    assert refused.status_code == 404
    member(Role.ENUMERATOR, operation, "enum-a")
    for path in ("formList", "submission", "forms/sudan_form.xml"):
        response = client.get(
            f"/collect/{other_operation.slug}/{path}", secure=True, **basic("enum-a")
        )
        assert response.status_code == 404, path
    assert not Submission.objects.exists()


def test_an_inactive_user_is_refused(client, operation, form):
    user = UserFactory(username="gone", is_active=False)
    from tests.factories import MembershipFactory

    MembershipFactory(user=user, operation=operation, role=Role.ENUMERATOR)
    response = client.get(f"/collect/{operation.slug}/formList", secure=True, **basic("gone"))
    assert response.status_code == 401


def test_refusals_are_logged_without_the_token(client, device, caplog):
    token = device[1].split("/")[3]
    client.get(f"{device[1]}/forms/unknown.xml")
    client.get(f"/collect/key/{token}x/nga-ne/formList")
    messages = [record.getMessage() for record in caplog.records]
    assert any("/collect/key/***/nga-ne/forms/unknown.xml: 404" in m for m in messages), messages
    assert not any(token in m for m in messages)


def test_a_signed_out_web_form_is_told_to_sign_in_without_a_password_box(client, operation, form):
    response = client.post(
        f"/collect/{operation.slug}/submission",
        HTTP_X_CSRFTOKEN="stale",
        HTTP_X_OPENROSA_VERSION="1.0",
    )
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response
    assert "signed out" in message_of(response)
