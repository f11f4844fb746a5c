"""What the tracking API modules share: finding the round a URL names, its path parameters,
and the fields for assessment types, admin levels and indicator codes."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.api import EnumField
from opendtm.tracking.models import AssessmentType, Round
from opendtm.tracking.selectors.figures import SITE_LEVEL
from opendtm.tracking.selectors.indicators import indicator_list
from opendtm.tracking.selectors.rounds import round_get

ROUND_PATH = [
    OpenApiParameter(
        "assessment_type",
        str,
        OpenApiParameter.PATH,
        enum=AssessmentType.values,
        description="BA (baseline area), SA (site) or ETT (emergency event).",
    ),
    OpenApiParameter("number", int, OpenApiParameter.PATH, description="The round number."),
]


def round_of(request: Request, slug: str, assessment_type: str, number: int) -> Round:
    operation = operation_get(user=request.user, slug=slug)
    return round_get(
        user=request.user, operation=operation, assessment_type=assessment_type, number=number
    )


def assessment_type_field(**kwargs: Any) -> EnumField:
    return EnumField(AssessmentType.choices, enum_name="AssessmentType", **kwargs)


class LevelField(EnumField):
    """0 to 3 (an admin level) or "site"; the number comes out as an int."""

    def __init__(self, **kwargs: Any) -> None:
        choices = [("0", "admin0"), ("1", "admin1"), ("2", "admin2"), ("3", "admin3")]
        choices.append((SITE_LEVEL, "site"))
        kwargs.setdefault("help_text", "The admin level (0 is the whole operation), or site.")
        super().__init__(choices, enum_name="FigureLevel", **kwargs)

    def to_internal_value(self, data: Any) -> int | str:  # type: ignore[override]  # or "site"
        value = super().to_internal_value(data)
        return value if value == SITE_LEVEL else int(value)


def refuse_hidden_codes(context: Mapping[str, Any], codes: list[str]) -> None:
    """Unknown codes and codes whose figures the user may not see are refused alike."""
    visible = set(
        indicator_list(user=context["user"], operation=context["operation"])
        .filter(code__in=codes)
        .values_list("code", flat=True)
    )
    hidden = [code for code in codes if code not in visible]
    if hidden:
        raise serializers.ValidationError(
            _("No indicator %(codes)s that you can see. The indicators list has the codes.")
            % {"codes": ", ".join(hidden)}
        )


class IndicatorCodeField(serializers.CharField):
    """One indicator code. Needs "user" and "operation" in the serializer context."""

    def to_internal_value(self, data: Any) -> str:
        code = super().to_internal_value(data)
        refuse_hidden_codes(self.context, [code])
        return code


class IndicatorCodesField(serializers.ListField):
    """Indicator codes, the parameter repeated; checked in one query. Needs "user" and
    "operation" in the serializer context."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.CharField(max_length=60))
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        codes = super().to_internal_value(data)
        refuse_hidden_codes(self.context, codes)
        return codes
