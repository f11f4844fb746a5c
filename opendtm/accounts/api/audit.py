"""The audit log of an operation: browse it newest first, or export it as CSV."""

from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.selectors.audit import (
    EXPORT_HEADER,
    AuditFilters,
    audit_export_rows,
    audit_list,
)
from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.api import (
    ApiView,
    CsvRenderer,
    EnumField,
    FirstRendererNegotiation,
    NewestFirstCursor,
    acting_user,
    paginated_response,
    parse_query,
    refusals,
)
from opendtm.core.csv_export import csv_lines


class AuditFilterSerializer(serializers.Serializer):
    actor = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="A username."
    )
    action = EnumField(
        AuditEvent.Action.choices,
        enum_name="AuditAction",
        required=False,
        allow_blank=True,
        default="",
    )
    object_type = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="For example geo.site or accounts.membership.",
    )
    since = serializers.DateField(required=False, allow_null=True, default=None)
    until = serializers.DateField(required=False, allow_null=True, default=None)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Text in the label or note, or an object id.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["since"] and data["until"] and data["since"] > data["until"]:
            raise serializers.ValidationError({"until": "The period ends before it starts."})
        return data


class AuditListApi(ApiView):
    pagination_class = NewestFirstCursor
    FilterSerializer = AuditFilterSerializer

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        at = serializers.DateTimeField()
        actor = serializers.CharField(source="actor_name")
        action = EnumField(AuditEvent.Action.choices, enum_name="AuditAction")
        object_type = serializers.CharField()
        object_id = serializers.CharField()
        object_label = serializers.CharField()
        before = serializers.JSONField(allow_null=True)
        after = serializers.JSONField(allow_null=True)
        note = serializers.CharField()

        class Meta:
            ref_name = "AuditEvent"

    @extend_schema(
        summary="The audit log of this operation, newest first",
        parameters=[AuditFilterSerializer],
        responses={200: OutputSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        filters = AuditFilters.from_query(parse_query(self.FilterSerializer, request))
        events = audit_list(user=acting_user(request), operation=operation, filters=filters)
        return paginated_response(
            request=request, view=self, queryset=events, serializer_class=self.OutputSerializer
        )


class AuditExportApi(ApiView):
    """Streamed, so a log of any length is exported in constant memory. The export is logged."""

    renderer_classes = [JSONRenderer, CsvRenderer]
    content_negotiation_class = FirstRendererNegotiation
    FilterSerializer = AuditFilterSerializer

    @extend_schema(
        summary="The audit log of this operation as CSV (the export is itself audited)",
        operation_id="operations_audit_export",
        parameters=[AuditFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="CSV with a header row; cells that would run as formulas in a "
                "spreadsheet start with an apostrophe.",
            ),
            **refusals(400, 403, 404),
        },
    )
    def get(self, request: Request, slug: str) -> StreamingHttpResponse:
        operation = operation_get(user=request.user, slug=slug)
        filters = AuditFilters.from_query(parse_query(self.FilterSerializer, request))
        rows = audit_export_rows(user=acting_user(request), operation=operation, filters=filters)
        response = StreamingHttpResponse(
            csv_lines(EXPORT_HEADER, rows), content_type="text/csv; charset=utf-8"
        )
        name = f"audit-{operation.slug}-{timezone.now():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
