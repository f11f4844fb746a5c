"""API tokens: named, revocable, expiring; stored as a SHA-256 digest only.

A key looks like `odtm_<prefix>_<secret>`. The prefix finds the row; the digest of the
whole key is compared in constant time.
"""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import ApiToken, User
from opendtm.accounts.services.audit import Action, audit_record, snapshot
from opendtm.core.errors import ApplicationError

KEY_PREFIX = "odtm"
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    if not name.strip():
        raise ApplicationError(
            _("A token needs a name."), hint=_("Name it after the script that uses it.")
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_("The expiry date is in the past."))
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=prefix, digest=digest(key), expires_at=expires_at
    )
    audit_record(
        actor=user,
        operation=None,
        action=Action.CREATE,
        instance=token,
        after=snapshot(token, ["name", "prefix", "expires_at"]),
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        operation=None,
        action=Action.UPDATE,
        instance=token,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at.isoformat()},
    )


def token_authenticate(key: str) -> User | None:
    """The active user a key belongs to, or None."""
    # The secret is URL-safe base64, which may itself contain "_": split twice only.
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    if not hmac.compare_digest(token.digest, digest(key)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
