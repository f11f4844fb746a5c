"""Form uploads: an XLSForm (or XForm) and its media sent, converted and published in the
background; the upload polled for its status, problems by sheet and row, and warnings."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.selectors.operations import operation_get
from opendtm.collection.api.forms import kind_field
from opendtm.collection.models import Form, FormUpload
from opendtm.collection.selectors.forms import form_upload_get, form_upload_list
from opendtm.collection.services.forms import form_upload_create
from opendtm.collection.services.interrupted_jobs import interrupted_jobs_fail
from opendtm.core.api import (
    ApiView,
    EnumField,
    Input,
    LimitOffset,
    acting_user,
    paginated_response,
    parse,
    refusals,
)
from opendtm.core.errors import ApplicationError
from opendtm.core.tables import check_upload_size

API_TAG = "forms"  # documented in the group of the forms, whose URLs these are


class FormUploadProblemSerializer(serializers.Serializer):
    message = serializers.CharField()
    where = serializers.CharField(help_text='File, sheet and row; or "ODK Validate".')
    field = serializers.CharField(help_text="The XLSForm column, when pyxform named one.")
    hint = serializers.CharField()
    sheet = serializers.CharField(required=False, help_text="The XLSForm sheet, when known.")
    row = serializers.IntegerField(
        required=False, allow_null=True, help_text="The row on that sheet (header = row 1)."
    )


class FormUploadMediaSerializer(serializers.Serializer):
    filename = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()


class FormUploadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = EnumField(
        FormUpload.Status.choices,
        enum_name="FormUploadStatus",
        help_text="queued, then converting, then done (published) or failed (nothing published).",
    )
    file_name = serializers.CharField()
    kind = kind_field()
    media = FormUploadMediaSerializer(many=True)
    message = serializers.CharField()
    problems = FormUploadProblemSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    form_id = serializers.CharField(source="version.form.form_id", allow_null=True, default=None)
    version = serializers.CharField(source="version.version", allow_null=True, default=None)
    validated = serializers.SerializerMethodField(
        help_text="ODK Validate's verdict: true, false, or null when it did not run."
    )
    validate_output = serializers.SerializerMethodField(help_text="What ODK Validate said.")
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def validate_problem(self, upload: FormUpload) -> dict[str, Any] | None:
        return next((item for item in upload.problems if item.get("where") == "ODK Validate"), None)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_validated(self, upload: FormUpload) -> bool | None:
        if upload.version is not None:
            return upload.version.validated
        return False if self.validate_problem(upload) else None

    def get_validate_output(self, upload: FormUpload) -> str:
        if upload.version is not None:
            return upload.version.validate_output
        problem = self.validate_problem(upload)
        return str(problem["message"]) if problem else ""


class FormUploadInputSerializer(Input):
    file = serializers.FileField(
        help_text="An XLSForm (.xlsx, .xls, .csv, .md) or an XForm (.xml)."
    )
    kind = kind_field(required=False, default=Form.Kind.OTHER, help_text="For a new form.")
    media = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="Files the form uses: select_one_from_file CSVs, images. Repeat the field.",
    )

    class Meta:
        ref_name = "FormUploadInput"

    def validate_file(self, upload: Any) -> Any:
        try:
            check_upload_size(upload.name, upload.size)
        except ApplicationError as error:
            raise serializers.ValidationError(f"{error.message} {error.hint}") from None
        return upload


class FormUploadListCreateApi(ApiView):
    parser_classes = [MultiPartParser]
    pagination_class = LimitOffset

    @extend_schema(
        summary="Form uploads, newest first",
        responses={200: FormUploadSerializer(many=True), **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        interrupted_jobs_fail(operation)
        uploads = form_upload_list(user=acting_user(request), operation=operation)
        return paginated_response(
            request=request, view=self, queryset=uploads, serializer_class=FormUploadSerializer
        )

    @extend_schema(
        summary="Upload an XLSForm; it is converted and published in the background",
        description="A new form_id creates a form; a known one adds a version, whose version "
        "must be higher than the latest. Poll the upload's URL (the Location header) until "
        "its status is done or failed.",
        request={"multipart/form-data": FormUploadInputSerializer},
        responses={202: FormUploadSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        data = parse(FormUploadInputSerializer, request.data)
        upload = form_upload_create(
            actor=acting_user(request),
            operation=operation,
            name=data["file"].name,
            data=data["file"].read(),
            kind=data["kind"],
            media=[(item.name, item.read()) for item in data["media"]],
        )
        location = reverse("api-form-upload-detail", kwargs={"slug": slug, "upload_id": upload.pk})
        return Response(
            FormUploadSerializer(upload).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


class FormUploadDetailApi(ApiView):
    @extend_schema(
        summary="One upload: status, problems with sheet and row, warnings, Validate output",
        responses={200: FormUploadSerializer, **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, upload_id: int) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        interrupted_jobs_fail(operation)
        upload = form_upload_get(
            user=acting_user(request), operation=operation, upload_id=upload_id
        )
        return Response(FormUploadSerializer(upload).data)
