"""A tiny tracked operation: Borno with two LGAs, a site in each, and a site-assessment form
whose XLSForm carries the indicator mapping."""

import datetime

import pytest
from pyxform.xls2xform import convert

from opendtm.accounts.roles import Role
from opendtm.collection.models import Form, Submission
from opendtm.tracking.models import Round
from opendtm.tracking.services.figures import figures_recompute
from opendtm.tracking.services.rounds import RoundData, round_create, round_move
from tests.collection.factories_submissions import FormFactory, add_form_version, add_submission
from tests.factories import AdminAreaFactory, SiteFactory

TRACKED_FORM = """
| survey |
| | type | name | label | indicator | indicator_sex | indicator_value |
| | text | site_code | Site code | | | |
| | integer | idp_hh | IDP households | idp_households | | |
| | integer | idp_ind | IDP individuals | idp_individuals | | |
| | integer | idp_f | Female IDPs | idp_individuals | f | |
| | integer | idp_m | Male IDPs | idp_individuals | m | |
| | select_one needs | need1 | First need | need_rank_* | | 1 |
| | select_one yn | dark | Lighting inadequate? | pr_lighting_inadequate | | |
| | begin repeat | hh | Household | | | |
| | integer | size | Size | idp_individuals | | |
| | end repeat | | | | | |
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


def tracked_form(
    operation,
    markdown: str = TRACKED_FORM,
    kind: str = Form.Kind.SITE_ASSESSMENT,
    form_id: str = "site_assessment",
):
    form = FormFactory(operation=operation, kind=kind, form_id=form_id)
    version = add_form_version(form, markdown)
    markdown = markdown.replace("site_assessment", form_id)
    version.definition = convert(xlsform=markdown, file_type=".md")._pyxform
    version.save(update_fields=["definition"])
    return version


@pytest.fixture
def borno(operation):
    state = AdminAreaFactory(operation=operation, level=1, pcode="NG008", name="Borno")
    lgas = [
        AdminAreaFactory(operation=operation, level=2, pcode=code, name=name, parent=state)
        for code, name in (("NG008001", "Abadam"), ("NG008002", "Askira/Uba"))
    ]
    sites = [SiteFactory(admin_area=lga, code=f"S{index}") for index, lga in enumerate(lgas, 1)]
    return state, lgas, sites


@pytest.fixture
def manager(member, operation):
    return member(Role.DATA_MANAGER, operation, "manager")


@pytest.fixture
def form_version(operation):
    return tracked_form(operation)


def month_round(manager, operation, number: int, status: str = Round.Status.COLLECTING) -> Round:
    start = datetime.date(2026, number, 1)
    data = RoundData(number, "SA", start, start + datetime.timedelta(days=27))
    created = round_create(actor=manager, operation=operation, data=data)
    if status != Round.Status.PLANNED:
        round_move(actor=manager, round=created, status=Round.Status.COLLECTING)
    if status == Round.Status.VALIDATING:
        round_move(actor=manager, round=created, status=Round.Status.VALIDATING)
    return created


def assess(version, site, month: int, *, approved: bool = True, **values) -> Submission:
    """An approved site assessment received in `month` of 2026, with its figures written."""
    answers = {"site_code": site.code, **values}
    submission = add_submission(
        version,
        answers,
        received_at=datetime.datetime(2026, month, 10, 9, tzinfo=datetime.UTC),
        site=site,
        review_state=Submission.Review.APPROVED if approved else Submission.Review.RECEIVED,
    )
    figures_recompute([submission.pk])
    return submission
