"""List endpoints cost the same number of SQL queries for a page of 3 and a page of 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import Phone, ServiceAtLocation
from tests.helpers import add_capacity, make_location, make_organization, make_service

pytestmark = pytest.mark.django_db

# Count the queries; the README quotes these figures.
# Capped count, page, every vocabulary's codes in one, phones, capacities, locations, hours (each place's
# open_now) (+ translations with `lang`).
SEARCH_QUERIES = 7
# A map box the search index answers: its capped count and the page's ids from the entries, then the page.
BOX_QUERIES = 2 + 6
# Nearest locations, covering circles, country- and province-wide areas (one query each), then the page.
NEAR_QUERIES = 4 + 6
# On PostgreSQL the index first counts whether the matches pass the count limit (at_least), and inside a
# transaction (as every test runs) each of its two nearest-first reads resets its planner settings after.
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
    assert small == large <= SEARCH_QUERIES


@pytest.mark.parametrize("asked", [{"params": {"lang": "th"}}, {"headers": {"HTTP_ACCEPT_LANGUAGE": "th"}}])
def test_search_in_a_language_costs_one_query_more_whatever_the_page_size(api, sixty_services, asked):
    """The reader's translations are one query; phones', places' and the labels' translations cost none."""

    def counted(page_size):
        params = {"page_size": page_size, **asked.get("params", {})}
        api.get("/api/v1/services/", params, **asked.get("headers", {}))  # warm the vocabularies' cache
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/services/", params, **asked.get("headers", {}))
        assert response.status_code == 200 and response.json()["results"][0]["labels"] is not None
        return len(queries)

    assert counted(3) == counted(50) <= SEARCH_QUERIES + 1


@pytest.mark.parametrize("extra", [{}, {"category": "housing", "serves": "women,children", "lang": "th"}])
def test_box_search_queries_do_not_grow_with_page_size(api, sixty_services, extra):
    params = {"bbox": "100.4,13.6,100.7,13.9", **extra}
    small, body_small = count_queries(api, {**params, "page_size": 3})
    large, body_large = count_queries(api, {**params, "page_size": 50})
    assert len(body_small["results"]) == 3 and len(body_large["results"]) == 50
    assert small == large == BOX_QUERIES + ("lang" in extra)  # + the reader's translations


def test_near_search_queries_do_not_grow_with_page_size(api, sixty_services):
    params = {"lat": 13.75, "lng": 100.5, "radius_km": 50, "serves": "women,children", "category": "housing"}
    small, body_small = count_queries(api, {**params, "page_size": 3})
    large, body_large = count_queries(api, {**params, "page_size": 50})
    assert len(body_small["results"]) == 3 and len(body_large["results"]) == 50
    assert small == large <= NEAR_QUERIES + INDEX_QUERIES


def test_organization_list_queries_do_not_grow_with_page_size(api, sixty_services):
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/organizations/", {"page_size": 3})
    with CaptureQueriesContext(connection) as large:
        api.get("/api/v1/organizations/", {"page_size": 50})
    assert len(small) == len(large) <= 4
