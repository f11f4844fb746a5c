"""A form's submissions: list with filters and cursor paging, one submission, its versions
and raw XML, attachments, reviews, field edits, and exports of the whole form."""

from typing import Any

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.models import Operation
from opendtm.accounts.selectors.operations import operation_get
from opendtm.collection.blobs import blob_open
from opendtm.collection.exports.services import export_create
from opendtm.collection.models import (
    Export,
    Form,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
)
from opendtm.collection.selectors.submissions import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    SubmissionFilters,
    attachment_get,
    current_version,
    export_get,
    export_list,
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
from opendtm.core.api import (
    ApiView,
    EnumField,
    FirstRendererNegotiation,
    Input,
    LimitOffset,
    acting_user,
    paginated_response,
    parse,
    parse_query,
    refusals,
)
from opendtm.core.errors import NotFound


def attachment_response(attachment: SubmissionAttachment) -> FileResponse:
    """Safe images are shown; anything else is downloaded, never rendered by the browser.

    The content type comes from the device, so it alone cannot make a file inline.
    """
    inline = is_inline_image(attachment)
    response = FileResponse(
        blob_open(attachment.sha256),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


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


class ExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    format = EnumField(Export.Format.choices, enum_name="ExportFormat")
    options = serializers.JSONField()
    status = EnumField(
        Export.Status.choices,
        enum_name="ExportStatus",
        help_text="queued, then running, then done (download ready) or failed.",
    )
    rows_done = serializers.IntegerField(help_text="Submissions written so far.")
    rows_total = serializers.IntegerField(help_text="Submissions to write.")
    message = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download = serializers.SerializerMethodField()

    def get_download(self, export: Export) -> str | None:
        if export.status != Export.Status.DONE:
            return None
        form = export.form
        return reverse(
            "api-submission-export-download",
            kwargs={
                "slug": form.operation.slug,
                "form_id": form.form_id,
                "export_id": export.pk,
            },
        )


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


class XmlRenderer(BaseRenderer):
    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


class SubmissionVersionXmlApi(ApiView):
    renderer_classes = [XmlRenderer, JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        summary="The XML of one version, byte for byte as received",
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.STR),
            **refusals(403, 404),
        },
    )
    def get(
        self, request: Request, slug: str, form_id: str, pk: int, version_id: int
    ) -> HttpResponse:
        operation, form = form_of(request, slug, form_id)
        version = submission_version_get(
            user=request.user, operation=operation, form=form, pk=pk, version_id=version_id
        )
        response = HttpResponse(version.xml.encode(), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{pk}-{version.pk}.xml"'
        return response


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


class BinaryRenderer(BaseRenderer):
    media_type = "application/octet-stream"
    format = "bin"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


class SubmissionAttachmentApi(ApiView):
    renderer_classes = [BinaryRenderer, JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        summary="One attachment's file (the current version's, else an older one's)",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **refusals(403, 404),
        },
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


class ExportInputSerializer(Input):
    format = EnumField(Export.Format.choices, enum_name="ExportFormat")
    group_paths = serializers.BooleanField(
        required=False, default=True, help_text="Headers as group-question, else question."
    )
    split_select_multiple = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Also one 0/1 column per choice of each multiple-choice question.",
    )

    class Meta:
        ref_name = "SubmissionExportInput"


class SubmissionExportListApi(ApiView):
    pagination_class = LimitOffset

    @extend_schema(
        summary="Exports of the form's submissions, newest first",
        responses={200: ExportSerializer(many=True), **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str) -> Response:
        operation, form = form_of(request, slug, form_id)
        exports = export_list(user=request.user, operation=operation, form=form)
        return paginated_response(
            request=request, view=self, queryset=exports, serializer_class=ExportSerializer
        )

    @extend_schema(
        summary="Export every current submission to CSV (ZIP) or XLSX, in the background",
        request=ExportInputSerializer,
        responses={202: ExportSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, form_id: str) -> Response:
        _operation, form = form_of(request, slug, form_id)
        options = parse(ExportInputSerializer, request.data)
        export = export_create(
            actor=acting_user(request), form=form, format=options.pop("format"), options=options
        )
        location = reverse(
            "api-submission-export-detail",
            kwargs={"slug": slug, "form_id": form.form_id, "export_id": export.pk},
        )
        return Response(
            ExportSerializer(export).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


class SubmissionExportDetailApi(ApiView):
    @extend_schema(
        summary="One export: its status and progress, and its download once done",
        responses={200: ExportSerializer, **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str, export_id: int) -> Response:
        operation, form = form_of(request, slug, form_id)
        export = export_get(user=request.user, operation=operation, form=form, export_id=export_id)
        return Response(ExportSerializer(export).data)


class SubmissionExportDownloadApi(ApiView):
    renderer_classes = [BinaryRenderer, JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        summary="The export's file: a ZIP of CSVs, or an XLSX workbook",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **refusals(403, 404),
        },
    )
    def get(self, request: Request, slug: str, form_id: str, export_id: int) -> FileResponse:
        operation, form = form_of(request, slug, form_id)
        export = export_get(user=request.user, operation=operation, form=form, export_id=export_id)
        if export.status != Export.Status.DONE or not export.file:
            raise NotFound("This export has no file yet: see its status.")
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=(export.file.name or "").rpartition("/")[2],
            content_type="application/octet-stream",
        )
