"""An operation's tracking settings: its age bands and the change flagged between rounds."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.api import ApiView, Input, acting_user, parse, refusals
from opendtm.tracking.services.settings import tracking_settings_get, tracking_settings_update


class TrackingSettingsSerializer(serializers.Serializer):
    age_bands = serializers.ListField(
        child=serializers.CharField(),
        help_text='From 0, without gaps, the last one open: ["0-4", "5-17", "18-59", "60+"].',
    )
    change_threshold_percent = serializers.IntegerField(
        help_text="A change from the previous round beyond this percentage is flagged."
    )


class TrackingSettingsInputSerializer(Input):
    age_bands = serializers.ListField(
        child=serializers.CharField(max_length=10),
        max_length=30,
        help_text='From 0, without gaps, the last one open: ["0-4", "5-17", "18-59", "60+"].',
    )
    change_threshold_percent = serializers.IntegerField(
        help_text="1 to 1000: a change from the previous round beyond it is flagged."
    )

    class Meta:
        ref_name = "TrackingSettingsInput"


class TrackingSettingsApi(ApiView):
    @extend_schema(
        summary="The operation's tracking settings (the defaults until someone changes them)",
        responses={200: TrackingSettingsSerializer, **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        found = tracking_settings_get(user=request.user, operation=operation)
        return Response(TrackingSettingsSerializer(found).data)

    @extend_schema(
        summary="Change the tracking settings",
        request=TrackingSettingsInputSerializer,
        responses={200: TrackingSettingsSerializer, **refusals(400, 403, 404)},
    )
    def put(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        data = parse(TrackingSettingsInputSerializer, request.data)
        found = tracking_settings_update(actor=acting_user(request), operation=operation, **data)
        return Response(TrackingSettingsSerializer(found).data)
