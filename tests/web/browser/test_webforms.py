"""ODK Web Forms in a real browser: fill a published form, submit it, edit the submission.

The form is a real XLSForm (markdown) converted by pyxform; the submit goes through the
OpenRosa endpoint ODK Collect uses, so what is asserted is what the server stored.
"""

import base64
import re

import pytest
from pyxform.xls2xform import convert

from opendtm.accounts.roles import Role
from opendtm.collection.models import Form, Submission, SubmissionVersion
from opendtm.collection.services.forms import form_upload_create
from tests.factories import MembershipFactory, OperationFactory, UserFactory
from tests.web.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

XLSFORM = """
| survey   |                    |            |                   |             |
|          | type               | name       | label             | image       |
|          | text               | site_name  | Name of the site  |             |
|          | integer            | households | Households        |             |
|          | select_one shelter | shelter    | Main shelter      | shelter.png |
|          | image              | photo      | Photo of the site |             |
| choices  |                    |            |                   |             |
|          | list_name          | name       | label             |             |
|          | shelter            | tent       | Tent              |             |
|          | shelter            | building   | Building          |             |
| settings |                    |            |                   |             |
|          | form_title         | form_id    | version           |             |
|          | Site check         | site_check | 2025010101        |             |
"""
# A 1x1 PNG: the form's media file (served from the form version), and the photo sent.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def person(username: str, operation, role: str):
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(user=user, operation=operation, role=role)
    return user


@pytest.fixture
def published(transactional_db):
    """An operation with its people, and the XLSForm above published with its image."""
    operation = OperationFactory(name="Web forms test", slug="wf-test")
    admin = person("opadmin", operation, Role.OPERATION_ADMIN)
    person("enumerator", operation, Role.ENUMERATOR)
    person("datamanager", operation, Role.DATA_MANAGER)
    assert "jr://images/shelter.png" in convert(xlsform=XLSFORM, file_type=".md").xform
    upload = form_upload_create(
        actor=admin,
        operation=operation,
        name="site_check.md",
        data=XLSFORM.encode(),
        kind=Form.Kind.SITE_ASSESSMENT,
        media=[("shelter.png", PNG)],
    )  # converted with pyxform by the task, run inline by the test settings
    upload.refresh_from_db()
    assert upload.status == upload.Status.DONE, upload.message
    return Form.objects.select_related("operation").get(operation=operation, form_id="site_check")


def question(web, label: str):
    """The container of one question, found by its label text."""
    return web.page.locator(".question-container", has_text=label)


def fill_page(web, form: Form) -> None:
    web.open(f"/ops/{form.operation.slug}/forms/{form.form_id}/fill/")
    web.page.locator(".odk-form").wait_for()


def send(web):
    """Press Send; the status line once the server answered (success or error)."""
    web.page.get_by_role("button", name="Send").click()
    status = web.page.locator("[data-web-form-status]")
    web.page.locator("[data-web-form-status].success, [data-web-form-status].error").wait_for()
    return status


def test_fill_and_submit(web, published):
    form = published
    web.sign_in("enumerator")
    fill_page(web, form)
    image = question(web, "Main shelter").locator("img")
    image.wait_for()
    web.page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 1", arg=image.element_handle()
    )
    web.shot("1-blank")
    question(web, "Name of the site").locator("input").fill("Bakassi camp")
    question(web, "Households").locator("input").press_sequentially("42")
    question(web, "Main shelter").get_by_text("Tent", exact=True).click()
    status = send(web)
    web.shot("2-sent")
    assert "success" in (status.get_attribute("class") or ""), status.inner_text()

    # Stored through the OpenRosa endpoint, attributed to the signed-in user.
    submission = Submission.objects.get(form=form)
    stored = submission.versions.get()
    assert submission.submitted_by is not None
    assert submission.submitted_by.username == "enumerator"
    assert "<site_name>Bakassi camp</site_name>" in stored.xml
    assert "<households>42</households>" in stored.xml
    assert "<shelter>tent</shelter>" in stored.xml
    assert re.search(r"<instanceID>uuid:[0-9a-f-]{36}</instanceID>", stored.xml)

    # The form is blank again, ready for the next one.
    assert question(web, "Name of the site").locator("input").input_value() == ""

    # And the submission is in the form's list.
    web.sign_in("datamanager")
    web.open(f"/ops/{form.operation.slug}/forms/{form.form_id}/submissions/")
    web.shot("3-list")
    row = web.page.locator(f'tr[data-submission="{submission.pk}"]')
    assert row.count() == 1
    assert "enumerator" in row.inner_text()
    assert stored.instance_id[:12] in row.inner_text()


