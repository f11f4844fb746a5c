"""Operations, and who the caller is in each of them."""

from typing import Any

from django.conf import settings
from django.utils.text import slugify
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability, Role
from opendtm.accounts.selectors.operations import (
    operation_access,
    operation_get,
    operation_list_with_roles,
)
from opendtm.accounts.services.operations import operation_create, operation_update
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

ROLES_FIELD = serializers.ListField(child=EnumField(Role.choices, enum_name="Role"))
CAPABILITIES_FIELD = serializers.ListField(
    child=EnumField([item.value for item in Capability], enum_name="Capability")
)


class AccessFields(serializers.Serializer):
    """The caller's roles and capabilities in the operation serialised."""

    roles = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()

    @extend_schema_field(ROLES_FIELD)
    def get_roles(self, operation: Operation) -> list[str]:
        return operation_access(user=self.context["user"], operation=operation).roles

    @extend_schema_field(CAPABILITIES_FIELD)
    def get_capabilities(self, operation: Operation) -> list[str]:
        return operation_access(user=self.context["user"], operation=operation).capabilities


class OperationSerializer(AccessFields):
    """An operation with the caller's roles and capabilities in it."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    country_iso3 = serializers.CharField()
    country_iso2 = serializers.CharField()
    country_name = serializers.CharField()
    pcode_style = EnumField(Operation.PcodeStyle.choices, enum_name="PcodeStyle")
    pcode_prefix = serializers.CharField()
    admin_level_names = serializers.ListField(child=serializers.CharField())
    default_language = EnumField(settings.LANGUAGES, enum_name="Language")
    suppression_threshold = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OperationListCreateApi(ApiView):
    pagination_class = LimitOffset

    class InputSerializer(Input):
        name = serializers.CharField(max_length=200)
        country = serializers.CharField(
            max_length=120, help_text="ISO3 code (NGA), ISO2 code (NG) or English name."
        )
        slug = serializers.SlugField(max_length=60, required=False, default="")
        admin_level_names = serializers.ListField(
            child=serializers.CharField(max_length=60), min_length=1, max_length=6
        )
        default_language = EnumField(settings.LANGUAGES, enum_name="Language", default="en")
        suppression_threshold = serializers.IntegerField(min_value=1, max_value=1000, default=5)
        pcode_style = EnumField(
            Operation.PcodeStyle.choices, enum_name="PcodeStyle", default=Operation.PcodeStyle.ISO2
        )

        class Meta:
            ref_name = "OperationCreate"

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            # operation_create makes the slug from the name when none is given; it must fit.
            limit = Operation._meta.get_field("slug").max_length or 60
            if len(slugify(data["slug"] or data["name"])) > limit:
                raise serializers.ValidationError(
                    {"slug": f"Give a slug of at most {limit} characters; the name is too long."}
                )
            return data

    @extend_schema(
        summary="The operations you belong to (a superuser: all of them)",
        responses={200: OperationSerializer(many=True), **refusals()},
    )
    def get(self, request: Request) -> Response:
        operations = operation_list_with_roles(user=request.user)
        return paginated_response(
            request=request,
            view=self,
            queryset=operations,
            serializer_class=OperationSerializer,
            context={"user": request.user},
        )

    @extend_schema(
        summary="Create an operation (superusers)",
        request=InputSerializer,
        responses={201: OperationSerializer, **refusals(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = parse(self.InputSerializer, request.data)
        operation = operation_create(actor=acting_user(request), **data)
        output = OperationSerializer(operation, context={"user": request.user})
        return Response(output.data, status=status.HTTP_201_CREATED)


class OperationDetailApi(ApiView):
    class InputSerializer(Input):
        name = serializers.CharField(max_length=200, required=False)
        admin_level_names = serializers.ListField(
            child=serializers.CharField(max_length=60), min_length=1, max_length=6, required=False
        )
        default_language = EnumField(settings.LANGUAGES, enum_name="Language", required=False)
        suppression_threshold = serializers.IntegerField(
            min_value=1, max_value=1000, required=False
        )

        class Meta:
            ref_name = "OperationUpdate"

    @extend_schema(
        summary="One operation, with your roles and capabilities in it",
        responses={200: OperationSerializer, **refusals(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        return Response(OperationSerializer(operation, context={"user": request.user}).data)

    @extend_schema(
        summary="Change an operation's name, level names, language or suppression threshold",
        request=InputSerializer,
        responses={200: OperationSerializer, **refusals(400, 403, 404)},
    )
    def patch(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        changes = parse(self.InputSerializer, request.data, partial=True)
        operation = operation_update(actor=acting_user(request), operation=operation, **changes)
        return Response(OperationSerializer(operation, context={"user": request.user}).data)


class MeApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        class OperationRolesSerializer(AccessFields):
            slug = serializers.SlugField()
            name = serializers.CharField()

            class Meta:
                ref_name = "MyOperation"

        username = serializers.CharField()
        email = serializers.CharField()
        full_name = serializers.CharField()
        is_superuser = serializers.BooleanField()
        operations = OperationRolesSerializer(many=True)

        class Meta:
            ref_name = "Me"

    @extend_schema(
        summary="Who you are, and your roles in each of your operations",
        responses={200: OutputSerializer, **refusals()},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        me = {
            "username": user.get_username(),
            "email": user.email,
            "full_name": user.get_full_name(),
            "is_superuser": user.is_superuser,
            "operations": operation_list_with_roles(user=user),
        }
        return Response(self.OutputSerializer(me, context={"user": user}).data)
