"""Point search over the search index (`SearchEntry`): filters tested on the row, locations read nearest first.

The general search (`referrals.services.search`) joins five tables per candidate location to test
the filters, and measures every location in the radius to sort them: its cost grows with the
directory. Here each candidate is one row that carries its service's codes; on PostgreSQL a GiST
index returns the rows nearest first and the reading stops once the page and a capped count are
certain, so the cost follows the page, not the directory's size.

It serves readers who see only listed services (active, of a vetted organisation) by one face of
every location: anonymous readers and partner apps by the public point, vetted caseworkers and
granted partner keys by the exact one. Moderators and members of organisations (who also see
unlisted services, or their own houses in full) take the general search.
"""

import functools
import heapq
import itertools
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FullResultSet
from django.db import connections
from django.db.models import BooleanField, CharField, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from referrals.choices import Reach
from referrals.geo import BoundingBox, distance_km
from referrals.models import SearchEntry
from referrals.services.search import (
    NearQuery,
    box_condition,
    branch,
    circles_reaching,
    ranked,
    ranked_remote,
    tagged_union,
)

# The first nearest-first read takes this many entries per wanted match (a service has one or two
# locations, and some fail the filters), at least FIRST_READ; each further read takes four times more.
READ_PER_WANTED = 2
FIRST_READ = 64
PUBLIC_FACE = ("public_latitude", "public_longitude")
EXACT_FACE = ("latitude", "longitude")


@dataclass(frozen=True)
class EntryFilters:
    """The filters a search entry answers by itself.

    `complete` is False when the search has others too (keywords, opening hours, capacity...): the
    matches are then checked against the full query before they count.
    """

    categories: tuple = ()  # any of
    populations: tuple = ()  # all of
    contexts: tuple = ()  # any of
    languages: tuple = ()  # any of
    countries: tuple = ()  # any of
    organization: object = None
    free: bool | None = None
    age: int | None = None
    complete: bool = True

    def condition(self) -> Q:
        """The WHERE clause on search entries."""
        condition = Q()
        for field, codes in (
            ("categories", self.categories),
            ("contexts", self.contexts),
            ("languages", self.languages),
            ("countries", self.countries),
        ):
            if codes:
                condition &= _any_code(field, codes)
        for code in self.populations:
            condition &= Q(populations__contains=f"|{code}|")
        if self.organization is not None:
            condition &= Q(organization_id=self.organization)
        if self.free is not None:
            condition &= Q(free=self.free)
        if self.age is not None:
            condition &= Q(minimum_age__isnull=True) | Q(minimum_age__lte=self.age)
            condition &= Q(maximum_age__isnull=True) | Q(maximum_age__gte=self.age)
        return condition


def _any_code(field: str, codes) -> Q:
    condition = Q()
    for code in codes:
        condition |= Q(**{f"{field}__contains": f"|{code}|"})
    return condition


def serves(viewer) -> bool:
    """Whether this reader sees exactly the listed services, each location by one face."""
    return viewer is None or (not viewer.is_moderator and not viewer.member_org_ids)


