"""A page loaded in one query (`load_listings`) holds exactly what Django's prefetches load, query by query."""

import random
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.serializers.directory import ServiceListSerializer
from referrals.managers import LOCATIONS_ORDER, ServiceQuerySet, loaded_list, loaded_prefetch
from referrals.models import Phone, Schedule, Service, ServiceAtLocation, ServiceTranslation
from referrals.services import page_loading
from referrals.services.page_loading import RELATIONS, load_listings, load_records
from tests.helpers import (
    enrich_directory,
    enrich_records,
    make_location,
    make_moderator,
    make_organization,
    make_service,
    random_directory,
)

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    """Every loaded column of a record, as Python values."""
    return {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname in vars(instance)
    }


def _loaded(service) -> dict:
    """What a page shows of a service: its columns, its organisation's, each relation's records and the codes."""
    relations = {}
    for relation in RELATIONS:
        records = loaded_list(service, relation.name)
        if records is None:
            continue
        relations[relation.name] = [
            (_values(record), _values(record.location) if relation.joined else None, getattr(record, "codes", None))
            for record in records
        ]
    return {
        "service": _values(service),
        "organization": _values(service.organization),
        "relations": relations,
        "codes": service.codes,
    }


def _prefetched(ids, lang):
    """The page as Django's prefetches load it, relation by relation: what the one query must equal."""
    locations = ServiceAtLocation.objects.select_related("location").order_by(*LOCATIONS_ORDER)
    services = (
        Service.objects.filter(pk__in=ids)
        .defer("search_text", *ServiceQuerySet.NOT_LISTED)
        .select_related("organization")
        .prefetch_related(
            loaded_prefetch("phones"),
            loaded_prefetch("capacities"),
            loaded_prefetch("service_at_locations", locations),
            loaded_prefetch("schedules"),
        )
        .with_codes()
    )
    if lang:
        services = services.prefetch_related(
            loaded_prefetch("translations", ServiceTranslation.objects.filter(language=lang))
        )
    by_id = services.in_bulk()
    return [by_id[pk] for pk in ids if pk in by_id]


def _assert_same_pages(ids, lang):
    expected = _prefetched(ids, lang)
    with CaptureQueriesContext(connection) as queries:
        found = load_listings(Service.objects.all(), ids, lang)
    assert len(queries) == 1
    assert [s.pk for s in found] == [s.pk for s in expected]
    for new, old in zip(found, expected, strict=True):
        new_loaded, old_loaded = _loaded(new), _loaded(old)
        for part in new_loaded:
            if part == "relations":
                for name, records in old_loaded[part].items():
                    assert new_loaded[part].get(name) == records, (old.name, name)
            assert new_loaded[part] == old_loaded[part], (old.name, part)
    context = {"lang": lang, "near": None}
    assert (
        ServiceListSerializer(found, many=True, context=context).data
        == ServiceListSerializer(expected, many=True, context=context).data
    )


def _whole(service) -> dict:
    """Everything a whole record loads, nested: each relation's records with their codes, each place with its
    organisation and phones, and the organisation's phones."""

    def phones(owner):
        return [(_values(phone), phone.codes) for phone in loaded_list(owner, "phones")]

    def link(record):
        location = record.location
        return (_values(record), _values(location), _values(location.organization), phones(location))

    relations = {
        name: [link(r) if name == "service_at_locations" else (_values(r), getattr(r, "codes", None)) for r in records]
        for name in ("phones", "capacities", "service_at_locations", "schedules", "translations", "service_areas")
        for records in [loaded_list(service, name)]
    }
    organization = service.organization
    return {
        "service": _values(service),
        "organization": (_values(organization), phones(organization)),
        "relations": relations,
        "codes": service.codes,
    }


def _assert_same_records(ids):
    by_id = (
        Service.objects.filter(pk__in=ids)
        .defer("sync_state")
        .with_detail_relations()
        .prefetch_related(loaded_prefetch("organization__phones", Phone.objects.all()))
        .in_bulk()
    )
    expected = [by_id[pk] for pk in ids if pk in by_id]
    with CaptureQueriesContext(connection) as queries:
        found = load_records(Service.objects.all(), ids)
    assert len(queries) == 1
    assert [s.pk for s in found] == [s.pk for s in expected]
    for new, old in zip(found, expected, strict=True):
        new_whole, old_whole = _whole(new), _whole(old)
        for part, value in old_whole.items():
            if part == "relations":
                for name, records in value.items():
                    assert new_whole[part][name] == records, (old.name, name)
            assert new_whole[part] == value, (old.name, part)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_directories_load_whole_as_the_prefetches_load_them(seed):
    rng = random.Random(seed)
    random_directory(rng, count=40)
    enrich_directory(rng)
    enrich_records(rng)
    ids = list(Service.objects.values_list("pk", flat=True))
    rng.shuffle(ids)
    _assert_same_records(ids)
    _assert_same_records(ids[:3])
    assert load_records(Service.objects.all(), []) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_random_directories_load_as_the_prefetches_load_them(seed):
    rng = random.Random(seed)
    random_directory(rng, count=40)
    enrich_directory(rng)
    ids = list(Service.objects.values_list("pk", flat=True))
    rng.shuffle(ids)
    for lang in (None, "th"):
        _assert_same_pages(ids, lang)