def test_edit_makes_a_new_version(web, published):
    form = published
    web.sign_in("enumerator")
    fill_page(web, form)
    question(web, "Name of the site").locator("input").fill("Dalori")
    question(web, "Households").locator("input").press_sequentially("7")
    question(web, "Main shelter").get_by_text("Building", exact=True).click()
    question(web, "Photo of the site").locator("input[type=file]").set_input_files(
        files=[{"name": "site.png", "mimeType": "image/png", "buffer": PNG}]
    )
    assert "success" in (send(web).get_attribute("class") or "")
    submission = Submission.objects.get(form=form)
    first = submission.versions.get()
    sent_photo = first.attachments.get()
    assert sent_photo.content_type == "image/png"
    assert f"<photo>{sent_photo.name}</photo>" in first.xml

    web.sign_in("datamanager")
    web.open(f"/ops/{form.operation.slug}/forms/{form.form_id}/submissions/{submission.pk}/edit/")
    households = question(web, "Households").locator("input")
    households.wait_for()
    assert households.input_value() == "7"
    assert question(web, "Name of the site").locator("input").input_value() == "Dalori"
    web.shot("1-loaded")
    photo = question(web, "Photo of the site").locator("img")
    photo.wait_for()  # the photo sent with the submission, loaded back from the server
    households.fill("")
    households.press_sequentially("9")
    with web.page.expect_navigation():
        web.page.get_by_role("button", name="Send").click()
    web.page.wait_for_load_state("networkidle")
    web.shot("2-saved")

    versions = list(SubmissionVersion.objects.filter(submission=submission).order_by("id"))
    assert len(versions) == 2
    assert versions[0].instance_id == first.instance_id
    assert not versions[0].current
    edited = versions[1]
    assert edited.current
    assert edited.deprecated_id == first.instance_id
    assert edited.instance_id != first.instance_id
    assert f"<deprecatedID>{first.instance_id}</deprecatedID>" in edited.xml
    assert "<households>9</households>" in edited.xml
    assert "<site_name>Dalori</site_name>" in edited.xml
    # The photo went back with the edit, under the same name and with the same bytes.
    assert f"<photo>{sent_photo.name}</photo>" in edited.xml
    assert edited.attachments.get().sha256 == sent_photo.sha256


def test_a_refused_submission_says_why(web, published):
    form = published
    web.sign_in("enumerator")
    fill_page(web, form)
    question(web, "Name of the site").locator("input").fill("Gubio")
    Form.objects.filter(pk=form.pk).update(state=Form.State.CLOSED)  # closed while filling
    status = send(web)
    web.shot("1-refused")
    assert "error" in (status.get_attribute("class") or "")
    assert "closed" in status.inner_text().lower()
    assert not Submission.objects.filter(form=form).exists()
    # The answers stay in the form, to send again once the form is open.
    assert question(web, "Name of the site").locator("input").input_value() == "Gubio"
    # The refusal is the test's point: the 4xx and chromium's log line for it are expected.
    expected = re.compile(
        r"^HTTP 409: .*/collect/wf-test/submission$"
        r"|^console: Failed to load resource: the server responded with a status of 409"
    )
    unexpected = [problem for problem in web.problems if not expected.search(problem)]
    assert len(unexpected) < len(web.problems), web.problems
    web.problems[:] = unexpected


def test_signing_in_again_elsewhere_keeps_the_answers(web, published):
    """Signing in rotates the CSRF token; the open form sends with the new one."""
    form = published
    web.sign_in("enumerator")
    fill_page(web, form)
    question(web, "Name of the site").locator("input").fill("Monguno")
    other = web.page.context.new_page()
    other.goto(web.base_url + "/login/")
    other.fill("input[name=username]", "enumerator")
    other.fill("input[name=password]", PASSWORD)
    other.click("button[type=submit]")
    other.wait_for_load_state("networkidle")
    other.close()
    status = send(web)
    assert "success" in (status.get_attribute("class") or ""), status.inner_text()
    assert "<site_name>Monguno</site_name>" in Submission.objects.get(form=form).versions.get().xml
