"""App users: the services, the pages, and the QR codes that configure ODK Collect."""

import re

import pytest
from django.urls import reverse

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.collection.models import AppUser
from opendtm.collection.openrosa.qr import collect_settings, payload_settings, qr_svg
from opendtm.collection.services.app_users import (
    app_user_authenticate,
    app_user_create,
    app_user_forms_set,
    app_user_regenerate,
    app_user_revoke,
    digest,
)
from opendtm.core.errors import ApplicationError, Forbidden, NotFound
from tests.collection.factories_openrosa import site_form


@pytest.fixture
def manager(member, operation):
    return member(Role.DATA_MANAGER, operation, "dm")


@pytest.fixture
def form(operation):
    return site_form(operation)


# ---- services ---------------------------------------------------------------------------


def test_create_stores_only_the_digest_and_audits(operation, manager, form):
    app_user, token = app_user_create(
        actor=manager, operation=operation, name=" Tablet 07 ", forms=[form]
    )
    assert app_user.name == "Tablet 07"
    assert token.startswith(app_user.prefix)
    assert app_user.digest == digest(token)
    assert token not in str(AppUser.objects.values().get())
    assert list(app_user.forms.all()) == [form]
    event = AuditEvent.objects.get(object_type="collection.appuser")
    assert event.after == {"name": "Tablet 07", "prefix": app_user.prefix, "forms": [form.form_id]}
    assert token not in str(event.after)
    assert app_user_authenticate(token) == app_user


def test_authenticate_refuses_wrong_revoked_and_short_tokens(operation, manager, form):
    app_user, token = app_user_create(actor=manager, operation=operation, name="T", forms=[form])
    assert app_user_authenticate(token[:-1] + ("x" if token[-1] != "x" else "y")) is None
    assert app_user_authenticate(token[:12]) is None
    assert app_user_authenticate("") is None
    app_user_revoke(actor=manager, app_user=app_user)
    assert app_user_authenticate(token) is None


def test_regenerate_replaces_the_token_and_restores_a_revoked_app_user(operation, manager, form):
    app_user, old = app_user_create(actor=manager, operation=operation, name="T", forms=[form])
    app_user_revoke(actor=manager, app_user=app_user)
    new = app_user_regenerate(actor=manager, app_user=app_user)
    assert app_user_authenticate(old) is None
    assert app_user_authenticate(new) == app_user
    assert AppUser.objects.get().revoked_at is None
    actions = list(
        AuditEvent.objects.filter(object_type="collection.appuser")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update"]


def test_forms_are_set_within_the_operation_and_audited(operation, other_operation, manager, form):
    app_user, _token = app_user_create(actor=manager, operation=operation, name="T")
    second = site_form(operation, form_id="second")
    app_user_forms_set(actor=manager, app_user=app_user, forms=[form, second])
    assert set(app_user.forms.all()) == {form, second}
    foreign = site_form(other_operation, form_id="foreign")
    with pytest.raises(ApplicationError):
        app_user_forms_set(actor=manager, app_user=app_user, forms=[foreign])
    with pytest.raises(ApplicationError):
        app_user_create(actor=manager, operation=operation, name="X", forms=[foreign])
    event = AuditEvent.objects.filter(object_type="collection.appuser").latest("id")
    assert event.after == {"forms": ["dtm_site_assessment", "second"]}


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_name_is_required_and_short(operation, manager, name):
    with pytest.raises(ApplicationError):
        app_user_create(actor=manager, operation=operation, name=name)


def test_only_those_who_manage_app_users_may(operation, other_operation, member, form):
    enumerator = member(Role.ENUMERATOR, operation, "enum")
    with pytest.raises(Forbidden):
        app_user_create(actor=enumerator, operation=operation, name="T")
    outsider = member(Role.DATA_MANAGER, other_operation, "outsider")
    with pytest.raises(NotFound):
        app_user_create(actor=outsider, operation=operation, name="T")


# ---- the QR payload -----------------------------------------------------------------------


def test_the_payload_is_collect_settings_deflated_and_base64():
    settings = collect_settings(
        server_url="https://dtm.example.org/collect/key/abc/nga-ne", project_name="NE"
    )
    from opendtm.collection.openrosa.qr import settings_payload

    payload = settings_payload(settings)
    assert payload_settings(payload) == {
        "general": {
            "server_url": "https://dtm.example.org/collect/key/abc/nga-ne",
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
        },
        "admin": {},
        "project": {"name": "NE"},
    }


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules drawn by qrcode's SVG path image: one 1×1 square each."""
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H\d+V\d+H\d+z", svg)}


def matrix_modules(text: str) -> set[tuple[int, int]]:
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    return {
        (x + 4, y + 4)
        for y, row in enumerate(code.get_matrix()[4:-4])
        for x, dark in enumerate(row[4:-4])
        if dark
    }


def decode_with_zxing(svg: str) -> str:
    zxingcpp = pytest.importorskip("zxingcpp")
    import numpy

    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg)[1])
    scale = 6
    image = numpy.full((size * scale, size * scale), 255, dtype=numpy.uint8)
    for x, y in svg_modules(svg):
        image[y * scale : (y + 1) * scale, x * scale : (x + 1) * scale] = 0
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    return found[0].text


