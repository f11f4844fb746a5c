"""The mapping editor of a form version, and the mapping's summary on the form's page."""

import re

import pytest
from django.urls import reverse

from opendtm.accounts.roles import Role
from opendtm.tracking.models import FieldMapping
from tests.tracking.conftest import TRACKED_FORM, tracked_form
from tests.tracking.services.test_mapping import PLAIN_FORM

POSTED = {
    "path": ["idp_hh", "people/idp_ind", "people/idp_f", "need1", "dark"],
    "indicator": ["idp_households", "idp_individuals", "idp_individuals", "need_rank_*", ""],
    "sex": ["", "", "f", "", ""],
    "age": ["", "", "", "", ""],
    "value": ["", "", "", "1", ""],
}


def mapping_url(operation, **query) -> str:
    path = reverse(
        "web:form-mapping", kwargs={"slug": operation.slug, "form_id": "site_assessment"}
    )
    return f"{path}?version={query['version']}" if query else path


def form_url(operation) -> str:
    return reverse("web:form", kwargs={"slug": operation.slug, "form_id": "site_assessment"})


def paths(html: str) -> list[str]:
    return re.findall(r'<tr data-path="([^"]+)"', html)


def stored(version) -> list[tuple]:
    return sorted(
        FieldMapping.objects.filter(form_version=version).values_list(
            "path", "indicator__code", "sex", "choice"
        )
    )


@pytest.fixture
def plain_version(operation):
    return tracked_form(operation, PLAIN_FORM)


def test_a_form_without_indicator_columns_is_mapped_in_the_editor(
    signed_in, operation, plain_version
):
    client = signed_in(Role.OPERATION_ADMIN)
    html = client.get(mapping_url(operation)).content.decode()
    # numbers and select_one questions outside repeats; not the text nor the repeat's question
    assert paths(html) == ["idp_hh", "people/idp_ind", "people/idp_f", "need1", "dark"]
    assert html.count('name="indicator"') == 5
    assert '<option value="need_rank_*">' in html
    response = client.post(mapping_url(operation), POSTED)
    assert response.status_code == 302
    assert response.url == mapping_url(operation, version="2026010101")
    assert stored(plain_version) == [
        ("idp_hh", "idp_households", "", ""),
        ("need1", "need_rank_food", "", "food"),
        ("need1", "need_rank_shelter", "", "shelter"),
        ("people/idp_f", "idp_individuals", "f", ""),
        ("people/idp_ind", "idp_individuals", "", ""),
    ]
    html = client.get(response.url).content.decode()
    assert 'data-mapped="4"' in html
    assert 'value="need_rank_*"' in html  # the rank rows read back as their pattern
    assert "saved" in html


def test_a_refused_mapping_names_each_question_and_keeps_what_was_entered(
    signed_in, operation, plain_version
):
    client = signed_in(Role.OPERATION_ADMIN)
    posted = {
        **POSTED,
        "indicator": ["idp_housholds", *POSTED["indicator"][1:]],
        "age": ["", "", "0-5", "", ""],
    }
    response = client.post(mapping_url(operation), posted)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The mapping was not saved: 2 questions need a change." in html
    assert '<tr data-path="idp_hh" class="invalid">' in html
    assert "no indicator idp_housholds in the catalogue" in html
    assert '<tr data-path="people/idp_f" class="invalid">' in html
    assert 'value="idp_housholds"' in html  # as entered, to be corrected
    assert not FieldMapping.objects.exists()


def test_a_version_mapped_by_its_xlsform_is_shown_as_read(signed_in, operation):
    version = tracked_form(operation, TRACKED_FORM)
    client = signed_in(Role.OPERATION_ADMIN)
    html = client.get(mapping_url(operation)).content.decode()
    assert 'data-source="xlsform"' in html
    assert 'name="indicator"' not in html
    assert "<code>need_rank_*</code>" in html
    refused = client.post(mapping_url(operation), POSTED)
    assert refused.status_code == 400
    assert "is mapped by the indicator columns of its XLSForm" in refused.content.decode()
    assert not FieldMapping.objects.filter(form_version=version).exists()


def test_form_readers_see_the_mapping_and_only_form_managers_change_it(
    signed_in, operation, plain_version
):
    client = signed_in(Role.DATA_MANAGER)
    html = client.get(mapping_url(operation)).content.decode()
    assert "Only those who manage forms can change this mapping." in html
    assert 'name="indicator"' not in html
    assert client.post(mapping_url(operation), POSTED).status_code == 403
    assert not FieldMapping.objects.exists()
    assert signed_in(Role.VIEWER).get(mapping_url(operation)).status_code == 403


def test_a_new_version_starts_from_the_last_mapping(signed_in, operation, plain_version):
    client = signed_in(Role.OPERATION_ADMIN)
    client.post(mapping_url(operation), POSTED)
    newer = tracked_form(
        operation,
        PLAIN_FORM.replace("2026010101", "2026020101").replace(
            "| | integer | idp_hh | IDP households |\n", ""
        ),
    )
    html = client.get(mapping_url(operation)).content.decode()
    assert 'data-copied-from="2026010101"' in html
    assert paths(html) == ["people/idp_ind", "people/idp_f", "need1", "dark"]
    assert 'value="idp_individuals"' in html
    assert not stored(newer)  # until saved
    older = client.get(mapping_url(operation, version="2026010101")).content.decode()
    assert "data-copied-from" not in older
    assert 'value="idp_households"' in older


def test_the_form_page_shows_mapping_problems_and_links_the_editor(signed_in, operation):
    tracked_form(operation, TRACKED_FORM.replace("| idp_households | |", "| idp_housholds | |"))
    html = signed_in(Role.OPERATION_ADMIN).get(form_url(operation)).content.decode()
    assert 'data-mapped="5"' in html  # of six mapped questions, idp_hh cannot be
    assert "5 questions map to indicators" in html
    assert 'data-mapping-problems="1"' in html
    assert (
        "survey sheet, question idp_hh, &#x27;indicator&#x27;: no indicator idp_housholds" in html
    )
    assert mapping_url(operation) in html


def test_the_form_page_asks_to_map_an_unmapped_assessment(signed_in, operation, plain_version):
    html = signed_in(Role.DATA_MANAGER).get(form_url(operation)).content.decode()
    assert 'data-mapped="0"' in html
    assert "No question maps to an indicator yet" in html
    assert "See the mapping" in html  # a data manager cannot edit it
