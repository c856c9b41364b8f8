"""A confidential location (a safe house) shows only its public face to public readers, everywhere."""

import json
import math

import pytest
from django.test import override_settings
from geopy.distance import geodesic

from referrals.geo import distance_km, snap_to_grid
from tests.helpers import add_phone, make_location, make_organization, make_service

pytestmark = pytest.mark.django_db

HOUSE = (13.73217, 100.53391)  # somewhere in Bangkok
CELL = 0.05


@pytest.fixture
def safe_house():
    org = make_organization(name="Lotus Haven Trust")
    location = make_location(
        org,
        name="Lotus house on Sukhumvit Soi 99",
        latitude=HOUSE[0],
        longitude=HOUSE[1],
        address_1="99/9 Sukhumvit Soi 99",
        postal_code="10110",
        transportation="Green gate behind the 7-Eleven",
        accessibility="Ramp at the back door",
        description="Blue two-storey house",
        confidential=True,
    )
    add_phone(number="+66 555 0199", location=location)
    service = make_service(org, name="Lotus Women's Shelter", at=location, populations=["women", "children"])
    add_phone(number="+66 555 0142", service=service, type="hotline", description="24-hour intake line")
    return service, location


SECRETS = ["Sukhumvit", "99/9", "10110", "Green gate", "Ramp at the back", "Blue two-storey", "+66 555 0199"]


