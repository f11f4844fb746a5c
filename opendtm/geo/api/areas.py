"""Admin areas: lists, one area with its history, and boundaries as GeoJSON."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.api import (
    ApiView,
    LimitOffset,
    paginated_response,
    parse_query,
    refusals,
)
from opendtm.geo.api.fields import AreaFeatureCollectionSerializer, AreaField, PcodeField
from opendtm.geo.models import AdminArea
from opendtm.geo.selectors import area_get, area_list, area_versions, areas_geojson


class AreaSerializer(serializers.Serializer):
    pcode = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    parent_pcode = serializers.CharField(source="parent.pcode", allow_null=True, default=None)
    parent_name = serializers.CharField(source="parent.name", allow_null=True, default=None)
    alt_names = serializers.ListField(child=serializers.CharField())
    bbox = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="[min_lon, min_lat, max_lon, max_lat], or null without a boundary.",
    )
    valid_on = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(
        allow_null=True, help_text="Set when the p-code left the COD-AB: a retired area."
    )
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute


class AreaListApi(ApiView):
    pagination_class = LimitOffset

    class FilterSerializer(serializers.Serializer):
        level = serializers.IntegerField(min_value=0, max_value=5, required=False)
        parent = AreaField(
            required=False, allow_blank=True, help_text="Only the children of this p-code."
        )  # type: ignore[assignment]  # a field named like a Field attribute
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            help_text="Part of a name, or the start of a p-code.",
        )
        include_retired = serializers.BooleanField(required=False, default=False)

    class OutputSerializer(AreaSerializer):
        child_count = serializers.IntegerField()
        site_count = serializers.IntegerField()

        class Meta:
            ref_name = "AreaListItem"

    @extend_schema(
        summary="The admin areas of this operation",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        context = {"user": request.user, "operation": operation}
        filters = parse_query(self.FilterSerializer, request, context=context)
        areas = area_list(
            user=request.user,
            operation=operation,
            level=filters.get("level"),
            parent=filters.get("parent") or None,
            text=filters["q"],
            include_retired=filters["include_retired"],
        )
        return paginated_response(
            request=request, view=self, queryset=areas, serializer_class=self.OutputSerializer
        )


class AreaDetailApi(ApiView):
    class OutputSerializer(AreaSerializer):
        class VersionSerializer(serializers.Serializer):
            name = serializers.CharField()
            parent_pcode = serializers.CharField()
            alt_names = serializers.ListField(child=serializers.CharField())
            valid_on = serializers.DateField(allow_null=True)
            valid_to = serializers.DateField(allow_null=True)
            source = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
            created_at = serializers.DateTimeField()

            class Meta:
                ref_name = "AreaVersion"

        versions = serializers.SerializerMethodField(
            help_text="Former states from earlier COD-AB versions, newest first."
        )

        class Meta:
            ref_name = "AreaDetail"

        @extend_schema_field(VersionSerializer(many=True))
        def get_versions(self, area: AdminArea) -> Any:
            return self.VersionSerializer(self.context["versions"], many=True).data

    @extend_schema(
        summary="One admin area by p-code (ISO2 or ISO3 prefix), with its former versions",
        responses={200: OutputSerializer, **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, pcode: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        area = area_get(user=request.user, operation=operation, pcode=pcode)
        versions = area_versions(user=request.user, area=area)
        return Response(self.OutputSerializer(area, context={"versions": versions}).data)


class AreaGeojsonApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        level = serializers.IntegerField(min_value=0, max_value=5)
        parent = PcodeField(  # type: ignore[assignment]  # a field named like a Field attribute
            required=False, default="", help_text="Only areas under this p-code (a prefix)."
        )

    @extend_schema(
        summary="The simplified boundaries of one admin level, as a GeoJSON FeatureCollection",
        parameters=[FilterSerializer],
        responses={200: AreaFeatureCollectionSerializer, **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        filters = parse_query(self.FilterSerializer, request, context={"operation": operation})
        collection = areas_geojson(user=request.user, operation=operation, **filters)
        return Response(collection)