def nearest(services: QuerySet, near: NearQuery, viewer, filters: EntryFilters, wanted: int | None) -> list[tuple]:
    """As `search.nearest()`: the first `wanted` matches that are certain (all of them when `wanted` is None).

    Places and outreach come first: each read of the locations nearest first is cut where its matches
    stop being certain, past the last location the index returned (a nearer one may follow); too few
    certain matches, and the next read takes four times more. Only once every place in the radius is
    known do the remote services (country- and province-wide) follow, ranked by their nearest office.
    """
    face = _face(viewer)
    entries = SearchEntry.objects.using(services.db).filter(filters.condition())
    limit = max(READ_PER_WANTED * (wanted or 0), FIRST_READ)
    first = covering = None
    if wanted is not None and Reach.PLACE in near.reaches:
        # The remote services matter when every place is read: when all the matches up to the count are wanted.
        with_covering = Reach.REMOTE in near.reaches and wanted > settings.SEARCH_COUNT_LIMIT
        circles, first, covering = _first_round(entries, near, face, filters, limit, with_covering, wanted)
    else:
        circles = _by_circle(entries, near, face) if Reach.OUTREACH in near.reaches else {}
    while True:
        if Reach.PLACE not in near.reaches:
            by_location, horizon = {}, math.inf
        elif first is not None:
            (by_location, horizon), first = first, None
        elif wanted is not None and _reads_nearest_first(services.db):
            by_location, horizon = _by_location_nearest_first(entries, near, face, filters, limit)
        else:
            by_location, horizon = _by_location_in_box(entries, near, face), math.inf
        # Nearer than the horizon is certain; at it, not (a place not yet read may lie exactly there).
        certain = [match for match in ranked(by_location, circles) if match[1] < horizon or horizon == math.inf]
        if not filters.complete:
            certain = _matching(services, certain)
        if wanted is not None and len(certain) >= wanted:
            return certain[:wanted]
        if horizon == math.inf:
            break
        limit *= 4
    if Reach.REMOTE in near.reaches:
        reached = by_location.keys() | circles.keys()
        if covering is None:
            remote = [pk for pk in _covering_the_point(entries, near, None) if pk not in reached]
            offices, names = _offices_and_names(entries, remote, near, face)
        else:
            offices, names = _offices_and_names_of(covering, near)
            remote = [pk for pk in names if pk not in reached]
        remote_matches = ranked_remote(remote, offices, names)
        certain += _matching(services, remote_matches) if not filters.complete else remote_matches
    return certain if wanted is None else certain[:wanted]


def _matching(services: QuerySet, matches: list) -> list:
    """The matches that the full query also holds (for filters the entries do not answer)."""
    if not matches:
        return matches
    matching = set(services.filter(pk__in=[pk for pk, _, _ in matches]).values_list("pk", flat=True))
    return [match for match in matches if match[0] in matching]


def _offices_and_names(entries: QuerySet, service_ids: list, near: NearQuery, face) -> tuple[dict, dict]:
    """Of these services: the distance to each one's nearest location (the point this reader sees), and its name."""
    if not service_ids:
        return {}, {}
    return _offices_and_names_of(_entry_rows(entries.filter(service_id__in=service_ids), face), near)


def _entry_rows(entries: QuerySet, face) -> QuerySet:
    """(service id, kind, latitude, longitude, name) of these entries, by the point this reader sees."""
    return entries.values_list("service_id", "kind", *face, "name")


def _offices_and_names_of(rows, near: NearQuery) -> tuple[dict, dict]:
    """From (service id, kind, latitude, longitude, name) entry rows: each service's nearest office, and its name."""
    offices: dict[object, float] = {}
    names: dict[object, str] = {}
    for service_id, kind, lat, lng, name in rows:
        names[service_id] = name
        if kind == "location" and lat is not None and lng is not None:
            distance = distance_km(near.latitude, near.longitude, lat, lng)
            offices[service_id] = min(distance, offices.get(service_id, math.inf))
    return offices, names


def at_least(services: QuerySet, near: NearQuery, viewer, filters: EntryFilters, n: int) -> bool:
    """Whether at least `n` services certainly match, told by the database without reading them out.

    A page needs only its own rows, but a capped count would read `n` matches (and measure each in
    Python) to say "more than the cap". Here PostgreSQL counts, through the index, services with an
    entry well inside the radius, and those whose country or province holds the point, stopping at
    `n`: if there are that many, the search need read only the page. False also means "cannot tell"
    (another database, or filters the entries do not answer): the caller then counts by reading.
    """
    if not filters.complete or not _reads_nearest_first(services.db):
        return False
    where, where_params = _entries_where(filters, services.db)
    centre = unit_sphere(near.latitude, near.longitude)
    inner = inner_chord(near.radius_km)
    areas = _holding_the_point(near) if Reach.REMOTE in near.reaches else []
    if Reach.PLACE not in near.reaches and not areas:
        return False
    sql = _counting_sql(where, _face(viewer), Reach.PLACE in near.reaches, tuple(tuple(area) for area in areas))
    params = []
    if Reach.PLACE in near.reaches:
        params += [*where_params, *_cube_around(centre, inner), centre, inner, READ_PER_WANTED * n]
        if areas:
            params.append(n)
    for area in areas:
        params += [*where_params, *area.values(), n]
    ((counted,),) = _read_in_index_order(sql, params, services.db)
    return counted >= n


