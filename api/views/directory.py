"""The directory: search and read for everyone, writes for the organisations that own the listings."""

import contextlib
import sys
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers
from api.languages import LANG_PARAMETER
from api.permissions import IsModerator, IsVettedCaseworkerOrModerator
from api.unavailable import database_unavailable_response, is_database_outage
from api.views.base import (
    CODE_PARAMETER,
    FIELDS_PARAMETER,
    ID_PARAMETER,
    LanguageMixin,
    LetsGoOfItsResponse,
    SparseFieldsMixin,
    StrictParamsMixin,
    VersionedWritesMixin,
)
from referrals import gazetteer
from referrals.filtersets import OrganizationFilterSet, ServiceFilterSet
from referrals.managers import loaded
from referrals.models import (
    CapacityUnit,
    Category,
    Context,
    Language,
    Location,
    Organization,
    Population,
    Service,
)
from referrals.services import listings, memberships, moderation, places, reports
from referrals.services.disclosure import record_disclosures
from referrals.services.history import listing_history
from referrals.services.page_loading import load_records
from referrals.services.paging import PageNotFound
from referrals.services.service_search import search_services


def _endpoint(request) -> str:
    return f"{request.method} {request.get_full_path()}"[:200]


def _locations_of(services):
    return [link.location for service in services for link in loaded(service, "service_at_locations")]