def test_a_service_outside_the_query_is_never_loaded():
    rng = random.Random(3)
    random_directory(rng, count=10)
    ids = list(Service.objects.values_list("pk", flat=True))
    listed = Service.objects.filter(status="active", organization__vetted=True)
    found = load_listings(listed, ids, None)
    assert [s.pk for s in found] == [pk for pk in ids if pk in set(listed.values_list("pk", flat=True))]
    assert len(found) < len(ids)
    assert load_listings(listed, [], None) == []


def test_the_pages_sql_is_written_once_per_shape_whatever_the_page():
    """The page's query around the search's own is text written once for each shape (listings with or without a
    language, whole records): pages of every size and of other filters reuse it."""
    rng = random.Random(4)
    random_directory(rng, count=12)
    ids = list(Service.objects.values_list("pk", flat=True))
    for lang in (None, "th"):
        load_listings(Service.objects.all(), ids[:1], lang)
    load_records(Service.objects.all(), ids[:1])
    shapes = page_loading._page_sql.cache_info().currsize
    listed = Service.objects.filter(status="active", organization__vetted=True)
    for size in (1, 3, 7, 12):
        for lang in (None, "th"):
            assert [s.pk for s in load_listings(listed, ids[:size], lang)] == [
                pk for pk in ids[:size] if pk in set(listed.values_list("pk", flat=True))
            ]
        assert [s.pk for s in load_records(Service.objects.all(), ids[:size])] == ids[:size]
    assert page_loading._page_sql.cache_info().currsize == shapes


def test_the_codes_on_a_services_row_follow_every_change_to_its_vocabularies():
    """A page reads the codes from the service's row (`vocabulary_codes`): each change to the links, a term deleted
    or moved, and a rebuild after a bulk load, leaves them as the link tables order them."""
    from referrals.models import Category
    from referrals.services import search_index

    org = make_organization()
    services = [make_service(org, categories=("housing", "medical")), make_service(org, categories=("legal",))]
    ids = [service.pk for service in services]

    def codes():
        return [service.codes for service in load_listings(Service.objects.all(), ids, None)]

    def expected():
        by_id = Service.objects.filter(pk__in=ids).with_codes().in_bulk()
        return [by_id[pk].codes for pk in ids]

    assert codes() == expected() and codes()[0]["categories"] == ["housing", "medical"]
    changes = [
        lambda: services[0].categories.add("legal", "counselling"),
        lambda: services[0].categories.remove("housing"),
        lambda: services[1].categories.add("legal"),  # already there
        lambda: services[0].populations.clear(),
        lambda: services[1].populations.set(["children", "women"]),
        lambda: services[0].categories.clear(),
        lambda: services[0].categories.set(["medical", "housing", "legal"]),
    ]
    for change in changes:
        change()
        assert codes() == expected()
    medical, legal = Category.objects.get(pk="medical"), Category.objects.get(pk="legal")
    medical.position, legal.position = legal.position - 1, medical.position + 1  # legal now before medical
    medical.save()
    legal.save()
    assert codes() == expected() and codes()[0]["categories"].index("legal") < codes()[0]["categories"].index("medical")
    Category.objects.get(pk="legal").delete()
    assert codes() == expected() and "legal" not in codes()[0]["categories"]
    Service.objects.update(vocabulary_codes={})  # as a bulk load leaves them
    search_index.rebuild()
    assert codes() == expected() and codes()[0]["categories"]


def test_a_safe_house_place_among_a_services_locations_says_nothing_of_its_name(api):
    """Locations list by id: ordered by name, a hidden house between "Alpha" and "Zulu" would hint at its own."""
    org = make_organization(name="Shelters")
    service = make_service(org, name="Shelter line")
    places = (("Zulu office", False), ("Mango Soi 9 house", True), ("Alpha office", False))
    for number, (name, confidential) in enumerate(places, start=1):  # ids in the reverse of the names' order
        location = make_location(
            org, id=uuid.UUID(int=number), name=name, latitude=13.75, longitude=100.5, confidential=confidential
        )
        ServiceAtLocation.objects.create(service=service, location=location)
    by_id = sorted(str(pk) for pk in ServiceAtLocation.objects.values_list("location_id", flat=True))
    listed = api.get("/api/v1/services/").json()["results"][0]["locations"]
    detail = api.get(f"/api/v1/services/{service.pk}/").json()["locations"]
    assert [location["id"] for location in listed] == [location["id"] for location in detail] == by_id
    assert "Mango Soi 9 house" not in str(listed) + str(detail)


def test_a_point_search_over_no_services_reads_nothing_and_fails_nothing():
    from referrals.services.roles import Viewer
    from referrals.services.search import NearQuery, nearest

    moderator = Viewer.for_request(make_moderator())  # the general path
    near = NearQuery(13.75, 100.5, 25)
    assert nearest(Service.objects.none(), near, moderator) == []
    assert nearest(Service.objects.filter(status__in=[]), near, moderator) == []


# Last: the demo stays loaded until the module ends.
@pytest.mark.parametrize("lang", [None, "th", "my"])
def test_every_demo_service_loads_as_the_prefetches_load_it(demo, lang):
    ids = list(Service.objects.values_list("pk", flat=True))
    random.Random(7).shuffle(ids)
    assert ServiceTranslation.objects.filter(language="th").exists()
    assert Schedule.objects.filter(opens_at__isnull=True).exists()  # all-day hours: no times
    for start in range(0, len(ids), 50):
        _assert_same_pages(ids[start : start + 50], lang)
        if lang is None:
            _assert_same_records(ids[start : start + 50])
