import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.tracking.models import FieldMapping, Figure
from opendtm.tracking.services.mapping import mappable_questions, mapping_for, mapping_read
from opendtm.tracking.services.mapping_edits import MappingSpec, mapping_save, specs_of
from tests.collection.factories_submissions import FormFactory, add_form_version
from tests.tracking.conftest import TRACKED_FORM, assess, month_round, tracked_form

# The tracked form without its indicator columns: what the editor is for.
PLAIN_FORM = """
| survey |
| | type | name | label |
| | text | site_code | Site code |
| | integer | idp_hh | IDP households |
| | begin group | people | People |
| | integer | idp_ind | IDP individuals |
| | integer | idp_f | Female IDPs |
| | end group | | |
| | select_one needs | need1 | First need |
| | select_one yn | dark | Lighting inadequate? |
| | text | remarks | Remarks |
| | begin repeat | hh | Household |
| | integer | size | Size |
| | end repeat | | |
| choices |
| | list_name | name | label |
| | needs | food | Food |
| | needs | shelter | Shelter |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_title | form_id | version |
| | Site assessment | site_assessment | 2026010101 |
"""

SPECS = [
    MappingSpec("idp_hh", "idp_households"),
    MappingSpec("people/idp_ind", "idp_individuals"),
    MappingSpec("people/idp_f", "idp_individuals", sex="f"),
    MappingSpec("need1", "need_rank_*", value="1"),
    MappingSpec("dark", "pr_lighting_inadequate", value="yes"),
]


def rows_of(mapping):
    return sorted(
        (row.path, row.indicator.code, row.sex, row.choice, row.value, row.otherwise)
        for row in mapping
    )


@pytest.fixture
def plain_version(operation):
    return tracked_form(operation, PLAIN_FORM)


def test_the_xlsform_columns_give_the_mapping(form_version):
    assert rows_of(mapping_for(form_version)) == [
        ("dark", "pr_lighting_inadequate", "", "yes", 1.0, 0.0),
        ("idp_f", "idp_individuals", "f", "", 1.0, None),
        ("idp_hh", "idp_households", "", "", 1.0, None),
        ("idp_ind", "idp_individuals", "", "", 1.0, None),
        ("idp_m", "idp_individuals", "m", "", 1.0, None),
        ("need1", "need_rank_food", "", "food", 1.0, None),
        ("need1", "need_rank_shelter", "", "shelter", 1.0, None),
    ]  # the question inside the repeat is not mapped
    assert FieldMapping.objects.filter(form_version=form_version).count() == 7
    assert len(mapping_for(form_version)) == 7  # read once, then stored


def test_mistakes_name_the_question_and_column(operation):
    broken = (
        TRACKED_FORM.replace("| idp_households | |", "| idp_housholds | |")
        .replace("| idp_individuals | m |", "| idp_individuals | x |")
        .replace("| need_rank_* | | 1 |", "| need_rank_* | | first |")
        .replace("| Site code | | | |", "| Site code | need_rank_* | | |")
        .replace("| pr_lighting_inadequate | | |", "| pr_lighting_inadequate | | oui |")
    )
    rows, problems = mapping_read(tracked_form(operation, broken))
    assert sorted(str(problem) for problem in problems) == [
        "survey sheet, question dark, 'indicator_value': indicator_value oui is not one of the "
        "choices yes, no. Write the name of the choice that means yes.",
        "survey sheet, question idp_hh, 'indicator': no indicator idp_housholds in the "
        "catalogue. Use a code from the indicator catalogue, or add the indicator first.",
        "survey sheet, question idp_m, 'indicator_sex': indicator_sex x is not f or m, or the "
        "indicator is not by sex. Write f or m, for an indicator counted by sex.",
        "survey sheet, question need1, 'indicator_value': indicator_value first is not a rank "
        "number. Write 1 for the first need, 2 for the second...",
        "survey sheet, question site_code, 'indicator': the pattern need_rank_* needs a "
        "select_one question. Use a plain indicator code for this question.",
    ]
    assert {row.path for row in rows} == {"idp_ind", "idp_f"}


