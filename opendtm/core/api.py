"""What every API view shares: input parsing, the error shape, pagination, schema helpers.

Views parse their input through `parse`, which reports every refusal in the vocabulary of
core.errors: 400 {"message", "hint", "problems": [{"message", "where", "field", "hint"}]}.
Not found (404), forbidden (403) and not signed in (401) keep DRF's {"detail": "..."}.
"""

import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from opendtm.core import api_schema  # noqa: F401 - registers the OpenAPI extensions
from opendtm.core.errors import ApplicationError, Problem

if TYPE_CHECKING:
    from opendtm.accounts.models import User

QUERY = "query string"
BODY = "request body"


class ApiSchema(AutoSchema):
    """Endpoints are grouped in the documentation by the API module that holds them.

    A module that holds a part of another module's group names that group in API_TAG.
    """

    def get_tags(self) -> list[str]:
        module = sys.modules[type(self.view).__module__]
        return [getattr(module, "API_TAG", module.__name__.rpartition(".")[2])]


# A plain APIView whose malformed input is refused in the shape of ApplicationError. (A
# comment, not a docstring: the schema would show a docstring as every endpoint's text.)
class ApiView(APIView):
    parser_classes = [JSONParser]
    schema = ApiSchema()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # A NUL byte in a path (a%00b) can name nothing, and PostgreSQL refuses it in queries.
        if any("\x00" in str(value) for value in kwargs.values()):
            raise exceptions.NotFound()

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, exceptions.ParseError):
            exc = ApplicationError(
                _("The request body could not be read: %(error)s") % {"error": exc.detail},
                hint=_("Send a JSON object with Content-Type: application/json."),
            )
        elif isinstance(exc, exceptions.ValidationError):
            exc = invalid_input(exc.detail, where=BODY)
        return super().handle_exception(exc)


def acting_user(request: Request) -> "User":
    """The signed-in user; every API view requires one (DEFAULT_PERMISSION_CLASSES)."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise exceptions.NotAuthenticated()
    return user


class Input(serializers.Serializer):
    """An input serializer that refuses fields it does not know instead of ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            _("This field is not known here. Known fields: %(known)s.")
                            % {"known": ", ".join(sorted(known))}
                        ]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class EnumField(serializers.ChoiceField):
    """A choice field documented as one named enum (see core.api_schema)."""

    def __init__(self, choices: Any, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class FiniteFloatField(serializers.FloatField):
    """A number that is not NaN or infinite ("NaN" would pass min/max checks unnoticed)."""

    def to_internal_value(self, data: Any) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            raise serializers.ValidationError(_("A finite number is required."))
        return value


def flatten_errors(detail: Any, field: str = "") -> Iterator[tuple[str, str]]:
    """(field, message) pairs from DRF's nested error details; nested fields as a.b.0."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "" if key == api_settings.NON_FIELD_ERRORS_KEY else str(key)
            yield from flatten_errors(value, ".".join(part for part in (field, name) if part))
    elif isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            if isinstance(item, Mapping | list | tuple):
                yield from flatten_errors(item, f"{field}.{index}" if field else str(index))
            else:
                yield field, str(item)
    else:
        yield field, str(detail)


def invalid_input(detail: Any, *, where: str) -> ApplicationError:
    problems = [
        Problem(message=message, where=where, field=field)
        for field, message in flatten_errors(detail)
    ]
    return ApplicationError(
        _("Some values are not valid: %(problems)s")
        % {"problems": "; ".join(str(problem) for problem in problems)},
        hint=_("Correct the fields named in the problems and send the request again."),
        problems=problems,
    )


def parse(
    serializer_class: type[serializers.Serializer],
    data: Any,
    *,
    where: str = BODY,
    context: dict[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """The validated data, or an ApplicationError naming every problem."""
    serializer = serializer_class(data=data, context=context or {}, partial=partial)
    if not serializer.is_valid():
        raise invalid_input(serializer.errors, where=where)
    return dict(serializer.validated_data)


def parse_query(
    serializer_class: type[serializers.Serializer],
    request: Request,
    *,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return parse(serializer_class, request.query_params, where=QUERY, context=context)


class LimitOffset(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


class NewestFirstCursor(CursorPagination):
    ordering = ("-at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(
        self, queryset: QuerySet | Sequence, request: Request, view: APIView | None = None
    ) -> list | None:
        # A cursor is only base64: a forged one can carry a position that is no timestamp.
        try:
            return super().paginate_queryset(queryset, request, view)
        except DjangoValidationError:
            raise exceptions.NotFound(self.invalid_cursor_message) from None


def paginated_response(
    *,
    request: Request,
    view: APIView,
    queryset: QuerySet,
    serializer_class: type[serializers.Serializer],
    context: dict[str, Any] | None = None,
) -> Response:
    paginator = view.pagination_class()  # type: ignore[attr-defined]
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)


class CsvRenderer(BaseRenderer):
    """Declares text/csv; the views that use it return a StreamingHttpResponse themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return str(data or "").encode()


class FirstRendererNegotiation(BaseContentNegotiation):
    """Downloads answer in their one format whatever the Accept header asks."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type or ""


# The shapes of refusals, for the OpenAPI schema.


class ProblemSerializer(serializers.Serializer):
    message = serializers.CharField()
    where = serializers.CharField(help_text="File, sheet, row, feature, or request part.")
    field = serializers.CharField()
    hint = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    hint = serializers.CharField()
    problems = ProblemSerializer(many=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused: nothing was written."),
    401: OpenApiResponse(DetailSerializer, description="Not signed in, or the token is invalid."),
    403: OpenApiResponse(DetailSerializer, description="Your role does not allow this."),
    404: OpenApiResponse(
        DetailSerializer, description="Not found, or outside the operations you can see."
    ),
}


def refusals(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an endpoint; 401 always applies."""
    return {code: REFUSALS[code] for code in sorted({401, *codes})}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Services' refusals become 400 {"message", "hint", "problems"}; the rest as DRF does."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
