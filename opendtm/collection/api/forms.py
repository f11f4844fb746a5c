"""Forms: the list and one form with its versions, settings and state, and each version's
XForm, XLSForm and media. Uploads are api/form_uploads.py's."""

from typing import Any

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.models import Operation
from opendtm.accounts.selectors.operations import operation_get
from opendtm.collection.blobs import blob_open
from opendtm.collection.models import Form, FormMedia, FormVersion
from opendtm.collection.selectors.forms import (
    form_get,
    form_list,
    form_media_get,
    form_media_list,
    form_version_get,
    form_versions,
)
from opendtm.collection.services.forms import form_media_add, form_state_set, form_update
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
from opendtm.core.files_api import (
    FileDownloadApi,
    XmlDownloadApi,
    file_responses,
    sandboxed_file,
    xml_download,
    xml_responses,
)


def form_of(request: Request, slug: str, form_id: str) -> tuple[Operation, Form]:
    operation = operation_get(user=request.user, slug=slug)
    return operation, form_get(user=request.user, operation=operation, form_id=form_id)


def version_of(request: Request, slug: str, form_id: str, version: str) -> FormVersion:
    _operation, form = form_of(request, slug, form_id)
    return form_version_get(user=request.user, form=form, version=version)


def kind_field(**kwargs: Any) -> EnumField:
    return EnumField(Form.Kind.choices, enum_name="FormKind", **kwargs)


def state_field(**kwargs: Any) -> EnumField:
    return EnumField(Form.State.choices, enum_name="FormState", **kwargs)


class FormMediaSerializer(serializers.Serializer):
    filename = serializers.CharField()
    md5 = serializers.CharField(help_text="What the OpenRosa manifest gives devices, without md5:.")
    size = serializers.IntegerField()
    content_type = serializers.CharField()


class FormVersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    xform_md5 = serializers.CharField(help_text="MD5 of the XForm's bytes, as formList gives it.")
    xlsform_name = serializers.CharField(help_text="The file uploaded for this version.")
    validated = serializers.BooleanField(
        allow_null=True, help_text="ODK Validate's verdict; null when it did not run."
    )
    validate_output = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    media_expected = serializers.ListField(
        child=serializers.CharField(), help_text="The files the XForm refers to."
    )
    media = FormMediaSerializer(many=True, source="media.all")
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()


class FormCurrentVersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    xform_md5 = serializers.CharField()
    created_at = serializers.DateTimeField()


class FormSerializer(serializers.Serializer):
    form_id = serializers.CharField(help_text="The XForm's id: the form's name in every URL.")
    title = serializers.CharField()
    kind = kind_field()
    state = state_field(
        help_text="open: listed and accepting; closing: accepting, not listed; closed: refusing."
    )
    site_field = serializers.CharField(help_text="Path of the question holding the site code.")
    area_field = serializers.CharField(help_text="Path of the question holding the p-code.")
    current_version = FormCurrentVersionSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class FormListItemSerializer(FormSerializer):
    submission_count = serializers.IntegerField()
    last_submission_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "FormListItem"


class FormDetailSerializer(FormSerializer):
    versions = serializers.SerializerMethodField(help_text="Every version, newest first.")

    class Meta:
        ref_name = "FormDetail"

    @extend_schema_field(FormVersionSerializer(many=True))
    def get_versions(self, form: Form) -> Any:
        return FormVersionSerializer(self.context["versions"], many=True).data


def form_detail_data(request: Request, form: Form) -> Any:
    versions = form_versions(user=request.user, form=form)
    return FormDetailSerializer(form, context={"versions": versions}).data


class FormListApi(ApiView):
    pagination_class = LimitOffset

    @extend_schema(
        summary="The forms of this operation, with submission counts",
        responses={200: FormListItemSerializer(many=True), **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        forms = form_list(user=request.user, operation=operation)
        return paginated_response(
            request=request, view=self, queryset=forms, serializer_class=FormListItemSerializer
        )


class FormSettingsSerializer(Input):
    title = serializers.CharField(max_length=255, required=False)
    kind = kind_field(required=False)
    state = state_field(required=False)
    site_field = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text='A question path of the current version, e.g. "site/site_code"; "" for none.',
    )
    area_field = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text='A question path of the current version, e.g. "adm3_pcode"; "" for none.',
    )

    class Meta:
        ref_name = "FormSettings"