def assert_no_secrets(payload, location):
    text = json.dumps(payload, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text, secret
    for exact in (location.latitude, location.longitude, repr(location.latitude), repr(location.longitude)):
        assert str(exact) not in text


def test_public_point_is_the_grid_cell_centre(safe_house):
    _, location = safe_house
    assert (location.public_latitude, location.public_longitude) == (
        snap_to_grid(HOUSE[0], CELL),
        snap_to_grid(HOUSE[1], CELL),
    )
    assert (location.public_latitude, location.public_longitude) != HOUSE


def test_search_list_shows_only_the_public_face(api, safe_house):
    _, location = safe_house
    body = api.get("/api/v1/services/", {"lat": 13.74, "lng": 100.53, "radius_km": 10}).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert_no_secrets(body, location)
    public = item["locations"][0]
    assert public["confidential"] is True and public["approximate"] is True
    assert (public["latitude"], public["longitude"]) == (location.public_latitude, location.public_longitude)
    assert public["city"] == "Bangkok" and public["country"] == "TH"
    assert "name" not in public and "address_1" not in public
    # The front door stays reachable.
    assert item["phones"][0]["number"] == "+66 555 0142"


def test_detail_and_location_endpoints_show_only_the_public_face(api, safe_house):
    service, location = safe_house
    for url in (f"/api/v1/services/{service.id}/", f"/api/v1/locations/{location.id}/"):
        body = api.get(url).json()
        assert_no_secrets(body, location)
    body = api.get(f"/api/v1/locations/{location.id}/").json()
    assert set(body) <= {
        "id",
        "organization",
        "location_type",
        "confidential",
        "approximate",
        "latitude",
        "longitude",
        "distance_km",
        "city",
        "region",
        "state_province",
        "country",
        "time_zone",
    }


def test_distance_is_measured_to_the_public_point(api, safe_house):
    _, location = safe_house
    item = api.get("/api/v1/services/", {"lat": HOUSE[0], "lng": HOUSE[1], "radius_km": 20}).json()["results"][0]
    expected = distance_km(HOUSE[0], HOUSE[1], location.public_latitude, location.public_longitude)
    assert item["distance_km"] == pytest.approx(expected, abs=0.01)
    assert item["distance_km"] > 0.5  # standing on the house does not say "0 km"


def test_small_radius_probing_never_narrows_the_house_beyond_its_grid_cell(api, safe_house):
    """The attacker: a lattice of 300 m searches over the whole neighbourhood, recording every hit."""
    _, location = safe_house
    step = 0.003
    hits = []
    for i in range(-25, 26):
        for j in range(-25, 26):
            lat, lng = HOUSE[0] + i * step, HOUSE[1] + j * step
            if abs(lat - location.public_latitude) > 0.012 or abs(lng - location.public_longitude) > 0.012:
                continue  # only probe where something can be found, to keep the test quick
            body = api.get("/api/v1/services/", {"lat": lat, "lng": lng, "radius_km": 0.3}).json()
            if body["count"]:
                hits.append((lat, lng, body["results"][0]["distance_km"]))
    assert hits, "the probe should find the listing around its public point"
    # Every hit is explained by the public point alone: the house itself never answered.
    for lat, lng, reported in hits:
        assert geodesic((lat, lng), (location.public_latitude, location.public_longitude)).km <= 0.3 + 1e-6
        assert reported == pytest.approx(
            distance_km(lat, lng, location.public_latitude, location.public_longitude), abs=0.01
        )
    # Probes centred on the house itself find nothing (it is ~1 km from its cell centre).
    assert api.get("/api/v1/services/", {"lat": HOUSE[0], "lng": HOUSE[1], "radius_km": 0.3}).json()["count"] == 0
    # What the attacker can triangulate is the cell centre, which is the same for any house in the cell.
    centroid = (sum(h[0] for h in hits) / len(hits), sum(h[1] for h in hits) / len(hits))
    assert math.floor(centroid[0] / CELL) == math.floor(HOUSE[0] / CELL)
    assert geodesic(centroid, (location.public_latitude, location.public_longitude)).km < 0.2


def test_bbox_uses_the_public_point(api, safe_house):
    _, location = safe_house
    # A tiny box around the real house finds nothing; a box around the public point finds it.
    assert (
        api.get(
            "/api/v1/services/",
            {"bbox": f"{HOUSE[1] - 0.001},{HOUSE[0] - 0.001},{HOUSE[1] + 0.001},{HOUSE[0] + 0.001}"},
        ).json()["count"]
        == 0
    )
    lat, lng = location.public_latitude, location.public_longitude
    assert (
        api.get("/api/v1/services/", {"bbox": f"{lng - 0.001},{lat - 0.001},{lng + 0.001},{lat + 0.001}"}).json()[
            "count"
        ]
        == 1
    )


def test_ordering_uses_the_public_point(api, safe_house):
    # An ordinary service 700 m from the searcher; the house is closer in truth but not in public.
    service, _ = safe_house
    searcher = (HOUSE[0] + 0.001, HOUSE[1])
    make_service(service.organization, name="Ordinary clinic", at=(searcher[0] + 0.006, searcher[1]))
    results = api.get("/api/v1/services/", {"lat": searcher[0], "lng": searcher[1], "radius_km": 5}).json()["results"]
    assert [r["name"] for r in results] == ["Ordinary clinic", "Lotus Women's Shelter"]


def test_moving_or_unflagging_a_location_recomputes_its_public_point(safe_house):
    _, location = safe_house
    location.confidential = False
    location.save()
    assert (location.public_latitude, location.public_longitude) == HOUSE
    location.confidential = True
    location.latitude = 13.9
    location.save(update_fields=["confidential", "latitude"])
    location.refresh_from_db()
    assert location.public_latitude == snap_to_grid(13.9, CELL)


@override_settings(CONFIDENTIAL_GRID_DEGREES=0.1)
def test_grid_size_is_a_setting():
    location = make_location(latitude=13.73, longitude=100.53, confidential=True)
    assert (location.public_latitude, location.public_longitude) == (13.75, 100.55)


def test_ordinary_locations_show_their_full_face(api):
    service = make_service(at=(13.75, 100.5))
    location = service.service_at_locations.get().location
    body = api.get(f"/api/v1/locations/{location.id}/").json()
    assert body["address_1"] == "1 Example Road" and body["latitude"] == 13.75 and body["approximate"] is False


def test_bulk_update_of_the_flag_rederives_the_public_point():
    from referrals.models import Location

    location = make_location(latitude=HOUSE[0], longitude=HOUSE[1])
    Location.objects.filter(pk=location.pk).update(confidential=True)
    location.refresh_from_db()
    assert (location.public_latitude, location.public_longitude) == (
        snap_to_grid(HOUSE[0], CELL),
        snap_to_grid(HOUSE[1], CELL),
    )
    Location.objects.filter(pk=location.pk).update(latitude=13.9)
    location.refresh_from_db()
    assert location.public_latitude == snap_to_grid(13.9, CELL)


def test_bulk_create_and_bulk_update_derive_the_public_point():
    from referrals.models import Location

    org = make_organization()
    (created,) = Location.objects.bulk_create(
        [Location(organization=org, name="x", latitude=HOUSE[0], longitude=HOUSE[1], country="TH", confidential=True)]
    )
    created = Location.objects.get(pk=created.pk)
    assert created.public_latitude == snap_to_grid(HOUSE[0], CELL)
    created.latitude = 14.2
    Location.objects.bulk_update([created], ["latitude"])
    created.refresh_from_db()
    assert created.public_latitude == snap_to_grid(14.2, CELL)


def test_a_fixture_carrying_an_exact_public_point_cannot_store_it(tmp_path):
    from django.core.management import call_command

    from referrals.models import Location

    org = make_organization()
    fixture = tmp_path / "leaky.json"
    record = {
        "model": "referrals.location",
        "pk": "11111111-1111-1111-1111-111111111111",
        "fields": {
            **{"organization": str(org.pk), "name": "House", "confidential": True, "country": "TH"},
            **{"latitude": HOUSE[0], "longitude": HOUSE[1], "public_latitude": HOUSE[0], "public_longitude": HOUSE[1]},
            **{"time_zone": "Asia/Bangkok", "created": "2026-01-01T00:00:00Z", "last_modified": "2026-01-01T00:00:00Z"},
        },
    }
    fixture.write_text(json.dumps([record]))
    call_command("loaddata", str(fixture), verbosity=0)
    stored = Location.objects.get(pk=record["pk"])
    assert (stored.public_latitude, stored.public_longitude) != HOUSE
    assert stored.public_latitude == snap_to_grid(HOUSE[0], CELL)


def test_refresh_public_points_command_applies_a_new_grid(safe_house):
    from django.core.management import call_command

    _, location = safe_house
    with override_settings(CONFIDENTIAL_GRID_DEGREES=0.1):
        call_command("refresh_public_points", verbosity=0)
    location.refresh_from_db()
    assert location.public_latitude == snap_to_grid(HOUSE[0], 0.1)
    # The search index moves with it: public searches must not rank by the old cell.
    from referrals.models import SearchEntry

    entry = SearchEntry.objects.get(location=location)
    assert (entry.public_latitude, entry.public_longitude) == (location.public_latitude, location.public_longitude)


def test_grid_size_outside_safe_bounds_refuses_to_start():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEVELOPMENT": "true", "CONFIDENTIAL_GRID_DEGREES": "0.000001"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    command = [sys.executable, "-c", "import django; django.setup()"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode != 0
    assert "CONFIDENTIAL_GRID_DEGREES" in result.stderr


def test_outreach_area_around_a_safe_house_shows_a_snapped_centre(api, safe_house):
    from referrals.models import ServiceArea

    service, _ = safe_house
    ServiceArea.objects.create(
        service=service, kind="radius", country="TH", latitude=HOUSE[0], longitude=HOUSE[1], radius_km=5
    )
    body = api.get(f"/api/v1/services/{service.id}/").json()
    area = body["service_areas"][0]
    assert (area["latitude"], area["longitude"]) == (snap_to_grid(HOUSE[0], CELL), snap_to_grid(HOUSE[1], CELL))
    assert_no_secrets(body, service.service_at_locations.get().location)


def test_outreach_area_of_an_ordinary_service_keeps_its_centre(api):
    from referrals.models import ServiceArea

    service = make_service(at=(13.75, 100.5))
    ServiceArea.objects.create(
        service=service, kind="radius", country="TH", latitude=16.53, longitude=98.52, radius_km=60
    )
    area = api.get(f"/api/v1/services/{service.id}/").json()["service_areas"][0]
    assert (area["latitude"], area["longitude"]) == (16.53, 98.52)


def test_search_results_carry_the_street_address_of_public_places_only(world):
    from tests.helpers import make_location

    office = make_location(world.org_b, name="B office", address_1="12 Clinic Road", postal_code="10200")
    from referrals.models import ServiceAtLocation

    ServiceAtLocation.objects.create(service=world.service_b, location=office)
    for reader in ("anonymous", "caseworker", "provider_a", "moderator"):
        results = world.client_for(reader).get("/api/v1/services/", {"page_size": 50}).json()["results"]
        locations = {location["id"]: location for item in results for location in item["locations"]}
        assert locations[str(office.pk)]["address_1"] == "12 Clinic Road", reader
        assert locations[str(office.pk)]["postal_code"] == "10200", reader
        house = locations[str(world.house.pk)]
        assert not {"address_1", "address_2", "postal_code"} & set(house), (reader, house)
