"""The point-search index: kept in step with every change, and finding exactly what the general search finds."""

import importlib
import math
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.filtersets import ServiceFilterSet
from referrals.geo import distance_km
from referrals.models import Location, Organization, SearchEntry, Service, ServiceArea, ServiceAtLocation
from referrals.services import nearest_first, search, search_index
from referrals.services.roles import PUBLIC, Viewer
from tests.helpers import BANGKOK, make_caseworker, make_location, make_organization, make_service, random_directory

pytestmark = pytest.mark.django_db

COMPARED = (
    "service_id",
    "kind",
    "location_id",
    "public_latitude",
    "public_longitude",
    "latitude",
    "longitude",
    "radius_km",
    "country",
    "province",
    "name",
    "organization_id",
    "free",
    "minimum_age",
    "maximum_age",
    "categories",
    "populations",
    "contexts",
    "languages",
    "countries",
)


def stored(service_ids=None):
    entries = SearchEntry.objects.all()
    if service_ids is not None:
        entries = entries.filter(service_id__in=service_ids)
    return sorted(entries.values_list(*COMPARED), key=repr)


def derived(service_ids):
    return sorted(
        (tuple(values[name] for name in COMPARED) for values in search_index.entries_of(service_ids)), key=repr
    )


def countries_now(service_ids=None) -> dict:
    """Each service's countries straight from its locations and areas, as `Service.countries` spells them."""
    services = Service.objects.all() if service_ids is None else Service.objects.filter(pk__in=service_ids)
    found = {pk: set() for pk in services.values_list("pk", flat=True)}
    for pk, country in ServiceAtLocation.objects.filter(service__in=services).values_list(
        "service_id", "location__country"
    ):
        found[pk].add(country)
    for pk, country in ServiceArea.objects.filter(service__in=services).values_list("service_id", "country"):
        found[pk].add(country)
    return {pk: "|" + "|".join(sorted(codes)) + "|" if codes else "" for pk, codes in found.items()}


def assert_in_step(service):
    assert stored([service.pk]) == derived([service.pk])
    assert Service.objects.get(pk=service.pk).countries == countries_now([service.pk])[service.pk]


def test_the_query_expression_is_the_one_the_migration_indexed():
    migration = importlib.import_module("referrals.migrations.0011_search_entries")
    assert migration.UNIT_SPHERE_SQL == nearest_first.UNIT_SPHERE_SQL
    circles = importlib.import_module("referrals.migrations.0012_search_entry_circles")
    assert circles.CIRCLE_SQL == nearest_first.CIRCLE_SQL
    assert circles.UNIT_SPHERE_SQL == nearest_first.UNIT_SPHERE_SQL


