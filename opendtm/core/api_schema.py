"""drf-spectacular extensions: the token scheme and named enums for the OpenAPI schema.

Imported by core.api, so they are registered whenever the API is.
"""

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "opendtm.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API token from POST /api/v1/tokens/, sent as "
            "'Authorization: Token <key>' or 'Authorization: Bearer <key>'.",
        }


class EnumFieldSchema(OpenApiSerializerFieldExtension):
    """An EnumField becomes one named component, shared by every field using its choices.

    Without it, drf-spectacular names enums after the field ("status") and several choice
    sets under one field name collide.
    """

    target_class = "opendtm.core.api.EnumField"
    match_subclasses = True

    def get_name(self) -> str | None:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        choices = self.target.choices
        return {
            "type": "string",
            "enum": list(choices),
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.items()),
        }
