"""The subscription keys page: an operation admin issues a key (shown once), sees it listed
with its last use, and revokes it; no other role reaches it."""

import pytest
from django.urls import reverse

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.publishing.models import SubscriptionKey
from opendtm.publishing.services.keys import subscription_key_authenticate

CONSUMER = {"consumer_name": "ReliefWeb", "contact_email": "data@example.org"}


def url(name, operation, **kwargs):
    return reverse(f"web:{name}", kwargs={"slug": operation.slug, **kwargs})


def test_an_admin_issues_a_key_seen_once_then_revokes_it(signed_in, operation):
    client = signed_in(Role.OPERATION_ADMIN)
    page = client.post(url("subscription-keys", operation), CONSUMER).content.decode()
    key = SubscriptionKey.objects.get()
    assert 'id="new-key"' in page
    secret = page.split('id="new-key">', 1)[1].split("<", 1)[0]
    assert subscription_key_authenticate(secret) == key
    listing = client.get(url("subscription-keys", operation)).content.decode()
    assert 'id="new-key"' not in listing
    assert f'data-key="{key.prefix}"' in listing
    assert "ReliefWeb" in listing
    assert client.user.username in listing  # who issued it
    response = client.post(url("subscription-key-revoke", operation, key_id=key.pk))
    assert response.url == url("subscription-keys", operation)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "revoked" in client.get(url("subscription-keys", operation)).content.decode()
    assert AuditEvent.objects.filter(object_type="publishing.subscriptionkey").count() == 2


def test_a_key_without_a_valid_email_is_not_issued(signed_in, operation):
    response = signed_in().post(
        url("subscription-keys", operation), {**CONSUMER, "contact_email": "x"}
    )
    assert 'id="new-key"' not in response.content.decode()
    assert not SubscriptionKey.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DATA_MANAGER, Role.PROTECTION_OFFICER])
def test_other_roles_cannot_reach_the_page(signed_in, operation, role):
    client = signed_in(role)
    assert client.get(url("subscription-keys", operation)).status_code == 403
    assert client.post(url("subscription-keys", operation), CONSUMER).status_code == 403
    assert not SubscriptionKey.objects.exists()
    overview = client.get(url("operation", operation)).content.decode()
    assert url("subscription-keys", operation) not in overview


def test_keys_of_another_operation_are_neither_seen_nor_revoked(
    signed_in, operation, other_operation, member, client
):
    theirs = member(Role.OPERATION_ADMIN, other_operation)
    client.force_login(theirs)
    client.post(url("subscription-keys", other_operation), CONSUMER)
    key = SubscriptionKey.objects.get()
    ours = signed_in(Role.OPERATION_ADMIN)
    assert "ReliefWeb" not in ours.get(url("subscription-keys", operation)).content.decode()
    revoke = url("subscription-key-revoke", operation, key_id=key.pk)
    assert ours.post(revoke).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_the_overview_links_admins_to_the_keys(signed_in, operation):
    overview = signed_in(Role.OPERATION_ADMIN).get(url("operation", operation)).content.decode()
    assert url("subscription-keys", operation) in overview
