"""List endpoints cost the same number of SQL queries for a page of 3 and a page of 50."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from referrals.models import Phone, Service, ServiceArea, ServiceAtLocation
from tests.helpers import (
    add_capacity,
    add_hours,
    add_phone,
    make_caseworker,
    make_location,
    make_organization,
    make_service,
)

pytestmark = pytest.mark.django_db

# Count the queries; the README quotes these figures.
# Capped count, the page's ids, then the page in one query (its phones, capacities, locations, hours, the
# reader's translation and every vocabulary's codes as JSON: referrals.services.page_loading).
SEARCH_QUERIES = 3
# A map box the search index answers: its capped count and the page's ids from the entries, then the page.
BOX_QUERIES = 3
# Circles, places and the country- and province-wide services in one round trip, then the page.
NEAR_QUERIES = 2
# On PostgreSQL the index first counts whether the matches pass the count limit (at_least), and inside a
# transaction (as these tests run; requests run in autocommit) each of its two reads resets its planner
# settings after.
INDEX_QUERIES = 3 if connection.vendor == "postgresql" else 0


@pytest.fixture
def sixty_services():
    orgs = [make_organization(name=f"Org {i}") for i in range(6)]
    for index in range(60):
        org = orgs[index % 6]
        service = make_service(
            org,
            name=f"Service {index:02d}",
            categories=["housing", "medical"],
            populations=["women", "children"],
            languages=["th", "en"],
            at=(13.70 + index * 0.002, 100.50),
        )
        Phone.objects.create(service=service, number=f"+66 555 01{index:02d}")
        add_capacity(service)
        second = make_location(org, latitude=13.80, longitude=100.60, confidential=index % 2 == 0)
        ServiceAtLocation.objects.create(service=service, location=second)


def count_queries(api, params):
    api.get("/api/v1/services/", params)  # warm the vocabulary cache, as any running server has
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/services/", params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


@pytest.mark.parametrize("extra", [{}, {"category": "housing", "serves": "women,children", "language": "th"}])
def test_search_queries_do_not_grow_with_page_size(api, sixty_services, extra):
    small, body_small = count_queries(api, {"page_size": 3, **extra})
    large, body_large = count_queries(api, {"page_size": 50, **extra})
    assert len(body_small["results"]) == 3 and len(body_large["results"]) == 50
    assert small == large == SEARCH_QUERIES


@pytest.mark.parametrize("asked", [{"params": {"lang": "th"}}, {"headers": {"HTTP_ACCEPT_LANGUAGE": "th"}}])
def test_search_in_a_language_costs_no_query_more_whatever_the_page_size(api, sixty_services, asked):
    """The reader's translations come with the page; phones', places' and the labels' translations cost none."""

    def counted(page_size):
        params = {"page_size": page_size, **asked.get("params", {})}
        api.get("/api/v1/services/", params, **asked.get("headers", {}))  # warm the vocabularies' cache
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/services/", params, **asked.get("headers", {}))
        assert response.status_code == 200 and response.json()["results"][0]["labels"] is not None
        return len(queries)

    assert counted(3) == counted(50) == SEARCH_QUERIES


@pytest.mark.parametrize("extra", [{}, {"category": "housing", "serves": "women,children", "lang": "th"}])
def test_box_search_queries_do_not_grow_with_page_size(api, sixty_services, extra):
    params = {"bbox": "100.4,13.6,100.7,13.9", **extra}
    small, body_small = count_queries(api, {**params, "page_size": 3})
    large, body_large = count_queries(api, {**params, "page_size": 50})
    assert len(body_small["results"]) == 3 and len(body_large["results"]) == 50
    assert small == large == BOX_QUERIES  # the reader's translations come with the page


def test_near_search_queries_do_not_grow_with_page_size(api, sixty_services):
    params = {"lat": 13.75, "lng": 100.5, "radius_km": 50, "serves": "women,children", "category": "housing"}
    small, body_small = count_queries(api, {**params, "page_size": 3})
    large, body_large = count_queries(api, {**params, "page_size": 50})
    assert len(body_small["results"]) == 3 and len(body_large["results"]) == 50
    assert small == large == NEAR_QUERIES + INDEX_QUERIES


def test_organization_list_queries_do_not_grow_with_page_size(api, sixty_services):
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/organizations/", {"page_size": 3})
    with CaptureQueriesContext(connection) as large:
        api.get("/api/v1/organizations/", {"page_size": 50})
    assert len(small) == len(large) <= 4


def test_a_whole_record_is_one_query_with_everything_it_shows(api, sixty_services):
    """The service, its organisation, places, phones, hours, areas, counts, translations and codes: one read."""
    service = Service.objects.order_by("name").first()
    ServiceArea.objects.create(service=service, kind="country", country="TH")
    add_phone(location=service.service_at_locations.first().location)
    api.get(f"/api/v1/services/{service.pk}/")  # warm the vocabulary cache, as any running server has
    with CaptureQueriesContext(connection) as queries:
        record = api.get(f"/api/v1/services/{service.pk}/").json()
    assert len(queries) == 1, [q["sql"][:200] for q in queries.captured_queries]
    assert record["service_areas"] and record["locations"] and record["phones"] and record["capacity"]
    assert api.get("/api/v1/services/not-a-uuid/").status_code == 404


TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # autocommit, as a request runs
@pytest.mark.parametrize("radius_km", [50, 2])  # more matches than the count limit, and a few
@pytest.mark.parametrize("reader", ["anonymous", "caseworker"])
def test_a_point_search_page_is_four_queries_at_most_and_one_more_signed_in(settings, reader, radius_km):
    """The issue's budget: 4 anonymous, 5 signed in (the token with its roles, the disclosure log), any page size."""
    settings.SEARCH_COUNT_LIMIT = 100  # so that 120 services are "more than the count"
    org = make_organization(name="Shelters")
    for index in range(120):
        service = make_service(org, name=f"Service {index:03d}", at=(13.70 + index * 0.001, 100.50))
        confidential = make_location(org, latitude=13.71, longitude=100.51 + index * 0.001, confidential=True)
        ServiceAtLocation.objects.create(service=service, location=confidential)
        Phone.objects.create(service=service, number=f"+66 555 0{index:03d}")
        add_capacity(service)
        add_hours(service, weekday=index % 7, opens=(9, 0), closes=(17, 0))
    client = APIClient()
    if reader == "caseworker":
        _, token = AuthToken.objects.create(make_caseworker("caseworker"))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    params = {"lat": 13.70, "lng": 100.50, "radius_km": radius_km}
    client.get("/api/v1/services/", params)  # warm the vocabularies' cache, as any running server has
    counts = {}
    for page_size in (1, 20, 50, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/services/", {**params, "page_size": page_size})
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == min(page_size, response.json()["count"])
        # Statements that read or write (SQLite's BEGIN and COMMIT around the disclosure log's insert are not).
        counts[page_size] = [query["sql"][:80] for query in queries if not TRANSACTION_CONTROL.match(query["sql"])]
    budget = 4 if reader == "anonymous" else 5
    assert len(counts[1]) == len(counts[20]) == len(counts[50]) <= budget, counts
    # A page that reaches the count limit needs every match anyway: the search skips counting them first.
    assert len(counts[100]) <= len(counts[1]), counts
