"""Subscription keys: issued by an operation admin to a named consumer, stored as a digest,
audited, revocable, their last use recorded; one key reads every operation's published data."""

import datetime

import pytest
from django.utils import timezone

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden, NotFound
from opendtm.publishing.models import SubscriptionKey
from opendtm.publishing.services.keys import (
    subscription_key_authenticate,
    subscription_key_issue,
    subscription_key_revoke,
)

DTM = "/v3/displacement/"


def issue(actor, operation, **overrides):
    values = {"consumer_name": "ReliefWeb", "contact_email": "data@example.org", **overrides}
    return subscription_key_issue(actor=actor, operation=operation, **values)


def test_a_key_is_stored_as_a_digest_and_its_issue_audited(admin_user, operation):
    key, secret = issue(admin_user, operation, consumer_name="  ReliefWeb ")
    assert secret.startswith(f"odtmpub_{key.prefix}_")
    stored = SubscriptionKey.objects.get()
    assert (stored.consumer_name, stored.issued_by, stored.operation) == (
        "ReliefWeb",
        admin_user,
        operation,
    )
    assert secret not in str(SubscriptionKey.objects.values().get())
    event = AuditEvent.objects.get(object_type="publishing.subscriptionkey")
    assert (event.action, event.actor, event.operation) == ("create", admin_user, operation)
    assert event.after == {
        "consumer_name": "ReliefWeb",
        "contact_email": "data@example.org",
        "prefix": key.prefix,
    }
    assert secret not in str(event.after)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"consumer_name": " "}, "name of the consumer"), ({"contact_email": "nobody"}, "email")],
)
def test_a_key_needs_a_consumer_and_an_email(admin_user, operation, overrides, message):
    with pytest.raises(ApplicationError, match=message):
        issue(admin_user, operation, **overrides)
    assert not SubscriptionKey.objects.exists()


def test_only_those_who_manage_users_issue_and_revoke_keys(
    admin_user, member, operation, other_operation
):
    with pytest.raises(Forbidden):
        issue(member(Role.DATA_MANAGER, operation), operation)
    with pytest.raises(NotFound):
        issue(member(Role.OPERATION_ADMIN, other_operation), operation)
    key, _secret = issue(admin_user, operation)
    with pytest.raises(Forbidden):
        subscription_key_revoke(actor=member(Role.VIEWER, operation), key=key)
    assert key.is_active


def test_a_revoked_key_no_longer_opens_and_revoking_twice_is_harmless(admin_user, operation):
    key, secret = issue(admin_user, operation)
    assert subscription_key_authenticate(secret) == key
    subscription_key_revoke(actor=admin_user, key=key)
    subscription_key_revoke(actor=admin_user, key=key)
    assert subscription_key_authenticate(secret) is None
    revoked = AuditEvent.objects.filter(action="update", object_id=str(key.pk))
    assert revoked.count() == 1
    assert revoked.get().before == {"revoked_at": None}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda secret: secret[:-1] + ("A" if secret[-1] != "A" else "B"),  # the secret part
        lambda secret: secret.replace("odtmpub_", "odtm_", 1),  # an API token's prefix
        lambda secret: "odtmpub_" + secret.rsplit("_", 1)[-1],  # no prefix
    ],
)
def test_a_tampered_key_opens_nothing(admin_user, operation, tamper):
    _key, secret = issue(admin_user, operation)
    assert subscription_key_authenticate(tamper(secret)) is None


def test_last_use_is_recorded_every_few_minutes(admin_user, operation):
    key, secret = issue(admin_user, operation)
    assert key.last_used_at is None
    subscription_key_authenticate(secret)
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    subscription_key_authenticate(secret)
    key.refresh_from_db()
    assert key.last_used_at == first  # within five minutes: no write per request
    SubscriptionKey.objects.filter(pk=key.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    subscription_key_authenticate(secret)
    key.refresh_from_db()
    assert key.last_used_at > first


def test_a_key_of_one_operation_reads_every_operations_published_data(
    published, member, other_operation, client
):
    """Published data is public: the key only says who is reading."""
    _key, secret = issue(member(Role.OPERATION_ADMIN, other_operation), other_operation)
    response = client.get(
        f"{DTM}admin0", {"Admin0Pcode": "NGA"}, headers={"Ocp-Apim-Subscription-Key": secret}
    )
    assert response.status_code == 200
    assert [row["operation"] for row in response.json()["result"]] == ["Nigeria North-East"]
