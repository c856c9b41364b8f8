"""Location search: an indexed bounding box cuts the candidates, exact geodesic distances decide."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from referrals.models import ServiceAtLocation
from referrals.services.geo import BoundingBox, distance_km, radius_bounding_box

# Public readers see, search and sort by the public point (grid-snapped for confidential places).
PUBLIC_POINT = ("location__public_latitude", "location__public_longitude")


@dataclass(frozen=True)
class NearQuery:
    """A circle to search in."""

    latitude: float
    longitude: float
    radius_km: float

    @property
    def bounding_box(self) -> BoundingBox:
        """The box that holds the circle, for the indexed pre-filter."""
        return radius_bounding_box(self.latitude, self.longitude, self.radius_km)


def _box_condition(box: BoundingBox, point_fields=PUBLIC_POINT) -> Q:
    """A WHERE clause on indexed coordinate columns, split in two when the box crosses 180°."""
    lat_field, lng_field = point_fields
    condition = Q(**{f"{lat_field}__gte": box.min_lat, f"{lat_field}__lte": box.max_lat})
    if box.crosses_antimeridian:
        return condition & (Q(**{f"{lng_field}__gte": box.min_lng}) | Q(**{f"{lng_field}__lte": box.max_lng}))
    return condition & Q(**{f"{lng_field}__gte": box.min_lng, f"{lng_field}__lte": box.max_lng})


def within_box(services: QuerySet, box: BoundingBox) -> QuerySet:
    """Services with a location inside the box."""
    at_locations = ServiceAtLocation.objects.filter(_box_condition(box), service_id=OuterRef("pk"))
    return services.filter(Exists(at_locations))


def nearest(services: QuerySet, near: NearQuery) -> list[tuple[object, float]]:
    """(service id, distance in km to its nearest location) within the radius, nearest first."""
    lat_field, lng_field = PUBLIC_POINT
    rows = (
        ServiceAtLocation.objects.filter(
            _box_condition(near.bounding_box), service__in=services.order_by().values("pk")
        )
        .order_by()
        .values_list("service_id", lat_field, lng_field)
    )
    best: dict[object, float] = {}
    for service_id, latitude, longitude in rows:
        distance = distance_km(near.latitude, near.longitude, latitude, longitude)
        if distance <= near.radius_km and distance < best.get(service_id, float("inf")):
            best[service_id] = distance
    return sorted(best.items(), key=lambda item: (item[1], str(item[0])))
