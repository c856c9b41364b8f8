"""Location search: an indexed bounding box cuts the candidates, exact geodesic distances decide.

Which point of a location counts depends on the viewer: the public point (grid-snapped for a
confidential place) for public readers, the exact point where the viewer may see the full face.
`nearest()` hands the searches of readers who see only listed services to the search index
(`referrals.services.nearest_first`); this module's own path serves the rest (moderators, members
of organisations, other statuses) and is what the index's results are tested against.
"""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from referrals.choices import Reach
from referrals.geo import BoundingBox, distance_km, radius_bounding_box
from referrals.models import Service, ServiceArea, ServiceAtLocation
from referrals.models.services import public_area_center

PUBLIC_POINT = ("location__public_latitude", "location__public_longitude")
EXACT_POINT = ("location__latitude", "location__longitude")


@dataclass(frozen=True)
class NearQuery:
    """A circle to search in, and the ways of reaching its centre that count (all by default)."""

    latitude: float
    longitude: float
    radius_km: float
    reaches: frozenset = field(default=frozenset(Reach.values))

    @property
    def bounding_box(self) -> BoundingBox:
        """The box that holds the circle, for the indexed pre-filter."""
        return radius_bounding_box(self.latitude, self.longitude, self.radius_km)


def box_condition(box: BoundingBox, point_fields) -> Q:
    """A WHERE clause on indexed coordinate columns, split in two when the box crosses 180°."""
    lat_field, lng_field = point_fields
    condition = Q(**{f"{lat_field}__gte": box.min_lat, f"{lat_field}__lte": box.max_lat})
    if box.crosses_antimeridian:
        return condition & (Q(**{f"{lng_field}__gte": box.min_lng}) | Q(**{f"{lng_field}__lte": box.max_lng}))
    return condition & Q(**{f"{lng_field}__gte": box.min_lng, f"{lng_field}__lte": box.max_lng})


def _visiblebox_condition(box: BoundingBox, viewer) -> Q:
    """Locations in the box by the point this viewer sees of each."""
    if viewer is not None and viewer.sees_every_full_face:
        return box_condition(box, EXACT_POINT)
    public = box_condition(box, PUBLIC_POINT)
    if viewer is None or not viewer.member_org_ids:
        return public
    own = Q(location__organization_id__in=viewer.member_org_ids)
    return (public & ~own) | (box_condition(box, EXACT_POINT) & own)


def within_box(services: QuerySet, box: BoundingBox, viewer=None) -> QuerySet:
    """Services with a location inside the box."""
    at_locations = ServiceAtLocation.objects.filter(_visiblebox_condition(box, viewer), service_id=OuterRef("pk"))
    return services.filter(Exists(at_locations))


class _Row:
    """Just enough of a location for the viewer to decide which face it sees."""

    __slots__ = ("confidential", "organization_id")

    def __init__(self, confidential, organization_id):
        self.confidential = confidential
        self.organization_id = organization_id


LOCATION, COVERAGE = "location", "coverage"
# `matched_by`, the coarser answer that partner apps read before `reach` came.
MATCHED_BY = {Reach.PLACE: LOCATION, Reach.OUTREACH: COVERAGE, Reach.REMOTE: COVERAGE}
# The widest radius a service area may have (ServiceArea.radius_km's validator).
MAX_AREA_RADIUS_KM = 500
_KM_PER_DEGREE_LAT_MIN = 110.574  # at the equator, the shortest degree of latitude
_KM_PER_DEGREE_LNG_EQUATOR = 111.320


def nearest(
    services: QuerySet, near: NearQuery, viewer=None, wanted: int | None = None, filters=None
) -> list[tuple[object, float, str]]:
    """(service id, distance in km, reach) of the services that reach the point, in the order a caseworker needs.

    First those a person can get to or that come to the person, nearest first: `place`, a location
    within the radius (distance to it), and `outreach`, a radius area (an outreach team's circle, a
    mobile clinic's round) whose edge comes within the radius (distance to the edge, 0 inside it).
    Then `remote`, those that reach the point only through a whole country or province (hotlines,
    remote counselling; distance 0): nearest office first (the point this reader sees of it; none
    last), then by name. Each service comes once, by its best way; `near.reaches` limits the ways.

    `filters` (an `EntryFilters`, when the search asks only for listed services) lets the search read
    the point-search index instead of joining the listings' tables; `wanted` says how many leading
    matches the caller needs (a page and a capped count), so that the reading may stop there.
    """
    from referrals.services import nearest_first

    if filters is not None and nearest_first.serves(viewer):
        return nearest_first.nearest(services, near, viewer, filters, wanted)
    by_location = _by_location(services, near, viewer) if Reach.PLACE in near.reaches else {}
    by_circle = _by_circle(services, near, viewer) if Reach.OUTREACH in near.reaches else {}
    remote = _by_region(services, near) - by_location.keys() - by_circle.keys() if Reach.REMOTE in near.reaches else ()
    offices = _distances(ServiceAtLocation.objects.filter(service_id__in=remote), near, viewer)
    names = dict(Service.objects.filter(pk__in=remote).values_list("pk", "name"))
    return ranked(by_location, by_circle) + ranked_remote(remote, offices, names)


def at_least(services: QuerySet, near: NearQuery, viewer, filters, n: int) -> bool:
    """Whether `n` or more services certainly match, if the search index can tell without reading them.

    False means fewer, or that only reading the matches (`nearest()` with `wanted=n`) can tell.
    """
    from referrals.services import nearest_first

    if filters is None or not nearest_first.serves(viewer):
        return False
    return nearest_first.at_least(services, near, viewer, filters, n)


