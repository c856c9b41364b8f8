"""OpenAPI generation tweaks: documented error bodies, confidential faces' optional fields, and a
`type` beside every `nullable` (OpenAPI 3.0 ignores `nullable` without one)."""

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


# Keywords whose values are data, not schema: a `nullable` key in an example is no keyword.
_DATA_KEYWORDS = frozenset({"example", "examples", "default", "enum", "x-examples"})


def schema_objects(node, names_properties=False):
    """Every mapping in an OpenAPI document (or part of one) that can be a Schema Object, examples left out.

    `names_properties`: `node` is a `properties` mapping, whose keys are field names (`default` among them).
    """
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if names_properties or key not in _DATA_KEYWORDS:
                yield from schema_objects(value, names_properties=key == "properties" and not names_properties)
    elif isinstance(node, list):
        for item in node:
            yield from schema_objects(item)


def _branch_type(branch, components):
    """The `type` a oneOf/anyOf/allOf branch stands for ("" for the explicit null choice, None if unknown)."""
    while "$ref" in branch:
        branch = components.get(branch["$ref"].rpartition("/")[2], {})
    if branch.get("enum") == [None]:
        return ""  # drf-spectacular's NullEnum: the null that `nullable` lets through
    return branch.get("type")


def postprocess_nullable_types(result, generator, request, public):
    """Put a `type` beside each `nullable: true` that has none, as OpenAPI 3.0.3 requires for it to mean anything.

    drf-spectacular writes a nullable choice as `nullable` + `oneOf: [TheEnum, NullEnum]`, and a nullable nested
    serializer as `nullable` + `allOf: [$ref]`: the type is the one their branches share. A nullable JSON field
    (any value) has no type to give, and needs none: a schema without `type` already takes null, so its no-op
    `nullable` goes. Anything else is left as it is, for tests/test_schema_and_docs.py and Redocly to report.
    """
    components = result.get("components", {}).get("schemas", {})
    for schema in list(schema_objects(result)):
        if schema.get("nullable") is not True or "type" in schema:
            continue
        branches = [*schema.get("oneOf", ()), *schema.get("anyOf", ()), *schema.get("allOf", ())]
        if not branches and not {"$ref", "enum", "not"} & schema.keys():
            del schema["nullable"]
            continue
        types = {_branch_type(branch, components) for branch in branches} - {""}
        if len(types) == 1 and None not in types:
            schema["type"] = types.pop()
    return result
