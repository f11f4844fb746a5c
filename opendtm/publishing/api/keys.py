"""Calling the public API with a subscription key: who is calling, and how often they may.

The key comes in IOM's header, Ocp-Apim-Subscription-Key. Each key (or each signed-in user,
where the API also accepts them) gets its own allowance, OPENDTM_PUBLIC_API_RATE ("60/minute"
unless set); beyond it the answer is 429 with Retry-After. The calls are counted in the
"throttle" cache, which every server process shares (settings.CACHES).
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request
from rest_framework.views import APIView

from opendtm.publishing.models import SubscriptionKey
from opendtm.publishing.services.keys import subscription_key_authenticate

HEADER = "Ocp-Apim-Subscription-Key"
DEFAULT_RATE = "60/minute"


class SubscriptionKeyAuthentication(authentication.BaseAuthentication):
    """A key is no user: the request stays anonymous, with the key as its `auth`."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, SubscriptionKey] | None:
        secret = request.headers.get(HEADER)
        if secret is None:
            return None
        key = subscription_key_authenticate(secret.strip())
        if key is None:
            raise exceptions.AuthenticationFailed(
                _("This subscription key is unknown or has been revoked.")
            )
        return AnonymousUser(), key

    def authenticate_header(self, request: Request) -> str:
        return HEADER  # without one, DRF would turn the 401 into a 403


class HasSubscriptionKey(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, SubscriptionKey)


class HasSubscriptionKeyOrSignedIn(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(request.auth, SubscriptionKey) or bool(
            user and user.is_authenticated and user.is_active
        )


class PublicApiThrottle(throttling.SimpleRateThrottle):
    scope = "public_api"
    cache = caches["throttle"]

    def get_rate(self) -> str:
        return getattr(settings, "OPENDTM_PUBLIC_API_RATE", DEFAULT_RATE)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, SubscriptionKey):
            ident = f"key-{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SubscriptionKeyScheme(OpenApiAuthenticationExtension):
    target_class = "opendtm.publishing.api.keys.SubscriptionKeyAuthentication"
    name = "subscriptionKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": HEADER,
            "description": "A subscription key issued by an operation admin "
            "(the operation's Sharing > Subscription keys page).",
        }
