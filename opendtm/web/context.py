from django.http import HttpRequest

from opendtm.accounts.selectors.operations import operation_list


def navigation(request: HttpRequest) -> dict:
    """The operations a signed-in user can switch to, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"switchable_operations": []}
    return {"switchable_operations": operation_list(user=user).only("name", "slug")}
