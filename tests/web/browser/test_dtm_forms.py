"""The shipped DTM site assessment, installed from its page and opened in ODK Web Forms."""

import pytest

from opendtm.collection.models import Form, FormUpload

pytestmark = pytest.mark.browser


def test_install_the_site_assessment_and_fill_it_in_the_browser(web, demo):
    web.sign_in()
    web.open(f"/ops/{demo.slug}/forms/")
    web.page.click("text=Start from a DTM form")
    web.page.wait_for_load_state("networkidle")
    card = web.page.locator('[data-template="dtm_site_assessment"]')
    assert "Not installed" in card.inner_text()
    web.shot("1-templates")
    with web.page.expect_navigation():
        card.get_by_role("button", name="Install").click()
    web.page.wait_for_load_state("networkidle")
    upload = FormUpload.objects.get(operation=demo)
    assert upload.status == FormUpload.Status.DONE, upload.message
    form = Form.objects.get(operation=demo, form_id="dtm_site_assessment")

    web.sign_in("enumerator")
    web.open(f"/ops/{demo.slug}/forms/{form.form_id}/fill/")
    web.page.locator(".odk-form").wait_for()
    for label in (
        "Date of the assessment",
        "State or region (admin 1)",
        "LGA or district (admin 2)",
    ):
        web.page.locator(".question-container", has_text=label).first.wait_for()
    text = web.page.inner_text(".odk-form")
    assert "Location assessed" in text
    assert "Girls aged 0-4" in text
    assert "Is lighting adequate in communal areas at night" in text
    web.shot("2-fill")

    # The place lists are the operation's: Borno's LGAs once Borno is chosen.
    choose(web, "State or region (admin 1)", "Borno")
    choose(web, "LGA or district (admin 2)", "Maiduguri")
    site = web.page.locator(".question-container", has_text="Site").first
    site.locator(".p-select").click()
    options = web.page.locator("[role=option]")
    options.first.wait_for()
    assert "(NG008021-S01)" in " ".join(options.all_inner_texts())
    web.shot("3-sites-of-maiduguri")


def choose(web, label: str, option: str) -> None:
    web.page.locator(".question-container", has_text=label).first.locator(".p-select").click()
    web.page.get_by_role("option", name=option, exact=True).click()
