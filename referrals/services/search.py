"""Location search: an indexed bounding box cuts the candidates, exact geodesic distances decide.

Which point of a location counts depends on the viewer: the public point (grid-snapped for a
confidential place) for public readers, the exact point where the viewer may see the full face.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from referrals.models import ServiceArea, ServiceAtLocation
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


LOCATION, COVERAGE = "location", "coverage"
# The widest radius a service area may have (ServiceArea.radius_km's validator).
MAX_AREA_RADIUS_KM = 500


def nearest(services: QuerySet, near: NearQuery, viewer=None) -> list[tuple[object, float, str]]:
    """(service id, distance in km, how it matched) within the radius, nearest first.

    A service reaches the point through a location, or through a service area (an outreach team's
    circle, a national hotline's country): its distance is then to the area's edge, 0 inside it.
    """
    reach = {pk: (distance, LOCATION) for pk, distance in _by_location(services, near, viewer).items()}
    for pk, distance in _by_coverage(services, near, viewer).items():
        if pk not in reach or distance < reach[pk][0]:
            reach[pk] = (distance, COVERAGE)
    ranked = sorted(reach.items(), key=lambda item: (item[1][0], str(item[0])))
    return [(pk, distance, how) for pk, (distance, how) in ranked]


def _by_coverage(services: QuerySet, near: NearQuery, viewer) -> dict:
    """Service id -> distance in km from the point to the edge of a service area (0 inside it)."""
    from referrals.services.gazetteer import province_key, region_at

    candidates = services.order_by().values("pk")
    reach: dict[object, float] = {}
    box = radius_bounding_box(near.latitude, near.longitude, near.radius_km + MAX_AREA_RADIUS_KM)
    circles = list(
        ServiceArea.objects.filter(
            _box_condition(box, ("latitude", "longitude")), kind="radius", service__in=candidates
        ).values_list("service_id", "latitude", "longitude", "radius_km")
    )
    hidden = _services_hiding_a_house({service_id for service_id, *_ in circles}, viewer)
    for service_id, lat, lng, radius in circles:
        lat, lng = ServiceArea(latitude=lat, longitude=lng).public_center(service_id in hidden)
        to_edge = max(0.0, distance_km(near.latitude, near.longitude, lat, lng) - radius)
        if to_edge <= near.radius_km and to_edge < reach.get(service_id, float("inf")):
            reach[service_id] = to_edge
    region = region_at(near.latitude, near.longitude)
    if region:
        country, key = region
        areas = ServiceArea.objects.filter(kind__in=("country", "province"), country=country, service__in=candidates)
        for service_id, kind, name in areas.values_list("service_id", "kind", "state_province"):
            if kind == "country" or (key is not None and province_key(name) == key):
                reach[service_id] = 0.0
    return reach


def _services_hiding_a_house(service_ids, viewer) -> set:
    """Of these services, those with a confidential location whose full face this viewer may not see."""
    if not service_ids:
        return set()
    rows = ServiceAtLocation.objects.filter(service_id__in=service_ids, location__confidential=True).values_list(
        "service_id", "location__organization_id"
    )
    return {
        service_id
        for service_id, organization_id in rows
        if viewer is None or not viewer.sees_full_face(_Row(True, organization_id))
    }


def _by_location(services: QuerySet, near: NearQuery, viewer) -> dict:
    """Service id -> distance in km to its nearest location within the radius."""
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
    return best
