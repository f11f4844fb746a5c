"""Serializer fields and shapes shared by the geo API."""

from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

from opendtm.core.errors import NotFound
from opendtm.geo.models import AdminArea
from opendtm.geo.pcodes import PcodeError, normalize_pcode
from opendtm.geo.selectors import area_get


class PcodeField(serializers.CharField):
    """A p-code with the ISO2 or ISO3 prefix, rewritten to the operation's style.

    Needs "operation" in the serializer context.
    """

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return normalize_pcode(text, self.context["operation"])
        except PcodeError as error:
            raise serializers.ValidationError(str(error)) from None


class AreaField(serializers.CharField):
    """An admin area given by its p-code, looked up with the caller's rights.

    Needs "user" and "operation" in the serializer context.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "The p-code of the admin area (ISO2 or ISO3 prefix).")
        super().__init__(**kwargs)

    def run_validation(self, data: Any = empty) -> AdminArea | None:
        # The text is checked as any CharField's; only then is it looked up. Blank is none.
        pcode = super().run_validation(data)
        if not pcode:
            return None
        try:
            return area_get(
                user=self.context["user"], operation=self.context["operation"], pcode=pcode
            )
        except NotFound as error:
            raise serializers.ValidationError(str(error)) from None

    def to_representation(self, value: AdminArea) -> str:  # type: ignore[override]
        return value.pcode


class AreaRefSerializer(serializers.Serializer):
    pcode = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()


# GeoJSON, as the selectors build it (documentation of the response; not run on output).


class AreaFeatureSerializer(serializers.Serializer):
    class PropertiesSerializer(serializers.Serializer):
        pcode = serializers.CharField()
        name = serializers.CharField()
        level = serializers.IntegerField()
        parent = serializers.CharField(allow_null=True, help_text="Parent p-code.")  # type: ignore[assignment]  # a field named like a Field attribute

        class Meta:
            ref_name = "AreaFeatureProperties"

    type = serializers.CharField(help_text='Always "Feature".')
    id = serializers.CharField(help_text="The p-code.")
    properties = PropertiesSerializer()
    geometry = serializers.JSONField(help_text="A simplified GeoJSON (multi)polygon, EPSG:4326.")


class AreaFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='Always "FeatureCollection".')
    features = AreaFeatureSerializer(many=True)


class SiteFeatureSerializer(serializers.Serializer):
    class PropertiesSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        type = serializers.CharField()
        status = serializers.CharField()
        pcode = serializers.CharField(allow_null=True, help_text="The admin area's p-code.")
        outside_area = serializers.BooleanField()

        class Meta:
            ref_name = "SiteFeatureProperties"

    type = serializers.CharField(help_text='Always "Feature".')
    id = serializers.CharField(help_text="The site code.")
    properties = PropertiesSerializer()
    geometry = serializers.JSONField(help_text="A GeoJSON Point, [longitude, latitude].")


class SiteFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='Always "FeatureCollection".')
    features = SiteFeatureSerializer(many=True)
