"""Mixins every API view shares: strict query parameters, the viewer, sparse fieldsets."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from api.languages import requested_language
from api.permissions import get_viewer

ALWAYS_ALLOWED_PARAMS = frozenset({"format"})
PAGINATION_PARAMS = frozenset({"page", "page_size"})

FIELDS_PARAMETER = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description="Comma-separated names of the result fields to return (sparse fieldset), e.g. `id,name,distance_km`.",
)
ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The record's UUID (404 if not visible to you)."
)
CODE_PARAMETER = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The term's stable code, e.g. `housing`."
)


class StrictParamsMixin:
    """Answers 400 to unknown or repeated query parameters, so no filter is ever silently ignored."""

    extra_query_params: frozenset[str] = frozenset()
    # Actions that answer with a page and so take page/page_size.
    paginated_actions: frozenset[str] = frozenset({"list"})

    @property
    def viewer(self):
        """Who is asking (roles looked up once per request)."""
        return get_viewer(self.request)

    def allowed_query_params(self) -> set[str]:
        """Names this endpoint understands."""
        allowed = set(ALWAYS_ALLOWED_PARAMS | self.extra_query_params)
        action = getattr(self, "action", None)
        if action in self.paginated_actions:
            allowed |= PAGINATION_PARAMS
        if action == "list":
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
        return allowed

    def initial(self, request, *args, **kwargs):
        """An unsupported method is a 405 whoever asks; then authentication; then unknown parameters."""
        method = request.method.lower()
        if method not in self.http_method_names or getattr(self, method, None) is None:
            self.http_method_not_allowed(request)
        super().initial(request, *args, **kwargs)
        allowed = self.allowed_query_params()
        errors = {}
        for name in sorted(request.query_params):
            if name not in allowed:
                errors[name[:60]] = [f"Unknown query parameter. Known here: {', '.join(sorted(allowed))}."]
            elif len(request.query_params.getlist(name)) > 1:
                errors[name] = ["Give this parameter once (use a comma-separated list for several values)."]
        if errors:
            # Every bad name is checked; the answer names at most 20 of them.
            raise ValidationError(dict(list(errors.items())[:20]))

    def get_serializer_context(self):
        """Every serializer knows who reads."""
        context = super().get_serializer_context()
        context["viewer"] = self.viewer
        return context


class SparseFieldsMixin:
    """Validates `fields=` against the serializer and passes it on in the context."""

    def sparse_fields(self, params=None) -> set[str] | None:
        """The requested field names, or None for all."""
        params = self.request.query_params if params is None else params
        raw = params.get("fields")
        if raw is None or raw.strip() == "":
            return None
        wanted = {name.strip() for name in raw.split(",") if name.strip()}
        available = set(self.get_serializer_class()().fields)
        unknown = sorted(wanted - available)
        if unknown:
            shown = ", ".join(repr(name[:40]) for name in unknown[:10])
            raise ValidationError(
                {"fields": [f"Unknown field(s): {shown}. Available: {', '.join(sorted(available))}."]}
            )
        return wanted

    def get_serializer_context(self):
        """Add the sparse fieldset."""
        context = super().get_serializer_context()
        if self.action != "search":  # the POST search reads `fields` from its body
            context["sparse_fields"] = self.sparse_fields()
        return context


class LanguageMixin:
    """Views whose texts follow `lang=` or Accept-Language; the response says its language (Content-Language)."""

    def reader_language(self, params=None) -> str | None:
        """The language asked for (query string, or the POST search's body), validated; None: each record's own."""
        if not hasattr(self, "_reader_language"):
            params = self.request.query_params if params is None else params
            self._reader_language = requested_language(self.request, params.get("lang"))
        return self._reader_language

    def initial(self, request, *args, **kwargs):
        """A bad `lang` is a 400 whatever the action (the POST search checks its body's)."""
        super().initial(request, *args, **kwargs)
        if getattr(self, "action", None) != "search":
            self.reader_language()

    def get_serializer_context(self):
        """Serializers pick texts in the reader's language."""
        context = super().get_serializer_context()
        if self.request is not None and getattr(self, "action", None) != "search":
            context["lang"] = self.reader_language()
        return context

    def finalize_response(self, request, response, *args, **kwargs):
        """Say which language was chosen, when one was."""
        response = super().finalize_response(request, response, *args, **kwargs)
        language = getattr(self, "_reader_language", None)
        if language and response.status_code < 400:
            response["Content-Language"] = language
        return response
