"""A form's submissions: list with filters and cursor paging, one submission, its versions
and raw XML, attachments, reviews and field edits. Exports are api/exports.py's."""

from typing import Any

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.models import Operation
from opendtm.accounts.selectors.operations import operation_get
from opendtm.collection.blobs import blob_open
from opendtm.collection.models import Form, Submission, SubmissionAttachment, SubmissionVersion
from opendtm.collection.selectors.submissions import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    SubmissionFilters,
    attachment_get,
    current_version,
    is_inline_image,
    submission_form_get,
    submission_get,
    submission_list,
    submission_page,
    submission_version_get,
    version_history,
)
from opendtm.collection.services.edits import submission_edit_fields
from opendtm.collection.services.review import submission_review
from opendtm.core.api import ApiView, EnumField, Input, acting_user, parse, parse_query, refusals
from opendtm.core.files_api import (
    FileDownloadApi,
    XmlDownloadApi,
    file_responses,
    sandboxed_file,
    xml_download,
    xml_responses,
)


def attachment_response(attachment: SubmissionAttachment) -> FileResponse:
    """Safe images are shown; anything else is downloaded, never rendered by the browser.

    The content type comes from the device, so it alone cannot make a file inline.
    """
    inline = is_inline_image(attachment)
    return sandboxed_file(
        blob_open(attachment.sha256),
        filename=attachment.name,
        content_type=attachment.content_type if inline else "application/octet-stream",
        as_attachment=not inline,
    )


def form_of(request: Request, slug: str, form_id: str) -> tuple[Operation, Form]:
    operation = operation_get(user=request.user, slug=slug)
    return operation, submission_form_get(user=request.user, operation=operation, form_id=form_id)


def submission_of(request: Request, slug: str, form_id: str, pk: int) -> Submission:
    operation, form = form_of(request, slug, form_id)
    return submission_get(user=request.user, operation=operation, form=form, pk=pk)


def submitter_name(item: Submission | SubmissionVersion) -> str:
    if item.submitted_by is not None:
        return item.submitted_by.username
    if item.app_user is not None:
        return item.app_user.name
    return ""


def review_state_field(**kwargs: Any) -> EnumField:
    return EnumField(Submission.Review.choices, enum_name="ReviewState", **kwargs)


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instance_id = serializers.CharField(help_text="The first version's meta/instanceID.")
    received_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    review_state = review_state_field()
    edits = serializers.IntegerField(help_text="How many times it was edited.")
    submitter = serializers.SerializerMethodField(help_text="User name or app user name.")
    site = serializers.CharField(source="site.code", allow_null=True, default=None)
    admin_area = serializers.CharField(source="admin_area.pcode", allow_null=True, default=None)

    def get_submitter(self, submission: Submission) -> str:
        return submitter_name(submission)


class SubmissionPageSerializer(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text="The URL of the next (older) page; null on the last page."
    )
    count = serializers.IntegerField(
        allow_null=True,
        help_text="How many submissions match, counted on the first page only, up to a cap.",
    )
    count_capped = serializers.BooleanField(help_text="More submissions match than `count`.")
    results = SubmissionSerializer(many=True)


class CurrentVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instance_id = serializers.CharField()
    form_version = serializers.CharField(source="form_version.version")
    received_at = serializers.DateTimeField()
    parse_status = EnumField(SubmissionVersion.Parse.choices, enum_name="ParseStatus")
    parse_error = serializers.CharField()
    answers = serializers.JSONField(
        source="data",
        allow_null=True,
        help_text="The answers: groups as objects, repeats as lists of objects.",
    )
    attachments_expected = serializers.ListField(child=serializers.CharField())
    attachments_present = serializers.SerializerMethodField()

    def get_attachments_present(self, version: SubmissionVersion) -> list[str]:
        return [attachment.name for attachment in version.attachments.all()]


class SubmissionDetailSerializer(SubmissionSerializer):
    current = serializers.SerializerMethodField()
    version_count = serializers.SerializerMethodField()

    @extend_schema_field(CurrentVersionSerializer(allow_null=True))
    def get_current(self, submission: Submission) -> dict | None:
        version = current_version(submission)
        return CurrentVersionSerializer(version).data if version else None

    def get_version_count(self, submission: Submission) -> int:
        return len(submission.versions.all())


class ChangeSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="The answer's path, with repeat indices: hh[2]/size.")
    before = serializers.CharField()
    after = serializers.CharField()


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instance_id = serializers.CharField()
    deprecated_id = serializers.CharField(help_text="The instanceID this version replaced.")
    current = serializers.BooleanField()
    form_version = serializers.CharField(source="form_version.version")
    received_at = serializers.DateTimeField()
    submitter = serializers.SerializerMethodField()
    device_id = serializers.CharField()
    user_agent = serializers.CharField()
    parse_status = EnumField(SubmissionVersion.Parse.choices, enum_name="ParseStatus")
    xml_sha256 = serializers.CharField()

    def get_submitter(self, version: SubmissionVersion) -> str:
        return submitter_name(version)


class VersionHistorySerializer(serializers.Serializer):
    version = VersionSerializer()
    changes = ChangeSerializer(many=True, help_text="What changed from the version before.")


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    md5 = serializers.CharField()
    sha256 = serializers.CharField()
    version = serializers.IntegerField(source="version_id")


class ReviewSerializer(serializers.Serializer):
    state = review_state_field()
    comment = serializers.CharField()
    reviewed_by = serializers.CharField(source="reviewed_by.username")
    reviewed_at = serializers.DateTimeField()


