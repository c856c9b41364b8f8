"""Point searches rank by how a person can reach the help: places and outreach first, nearest first; remote after."""

import pytest
from django.core.management import call_command
from geopy.distance import geodesic

from referrals.models import Location, ServiceArea
from tests.helpers import BANGKOK, make_caseworker, make_location, make_organization, make_service

pytestmark = pytest.mark.django_db
URL = "/api/v1/services/"


def at(km, bearing=0, origin=BANGKOK):
    """The point `km` from `origin` on `bearing`."""
    point = geodesic(kilometers=km).destination(origin, bearing)
    return (point.latitude, point.longitude)


def country_wide(name, office=None, **extra):
    """A hotline-like service reaching the whole of Thailand, with an office at `office` (lat, lng) if given."""
    service = make_service(name=name, at=office, categories=("hotline",), **extra)
    ServiceArea.objects.create(service=service, kind="country", country="TH")
    return service


@pytest.fixture
def bangkok():
    """Help around Bangkok of every reach, named so that name order differs from the expected rank."""
    make_service(name="A shelter", at=at(5))
    make_service(name="B drop-in", at=at(1))
    team = make_service(name="C outreach team", at=at(60, 90), contexts=("mobile_outreach",))
    centre = at(10, 180)
    ServiceArea.objects.create(
        service=team, kind="radius", country="TH", latitude=centre[0], longitude=centre[1], radius_km=15
    )
    walk_in = country_wide("D hotline with a walk-in desk", office=at(3, 270))
    far = make_service(name="E far shelter", at=at(40))  # outside the default 25 km
    country_wide("F hotline, office in Chiang Mai", office=(18.7883, 98.9853))
    country_wide("G hotline, office in Hat Yai", office=(7.0084, 100.4767))
    country_wide("0 hotline without an office")  # its name sorts first: it still comes last
    provincial = make_service(name="H Bangkok helpline", at=(7.8804, 98.3923))  # its office is in Phuket
    ServiceArea.objects.create(service=provincial, kind="province", country="TH", state_province="Bangkok")
    return {"walk_in": walk_in, "far": far}


def ranked(api, **params):
    body = api.get(URL, {"lat": BANGKOK[0], "lng": BANGKOK[1], **params}).json()
    return [(item["name"], item["reach"], item["matched_by"]) for item in body["results"]], body


def test_places_and_outreach_come_first_nearest_first_then_remote_help_by_nearest_office(api, bangkok):
    results, body = ranked(api)
    assert results == [
        ("C outreach team", "outreach", "coverage"),  # the point is inside its round: 0 km
        ("B drop-in", "place", "location"),
        ("D hotline with a walk-in desk", "place", "location"),  # its desk is 3 km away: a place first
        ("A shelter", "place", "location"),
        ("F hotline, office in Chiang Mai", "remote", "coverage"),  # 580 km
        ("H Bangkok helpline", "remote", "coverage"),  # 690 km
        ("G hotline, office in Hat Yai", "remote", "coverage"),  # 750 km
        ("0 hotline without an office", "remote", "coverage"),
    ]
    distances = [item["distance_km"] for item in body["results"]]
    assert distances[:4] == sorted(distances[:4]) and distances[1] == pytest.approx(1, abs=0.05)
    assert distances[4:] == [0.0] * 4  # remote help reaches the point where it is
    assert body["count"] == 8


def test_remote_help_with_offices_equally_far_comes_by_name():
    office = at(300)
    for name in ("beta line", "Alpha line", "gamma line"):
        country_wide(name, office=office)
    from rest_framework.test import APIClient

    results, _ = ranked(APIClient(), radius_km=1)
    assert [name for name, *_ in results] == ["Alpha line", "beta line", "gamma line"]


