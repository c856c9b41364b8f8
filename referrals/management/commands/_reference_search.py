"""A plain DRF directory search, the benchmark's yardstick: what a competent team writes first (the "plain DRF
search done the obvious way" of the project's performance notes). Never routed in the app: the benchmark mounts it
for its own process only (`urlpatterns` below, through ROOT_URLCONF).

An indexed latitude/longitude box on the locations' public points, the spherical distance in SQL, filters as joins,
nested ModelSerializers with their prefetches, DRF's page-number pagination (an exact count) and JSON renderer.
It answers the same parameters as the mix's searches, over the same rows: public faces, active services of
vetted organisations.
"""

import math

from django.db.models import F, FloatField, Q
from django.db.models.functions import ACos, Cos, Least, Radians, Sin
from django.urls import include, path
from rest_framework import generics, pagination, permissions, renderers, serializers

from referrals import gazetteer
from referrals.models import Location, Organization, Phone, Service, ServiceAtLocation

EARTH_RADIUS_KM = 6371.0088
DEFAULT_RADIUS_KM = 25


class ReferenceOrganizationSerializer(serializers.ModelSerializer):
    """The organisation, brief."""

    class Meta:
        model = Organization
        fields = ["id", "name", "website"]


class ReferencePhoneSerializer(serializers.ModelSerializer):
    """A phone of the service."""

    class Meta:
        model = Phone
        fields = ["number", "type", "description"]


class ReferenceServiceSerializer(serializers.ModelSerializer):
    """The service with its organisation, codes and phones."""

    organization = ReferenceOrganizationSerializer()
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    populations = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    phones = ReferencePhoneSerializer(many=True)

    class Meta:
        model = Service
        fields = ["id", "name", "description", "url", "email", "organization", "categories", "populations", "phones"]


class ReferenceLocationSerializer(serializers.ModelSerializer):
    """The place's public face."""

    latitude = serializers.FloatField(source="public_latitude")
    longitude = serializers.FloatField(source="public_longitude")

    class Meta:
        model = Location
        fields = ["id", "city", "state_province", "country", "latitude", "longitude", "confidential"]


class ReferenceResultSerializer(serializers.ModelSerializer):
    """A service at a location, with its distance."""

    service = ReferenceServiceSerializer()
    location = ReferenceLocationSerializer()
    distance_km = serializers.FloatField(read_only=True, required=False)

    class Meta:
        model = ServiceAtLocation
        fields = ["id", "service", "location", "distance_km"]


class ReferencePagination(pagination.PageNumberPagination):
    """DRF's page numbers, 20 a page, with its exact count."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ReferenceSearch(generics.ListAPIView):
    """GET: lat/lng/radius_km or near, bbox, q, country, category (any), serves (all), page_size."""

    serializer_class = ReferenceResultSerializer
    pagination_class = ReferencePagination
    permission_classes = [permissions.AllowAny]
    renderer_classes = [renderers.JSONRenderer]

    def get_queryset(self):
        params = self.request.query_params
        results = ServiceAtLocation.objects.filter(
            service__status="active", service__organization__vetted=True, location__public_latitude__isnull=False
        )
        point = self._point(params)
        if point is not None:
            latitude, longitude = point
            radius = float(params.get("radius_km") or DEFAULT_RADIUS_KM)
            lat_span = radius / 111.2
            lng_span = radius / (111.32 * max(math.cos(math.radians(latitude)), 0.01))
            results = results.filter(
                location__public_latitude__range=(latitude - lat_span, latitude + lat_span),
                location__public_longitude__range=(longitude - lng_span, longitude + lng_span),
            )
            cosine = Cos(Radians(latitude)) * Cos(Radians(F("location__public_latitude"))) * Cos(
                Radians(F("location__public_longitude")) - Radians(longitude)
            ) + Sin(Radians(latitude)) * Sin(Radians(F("location__public_latitude")))
            distance = ACos(Least(cosine, 1.0), output_field=FloatField()) * EARTH_RADIUS_KM
            results = results.annotate(distance_km=distance)
            results = results.filter(distance_km__lte=radius).order_by("distance_km", "pk")
        else:
            results = results.order_by("service__name", "pk")
        if params.get("bbox"):
            min_lng, min_lat, max_lng, max_lat = (float(part) for part in params["bbox"].split(","))
            results = results.filter(
                location__public_latitude__range=(min_lat, max_lat),
                location__public_longitude__range=(min_lng, max_lng),
            )
        if params.get("q"):
            words = params["q"]
            results = results.filter(Q(service__name__icontains=words) | Q(service__description__icontains=words))
        if params.get("country"):
            results = results.filter(location__country__in=params["country"].split(","))
        if params.get("category"):
            results = results.filter(service__categories__code__in=params["category"].split(",")).distinct()
        for code in (params.get("serves") or "").split(","):
            if code:
                results = results.filter(service__populations__code=code)
        return results.select_related("service__organization", "location").prefetch_related(
            "service__categories", "service__populations", "service__phones"
        )

    @staticmethod
    def _point(params):
        if params.get("lat") and params.get("lng"):
            return float(params["lat"]), float(params["lng"])
        if params.get("near"):
            place = gazetteer.resolve(params["near"])
            return (place.latitude, place.longitude) if place else None
        return None


PATH = "/api/benchmark-reference/services/"

urlpatterns = [
    path(PATH.strip("/") + "/", ReferenceSearch.as_view()),
    path("", include("config.urls")),
]