def inner_chord(radius_km: float) -> float:
    """A chord of the unit sphere this short or shorter joins points within `radius_km` on the ellipsoid.

    Its angle is measured with the largest radius of curvature and less the sphere's margin. INNER_CHORD_SQL
    computes the same in the database.
    """
    return 2 * math.sin(min(math.pi, radius_km * _SPHERE_TO_ELLIPSOID_MARGIN / _LARGEST_CURVATURE_RADIUS_KM) / 2)


def _by_circle(entries: QuerySet, near: NearQuery, face) -> dict:
    """Service id -> distance in km from the point to the edge of a radius area (0 inside it)."""
    return _circle_reach(_circles(entries, near, face).values_list("service_id", *face, "radius_km"), near)


def _circles(entries: QuerySet, near: NearQuery, face) -> QuerySet:
    """The radius areas' entries that may reach the search's circle."""
    if _reads_nearest_first(entries.db):
        # The circles' GiST index (migration 0012): those whose bounding cube meets the search's.
        reaching = CubeOverlaps(Circle(F(face[0]), F(face[1]), F("radius_km")), _search_cube(near))
    else:
        reaching = circles_reaching(near)
    return entries.filter(reaching, kind="radius")


def _circle_reach(rows, near: NearQuery) -> dict:
    reach: dict[object, float] = {}
    for service_id, lat, lng, radius in rows:
        to_edge = max(0.0, distance_km(near.latitude, near.longitude, lat, lng) - radius)
        if to_edge <= near.radius_km and to_edge < reach.get(service_id, math.inf):
            reach[service_id] = to_edge
    return reach


def _first_round(
    entries: QuerySet, near: NearQuery, face, filters, limit: int, with_covering: bool, wanted: int
) -> tuple:
    """The reads a point search starts with, in one round trip: circles, the first places, the remote services.

    Returns the circles' reach (as `_by_circle`), the first read of places (as `_by_location_nearest_first`
    reading `limit` entries on PostgreSQL, as `_by_location_in_box` elsewhere) and, `with_covering`, the
    entry rows of the services whose country or province holds the point (as `_entry_rows`; else None).
    Each read is a branch of one UNION ALL, planned on its own as it would be alone, its rows told apart
    by a tag. Only the first `wanted` matches are asked for (see `_first_round_indexed`).
    """
    if _reads_nearest_first(entries.db):
        return _first_round_indexed(entries, near, face, filters, limit, with_covering, wanted)
    branches = {"place": branch(
        entries.filter(box_condition(near.bounding_box, face), kind="location"),
        lat=F(face[0]), lng=F(face[1]), chord=Value(None, FloatField()),
    )}  # fmt: skip
    if Reach.OUTREACH in near.reaches:
        branches["circle"] = branch(
            _circles(entries, near, face), lat=F(face[0]), lng=F(face[1]), radius=F("radius_km")
        )
    areas = [Q(**area) for area in _holding_the_point(near)] if with_covering else []
    if areas:
        compiled = [entries.filter(area).values("service_id").query.sql_with_params() for area in areas]
        covering = RawSQL(  # noqa: S611 (Django's own SQL; values travel as parameters)
            " UNION ".join(f"SELECT * FROM ({sql}) AS area" for sql, _ in compiled),  # noqa: S608
            [param for _, params in compiled for param in params],
        )
        rows = entries.filter(service_id__in=covering)
        branches["remote"] = branch(rows, kind=F("kind"), lat=F(face[0]), lng=F(face[1]), name=F("name"))
    rows = tagged_union(branches, _FIRST_ROUND_COLUMNS, entries.db)
    first = _nearest_reach(rows["place"], near, None)
    circles = _circle_reach(rows.get("circle", ()), near)
    return circles, first, rows.get("remote", []) if with_covering else None