@extend_schema_view(
    list=extend_schema(
        summary="Search services",
        description="Services by location and special needs. With `lat`/`lng` results lie within `radius_km`, "
        "carry `distance_km` and come nearest first. Confidential locations are searched, measured and "
        "shown by their grid-snapped public point, except to readers who may see their full face.",
        parameters=[FIELDS_PARAMETER, LANG_PARAMETER],
    ),
    retrieve=extend_schema(
        summary="A service's whole record", parameters=[ID_PARAMETER, FIELDS_PARAMETER, LANG_PARAMETER]
    ),
    create=extend_schema(
        summary="Create a service of your organisation", responses={201: serializers.ServiceDetailSerializer}
    ),
    update=extend_schema(
        summary="Replace a service of yours", parameters=[ID_PARAMETER], responses=serializers.ServiceDetailSerializer
    ),
    partial_update=extend_schema(
        summary="Change a service of yours", parameters=[ID_PARAMETER], responses=serializers.ServiceDetailSerializer
    ),
    destroy=extend_schema(
        summary="Retire a service of yours (status becomes defunct; the record stays)", parameters=[ID_PARAMETER]
    ),
)
class ServiceViewSet(
    LetsGoOfItsResponse,
    VersionedWritesMixin,
    LanguageMixin,
    StrictParamsMixin,
    SparseFieldsMixin,
    viewsets.ModelViewSet,
):
    """Services: everyone reads those of vetted organisations; owners write their own (others' answer 404)."""

    filterset_class = ServiceFilterSet
    if_match_actions = frozenset({"update", "partial_update", "destroy", "capacity", "verify"})
    posted_reads = frozenset({"search"})
    validated_posts = frozenset({"capacity"})
    extra_query_params = frozenset({"fields", "lang"})
    paginated_actions = frozenset({"list", "history", "search"})

    def get_queryset(self):
        """What this action may reach: visible services to read, one's own to change."""
        viewer = self.viewer
        if self.action in ("update", "partial_update", "destroy", "capacity", "history"):
            return Service.objects.editable_by(viewer).with_detail_relations()
        if self.action == "verify":
            return Service.objects.administrable_by(viewer).with_detail_relations()
        return Service.objects.visible_to(viewer)  # a record to read is loaded whole by `get_object`

    def get_serializer_class(self):
        """Compact results in lists, the whole record in detail, input shapes for writes."""
        return {
            "list": serializers.ServiceListSerializer,
            "search": serializers.ServiceListSerializer,
            "create": serializers.ServiceWriteSerializer,
            "update": serializers.ServiceWriteSerializer,
            "partial_update": serializers.ServiceWriteSerializer,
            "capacity": serializers.CapacityReportSerializer,
            "report": serializers.ReportSerializer,
            "history": serializers.HistoryEntrySerializer,
        }.get(self.action, serializers.ServiceDetailSerializer)

    def filter_queryset(self, queryset):
        """Filtering happens in `list()`, which also needs the filter set's point and ordering."""
        return queryset

    def list(self, request, *args, **kwargs):
        """Search with the query string's parameters."""
        return self._search(request.query_params)

    @extend_schema(
        summary="Search services, with the parameters in a JSON body",
        description="The same search as `GET /api/v1/services/`, but the terms travel in the body, so that "
        "sensitive searches stay out of URLs, proxies and server logs. `next`/`previous` name the page: "
        "POST the same body to them (or send `page` in the body).",
        request=serializers.ServiceSearchRequestSerializer,
        responses=serializers.ServiceListSerializer(many=True),
    )
    @action(detail=False, methods=["post"], url_path="search", permission_classes=[AllowAny])
    def search(self, request, *args, **kwargs):
        """Search with the body's parameters."""
        body = serializers.ServiceSearchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        params = body.as_query_params()
        for name in ("page", "page_size"):  # a page named in the URL (the `next` link) wins
            if name in request.query_params:
                params[name] = request.query_params[name]
        return self._search(params)

    def _search(self, params):
        """Parse the parameters, run the directory's search (`search_services`), render its page."""
        request = self.request
        filterset = self.filterset_class(params, queryset=Service.objects.visible_to(self.viewer), viewer=self.viewer)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        number, size = self.paginator.page_requested(request, params)
        lang = self.reader_language(params)
        try:
            found = search_services(
                filterset, self.viewer, lang=lang, number=number, size=size, endpoint=_endpoint(request)
            )
        except PageNotFound as missing:
            raise NotFound({"page": [str(missing)]}) from None
        self.paginator.show(found.page, request)
        context = self.get_serializer_context()
        context.update(lang=lang, near=found.near, sparse_fields=self.sparse_fields(params))
        if found.distances is not None:
            context.update(distances=found.distances, reaches=found.reaches)
        data = serializers.ServiceListSerializer(many=True, context=context).to_representation(found.services)
        response = self.get_paginated_response(data)
        if found.place is not None:
            response.data["resolved_place"] = serializers.ResolvedPlaceSerializer(found.place).data
        return response

    def get_object(self):
        """A record to read comes whole in one query (`load_records`); one to change as its write loads it."""
        if self.action != "retrieve":
            return super().get_object()
        try:
            pk = uuid.UUID(str(self.kwargs[self.lookup_url_kwarg or self.lookup_field]))
        except ValueError:
            pk = None  # not an id: as no such service
        found = load_records(self.get_queryset(), [pk]) if pk else []
        if not found:
            raise Http404(f"No {Service._meta.object_name} matches the given query.")
        self.check_object_permissions(self.request, found[0])
        return found[0]

    def retrieve(self, request, *args, **kwargs):
        """The whole record; full faces shown to caseworkers and partners are logged."""
        service = self.get_object()
        data = serializers.ServiceDetailSerializer(service, context=self.get_serializer_context()).data
        record_disclosures(self.viewer, _locations_of([service]), _endpoint(request))
        return Response(data)

    def representation(self, service):
        """The whole record, as `retrieve` gives it to this reader."""
        (fresh,) = load_records(Service.objects.all(), [service.pk])
        return serializers.ServiceDetailSerializer(fresh, context=self.get_serializer_context()).data

    def _detail(self, service, status_code=status.HTTP_200_OK):
        return Response(self.representation(service), status=status_code)

    def create(self, request, *args, **kwargs):
        """Create a service of one's own organisation; answers with its whole record."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(serializer.save(), status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Change a service of one's own organisation; answers with its whole record."""
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return self._detail(serializer.save())

    def destroy(self, request, *args, **kwargs):
        """Retire: the listing stays on record with status `defunct`."""
        listings.retire(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Report free places now (one tap)",
        description="Set `available` or apply a `change` (e.g. -1 when a bed is taken) per unit. Row-locked: two "
        "editors updating at once lose neither update. `has_capacity=true` counts only fresh reports.",
        parameters=[ID_PARAMETER],
        responses=serializers.ServiceCapacitySerializer(many=True),
    )
    @action(detail=True, methods=["post"])
    def capacity(self, request, pk=None):
        """Update capacity counts of one's own service."""
        service = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        errors = {}
        for entry in serializer.validated_data["units"]:
            try:
                listings.report_capacity(
                    service,
                    entry["unit"],
                    available=entry.get("available"),
                    change=entry.get("change"),
                    maximum=entry.get("maximum"),
                )
            except LookupError:
                errors[entry["unit"]] = ["No count for this unit yet: send `available` first."]
            except Exception as exc:
                if not hasattr(exc, "message_dict"):
                    raise
                errors[entry["unit"]] = [message for messages in exc.message_dict.values() for message in messages]
        if errors:
            raise ValidationError({"units": errors})
        capacities = service.capacities.order_by("unit")
        return Response(serializers.ServiceCapacitySerializer(capacities, many=True).data)

    @extend_schema(
        summary="Confirm the listing is right (organisation admins, moderators)",
        request=None,
        parameters=[ID_PARAMETER],
        responses=serializers.ServiceDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Set assured_date to today and the assurer to the signed-in person."""
        serializers.refuse_any_body(request)
        service = listings.verify(self.get_object(), request.user)
        return self._detail(service)

    @extend_schema(
        summary="Audit history of the listing (organisation members, moderators)",
        parameters=[ID_PARAMETER],
        responses=serializers.HistoryEntrySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change to the listing and the records beneath it: who, when, each field's old and new value."""
        entries = listing_history(self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(serializers.HistoryEntrySerializer(page, many=True).data)

    @extend_schema(
        summary="Report that the listing is wrong (vetted caseworkers)",
        parameters=[ID_PARAMETER],
        responses={201: serializers.ReportSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsVettedCaseworkerOrModerator])
    def report(self, request, pk=None):
        """File a report; the organisation and moderators see it in /api/v1/reports/."""
        service = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = reports.file_report(service, request.user, **serializer.validated_data)
        return Response(serializers.ReportSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(summary="An organisation", parameters=[ID_PARAMETER]),
    update=extend_schema(
        summary="Replace your organisation's details",
        parameters=[ID_PARAMETER],
        responses=serializers.OrganizationSerializer,
    ),
    partial_update=extend_schema(
        summary="Change your organisation's details",
        parameters=[ID_PARAMETER],
        responses=serializers.OrganizationSerializer,
    ),
)
class OrganizationViewSet(
    VersionedWritesMixin,
    StrictParamsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations: vetted ones for everyone; admins change their own; moderators vet."""

    filterset_class = OrganizationFilterSet
    paginated_actions = frozenset({"list", "members"})

    def get_queryset(self):
        """Visible organisations to read; administered ones to change."""
        viewer = self.viewer
        if self.action in ("update", "partial_update", "members", "member"):
            organizations = Organization.objects.administrable_by(viewer)
            if self.action in ("members",) and self.request.method == "GET":
                organizations = Organization.objects.editable_by(viewer)
            return organizations
        if self.action == "vet":
            return Organization.objects.all()
        return (
            Organization.objects.visible_to(viewer)
            .annotate(service_count=Count("services", filter=Q(services__status="active")))
            .prefetch_related("phones__languages")  # phones
            .order_by("name", "id")
        )

    def get_serializer_class(self):
        """Input shape for changes; the organisation otherwise."""
        if self.action in ("update", "partial_update"):
            return serializers.OrganizationWriteSerializer
        if self.action in ("members", "member"):
            return (
                serializers.MembershipWriteSerializer
                if self.request.method in ("POST", "PATCH")
                else (serializers.MembershipSerializer)
            )
        return serializers.OrganizationSerializer

    def update(self, request, *args, **kwargs):
        """Change the details; answers with the organisation."""
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return Response(self.representation(serializer.save()))

    def representation(self, organization):
        """The organisation as `retrieve` gives it."""
        return serializers.OrganizationSerializer(self._annotated(organization)).data

    def _annotated(self, organization):
        return Organization.objects.annotate(service_count=Count("services", filter=Q(services__status="active"))).get(
            pk=organization.pk
        )

    @extend_schema(
        summary="Vet an organisation (moderators)",
        request=None,
        parameters=[ID_PARAMETER],
        responses=serializers.OrganizationSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[IsModerator])
    def vet(self, request, pk=None):
        """Make the organisation's listings public."""
        serializers.refuse_any_body(request)
        organization = self.get_object()
        moderation.vet_organization(organization, request.user)
        return Response(self.representation(organization))

    @extend_schema(
        methods=["GET"],
        summary="Members of your organisation",
        parameters=[ID_PARAMETER],
        responses=serializers.MembershipSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a registered user to your organisation (admins)",
        parameters=[ID_PARAMETER],
        request=serializers.MembershipWriteSerializer,
        responses={201: serializers.MembershipSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        """List members (any member) or add a registered user by username (admins)."""
        from django.contrib.auth import get_user_model

        from referrals.models import Membership

        organization = self.get_object()
        if request.method == "GET":
            members = self.paginate_queryset(organization.memberships.select_related("user").order_by("user_id"))
            return self.get_paginated_response(serializers.MembershipSerializer(members, many=True).data)
        try:
            memberships.may_add_members(organization, self.viewer)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data.get("username")
        user = get_user_model().objects.filter(username=username, is_active=True).first() if username else None
        if user is None:
            raise ValidationError({"username": ["No active user with this username."]})
        membership, _ = Membership.objects.update_or_create(
            user=user, organization=organization, defaults={"role": serializer.validated_data["role"]}
        )
        return Response(serializers.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a member's role or remove them (admins)",
        parameters=[
            ID_PARAMETER,
            OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The member's user id."),
        ],
        responses=serializers.MembershipSerializer,
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"members/(?P<user_id>[0-9]{1,9})")
    def member(self, request, pk=None, user_id=None):
        """PATCH {role} or DELETE one membership."""
        organization = self.get_object()
        membership = organization.memberships.select_related("user").filter(user_id=user_id).first()
        if membership is None:
            from rest_framework.exceptions import NotFound

            raise NotFound({"detail": "No such member."})
        serializer = self.get_serializer(data=request.data) if request.method == "PATCH" else None
        if serializer is not None:
            serializer.is_valid(raise_exception=True)
        try:
            if request.method == "DELETE":
                memberships.remove(membership)
                return Response(status=status.HTTP_204_NO_CONTENT)
            memberships.change_role(membership, serializer.validated_data["role"])
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(serializers.MembershipSerializer(membership).data)


@extend_schema_view(
    retrieve=extend_schema(summary="A location (its public face if confidential)", parameters=[ID_PARAMETER]),
    create=extend_schema(
        summary="Create a location of your organisation", responses={201: serializers.LocationSerializer}
    ),
    update=extend_schema(
        summary="Replace a location of yours", parameters=[ID_PARAMETER], responses=serializers.LocationSerializer
    ),
    partial_update=extend_schema(
        summary="Change a location of yours", parameters=[ID_PARAMETER], responses=serializers.LocationSerializer
    ),
    destroy=extend_schema(summary="Delete a location of yours", parameters=[ID_PARAMETER]),
)
class LocationViewSet(
    VersionedWritesMixin,
    StrictParamsMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Single locations; a confidential one shows its full face only to those who may see it."""

    def get_queryset(self):
        """Visible locations to read; one's own to change."""
        locations = Location.objects.select_related("organization").prefetch_related("phones__languages")
        if self.action == "retrieve":
            return locations.visible_to(self.viewer)
        return locations.editable_by(self.viewer)

    def get_serializer_class(self):
        """Input shape for writes; the location otherwise."""
        if self.action in ("create", "update", "partial_update"):
            return serializers.LocationWriteSerializer
        return serializers.LocationSerializer

    def retrieve(self, request, *args, **kwargs):
        """The location; a full face shown to a caseworker or partner is logged."""
        location = self.get_object()
        data = serializers.LocationSerializer(location, context=self.get_serializer_context()).data
        record_disclosures(self.viewer, [location], _endpoint(request))
        return Response(data)

    def create(self, request, *args, **kwargs):
        """Create; answers with the location as its owners see it."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        location = serializer.save()
        return Response(self.representation(location), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Change; answers with the location as its owners see it."""
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return Response(self.representation(serializer.save()))

    def representation(self, location):
        """The location as `retrieve` gives it to this reader."""
        location = (
            Location.objects.select_related("organization").prefetch_related("phones__languages").get(pk=location.pk)
        )
        return serializers.LocationSerializer(location, context=self.get_serializer_context()).data


def _taxonomy_viewset(model, serializer_class, noun, plural, examples):
    """A read-only, code-keyed vocabulary endpoint."""

    @extend_schema_view(
        list=extend_schema(summary=plural.capitalize(), parameters=[LANG_PARAMETER]),
        retrieve=extend_schema(summary=f"A {noun}", parameters=[CODE_PARAMETER, LANG_PARAMETER]),
    )
    class TaxonomyViewSet(LanguageMixin, StrictParamsMixin, viewsets.ReadOnlyModelViewSet):
        extra_query_params = frozenset({"lang"})
        lookup_field = "code"
        lookup_value_regex = "[a-z0-9_]+"
        queryset = model.objects.all()

    TaxonomyViewSet.serializer_class = serializer_class
    TaxonomyViewSet.__name__ = TaxonomyViewSet.__qualname__ = f"{model.__name__}ViewSet"
    TaxonomyViewSet.__doc__ = f"{plural.capitalize()}: {examples}."
    return TaxonomyViewSet


CategoryViewSet = _taxonomy_viewset(
    Category, serializers.CategorySerializer, "category", "categories of help", "housing, counselling, medical, ..."
)
PopulationViewSet = _taxonomy_viewset(
    Population, serializers.PopulationSerializer, "population", "populations served", "women, children, refugees, ..."
)
ContextViewSet = _taxonomy_viewset(
    Context, serializers.ContextSerializer, "context", "operating contexts", "refugee camp, conflict zone, ..."
)
CapacityUnitViewSet = _taxonomy_viewset(
    CapacityUnit,
    serializers.CapacityUnitSerializer,
    "capacity unit",
    "capacity units",
    "beds for women, beds for children, places for families, ...; each says whom its free places take",
)
LanguageViewSet = _taxonomy_viewset(
    Language, serializers.LanguageSerializer, "language", "service languages", "ISO 639 codes of delivery languages"
)


# A health check that waits longer than the load balancer's own timeout is as good as none.
HEALTHZ_STATEMENT_TIMEOUT_MS = 2000


def healthz(request):
    """Liveness and database reachability for load balancers and compose health checks.

    It answers in a few seconds whatever the database does: connecting gives up after
    DATABASE_CONNECT_TIMEOUT, and on PostgreSQL its SELECT 1 may take at most HEALTHZ_STATEMENT_TIMEOUT_MS.
    """
    postgresql = connection.vendor == "postgresql"
    try:
        # A transaction only on PostgreSQL: SQLite's (IMMEDIATE) would take the write lock for a health check.
        with transaction.atomic() if postgresql else contextlib.nullcontext(), connection.cursor() as cursor:
            if postgresql:
                # Local to this transaction: the connection goes back to the web timeout afterwards.
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(HEALTHZ_STATEMENT_TIMEOUT_MS)])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request, exception=None):
    """JSON 404 for URLs outside the API's routers."""
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    """JSON 500 (a bug; nothing a client sends should get here), or 503 when the database is unavailable.

    Django calls this inside its `except` block (django.core.handlers.exception), so sys.exc_info() is the
    exception being handled: outages raised in middleware (the page cache reads the change version) land here;
    a view's are answered by api.unavailable.DatabaseUnavailableMiddleware already.
    """
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable_response()
    return JsonResponse({"detail": "Server error."}, status=500)


def bad_request(request, exception=None):
    """JSON 400 for what Django refuses before any view runs (a foreign Host, too many query parameters)."""
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request, exception=None):
    """JSON 403 for Django's own refusals outside DRF."""
    return JsonResponse({"detail": "Permission denied."}, status=403)


def csrf_failure(request, reason=""):
    """JSON 403 for a failed CSRF check (session-authenticated writes without the token)."""
    return JsonResponse({"detail": "CSRF check failed."}, status=403)


class PlacesView(StrictParamsMixin, APIView):
    """Autocompletion of place names from the offline gazetteer (GeoNames, CC BY 4.0)."""

    permission_classes = [AllowAny]
    extra_query_params = frozenset({"q", "country", "limit"})

    @extend_schema(
        summary="Place-name autocompletion",
        description=f"Towns and cities of the region whose name, in any script, starts with `q`: first those "
        f"where the directory lists a place to go or an outreach team, then those within about 30-50 km of one, then "
        f"the rest; within each, own names before alternate names, the most populous first. Use a result's name "
        f"as `near=`. {gazetteer.ATTRIBUTION}",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="The start of a place name (1-100)."),
            OpenApiParameter("country", OpenApiTypes.STR, description="ISO 3166-1 alpha-2 code to narrow to."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="How many (1-20, default 10)."),
        ],
        responses=inline_serializer(
            "PlaceList",
            {
                "results": serializers.PlaceSerializer(many=True, help_text="Matching places."),
                "attribution": drf_serializers.CharField(help_text="Data source and licence."),
            },
        ),
    )
    def get(self, request, format=None):
        """Matching places."""
        query = PlaceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        cells = places.listed_cells()
        matches = gazetteer.autocomplete(
            data["q"],
            data.get("country") or None,
            data.get("limit", 10),
            nearness=lambda place: places.help_nearness(place, cells),
        )
        results = [{**vars(place), "matched": matched} for place, matched in matches]
        return Response(
            {"results": serializers.PlaceSerializer(results, many=True).data, "attribution": gazetteer.ATTRIBUTION}
        )


class PlaceQuerySerializer(drf_serializers.Serializer):
    """Query parameters of the place autocompletion."""

    q = drf_serializers.CharField(max_length=100)
    country = drf_serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    limit = drf_serializers.IntegerField(min_value=1, max_value=20, required=False)
