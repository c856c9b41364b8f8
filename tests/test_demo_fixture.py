"""The demo directory loads, is large and varied enough to try the API, and is clearly fictional."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from referrals.choices import MESSAGING_BY_HANDLE
from referrals.models import Location, Organization, Phone, Service, ServiceCapacity

pytestmark = pytest.mark.django_db
URL = "/api/v1/services/"


def test_demo_covers_the_region(demo):
    assert Service.objects.count() >= 150
    assert Organization.objects.count() >= 40
    assert Location.objects.values("country").distinct().count() >= 8
    assert Location.objects.filter(confidential=True).exists()
    # Both sides of the antimeridian, camps and conflict areas.
    assert Location.objects.filter(longitude__lt=-170).exists() and Location.objects.filter(longitude__gt=177).exists()
    assert Service.objects.filter(contexts="refugee_camp").exists()
    assert Service.objects.filter(contexts="conflict_zone", service_at_locations__location__country="MM").exists()
    assert Service.objects.filter(contexts="conflict_zone", service_at_locations__location__country="PH").exists()
    assert Service.objects.filter(
        schedules__all_day=True, schedules__weekday__isnull=True, categories="hotline"
    ).exists()


def test_demo_contacts_are_fictional(demo):
    emails = [*Organization.objects.values_list("email", flat=True), *Service.objects.values_list("email", flat=True)]
    for email in emails:
        assert email.endswith(".example.org"), email
    for number, kind in Phone.objects.values_list("number", "type"):
        if kind in MESSAGING_BY_HANDLE:  # an app ID made of the fictional organisation's name
            assert re.fullmatch(r"@?[a-z]+", number), number
        else:
            assert re.fullmatch(r"\+\d{2,3} 555 01\d\d", number), number
    assert all("Fictional" in d for d in Organization.objects.values_list("description", flat=True))


def test_demo_confidential_locations_have_public_points_and_front_doors(demo):
    for location in Location.objects.filter(confidential=True):
        assert (location.public_latitude, location.public_longitude) == location.compute_public_point()
        assert (location.public_latitude, location.public_longitude) != (location.latitude, location.longitude)
    for service in Service.objects.filter(service_at_locations__location__confidential=True):
        assert service.phones.exists(), service


def test_demo_intakes_take_messages_on_the_regions_apps(demo):
    apps = set(Phone.objects.filter(service__isnull=False).values_list("type", flat=True))
    assert {"line", "viber", "zalo", "telegram", "messenger", "whatsapp", "wechat"} <= apps
    thai = Phone.objects.filter(type="line", service__service_at_locations__location__country="TH").first()
    assert thai is not None and thai.link.startswith("https://line.me/R/ti/p/@")


def test_demo_capacity_is_fresh_after_loading(demo):
    assert ServiceCapacity.objects.filter(updated__gte=timezone.now() - timezone.timedelta(hours=24)).count() == (
        ServiceCapacity.objects.count()
    )


def test_load_demo_if_empty_is_idempotent(demo):
    before = Service.objects.count()
    call_command("load_demo", "--if-empty", verbosity=0)
    assert Service.objects.count() == before


def test_acceptance_query_on_the_demo_data(demo, api):
    params = {
        "lat": 13.7563,
        "lng": 100.5018,
        "radius_km": 30,
        "serves": "women,children",
        "category": "housing,counselling",
    }
    body = api.get("/api/v1/services/", params).json()
    assert body["count"] >= 1
    reachable = [item["distance_km"] for item in body["results"] if item["reach"] != "remote"]
    assert reachable == sorted(reachable) and max(reachable) <= 30
    assert body["results"][0]["matched_by"] == "location"


def test_near_every_town_with_listings_places_and_outreach_lead(api, demo, unthrottled):
    from referrals.models import Category
    from tests.test_reach import assert_reachable_help_leads

    towns = sorted(set(Location.objects.filter(confidential=False, country="TH").values_list("city", flat=True)))
    towns += ["Phnom Penh", "Yangon", "Manila", "Ho Chi Minh City"]
    assert {"Bangkok", "Chiang Mai"} <= set(towns)
    categories = [None, *Category.objects.values_list("code", flat=True)]
    led = 0
    for town in towns:
        for category in categories:
            params = {"near": town, "page_size": 100, **({"category": category} if category else {})}
            response = api.get(URL, params)
            if response.status_code == 400 and "near" in response.json():  # a town the gazetteer does not know
                continue
            results = response.json()["results"]
            assert_reachable_help_leads(results)
            if sum(item["reach"] != "remote" for item in results) >= 3:
                assert all(item["reach"] != "remote" for item in results[:3]), (town, category)
                led += 1
    assert led >= 10  # the check bit on real crowds of places, not on empty answers
    for town, category in (("Bangkok", None), ("Chiang Mai", "counselling")):
        page = api.get(URL, {"near": town, **({"category": category} if category else {})}).json()["results"]
        assert [item["reach"] for item in page[:3]] != ["remote"] * 3 and page[0]["reach"] != "remote", town
