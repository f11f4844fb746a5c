"""Sites: the master list, one site, points as GeoJSON, and fuzzy area matches to decide."""

import dataclasses

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.api import (
    ApiView,
    EnumField,
    FiniteFloatField,
    Input,
    LimitOffset,
    acting_user,
    paginated_response,
    parse,
    parse_query,
    refusals,
)
from opendtm.geo.api.fields import (
    AreaField,
    AreaRefSerializer,
    PcodeField,
    SiteFeatureCollectionSerializer,
)
from opendtm.geo.models import Site, SiteAreaMatch
from opendtm.geo.selectors import (
    SiteFilters,
    site_get,
    site_list,
    site_match_get,
    site_match_list,
    sites_geojson,
)
from opendtm.geo.services.sites import SiteData, site_area_match_decide, site_create, site_update


class SiteSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    type = EnumField(Site.Type.choices, enum_name="SiteType", source="site_type")
    status = EnumField(Site.Status.choices, enum_name="SiteStatus")
    admin_area = AreaRefSerializer(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField())
    outside_area = serializers.BooleanField(
        help_text="The coordinates fall outside the boundary of the site's admin area."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SiteFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Part of a name or alias, or a whole code.",
    )
    type = EnumField(
        Site.Type.choices, enum_name="SiteType", required=False, allow_blank=True, default=""
    )
    status = EnumField(
        Site.Status.choices,
        enum_name="SiteStatus",
        required=False,
        allow_blank=True,
        default="",
    )
    area = PcodeField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Sites in this admin area or any area under it.",
    )
    outside_area = serializers.BooleanField(
        required=False, default=False, help_text="Only sites outside their area's boundary."
    )
    without_area = serializers.BooleanField(
        required=False, default=False, help_text="Only sites without an admin area."
    )


class SiteInputSerializer(Input):
    code = serializers.CharField(max_length=60)
    name = serializers.CharField(max_length=200)
    type = EnumField(Site.Type.choices, enum_name="SiteType", source="site_type")
    status = EnumField(Site.Status.choices, enum_name="SiteStatus", default=Site.Status.OPEN)
    admin_area = AreaField(
        allow_null=True,
        required=False,
        default=None,
        help_text="The admin area's p-code (ISO2 or ISO3 prefix). Without it, a site with "
        "coordinates is placed in the deepest area whose boundary covers it.",
    )
    latitude = FiniteFloatField(
        min_value=-90, max_value=90, allow_null=True, required=False, default=None
    )
    longitude = FiniteFloatField(
        min_value=-180, max_value=180, allow_null=True, required=False, default=None
    )
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )

    class Meta:
        ref_name = "SiteInput"


def site_data_of(site: Site) -> SiteData:
    """The site's current values, for a partial update to start from."""
    return SiteData(
        code=site.code,
        name=site.name,
        site_type=site.site_type,
        status=site.status,
        admin_area=site.admin_area,
        latitude=site.latitude,
        longitude=site.longitude,
        aliases=list(site.aliases),
    )


class SiteListCreateApi(ApiView):
    pagination_class = LimitOffset
    FilterSerializer = SiteFilterSerializer
    InputSerializer = SiteInputSerializer
    OutputSerializer = SiteSerializer

    @extend_schema(
        summary="The sites of this operation",
        parameters=[SiteFilterSerializer],
        responses={200: SiteSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        filters = parse_query(self.FilterSerializer, request, context={"operation": operation})
        sites = site_list(
            user=request.user, operation=operation, filters=SiteFilters.from_query(filters)
        )
        return paginated_response(
            request=request, view=self, queryset=sites, serializer_class=self.OutputSerializer
        )

    @extend_schema(
        summary="Add a site",
        request=SiteInputSerializer,
        responses={201: SiteSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        context = {"user": request.user, "operation": operation}
        data = parse(self.InputSerializer, request.data, context=context)
        site = site_create(actor=acting_user(request), operation=operation, data=SiteData(**data))
        return Response(self.OutputSerializer(site).data, status=status.HTTP_201_CREATED)


class SiteDetailApi(ApiView):
    InputSerializer = SiteInputSerializer
    OutputSerializer = SiteSerializer

    @extend_schema(summary="One site", responses={200: SiteSerializer, **refusals(403, 404)})
    def get(self, request: Request, slug: str, code: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        site = site_get(user=request.user, operation=operation, code=code)
        return Response(self.OutputSerializer(site).data)

    @extend_schema(
        summary="Change a site; fields left out keep their values",
        request=SiteInputSerializer(partial=True),
        responses={200: SiteSerializer, **refusals(400, 403, 404)},
    )
    def patch(self, request: Request, slug: str, code: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        site = site_get(user=request.user, operation=operation, code=code)
        context = {"user": request.user, "operation": operation}
        changes = parse(self.InputSerializer, request.data, context=context, partial=True)
        data = dataclasses.replace(site_data_of(site), **changes)
        site = site_update(actor=acting_user(request), site=site, data=data)
        return Response(self.OutputSerializer(site).data)


class SiteGeojsonApi(ApiView):
    FilterSerializer = SiteFilterSerializer

    @extend_schema(
        summary="The sites with coordinates, as a GeoJSON FeatureCollection of points",
        parameters=[SiteFilterSerializer],
        responses={200: SiteFeatureCollectionSerializer, **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        filters = parse_query(self.FilterSerializer, request, context={"operation": operation})
        collection = sites_geojson(
            user=request.user, operation=operation, filters=SiteFilters.from_query(filters)
        )
        return Response(collection)


class SiteMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    site_code = serializers.CharField(source="site.code")
    site_name = serializers.CharField(source="site.name")
    given_name = serializers.CharField(help_text="The area name the import gave.")
    suggested_area = AreaRefSerializer()
    score = serializers.FloatField(help_text="Similarity of the names, 0 to 100.")
    status = EnumField(SiteAreaMatch.Status.choices, enum_name="MatchStatus")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class SiteMatchListApi(ApiView):
    pagination_class = LimitOffset

    class FilterSerializer(serializers.Serializer):
        status = EnumField(
            SiteAreaMatch.Status.choices,
            enum_name="MatchStatus",
            required=False,
            default=SiteAreaMatch.Status.PENDING,
        )

    @extend_schema(
        summary="Fuzzy matches of imported area names to p-codes, waiting for a decision",
        parameters=[FilterSerializer],
        responses={200: SiteMatchSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        filters = parse_query(self.FilterSerializer, request)
        matches = site_match_list(
            user=acting_user(request), operation=operation, status=filters["status"]
        )
        return paginated_response(
            request=request, view=self, queryset=matches, serializer_class=SiteMatchSerializer
        )


class SiteMatchDecideApi(ApiView):
    class InputSerializer(Input):
        accept = serializers.BooleanField(
            help_text="true puts the site in the suggested area; false rejects the match."
        )

        class Meta:
            ref_name = "SiteMatchDecision"

    @extend_schema(
        summary="Accept or reject a pending match",
        request=InputSerializer,
        responses={200: SiteMatchSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, match_id: int) -> Response:
        user = acting_user(request)
        operation = operation_get(user=user, slug=slug)
        match = site_match_get(user=user, operation=operation, match_id=match_id)
        data = parse(self.InputSerializer, request.data)
        match = site_area_match_decide(actor=user, match=match, accept=data["accept"])
        return Response(SiteMatchSerializer(match).data)