class FormDetailApi(ApiView):
    @extend_schema(
        summary="One form with all its versions and their media files",
        responses={200: FormDetailSerializer, **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str) -> Response:
        _operation, form = form_of(request, slug, form_id)
        return Response(form_detail_data(request, form))

    @extend_schema(
        summary="Change a form's title, kind, site and area fields or state",
        request=FormSettingsSerializer,
        responses={200: FormDetailSerializer, **refusals(400, 403, 404)},
    )
    def patch(self, request: Request, slug: str, form_id: str) -> Response:
        _operation, form = form_of(request, slug, form_id)
        changes = parse(FormSettingsSerializer, request.data)
        state = changes.pop("state", None)
        actor = acting_user(request)
        if changes:
            form = form_update(actor=actor, form=form, **changes)
        if state is not None:
            form = form_state_set(actor=actor, form=form, state=state)
        return Response(form_detail_data(request, form))


class FormVersionXformApi(XmlDownloadApi):
    @extend_schema(
        summary="A version's XForm, byte for byte as devices download it",
        responses=xml_responses(403, 404),
    )
    def get(self, request: Request, slug: str, form_id: str, version: str) -> HttpResponse:
        form_version = version_of(request, slug, form_id, version)
        return xml_download(form_version.xform, f"{form_id}-{form_version.version}.xml")


class FormVersionXlsformApi(FileDownloadApi):
    @extend_schema(
        summary="The file uploaded for a version: its XLSForm (or XForm)",
        responses=file_responses(403, 404),
    )
    def get(self, request: Request, slug: str, form_id: str, version: str) -> FileResponse:
        form_version = version_of(request, slug, form_id, version)
        if not form_version.xlsform_sha256:
            raise NotFound("This version has no uploaded file.")
        return sandboxed_file(
            blob_open(form_version.xlsform_sha256),
            filename=form_version.xlsform_name or f"{form_id}-{form_version.version}",
            content_type="application/octet-stream",
        )


class FormMediaUploadSerializer(Input):
    file = serializers.FileField()
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The name the form uses for the file, when the uploaded file has another.",
    )

    class Meta:
        ref_name = "FormMediaUpload"


class FormMediaListSerializer(serializers.Serializer):
    expected = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Expected files not uploaded yet."
    )
    files = FormMediaSerializer(many=True)


class FormMediaListApi(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="operations_forms_versions_media_list",
        summary="A version's media files: expected, present and missing",
        responses={200: FormMediaListSerializer, **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str, form_id: str, version: str) -> Response:
        form_version = version_of(request, slug, form_id, version)
        return Response(self.listing(request, form_version))

    @extend_schema(
        summary="Add or replace a file the version expects",
        request={"multipart/form-data": FormMediaUploadSerializer},
        responses={201: FormMediaListSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str, form_id: str, version: str) -> Response:
        form_version = version_of(request, slug, form_id, version)
        data = parse(FormMediaUploadSerializer, request.data)
        form_media_add(
            actor=acting_user(request),
            version=form_version,
            name=data["name"] or data["file"].name,
            data=data["file"].read(),
        )
        return Response(self.listing(request, form_version), status=status.HTTP_201_CREATED)

    def listing(self, request: Request, form_version: FormVersion) -> Any:
        files: list[FormMedia] = list(form_media_list(user=request.user, version=form_version))
        present = {media.filename for media in files}
        return FormMediaListSerializer(
            {
                "expected": form_version.media_expected,
                "missing": [name for name in form_version.media_expected if name not in present],
                "files": files,
            }
        ).data


class FormMediaFileApi(FileDownloadApi):
    @extend_schema(summary="One media file of a version", responses=file_responses(403, 404))
    def get(
        self, request: Request, slug: str, form_id: str, version: str, name: str
    ) -> FileResponse:
        form_version = version_of(request, slug, form_id, version)
        media = form_media_get(user=request.user, version=form_version, name=name)
        return sandboxed_file(
            blob_open(media.sha256), filename=media.filename, content_type=media.content_type
        )