def in_box_by_name(box: BoundingBox, viewer, filters) -> QuerySet | None:
    """Ids of a box search's matches by name then id, read from the search index alone; None if it cannot tell.

    `filters` (an `EntryFilters`) must hold every filter of the search but the box.
    """
    from referrals.services import nearest_first

    if filters is None or not filters.complete or not nearest_first.serves(viewer):
        return None
    return nearest_first.in_box_by_name(box, viewer, filters)


def ranked(by_location: dict, by_circle: dict) -> list[tuple]:
    """Places and outreach, each service once by its nearer way; ties broken by id so pages are stable."""
    reach = {pk: (distance, Reach.PLACE) for pk, distance in by_location.items()}
    for pk, distance in by_circle.items():
        if pk not in reach or distance < reach[pk][0]:
            reach[pk] = (distance, Reach.OUTREACH)
    order = sorted(reach.items(), key=lambda item: (item[1][0], str(item[0])))
    return [(pk, distance, how.value) for pk, (distance, how) in order]


def ranked_remote(service_ids, offices: dict, names: dict) -> list[tuple]:
    """Remote services: the nearest office first (those with none last), then by name, then by id."""
    order = sorted(
        service_ids,
        key=lambda pk: (offices.get(pk, math.inf), names.get(pk, "").casefold(), names.get(pk, ""), str(pk)),
    )
    return [(pk, 0.0, Reach.REMOTE.value) for pk in order]


def _by_circle(services: QuerySet, near: NearQuery, viewer) -> dict:
    """Service id -> distance in km from the point to the edge of a radius area (0 inside it)."""
    candidates = services.order_by().values("pk")
    reach: dict[object, float] = {}
    circles = list(
        ServiceArea.objects.filter(circles_reaching(near), kind="radius", service__in=candidates).values_list(
            "service_id", "latitude", "longitude", "radius_km"
        )
    )
    hidden = _services_hiding_a_house({service_id for service_id, *_ in circles}, viewer)
    for service_id, lat, lng, radius in circles:
        lat, lng = public_area_center(lat, lng, service_id in hidden)
        to_edge = max(0.0, distance_km(near.latitude, near.longitude, lat, lng) - radius)
        if to_edge <= near.radius_km and to_edge < reach.get(service_id, float("inf")):
            reach[service_id] = to_edge
    return reach


def _by_region(services: QuerySet, near: NearQuery) -> set:
    """Ids of the services with a country- or province-wide area that holds the point."""
    from referrals.gazetteer import province_key, region_at

    region = region_at(near.latitude, near.longitude)
    if not region:
        return set()
    country, key = region
    areas = ServiceArea.objects.filter(
        kind__in=("country", "province"), country=country, service__in=services.order_by().values("pk")
    )
    return {
        service_id
        for service_id, kind, name in areas.values_list("service_id", "kind", "state_province")
        if kind == "country" or (key is not None and province_key(name) == key)
    }


def circles_reaching(near: NearQuery) -> Q:
    """Radius areas whose edge may come within the search radius, as a WHERE clause.

    The indexed box is as wide as the widest area allowed; each row's own radius then narrows the
    latitude band (and the longitude range, away from the antimeridian) before any join, with a margin
    of one grid cell for centres that public readers see snapped.
    """
    margin = near.radius_km + 1.5 * settings.CONFIDENTIAL_GRID_DEGREES * _KM_PER_DEGREE_LNG_EQUATOR
    wide = radius_bounding_box(near.latitude, near.longitude, margin + MAX_AREA_RADIUS_KM)
    reach_deg_lat = (F("radius_km") + margin) * 1.02 / _KM_PER_DEGREE_LAT_MIN  # padded like radius_bounding_box
    condition = box_condition(wide, ("latitude", "longitude")) & Q(
        latitude__gte=near.latitude - reach_deg_lat, latitude__lte=near.latitude + reach_deg_lat
    )
    if wide.crosses_antimeridian or max(abs(wide.min_lat), abs(wide.max_lat)) >= 89:
        return condition
    # A degree of longitude is shortest at the band's edge furthest from the equator.
    km_per_deg_lng = _KM_PER_DEGREE_LNG_EQUATOR * math.cos(math.radians(max(abs(wide.min_lat), abs(wide.max_lat))))
    reach_deg_lng = (F("radius_km") + margin) * 1.02 / km_per_deg_lng
    return condition & Q(longitude__gte=near.longitude - reach_deg_lng, longitude__lte=near.longitude + reach_deg_lng)


def _services_hiding_a_house(service_ids, viewer) -> set:
    """Of these services, those with a confidential location whose full face this viewer may not see."""
    if not service_ids or (viewer is not None and viewer.sees_every_full_face):
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
    links = ServiceAtLocation.objects.filter(
        _visiblebox_condition(near.bounding_box, viewer), service__in=services.order_by().values("pk")
    )
    return _distances(links, near, viewer, within_km=near.radius_km)


def _distances(links: QuerySet, near: NearQuery, viewer, within_km: float = math.inf) -> dict:
    """Service id -> distance in km to the nearest of these locations (by the point this viewer sees of each)."""
    rows = (
        links.filter(location__public_latitude__isnull=False)
        .order_by()
        .values_list("service_id", *PUBLIC_POINT, *EXACT_POINT, "location__confidential", "location__organization_id")
    )
    best: dict[object, float] = {}
    for service_id, public_lat, public_lng, lat, lng, confidential, organization_id in rows:
        if confidential and (viewer is None or not viewer.sees_full_face(_Row(confidential, organization_id))):
            lat, lng = public_lat, public_lng
        if lat is None or lng is None:
            continue
        distance = distance_km(near.latitude, near.longitude, lat, lng)
        if distance <= within_km and distance < best.get(service_id, float("inf")):
            best[service_id] = distance
    return best
