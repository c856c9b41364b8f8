"""Location search: an indexed bounding box cuts the candidates, exact geodesic distances decide.

Which point of a location counts depends on the viewer: the public point (grid-snapped for a
confidential place) for public readers, the exact point where the viewer may see the full face.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from referrals.models import ServiceAtLocation
from referrals.services.geo import BoundingBox, distance_km, radius_bounding_box

PUBLIC_POINT = ("location__public_latitude", "location__public_longitude")
EXACT_POINT = ("location__latitude", "location__longitude")


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


def _box_condition(box: BoundingBox, point_fields) -> Q:
    """A WHERE clause on indexed coordinate columns, split in two when the box crosses 180°."""
    lat_field, lng_field = point_fields
    condition = Q(**{f"{lat_field}__gte": box.min_lat, f"{lat_field}__lte": box.max_lat})
    if box.crosses_antimeridian:
        return condition & (Q(**{f"{lng_field}__gte": box.min_lng}) | Q(**{f"{lng_field}__lte": box.max_lng}))
    return condition & Q(**{f"{lng_field}__gte": box.min_lng, f"{lng_field}__lte": box.max_lng})


def _visible_box_condition(box: BoundingBox, viewer) -> Q:
    """Locations in the box by the point this viewer sees of each."""
    if viewer is not None and viewer.sees_every_full_face:
        return _box_condition(box, EXACT_POINT)
    public = _box_condition(box, PUBLIC_POINT)
    if viewer is None or not viewer.member_org_ids:
        return public
    own = Q(location__organization_id__in=viewer.member_org_ids)
    return (public & ~own) | (_box_condition(box, EXACT_POINT) & own)


def within_box(services: QuerySet, box: BoundingBox, viewer=None) -> QuerySet:
    """Services with a location inside the box."""
    at_locations = ServiceAtLocation.objects.filter(_visible_box_condition(box, viewer), service_id=OuterRef("pk"))
    return services.filter(Exists(at_locations))


class _Row:
    """Just enough of a location for the viewer to decide which face it sees."""

    __slots__ = ("confidential", "organization_id")

    def __init__(self, confidential, organization_id):
        self.confidential = confidential
        self.organization_id = organization_id


def nearest(services: QuerySet, near: NearQuery, viewer=None) -> list[tuple[object, float]]:
    """(service id, distance in km to its nearest location) within the radius, nearest first."""
    rows = (
        ServiceAtLocation.objects.filter(
            _visible_box_condition(near.bounding_box, viewer), service__in=services.order_by().values("pk")
        )
        .order_by()
        .values_list("service_id", *PUBLIC_POINT, *EXACT_POINT, "location__confidential", "location__organization_id")
    )
    best: dict[object, float] = {}
    for service_id, public_lat, public_lng, lat, lng, confidential, organization_id in rows:
        if confidential and (viewer is None or not viewer.sees_full_face(_Row(confidential, organization_id))):
            lat, lng = public_lat, public_lng
        distance = distance_km(near.latitude, near.longitude, lat, lng)
        if distance <= near.radius_km and distance < best.get(service_id, float("inf")):
            best[service_id] = distance
    return sorted(best.items(), key=lambda item: (item[1], str(item[0])))