# ---- pages ----------------------------------------------------------------------------------


def test_the_page_lists_app_users_and_creates_one_with_its_qr(client, operation, manager, form):
    client.force_login(manager)
    url = reverse("web:app-users", kwargs={"slug": operation.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Tablet 07", "forms": [form.pk]})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    payload = re.search(r'data-payload="([^"]+)"', html)[1]
    settings = payload_settings(payload)
    server_url = settings["general"]["server_url"]
    app_user = AppUser.objects.get()
    assert server_url.startswith(f"http://testserver/collect/key/{app_user.prefix}")
    assert server_url.endswith(f"/{operation.slug}")
    assert settings["general"]["form_update_mode"] == "match_exactly"
    assert settings["project"]["name"] == "Nigeria North-East (Tablet 07)"
    assert f'<code class="secret" id="server-url">{server_url}</code>' in html
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    assert svg_modules(svg) == matrix_modules(payload)  # the picture is that very payload
    # The token in the QR code works, once: the list page never shows it again.
    token = server_url.split("/collect/key/")[1].split("/")[0]
    assert app_user_authenticate(token) == app_user
    assert client.get(f"/collect/key/{token}/{operation.slug}/formList").status_code == 200
    listed = client.get(url).content.decode()
    assert "Tablet 07" in listed
    assert token not in listed


def test_the_qr_code_reads_back_with_a_qr_reader():
    payload = "eNoVTkkOwyAM/IvPVbnnEf0CcsEhtAYix7SJIv4e5zajWU9IVEmQYTphI"
    assert decode_with_zxing(qr_svg(payload)) == payload


def test_revoke_regenerate_and_forms_from_the_page(client, operation, manager, form):
    client.force_login(manager)
    app_user, token = app_user_create(actor=manager, operation=operation, name="T")
    base = {"slug": operation.slug, "app_user_id": app_user.pk}
    forms_url = reverse("web:app-user-forms", kwargs=base)
    assert client.post(forms_url, {"forms": [form.pk]}).status_code == 302
    assert list(app_user.forms.all()) == [form]
    assert client.post(reverse("web:app-user-revoke", kwargs=base)).status_code == 302
    assert app_user_authenticate(token) is None
    regenerated = client.post(reverse("web:app-user-regenerate", kwargs=base))
    assert regenerated.status_code == 200
    new_url = payload_settings(
        re.search(r'data-payload="([^"]+)"', regenerated.content.decode())[1]
    )
    new_token = new_url["general"]["server_url"].split("/collect/key/")[1].split("/")[0]
    assert app_user_authenticate(new_token) == app_user
    assert client.get(reverse("web:app-user-revoke", kwargs=base)).status_code == 405


def test_an_enumerator_cannot_manage_app_users_but_can_set_up_collect(
    client, operation, member, form
):
    enumerator = member(Role.ENUMERATOR, operation, "enum")
    client.force_login(enumerator)
    assert client.get(reverse("web:app-users", kwargs={"slug": operation.slug})).status_code == 403
    setup = client.get(reverse("web:collect-setup", kwargs={"slug": operation.slug}), secure=True)
    assert setup.status_code == 200
    settings = payload_settings(re.search(r'data-payload="([^"]+)"', setup.content.decode())[1])
    assert settings["general"]["server_url"] == f"https://testserver/collect/{operation.slug}"
    assert settings["general"]["username"] == "enum"
    assert "password" not in settings["general"]
    assert "https only" not in setup.content.decode()
    plain = client.get(reverse("web:collect-setup", kwargs={"slug": operation.slug}))
    assert "https only" in plain.content.decode()


def test_a_viewer_gets_no_collect_setup(client, operation, member):
    client.force_login(member(Role.VIEWER, operation, "viewer"))
    assert (
        client.get(reverse("web:collect-setup", kwargs={"slug": operation.slug})).status_code == 403
    )


def test_app_users_of_another_operation_are_not_reachable(
    client, operation, other_operation, manager, member
):
    theirs = member(Role.DATA_MANAGER, other_operation, "theirs")
    app_user, token = app_user_create(actor=theirs, operation=other_operation, name="Sudan tablet")
    client.force_login(manager)
    kwargs = {"slug": operation.slug, "app_user_id": app_user.pk}
    for name in ("web:app-user-revoke", "web:app-user-regenerate", "web:app-user-forms"):
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 404
    assert (
        "Sudan tablet"
        not in client.get(
            reverse("web:app-users", kwargs={"slug": operation.slug})
        ).content.decode()
    )
    assert app_user_authenticate(token) == app_user


def test_last_use_is_recorded_at_most_every_few_minutes(operation, manager, form):
    import datetime

    from django.utils import timezone

    app_user, token = app_user_create(actor=manager, operation=operation, name="T", forms=[form])
    found = app_user_authenticate(token)
    assert found.operation == operation
    assert found.operation.slug == operation.slug
    first = AppUser.objects.get().last_used_at
    assert first is not None
    app_user_authenticate(token)
    assert AppUser.objects.get().last_used_at == first
    old = timezone.now() - datetime.timedelta(minutes=10)
    AppUser.objects.update(last_used_at=old)
    app_user_authenticate(token)
    assert AppUser.objects.get().last_used_at > old