def _first_round_indexed(
    entries: QuerySet, near: NearQuery, face, filters, limit: int, with_covering: bool, wanted: int
) -> tuple:
    """`_first_round()` on PostgreSQL: the places nearest first through the GiST index, in SQL written once per
    shape (`_first_round_sql`), only the values bound per search (the ORM took a third of a sparse search).

    A radius area whose centre lies surely inside it (a chord to the point no longer than `inner_chord` of its
    radius) reaches the point at distance 0, where the ranking breaks ties by id. When the entries answer every
    filter, of those services only the `wanted` first by id can be on the page, and the database picks them:
    around Bangkok at 1,000,000 services the point lies inside 2,400 teams' circles, each measured and sorted in
    Python before (8 ms). When fewer come back, there were no more; the other circles come whole, measured here.
    """
    where, where_params = _entries_where(filters, entries.db)
    centre = unit_sphere(near.latitude, near.longitude)
    search_cube = _cube_around(centre, outer_chord(near.radius_km))
    areas = _holding_the_point(near) if with_covering else []
    outreach = Reach.OUTREACH in near.reaches
    inside_first = outreach and filters.complete  # other filters may reject some: then every circle is needed
    sql = _first_round_sql(where, face, outreach, tuple(tuple(area) for area in areas), inside_first)
    params = ["place", centre, *where_params, *search_cube, centre, limit]
    if inside_first:
        params = [centre, *where_params, *search_cube, *params, "inside", wanted, "circle"]
    elif outreach:
        params += ["circle", *where_params, *search_cube]
    if areas:
        params += ["remote", *where_params]
        for area in areas:
            params += [*where_params, *area.values()]
    places, circles, inside, remote = [], [], [], []
    for tag, service_id, lat, lng, radius, chord, kind, name in _read_in_index_order(sql, params, entries.db):
        if tag == "place":
            places.append((service_id, lat, lng, chord))
        elif tag == "circle":
            circles.append((service_id, lat, lng, radius))
        elif tag == "inside":
            inside.append(service_id)
        else:
            remote.append((service_id, kind, lat, lng, name))
    reach = _circle_reach(circles, near)
    reach.update(dict.fromkeys(inside, 0.0))
    return reach, _nearest_reach(places, near, limit), remote if with_covering else None


# Every column a branch of the first round may have, after the service id.
_FIRST_ROUND_COLUMNS = (
    ("lat", FloatField()),
    ("lng", FloatField()),
    ("radius", FloatField()),
    ("chord", FloatField()),
    ("kind", CharField()),
    ("name", CharField()),
)


def _covering_the_point(entries: QuerySet, near: NearQuery, limit: int | None) -> list:
    """Ids of the services whose country- or province-wide area holds the point: the first `limit` in id order.

    One query per kind of area, each walking the areas' index (kind, country, service) in id order,
    merged here. As one query with OR, PostgreSQL would rather walk every entry by service id and, when
    no area matches the filters, read the whole table before finding none (1.2 s at 1,000,000).
    """
    branches = [
        list(entries.filter(**area).order_by("service_id").values_list("service_id", flat=True).distinct()[:limit])
        for area in _holding_the_point(near)
    ]
    merged = (pk for pk, _ in itertools.groupby(heapq.merge(*branches, key=str)))
    return list(itertools.islice(merged, limit))


def _holding_the_point(near: NearQuery) -> list[dict]:
    """The country- and the province-wide area entries whose area holds the point, as column -> value conditions."""
    from referrals.gazetteer import region_at

    region = region_at(near.latitude, near.longitude)
    if region is None:
        return []
    country, province = region
    areas = [{"kind": "country", "country": country}]
    return [*areas, {"kind": "province", "country": country, "province": province}] if province else areas


def services_in_box(box: BoundingBox, viewer) -> QuerySet:
    """Ids of the listed services with a location in the box, by the point this reader sees (a subquery)."""
    face = _face(viewer)
    return SearchEntry.objects.filter(box_condition(box, face), kind="location").values("service_id")


