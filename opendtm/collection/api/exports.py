"""Exports of a form's submissions to CSV (ZIP) or XLSX: started, run in the background,
polled for progress, then downloaded."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.collection.api.submissions import form_of
from opendtm.collection.exports.services import export_create
from opendtm.collection.models import Export
from opendtm.collection.selectors.submissions import export_get, export_list
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
from opendtm.core.errors import NotFound
from opendtm.core.files_api import FileDownloadApi, file_responses

API_TAG = "submissions"  # documented in the group of the submissions, whose URLs these are


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
        interrupted_jobs_fail(operation)
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
        interrupted_jobs_fail(operation)
        export = export_get(user=request.user, operation=operation, form=form, export_id=export_id)
        return Response(ExportSerializer(export).data)


class SubmissionExportDownloadApi(FileDownloadApi):
    @extend_schema(
        summary="The export's file: a ZIP of CSVs, or an XLSX workbook",
        responses=file_responses(403, 404),
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
