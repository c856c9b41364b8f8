"""OpenAPI generation tweaks: documented error bodies, and confidential faces' optional fields."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

VALIDATION_ERROR = {
    "type": "object",
    "description": "Each key names a bad query parameter (or `fields`, `page`, ...); its value says what is wrong.",
    # Usually a list of messages; nested input gives an object per item; a body that is not JSON, `detail`.
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}],
    },
    "example": {"lat": ["Ensure this value is less than or equal to 90."], "category": ["Unknown code(s): 'x'."]},
}
DETAIL = {
    "type": "object",
    "description": "What went wrong.",
    "properties": {"detail": {"type": "string", "description": "A sentence saying what went wrong."}},
}
NOT_FOUND = {
    "type": "object",
    "description": "No such record (or not visible to you), or a page past the last one.",
    "properties": {
        "detail": {"type": "string"},
        "page": {"type": "array", "items": {"type": "string"}},
    },
}


STALE = {
    "type": "object",
    "description": "The write was refused: the record changed since the version If-Match named.",
    "properties": {
        "detail": {"type": "string", "description": "What happened and what to do."},
        "current": {"type": "object", "description": "The record as it is now.", "additionalProperties": True},
    },
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read the record with (`W/` form and `*` accepted): if it changed since, the write is "
    "refused with 412 and changes nothing. Without it the last write wins, field by field.",
)


class DirectoryAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error bodies every endpoint can answer with."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "400": ("Bad input: each key names a bad parameter or field.", VALIDATION_ERROR),
            "401": ("Not signed in, or a bad token or API key.", DETAIL),
            "403": ("Signed in, but this needs another role.", DETAIL),
            "404": ("Not found, or not yours to see or change.", NOT_FOUND),
            "429": ("Too many requests: wait for Retry-After seconds.", DETAIL),
        }
        if self.method in ("POST", "PUT", "PATCH"):
            errors["413"] = ("The body is larger than the server takes (REQUEST_BODY_MAX_BYTES).", DETAIL)
        errors["415"] = ("The request names a charset other than UTF-8 (or its body is not JSON).", DETAIL)
        if self._honours_if_match():
            errors["412"] = (
                "If-Match names an earlier version: `current` is the record as it is now (its ETag in the header).",
                STALE,
            )
        errors["503"] = ("The database is unreachable or too slow right now: retry after Retry-After seconds.", DETAIL)
        for status, (description, schema) in errors.items():
            responses.setdefault(
                status, {"description": description, "content": {"application/json": {"schema": schema}}}
            )
        return responses

    def _honours_if_match(self) -> bool:
        return self.method in ("PUT", "PATCH", "DELETE", "POST") and getattr(self.view, "action", None) in getattr(
            self.view, "if_match_actions", ()
        )

    def get_override_parameters(self):
        """Writes of one record take If-Match (api.views.base.VersionedWritesMixin)."""
        parameters = list(super().get_override_parameters())
        if self._honours_if_match():
            parameters.append(IF_MATCH)
        return parameters

    def get_auth(self):
        """Reads are open to anonymous readers wherever ReadOrEditOwn guards the view."""
        from api.permissions import ReadOrEditOwn

        auths = super().get_auth()
        reads_open = any(isinstance(permission, ReadOrEditOwn) for permission in self.view.get_permissions())
        if reads_open and self.method in ("GET", "HEAD", "OPTIONS") and {} not in auths:
            auths.append({})
        return auths

    def get_operation(self, *args, **kwargs):
        """Path parameters without their own description get one (the field's, or a plain default)."""
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "path" and not parameter.get("description"):
                fallback = "The record's identifier (404 if it is not visible to you)."
                parameter["description"] = parameter.get("schema", {}).get("description") or fallback
        return operation

    def _map_basic_serializer(self, serializer, direction):
        """Fields outside a serializer's `Meta.public_fields` may be absent (a confidential public face)."""
        schema = super()._map_basic_serializer(serializer, direction)
        # A blank-allowed URL or email is "" or a valid one: say so, instead of a format that "" breaks.
        for name, field in serializer.fields.items():
            prop = schema.get("properties", {}).get(name, {})
            if getattr(field, "allow_blank", False) and prop.get("format") in ("uri", "email"):
                prop["anyOf"] = [{"format": prop.pop("format")}, {"maxLength": 0}]
        public_fields = getattr(getattr(serializer, "Meta", None), "public_fields", None)
        if public_fields is not None and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name in public_fields]
        return schema


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """Documents `Authorization: Api-Key <key>` for partner apps."""

    target_class = "api.authentication.PartnerKeyAuthentication"
    name = "partnerApiKey"

    def get_security_definition(self, auto_schema):
        """An API key in the Authorization header, prefixed with `Api-Key `."""
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Partner apps: `Authorization: Api-Key <key>` (keys are issued by moderators).",
        }
