"""Beyond one process: the anonymous page cache, its invalidation, and reads routed to a replica."""

import contextlib
import copy

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from referrals.models import Service
from referrals.routers import PrimaryReplicaRouter, _pinned
from tests.helpers import make_organization, make_service

URL = "/api/v1/services/"


@pytest.fixture
def page_cache(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 300


@pytest.mark.django_db
def test_an_anonymous_page_is_served_from_the_cache_until_a_listing_changes(api, page_cache, world):
    first = api.get(URL)
    assert first["X-Cache"] == "miss"
    with CaptureQueriesContext(connections["default"]) as queries:
        again = api.get(URL)
    assert again["X-Cache"] == "hit" and again.content == first.content and len(queries) == 1  # the version
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # A provider renames the service: the very next anonymous read shows it.
    provider = world.client_for("provider_b")
    assert provider.patch(f"{URL}{world.service_b.pk}/", {"name": "Renamed clinic"}, format="json").status_code == 200
    fresh = api.get(URL)
    assert fresh["X-Cache"] == "miss" and "Renamed clinic" in fresh.content.decode()
    # An edit of a record beneath the listing (its location) invalidates too.
    office = world.service_b.service_at_locations.get().location
    office.city = "Nonthaburi"
    office.save()
    assert "Nonthaburi" in api.get(f"{URL}{world.service_b.pk}/").content.decode()


@pytest.mark.django_db
def test_a_caseworker_is_never_served_nor_stored_in_the_shared_cache(api, page_cache, world):
    detail = f"{URL}{world.service_a.pk}/"
    public = api.get(detail)
    assert public["X-Cache"] == "miss" and "Secret Soi" not in public.content.decode()
    caseworker = world.client_for("caseworker").get(detail)
    assert not caseworker.has_header("X-Cache") and "Secret Soi" in caseworker.content.decode()
    assert api.get(detail)["X-Cache"] == "hit" and "Secret Soi" not in api.get(detail).content.decode()


@pytest.mark.django_db
def test_time_dependent_and_streamed_reads_are_not_cached(api, page_cache, world):
    assert not api.get(URL, {"open_now": "true"}).has_header("X-Cache")
    assert not api.get(URL, {"has_capacity": "true"}).has_header("X-Cache")
    assert not api.get("/api/v1/sync/", {"format": "ndjson"}).has_header("X-Cache")
    assert api.get("/api/v1/sync/")["X-Cache"] == "miss"


@pytest.mark.django_db
def test_languages_get_their_own_entries(api, page_cache, world):
    thai = api.get("/api/v1/categories/housing/", HTTP_ACCEPT_LANGUAGE="th")  # not a cached path
    assert not thai.has_header("X-Cache")
    english = api.get(URL, {"lang": "en"})
    thai_page = api.get(URL, HTTP_ACCEPT_LANGUAGE="th")
    assert english["X-Cache"] == thai_page["X-Cache"] == "miss"
    assert api.get(URL, HTTP_ACCEPT_LANGUAGE="th")["X-Cache"] == "hit"


def test_the_router_sends_reads_to_the_replica_and_writes_and_accounts_to_the_primary():
    from knox.models import AuthToken

    from referrals.models import Caseworker, PartnerKey

    router = PrimaryReplicaRouter()
    # Outside a read-only request (a command, a script, a migration) everything reads the primary.
    assert router.db_for_read(Service) == "default"
    token = _pinned.set(False)  # what PrimaryPinMiddleware does for a GET by a client that wrote nothing lately
    try:
        assert router.db_for_read(Service) == "replica"
        # Accounts, keys and roles: a withdrawn grant or vetting counts at once, whatever the replica's lag.
        for model in (AuthToken, Caseworker, PartnerKey):
            assert router.db_for_read(model) == "default"
    finally:
        _pinned.reset(token)
    assert router.db_for_write(Service) == "default"
    assert router.allow_migrate("default", "referrals") and not router.allow_migrate("replica", "referrals")


@contextlib.contextmanager
def replica_alias(settings):
    """A second connection to the same database standing in for a streaming replica.

    Added after the test's database set-up and connected at once (the set-up lets only the aliases a
    test declared open new connections, and this one did not exist when it ran).
    """
    connections.settings["replica"] = copy.deepcopy(connections.settings["default"])
    settings.DATABASE_ROUTERS = ["referrals.routers.PrimaryReplicaRouter"]
    try:
        connections["replica"].connect()
        yield connections["replica"]
    finally:
        connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_go_to_the_replica_and_a_writer_reads_its_own_writes(settings):
    with replica_alias(settings) as replica:
        _check_routing(replica)


def _loads_a_page(sql: str) -> bool:
    """page_loading's one query: its SQL (which names the organisation it joins page_organization), or, once the
    connection has prepared it, its statement (referrals.services.prepared)."""
    return "page_organization" in sql or sql.startswith("EXECUTE page_")


def _reads_services(sql: str) -> bool:
    return "referrals_service" in sql or _loads_a_page(sql)


def _check_routing(replica):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from tests.helpers import make_member

    organization = make_organization()
    service = make_service(organization, name="Before", at=(13.7, 100.5))
    _, token = AuthToken.objects.create(make_member(organization, "writer"))
    writer, reader = APIClient(), APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    primary = connections["default"]
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
        assert reader.get(URL).status_code == 200
    assert any(_reads_services(query["sql"]) for query in on_replica.captured_queries)
    assert not any(_reads_services(query["sql"]) for query in on_primary.captured_queries)
    with CaptureQueriesContext(replica) as on_replica:
        assert writer.patch(f"{URL}{service.pk}/", {"name": "After"}, format="json").status_code == 200
        # The writer's next read, a moment later, comes from the primary (the replica may lag).
        assert writer.get(f"{URL}{service.pk}/").json()["name"] == "After"
    assert not any(_reads_services(query["sql"]) for query in on_replica.captured_queries)
    with CaptureQueriesContext(replica) as on_replica:
        assert reader.get(f"{URL}{service.pk}/").status_code == 200
    assert any(_reads_services(query["sql"]) for query in on_replica.captured_queries)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sync_page_read_on_the_primary_loads_its_records_there(settings):
    """A replica behind the cursor: the page is read on the primary, and so are its records (a lagging replica
    could still hold a house's old, public face that the page has just told the reader to drop)."""
    from unittest import mock

    from rest_framework.test import APIClient

    from referrals.services import sync

    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    with replica_alias(settings) as replica:
        service = make_service(make_organization(), name="Before", at=(13.7, 100.5))
        reader = APIClient()
        cursor = reader.get("/api/v1/sync/").json()["next_cursor"]
        service.name = "After"
        service.save()
        real = sync.sequence_state

        def lagging():  # the replica has not yet seen the cursor's versions; the primary has
            current, kept_from = real()
            return (current if _pinned.get() else 0), kept_from

        primary = connections["default"]
        with (
            mock.patch.object(sync, "sequence_state", lagging),
            CaptureQueriesContext(replica) as on_replica,
            CaptureQueriesContext(primary) as on_primary,
        ):
            page = reader.get("/api/v1/sync/", {"cursor": cursor}).json()
    assert [record["name"] for record in page["results"]] == ["After"]
    assert any(_loads_a_page(query["sql"]) for query in on_primary.captured_queries)
    assert not any(_loads_a_page(query["sql"]) for query in on_replica.captured_queries)


def test_the_cache_is_redis_when_redis_url_is_set(settings):
    from django.core.cache import cache, caches

    expected = "ResilientRedisCache" if settings.REDIS_URL else "LocMemCache"
    assert type(caches["default"]).__name__ == expected
    cache.set("probe", {"ok": 1}, 5)
    assert cache.get("probe") == {"ok": 1}


@pytest.mark.django_db
def test_each_host_gets_its_own_entry_so_links_point_back_to_it(api, page_cache, world, settings):
    settings.ALLOWED_HOSTS = ["testserver", "directory.example.org"]
    for _ in range(2):
        make_service(make_organization(name="Another"), name="Listing", at=(13.7, 100.5))
    first = api.get(URL, {"page_size": 1}, HTTP_HOST="directory.example.org").json()
    assert first["next"].startswith("http://directory.example.org/")
    other = api.get(URL, {"page_size": 1})
    assert other["X-Cache"] == "miss" and other.json()["next"].startswith("http://testserver/")