def in_box_by_name(box: BoundingBox, viewer, filters: EntryFilters) -> QuerySet:
    """Ids of the listed services with a location in the box (by the point this reader sees), by name then id.

    The paginator's capped count and each page are one query on the entries in the box. Joined to
    their services and organisations to sort them by name, the box around Bangkok (4,400 services at
    100,000) took 100 ms; the entries carry the name.
    """
    face = _face(viewer)
    return (
        SearchEntry.objects.filter(filters.condition(), box_condition(box, face), kind="location")
        .order_by("name", "service_id")
        .values_list("service_id", flat=True)
        .distinct()
    )


def _face(viewer):
    return EXACT_FACE if viewer is not None and viewer.sees_every_full_face else PUBLIC_FACE


def _by_location_in_box(entries: QuerySet, near: NearQuery, face) -> dict:
    """Service id -> distance to its nearest location within the radius: every entry in the radius's box."""
    in_box = box_condition(near.bounding_box, face)
    rows = entries.filter(in_box, kind="location").values_list("service_id", *face)
    return _nearest_reach([(*row, None) for row in rows], near, None)[0]


def _reads_nearest_first(alias: str) -> bool:
    """Whether this database has the nearest-first GiST indexes (PostgreSQL, migration 0011)."""
    return connections[alias].vendor == "postgresql"


# Straight lines through the unit sphere order points as great circles do, and a great circle and the
# WGS84 ellipsoid disagree on which of two points is nearer only when their distances differ by under
# 1 %: every point the index has not yet returned is at least this fraction of the last one's distance
# (1.5 % taken, for room).
_SPHERE_TO_ELLIPSOID_MARGIN = 0.985
_SMALLEST_CURVATURE_RADIUS_KM = 6335.0  # WGS84's meridian at the equator: a(1 - e²) = 6,335.44 km
_LARGEST_CURVATURE_RADIUS_KM = 6400.0  # at the poles: a / sqrt(1 - e²) = 6,399.59 km
_OUTER_PADDING = 1.01  # as the bounding boxes are padded


def _by_location_nearest_first(entries: QuerySet, near: NearQuery, face, filters, limit: int) -> tuple[dict, float]:
    """Like `_by_location_in_box`, reading at most `limit` entries nearest first (PostgreSQL).

    Returns the distances and the horizon: every service not returned is at least that far (infinite
    when the entries in the radius ran out before the limit).
    """
    where, where_params = _entries_where(filters, entries.db)
    centre = unit_sphere(near.latitude, near.longitude)
    params = ["place", centre, *where_params, *_cube_around(centre, outer_chord(near.radius_km)), centre, limit]
    rows = _read_in_index_order(_places_sql(where, face), params, entries.db)
    return _nearest_reach([(pk, lat, lng, chord) for _, pk, lat, lng, _, chord, _, _ in rows], near, limit)


def _nearest_reach(rows, near: NearQuery, limit: int | None) -> tuple[dict, float]:
    """From (service id, latitude, longitude, chord) rows of locations nearest first: service id -> distance within
    the radius, and the horizon past the last row.

    `limit` None: the rows are every location in the radius's box (the chord unused), the horizon infinite.
    """
    best: dict[object, float] = {}
    furthest = (-1.0, 0.0)  # (chord, distance) of the last row in the index's order
    for service_id, lat, lng, chord in rows:
        distance = distance_km(near.latitude, near.longitude, lat, lng)
        if chord is not None:
            furthest = max(furthest, (chord, distance))
        if distance <= near.radius_km and distance < best.get(service_id, math.inf):
            best[service_id] = distance
    horizon = math.inf if limit is None or len(rows) < limit else furthest[1] * _SPHERE_TO_ELLIPSOID_MARGIN
    return best, horizon


def outer_chord(radius_km: float) -> float:
    """A chord of the unit sphere at least as long as any that joins points within `radius_km` on the ellipsoid.

    Its angle is measured with the ellipsoid's smallest radius of curvature (so it is never
    underestimated), padded like the boxes. CIRCLE_SQL computes the same in the database.
    """
    return 2 * math.sin(min(math.pi, radius_km * _OUTER_PADDING / _SMALLEST_CURVATURE_RADIUS_KM) / 2)


def _search_cube(near: NearQuery) -> "CubeBox":
    """The cube that holds every point within the search's radius."""
    return CubeBox(*_cube_around(unit_sphere(near.latitude, near.longitude), outer_chord(near.radius_km)))


