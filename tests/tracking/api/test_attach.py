"""Attaching submissions to a round through the API: by instance ID, all or nothing."""

from opendtm.tracking.models import Figure, RoundSubmission
from tests.tracking.api.conftest import ROUNDS, S1
from tests.tracking.conftest import assess, month_round

THIRD = f"{ROUNDS}SA/3/attach/"


def test_a_late_submission_is_attached_and_its_figures_follow(
    api, tracked, borno, manager, operation, form_version
):
    month_round(manager, operation, 3)
    late = assess(form_version, borno[2][0], 6, **S1)  # received in June: in no round's period
    answer = api.post(THIRD, {"submissions": [late.instance_id]}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["number"] == 3
    assert RoundSubmission.objects.get(submission=late).round.number == 3
    assert set(
        Figure.objects.filter(submission=late).values_list("revision__round__number", flat=True)
    ) == {3}


def test_unknown_ids_and_published_rounds_are_refused_naming_them(
    api, tracked, borno, form_version
):
    late = assess(form_version, borno[2][0], 6, **S1)
    unknown = api.post(
        THIRD.replace("/3/", "/2/"), {"submissions": [late.instance_id, "uuid:nope"]}, format="json"
    )
    assert unknown.status_code == 400
    assert [problem["message"] for problem in unknown.json()["problems"]] == ["uuid:nope"]
    assert not RoundSubmission.objects.exists()  # nothing attached: all or nothing
    published = api.post(
        f"{ROUNDS}SA/1/attach/", {"submissions": [late.instance_id]}, format="json"
    )
    assert published.status_code == 400
    assert "frozen" in published.json()["message"]
    empty = api.post(f"{ROUNDS}SA/2/attach/", {"submissions": []}, format="json")
    assert empty.status_code == 400


def test_viewers_and_outsiders_cannot_attach(viewer, outsider, tracked, borno, form_version):
    late = assess(form_version, borno[2][0], 6, **S1)
    body = {"submissions": [late.instance_id]}
    assert viewer.post(f"{ROUNDS}SA/2/attach/", body, format="json").status_code == 403
    assert outsider.post(f"{ROUNDS}SA/2/attach/", body, format="json").status_code == 404
    assert not RoundSubmission.objects.exists()