class SubmissionFilterSerializer(serializers.Serializer):
    received_from = serializers.DateField(required=False, allow_null=True, default=None)
    received_to = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Inclusive."
    )
    submitter = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="User name or app user name."
    )
    review_state = review_state_field(required=False, allow_blank=True, default="")
    area = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="A p-code: submissions in that admin area or any area under it.",
    )
    site = serializers.CharField(required=False, default="", allow_blank=True)
    q = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="Text in the instanceID, the submitter, or the current answers.",
    )
    cursor = serializers.CharField(required=False, default="", allow_blank=True)
    page_size = serializers.IntegerField(
        required=False, default=PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE
    )


class SubmissionListApi(ApiView):
    FilterSerializer = SubmissionFilterSerializer

    @extend_schema(
        summary="The form's submissions, newest first, one page at a time",
        operation_id="operations_forms_submissions_list",
        parameters=[SubmissionFilterSerializer],
        responses={200: SubmissionPageSerializer, **refusals(400, 403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str) -> Response:
        operation, form = form_of(request, slug, form_id)
        query = parse_query(self.FilterSerializer, request)
        submissions = submission_list(
            user=request.user,
            operation=operation,
            form=form,
            filters=SubmissionFilters.from_query(query),
        )
        page = submission_page(submissions, cursor=query["cursor"], size=query["page_size"])
        following = None
        if page.next_cursor:
            parameters = request.query_params.copy()
            parameters["cursor"] = page.next_cursor
            following = request.build_absolute_uri(f"{request.path}?{parameters.urlencode()}")
        return Response(
            {
                "next": following,
                "count": page.count,
                "count_capped": page.count_capped,
                "results": SubmissionSerializer(page.rows, many=True).data,
            }
        )


class FieldEditSerializer(Input):
    changes = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=10_000),
        allow_empty=False,
        help_text='New answers by path, e.g. {"location/area": "NG008021", "hh[2]/size": "6"}; '
        "an empty string clears an answer.",
    )
    reason = serializers.CharField(max_length=2000, help_text="Why: kept in the audit log.")

    class Meta:
        ref_name = "SubmissionFieldEdit"


class SubmissionDetailApi(ApiView):
    @extend_schema(
        summary="One submission: its current answers and metadata",
        responses={200: SubmissionDetailSerializer, **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str, pk: int) -> Response:
        submission = submission_of(request, slug, form_id, pk)
        return Response(SubmissionDetailSerializer(submission).data)

    @extend_schema(
        summary="Edit answers: makes a new version, audited field by field",
        request=FieldEditSerializer,
        responses={200: SubmissionDetailSerializer, **refusals(400, 403, 404)},
    )
    def patch(self, request: Request, slug: str, form_id: str, pk: int) -> Response:
        submission = submission_of(request, slug, form_id, pk)
        data = parse(FieldEditSerializer, request.data)
        submission_edit_fields(
            actor=acting_user(request),
            submission=submission,
            changes=data["changes"],
            reason=data["reason"],
        )
        return Response(SubmissionDetailSerializer(submission_of(request, slug, form_id, pk)).data)


class SubmissionVersionListApi(ApiView):
    @extend_schema(
        summary="Every version of a submission, newest first, with what each changed",
        responses={200: VersionHistorySerializer(many=True), **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str, pk: int) -> Response:
        submission = submission_of(request, slug, form_id, pk)
        history = version_history(list(submission.versions.all()))
        return Response(VersionHistorySerializer(history, many=True).data)


class SubmissionVersionXmlApi(XmlDownloadApi):
    @extend_schema(
        summary="The XML of one version, byte for byte as received",
        responses=xml_responses(403, 404),
    )
    def get(
        self, request: Request, slug: str, form_id: str, pk: int, version_id: int
    ) -> HttpResponse:
        operation, form = form_of(request, slug, form_id)
        version = submission_version_get(
            user=request.user, operation=operation, form=form, pk=pk, version_id=version_id
        )
        return xml_download(version.xml, f"{pk}-{version.pk}.xml")


class SubmissionAttachmentListApi(ApiView):
    @extend_schema(
        summary="The current version's attachments",
        responses={200: AttachmentSerializer(many=True), **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str, pk: int) -> Response:
        submission = submission_of(request, slug, form_id, pk)
        version = current_version(submission)
        attachments = list(version.attachments.all()) if version else []
        return Response(AttachmentSerializer(attachments, many=True).data)


class SubmissionAttachmentApi(FileDownloadApi):
    @extend_schema(
        summary="One attachment's file (the current version's, else an older one's)",
        responses=file_responses(403, 404),
    )
    def get(self, request: Request, slug: str, form_id: str, pk: int, name: str) -> FileResponse:
        operation, form = form_of(request, slug, form_id)
        attachment = attachment_get(
            user=request.user, operation=operation, form=form, pk=pk, name=name
        )
        return attachment_response(attachment)


class ReviewInputSerializer(Input):
    state = review_state_field()
    comment = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=5000,
        help_text="Required for has_issues, rejected and received.",
    )

    class Meta:
        ref_name = "SubmissionReviewInput"


class SubmissionReviewListApi(ApiView):
    @extend_schema(
        summary="The submission's reviews, newest first",
        responses={200: ReviewSerializer(many=True), **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str, pk: int) -> Response:
        submission = submission_of(request, slug, form_id, pk)
        return Response(ReviewSerializer(submission.reviews.all(), many=True).data)

    @extend_schema(
        summary="Review the submission: a state and a comment",
        request=ReviewInputSerializer,
        responses={201: ReviewSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, form_id: str, pk: int) -> Response:
        submission = submission_of(request, slug, form_id, pk)
        data = parse(ReviewInputSerializer, request.data)
        review = submission_review(
            actor=acting_user(request),
            submission=submission,
            state=data["state"],
            comment=data["comment"],
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