def _cube_around(centre: list[float], half_side: float) -> tuple[list[float], list[float]]:
    """The lower and upper corners of the cube of this half side around the point."""
    return [c - half_side for c in centre], [c + half_side for c in centre]


def _read_in_index_order(sql: str, params, alias: str) -> list[tuple]:
    """Run a nearest-first query with PostgreSQL steered to the GiST index's ordered scan.

    The planner cannot estimate how many rows a cube box holds (it guesses a few), so it would rather
    collect the whole box with a bitmap scan and sort it, which reads every location in the radius.
    `SET LOCAL` travels with the query in one round trip and ends with its transaction; inside a
    longer transaction the settings are reset straight after.
    """
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off; {sql}", params)
        result = cursor.fetchall()
        if connection.in_atomic_block:
            cursor.execute("RESET enable_bitmapscan; RESET enable_sort")
    return result


# The index path's reads on PostgreSQL, as SQL text written once per shape (the filters' WHERE clause, the
# reader's face, which branches): a search binds only its values, the limits among them. Django's ORM, writing
# the same SQL anew for every search, took a third of a sparse search's time. The caches are bounded (LRU): a
# client choosing filters and pages cannot grow them. The expressions are the indexes' own (UNIT_SPHERE_SQL,
# CIRCLE_SQL), so that PostgreSQL uses them; tests/test_nearest_first.py holds the results to the general
# search's.
_SHAPES_KEPT = 256
_NO_FLOAT, _NO_TEXT = "NULL::float8", "NULL::varchar"  # a column a branch has not, typed for the UNION
_ENTRY_COLUMNS = "%s, {table}.service_id, {lat}, {lng}, {radius}, {chord}, {kind}, {name}"  # as the first round's


@functools.lru_cache(maxsize=_SHAPES_KEPT)
def _entries_where(filters: EntryFilters, alias: str) -> tuple[str, tuple]:
    """The filters' WHERE clause on search entries and its values, as Django writes it (once per filters)."""
    query = SearchEntry.objects.using(alias).filter(filters.condition()).query
    if len(query.alias_map) > 1:  # the clause alone is used: a condition through a relation would lose its join
        raise ValueError("EntryFilters.condition() must test only the entries' own columns.")
    try:
        sql, params = query.get_compiler(alias).compile(query.where)
    except FullResultSet:  # no filters
        return "TRUE", ()
    return sql, tuple(params)


def _table_sql() -> str:
    return _quote(SearchEntry._meta.db_table)


def _face_sql(face) -> tuple[str, str]:
    """The face's latitude and longitude columns."""
    return tuple(f"{_table_sql()}.{_quote(column)}" for column in face)


def _columns_sql(face, *, radius=_NO_FLOAT, chord=_NO_FLOAT, kind=_NO_TEXT, name=_NO_TEXT) -> str:
    """A first-round branch's columns: its tag (a value), the service, the face's point, then what the branch has of
    radius, chord, kind and name (NULL where it has none)."""
    lat, lng = _face_sql(face)
    return _ENTRY_COLUMNS.format(table=_table_sql(), lat=lat, lng=lng, radius=radius, chord=chord, kind=kind, name=name)


def _point_sql(face) -> str:
    lat, lng = _face_sql(face)
    return UNIT_SPHERE_SQL.format(lat=lat, lng=lng)


@functools.lru_cache(maxsize=_SHAPES_KEPT)
def _places_sql(where: str, face) -> str:
    """The first locations in the search's cube, nearest first. Values: the tag, the centre, the filters', the
    cube's corners, the centre, how many."""
    point, table = _point_sql(face), _table_sql()
    distance = f"({point} <-> cube(%s::float8[]))"
    columns = _columns_sql(face, chord=distance)
    return (
        f"SELECT * FROM (SELECT {columns} FROM {table} "  # noqa: S608 (written from the models)
        f"WHERE {where} AND (cube(%s::float8[], %s::float8[]) @> {point}) AND {table}.kind = 'location' "
        f"ORDER BY {distance} LIMIT %s) AS branch"
    )


