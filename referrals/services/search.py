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
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, CharField, Exists, F, FloatField, OuterRef, Q, QuerySet, UUIDField, Value
from django.db.models.functions import Cast

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
    # Every read in one round trip: each a branch of one UNION ALL (`tagged_union`), planned on its own.
    candidates = services.order_by().values("pk")
    branches = {}
    if Reach.PLACE in near.reaches:
        links = ServiceAtLocation.objects.filter(
            _visiblebox_condition(near.bounding_box, viewer), service__in=candidates
        )
        branches["place"] = _location_branch(links)
    if Reach.OUTREACH in near.reaches:
        circles = ServiceArea.objects.filter(circles_reaching(near), kind="radius", service__in=candidates)
        branches["circle"] = branch(circles, lat=F("latitude"), lng=F("longitude"), radius=F("radius_km"))
        if viewer is None or not viewer.sees_every_full_face:  # which circles' centres a safe house snaps
            houses = ServiceAtLocation.objects.filter(
                service_id__in=circles.values("service_id"), location__confidential=True
            )
            branches["house"] = branch(houses, organization=F("location__organization_id"))
    region = _region_at(near) if Reach.REMOTE in near.reaches else None
    if region is not None:
        areas = ServiceArea.objects.filter(kind__in=("country", "province"), country=region[0], service__in=candidates)
        branches["area"] = branch(areas, kind=F("kind"), province=F("state_province"), name=F("service__name"))
        branches["office"] = _location_branch(
            ServiceAtLocation.objects.filter(service_id__in=areas.values("service_id"))
        )
    rows = tagged_union(branches, _GENERAL_COLUMNS, services.db)
    by_location = _distances(rows.get("place", ()), near, viewer, within_km=near.radius_km)
    by_circle = _circle_reach(rows.get("circle", ()), rows.get("house", ()), near, viewer)
    remote, names = set(), {}
    if region is not None:
        remote, names = _holding(rows["area"], region[1])
        remote -= by_location.keys() | by_circle.keys()
    offices = _distances([row for row in rows.get("office", ()) if row[0] in remote], near, viewer)
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


def _circle_reach(circles, houses, near: NearQuery, viewer) -> dict:
    """Service id -> distance in km from the point to the edge of a radius area (0 inside it).

    `circles`: (service id, latitude, longitude, radius) rows; `houses`: (service id, organisation) of the
    confidential locations of their services, whose faces decide whether this reader sees a centre snapped.
    """
    hidden = {
        service_id
        for service_id, organization_id in houses
        if viewer is None or not viewer.sees_full_face(_Row(True, organization_id))
    }
    reach: dict[object, float] = {}
    for service_id, lat, lng, radius in circles:
        lat, lng = public_area_center(lat, lng, service_id in hidden)
        to_edge = max(0.0, distance_km(near.latitude, near.longitude, lat, lng) - radius)
        if to_edge <= near.radius_km and to_edge < reach.get(service_id, float("inf")):
            reach[service_id] = to_edge
    return reach


def _region_at(near: NearQuery):
    """(country, province key or None) of the point, or None where the gazetteer knows no country."""
    from referrals.gazetteer import region_at

    return region_at(near.latitude, near.longitude) or None


def _holding(areas, province) -> tuple[set, dict]:
    """Of (service id, kind, province name, service name) area rows: the services whose area holds the point, and
    their names."""
    from referrals.gazetteer import province_key

    holding = {
        service_id
        for service_id, kind, name, _ in areas
        if kind == "country" or (province is not None and province_key(name) == province)
    }
    return holding, {service_id: service_name for service_id, _, _, service_name in areas}


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


def _distances(rows, near: NearQuery, viewer, within_km: float = math.inf) -> dict:
    """Service id -> distance in km to the nearest of these locations (by the point this viewer sees of each).

    `rows`: (service id, public latitude, public longitude, latitude, longitude, confidential, organisation).
    """
    best: dict[object, float] = {}
    for service_id, public_lat, public_lng, lat, lng, confidential, organization_id in rows:
        if public_lat is None:
            continue
        if confidential and (viewer is None or not viewer.sees_full_face(_Row(confidential, organization_id))):
            lat, lng = public_lat, public_lng
        if lat is None or lng is None:
            continue
        distance = distance_km(near.latitude, near.longitude, lat, lng)
        if distance <= within_km and distance < best.get(service_id, float("inf")):
            best[service_id] = distance
    return best


def _location_branch(links: QuerySet) -> tuple[QuerySet, tuple]:
    """Links to locations as `_distances()` reads them."""
    return branch(
        links,
        public_lat=F("location__public_latitude"),
        public_lng=F("location__public_longitude"),
        lat=F("location__latitude"),
        lng=F("location__longitude"),
        confidential=F("location__confidential"),
        organization=F("location__organization_id"),
    )


# The general search's branches' columns, after the service: what each kind of row has (NULL elsewhere).
_GENERAL_COLUMNS = (
    ("public_lat", FloatField()),
    ("public_lng", FloatField()),
    ("lat", FloatField()),
    ("lng", FloatField()),
    ("radius", FloatField()),
    ("confidential", BooleanField()),
    ("organization", UUIDField()),
    ("kind", CharField()),
    ("province", CharField()),
    ("name", CharField()),
)


def branch(queryset: QuerySet, **columns) -> tuple[QuerySet, tuple]:
    """A branch of `tagged_union()`: the query set with its columns by name, and their order in its rows."""
    return queryset.annotate(**{f"branch_{name}": value for name, value in columns.items()}), tuple(columns)


def tagged_union(branches: dict, columns, alias: str) -> dict:
    """Several reads in one round trip, as one UNION ALL: tag -> the rows of each branch.

    `branches`: tag -> a branch made by `branch()`; `columns`: (name, field) pairs of every column a
    branch may have. Each branch selects its tag, its `service_id`, then every column (NULL of the field's
    type where it has none), and is planned on its own, as it would be alone. Each row comes back as
    (service id, the branch's own columns in the order `branch()` was given them).
    """
    compiled = []
    for tag, (queryset, _) in branches.items():
        selected = {"branch_tag": Value(tag), "branch_service": F("service_id")}
        for name, output_field in columns:
            if f"branch_{name}" not in queryset.query.annotations:
                selected[f"branch_{name}"] = Cast(Value(None), output_field)
        names = ["branch_tag", "branch_service", *(f"branch_{name}" for name, _ in columns)]
        try:
            compiled.append(queryset.annotate(**selected).values_list(*names).query.sql_with_params())
        except EmptyResultSet:  # a WHERE that Django knows matches nothing (`pk__in=[]`): no rows, no branch
            continue
    found: dict[str, list] = {tag: [] for tag in branches}
    if not compiled:
        return found
    sql = " UNION ALL ".join(f"SELECT * FROM ({branch_sql}) AS branch" for branch_sql, _ in compiled)  # noqa: S608
    params = [param for _, branch_params in compiled for param in branch_params]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # The cursor gives what the driver gives: on SQLite, ids as text and booleans as 0 and 1.
    names = [name for name, _ in columns]
    convert = [field.to_python if isinstance(field, UUIDField | BooleanField) else None for _, field in columns]
    to_id = Service._meta.pk.to_python
    positions = {tag: [names.index(name) for name in wanted] for tag, (_, wanted) in branches.items()}
    for tag, service_id, *values in rows:
        row = [to_id(service_id)]
        for position in positions[tag]:
            value, to_python = values[position], convert[position]
            row.append(value if value is None or to_python is None else to_python(value))
        found[tag].append(tuple(row))
    return found
