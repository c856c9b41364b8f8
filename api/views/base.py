"""Mixins every API view shares: strict query parameters, the viewer, sparse fieldsets, versioned writes."""

import hashlib
import json

from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.languages import requested_language
from api.permissions import get_viewer
from referrals.services.sync import as_one_write

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


class LetsGoOfItsResponse:
    """Views whose answers are large (a search's page, a sync page): no reference cycle holds the answer once it is
    made, so that it is freed as soon as it has been sent.

    DRF keeps the response on the view (`view.response`), and as it renders, the response in its own renderer's
    context (`renderer_context["response"]`): two cycles, so the answer's data and the records it was made from
    outlived their request until the garbage collector's next full walk. Those walks took 30-130 ms every few
    requests at 100,000 services (each sync page left 9,000 objects), and came back in every p95.
    """

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        self.response = None  # nothing reads it after dispatch
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(_out_of_its_renderer_context)
        return response


def _out_of_its_renderer_context(response) -> None:
    """Once rendered, the response need not be in its renderer's context (DRF puts it there to render)."""
    context = getattr(response, "renderer_context", None)
    if context is not None:
        context.pop("response", None)


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


def etag_of(representation) -> str:
    """A strong ETag for a record's representation: the same data gives the same tag, whatever the renderer."""
    canonical = json.dumps(representation, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return f'"{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"'


def _opaque(tag: str) -> str:
    # Compression turns our tags weak (W/"..."); they name the record's state either way.
    return tag[2:] if tag.startswith("W/") else tag


class StaleRecord(Exception):
    """An If-Match that names a version the record no longer has."""

    def __init__(self, etag: str, current):
        super().__init__(etag)
        self.etag, self.current = etag, current


class VersionedWritesMixin:
    """Writes that lose nothing: one transaction each, `If-Match` honoured, ETags on reads and writes.

    - Every unsafe request runs in one transaction with everything the write keeps in step (history, sync
      versions, tombstones, the search index): all of it commits, or nothing does (an exception or any 4xx/5xx
      answer rolls back). The change sequence's lock is taken first (`referrals.services.sync.lock_sequence`),
      once the writer is authenticated and its body read, so concurrent writers queue and each reads what the
      previous one committed.
    - A record's representation carries an ETag (`etag_of`); a write with `If-Match` naming another
      version answers 412 with the current representation and its ETag, and changes nothing.
    """

    # Actions that change one record and so honour If-Match against its representation.
    if_match_actions = frozenset({"update", "partial_update", "destroy"})
    # Actions that POST a body to one record (its serializer is the action's): checked before a stale If-Match.
    validated_posts: frozenset[str] = frozenset()
    # Actions whose 200/201 body is the record's representation (and so carries its ETag).
    representation_actions = frozenset({"retrieve", "create", "update", "partial_update"})

    # Actions that take a POST but only read (the search with its terms in a body): no transaction, no lock.
    posted_reads: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        """Once the writer is known and allowed and its body is read, run the handler as one queued write."""
        super().initial(request, *args, **kwargs)
        if request.method in SAFE_METHODS or getattr(self, "action", None) in self.posted_reads:
            return
        # Read (and parse) the body first: a slow client must not hold the sequence's lock while it trickles in.
        request.data  # noqa: B018
        handler_name = request.method.lower()
        setattr(self, handler_name, as_one_write(getattr(self, handler_name)))

    def representation(self, instance):
        """The record as a GET of it answers this reader: views whose writes take another shape override this
        (and their `retrieve` must give the same data, or If-Match could never match)."""
        return self.get_serializer(instance).data

    def get_object(self):
        """The record; for a write, checked against If-Match first."""
        instance = super().get_object()
        if self.request.method not in SAFE_METHODS and self.action in self.if_match_actions:
            self.check_if_match(instance)
        return instance

    def check_if_match(self, instance) -> None:
        """Raise StaleRecord when If-Match names neither `*` nor the record's current ETag."""
        header = self.request.headers.get("If-Match", "").strip()
        if not header:  # sent empty: no precondition
            return
        wanted = {_opaque(tag) for tag in parse_etags(header)}
        if "*" in wanted:
            return
        current = self.representation(instance)
        etag = etag_of(current)
        if etag not in wanted:
            # Bad input is told first: a client fixes its data, then learns the record moved on.
            self._refuse_bad_input(instance)
            raise StaleRecord(etag, current)

    def _refuse_bad_input(self, instance) -> None:
        """Raise the 400 that the request's body would get, if it would."""
        if self.action in ("update", "partial_update"):
            partial = self.action == "partial_update"
            self.get_serializer(instance, data=self.request.data, partial=partial).is_valid(raise_exception=True)
        elif self.action in self.validated_posts:
            self.get_serializer(data=self.request.data).is_valid(raise_exception=True)

    def handle_exception(self, exc):
        """A stale If-Match: 412 with the record as it is now, so the client can merge and retry."""
        if isinstance(exc, StaleRecord):
            body = {
                "detail": "The record changed since you read it (If-Match does not name its current ETag). "
                "Here it is as it is now: apply your change to it and send it again with the new ETag.",
                "current": exc.current,
            }
            return Response(body, status=412, headers={"ETag": exc.etag})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        """A record's representation carries its ETag, on reads and on writes."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            getattr(self, "action", None) in self.representation_actions
            and response.status_code in (200, 201)
            and isinstance(getattr(response, "data", None), dict)
            and not response.has_header("ETag")
        ):
            response["ETag"] = etag_of(response.data)
        return response
