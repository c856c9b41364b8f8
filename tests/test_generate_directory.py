"""`manage.py generate_directory`: a realistic synthetic directory, deterministic per seed, that the API serves."""

import pytest
from django.core.management import CommandError, call_command

from referrals.geo import snap_to_grid
from referrals.models import Location, Organization, SearchEntry, Service, ServiceAtLocation, ServiceTranslation

pytestmark = pytest.mark.django_db


def generate(seed=5, services=1000, **options):
    call_command("generate_directory", services=services, seed=seed, verbosity=0, **options)


def test_it_builds_whole_listings_the_api_serves(api, settings):
    generate()
    assert Service.objects.count() == 1000 and Organization.objects.count() == 200
    assert ServiceAtLocation.objects.count() == 1000
    assert not Service.objects.filter(categories=None).exists()
    assert not Service.objects.filter(sync_state={}).exists()
    assert 0.4 < ServiceTranslation.objects.count() / 1000 < 0.7
    # Confidential places publish only their grid cell, as save() would have derived it.
    cell = settings.CONFIDENTIAL_GRID_DEGREES
    house = Location.objects.filter(confidential=True).first()
    assert (house.public_latitude, house.public_longitude) == (
        snap_to_grid(house.latitude, cell),
        snap_to_grid(house.longitude, cell),
    )
    translated = ServiceTranslation.objects.filter(language="th").select_related("service").first()
    assert translated.name.split()[0].lower() in translated.service.search_text
    # The search index is written with the listings, as the receivers would have kept it.
    from referrals.services import search_index
    from tests.test_nearest_first import countries_now, derived, stored

    assert SearchEntry.objects.count() > 900
    listed = list(Service.objects.filter(status="active", organization__vetted=True).values_list("pk", flat=True))
    linked = {pk: service.codes for pk, service in Service.objects.with_codes().in_bulk().items()}
    assert dict(Service.objects.values_list("pk", "vocabulary_codes")) == linked  # what a page reads
    assert stored() == derived(listed) and search_index.rebuild() == SearchEntry.objects.count()
    assert dict(Service.objects.values_list("pk", "countries")) == countries_now()
    page = api.get("/api/v1/services/", {"near": "Bangkok", "radius_km": 50}).json()
    assert page["count"] > 0 and page["results"][0]["locations"]
    assert api.get("/api/v1/sync/", {"country": "TH"}).json()["results"]
    detail = api.get(f"/api/v1/services/{page['results'][0]['id']}/").json()
    assert detail["schedules"] and detail["phones"]


def test_the_same_seed_gives_the_same_directory():
    generate(seed=9)
    first = sorted(Service.objects.values_list("pk", "name", "status"))
    generate(seed=9, flush=True)
    assert sorted(Service.objects.values_list("pk", "name", "status")) == first
    generate(seed=10, flush=True)
    assert sorted(Service.objects.values_list("pk", "name", "status")) != first


def test_it_refuses_to_mix_with_existing_listings_and_odd_sizes():
    generate()
    with pytest.raises(CommandError, match="--flush"):
        generate()
    with pytest.raises(CommandError, match="between"):
        generate(services=10, flush=True)