@pytest.mark.parametrize(
    ("reach", "expected"),
    [
        ("place,outreach", ["C outreach team", "B drop-in", "D hotline with a walk-in desk", "A shelter"]),
        ("place", ["B drop-in", "D hotline with a walk-in desk", "A shelter"]),
        ("outreach", ["C outreach team"]),
        # Asked for remote help only, the hotline with a desk nearby comes as remote help, nearest office first.
        (
            "remote",
            [
                "D hotline with a walk-in desk",
                "F hotline, office in Chiang Mai",
                "H Bangkok helpline",
                "G hotline, office in Hat Yai",
                "0 hotline without an office",
            ],
        ),
        ("outreach,remote", ["C outreach team", "D hotline with a walk-in desk", "F hotline, office in Chiang Mai"]),
    ],
)
def test_reach_selects_the_ways_help_reaches_the_point(api, bangkok, reach, expected):
    results, body = ranked(api, reach=reach, page_size=3 if reach == "outreach,remote" else 20)
    assert [name for name, *_ in results] == expected
    wanted = set(reach.split(","))
    assert {how for _, how, _ in results} <= wanted
    if reach != "outreach,remote":
        assert body["count"] == len(expected)


def test_reach_is_reported_by_the_post_search_and_filtered_there_too(api, bangkok):
    body = api.post(
        f"{URL}search/", {"lat": BANGKOK[0], "lng": BANGKOK[1], "reach": ["place", "outreach"]}, format="json"
    ).json()
    assert [item["reach"] for item in body["results"]] == ["outreach", "place", "place", "place"]


def test_a_wider_radius_makes_a_far_place_a_place_not_remote_help(api, bangkok):
    results, _ = ranked(api, radius_km=50, reach="place")
    assert results[-1] == ("E far shelter", "place", "location")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"reach": "walk"}, "Unknown code"),
        ({"reach": "place", "lat": None}, "Needs lat and lng"),
        ({"reach": ","}, "at least one code"),
    ],
)
def test_bad_reach_is_a_400_naming_it(api, params, message):
    query = {"lat": BANGKOK[0], "lng": BANGKOK[1], **params}
    query = {name: value for name, value in query.items() if value is not None}
    if "lat" not in query:
        query.pop("lng")
    response = api.get(URL, query)
    assert response.status_code == 400
    assert message in " ".join(response.json()["reach"])


def test_without_a_point_reach_and_matched_by_are_null(api, bangkok):
    item = api.get(URL, {"country": "TH"}).json()["results"][0]
    assert item["reach"] is None and item["matched_by"] is None


def test_remote_help_is_ranked_by_the_office_point_each_reader_may_see(api):
    """A public reader's order comes from a safe house's grid cell, never from its exact point."""
    org = make_organization(name="Harbour")
    # 49.8 km away exactly; its cell's centre (what the public sees) lies 2 km further out than the other office.
    house = make_location(org, latitude=BANGKOK[0] + 0.45, longitude=BANGKOK[1], confidential=True)
    country_wide("A line at a safe house", office=house)
    country_wide("B line", office=(BANGKOK[0] + 0.46, BANGKOK[1]))
    assert Location.objects.get(pk=house.pk).public_latitude > BANGKOK[0] + 0.46
    query = {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 1}
    assert [item["name"] for item in api.get(URL, query).json()["results"]] == ["B line", "A line at a safe house"]
    api.force_authenticate(make_caseworker("cw"))
    assert [item["name"] for item in api.get(URL, query).json()["results"]] == ["A line at a safe house", "B line"]


def assert_reachable_help_leads(results):
    """No remote result before a place or outreach; places and outreach nearest first."""
    reaches = [item["reach"] for item in results]
    near = [item["distance_km"] for item in results if item["reach"] != "remote"]
    assert reaches == sorted(reaches, key=lambda reach: reach == "remote"), reaches
    assert near == sorted(near)


def test_on_a_synthetic_directory_the_first_page_near_a_town_is_not_flooded_by_nationwide_lines(api, unthrottled):
    call_command("generate_directory", services=1500, seed=3, verbosity=0)
    from django.db.models import Count

    towns = Location.objects.filter(confidential=False).values("city").annotate(n=Count("id")).order_by("-n", "city")
    for near in ("Bangkok", "Chiang Mai", *(town["city"] for town in towns[:3])):
        body = api.get(URL, {"near": near}).json()
        results = body["results"]
        assert_reachable_help_leads(results)
        remote = [item for item in results if item["reach"] == "remote"]
        rest = api.get(URL, {"near": near, "reach": "place,outreach"}).json()["count"]
        # Only once every place and outreach within the radius is on the page do remote lines follow.
        assert not remote or rest < len(results), near
        assert rest > 0, near
