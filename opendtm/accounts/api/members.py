"""The people of an operation and their roles (MANAGE_USERS only; reads are audited)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.roles import Role
from opendtm.accounts.selectors.members import member_list, membership_get
from opendtm.accounts.selectors.operations import operation_get
from opendtm.accounts.services.members import member_grant, member_remove
from opendtm.core.api import ApiView, EnumField, Input, acting_user, parse, refusals


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Use it to remove this role: DELETE members/<id>/.")
    role = EnumField(Role.choices, enum_name="Role")
    created_at = serializers.DateTimeField()


class MemberSerializer(serializers.Serializer):
    """A person with their roles in this operation."""

    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")
    full_name = serializers.CharField(source="user.get_full_name")
    is_active = serializers.BooleanField(source="user.is_active")
    memberships = MembershipSerializer(many=True)


class MemberListCreateApi(ApiView):
    class InputSerializer(Input):
        username = serializers.CharField(max_length=150)
        roles = serializers.ListField(child=EnumField(Role.choices, enum_name="Role"), min_length=1)
        email = serializers.EmailField(
            required=False, default="", help_text="Used only when the account is new."
        )
        full_name = serializers.CharField(
            max_length=300,
            required=False,
            default="",
            help_text="Used only when the account is new.",
        )

        class Meta:
            ref_name = "MemberGrant"

    class OutputSerializer(MemberSerializer):
        created = serializers.BooleanField(
            help_text="True when the username was new and an account was created."
        )
        password = serializers.CharField(
            help_text="The new account's password, shown this once; empty for an existing account."
        )

        class Meta:
            ref_name = "MemberGranted"

    @extend_schema(
        summary="The people of this operation and their roles (the read is audited)",
        responses={200: MemberSerializer(many=True), **refusals(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        members = member_list(user=acting_user(request), operation=operation)
        return Response(MemberSerializer(members, many=True).data)

    @extend_schema(
        summary="Give roles to a username: an existing account, or a new one",
        request=InputSerializer,
        responses={201: OutputSerializer, **refusals(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        operation = operation_get(user=request.user, slug=slug)
        data = parse(self.InputSerializer, request.data)
        grant = member_grant(actor=acting_user(request), operation=operation, **data)
        return Response(self.OutputSerializer(grant).data, status=status.HTTP_201_CREATED)


class MemberDeleteApi(ApiView):
    @extend_schema(
        summary="Take one role away from a person",
        responses={204: None, **refusals(400, 403, 404)},
    )
    def delete(self, request: Request, slug: str, membership_id: int) -> Response:
        user = acting_user(request)
        operation = operation_get(user=user, slug=slug)
        membership = membership_get(user=user, operation=operation, membership_id=membership_id)
        member_remove(actor=user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
