"""A round's validation issues, for those who review: listed with filters, and explained."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.core.api import (
    ApiView,
    EnumField,
    Input,
    LimitOffset,
    acting_user,
    paginated_response,
    parse,
    parse_query,
    refusals,
)
from opendtm.tracking.api.fields import ROUND_PATH, round_of
from opendtm.tracking.models import ValidationIssue
from opendtm.tracking.selectors.rounds import IssueFilters, issue_get, issue_list
from opendtm.tracking.services.validation import issue_explain


def state_field(**kwargs: object) -> EnumField:
    return EnumField(ValidationIssue.State.choices, enum_name="IssueState", **kwargs)


def severity_field(**kwargs: object) -> EnumField:
    return EnumField(ValidationIssue.Severity.choices, enum_name="IssueSeverity", **kwargs)


class IssueSubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    form_id = serializers.CharField(source="form.form_id")


class IssueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    submission = IssueSubmissionSerializer(
        allow_null=True, help_text="Null for a rule over places, such as duplicates."
    )
    site = serializers.CharField(source="site.code", allow_null=True, default=None)
    admin_area = serializers.CharField(source="admin_area.pcode", allow_null=True, default=None)
    rule = serializers.CharField(help_text="sex_sum, age_sum, duplicate_place, change, ...")
    field = serializers.CharField(help_text="The indicator or form field the rule looked at.")
    message = serializers.CharField()
    severity = severity_field(help_text="A blocking issue, while open, stops publishing.")
    state = state_field()
    explanation = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class IssueListApi(ApiView):
    pagination_class = LimitOffset

    class FilterSerializer(serializers.Serializer):
        state = state_field(required=False, allow_blank=True, default="")
        severity = severity_field(required=False, allow_blank=True, default="")
        rule = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)

    @extend_schema(
        summary="The round's validation issues, blocking and open ones first",
        parameters=[*ROUND_PATH, FilterSerializer],
        responses={200: IssueSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str, assessment_type: str, number: int) -> Response:
        round = round_of(request, slug, assessment_type, number)
        filters = parse_query(self.FilterSerializer, request)
        issues = issue_list(user=request.user, round=round, filters=IssueFilters(**filters))
        return paginated_response(
            request=request, view=self, queryset=issues, serializer_class=IssueSerializer
        )


class IssueExplainApi(ApiView):
    class InputSerializer(Input):
        explanation = serializers.CharField(
            max_length=5000, help_text="Why the figure is right; kept in the audit log."
        )

        class Meta:
            ref_name = "IssueExplanation"

    @extend_schema(
        summary="Explain an issue: the figure is right; it no longer blocks publishing",
        parameters=ROUND_PATH,
        request=InputSerializer,
        responses={200: IssueSerializer, **refusals(400, 403, 404)},
    )
    def post(
        self, request: Request, slug: str, assessment_type: str, number: int, issue_id: int
    ) -> Response:
        round = round_of(request, slug, assessment_type, number)
        issue = issue_get(user=request.user, round=round, pk=issue_id)
        data = parse(self.InputSerializer, request.data)
        issue = issue_explain(
            actor=acting_user(request), issue=issue, explanation=data["explanation"]
        )
        return Response(IssueSerializer(issue).data)
