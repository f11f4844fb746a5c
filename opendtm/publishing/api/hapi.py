"""HDX HAPI's IDP endpoint, /api/v1/affected-people/idps: HAPI's filters, field names and
answer ({"data": [...]}, paged by limit and offset), over every operation's published rounds.

It takes a subscription key (Ocp-Apim-Subscription-Key) or this API's own sign-in (a token
or a session), and each caller gets the public API's rate.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.authentication import ApiTokenAuthentication
from opendtm.core.api import ApiView, DetailSerializer, Input, parse_query, refusals
from opendtm.publishing.api.keys import (
    HasSubscriptionKeyOrSignedIn,
    PublicApiThrottle,
    SubscriptionKeyAuthentication,
)
from opendtm.publishing.selectors.hapi import HapiQuery, hapi_idps
from opendtm.tracking.api.fields import assessment_type_field

API_TAG = "HDX HAPI"
MAX_LIMIT = 10000  # HAPI's


def text(max_length: int, help_text: str) -> serializers.CharField:
    return serializers.CharField(required=False, max_length=max_length, help_text=help_text)


class IdpFilters(Input):
    location_code = text(128, "The country's ISO 3166-1 alpha-3 code.")
    location_name = text(512, "A part of the country's name.")
    admin1_code = text(128, "The admin 1 p-code.")
    admin1_name = text(512, "A part of the admin 1 name.")
    admin2_code = text(128, "The admin 2 p-code.")
    admin2_name = text(512, "A part of the admin 2 name.")
    admin_level = serializers.IntegerField(
        required=False, min_value=0, max_value=2, help_text="0, 1 or 2; all three if not given."
    )
    operation = text(200, "The operation's name.")
    assessment_type = assessment_type_field(required=False)
    reporting_round = serializers.IntegerField(required=False, min_value=1)
    reference_period_start = serializers.DateField(
        required=False, help_text="Rounds whose reference period starts on or after this date."
    )
    reference_period_end = serializers.DateField(
        required=False, help_text="Rounds whose reference period ends on or before this date."
    )
    population_min = serializers.IntegerField(required=False, min_value=0)
    population_max = serializers.IntegerField(required=False, min_value=0)
    limit = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_LIMIT, default=MAX_LIMIT
    )
    offset = serializers.IntegerField(required=False, min_value=0, default=0)
    # Accepted so that HAPI's clients work unchanged; this server does not need them.
    app_identifier = text(512, "HAPI's caller identifier; accepted, not needed here.")
    output_format = serializers.ChoiceField(["json"], required=False, help_text="json only.")


class HapiIdpSerializer(serializers.Serializer):
    location_code = serializers.CharField(help_text="ISO 3166-1 alpha-3.")
    location_name = serializers.CharField()
    admin1_code = serializers.CharField(allow_null=True, help_text="null at admin level 0.")
    admin1_name = serializers.CharField(allow_null=True)
    admin2_code = serializers.CharField(allow_null=True, help_text="null below admin level 2.")
    admin2_name = serializers.CharField(allow_null=True)
    admin_level = serializers.IntegerField()
    operation = serializers.CharField()
    assessment_type = serializers.CharField(help_text="BA, SA or ETT.")
    reporting_round = serializers.IntegerField()
    population = serializers.IntegerField(allow_null=True, help_text="IDPs; null when blanked.")
    reference_period_start = serializers.CharField(help_text="YYYY-MM-DDT00:00:00")
    reference_period_end = serializers.CharField(help_text="YYYY-MM-DDT00:00:00")
    suppression_note = serializers.CharField(
        allow_null=True, help_text="Not in HAPI: why the population is blanked; null if it is not."
    )


class IdpListApi(ApiView):
    authentication_classes = [
        SubscriptionKeyAuthentication,
        ApiTokenAuthentication,
        SessionAuthentication,
    ]
    permission_classes = [HasSubscriptionKeyOrSignedIn]
    throttle_classes = [PublicApiThrottle]

    @extend_schema(
        summary="IDPs per place and published round, in HDX HAPI's shape",
        parameters=[IdpFilters],
        responses={
            200: inline_serializer("HapiIdpAnswer", fields={"data": HapiIdpSerializer(many=True)}),
            **refusals(400),
            429: OpenApiResponse(
                DetailSerializer, description="Too many requests: see Retry-After."
            ),
        },
    )
    def get(self, request: Request) -> Response:
        filters: dict[str, Any] = parse_query(IdpFilters, request)
        limit, offset = filters.pop("limit"), filters.pop("offset")
        filters.pop("app_identifier", None)
        filters.pop("output_format", None)
        return Response({"data": hapi_idps(query=HapiQuery(**filters), limit=limit, offset=offset)})
