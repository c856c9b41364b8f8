"""Place names: near= through the offline gazetteer (any script), suggestions, autocompletion, geocoder fallback."""

import pytest

from referrals import gazetteer
from tests.helpers import make_service

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/"


@pytest.fixture
def chiang_mai_services():
    make_service(name="Chiang Mai shelter", at=(18.79, 98.98))
    make_service(name="Lamphun clinic", at=(18.58, 99.01))
    make_service(name="Bangkok shelter", at=(13.75, 100.50))


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_near_in_thai_and_in_english_give_the_same_results(api, chiang_mai_services):
    thai = api.get(URL, {"near": "เชียงใหม่", "radius_km": 30})
    english = api.get(URL, {"near": "Chiang Mai", "radius_km": 30})
    assert names(thai) == names(english) == ["Chiang Mai shelter", "Lamphun clinic"]
    assert thai.json()["results"][0]["distance_km"] == english.json()["results"][0]["distance_km"]
    place = english.json()["resolved_place"]
    assert place["name"] == "Chiang Mai" and place["country"] == "TH" and place["source"] == "gazetteer"


def test_old_and_alternate_names_resolve(api):
    make_service(name="Yangon clinic", at=(16.80, 96.15))
    assert names(api.get(URL, {"near": "Rangoon", "radius_km": 20})) == ["Yangon clinic"]
    assert api.get(URL, {"near": "yangon"}).json()["resolved_place"]["name"] == "Yangon"


def test_ambiguous_names_go_to_the_most_populous_or_the_given_country(api):
    make_service(name="x")
    anywhere = gazetteer.resolve("San Jose")
    in_ph = gazetteer.resolve("San Jose", country="PH")
    assert anywhere is not None and in_ph is not None and in_ph.country == "PH"
    response = api.get(URL, {"near": "San Jose", "country": "PH"})
    assert response.json()["resolved_place"]["country"] == "PH"


def test_unknown_place_is_a_400_with_close_suggestions(api):
    response = api.get(URL, {"near": "Chiang Maii"})
    assert response.status_code == 400
    assert "Chiang Mai (TH)" in response.json()["near"][0]


def test_near_with_lat_lng_is_a_400(api):
    assert "near" in api.get(URL, {"near": "Suva", "lat": 1, "lng": 2}).json()


def test_places_autocompletes_in_any_script(api):
    body = api.get("/api/v1/places/", {"q": "เชียงใ"}).json()
    assert body["results"][0]["name"] == "Chiang Mai"
    assert "GeoNames" in body["attribution"]
    fiji = api.get("/api/v1/places/", {"q": "Su", "country": "FJ"}).json()["results"]
    assert fiji[0]["name"] == "Suva" and all(p["country"] == "FJ" for p in fiji)
    assert api.get("/api/v1/places/").status_code == 400
    assert api.get("/api/v1/places/", {"q": "x", "limit": 500}).status_code == 400


def test_the_geocoder_fallback_is_used_only_when_configured_and_never_reaches_the_network(api, settings, monkeypatch):
    make_service(name="Somewhere", at=(10.0, 100.0))
    assert api.get(URL, {"near": "Nowhere-in-the-gazetteer"}).status_code == 400

    class FakeLocation:
        address, latitude, longitude = "Nowhere-in-the-gazetteer, Thailand", 10.01, 100.01

    class FakeGeocoder:
        def geocode(self, query, **kwargs):
            return FakeLocation()

    settings.GEOCODER = "nominatim"
    monkeypatch.setattr("referrals.services.geocoding._geocoder", lambda: FakeGeocoder())
    response = api.get(URL, {"near": "Nowhere-in-the-gazetteer", "radius_km": 5})
    assert names(response) == ["Somewhere"]
    assert response.json()["resolved_place"]["source"] == "geocoder"


