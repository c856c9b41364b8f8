"""A page's records are freed as its request ends, not left in reference cycles for the garbage collector.

A record a reference cycle holds waits for the collector's full walk. Left so, each sync page's 9,000 objects
(a search page's 1,700) made those walks 30-130 ms every few requests at 100,000 services: the p95 of every
kind. The cycles were the loader's own (a row pointing at its owner, which lists the row; the loader holding its
own method) and DRF's (the view and its response, the response in its renderer's context).
"""

import gc

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, models
from django.test import RequestFactory

from referrals.models import ServiceArea, ServiceTranslation
from referrals.services import page_loading
from tests.helpers import BANGKOK, add_capacity, add_hours, add_phone, make_location, make_organization, make_service

pytestmark = pytest.mark.django_db

PAGES = {
    "search near a point": f"/api/v1/services/?lat={BANGKOK[0]}&lng={BANGKOK[1]}&radius_km=20",
    "search in Thai": f"/api/v1/services/?lat={BANGKOK[0]}&lng={BANGKOK[1]}&radius_km=20&lang=th",
    "list": "/api/v1/services/",
    "sync page": "/api/v1/sync/?country=TH",
}
# Not a detail: its one record stays with DRF's serializer, whose answer the browsable API reads its edit form from.


@pytest.fixture
def directory():
    """Every relation a page loads: phones of the organisation, the services and the places, hours, capacities,
    translations, areas (the detail's area serializer once read `area.service`)."""
    organization = make_organization()
    add_phone(number="+66 555 0999", organization=organization)
    for index in range(4):
        location = make_location(organization, latitude=BANGKOK[0] + index / 100, longitude=BANGKOK[1])
        service = make_service(organization, name=f"Shelter {index}", at=location)
        add_phone(number=f"+66 555 010{index}", service=service)
        add_phone(number=f"+66 555 020{index}", location=location)
        add_hours(service, location, weekday=1, opens=(9, 0), closes=(17, 0))
        add_capacity(service)
        ServiceTranslation.objects.create(service=service, language="th", name=f"บ้านพัก {index}")
        ServiceArea.objects.create(service=service, kind="province", country="TH", state_province="Bangkok")


def _served(path: str) -> bytes:
    """The answer as a WSGI server gets it (the test client keeps each response in a cycle of its own), on the
    test's connection (which, as in Django's test client, the request's end must not close)."""
    statuses = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        answer = WSGIHandler()(
            RequestFactory().get(path).environ, lambda status, headers, exc_info=None: statuses.append(status)
        )
        body = b"".join(answer)
        answer.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert statuses[0].startswith("200"), body[:300]
    return body


@pytest.mark.parametrize("page", PAGES)
def test_a_page_leaves_no_record_to_the_garbage_collector(directory, page):
    path = PAGES[page]
    body = _served(path).decode()  # warm: caches filled now are not the page's garbage
    assert "Shelter 3" in body or "บ้านพัก 3" in body
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector frees is kept in gc.garbage, to be told
    try:
        _served(path)
        gc.collect()
        records = [thing for thing in gc.garbage if issubclass(type(thing), models.Model)]  # type(): lazy objects too
        loaders = [thing for thing in gc.garbage if type(thing) is page_loading._Loader]  # its UUIDs with it
        names = ("Shelter 3", "บ้านพัก 3")
        answers = [thing for thing in gc.garbage if type(thing) is dict and thing.get("name") in names]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert records == [], sorted({type(record).__name__ for record in records})
    assert loaders == []
    assert answers == []
