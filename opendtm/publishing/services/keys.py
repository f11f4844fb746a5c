"""Subscription keys to the public API: issued by an operation admin, revocable, audited.

A key looks like `odtmpub_<prefix>_<secret>`; as with API tokens (accounts/services/tokens),
the prefix finds the row and the SHA-256 of the whole key is compared in constant time.
"""

import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, snapshot
from opendtm.accounts.services.tokens import LAST_USED_RESOLUTION, digest
from opendtm.core.errors import ApplicationError, clean_or_refuse
from opendtm.publishing.models import SubscriptionKey
from opendtm.publishing.selectors.keys import MANAGE_KEYS

KEY_PREFIX = "odtmpub"


@transaction.atomic
def subscription_key_issue(
    *, actor: User, operation: Operation, consumer_name: str, contact_email: str
) -> tuple[SubscriptionKey, str]:
    """The new key and its secret, which is never shown again."""
    require(user=actor, operation=operation, capability=MANAGE_KEYS)
    if not consumer_name.strip():
        raise ApplicationError(
            _("A key needs the name of the consumer it is issued to."),
            hint=_("Name the organisation or the application that will call the API."),
        )
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = SubscriptionKey(
        operation=operation,
        consumer_name=consumer_name.strip(),
        contact_email=contact_email.strip(),
        prefix=prefix,
        digest=digest(secret),
        issued_by=actor,
    )
    clean_or_refuse(key)
    key.save()
    audit_record(
        actor=actor,
        operation=operation,
        action=Action.CREATE,
        instance=key,
        after=snapshot(key, ["consumer_name", "contact_email", "prefix"]),
    )
    return key, secret


@transaction.atomic
def subscription_key_revoke(*, actor: User, key: SubscriptionKey) -> None:
    require(user=actor, operation=key.operation, capability=MANAGE_KEYS)
    if key.revoked_at is not None:
        return
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        operation=key.operation,
        action=Action.UPDATE,
        instance=key,
        before={"revoked_at": None},
        after={"revoked_at": key.revoked_at.isoformat()},
    )


def subscription_key_authenticate(secret: str) -> SubscriptionKey | None:
    """The active key `secret` is, or None; its last use is recorded every few minutes."""
    # The secret is URL-safe base64, which may itself contain "_": split twice only.
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = SubscriptionKey.objects.filter(prefix=parts[1]).first()
    if key is None or not key.is_active or not hmac.compare_digest(key.digest, digest(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        SubscriptionKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
