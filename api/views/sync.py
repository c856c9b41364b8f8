"""`GET /api/v1/sync/`: download a region once, then only what changed, page by page or as one stream."""

import contextlib
import json
import uuid

from django import forms
from django.core import signing
from django.http import StreamingHttpResponse
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from api import serializers
from api.languages import LANG_PARAMETER
from api.renderers import DirectoryJSONRenderer
from api.views.base import LanguageMixin, LetsGoOfItsResponse, StrictParamsMixin
from referrals.choices import ServiceStatus
from referrals.fields import BoundingBoxField, CodeListField
from referrals.managers import loaded
from referrals.models import Service
from referrals.routers import reading_from_primary
from referrals.services import sync
from referrals.services.disclosure import record_disclosures
from referrals.services.page_loading import load_records

CURSOR_SALT = "referrals.sync.cursor"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
STREAM_BATCH = 500


class NDJSONRenderer(BaseRenderer):
    """Newline-delimited JSON (`format=ndjson`): the view streams it itself, one record per line."""

    media_type = "application/x-ndjson"
    format = "ndjson"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """Anything not streamed as one JSON line (errors are rendered as JSON by the view)."""
        return (json.dumps(data, cls=JSONEncoder, ensure_ascii=False) + "\n").encode()


class SyncQueryForm(forms.Form):
    """The sync's query parameters."""

    country = CodeListField(codes=lambda: countries.countries.keys(), normalize=str.upper, required=False)
    bbox = BoundingBoxField(required=False)
    status = CodeListField(codes=lambda: ServiceStatus.values, required=False)
    cursor = forms.CharField(max_length=2000, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


def _encode_cursor(position: sync.Position, region: sync.Region, scope: str) -> str:
    """Signed but not timestamped: the same position gives the same cursor, so an unchanged region's page is
    byte-identical and its ETag lets the phone revalidate with a 304."""
    data = {"p": position.as_data(), "r": region.as_data(), "s": scope}
    return signing.Signer(salt=CURSOR_SALT).sign_object(data, compress=True)


def _decode_cursor(raw: str):
    try:
        if raw.count(":") == 2:  # issued before cursors were stable: timestamped, still honoured
            data = signing.loads(raw, salt=CURSOR_SALT)
        else:
            data = signing.Signer(salt=CURSOR_SALT).unsign_object(raw)
        return sync.Position.from_data(data["p"]), sync.Region.from_data(data["r"]), data["s"]
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
        raise ValidationError({"cursor": ["Not a cursor this server issued. Start again without a cursor."]}) from None


PARAMETERS = [
    OpenApiParameter(
        "country",
        OpenApiTypes.STR,
        description="ISO 3166-1 alpha-2 codes, comma-separated: services with a location in, or an area covering, "
        "any of them. With `bbox`, both must hold; with neither, the whole directory.",
    ),
    OpenApiParameter("bbox", OpenApiTypes.STR, description="Map box `min_lng,min_lat,max_lng,max_lat`."),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        description="Statuses to hold, comma-separated (default `active`, as the search). A service that leaves "
        "them comes as a tombstone.",
    ),
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description="`next_cursor` of the previous call. It remembers the region and statuses: repeat them or "
        "leave them out.",
    ),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description=f"Records per page (1-{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE})."
    ),
    LANG_PARAMETER,
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        # Empty: the Accept header decides, as DRF does; anything else but json/ndjson is a 404.
        enum=["json", "ndjson", ""],
        description='`ndjson` streams the whole cycle (no paging) as lines `{"type": "deleted", "id"}`, '
        '`{"type": "service", "record"}` and, last, `{"type": "end", "next_cursor"}`: a stream without '
        'its end line was cut off. A first line `{"type": "reset"}` means: drop your copy first. Every '
        f'{STREAM_BATCH} records comes a line `{{"type": "checkpoint", "cursor"}}`: a stream cut off resumes '
        "with `cursor=<the last checkpoint's cursor>&format=ndjson` and gets the rest of the cycle (records "
        "after that checkpoint may come again: replace them whole).",
    ),
]