@functools.lru_cache(maxsize=_SHAPES_KEPT)
def _first_round_sql(where: str, face, outreach: bool, areas: tuple, inside_first: bool) -> str:
    """`_first_round()`'s branches as one UNION ALL. Values: `_places_sql`'s; with `outreach`, the tag, the
    filters' and the search cube's corners (`inside_first`: first the circles' centre, filters and the search
    cube's corners, then `_places_sql`'s, the "inside" branch's tag and how many, the circles' tag); with `areas`
    (each a tuple of columns), the tag, the filters', then for each area the filters' and the area's values."""
    branches, prefix = [_places_sql(where, face)], ""
    table = _table_sql()
    if outreach:
        columns = _columns_sql(face, radius=f"{table}.radius_km")
        lat, lng = _face_sql(face)
        circle = CIRCLE_SQL.format(lat=lat, lng=lng, radius=f"{table}.radius_km")
        reaching = f"{where} AND ({circle} && cube(%s::float8[], %s::float8[])) AND {table}.kind = 'radius'"
        if not inside_first:
            branches.append(
                f"SELECT * FROM (SELECT {columns} FROM {table} WHERE {reaching}) AS branch"  # noqa: S608 (from the models)
            )
        else:
            # A centre this near is inside the circle on the ellipsoid.
            inner = INNER_CHORD_SQL.format(radius=f"{table}.radius_km")
            surely_inside = f"({_point_sql(face)} <-> cube(%s::float8[])) <= {inner}"
            # The circles read once, told apart in the database.
            prefix = (
                f"WITH reaching AS MATERIALIZED (SELECT {table}.service_id, {lat} AS lat, {lng} AS lng, "  # noqa: S608
                f"{table}.radius_km AS radius, {surely_inside} AS inside FROM {table} WHERE {reaching}) "
            )
            # The first ids in an aggregate's own order (a plan's sort is what `_read_in_index_order` turns off).
            first_ids = "SELECT (array_agg(DISTINCT service_id ORDER BY service_id))[1:%s] FROM reaching WHERE inside"
            empty = ", ".join([_NO_FLOAT] * 4 + [_NO_TEXT] * 2)
            branches.append(
                f"SELECT %s, inside.service_id, {empty} FROM unnest(({first_ids})) AS inside(service_id)"  # noqa: S608
            )
            branches.append(
                f"SELECT %s, service_id, lat, lng, radius, {_NO_FLOAT}, {_NO_TEXT}, {_NO_TEXT} "  # noqa: S608
                "FROM reaching WHERE NOT inside"
            )
    if areas:
        columns = _columns_sql(face, kind=f"{table}.kind", name=f"{table}.name")
        covering = f"SELECT service_id FROM ({_covering_sql(where, areas, limited=False)}) AS area"  # noqa: S608
        branches.append(
            f"SELECT * FROM (SELECT {columns} FROM {table} WHERE {where} "  # noqa: S608 (written from the models)
            f"AND {table}.service_id IN ({covering})) AS branch"
        )
    return prefix + " UNION ALL ".join(branches)


def _covering_sql(where: str, areas: tuple, limited: bool) -> str:
    """The ids of the services with an area entry of each of `areas` (tuples of columns), one branch per area.
    Values: for each area, the filters', the area's and, `limited`, how many."""
    table = _table_sql()
    cut = " LIMIT %s" if limited else ""
    return " UNION ".join(
        f"(SELECT {table}.service_id FROM {table} WHERE {where} AND "  # noqa: S608 (written from the models)
        + " AND ".join(f"{table}.{_quote(column)} = %s" for column in area)
        + f"{cut})"
        for area in areas
    )


