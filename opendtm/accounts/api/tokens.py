"""The caller's own API tokens. A key is shown once, when its token is created."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opendtm.accounts.models import ApiToken
from opendtm.accounts.selectors.tokens import token_get, token_list
from opendtm.accounts.services.tokens import token_create, token_revoke
from opendtm.core.api import ApiView, Input, acting_user, parse, refusals


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The start of the key, to tell tokens apart.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class TokenListCreateApi(ApiView):
    class InputSerializer(Input):
        name = serializers.CharField(max_length=100)
        expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "TokenCreate"

    class OutputSerializer(TokenSerializer):
        key = serializers.SerializerMethodField(
            help_text="Send it as 'Authorization: Token <key>' (or Bearer). Shown this once."
        )

        class Meta:
            ref_name = "TokenCreated"

        def get_key(self, token: ApiToken) -> str:
            return self.context["key"]

    @extend_schema(
        summary="Your API tokens, without their keys",
        responses={200: TokenSerializer(many=True), **refusals()},
    )
    def get(self, request: Request) -> Response:
        tokens = token_list(user=acting_user(request))
        return Response(TokenSerializer(tokens, many=True).data)

    @extend_schema(
        summary="Create a token; the response holds its key, which is never shown again",
        request=InputSerializer,
        responses={201: OutputSerializer, **refusals(400)},
    )
    def post(self, request: Request) -> Response:
        data = parse(self.InputSerializer, request.data)
        token, key = token_create(user=acting_user(request), **data)
        output = self.OutputSerializer(token, context={"key": key})
        return Response(output.data, status=status.HTTP_201_CREATED)


class TokenRevokeApi(ApiView):
    @extend_schema(summary="Revoke one of your tokens", responses={204: None, **refusals(404)})
    def delete(self, request: Request, token_id: int) -> Response:
        user = acting_user(request)
        token_revoke(actor=user, token=token_get(user=user, token_id=token_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
