"""Locations saved with an address but no point are geocoded; failures never block; safe houses stay local."""

import pytest
from geopy.exc import GeocoderUnavailable

from referrals.models import Location

pytestmark = pytest.mark.django_db


class RecordingGeocoder:
    """A geopy stand-in: records queries, answers with a fixed point or raises."""

    def __init__(self, point=(18.7960, 98.9790), error=None):
        self.point, self.error, self.queries = point, error, []

    def geocode(self, query, **kwargs):
        self.queries.append(query)
        if self.error:
            raise self.error

        class Found:
            latitude, longitude = self.point

        return Found()


@pytest.fixture
def geocoder(settings, monkeypatch):
    double = RecordingGeocoder()
    settings.GEOCODER = "nominatim"
    monkeypatch.setattr("referrals.services.geocoding._geocoder", lambda: double)
    return double


def create(world, **fields):
    body = {
        "organization": str(world.org_a.pk),
        "name": "Office",
        "city": "Chiang Mai",
        "country": "TH",
        "address_1": "12 Example Road",
        **fields,
    }
    response = world.client_for("provider_a").post("/api/v1/locations/", body, format="json")
    assert response.status_code == 201, response.content
    return Location.objects.get(pk=response.json()["id"])


def test_address_without_coordinates_is_geocoded(world, geocoder):
    location = create(world)
    assert (location.latitude, location.longitude) == (18.7960, 98.9790)
    assert location.coordinates_source == "address"
    assert geocoder.queries == ["12 Example Road, Chiang Mai"]


def test_a_failing_geocoder_falls_back_to_the_town_centre(world, geocoder):
    geocoder.error = GeocoderUnavailable("down")
    location = create(world)
    assert location.coordinates_source == "town"
    assert round(location.latitude, 1) == 18.8 and round(location.longitude, 1) == 99.0


def test_a_confidential_address_never_reaches_the_geocoder(world, geocoder):
    location = create(world, confidential=True)
    assert geocoder.queries == []
    assert location.coordinates_source == "town"
    assert location.public_latitude is not None


def test_without_a_geocoder_the_town_centre_is_used(world):
    location = create(world)
    assert location.coordinates_source == "town"


def test_given_coordinates_are_kept(world, geocoder):
    location = create(world, latitude=18.5, longitude=98.5)
    assert (location.latitude, location.coordinates_source) == (18.5, "given")
    assert geocoder.queries == []


def test_an_unknown_town_without_a_geocoder_still_saves(world):
    location = create(world, city="Nowhere-at-all")
    assert location.latitude is None and location.coordinates_source == "none"
