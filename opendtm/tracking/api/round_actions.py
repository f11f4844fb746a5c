"""The actions that move a round on: move, validate, publish and correct, each answering
with the round as it now is; and attach, which makes submissions count in it."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.core.api import (
    ApiView,
    EnumField,
    ErrorSerializer,
    Input,
    acting_user,
    parse,
    refusals,
)
from opendtm.core.errors import ApplicationError
from opendtm.tracking.api.fields import ROUND_PATH, round_of
from opendtm.tracking.api.issues import IssueSerializer
from opendtm.tracking.api.rounds import RoundDetailSerializer, round_response
from opendtm.tracking.models import Round
from opendtm.tracking.selectors.attachments import MAX_ATTACHED, submissions_named
from opendtm.tracking.selectors.rounds import IssueFilters, issue_list
from opendtm.tracking.services.attach import round_attach
from opendtm.tracking.services.rounds import round_correct, round_move, round_publish
from opendtm.tracking.services.validation import round_validate_run

API_TAG = "rounds"  # documented in the group of the rounds, whose URLs these are
REFUSED_ISSUES_SHOWN = 100


class RoundMoveApi(ApiView):
    class InputSerializer(Input):
        status = EnumField(
            [(value, Round.Status(value).label) for value in ("collecting", "validating")],
            enum_name="RoundMoveStatus",
            help_text="Publishing is its own action: POST publish/.",
        )

        class Meta:
            ref_name = "RoundMove"

    @extend_schema(
        summary="Start collecting, start validating, or go back to collecting",
        parameters=ROUND_PATH,
        request=InputSerializer,
        responses={200: RoundDetailSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, assessment_type: str, number: int) -> Response:
        round = round_of(request, slug, assessment_type, number)
        data = parse(self.InputSerializer, request.data)
        round_move(actor=acting_user(request), round=round, status=data["status"])
        return round_response(request, round)


class RoundValidateApi(ApiView):
    @extend_schema(
        summary="Run every validation rule over the round's draft figures",
        description="Replaces the open issues of the rules; explained ones stay explained.",
        parameters=ROUND_PATH,
        request=None,
        responses={200: RoundDetailSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, assessment_type: str, number: int) -> Response:
        user = acting_user(request)
        round = round_of(request, slug, assessment_type, number)
        round_validate_run(actor=user, round=round)
        return round_response(request, round)


class PublishRefusalSerializer(ErrorSerializer):
    blocking_issues = IssueSerializer(
        many=True,
        help_text=f"The open blocking issues (the first {REFUSED_ISSUES_SHOWN}); each must be "
        "fixed or explained before the round is published.",
    )


class RoundPublishApi(ApiView):
    @extend_schema(
        summary="Publish the round's draft revision; the earlier one becomes superseded",
        parameters=ROUND_PATH,
        request=None,
        responses={
            200: RoundDetailSerializer,
            **refusals(403, 404),
            400: OpenApiResponse(
                PublishRefusalSerializer,
                description="Refused: the round is not being validated, or blocking issues "
                "are open (listed). Nothing was written.",
            ),
        },
    )
    def post(self, request: Request, slug: str, assessment_type: str, number: int) -> Response:
        user = acting_user(request)
        round = round_of(request, slug, assessment_type, number)
        try:
            round_publish(actor=user, round=round)
        except ApplicationError as error:
            blocking = issue_list(
                user=user, round=round, filters=IssueFilters(state="open", severity="blocking")
            )[:REFUSED_ISSUES_SHOWN]
            body = {**error.as_dict(), "blocking_issues": IssueSerializer(blocking, many=True).data}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return round_response(request, round)


class RoundCorrectApi(ApiView):
    class InputSerializer(Input):
        reason = serializers.CharField(
            max_length=5000, help_text="Why the published figures are corrected; shown with them."
        )

        class Meta:
            ref_name = "RoundCorrection"

    @extend_schema(
        summary="Correct a published round: open its next revision, back to validating",
        description="The published figures are copied into a new draft revision, to be "
        "validated and published again; the published revision stays readable until then.",
        parameters=ROUND_PATH,
        request=InputSerializer,
        responses={200: RoundDetailSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, assessment_type: str, number: int) -> Response:
        round = round_of(request, slug, assessment_type, number)
        data = parse(self.InputSerializer, request.data)
        round_correct(actor=acting_user(request), round=round, reason=data["reason"])
        return round_response(request, round)


class RoundAttachApi(ApiView):
    class InputSerializer(Input):
        submissions = serializers.ListField(
            child=serializers.CharField(max_length=255),
            min_length=1,
            max_length=MAX_ATTACHED,
            help_text="Instance IDs (uuid:…) of the operation's submissions.",
        )

        class Meta:
            ref_name = "RoundAttachment"

    @extend_schema(
        summary="Count submissions in this round, whatever the day they were received",
        description="For data entered late or imported: each submission's figures leave the "
        "draft of the round it counted in and are written into this round's draft. The round "
        "must not be published, and the forms must be of its assessment type; one refusal "
        "names every submission at fault, and nothing is attached then.",
        parameters=ROUND_PATH,
        request=InputSerializer,
        responses={200: RoundDetailSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, assessment_type: str, number: int) -> Response:
        user = acting_user(request)
        round = round_of(request, slug, assessment_type, number)
        data = parse(self.InputSerializer, request.data)
        found = submissions_named(
            user=user, operation=round.operation, instance_ids=data["submissions"]
        )
        round_attach(actor=user, submissions=found, round=round)
        return round_response(request, round)
