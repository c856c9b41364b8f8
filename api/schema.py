"""OpenAPI generation tweaks: documented error bodies, and confidential faces' optional fields."""

from drf_spectacular.openapi import AutoSchema

VALIDATION_ERROR = {
    "type": "object",
    "description": "Each key names a bad query parameter (or `fields`, `page`, ...); its value says what is wrong.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"lat": ["Ensure this value is less than or equal to 90."], "category": ["Unknown code(s): 'x'."]},
}
NOT_FOUND = {
    "type": "object",
    "description": "No such record (or not visible to you), or a page past the last one.",
    "properties": {
        "detail": {"type": "string"},
        "page": {"type": "array", "items": {"type": "string"}},
    },
}


class DirectoryAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the 400 and 404 bodies every read endpoint can answer with."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET":
            responses.setdefault(
                "400",
                {"description": "Bad query parameters.", "content": {"application/json": {"schema": VALIDATION_ERROR}}},
            )
            responses.setdefault(
                "404", {"description": "Not found.", "content": {"application/json": {"schema": NOT_FOUND}}}
            )
        return responses

    def _map_basic_serializer(self, serializer, direction):
        """Fields outside a serializer's `Meta.public_fields` may be absent (a confidential public face)."""
        schema = super()._map_basic_serializer(serializer, direction)
        public_fields = getattr(getattr(serializer, "Meta", None), "public_fields", None)
        if public_fields is not None and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name in public_fields]
        return schema
