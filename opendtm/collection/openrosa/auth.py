"""Who is calling an OpenRosa URL: an app user's token, a user's password, or a session.

- App users: the token is in the URL (`/collect/key/<token>/<slug>/...`), as in ODK Central;
  Collect sends no Authorization header. An unknown or revoked token gets 403, not 401: a 401
  would make Collect ask for a password that does not exist.
- Users: HTTP Basic, and only over HTTPS (`request.is_secure()`; behind a TLS proxy set
  OPENDTM_HTTPS=1 so X-Forwarded-Proto counts). Over plain HTTP a password is refused with a
  message, except with DEBUG on (`opendtm demo`), for trying a local server with curl or a
  script; ODK Collect itself sends Basic credentials over https only, so a phone trying a
  plain-HTTP demo uses an app user's QR code. With no credentials the answer is 401 with
  `WWW-Authenticate: Basic realm="opendtm"`, which is what makes Collect send them. Checking a password costs a deliberately slow hash, and Collect
  sends it with every request, so a verified (username, password) pair is remembered in
  memory for a few minutes, keyed by an HMAC, and dropped as soon as the password changes.
- A signed-in browser (web forms) uses its session, and its POSTs must carry the CSRF token
  (the X-CSRFToken header), checked here because the views are csrf_exempt for devices.
"""

import base64
import binascii
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.selectors.operations import operation_get
from opendtm.collection.models import AppUser
from opendtm.collection.openrosa.responses import OpenRosaError
from opendtm.collection.services.app_users import app_user_authenticate

REALM = "opendtm"
VERIFIED_SECONDS = 300
MAX_VERIFIED = 10_000
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Caller:
    operation: Operation
    base_path: str  # "/collect/<slug>" or "/collect/key/<token>/<slug>"; URLs given out start so
    user: User | None = None
    app_user: AppUser | None = None

    def url(self, request: HttpRequest, *steps: str) -> str:
        path = "/".join([self.base_path, *(quote(step, safe="") for step in steps)])
        return request.build_absolute_uri(path)


# (user id, password hash when verified, valid until) by HMAC of the credentials.
_verified: dict[str, tuple[int, str, float]] = {}


def password_user(username: str, password: str) -> User | None:
    key = hmac.new(
        settings.SECRET_KEY.encode(), f"{username}\0{password}".encode(), hashlib.sha256
    ).hexdigest()
    now = time.monotonic()
    remembered = _verified.get(key)
    if remembered is not None and remembered[2] > now:
        user = User.objects.filter(pk=remembered[0], is_active=True).first()
        if user is not None and user.password == remembered[1]:
            return user
    _verified.pop(key, None)
    found = authenticate(username=username, password=password)
    if not isinstance(found, User) or not found.is_active:
        return None
    if len(_verified) >= MAX_VERIFIED:
        _verified.clear()
    _verified[key] = (found.pk, found.password, now + VERIFIED_SECONDS)
    return found


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, colon, password = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        username, colon, password = "", "", ""
    if not colon:
        raise OpenRosaError(_("The Authorization header cannot be read."), status=400)
    return username, password


def challenge(request: HttpRequest, message: str) -> OpenRosaError:
    hint = (
        ""
        if request.is_secure()
        else _(
            "Passwords are accepted over https:// only: use this server's https address, "
            "or scan an app user's QR code."
        )
    )
    return OpenRosaError(
        message, status=401, hint=hint, headers={"WWW-Authenticate": f'Basic realm="{REALM}"'}
    )


class CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, answering the reason for a refusal instead of a page."""

    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def checked_view(request: HttpRequest) -> HttpResponse:
    """Stands for the view in the check: one that is not csrf_exempt."""
    return HttpResponse()


def csrf_refusal(request: HttpRequest) -> str | None:
    check = CsrfCheck(checked_view)
    check.process_request(request)
    reason: Any = check.process_view(request, checked_view, (), {})
    return reason if isinstance(reason, str) else None


def caller_for(request: HttpRequest, slug: str, token: str | None = None) -> Caller:
    """The caller of an OpenRosa URL, or an OpenRosaError (401, 403 or 404) to answer."""
    if token is not None:
        app_user = app_user_authenticate(token)
        if app_user is None:
            raise OpenRosaError(
                _("This server address is not valid any more: its access was revoked."),
                status=403,
                hint=_("Ask a data manager for a new QR code and scan it in ODK Collect."),
            )
        if app_user.operation.slug != slug:
            raise OpenRosaError(_("No operation '%(slug)s' here.") % {"slug": slug}, status=404)
        return Caller(
            operation=app_user.operation,
            base_path=f"/collect/key/{token}/{slug}",
            app_user=app_user,
        )
    credentials = basic_credentials(request)
    if credentials is not None:
        if not request.is_secure() and not settings.DEBUG:
            raise OpenRosaError(
                _("Passwords are accepted over https:// only, never over plain http."),
                status=403,
                hint=_("Use this server's https address, or scan an app user's QR code."),
            )
        user = password_user(*credentials)
        if user is None:
            raise challenge(request, _("Wrong username or password."))
    elif request.user.is_authenticated:
        user = request.user
        if request.method in UNSAFE_METHODS and (reason := csrf_refusal(request)):
            raise OpenRosaError(
                _("The form page expired (%(reason)s).") % {"reason": reason},
                status=403,
                hint=_("Sign in again in another tab, then send again from here."),
            )
    elif "HTTP_X_CSRFTOKEN" in request.META:
        # A web form whose session ended: a 401 challenge would pop up the browser's own
        # password box, so the page is told to sign in again instead.
        raise OpenRosaError(
            _("You are signed out."),
            status=403,
            hint=_("Sign in again in another tab, then send again from here."),
        )
    else:
        raise challenge(request, _("Sign in: this server needs a username and password."))
    return Caller(
        operation=operation_get(user=user, slug=slug), base_path=f"/collect/{slug}", user=user
    )