def test_entries_follow_every_change_to_a_listing():
    org = make_organization()
    service = make_service(org, at=BANGKOK, categories=["housing"], populations=["women"])
    (entry,) = SearchEntry.objects.filter(service=service)
    assert (entry.kind, entry.categories, entry.populations, entry.countries) == (
        "location",
        "|housing|",
        "|women|",
        "|TH|",
    )

    service.name = "Renamed shelter"
    service.save()
    assert SearchEntry.objects.get(service=service).name == "Renamed shelter"
    service.categories.add("medical")
    assert SearchEntry.objects.get(service=service).categories == "|housing|medical|"
    service.populations.clear()
    assert SearchEntry.objects.get(service=service).populations == ""
    service.populations.set(["children", "women"])
    assert SearchEntry.objects.get(service=service).populations == "|children|women|"

    location = ServiceAtLocation.objects.get(service=service).location
    location.latitude, location.longitude = 18.79, 98.98
    location.save()
    assert (SearchEntry.objects.get(service=service).latitude, SearchEntry.objects.get(service=service).longitude) == (
        18.79,
        98.98,
    )
    location.confidential = True
    location.save()
    entry = SearchEntry.objects.get(service=service)
    assert (entry.public_latitude, entry.public_longitude) != (18.79, 98.98)  # the snapped point, not the house's
    assert (entry.public_latitude, entry.public_longitude) == (location.public_latitude, location.public_longitude)

    ServiceArea.objects.create(service=service, kind="radius", country="TH", latitude=18.8, longitude=99.0, radius_km=9)
    ServiceArea.objects.create(service=service, kind="country", country="LA")
    assert sorted(SearchEntry.objects.filter(service=service).values_list("kind", flat=True)) == [
        "country",
        "location",
        "radius",
    ]
    radius = SearchEntry.objects.get(service=service, kind="radius")
    assert (radius.public_latitude, radius.public_longitude) != (18.8, 99.0)  # it would point at the house
    assert set(SearchEntry.objects.filter(service=service).values_list("countries", flat=True)) == {"|LA|TH|"}
    assert_in_step(service)

    service.status = "inactive"
    service.save()
    assert not SearchEntry.objects.filter(service=service).exists()
    service.status = "active"
    service.save()
    assert_in_step(service) and SearchEntry.objects.filter(service=service).exists()

    org.vetted = False
    org.save()
    assert not SearchEntry.objects.filter(service=service).exists()
    org.vetted = True
    org.save()
    assert SearchEntry.objects.filter(service=service).count() == 3

    ServiceAtLocation.objects.filter(service=service).get().delete()
    assert not SearchEntry.objects.filter(service=service, kind="location").exists()
    second = make_location(org)
    ServiceAtLocation.objects.create(service=service, location=second)
    second.delete()
    assert not SearchEntry.objects.filter(service=service, kind="location").exists()
    assert_in_step(service)

    service.delete()
    assert not SearchEntry.objects.filter(service_id=service.pk).exists()


SEARCHES = [
    {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 25},
    {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 40, "category": "housing,medical", "serves": "women"},
    {"lat": 13.9, "lng": 100.7, "radius_km": 15, "serves": "women,children"},
    {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 50, "free": "true", "age": "15"},
    {"lat": 13.6, "lng": 100.4, "radius_km": 30, "country": "TH", "category": "legal"},
    {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 50, "q": "s1"},  # a filter the index does not hold
    {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 20, "reach": "place,outreach"},
    {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 20, "reach": "remote", "serves": "women"},
    {"lat": 13.9, "lng": 100.7, "radius_km": 15, "reach": "outreach,remote"},
    {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 30, "reach": "place,remote", "q": "s1"},
]


def point_search(params, viewer):
    """The search's query set, point and index filters, as the API's filter set makes them for this reader."""
    filterset = ServiceFilterSet(params, queryset=Service.objects.visible_to(viewer), viewer=viewer)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs, filterset.near_query(), filterset.entry_filters()


@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_the_index_finds_exactly_what_the_general_search_finds_reading_in_small_steps(monkeypatch, reader):
    random_directory(random.Random(5))
    viewer = PUBLIC if reader == "anonymous" else Viewer.for_request(make_caseworker("cw"))
    # Tiny reads: the nearest-first search must go back for more, and cut only where matches are certain.
    monkeypatch.setattr(nearest_first, "READ_PER_WANTED", 0)
    monkeypatch.setattr(nearest_first, "FIRST_READ", 2)
    for params in SEARCHES:
        services, near, filters = point_search(params, viewer)
        assert filters is not None and filters.complete == ("q" not in params)
        general = search.nearest(services, near, viewer)
        assert general, params
        assert nearest_first.nearest(services, near, viewer, filters, wanted=None) == general
        for wanted in (1, 3, 7, len(general), len(general) + 5):
            assert nearest_first.nearest(services, near, viewer, filters, wanted) == general[:wanted], (params, wanted)


