"""Search results and sync records rendered by plain code (`ListingListSerializer`, `RecordListSerializer`) are
exactly what DRF's nested serializers give.

Every reader (faces differ), with and without a point, a language, a map box and keywords, on a random directory
with phones, counts, hours, areas, translations and safe houses.
"""

import random
from datetime import UTC, datetime
from unittest import mock

import pytest
from rest_framework import serializers

from api.serializers.directory import ListingListSerializer, RecordListSerializer
from tests.helpers import BANGKOK, enrich_directory, enrich_records, random_directory

URL = "/api/v1/services/"
ACTORS = ["anonymous", "partner", "granted_partner", "caseworker", "unvetted_caseworker", "provider_a", "moderator"]
POINT = {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 40}
SEARCHES = [
    {"page_size": 100},
    {"page_size": 100, "lang": "th"},
    {**POINT, "page_size": 100},
    {**POINT, "page_size": 100, "lang": "th", "serves": "women"},
    {**POINT, "reach": "remote,outreach"},
    {"bbox": "100.2,13.4,100.8,14.0", "page_size": 100},
    {"q": "s1", "lang": "th"},
]


@pytest.fixture
def directory(world, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    rng = random.Random(11)
    random_directory(rng, count=40)
    enrich_directory(rng)
    enrich_records(rng)
    return world


def general_path(self, data):
    return serializers.ListSerializer.to_representation(self, data)


@pytest.mark.parametrize("actor", ACTORS)
def test_plain_rendering_equals_the_nested_serializers(directory, actor):
    client = directory.client_for(actor)
    # One moment for both renderings, so that each place's open_now is decided alike.
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 12, 2, 3, 0, tzinfo=UTC)):
        for params in SEARCHES:
            fast = client.get(URL, params)
            with mock.patch.object(ListingListSerializer, "to_representation", general_path):
                general = client.get(URL, params)
            assert fast.status_code == general.status_code == 200, fast.content
            assert fast.json()["results"], params
            assert fast.json() == general.json(), params
            assert fast.content == general.content  # the same bytes: the same keys in the same order


@pytest.mark.parametrize("actor", ACTORS)
def test_plain_records_equal_the_nested_serializers(directory, actor):
    client = directory.client_for(actor)
    for params in ({"page_size": 500}, {"page_size": 500, "lang": "th"}, {"page_size": 500, "lang": "my"}):
        fast = client.get("/api/v1/sync/", params)
        with mock.patch.object(RecordListSerializer, "to_representation", general_path):
            general = client.get("/api/v1/sync/", params)
        assert fast.status_code == general.status_code == 200, fast.content
        records = fast.json()["results"]
        assert records and any(record["service_areas"] for record in records), params
        assert any(location["phones"] for record in records for location in record["locations"] if "phones" in location)
        assert fast.json() == general.json(), params
        assert fast.content == general.content
