"""The situation report on the web: one POST from a round's page answers with the PDF."""

import pytest
from django.urls import reverse

from opendtm.accounts.models import AuditEvent


def address(round) -> str:
    return reverse(
        "web:round-report",
        kwargs={
            "slug": round.operation.slug,
            "assessment_type": round.assessment_type,
            "number": round.number,
        },
    )


def test_one_click_downloads_the_pdf(client, rounds, manager):
    client.force_login(manager)
    response = client.post(address(rounds[1]), {"language": "fr"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="nga-ne-sa-round-2-fr.pdf"'
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).note == "situation report (fr)"


def test_the_page_language_is_the_default(client, rounds, manager):
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    response = client.post(address(rounds[0]))
    assert response["Content-Disposition"].endswith('-round-1-fr.pdf"')


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("stranger", 404)])
def test_only_those_who_publish_print_reports(
    client, rounds, viewer, member, other_operation, who, status
):
    from opendtm.accounts.roles import Role

    user = viewer if who == "viewer" else member(Role.DATA_MANAGER, other_operation, "stranger")
    client.force_login(user)
    assert client.post(address(rounds[1])).status_code == status
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_signed_out_visitors_and_gets_are_turned_away(client, rounds, manager):
    response = client.post(address(rounds[1]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))
    client.force_login(manager)
    assert client.get(address(rounds[1])).status_code == 405


def test_an_unknown_language_is_refused_on_the_round_page(client, rounds, manager):
    client.force_login(manager)
    response = client.post(address(rounds[1]), {"language": "de"})
    assert response.status_code == 400
    assert "English or French" in response.content.decode()