@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_a_point_in_a_country_without_a_province_ranks_its_remote_services_as_the_general_search_does(
    monkeypatch, settings, reader
):
    """One area kind holds the point (its country only): the remote services' read has a single branch."""
    from referrals import gazetteer

    random_directory(random.Random(5))
    viewer = PUBLIC if reader == "anonymous" else Viewer.for_request(make_caseworker("cw"))
    monkeypatch.setattr(gazetteer, "region_at", lambda lat, lng: ("TH", None))
    services, near, filters = point_search({"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 5}, viewer)
    general = search.nearest(services, near, viewer)
    assert len([match for match in general if match[2] == "remote"]) >= 2
    wanted = settings.SEARCH_COUNT_LIMIT + 1  # every match up to the count: the first round reads the remote ones
    assert nearest_first.nearest(services, near, viewer, filters, wanted) == general[:wanted]


@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_wide_circles_centred_far_away_reach_the_point_as_the_general_search_says(reader):
    viewer = PUBLIC if reader == "anonymous" else Viewer.for_request(make_caseworker("cw"))
    org = make_organization()
    hiding = make_location(org, latitude=16.4, longitude=100.5, confidential=True)  # its circles' centres snap
    for index, (lat, radius) in enumerate([(16.4, 290), (16.4, 262), (16.4, 240), (11.0, 310), (8.0, 500)]):
        service = make_service(org, name=f"team {index}", at=hiding if index % 2 else None)
        ServiceArea.objects.create(
            service=service, kind="radius", country="TH", latitude=lat, longitude=100.5, radius_km=radius
        )
    services, near, filters = point_search({"lat": BANGKOK[0], "lng": BANGKOK[1]}, viewer)
    general = search.nearest(services, near, viewer)
    assert 0 < len(general) < 5  # some reach the 25 km around Bangkok, some stop short
    assert nearest_first.nearest(services, near, viewer, filters, wanted=None) == general


def outreach_around_bangkok(rng):
    """Services whose circles hold Bangkok (some twice, some beside a house), some that only reach it, and places."""
    orgs = [make_organization(name=f"Outreach {i}") for i in range(3)]
    for index in range(24):
        org = orgs[index % len(orgs)]
        hiding = make_location(org, latitude=13.8, longitude=100.6, confidential=True) if index % 5 == 0 else None
        service = make_service(org, name=f"team {index:02d}", at=hiding, populations=rng.sample(["women", "men"], 1))
        held = index % 4 != 3  # a quarter only reach it: their edges lie 10-21 km away
        circles = 2 if index % 6 == 0 else 1
        for _ in range(circles):
            offset = rng.uniform(0, 0.1) if held else rng.uniform(0.5, 0.6)
            ServiceArea.objects.create(
                service=service,
                kind="radius",
                country="TH",
                latitude=BANGKOK[0] + offset,
                longitude=BANGKOK[1],
                radius_km=30 if held else 45,
            )
        if index % 3 == 0:  # a place too, a little away from the point
            ServiceAtLocation.objects.create(
                service=service,
                location=make_location(org, latitude=BANGKOK[0] + rng.uniform(0.01, 0.1), longitude=BANGKOK[1]),
            )


@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_crowds_of_circles_holding_the_point_rank_as_the_general_search_says(monkeypatch, reader):
    outreach_around_bangkok(random.Random(7))
    viewer = PUBLIC if reader == "anonymous" else Viewer.for_request(make_caseworker("cw"))
    monkeypatch.setattr(nearest_first, "READ_PER_WANTED", 0)
    monkeypatch.setattr(nearest_first, "FIRST_READ", 2)
    for params in ({"lat": BANGKOK[0], "lng": BANGKOK[1]}, {"lat": BANGKOK[0], "lng": BANGKOK[1], "serves": "women"}):
        services, near, filters = point_search(params, viewer)
        general = search.nearest(services, near, viewer)
        assert sum(distance == 0 for _, distance, _ in general) > 6 and general[-1][1] > 0, params
        assert nearest_first.nearest(services, near, viewer, filters, wanted=None) == general
        for wanted in range(1, len(general) + 2):
            assert nearest_first.nearest(services, near, viewer, filters, wanted) == general[:wanted], (params, wanted)


def test_the_api_searches_the_index_and_the_general_search_alike(api):
    random_directory(random.Random(11))
    params = {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 40, "category": "housing", "page_size": 100}
    by_index = api.get("/api/v1/services/", params).json()
    # A status list the index does not hold sends the same search the general way.
    general = api.get("/api/v1/services/", {**params, "status": "active,defunct"}).json()
    assert by_index["count"] == general["count"] > 5
    assert [(r["id"], r["distance_km"]) for r in by_index["results"]] == [
        (r["id"], r["distance_km"]) for r in general["results"]
    ]


BOX_SEARCHES = [
    {"bbox": "100.3,13.5,100.8,14.0"},
    {"bbox": "100.3,13.5,100.8,14.0", "ordering": "name", "page_size": 5},
    {"bbox": "100.3,13.5,100.8,14.0", "category": "housing,medical", "serves": "women", "page_size": 7},
    {"bbox": "100.4,13.6,100.6,13.9", "free": "true", "age": "15", "country": "TH"},
    {"bbox": "100.3,13.5,100.8,14.0", "organization": None, "language": "en", "context": "urban"},
]


def test_a_box_search_counts_and_pages_in_the_index_as_the_general_search_does(settings):
    from rest_framework.test import APIClient

    random_directory(random.Random(11))
    org = Organization.objects.get(name="Org 1")
    for index in range(3):  # namesakes: ordered by id among themselves
        make_service(org, name="Same name", at=(BANGKOK[0] + index * 0.01, BANGKOK[1]))
    anonymous, caseworker = APIClient(), APIClient()
    # A caseworker's box holds the exact points of confidential places, an anonymous reader's the public ones.
    caseworker.force_authenticate(make_caseworker("cw"))
    for client in (anonymous, caseworker):
        for limit in (1000, 4):  # the count exact, then capped
            settings.SEARCH_COUNT_LIMIT = limit
            for params in BOX_SEARCHES:
                params = {**params, "organization": str(org.pk)} if "organization" in params else params
                for page in (1, 2):
                    indexed = client.get("/api/v1/services/", {**params, "page": page})
                    # A status list the index does not hold sends the same search the general way.
                    general = client.get("/api/v1/services/", {**params, "page": page, "status": "active,defunct"})
                    assert indexed.status_code == general.status_code, (params, page)
                    if indexed.status_code == 404:
                        continue
                    indexed, general = indexed.json(), general.json()
                    assert [r["id"] for r in indexed["results"]] == [r["id"] for r in general["results"]], params
                    for name in ("count", "count_is_exact"):
                        assert indexed[name] == general[name], (params, page, name)
                    assert (indexed["next"] is None) == (general["next"] is None), (params, page)
        # The last round counted past its limit: both ways cap alike.
        assert client.get("/api/v1/services/", BOX_SEARCHES[0]).json()["count_is_exact"] is False


def test_a_box_search_reads_only_search_entries_to_count_and_order(api):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    org = make_organization()
    for name in ("Gamma house", "Alpha house", "Beta house"):
        make_service(org, name=name, at=BANGKOK)
    with CaptureQueriesContext(db) as queries:
        body = api.get("/api/v1/services/", {"bbox": "100.4,13.6,100.6,13.9", "serves": "women"}).json()
    assert [r["name"] for r in body["results"]] == ["Alpha house", "Beta house", "Gamma house"]
    sqls = [query["sql"] for query in queries.captured_queries]
    counting = next(index for index, sql in enumerate(sqls) if sql.upper().startswith("SELECT COUNT(*)"))
    count, ids = sqls[counting], sqls[counting + 1]  # the capped count, then the page's ids
    for sql in (count, ids):
        assert "referrals_searchentry" in sql and "referrals_organization" not in sql, sql
    assert '"name"' in ids


def test_renaming_a_service_moves_it_in_a_box_search(api):
    org = make_organization()
    first, second = (make_service(org, name=name, at=BANGKOK) for name in ("Alpha house", "Beta house"))
    box = {"bbox": "100.4,13.6,100.6,13.9"}
    assert [r["name"] for r in api.get("/api/v1/services/", box).json()["results"]] == ["Alpha house", "Beta house"]
    first.name = "Zeta house"
    first.save()
    assert [r["name"] for r in api.get("/api/v1/services/", box).json()["results"]] == ["Beta house", "Zeta house"]
    assert second.pk in {row["service_id"] for row in SearchEntry.objects.values("service_id")}


@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_at_least_says_yes_only_when_that_many_match(reader):
    random_directory(random.Random(5))
    viewer = PUBLIC if reader == "anonymous" else Viewer.for_request(make_caseworker("cw"))
    for params in SEARCHES:
        services, near, filters = point_search(params, viewer)
        matching = len(search.nearest(services, near, viewer))
        for n in (1, matching // 2, matching, matching + 1):
            if nearest_first.at_least(services, near, viewer, filters, n):
                assert matching >= n, (params, n)
        if filters.complete and connection.vendor == "postgresql" and matching > 4:
            # Most matches are located well inside the radius: the database can tell a few are there.
            assert nearest_first.at_least(services, near, viewer, filters, 2), params
        if not filters.complete or connection.vendor != "postgresql":
            assert not nearest_first.at_least(services, near, viewer, filters, 1)  # "cannot tell"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database counts on PostgreSQL")
@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_at_least_counts_the_country_wide_services_only_when_the_places_are_too_few(reader):
    viewer = PUBLIC if reader == "anonymous" else Viewer.for_request(make_caseworker("cw"))
    org = make_organization()
    for index in range(2):
        make_service(org, name=f"shelter {index}", at=(BANGKOK[0] + 0.01 * index, BANGKOK[1]))
    for index in range(3):
        ServiceArea.objects.create(service=make_service(org, name=f"hotline {index}"), kind="country", country="TH")
    services, near, filters = point_search({"lat": BANGKOK[0], "lng": BANGKOK[1]}, viewer)
    assert len(search.nearest(services, near, viewer)) == 5
    with CaptureQueriesContext(connection) as enough:
        assert nearest_first.at_least(services, near, viewer, filters, 2)  # the places alone tell
    with CaptureQueriesContext(connection) as too_few:
        assert nearest_first.at_least(services, near, viewer, filters, 5)  # with the country-wide ones
    assert not nearest_first.at_least(services, near, viewer, filters, 6)
    # The CASE's last branch (its InitPlan) counts the country-wide services: run only when the places are too few.
    assert "(never executed)" in _last_init_plan(enough)
    assert "(never executed)" not in _last_init_plan(too_few)


def _last_init_plan(queries) -> str:
    """The first line of the last InitPlan of the count's plan, as PostgreSQL ran it."""
    (counting,) = [query["sql"] for query in queries if "near_places" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + counting.split("; ")[-1].replace("%", "%%"))
        plan = "\n".join(line for (line,) in cursor.fetchall())
    return plan.split("InitPlan")[-1].splitlines()[1]


@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_a_keyword_among_crowds_of_circles_holding_the_point_ranks_as_the_general_search_says(reader):
    """Filters the entries do not answer (a keyword) may reject any circle's service: none is left unread."""
    outreach_around_bangkok(random.Random(7))
    viewer = PUBLIC if reader == "anonymous" else Viewer.for_request(make_caseworker("cw"))
    for keyword in ("team 05", "team 10", "team 20"):  # each held by its circle: at distance 0
        services, near, filters = point_search({"lat": BANGKOK[0], "lng": BANGKOK[1], "q": keyword}, viewer)
        assert not filters.complete
        general = search.nearest(services, near, viewer)
        assert general and general[0][1] == 0, keyword
        for wanted in range(1, len(general) + 2):
            assert nearest_first.nearest(services, near, viewer, filters, wanted) == general[:wanted], keyword


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database picks the first ids on PostgreSQL")
def test_of_the_circles_surely_holding_the_point_the_database_sends_only_the_first_ids_a_page_can_show(monkeypatch):
    outreach_around_bangkok(random.Random(7))
    services, near, filters = point_search({"lat": BANGKOK[0], "lng": BANGKOK[1]}, PUBLIC)
    general = search.nearest(services, near, PUBLIC)
    at_the_point = sorted(str(pk) for pk, distance, _ in general if distance == 0)
    assert len(at_the_point) > 6
    rows, original = [], nearest_first._read_in_index_order

    def reading(*args):
        read = original(*args)
        rows.extend(read)
        return read

    monkeypatch.setattr(nearest_first, "_read_in_index_order", reading)
    assert nearest_first.nearest(services, near, PUBLIC, filters, wanted=3) == general[:3]
    inside = sorted(str(row[1]) for row in rows if row[0] == "inside")
    assert inside == at_the_point[:3]  # the first three by id, not all of them
    # The circles sent whole, to be measured here, are those whose edge only reaches the radius.
    measured = {row[1] for row in rows if row[0] == "circle"}
    assert measured and measured <= {pk for pk, distance, _ in general if distance > 0}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's expression is PostgreSQL's")
def test_the_database_computes_the_inner_chord_as_python_does():
    with connection.cursor() as cursor:
        for radius in (0.5, 30, 90, 500):
            cursor.execute(f"SELECT {nearest_first.INNER_CHORD_SQL.format(radius='%s::float8')}", [radius])
            assert cursor.fetchone()[0] == pytest.approx(nearest_first.inner_chord(radius), rel=1e-12)


def test_a_chord_inside_the_inner_one_is_within_the_radius_on_the_ellipsoid():
    rng = random.Random(3)
    for _ in range(20000):
        lat, lng = rng.uniform(-89, 89), rng.uniform(-180, 180)
        radius = rng.choice([0.5, 5, 25, 100, 400])
        other = (lat + rng.uniform(-1, 1) * radius / 100, lng + rng.uniform(-1, 1) * radius / 60)
        if not -90 <= other[0] <= 90:
            continue
        chord = math.dist(nearest_first.unit_sphere(lat, lng), nearest_first.unit_sphere(*other))
        if chord <= nearest_first.inner_chord(radius):
            assert distance_km(lat, lng, *other) <= radius


def test_a_crowded_search_reads_only_its_page_and_says_the_count_is_capped(api, settings):
    settings.SEARCH_COUNT_LIMIT = 5
    random_directory(random.Random(11))
    params = {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 40, "page_size": 2}
    general = api.get("/api/v1/services/", {**params, "status": "active,defunct", "page_size": 100}).json()
    assert general["count"] == 5 and general["count_is_exact"] is False
    expected = [(r["id"], r["distance_km"]) for r in general["results"]]
    reads = []
    original = nearest_first.nearest

    def counting(*args, **kwargs):
        reads.append(args[-1] if len(args) == 5 else kwargs.get("wanted"))
        return original(*args, **kwargs)

    nearest_first.nearest, pages = counting, []
    try:
        for page in (1, 2, 3, 4):
            body = api.get("/api/v1/services/", {**params, "page": page}).json()
            assert body["count"] == 5 and body["count_is_exact"] is False
            assert body["next"] is not None
            pages += [(r["id"], r["distance_km"]) for r in body["results"]]
    finally:
        nearest_first.nearest = original
    assert pages == expected[:8]
    # Without the index's count, every page reads the count limit and one more (or its own rows and one more,
    # past the limit); with it, pages within the limit read only their rows and one more (to know a next exists).
    assert reads == ([3, 5, 7, 9] if connection.vendor == "postgresql" else [6, 6, 7, 9])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index path's SQL text is PostgreSQL's")
def test_the_index_paths_sql_is_written_once_per_shape_whatever_the_page(api):
    """A client's page numbers and sizes travel as values: they neither grow the SQL caches nor change the SQL."""
    random_directory(random.Random(11))
    params = {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 40, "category": "housing"}
    caches = (nearest_first._places_sql, nearest_first._first_round_sql, nearest_first._counting_sql)
    for cache in caches:
        cache.cache_clear()
    api.get("/api/v1/services/", params)
    sizes = [cache.cache_info().currsize for cache in caches]
    general = api.get("/api/v1/services/", {**params, "status": "active,defunct", "page_size": 100}).json()
    expected = [(r["id"], r["distance_km"]) for r in general["results"]]
    assert len(expected) > 6
    for size in (1, 2, 3, 5, 7):
        for page in range(1, len(expected) // size + 1):
            body = api.get("/api/v1/services/", {**params, "page": page, "page_size": size}).json()
            assert [(r["id"], r["distance_km"]) for r in body["results"]] == expected[(page - 1) * size : page * size]
    assert [cache.cache_info().currsize for cache in caches] == sizes
    assert all(cache.cache_info().maxsize == nearest_first._SHAPES_KEPT for cache in caches)


def test_listings_that_change_between_the_count_and_the_page_read_give_an_exact_short_page(api, monkeypatch):
    from referrals.services import service_search

    random_directory(random.Random(11))
    params = {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 1, "page_size": 50}
    expected = api.get("/api/v1/services/", params).json()
    assert 0 < expected["count"] < 50
    # The count said "more than the limit", then the listings went before the page was read.
    monkeypatch.setattr(service_search, "at_least", lambda *args: True)
    body = api.get("/api/v1/services/", params).json()
    assert body["count"] == expected["count"] and body["count_is_exact"] is True and body["next"] is None
    assert [r["id"] for r in body["results"]] == [r["id"] for r in expected["results"]]


def test_a_rebuild_writes_what_the_receivers_kept():
    random_directory(random.Random(3), count=30)
    kept = stored()
    assert kept
    SearchEntry.objects.all().delete()
    assert search_index.rebuild(batch_size=7) == len(kept)
    assert stored() == kept


def test_unlisted_services_keep_their_countries_for_the_readers_who_see_them(api):
    from tests.helpers import make_moderator

    org = make_organization(vetted=False)
    draft = make_service(org, at=BANGKOK, status="inactive")
    assert Service.objects.get(pk=draft.pk).countries == "|TH|"
    location = ServiceAtLocation.objects.get(service=draft).location
    location.country = "LA"
    location.save()
    area = ServiceArea.objects.create(service=draft, kind="country", country="KH")
    assert Service.objects.get(pk=draft.pk).countries == "|KH|LA|" == countries_now([draft.pk])[draft.pk]
    api.force_authenticate(make_moderator())
    found = api.get("/api/v1/services/", {"country": "KH", "status": "inactive"}).json()["results"]
    assert [r["id"] for r in found] == [str(draft.pk)]
    area.delete()
    ServiceAtLocation.objects.filter(service=draft).delete()
    assert Service.objects.get(pk=draft.pk).countries == ""
    assert api.get("/api/v1/services/", {"country": "KH,LA", "status": "inactive"}).json()["count"] == 0


def test_unlisted_services_have_no_entries():
    unvetted = make_service(make_organization(vetted=False), at=BANGKOK)
    closed = make_service(at=BANGKOK, status="defunct")
    assert not SearchEntry.objects.filter(service__in=[unvetted, closed]).exists()
    assert Location.objects.count() == 2


@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_a_map_box_from_the_index_holds_what_the_general_search_holds(api, reader):
    random_directory(random.Random(7))
    if reader == "caseworker":
        from knox.models import AuthToken

        api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(make_caseworker('cw'))[1]}")
    counts = []
    for box in ("100.3,13.5,100.7,13.9", "100.45,13.7,100.55,13.8", "100.6,13.4,100.9,13.6"):
        params = {"bbox": box, "page_size": 100, "serves": "women"}
        by_index = api.get("/api/v1/services/", params).json()
        # A status list the index does not hold sends the same search the general way.
        general = api.get("/api/v1/services/", {**params, "status": "active,defunct"}).json()
        assert [r["id"] for r in by_index["results"]] == [r["id"] for r in general["results"]], box
        assert by_index["count"] == general["count"]
        counts.append(by_index["count"])
    assert max(counts) > 5 and min(counts) < max(counts)


def test_a_map_box_finds_a_safe_house_by_its_cell_for_the_public_and_by_its_point_for_a_caseworker(api, settings):
    from knox.models import AuthToken

    from referrals.geo import snap_to_grid

    cell = settings.CONFIDENTIAL_GRID_DEGREES
    house = (13.7512, 100.5011)
    public = (snap_to_grid(house[0], cell), snap_to_grid(house[1], cell))
    org = make_organization()
    location = make_location(org, latitude=house[0], longitude=house[1], confidential=True)
    make_service(org, at=location)
    around_house = f"{house[1] - 0.002},{house[0] - 0.002},{house[1] + 0.002},{house[0] + 0.002}"
    around_cell = f"{public[1] - 0.002},{public[0] - 0.002},{public[1] + 0.002},{public[0] + 0.002}"
    assert api.get("/api/v1/services/", {"bbox": around_house}).json()["count"] == 0
    assert api.get("/api/v1/services/", {"bbox": around_cell}).json()["count"] == 1
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(make_caseworker('cw'))[1]}")
    assert api.get("/api/v1/services/", {"bbox": around_house}).json()["count"] == 1
    assert api.get("/api/v1/services/", {"bbox": around_cell}).json()["count"] == 0


def test_deleting_a_vocabulary_term_takes_its_code_out_of_the_index_and_the_sync_sequence():
    from referrals.models import Category

    term = Category.objects.create(code="test_term", name="Test term")
    service = make_service(at=BANGKOK, categories=["housing", "test_term"])
    version = Service.objects.get(pk=service.pk).sync_version
    assert SearchEntry.objects.get(service=service).categories == "|housing|test_term|"
    term.delete()  # the links go by cascade, without m2m_changed
    assert SearchEntry.objects.get(service=service).categories == "|housing|"
    assert Service.objects.get(pk=service.pk).sync_version > version  # offline copies drop the code too


def test_bulk_updates_of_locations_move_their_entries():
    org = make_organization()
    location = make_location(org)
    make_service(org, at=location)
    location.confidential = True
    Location.objects.bulk_update([location], ["confidential"])
    location.refresh_from_db()
    entry = SearchEntry.objects.get(location=location)
    assert (entry.public_latitude, entry.public_longitude) == (location.public_latitude, location.public_longitude)
    assert entry.public_latitude != BANGKOK[0]


def test_bulk_writes_of_a_locations_country_move_its_services_country(api):
    org = make_organization()
    location = make_location(org)  # in Thailand
    service = make_service(org, at=location)
    Location.objects.filter(pk=location.pk).update(country="LA")
    assert Service.objects.get(pk=service.pk).countries == "|LA|"
    assert SearchEntry.objects.get(location=location).countries == "|LA|"
    assert [r["id"] for r in api.get("/api/v1/services/", {"country": "LA"}).json()["results"]] == [str(service.pk)]
    location.country = "KH"
    Location.objects.bulk_update([location], ["country"])
    assert Service.objects.get(pk=service.pk).countries == "|KH|"
    assert api.get("/api/v1/services/", {"country": "LA"}).json()["count"] == 0


def test_the_rebuild_command_rewrites_an_index_that_writes_outside_django_left_behind():
    from io import StringIO

    from django.core.management import call_command

    service = make_service(at=BANGKOK, categories=["housing"])
    SearchEntry.objects.filter(service=service).update(categories="|legal|")  # as raw SQL would leave it
    Service.objects.filter(pk=service.pk).update(countries="")
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert SearchEntry.objects.get(service=service).categories == "|housing|"
    assert Service.objects.get(pk=service.pk).countries == "|TH|"
    assert "1 entries" in out.getvalue()
