"""The indicator catalogue: the built-in entries and the operation's own, which can be
added, changed and deleted."""

import dataclasses

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.api import (
    ApiView,
    EnumField,
    Input,
    LimitOffset,
    acting_user,
    paginated_response,
    parse,
    refusals,
)
from opendtm.tracking.models import Indicator
from opendtm.tracking.selectors.indicators import catalogue_get, catalogue_list
from opendtm.tracking.services.indicators import (
    IndicatorData,
    indicator_create,
    indicator_delete,
    indicator_update,
)

ENUMS = {
    "category": (Indicator.Category, "IndicatorCategory"),
    "unit": (Indicator.Unit, "IndicatorUnit"),
    "aggregation": (Indicator.Aggregation, "IndicatorAggregation"),
    "sensitivity": (Indicator.Sensitivity, "IndicatorSensitivity"),
}


def enum_field(name: str, **kwargs: object) -> EnumField:
    choices, enum_name = ENUMS[name]
    return EnumField(choices.choices, enum_name=enum_name, **kwargs)


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    label_en = serializers.CharField()
    label_fr = serializers.CharField()
    category = enum_field("category")
    unit = enum_field("unit")
    hxl_tag = serializers.CharField()
    by_sex = serializers.BooleanField()
    by_age = serializers.BooleanField()
    aggregation = enum_field("aggregation")
    sensitivity = enum_field(
        "sensitivity",
        help_text="restricted: for those who see submissions; protection: for protection "
        "officers only.",
    )
    sector = serializers.CharField()
    builtin = serializers.SerializerMethodField(
        help_text="Part of the built-in catalogue: it cannot be changed."
    )

    def get_builtin(self, indicator: Indicator) -> bool:
        return indicator.operation_id is None


class IndicatorInputSerializer(Input):
    code = serializers.CharField(max_length=60)
    label_en = serializers.CharField(max_length=200)
    label_fr = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    category = enum_field("category")
    unit = enum_field("unit")
    aggregation = enum_field("aggregation")
    hxl_tag = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    by_sex = serializers.BooleanField(required=False, default=False)
    by_age = serializers.BooleanField(required=False, default=False)
    sensitivity = enum_field("sensitivity", required=False, default=Indicator.Sensitivity.PUBLIC)
    sector = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)

    class Meta:
        ref_name = "IndicatorInput"


def indicator_data_of(indicator: Indicator) -> IndicatorData:
    """The indicator's current values, for a partial update to start from."""
    names = [field.name for field in dataclasses.fields(IndicatorData)]
    return IndicatorData(**{name: getattr(indicator, name) for name in names})


class IndicatorListCreateApi(ApiView):
    pagination_class = LimitOffset

    @extend_schema(
        summary="The indicator catalogue: built-in first, then the operation's own",
        responses={200: IndicatorSerializer(many=True), **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        indicators = catalogue_list(user=request.user, operation=operation)
        return paginated_response(
            request=request, view=self, queryset=indicators, serializer_class=IndicatorSerializer
        )

    @extend_schema(
        summary="Add an indicator of the operation's own",
        request=IndicatorInputSerializer,
        responses={201: IndicatorSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        data = parse(IndicatorInputSerializer, request.data)
        indicator = indicator_create(
            actor=acting_user(request), operation=operation, data=IndicatorData(**data)
        )
        return Response(IndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)


class IndicatorDetailApi(ApiView):
    @extend_schema(
        summary="One indicator", responses={200: IndicatorSerializer, **refusals(403, 404)}
    )
    def get(self, request: Request, slug: str, code: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        indicator = catalogue_get(user=request.user, operation=operation, code=code)
        return Response(IndicatorSerializer(indicator).data)

    @extend_schema(
        summary="Change one of the operation's own indicators; fields left out keep their values",
        description="Once a form maps to it, its code, unit, aggregation and disaggregations "
        "are fixed.",
        request=IndicatorInputSerializer(partial=True),
        responses={200: IndicatorSerializer, **refusals(400, 403, 404)},
    )
    def patch(self, request: Request, slug: str, code: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        indicator = catalogue_get(user=request.user, operation=operation, code=code)
        changes = parse(IndicatorInputSerializer, request.data, partial=True)
        data = dataclasses.replace(indicator_data_of(indicator), **changes)
        indicator = indicator_update(
            actor=acting_user(request), operation=operation, indicator=indicator, data=data
        )
        return Response(IndicatorSerializer(indicator).data)

    @extend_schema(
        summary="Delete one of the operation's own indicators, if no form maps to it",
        responses={204: None, **refusals(400, 403, 404)},
    )
    def delete(self, request: Request, slug: str, code: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        indicator = catalogue_get(user=request.user, operation=operation, code=code)
        indicator_delete(actor=acting_user(request), operation=operation, indicator=indicator)
        return Response(status=status.HTTP_204_NO_CONTENT)
