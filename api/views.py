"""Read API views: thin translations from HTTP to the referrals domain and back."""

from django.db import connection
from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from api import serializers
from api.filtersets import OrganizationFilterSet, ServiceFilterSet
from referrals.models import Category, Context, Language, Location, Organization, Population, Service
from referrals.services.search import nearest

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

    def allowed_query_params(self) -> set[str]:
        """Names this endpoint understands."""
        allowed = set(ALWAYS_ALLOWED_PARAMS | self.extra_query_params)
        if getattr(self, "action", None) == "list":
            allowed |= PAGINATION_PARAMS
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
        return allowed

    def initial(self, request, *args, **kwargs):
        """Refuse unknown parameters before doing any work."""
        super().initial(request, *args, **kwargs)
        if getattr(self, request.method.lower(), None) is None:
            return  # DRF answers 405 for the method itself
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


class SparseFieldsMixin:
    """Validates `fields=` against the serializer and passes it on in the context."""

    def sparse_fields(self) -> set[str] | None:
        """The requested field names, or None for all."""
        raw = self.request.query_params.get("fields")
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
        """Add the sparse fieldset and the reader."""
        context = super().get_serializer_context()
        context["user"] = self.request.user
        context["sparse_fields"] = self.sparse_fields()
        return context


@extend_schema_view(
    list=extend_schema(
        summary="Search services",
        description="Services by location and special needs. With `lat`/`lng` results lie within `radius_km`, "
        "carry `distance_km` and come nearest first. Confidential locations are searched, measured and "
        "shown by their grid-snapped public point only.",
        parameters=[FIELDS_PARAMETER],
    ),
    retrieve=extend_schema(summary="A service's whole record", parameters=[ID_PARAMETER, FIELDS_PARAMETER]),
)
class ServiceViewSet(StrictParamsMixin, SparseFieldsMixin, viewsets.ReadOnlyModelViewSet):
    """Services of vetted organisations."""

    filterset_class = ServiceFilterSet
    extra_query_params = frozenset({"fields"})

    def get_queryset(self):
        """Services the reader may see, with what the response needs."""
        services = Service.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            return services.with_detail_relations()
        return services

    def get_serializer_class(self):
        """Compact results in lists, the whole record in detail."""
        if self.action == "list":
            return serializers.ServiceListSerializer
        return serializers.ServiceDetailSerializer

    def filter_queryset(self, queryset):
        """Filtering happens in `list()`, which also needs the filter set's point and ordering."""
        return queryset

    def list(self, request, *args, **kwargs):
        """Filter, then either rank by exact distance or order in the database, then paginate."""
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        services = filterset.qs
        near = filterset.near_query()
        order = filterset.order_fields()
        context = self.get_serializer_context()
        context["near"] = near
        if near is None:
            page = self.paginate_queryset(services.order_by(*(order or ["name", "id"])).with_listing_relations())
        else:
            matches = nearest(services, near)
            context["distances"] = dict(matches)
            if order:
                ranked = services.filter(pk__in=context["distances"]).order_by(*order).with_listing_relations()
                page = self.paginate_queryset(ranked)
            else:
                page_matches = self.paginate_queryset(matches)
                by_id = Service.objects.filter(pk__in=[pk for pk, _ in page_matches]).with_listing_relations().in_bulk()
                page = [by_id[pk] for pk, _ in page_matches]
        serializer = self.get_serializer_class()(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(summary="An organisation", parameters=[ID_PARAMETER]),
)
class OrganizationViewSet(StrictParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Vetted organisations."""

    serializer_class = serializers.OrganizationSerializer
    filterset_class = OrganizationFilterSet

    def get_queryset(self):
        """Organisations the reader may see, with their count of active services."""
        from django.db.models import Count, Q

        return (
            Organization.objects.visible_to(self.request.user)
            .annotate(service_count=Count("services", filter=Q(services__status="active")))
            .prefetch_related("phones__languages")  # phones
            .order_by("name", "id")
        )


@extend_schema_view(
    retrieve=extend_schema(summary="A location (its public face if confidential)", parameters=[ID_PARAMETER])
)
class LocationViewSet(StrictParamsMixin, viewsets.GenericViewSet, viewsets.mixins.RetrieveModelMixin):
    """Single locations; a confidential one shows its public face."""

    serializer_class = serializers.LocationSerializer

    def get_queryset(self):
        """Locations the reader may see."""
        return (
            Location.objects.visible_to(self.request.user)
            .select_related("organization")  # organization
            .prefetch_related("phones__languages")  # phones (full face only)
        )

    def get_serializer_context(self):
        """Tell the serializer who reads."""
        context = super().get_serializer_context()
        context["user"] = self.request.user
        return context


class _TaxonomyViewSet(StrictParamsMixin, viewsets.ReadOnlyModelViewSet):
    """A code-keyed vocabulary."""

    lookup_field = "code"
    lookup_value_regex = "[a-z0-9_]+"


@extend_schema_view(
    list=extend_schema(summary="Categories of help"),
    retrieve=extend_schema(summary="A category", parameters=[CODE_PARAMETER]),
)
class CategoryViewSet(_TaxonomyViewSet):
    """Categories: housing, counselling, medical, ..."""

    queryset = Category.objects.all()
    serializer_class = serializers.CategorySerializer


@extend_schema_view(
    list=extend_schema(summary="Populations served"),
    retrieve=extend_schema(summary="A population", parameters=[CODE_PARAMETER]),
)
class PopulationViewSet(_TaxonomyViewSet):
    """Populations: women, children, refugees, ..."""

    queryset = Population.objects.all()
    serializer_class = serializers.PopulationSerializer


@extend_schema_view(
    list=extend_schema(summary="Operating contexts"),
    retrieve=extend_schema(summary="A context", parameters=[CODE_PARAMETER]),
)
class ContextViewSet(_TaxonomyViewSet):
    """Operating contexts: refugee camp, conflict zone, ..."""

    queryset = Context.objects.all()
    serializer_class = serializers.ContextSerializer


@extend_schema_view(
    list=extend_schema(summary="Service languages"),
    retrieve=extend_schema(summary="A language", parameters=[CODE_PARAMETER]),
)
class LanguageViewSet(_TaxonomyViewSet):
    """Languages services are delivered in (ISO 639)."""

    queryset = Language.objects.all()
    serializer_class = serializers.LanguageSerializer


def healthz(request):
    """Liveness and database reachability for load balancers and compose health checks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request, exception=None):
    """JSON 404 for URLs outside the API's routers."""
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    """JSON 500 (a bug; nothing a client sends should get here)."""
    return JsonResponse({"detail": "Server error."}, status=500)
