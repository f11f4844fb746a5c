from opendtm.tracking.models import FieldMapping
from opendtm.tracking.services.mapping import mapping_for, mapping_read
from tests.tracking.conftest import TRACKED_FORM, tracked_form


def rows_of(mapping):
    return sorted(
        (row.path, row.indicator.code, row.sex, row.choice, row.value, row.otherwise)
        for row in mapping
    )


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
    )
    rows, problems = mapping_read(tracked_form(operation, broken))
    assert sorted((problem.field, problem.message) for problem in problems) == [
        ("indicator", "survey sheet, question idp_hh: no indicator idp_housholds in the catalogue"),
        (
            "indicator",
            "survey sheet, question site_code: the pattern need_rank_* needs a select_one question",
        ),
        (
            "indicator_sex",
            "survey sheet, question idp_m: indicator_sex x is not f or m, or the indicator is not by sex",
        ),
        (
            "indicator_value",
            "survey sheet, question need1: indicator_value first is not a rank number",
        ),
    ]
    assert {row.path for row in rows} == {"idp_ind", "idp_f", "dark"}
