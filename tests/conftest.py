"""Shared pytest fixtures."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """An anonymous API client: every reader is public for now."""
    return APIClient()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never open a network connection (loopback and the test database excepted)."""
    import socket

    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"Test tried to reach the network: {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(autouse=True)
def _emails_at_once(monkeypatch):
    """Emails go once the write commits; a test's transaction never commits, so here they go at once (their
    deferral is tested in test_emails.py)."""
    from referrals.services import mail

    monkeypatch.setattr(mail, "after_commit", lambda send: send())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test databases, their serialized contents visible to every connection object.

    Django keeps a test database's snapshot (for `serialized_rollback`) on the connection object, and its
    connections are context-local. The browser tests run while Playwright's event loop runs in this thread,
    where Django hands out other connection objects: without the snapshot, their flush re-ran post_migrate
    and nothing was restored. On the connection class, every object has it.
    """
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    return django_db_setup


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (vocabulary codes are cached)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class World:
    """Two organisations, a confidential shelter of A, and one of each kind of actor with a ready client."""

    HOUSE = (13.73217, 100.53391)


@pytest.fixture
def world(db):
    """The shared cast of the permission tests."""
    return _build_world()


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker):
    """The same cast built once for a module, for tests that only read it and write through the API (the
    permission matrix's hundreds): each test's transaction rolls back to it, and it is removed afterwards."""
    from django.db import transaction

    with django_db_blocker.unblock():
        with transaction.atomic():
            yield _build_world()
            transaction.set_rollback(True)


def _build_world() -> World:
    from knox.models import AuthToken

    from tests.helpers import (
        add_phone,
        make_caseworker,
        make_location,
        make_member,
        make_moderator,
        make_organization,
        make_partner_key,
        make_service,
    )

    w = World()
    w.org_a = make_organization(name="Org A")
    w.org_b = make_organization(name="Org B")
    w.service_a = make_service(w.org_a, name="A shelter", at=None, populations=["women", "children"])
    add_phone(number="+66 555 0142", service=w.service_a, type="hotline")
    w.house = make_location(
        w.org_a,
        name="A house on Secret Soi 9",
        latitude=w.HOUSE[0],
        longitude=w.HOUSE[1],
        address_1="9 Secret Soi",
        postal_code="10110",
        confidential=True,
    )
    add_phone(number="+66 555 0199", location=w.house)
    from referrals.models import ServiceAtLocation

    ServiceAtLocation.objects.create(service=w.service_a, location=w.house)
    w.service_b = make_service(w.org_b, name="B clinic", at=(13.75, 100.50))
    w.users = {
        "provider_a": make_member(w.org_a, "provider_a", role="editor"),
        "admin_a": make_member(w.org_a, "admin_a", role="admin"),
        "provider_b": make_member(w.org_b, "provider_b", role="admin"),
        "caseworker": make_caseworker("caseworker"),
        "unvetted_caseworker": make_caseworker("unvetted", vetted=False),
        "moderator": make_moderator(),
    }
    from referrals.models import Caseworker, Report, Schedule

    w.caseworker_profile = Caseworker.objects.get(user=w.users["unvetted_caseworker"])
    w.report = Report.objects.create(service=w.service_a, reporter=w.users["caseworker"], reason="wrong_hours")
    w.schedule_a = Schedule.objects.create(service=w.service_a, location=w.house, weekday=1, all_day=True)
    w.partner_key, w.partner_secret = make_partner_key()
    w.granted_key, w.granted_secret = make_partner_key("Granted app", confidential_access=True)

    def client_for(actor):
        client = APIClient()
        if actor == "anonymous":
            return client
        if actor == "partner":
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {w.partner_secret}")
        elif actor == "granted_partner":
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {w.granted_secret}")
        else:
            _, token = AuthToken.objects.create(w.users[actor])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    w.client_for = client_for
    return w


@pytest.fixture
def unthrottled(monkeypatch):
    """Room for the hundreds of searches these tests send as one anonymous reader."""
    from rest_framework.settings import api_settings

    from api.throttling import AnonymousThrottle

    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anonymous": None})


@pytest.fixture
def directory():
    """Counselling for women around Chiang Mai, a hotline covering Thailand, and a safe house."""
    from referrals.models import ServiceAtLocation
    from tests.helpers import BANGKOK, add_phone, make_location, make_organization, make_service

    org = make_organization(name="Chiang Mai Women's Network")
    near = make_service(org, name="Near counselling", categories=["counselling"], at=(18.79, 98.99))
    far = make_service(org, name="Farther counselling", categories=["counselling"], at=(18.85, 99.05))
    make_service(org, name="Men only counselling", categories=["counselling"], populations=["men"], at=(18.79, 98.98))
    make_service(org, name="Bangkok counselling", categories=["counselling"], at=BANGKOK)
    hotline = make_service(org, name="Thailand hotline", categories=["counselling", "hotline"])
    hotline.service_areas.create(kind="country", country="TH", name="All of Thailand")
    add_phone(number="+66 555 0101", service=near, type="hotline")
    add_phone(number="@nearcounselling", service=near, type="line")
    house = make_location(
        org,
        name="Secret house",
        latitude=18.8,
        longitude=98.97,
        address_1="7 Hidden Lane",
        postal_code="50200",
        city="Chiang Mai",
        confidential=True,
    )
    add_phone(number="+66 555 0777", location=house)
    shelter = make_service(org, name="Women's safe house", categories=["housing", "counselling"])
    ServiceAtLocation.objects.create(service=shelter, location=house)
    return {"near": near, "far": far, "hotline": hotline, "shelter": shelter, "house": house}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo directory, loaded once for the module and removed afterwards (loading takes seconds).

    Tests of the module that come before the first to ask for it do not see it; those after it do.
    """
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("load_demo", verbosity=0)
            yield
            transaction.set_rollback(True)
