"""Figures: a round's at one admin level or per site, the latest per place across rounds,
and one area's time series. Each row names its place; the names of a page's places are read
in one query, whatever the page's length."""

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.models import Operation
from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.api import ApiView, LimitOffset, parse_query, refusals
from opendtm.geo.api.fields import AreaField
from opendtm.geo.selectors import area_get
from opendtm.tracking.api.fields import (
    ROUND_PATH,
    IndicatorCodeField,
    IndicatorCodesField,
    LevelField,
    assessment_type_field,
    round_of,
)
from opendtm.tracking.selectors.figures import figures_by_level, latest_by_level, time_series
from opendtm.tracking.selectors.indicators import indicator_list
from opendtm.tracking.selectors.places import place_names


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField(help_text="The p-code, or the site code at the site level.")
    name = serializers.CharField()


# A row naming its place from context["places"] (a comment: subclasses would inherit a
# docstring as their schema description).
class PlacedRowSerializer(serializers.Serializer):
    place = serializers.SerializerMethodField(
        help_text="The admin area or site (sites only for those who may see sites); null at "
        "level 0, the whole operation."
    )
    indicator = serializers.CharField(help_text="The indicator code.")

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_place(self, row: Any) -> Any:
        place = self.context["places"].get(row.place_id)
        return None if place is None else PlaceSerializer(place).data


class FigureSerializer(PlacedRowSerializer):
    sex = serializers.CharField(help_text="f or m; empty for both.")
    age_band = serializers.CharField(help_text="Such as 0-4 or 60+; empty for all ages.")
    value = serializers.FloatField(
        help_text="Stocks summed over places; yes/no and ranks: places answering yes or ranking "
        "it first."
    )
    places = serializers.IntegerField(help_text="How many places reported it.")
    previous = serializers.FloatField(
        allow_null=True, help_text="In the previous published round of the same type."
    )
    change = serializers.FloatField(allow_null=True)
    change_percent = serializers.FloatField(allow_null=True)


class LatestSerializer(PlacedRowSerializer):
    value = serializers.FloatField()
    round_number = serializers.IntegerField(help_text="The latest published round with it.")
    period_end = serializers.DateField()


def placed_page(
    view: ApiView,
    request: Request,
    *,
    operation: Operation,
    level: int | str,
    rows: Sequence[Any],
    serializer_class: type[PlacedRowSerializer],
) -> Response:
    paginator = view.pagination_class()  # type: ignore[attr-defined]
    page = paginator.paginate_queryset(rows, request, view=view)
    ids = {row.place_id for row in page if row.place_id is not None}
    places = place_names(user=request.user, operation=operation, level=level, ids=ids)
    data = serializer_class(page, many=True, context={"places": places}).data
    return paginator.get_paginated_response(data)


class RoundFigureListApi(ApiView):
    pagination_class = LimitOffset

    class FilterSerializer(serializers.Serializer):
        level = LevelField()
        indicator = IndicatorCodesField(help_text="Repeat for several; all you may see if none.")
        area = AreaField(
            required=False,
            allow_blank=True,
            allow_null=True,
            default=None,
            help_text="Only the places inside this admin area (a p-code): drill-down.",
        )

    @extend_schema(
        summary="The round's figures at one admin level or per site, with the previous round's",
        description="The published revision; the draft instead for those who review. Protection "
        "indicators only for protection officers.",
        parameters=[*ROUND_PATH, FilterSerializer],
        responses={200: FigureSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str, assessment_type: str, number: int) -> Response:
        round = round_of(request, slug, assessment_type, number)
        context = {"user": request.user, "operation": round.operation}
        filters = parse_query(self.FilterSerializer, request, context=context)
        rows = figures_by_level(
            user=request.user,
            round=round,
            level=filters["level"],
            codes=filters["indicator"],
            within=filters["area"],
        )
        return placed_page(
            self,
            request,
            operation=round.operation,
            level=filters["level"],
            rows=rows,
            serializer_class=FigureSerializer,
        )


class LatestFigureListApi(ApiView):
    pagination_class = LimitOffset

    class FilterSerializer(serializers.Serializer):
        assessment_type = assessment_type_field()
        level = LevelField()
        indicator = IndicatorCodesField(help_text="Repeat for several; all you may see if none.")

    @extend_schema(
        summary="Per place, each indicator's total in the latest published round that has it",
        description="Never a sum across rounds: a place assessed in rounds 3 and 5 counts "
        "round 5 alone. Totals only, without sex and age.",
        parameters=[FilterSerializer],
        responses={200: LatestSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        context = {"user": request.user, "operation": operation}
        filters = parse_query(self.FilterSerializer, request, context=context)
        codes = filters["indicator"] or list(
            indicator_list(user=request.user, operation=operation).values_list("code", flat=True)
        )
        rows = latest_by_level(
            user=request.user,
            operation=operation,
            assessment_type=filters["assessment_type"],
            level=filters["level"],
            codes=codes,
        )
        return placed_page(
            self,
            request,
            operation=operation,
            level=filters["level"],
            rows=rows,
            serializer_class=LatestSerializer,
        )


class TimeSeriesPointSerializer(serializers.Serializer):
    round_number = serializers.IntegerField()
    period_end = serializers.DateField()
    value = serializers.FloatField(help_text="The area's total in that round.")


class AreaTimeSeriesApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        assessment_type = assessment_type_field()
        indicator = IndicatorCodeField(max_length=60)

    @extend_schema(
        summary="One indicator's total in an admin area, round after published round",
        parameters=[FilterSerializer],
        responses={200: TimeSeriesPointSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str, pcode: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        area = area_get(user=request.user, operation=operation, pcode=pcode)
        context = {"user": request.user, "operation": operation}
        filters = parse_query(self.FilterSerializer, request, context=context)
        series = time_series(
            user=request.user,
            area=area,
            assessment_type=filters["assessment_type"],
            code=filters["indicator"],
        )
        points = [
            {"round_number": number, "period_end": end, "value": value}
            for number, end, value in series
        ]
        return Response(TimeSeriesPointSerializer(points, many=True).data)
