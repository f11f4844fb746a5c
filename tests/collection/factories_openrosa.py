"""Forms, app users and instance XML for the OpenRosa and submission tests.

Forms are written straight to the models from a real XForm (the one of the recorded Collect
session, made by pyxform from a small DTM site assessment), so these tests need no
conversion. `instance` builds a submission of that form the way ODK Collect writes one.
"""

import hashlib
import uuid
from pathlib import Path

from opendtm.collection.blobs import blob_store_bytes
from opendtm.collection.models import AppUser, Form, FormMedia, FormVersion
from opendtm.collection.services.app_users import app_user_create
from opendtm.collection.xform import form_schema
from tests.factories import UserFactory

FIXTURES = Path(__file__).parent / "fixtures" / "collect_session"
FORM_ID = "dtm_site_assessment"
VERSION = "2024061201"
SESSION_XFORM = (FIXTURES / "form.xml").read_text(encoding="utf-8")
SITES_CSV = (FIXTURES / "sites.csv").read_bytes()


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def xform_for(form_id: str = FORM_ID, version: str = VERSION) -> str:
    return SESSION_XFORM.replace(f'id="{FORM_ID}"', f'id="{form_id}"').replace(
        f'version="{VERSION}"', f'version="{version}"'
    )


def add_version(
    form: Form, version: str, *, media: dict[str, bytes] | None = None, current: bool = True
) -> FormVersion:
    xform = xform_for(form.form_id, version)
    schema = form_schema(xform)
    created = FormVersion.objects.create(
        form=form,
        version=version,
        title=schema.title,
        xform=xform,
        xform_md5=md5(xform.encode()),
        schema=schema.as_dict(),
        media_expected=schema.media,
        created_by=form.created_by,
    )
    for name, data in (media or {}).items():
        ref = blob_store_bytes(data)
        FormMedia.objects.create(
            version=created,
            filename=name,
            sha256=ref.sha256,
            md5=ref.md5,
            size=ref.size,
            content_type="text/csv" if name.endswith(".csv") else "application/octet-stream",
        )
    if current:
        form.current_version = created
        form.save(update_fields=["current_version"])
    return created


def site_form(
    operation,
    *,
    form_id: str = FORM_ID,
    title: str = "DTM site assessment",
    versions: tuple[str, ...] = (VERSION,),
    media: dict[str, bytes] | None = None,
    state: str = Form.State.OPEN,
    created_by=None,
    **fields,
) -> Form:
    """A published form with the given versions (the last current), sites.csv as media."""
    form = Form.objects.create(
        operation=operation,
        form_id=form_id,
        title=title,
        state=state,
        created_by=created_by or UserFactory(),
        **fields,
    )
    for version in versions:
        add_version(form, version, media={"sites.csv": SITES_CSV} if media is None else media)
    return form


def app_user_with_token(operation, forms, *, name: str = "Tablet 07", actor=None):
    """(app user, token), created by an operation admin through the real service."""
    from opendtm.accounts.roles import Role
    from tests.factories import MembershipFactory

    if actor is None:
        actor = UserFactory()
        MembershipFactory(user=actor, operation=operation, role=Role.DATA_MANAGER)
    app_user, token = app_user_create(actor=actor, operation=operation, name=name, forms=forms)
    return AppUser.objects.select_related("operation").get(pk=app_user.pk), token


def new_instance_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def instance(
    *,
    form_id: str = FORM_ID,
    version: str = VERSION,
    instance_id: str | None = None,
    deprecated_id: str = "",
    site_code: str = "MMC-01",
    pcode: str = "NG008021",
    households: int = 12,
    photo: str = "",
    photo_shelter: str = "",
    sizes: tuple[int, ...] = (5, 7),
) -> bytes:
    """An instance of the session form, as ODK Collect writes it (no XML declaration)."""
    instance_id = instance_id or new_instance_id()
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    members = "".join(f"<hh><hh_size>{size}</hh_size></hh>" for size in sizes)
    return (
        f'<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        f'id="{form_id}" version="{version}">'
        f"<location><site_code>{site_code}</site_code><pcode>{pcode}</pcode></location>"
        f"<idp_households>{households}</idp_households><idp_individuals>{households * 6}"
        f"</idp_individuals><photo>{photo}</photo><photo_shelter>{photo_shelter}</photo_shelter>"
        f"{members}<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></data>"
    ).encode()


def instance_id_of(xml: bytes) -> str:
    text = xml.decode()
    return text[text.index("<instanceID>") + 12 : text.index("</instanceID>")]
