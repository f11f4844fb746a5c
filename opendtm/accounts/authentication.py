from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from opendtm.accounts.models import User
from opendtm.accounts.services.tokens import token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` or `Authorization: Bearer <key>`."""

    keywords = ("token", "bearer")

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token."))
        user = token_authenticate(header[1])
        if user is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown, expired or revoked."))
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return "Token"