def test_a_failing_geocoder_means_not_found(api, settings, monkeypatch):
    from geopy.exc import GeocoderTimedOut

    class BrokenGeocoder:
        def geocode(self, query, **kwargs):
            raise GeocoderTimedOut("slow")

    settings.GEOCODER = "nominatim"
    monkeypatch.setattr("referrals.services.geocoding._geocoder", lambda: BrokenGeocoder())
    assert api.get(URL, {"near": "Nowhere-in-the-gazetteer"}).status_code == 400


def test_post_search_takes_near(api, chiang_mai_services):
    response = api.post(f"{URL}search/", {"near": "เชียงใหม่", "radius_km": 30}, format="json")
    assert names(response) == ["Chiang Mai shelter", "Lamphun clinic"]


def test_the_nearest_town_is_the_one_a_full_scan_finds_across_the_region_and_the_antimeridian():
    import random

    from referrals import gazetteer
    from referrals.geo import distance_km

    _, places = gazetteer._by_latitude()
    rng = random.Random(2)
    points = [(rng.uniform(-20, 30), rng.uniform(90, 180)) for _ in range(150)]
    points += [(-17.8, 179.95), (-16.5, -179.9), (-18.1, 178.4), (70.0, 30.0)]  # Fiji on both sides of 180°
    found_any = 0
    for lat, lng in points:
        in_reach = [(distance_km(lat, lng, p.latitude, p.longitude), p) for p in places]
        in_reach = [(d, p) for d, p in in_reach if d <= 60]
        expected = min(in_reach, key=lambda item: item[0])[1] if in_reach else None
        found = gazetteer.nearest_town(lat, lng)
        assert (found and found.name, found and found.country) == (
            expected and expected.name,
            expected and expected.country,
        )
        found_any += found is not None
    assert found_any >= 20  # enough points near towns for the comparison to mean something
    # Across 180°: from the Lau sea west of the line, Levuka (179.3° E) is nearer than Tubou (178.8° W).
    assert gazetteer.nearest_town(-18.23, -179.95, within_km=100).name == "Levuka"


def _suggested(api, prefix, **extra):
    response = api.get("/api/v1/places/", {"q": prefix, **extra})
    assert response.status_code == 200, response.content
    return [place["name"] for place in response.json()["results"]]


def test_place_suggestions_put_places_with_help_first(api):
    # With nothing listed the most populous come first: Chinese and Japanese cities before Chiang Mai.
    from django.core.cache import cache

    assert "Chiang Mai" not in _suggested(api, "Chi")[:3]
    make_service(name="Chiang Mai drop-in centre", at=(18.79, 98.98))
    cache.clear()  # the cells are kept ten minutes
    assert _suggested(api, "Chi")[0] == "Chiang Mai"
    # Help in the place itself comes before help in the next cell, even for a more populous place.
    make_service(name="Hai Duong clinic", at=(20.94, 106.33))  # the cell next to Chí Linh (220,000 people)
    cache.clear()
    assert _suggested(api, "Chi")[:2] == ["Chiang Mai", "Chí Linh"]
    # Local scripts and alternate names keep working.
    assert _suggested(api, "เชียงใ")[0] == "Chiang Mai"


def test_a_place_next_to_help_ranks_with_it_but_whole_country_coverage_does_not(api):
    from referrals.models import ServiceArea

    hotline = make_service(name="National hotline", at=None)
    ServiceArea.objects.create(service=hotline, kind="country", country="TH")
    assert "Chiang Mai" not in _suggested(api, "Chi")[:3]
    make_service(name="Lamphun clinic", at=(18.58, 99.01))  # 23 km from Chiang Mai, in the next cell
    from django.core.cache import cache

    cache.clear()  # the cells are kept ten minutes
    assert _suggested(api, "Chi")[0] == "Chiang Mai"


def test_a_safe_house_counts_by_its_public_point_only():
    from referrals.services import places
    from tests.helpers import make_location

    house = make_location(latitude=18.7901, longitude=98.9812, confidential=True, city="Chiang Mai")
    service = make_service(house.organization, name="Shelter", at=house)
    assert service.pk
    cells = places.listed_cells()
    grid = places.CELL_DEGREES
    assert cells == {(int(house.public_latitude // grid), int(house.public_longitude // grid))}
