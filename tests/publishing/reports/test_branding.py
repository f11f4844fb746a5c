"""The operation's report logo and disclaimer: set by its admins on the settings page,
printed on every situation report."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from opendtm.accounts.models import AuditEvent
from opendtm.collection.blobs import blob_read
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.publishing.services.reports import (
    report_branding_update,
    situation_report,
    situation_report_html,
)
from tests.publishing.reports.conftest import first_page_png, pdf_text
from tests.publishing.reports.test_situation_report import pixels

ORANGE = "#ff6600"
DISCLAIMER = "Made by the DTM team in Maiduguri. Not for resale."


def image(kind: str = "PNG", size: tuple[int, int] = (240, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, ORANGE).save(out, kind)
    return out.getvalue()


def test_the_logo_and_disclaimer_are_printed(rounds, operation, admin_user, manager, tmp_path):
    report_branding_update(
        actor=admin_user, operation=operation, disclaimer=f"  {DISCLAIMER}\n", logo=image()
    )
    operation.refresh_from_db()
    assert blob_read(operation.report_logo) == image()
    assert operation.report_disclaimer == DISCLAIMER
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.UPDATE, object_type="accounts.operation"
    )
    assert event.after == {"report_logo": operation.report_logo, "report_disclaimer": DISCLAIMER}
    round = rounds[1]
    round.refresh_from_db()  # its operation read again, with the logo
    html = situation_report_html(actor=manager, round=round, language="en")
    assert '<img class="logo" src="data:image/png;base64,' in html
    report = situation_report(actor=manager, round=round, language="en")
    text = pdf_text(report.pdf, tmp_path)
    assert DISCLAIMER in text
    assert "official endorsement" not in text  # the standard wording gives way
    png = first_page_png(report.pdf, "situation-report-logo")
    assert pixels(png, ORANGE) > 500  # the logo, drawn at the top of page one


def test_a_logo_is_a_small_png_or_jpeg(operation, admin_user):
    report_branding_update(actor=admin_user, operation=operation, disclaimer="", logo=image("JPEG"))
    kept = operation.__class__.objects.get(pk=operation.pk).report_logo
    assert kept
    refused = [b"not an image", image("GIF"), image("PNG", (1, 1))[:20]]
    big = io.BytesIO()
    noise = random.Random(6).randbytes(800 * 800 * 3)  # noise does not compress
    Image.frombytes("RGB", (800, 800), noise).save(big, "PNG")
    refused.append(big.getvalue())
    assert len(big.getvalue()) > 1024 * 1024
    for data in refused:
        with pytest.raises(ApplicationError, match="PNG or JPEG image of at most 1 MB"):
            report_branding_update(actor=admin_user, operation=operation, disclaimer="x", logo=data)
    operation.refresh_from_db()
    assert (operation.report_logo, operation.report_disclaimer) == (kept, "")
    report_branding_update(actor=admin_user, operation=operation, disclaimer="", remove_logo=True)
    operation.refresh_from_db()
    assert operation.report_logo == ""


def test_only_operation_admins_set_them(operation, manager):
    with pytest.raises(Forbidden):
        report_branding_update(actor=manager, operation=operation, disclaimer="Ours.")


def settings_form(**extra):
    return {
        "name": "Nigeria North-East",
        "admin_level_names": "Country, State, LGA",
        "default_language": "en",
        "suppression_threshold": "5",
        **extra,
    }


def test_admins_set_them_on_the_settings_page(client, operation, admin_user):
    client.force_login(admin_user)
    address = reverse("web:operation-settings", kwargs={"slug": operation.slug})
    assert 'enctype="multipart/form-data"' in client.get(address).content.decode()
    logo = SimpleUploadedFile("logo.png", image(), content_type="image/png")
    response = client.post(address, settings_form(report_logo=logo, report_disclaimer=DISCLAIMER))
    assert response.status_code == 302
    operation.refresh_from_db()
    assert blob_read(operation.report_logo) == image()
    assert operation.report_disclaimer == DISCLAIMER
    page = client.get(address).content.decode()
    assert "Situation reports carry a logo" in page
    assert DISCLAIMER in page
    # A file that is no image is refused by the form, and nothing changes.
    text = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    response = client.post(address, settings_form(report_logo=text, name="Renamed"))
    assert response.status_code == 200
    assert "report_logo" in response.context["form"].errors
    operation.refresh_from_db()
    assert operation.name == "Nigeria North-East"
    response = client.post(address, settings_form(remove_report_logo="on"))
    operation.refresh_from_db()
    assert (operation.report_logo, operation.report_disclaimer) == ("", "")
