"""Rounds: listed, created, and read with their revisions, issue counts and coverage.

The actions that move a round on are in round_actions.py."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import can, operation_get
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
from opendtm.tracking.api.fields import ROUND_PATH, assessment_type_field, round_of
from opendtm.tracking.api.issues import severity_field, state_field
from opendtm.tracking.models import Round, RoundRevision
from opendtm.tracking.selectors.progress import issue_counts, round_revisions
from opendtm.tracking.selectors.rounds import Coverage, round_coverage, round_list
from opendtm.tracking.services.rounds import RoundData, round_create


def round_status_field(**kwargs: Any) -> EnumField:
    return EnumField(Round.Status.choices, enum_name="RoundStatus", **kwargs)


class RoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    assessment_type = assessment_type_field()
    title = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = round_status_field()
    published_revision = serializers.SerializerMethodField(
        help_text="The number of the revision now published; null before the first publication."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_published_revision(self, round: Round) -> int | None:
        # Reads the prefetched revisions: no query per round in a list.
        published = [
            revision.number
            for revision in round.revisions.all()
            if revision.status == RoundRevision.Status.PUBLISHED
        ]
        return published[0] if published else None


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = EnumField(RoundRevision.Status.choices, enum_name="RevisionStatus")
    reason = serializers.CharField(help_text="Why this correction was opened; empty for the first.")
    opened_by = serializers.CharField(source="opened_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    published_by = serializers.CharField(
        source="published_by.username", allow_null=True, default=None
    )
    published_at = serializers.DateTimeField(allow_null=True)


class IssueCountSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = severity_field()
    state = state_field()
    count = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    """Sites for site assessments, admin areas otherwise."""

    expected = serializers.IntegerField(help_text="Open sites, or the admin areas to assess.")
    assessed = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(help_text="Expected but not assessed.")
    new = serializers.SerializerMethodField(help_text="Not assessed in the round before.")

    def get_assessed(self, coverage: Coverage) -> int:
        return len(coverage.assessed)

    def get_missing(self, coverage: Coverage) -> int:
        return len(coverage.missing)

    def get_new(self, coverage: Coverage) -> int:
        return len(coverage.new)


class RoundDetailSerializer(RoundSerializer):
    """A round with its revisions, and what your role shows of its issues and coverage."""

    revisions = serializers.SerializerMethodField(help_text="First to last.")
    issue_counts = serializers.SerializerMethodField(
        help_text="The issues counted by rule, severity and state; null unless you review."
    )
    coverage = serializers.SerializerMethodField(
        help_text="Places expected and assessed; null unless you may see submissions."
    )

    @extend_schema_field(RevisionSerializer(many=True))
    def get_revisions(self, round: Round) -> Any:
        return RevisionSerializer(self.context["revisions"], many=True).data

    @extend_schema_field(IssueCountSerializer(many=True, allow_null=True))
    def get_issue_counts(self, round: Round) -> Any:
        counts = self.context["issue_counts"]
        return None if counts is None else IssueCountSerializer(counts, many=True).data

    @extend_schema_field(CoverageSerializer(allow_null=True))
    def get_coverage(self, round: Round) -> Any:
        coverage = self.context["coverage"]
        return None if coverage is None else CoverageSerializer(coverage).data


def round_response(request: Request, round: Round, **kwargs: Any) -> Response:
    """The round as it now is, with what the user's role shows of it."""
    round.refresh_from_db()  # the actions update the row, not every field of the instance
    user = request.user
    operation = round.operation
    context: dict[str, Any] = {
        "revisions": round_revisions(user=user, round=round),
        "issue_counts": None,
        "coverage": None,
    }
    if can(user=user, operation=operation, capability=Capability.REVIEW):
        context["issue_counts"] = issue_counts(user=user, round=round)
    if can(user=user, operation=operation, capability=Capability.VIEW_SUBMISSIONS):
        context["coverage"] = round_coverage(user=user, round=round)
    return Response(RoundDetailSerializer(round, context=context).data, **kwargs)


class RoundInputSerializer(Input):
    number = serializers.IntegerField(min_value=1, max_value=100_000)
    assessment_type = assessment_type_field()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    title = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    class Meta:
        ref_name = "RoundInput"


class RoundListCreateApi(ApiView):
    pagination_class = LimitOffset

    class FilterSerializer(serializers.Serializer):
        assessment_type = assessment_type_field(required=False, allow_blank=True, default="")
        status = round_status_field(required=False, allow_blank=True, default="")

    @extend_schema(
        summary="The operation's rounds, newest first",
        parameters=[FilterSerializer],
        responses={200: RoundSerializer(many=True), **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        filters = parse_query(self.FilterSerializer, request)
        rounds = round_list(
            user=request.user,
            operation=operation,
            assessment_type=filters["assessment_type"] or None,
        )
        if filters["status"]:
            rounds = rounds.filter(status=filters["status"])
        return paginated_response(
            request=request, view=self, queryset=rounds, serializer_class=RoundSerializer
        )

    @extend_schema(
        summary="Plan a round: its number, assessment type and reference period",
        request=RoundInputSerializer,
        responses={201: RoundDetailSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        data = parse(RoundInputSerializer, request.data)
        round = round_create(
            actor=acting_user(request), operation=operation, data=RoundData(**data)
        )
        location = reverse(
            "api-round-detail",
            kwargs={"slug": slug, "assessment_type": round.assessment_type, "number": round.number},
        )
        return round_response(
            request, round, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class RoundDetailApi(ApiView):
    @extend_schema(
        summary="One round: status, period, revisions, open issues and coverage",
        parameters=ROUND_PATH,
        responses={200: RoundDetailSerializer, **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, assessment_type: str, number: int) -> Response:
        return round_response(request, round_of(request, slug, assessment_type, number))
