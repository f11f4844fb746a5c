"""IOM's DTM API v3 under /v3/displacement/: IOM's paths, parameters, key header and
answers, so that IOM's own clients (dtmapi for Python and R) read this server unchanged.

Every answer, refusals included, is IOM's envelope {"isSuccess", "result", "errorMessages"}:
400 for a parameter that cannot be read or names nothing published, 401 for a missing,
unknown or revoked key, 429 beyond the key's rate. Parameter names are matched ignoring
case, as IOM's server does.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opendtm.core.api import QUERY, ApiSchema, Input, flatten_errors, parse
from opendtm.core.errors import ApplicationError, Problem
from opendtm.publishing.api.keys import (
    HEADER,
    HasSubscriptionKey,
    PublicApiThrottle,
    SubscriptionKeyAuthentication,
)
from opendtm.publishing.selectors.dtm import DtmQuery, country_list, dtm_records, operation_list

API_TAG = "DTM API v3"


def envelope(result: object, messages: Iterable[str] = ()) -> dict[str, Any]:
    errors = list(messages)
    return {"isSuccess": not errors, "result": result, "errorMessages": errors}


def error_messages(exc: Exception) -> list[str]:
    if isinstance(exc, ApplicationError):
        return [problem_text(problem) for problem in exc.problems] or [
            " ".join(part for part in (exc.message, exc.hint) if part)
        ]
    if isinstance(exc, exceptions.NotAuthenticated):
        return [_("Send your subscription key in the %(header)s header.") % {"header": HEADER}]
    if isinstance(exc, exceptions.APIException):
        return [message for _field, message in flatten_errors(exc.detail)]
    return [str(exc)]


def problem_text(problem: Problem) -> str:
    text = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return f"{text} {problem.hint}" if problem.hint else text


def canonical(query: Mapping[str, str], known: Iterable[str]) -> dict[str, str]:
    """The query with IOM's parameter names spelt as IOM spells them; others untouched."""
    names = {name.casefold(): name for name in known}
    return {names.get(name.casefold(), name): value for name, value in query.items()}


# Parameters, as IOM names them. (Comments, not docstrings: the schema would show those.)


def text_parameter(source: str, help_text: str) -> serializers.CharField:
    return serializers.CharField(source=source, required=False, max_length=200, help_text=help_text)


def date_parameter(source: str, help_text: str) -> serializers.DateField:
    return serializers.DateField(
        source=source, required=False, input_formats=["%Y-%m-%d"], help_text=help_text
    )


def round_parameter(source: str, help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        source=source, required=False, min_value=0, help_text=f"{help_text} 0 for no bound."
    )


class NoParameters(Input):
    pass


class Admin0Parameters(Input):
    Operation = text_parameter("operation", "The operation's name, as operation-list gives it.")
    CountryName = text_parameter("country_name", "The country's name, as country-list gives it.")
    Admin0Pcode = text_parameter("admin0_pcode", "The country's ISO 3166-1 alpha-3 code.")
    FromReportingDate = date_parameter("from_reporting_date", "Reported on or after, YYYY-MM-DD.")
    ToReportingDate = date_parameter("to_reporting_date", "Reported on or before, YYYY-MM-DD.")
    FromRoundNumber = round_parameter("from_round_number", "The first round number.")
    ToRoundNumber = round_parameter("to_round_number", "The last round number.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(attrs.get(name) for name in ("operation", "country_name", "admin0_pcode")):
            raise serializers.ValidationError(
                _("Give at least one of Operation, CountryName or Admin0Pcode.")
            )
        first, last = attrs.get("from_reporting_date"), attrs.get("to_reporting_date")
        if first and last and first > last:
            raise serializers.ValidationError(
                {"ToReportingDate": _("It is before FromReportingDate.")}
            )
        first, last = attrs.get("from_round_number"), attrs.get("to_round_number")
        if first and last and first > last:
            raise serializers.ValidationError({"ToRoundNumber": _("It is below FromRoundNumber.")})
        return attrs


class Admin1Parameters(Admin0Parameters):
    Admin1Name = text_parameter("admin1_name", "The admin 1 area's name.")
    Admin1Pcode = text_parameter("admin1_pcode", "The admin 1 area's p-code.")


class Admin2Parameters(Admin1Parameters):
    Admin2Name = text_parameter("admin2_name", "The admin 2 area's name.")
    Admin2Pcode = text_parameter("admin2_pcode", "The admin 2 area's p-code.")


# The answers' shapes, for the OpenAPI schema.


def count_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text=help_text)


