"""Uploads of admin areas and site master lists: queued as jobs, then polled for the outcome."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.api import (
    ApiView,
    EnumField,
    Input,
    LimitOffset,
    ProblemSerializer,
    acting_user,
    paginated_response,
    parse,
    refusals,
)
from opendtm.core.errors import ApplicationError
from opendtm.core.tables import check_upload_size
from opendtm.geo.models import ImportJob
from opendtm.geo.selectors import import_job_get, import_job_list
from opendtm.geo.services.imports import import_job_create


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = EnumField(ImportJob.Kind.choices, enum_name="ImportKind")
    status = EnumField(
        ImportJob.Status.choices,
        enum_name="ImportStatus",
        help_text="queued, then running, then done or failed (refused: nothing was changed).",
    )
    file_name = serializers.CharField()
    options = serializers.JSONField()
    message = serializers.CharField()
    problems = ProblemSerializer(many=True)
    summary = serializers.JSONField(help_text="Counts of what the import created and changed.")
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class UploadSerializer(Input):
    file = serializers.FileField()

    def validate_file(self, upload: Any) -> Any:
        try:
            check_upload_size(upload.name, upload.size)
        except ApplicationError as error:
            raise serializers.ValidationError(f"{error.message} {error.hint}") from None
        return upload


class AreaImportSerializer(UploadSerializer):
    columns = serializers.CharField(
        required=False,
        default="",
        help_text="Which columns hold what, when they cannot be recognised, for example "
        '"adm1_pcode=CODE1,adm1_name=NAME1".',
    )
    valid_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The COD-AB version's date."
    )
    label = serializers.CharField(required=False, default="", max_length=200)  # type: ignore[assignment]  # a field named like a Field attribute
    retire_missing = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Retire the current areas of the file's levels that the file leaves out.",
    )
    repair = serializers.BooleanField(
        required=False, default=False, help_text="Repair invalid polygons instead of refusing."
    )

    class Meta:
        ref_name = "AreaImport"


class SiteImportSerializer(UploadSerializer):
    columns = serializers.CharField(
        required=False,
        default="",
        help_text='Which columns hold what, for example "code=SSID,name=Site Name".',
    )

    class Meta:
        ref_name = "SiteImport"


# The imports of one kind; subclasses name the kind and its options.
class ImportListCreateApi(ApiView):
    kind: str
    detail_url_name: str
    InputSerializer: type[UploadSerializer]
    parser_classes = [MultiPartParser]
    pagination_class = LimitOffset

    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        jobs = import_job_list(user=acting_user(request), operation=operation, kind=self.kind)
        return paginated_response(
            request=request, view=self, queryset=jobs, serializer_class=ImportJobSerializer
        )

    def post(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        options = parse(self.InputSerializer, request.data)
        upload = options.pop("file")
        if options.get("valid_on"):
            options["valid_on"] = options["valid_on"].isoformat()
        job = import_job_create(
            actor=acting_user(request),
            operation=operation,
            kind=self.kind,
            name=upload.name,
            data=upload.read(),
            options=options,
        )
        location = reverse(self.detail_url_name, kwargs={"slug": slug, "job_id": job.pk})
        return Response(
            ImportJobSerializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


class ImportDetailApi(ApiView):
    kind: str

    def get(self, request: Request, slug: str, job_id: int) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        job = import_job_get(
            user=acting_user(request), operation=operation, kind=self.kind, job_id=job_id
        )
        return Response(ImportJobSerializer(job).data)


def list_create_schema(noun: str, input_serializer: type[UploadSerializer]) -> Any:
    return extend_schema_view(
        get=extend_schema(
            summary=f"Imports of {noun}, newest first",
            responses={200: ImportJobSerializer(many=True), **refusals(403, 404)},
        ),
        post=extend_schema(
            summary=f"Upload {noun}; the import runs in the background",
            request={"multipart/form-data": input_serializer},
            responses={202: ImportJobSerializer, **refusals(400, 403, 404)},
        ),
    )


def detail_schema(noun: str) -> Any:
    return extend_schema_view(
        get=extend_schema(
            summary=f"One import of {noun}: its status, message, problems and summary",
            responses={200: ImportJobSerializer, **refusals(403, 404)},
        )
    )


@list_create_schema("admin areas (COD-AB GeoJSON, CSV or XLSX)", AreaImportSerializer)
class AreaImportListCreateApi(ImportListCreateApi):
    kind = ImportJob.Kind.AREAS
    detail_url_name = "api-area-import-detail"
    InputSerializer = AreaImportSerializer


@detail_schema("admin areas")
class AreaImportDetailApi(ImportDetailApi):
    kind = ImportJob.Kind.AREAS


@list_create_schema("a site master list (CSV or XLSX)", SiteImportSerializer)
class SiteImportListCreateApi(ImportListCreateApi):
    kind = ImportJob.Kind.SITES
    detail_url_name = "api-site-import-detail"
    InputSerializer = SiteImportSerializer


@detail_schema("sites")
class SiteImportDetailApi(ImportDetailApi):
    kind = ImportJob.Kind.SITES