@functools.lru_cache(maxsize=_SHAPES_KEPT)
def _counting_sql(where: str, face, places: bool, areas: tuple) -> str:
    """`at_least()`'s count. Values: with `places`, the filters', the inner cube's corners, the centre, the
    inner chord and how many entries; with both, how many services; then `_covering_sql`'s, limited.

    With places and areas, the areas are counted only when the places are too few: where there are places enough
    (around Bangkok), finding that none of the 12,700 country-wide services of Thailand passes the filters took
    8 ms of the count at 1,000,000 services (a CASE's branch not taken never runs).
    """
    branches = []
    if places:
        point, table = _point_sql(face), _table_sql()
        branches.append(
            f"(SELECT {table}.service_id FROM {table} WHERE {where} "  # noqa: S608 (written from the models)
            f"AND (cube(%s::float8[], %s::float8[]) @> {point}) AND {table}.kind = 'location' "
            f"AND ({point} <-> cube(%s::float8[])) <= %s LIMIT %s)"
        )
    if places and areas:
        near_places = f"SELECT DISTINCT * FROM {branches[0]} AS branch"  # noqa: S608
        covering = _covering_sql(where, areas, limited=True)
        return (
            f"WITH near_places AS MATERIALIZED ({near_places}) "  # noqa: S608
            "SELECT CASE WHEN (SELECT count(*) FROM near_places) >= %s THEN (SELECT count(*) FROM near_places) "
            f"ELSE (SELECT count(*) FROM (SELECT service_id FROM near_places UNION {covering}) AS matching) END"
        )
    if areas:
        branches.append(_covering_sql(where, areas, limited=True))
    union = " UNION ".join(branches)
    # A service with two locations inside counts once: UNION drops the repeats, and with one branch DISTINCT does.
    if places + len(areas) == 1:
        union = f"SELECT DISTINCT * FROM {union} AS branch"  # noqa: S608
    return f"SELECT count(*) FROM ({union}) AS matching"  # noqa: S608


def _quote(name: str) -> str:
    return connections["default"].ops.quote_name(name)


# The expression the GiST indexes on search entries hold (migration 0011): a point on the unit sphere.
UNIT_SPHERE_SQL = (  # cube(cube(cube(x), y), z) rather than cube(ARRAY[x, y, z]): NULL in, NULL out
    "cube(cube(cube(cos(radians({lat})) * cos(radians({lng}))), cos(radians({lat})) * sin(radians({lng}))), "
    "sin(radians({lat})))"
)


# inner_chord(radius), computed by the database for each radius area's own radius.
INNER_CHORD_SQL = (
    f"2 * sin(least(pi(), {{radius}} * {_SPHERE_TO_ELLIPSOID_MARGIN} / {_LARGEST_CURVATURE_RADIUS_KM}) / 2)"
)


# The expression the circles' GiST indexes hold (migration 0012): the cube that bounds a radius area.
CIRCLE_SQL = (  # the cube enlarged by outer_chord(radius)
    f"cube_enlarge({UNIT_SPHERE_SQL}, "
    f"2 * sin(least(pi(), {{radius}} * {_OUTER_PADDING} / {_SMALLEST_CURVATURE_RADIUS_KM}) / 2), 3)"
)


def unit_sphere(lat: float, lng: float) -> list[float]:
    """The point on the unit sphere, as UNIT_SPHERE_SQL computes it."""
    phi, lam = math.radians(lat), math.radians(lng)
    return [math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)]


class Circle(Func):
    """A radius area's bounding cube as its GiST index holds it (CIRCLE_SQL: the same expression)."""

    output_field = FloatField()  # a cube; only ever compared in SQL

    def as_sql(self, compiler, connection, **extra):
        compiled = [compiler.compile(e) for e in self.source_expressions]
        if any(params for _, params in compiled):
            raise TypeError("Circle takes columns, not values.")
        (lat, _), (lng, _), (radius, _) = compiled
        return CIRCLE_SQL.format(lat=lat, lng=lng, radius=radius), []


class CubeBox(Func):
    """A constant box as a cube, from its lower-left and upper-right corners."""

    output_field = FloatField()

    def __init__(self, lower, upper):
        super().__init__()
        self.lower, self.upper = [float(c) for c in lower], [float(c) for c in upper]

    def as_sql(self, compiler, connection, **extra):
        return "cube(%s::float8[], %s::float8[])", [self.lower, self.upper]


class CubeOverlaps(Func):
    """cube && cube (GiST-indexable)."""

    arg_joiner = " && "
    template = "(%(expressions)s)"
    output_field = BooleanField()