def test_a_form_without_columns_is_mapped_in_the_editor_and_its_figures_follow(
    admin_user, manager, operation, borno, plain_version, django_capture_on_commit_callbacks
):
    # given an approved submission that gives no figures yet
    month_round(manager, operation, 1)
    site = borno[2][0]
    submission = assess(
        plain_version,
        site,
        1,
        idp_hh=10,
        people={"idp_ind": 50, "idp_f": 30},
        need1="shelter",
        dark="yes",
    )
    assert not Figure.objects.filter(submission=submission).exists()
    # when an IM officer maps its questions (the figures follow in a background task)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        saved = mapping_save(actor=admin_user, form_version=plain_version, rows=SPECS)
    assert not Figure.objects.filter(submission=submission).exists()  # not in the request
    assert len(queued) == 1
    queued[0]()
    # then the rows are those the XLSForm columns would give, and the figures are written
    assert rows_of(saved) == [
        ("dark", "pr_lighting_inadequate", "", "yes", 1.0, 0.0),
        ("idp_hh", "idp_households", "", "", 1.0, None),
        ("need1", "need_rank_food", "", "food", 1.0, None),
        ("need1", "need_rank_shelter", "", "shelter", 1.0, None),
        ("people/idp_f", "idp_individuals", "f", "", 1.0, None),
        ("people/idp_ind", "idp_individuals", "", "", 1.0, None),
    ]
    figures = {
        (figure.indicator.code, figure.sex): figure.value
        for figure in Figure.objects.filter(submission=submission).select_related("indicator")
    }
    assert figures == {
        ("idp_households", ""): 10.0,
        ("idp_individuals", ""): 50.0,
        ("idp_individuals", "f"): 30.0,
        ("need_rank_shelter", ""): 1.0,
        ("pr_lighting_inadequate", ""): 1.0,
    }
    event = AuditEvent.objects.get(object_type="tracking.fieldmapping")
    assert event.actor == admin_user
    assert event.before["need1"] is None
    assert event.after["need1"] == {
        "indicator": "need_rank_*",
        "indicator_sex": "",
        "indicator_age": "",
        "indicator_value": "1",
    }
    # and the stored rows read back as the specs entered
    assert list(specs_of(mapping_for(plain_version)).values()) == sorted(
        SPECS, key=lambda spec: spec.path
    )


def test_clearing_a_question_removes_its_figures(
    admin_user, manager, operation, borno, plain_version, django_capture_on_commit_callbacks
):
    month_round(manager, operation, 1)
    mapping_save(actor=admin_user, form_version=plain_version, rows=SPECS)
    submission = assess(plain_version, borno[2][0], 1, idp_hh=10, need1="food")
    assert Figure.objects.filter(submission=submission, indicator__code="idp_households").exists()
    with django_capture_on_commit_callbacks(execute=True):
        mapping_save(
            actor=admin_user,
            form_version=plain_version,
            rows=[MappingSpec("idp_hh"), *SPECS[1:]],
        )
    assert not Figure.objects.filter(submission=submission, indicator__code="idp_households")
    assert Figure.objects.filter(submission=submission, indicator__code="need_rank_food").exists()
    assert AuditEvent.objects.filter(object_type="tracking.fieldmapping").count() == 2
    mapping_save(
        actor=admin_user, form_version=plain_version, rows=[MappingSpec("idp_hh"), *SPECS[1:]]
    )
    assert AuditEvent.objects.filter(object_type="tracking.fieldmapping").count() == 2  # no change


def test_every_wrong_row_is_named_and_nothing_is_written(admin_user, plain_version):
    mapping_save(actor=admin_user, form_version=plain_version, rows=SPECS[:1])
    wrong = [
        MappingSpec("idp_hh", "idp_households", sex="f"),  # households are not by sex
        MappingSpec("people/idp_ind", "idp_individual"),
        MappingSpec("people/idp_f", "idp_individuals", age="0-5"),
        MappingSpec("dark", "pr_lighting_inadequate", value="oui"),
        MappingSpec("remarks", "idp_households"),  # a text question
        MappingSpec("hh/size", "idp_individuals"),  # inside a repeat
        MappingSpec("need1", "need_rank_*", value="first"),
    ]
    with pytest.raises(ApplicationError) as refused:
        mapping_save(actor=admin_user, form_version=plain_version, rows=wrong)
    assert refused.value.message == "The mapping was not saved: 7 questions need a change."
    assert sorted((problem.where, problem.field) for problem in refused.value.problems) == [
        ("dark", "indicator_value"),
        ("hh/size", ""),
        ("idp_hh", "indicator_sex"),
        ("need1", "indicator_value"),
        ("people/idp_f", "indicator_age"),
        ("people/idp_ind", "indicator"),
        ("remarks", ""),
    ]
    assert rows_of(FieldMapping.objects.filter(form_version=plain_version)) == [
        ("idp_hh", "idp_households", "", "", 1.0, None)
    ]


def test_a_version_mapped_by_its_xlsform_is_not_edited_here(admin_user, form_version):
    with pytest.raises(ApplicationError, match="mapped by the indicator columns of its XLSForm"):
        mapping_save(actor=admin_user, form_version=form_version, rows=SPECS)


def test_only_those_who_manage_forms_map(manager, plain_version):
    with pytest.raises(Forbidden):
        mapping_save(actor=manager, form_version=plain_version, rows=SPECS)
    assert not FieldMapping.objects.exists()


def test_a_version_uploaded_as_an_xform_is_mapped_from_its_fields(admin_user, operation):
    version = add_form_version(FormFactory(operation=operation), PLAIN_FORM)
    assert version.definition is None  # no XLSForm: no pyxform JSON
    assert [(question.path, question.kind) for question in mappable_questions(version)] == [
        ("idp_hh", "integer"),
        ("people/idp_ind", "integer"),
        ("people/idp_f", "integer"),
        ("need1", "select one"),
        ("dark", "select one"),
    ]
    saved = mapping_save(actor=admin_user, form_version=version, rows=SPECS)
    assert ("need1", "need_rank_shelter", "", "shelter", 1.0, None) in rows_of(saved)
    assert len(saved) == 6
