"""A submission's page says which round it counts in, and a reviewer can attach it to another."""

import pytest
from django.urls import reverse

from opendtm.accounts.roles import Role
from opendtm.tracking.models import Figure, Round, RoundSubmission
from tests.tracking import conftest as tracking
from tests.tracking.conftest import assess, month_round

borno, manager, form_version = tracking.borno, tracking.manager, tracking.form_version
GOOD = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20}


def urls(operation, submission):
    kwargs = {"slug": operation.slug, "form_id": "site_assessment", "pk": submission.pk}
    return reverse("web:submission", kwargs=kwargs), reverse("web:submission-attach", kwargs=kwargs)


@pytest.fixture
def late(borno, manager, operation, form_version):
    """Rounds 1 (published) and 2 (collecting); a submission received in May, in neither."""
    first = month_round(manager, operation, 1)
    round_move_publish(manager, first)
    month_round(manager, operation, 2)
    return assess(form_version, borno[2][0], 5, **GOOD)


def round_move_publish(manager, found):
    from opendtm.tracking.services.rounds import round_move, round_publish

    round_move(actor=manager, round=found, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=found)


def test_a_reviewer_attaches_a_late_submission_to_an_open_round(signed_in, operation, late):
    client = signed_in(Role.DATA_MANAGER)
    page_url, attach_url = urls(operation, late)
    page = client.get(page_url).content.decode()
    assert "No round's period holds the day it was received" in page
    assert "data-attach" in page
    assert "SA round 2" in page
    assert "SA round 1 (" not in page  # published: frozen, not offered
    second = Round.objects.get(number=2)
    response = client.post(attach_url, {"round": second.pk})
    assert response.status_code == 302
    assert RoundSubmission.objects.get(submission=late).round == second
    assert Figure.objects.filter(submission=late, revision__round=second).exists()
    page = client.get(page_url).content.decode()
    assert f'data-counts-in="{second.pk}"' in page
    assert "attached by" in page


def test_a_round_not_offered_is_refused_on_the_page(signed_in, operation, late):
    client = signed_in(Role.DATA_MANAGER)
    _page, attach_url = urls(operation, late)
    published = Round.objects.get(number=1)
    response = client.post(attach_url, {"round": published.pk})
    assert response.status_code == 400
    assert "Choose one of the rounds offered" in response.content.decode()
    assert not RoundSubmission.objects.exists()


def test_who_may_not_review_cannot_attach(signed_in, operation, late):
    client = signed_in(Role.PROTECTION_OFFICER)
    page_url, attach_url = urls(operation, late)
    assert client.get(page_url).status_code == 403
    second = Round.objects.get(number=2)
    assert client.post(attach_url, {"round": second.pk}).status_code == 403
    assert not RoundSubmission.objects.exists()