class DtmAdmin0RecordSerializer(serializers.Serializer):
    operation = serializers.CharField()
    admin0Name = serializers.CharField()
    admin0Pcode = serializers.CharField(help_text="ISO 3166-1 alpha-3.")
    numPresentIdpInd = count_field("IDPs present (persons); null when blanked.")
    reportingDate = serializers.CharField(help_text="The round's end: YYYY-MM-DDT00:00:00.")
    yearReportingDate = serializers.IntegerField()
    monthReportingDate = serializers.IntegerField()
    roundNumber = serializers.IntegerField()
    numberMales = count_field("Male IDPs; null when not reported or blanked.")
    numberFemales = count_field("Female IDPs; null when not reported or blanked.")
    assessmentType = serializers.CharField(help_text="BA, SA or ETT.")
    suppressionNote = serializers.CharField(
        allow_null=True,
        help_text="Not in IOM's API: why counts of this record are blanked; null if none is.",
    )


class DtmAdmin1RecordSerializer(DtmAdmin0RecordSerializer):
    id = serializers.IntegerField(help_text="One number per place and round.")
    admin1Name = serializers.CharField()
    admin1Pcode = serializers.CharField()


class DtmAdmin2RecordSerializer(DtmAdmin1RecordSerializer):
    admin2Name = serializers.CharField()
    admin2Pcode = serializers.CharField()


class DtmCountrySerializer(serializers.Serializer):
    admin0Name = serializers.CharField()
    admin0Pcode = serializers.CharField()


class DtmOperationSerializer(serializers.Serializer):
    operation = serializers.CharField()
    operationStatus = serializers.CharField(
        help_text="Active while its newest published round ended less than a year ago."
    )
    admin0Name = serializers.CharField()
    admin0Pcode = serializers.CharField()


def enveloped(name: str, result: serializers.Field) -> serializers.Serializer:
    return inline_serializer(
        name,
        fields={
            "isSuccess": serializers.BooleanField(),
            "result": result,
            "errorMessages": serializers.ListField(child=serializers.CharField()),
        },
    )


REFUSED = enveloped("DtmRefusal", serializers.JSONField(allow_null=True, help_text="null"))


def documented(
    summary: str, answer: str, result: serializers.Field, parameters: type[Input] | None = None
) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[parameters] if parameters else [],
        responses={200: enveloped(answer, result)} | dict.fromkeys((400, 401, 429), REFUSED),
    )


# The endpoints.


class DtmApiView(APIView):
    authentication_classes = [SubscriptionKeyAuthentication]
    permission_classes = [HasSubscriptionKey]
    throttle_classes = [PublicApiThrottle]
    renderer_classes = [JSONRenderer]
    schema = ApiSchema()
    parameters: type[Input] = NoParameters

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        response.data = envelope(None, error_messages(exc))
        return response

    def query(self, request: Request) -> dict[str, Any]:
        given = canonical(request.query_params, self.parameters().fields)
        return parse(self.parameters, given, where=QUERY)


class IdpAdminApi(DtmApiView):
    level = 0

    def get(self, request: Request) -> Response:
        query = DtmQuery(**self.query(request))
        return Response(envelope(dtm_records(level=self.level, query=query)))


@extend_schema_view(
    get=documented(
        "IDPs per country and round",
        "DtmAdmin0Answer",
        DtmAdmin0RecordSerializer(many=True),
        Admin0Parameters,
    )
)
class IdpAdmin0Api(IdpAdminApi):
    level, parameters = 0, Admin0Parameters


@extend_schema_view(
    get=documented(
        "IDPs per admin 1 area and round",
        "DtmAdmin1Answer",
        DtmAdmin1RecordSerializer(many=True),
        Admin1Parameters,
    )
)
class IdpAdmin1Api(IdpAdminApi):
    level, parameters = 1, Admin1Parameters


@extend_schema_view(
    get=documented(
        "IDPs per admin 2 area and round",
        "DtmAdmin2Answer",
        DtmAdmin2RecordSerializer(many=True),
        Admin2Parameters,
    )
)
class IdpAdmin2Api(IdpAdminApi):
    level, parameters = 2, Admin2Parameters


class CountryListApi(DtmApiView):
    @documented(
        "Countries with published data", "DtmCountryAnswer", DtmCountrySerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        self.query(request)  # refuses parameters: this list takes none
        return Response(envelope(country_list()))


class OperationListApi(DtmApiView):
    @documented(
        "Operations with published data", "DtmOperationAnswer", DtmOperationSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        self.query(request)
        return Response(envelope(operation_list()))
