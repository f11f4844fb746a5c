"""A user's own API tokens. Nobody sees another person's tokens, not even a superuser."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opendtm.accounts.models import ApiToken, User
from opendtm.core.errors import get_or_not_found


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_get(*, user: User, token_id: int) -> ApiToken:
    return get_or_not_found(
        token_list(user=user), _("No token %(id)s of yours.") % {"id": token_id}, pk=token_id
    )
