"""The publish checklist and the rounds list with open issues."""

from opendtm.accounts.roles import Role
from opendtm.tracking.models import Round
from opendtm.tracking.selectors.progress import round_progress
from opendtm.tracking.selectors.review import round_checklist, round_index
from opendtm.tracking.selectors.rounds import round_coverage
from opendtm.tracking.services.rounds import round_publish
from opendtm.tracking.services.validation import round_validate
from tests.tracking.conftest import assess, month_round
from tests.tracking.selectors.test_progress import GOOD, receive


def test_checklist_counts_what_stands_before_publishing(borno, manager, operation, form_version):
    _state, _lgas, (s1, s2) = borno
    first = month_round(manager, operation, 1, Round.Status.VALIDATING)
    assess(form_version, s1, 1, **GOOD)
    round_publish(actor=manager, round=first)
    second = month_round(manager, operation, 2)
    assess(form_version, s1, 2, **{**GOOD, "idp_hh": 20, "idp_ind": 200, "idp_f": 100, "idp_m": 99})
    receive(form_version, 2, site=s2)
    round_validate(second)
    progress = round_progress(user=manager, round=second)
    checklist = round_checklist(
        user=manager,
        round=second,
        progress=progress,
        coverage=round_coverage(user=manager, round=second),
    )
    assert (checklist.validating, checklist.ready) == (False, False)
    assert checklist.blocking_count == 1
    assert [issue.rule for issue in checklist.blocking] == ["sex_sum"]
    assert checklist.change_warnings == 1  # 50 → 200
    assert checklist.unreviewed == 1
    counts = {(item.rule, item.severity, item.state): item.count for item in checklist.counts}
    assert counts == {
        ("change", "warning", "open"): 1,
        ("sex_sum", "blocking", "open"): 1,
    }


def test_round_index_counts_open_issues_for_reviewers_only(
    borno, manager, member, operation, form_version
):
    _state, _lgas, (s1, _s2) = borno
    current = month_round(manager, operation, 1)
    month_round(manager, operation, 2)
    assess(form_version, s1, 1, **{**GOOD, "idp_f": 31})
    listed = {item.number: item for item in round_index(user=manager, operation=operation)}
    assert (listed[1].open_issues, listed[1].blocking_issues) == (1, 1)
    assert (listed[2].open_issues, listed[2].blocking_issues) == (0, 0)
    viewer = member(Role.VIEWER, operation)
    assert not hasattr(
        round_index(user=viewer, operation=operation).get(pk=current.pk), "open_issues"
    )
    assert round_index(user=manager, operation=operation, assessment_type="BA").count() == 0
