"""What every operation page shares: finding the operation, rights, and rendering refusals."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import operation_get, require, user_capabilities
from opendtm.core.errors import ApplicationError

OperationView = Callable[..., HttpResponseBase]


class SignedInRequest(HttpRequest):
    """A request that passed login_required: its user is a real account."""

    user: User


def operation_page(
    capability: Capability,
) -> Callable[[OperationView], OperationView]:
    """Sign-in, the operation from the URL (404 if not the user's) and one capability (403)."""

    def decorator(view: OperationView) -> OperationView:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponseBase:
            operation = operation_get(user=request.user, slug=slug)
            require(user=request.user, operation=operation, capability=capability)
            return view(request, operation, **kwargs)

        return wrapper

    return decorator


def capabilities(request: HttpRequest, operation: Operation) -> frozenset[Capability]:
    return user_capabilities(user=request.user, operation=operation)


def page(
    request: HttpRequest,
    operation: Operation,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    granted = capabilities(request, operation)
    full = {"operation": operation, "can": {str(capability) for capability in granted}}
    return render(request, template, {**full, **(context or {})}, status=status)


def refusal(error: ApplicationError) -> dict[str, Any]:
    """The context a form page shows when a service refused the request."""
    return {"error": error}