class SyncView(LetsGoOfItsResponse, LanguageMixin, StrictParamsMixin, APIView):
    """Delta sync for offline apps and partner mirrors."""

    permission_classes = [AllowAny]
    renderer_classes = [DirectoryJSONRenderer, BrowsableAPIRenderer, NDJSONRenderer]
    extra_query_params = frozenset({"country", "bbox", "status", "cursor", "page_size", "lang"})

    @extend_schema(
        summary="Download a region, then only its changes",
        description="The first call (no `cursor`) starts a full download of the region; follow `next_cursor` while "
        "`has_more` is true. Keep the last `next_cursor`: calling with it later returns only the services changed "
        "since (`results`, whole records in the detail shape, organisation included) and the ids of those that "
        "left your view (`deleted`). Nothing changed: empty lists, one small response (and a 304 with "
        "`If-None-Match`). Pages stay consistent while listings are edited: a record changed during a download "
        "comes again in the next cycle, never lost. Public readers get public faces; a caseworker's sync carries "
        "what that caseworker may see, and its full faces of confidential locations are logged as disclosures.",
        parameters=PARAMETERS,
        responses=serializers.SyncPageSerializer,
    )
    def get(self, request, format=None):
        """One page of the sync, or the whole cycle as NDJSON."""
        form = SyncQueryForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
        data = form.cleaned_data
        viewer = self.viewer
        scope = sync.scope_of(viewer)
        region = sync.Region(
            countries=tuple(sorted(data["country"])),
            box=data["bbox"],
            statuses=tuple(sorted(data["status"] or [ServiceStatus.ACTIVE])),
        )
        position, reset, current = sync.Position(), False, None
        if data["cursor"]:
            position, cursor_region, cursor_scope = _decode_cursor(data["cursor"])
            self._check_same_region(request, region, cursor_region)
            region = cursor_region
            current, kept_from = sync.sequence_state()
            pruned = not position.initial and position.watermark < kept_from - 1
            if cursor_scope != scope or pruned:
                position, reset = sync.Position(), True
        if request.accepted_renderer.format == "ndjson":
            return self._stream(viewer, region, position, scope, reset)
        page = sync.read_page(viewer, region, position, data["page_size"] or DEFAULT_PAGE_SIZE, current)
        return Response(
            {
                "results": self._records(page),
                "deleted": page.deleted,
                "next_cursor": _encode_cursor(page.position, region, scope),
                "has_more": page.has_more,
                "reset": reset,
            }
        )

    def handle_exception(self, exc):
        """Errors are JSON whatever the format asked for (a 400 is not a stream of records)."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = DirectoryJSONRenderer()
        self.request.accepted_media_type = DirectoryJSONRenderer.media_type
        return response

    @staticmethod
    def _check_same_region(request, region, cursor_region):
        """A cursor carries its region; parameters that say otherwise are a mistake, not a new region."""
        given = {name for name in ("country", "bbox", "status") if request.query_params.get(name)}
        errors = {}
        if "country" in given and region.countries != cursor_region.countries:
            errors["country"] = ["Differs from the cursor's region; leave it out, or start again without a cursor."]
        if "bbox" in given and region.box != cursor_region.box:
            errors["bbox"] = ["Differs from the cursor's region; leave it out, or start again without a cursor."]
        if "status" in given and region.statuses != cursor_region.statuses:
            errors["status"] = ["Differs from the cursor's statuses; leave it out, or start again without a cursor."]
        if errors:
            raise ValidationError(errors)

    def _records(self, page: sync.SyncPage):
        """The page's services in its order, whole, as this reader may see them, read on the database the page was
        read on; full faces shown are logged."""
        if not page.services:
            return []
        with reading_from_primary() if page.on_primary else contextlib.nullcontext():
            services = load_records(Service.objects.all(), list(map(_uuid, page.services)))
        context = {"request": self.request, "viewer": self.viewer, "lang": self.reader_language()}
        data = serializers.SyncServiceSerializer(many=True, context=context).to_representation(services)
        locations = [link.location for service in services for link in loaded(service, "service_at_locations")]
        record_disclosures(self.viewer, locations, f"GET {self.request.path}")
        return data

    def _stream(self, viewer, region, position, scope, reset):
        """The rest of the cycle as NDJSON, read and sent a batch at a time (memory stays flat)."""

        def lines():
            nonlocal position
            if reset:
                yield _line({"type": "reset"})
            while True:
                page = sync.read_page(viewer, region, position, STREAM_BATCH)
                for pk in page.deleted:
                    yield _line({"type": "deleted", "id": pk})
                for record in self._records(page):
                    yield _line({"type": "service", "record": record})
                position = page.position
                if not page.has_more:
                    break
                # A phone cut off mid-stream resumes here instead of from the start, so a slow link that drops
                # at the same point every time still gets through a country a batch at a time.
                yield _line({"type": "checkpoint", "cursor": _encode_cursor(position, region, scope)})
            yield _line({"type": "end", "next_cursor": _encode_cursor(position, region, scope), "has_more": False})

        return StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")


def _uuid(value):
    return uuid.UUID(str(value))


def _line(item) -> bytes:
    return (json.dumps(item, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
