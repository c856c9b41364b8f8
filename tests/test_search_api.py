"""The search contract of GET /api/v1/services/ (PRODUCT.md)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from geopy.distance import geodesic

from referrals.models import ServiceArea
from tests.helpers import BANGKOK, add_capacity, add_hours, add_phone, make_location, make_organization, make_service

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/"


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_acceptance_search_women_and_children_housing_or_counselling_near_bangkok(api):
    org = make_organization()
    near = make_service(
        org, name="Near shelter", categories=["housing"], populations=["women", "children"], at=(13.80, 100.55)
    )
    far = make_service(
        org,
        name="Far counselling",
        categories=["counselling"],
        populations=["women", "children", "men"],
        at=(13.95, 100.62),
    )
    make_service(org, name="Women only", categories=["housing"], populations=["women"], at=(13.76, 100.50))
    make_service(org, name="Medical", categories=["medical"], populations=["women", "children"], at=(13.76, 100.50))
    make_service(
        org, name="Pattaya, too far", categories=["housing"], populations=["women", "children"], at=(12.93, 100.88)
    )

    response = api.get(
        URL,
        {
            "lat": 13.7563,
            "lng": 100.5018,
            "radius_km": 30,
            "serves": "women,children",
            "category": "housing,counselling",
        },
    )

    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert names(response) == ["Near shelter", "Far counselling"]
    assert body["count"] == 2
    for item, service in zip(body["results"], [near, far], strict=True):
        location = service.service_at_locations.get().location
        expected = geodesic(BANGKOK, (location.latitude, location.longitude)).km
        assert item["distance_km"] == pytest.approx(expected, abs=0.01)
        assert item["id"] == str(service.id)


def test_result_carries_the_contract_fields(api):
    service = make_service(at=(13.76, 100.50), languages=["th", "en"])
    item = api.get(URL, {"lat": 13.76, "lng": 100.5}).json()["results"][0]
    assert {
        "id",
        "name",
        "organization",
        "categories",
        "populations",
        "contexts",
        "status",
        "locations",
        "phones",
        "languages",
        "assured_date",
        "last_modified",
        "distance_km",
    } <= set(item)
    assert item["organization"] == {"id": str(service.organization.id), "name": service.organization.name}
    assert {"id", "latitude", "longitude", "city", "country", "confidential"} <= set(item["locations"][0])
    assert sorted(item["languages"]) == ["en", "th"]


def test_radius_is_exact_not_just_the_bounding_box(api):
    # A box corner is ~1.41 radii away: inside the box, outside the circle.
    corner = geodesic(kilometers=28).destination(BANGKOK, 45)
    make_service(name="corner", at=(corner.latitude, corner.longitude))
    inside = geodesic(kilometers=19.5).destination(BANGKOK, 45)
    make_service(name="inside", at=(inside.latitude, inside.longitude))
    assert names(api.get(URL, {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 20})) == ["inside"]


def test_default_radius_is_25_km(api):
    at_24 = geodesic(kilometers=24).destination(BANGKOK, 90)
    at_26 = geodesic(kilometers=26).destination(BANGKOK, 90)
    make_service(name="24", at=(at_24.latitude, at_24.longitude))
    make_service(name="26", at=(at_26.latitude, at_26.longitude))
    assert names(api.get(URL, {"lat": BANGKOK[0], "lng": BANGKOK[1]})) == ["24"]


def test_distance_is_to_the_nearest_of_several_locations(api):
    org = make_organization()
    service = make_service(org, at=(13.95, 100.50))
    from referrals.models import ServiceAtLocation

    ServiceAtLocation.objects.create(service=service, location=make_location(org, latitude=13.76, longitude=100.50))
    item = api.get(URL, {"lat": 13.76, "lng": 100.50}).json()["results"][0]
    assert item["distance_km"] < 0.1
    assert [loc["distance_km"] for loc in item["locations"]] == sorted(loc["distance_km"] for loc in item["locations"])


def test_search_just_across_the_antimeridian_finds_the_fiji_listing(api):
    # Waiyevo on Taveuni lies west of 180° in longitude numbers; search from just east of the line.
    make_service(name="Taveuni clinic", at=(-16.7889, -179.9889))
    make_service(name="Samoa", at=(-13.83, -171.76))
    response = api.get(URL, {"lat": -16.80, "lng": 179.95, "radius_km": 20})
    assert names(response) == ["Taveuni clinic"]
    expected = geodesic((-16.80, 179.95), (-16.7889, -179.9889)).km
    assert response.json()["results"][0]["distance_km"] == pytest.approx(expected, abs=0.01)


def test_bbox_filters_and_may_cross_the_antimeridian(api):
    make_service(name="Suva", at=(-18.14, 178.44))
    make_service(name="Taveuni", at=(-16.79, -179.99))
    make_service(name="Bangkok", at=BANGKOK)
    assert sorted(names(api.get(URL, {"bbox": "178,-20,-179,-15"}))) == ["Suva", "Taveuni"]
    assert names(api.get(URL, {"bbox": "100,13,101,14"})) == ["Bangkok"]


def test_category_matches_any(api):
    make_service(name="a", categories=["housing"])
    make_service(name="b", categories=["medical"])
    make_service(name="c", categories=["legal"])
    assert names(api.get(URL, {"category": "housing,medical"})) == ["a", "b"]


def test_serves_matches_all(api):
    make_service(name="both", populations=["women", "children"])
    make_service(name="women", populations=["women"])
    assert names(api.get(URL, {"serves": "women,children"})) == ["both"]


def test_context_matches_any(api):
    make_service(name="camp", contexts=["refugee_camp"])
    make_service(name="city", contexts=["urban"])
    assert names(api.get(URL, {"context": "refugee_camp,conflict_zone"})) == ["camp"]


def test_language_filter(api):
    make_service(name="khmer", languages=["km", "en"])
    make_service(name="thai", languages=["th"])
    assert names(api.get(URL, {"language": "km"})) == ["khmer"]


def test_age_filter_uses_the_age_range(api):
    make_service(name="children", minimum_age=0, maximum_age=17)
    make_service(name="adults", minimum_age=18)
    make_service(name="anyone")
    assert names(api.get(URL, {"age": 15})) == ["anyone", "children"]
    assert names(api.get(URL, {"age": 30})) == ["adults", "anyone"]


def test_country_filter_by_location_or_service_area(api):
    org = make_organization()
    make_service(org, name="in thailand", at=BANGKOK)
    make_service(org, name="in cambodia", at=make_location(org, latitude=11.55, longitude=104.92, country="KH"))
    national = make_service(org, name="cambodian hotline")
    ServiceArea.objects.create(service=national, kind="country", country="KH")
    assert names(api.get(URL, {"country": "KH"})) == ["cambodian hotline", "in cambodia"]
    assert names(api.get(URL, {"country": "th"})) == ["in thailand"]


def test_free_filter(api):
    make_service(name="free", free=True)
    make_service(name="paid", free=False)
    assert names(api.get(URL, {"free": "true"})) == ["free"]
    assert names(api.get(URL, {"free": "false"})) == ["paid"]


def test_has_capacity_counts_only_fresh_free_places(api):
    fresh = make_service(name="fresh")
    add_capacity(fresh, available=2)
    stale = make_service(name="stale")
    add_capacity(stale, available=5, updated=timezone.now() - timedelta(hours=49))
    full = make_service(name="full")
    add_capacity(full, available=0)
    assert names(api.get(URL, {"has_capacity": "true"})) == ["fresh"]
    assert len(names(api.get(URL, {"has_capacity": "false"}))) == 3


def test_q_searches_names_and_descriptions_of_service_and_organisation(api):
    make_service(name="Riverside shelter", description="Beds for women")
    make_service(make_organization(name="Coral Counselling Trust"), name="Drop-in")
    make_service(name="Clinic", description="Medical checks")
    assert names(api.get(URL, {"q": "shelter"})) == ["Riverside shelter"]
    assert names(api.get(URL, {"q": "coral"})) == ["Drop-in"]
    assert names(api.get(URL, {"q": "medical checks"})) == ["Clinic"]


def test_status_defaults_to_active(api):
    make_service(name="active")
    make_service(name="closed", status="temporarily closed")
    make_service(name="defunct", status="defunct")
    assert names(api.get(URL)) == ["active"]
    assert names(api.get(URL, {"status": "temporarily closed,defunct"})) == ["closed", "defunct"]


def test_organization_filter(api):
    mine = make_organization(name="Mine")
    make_service(mine, name="mine")
    make_service(make_organization(name="Other"), name="other")
    assert names(api.get(URL, {"organization": str(mine.id)})) == ["mine"]


def test_unvetted_organisations_are_not_listed(api):
    make_service(make_organization(vetted=False), name="unvetted")
    make_service(name="vetted")
    assert names(api.get(URL)) == ["vetted"]


def test_ordering(api):
    make_service(name="b", at=(13.76, 100.51))
    make_service(name="a", at=(13.90, 100.51))
    assert names(api.get(URL, {"lat": 13.76, "lng": 100.51})) == ["b", "a"]
    assert names(api.get(URL, {"lat": 13.76, "lng": 100.51, "ordering": "name"})) == ["a", "b"]
    assert names(api.get(URL, {"ordering": "-name"})) == ["b", "a"]


def test_pagination_envelope_and_page_size(api):
    for index in range(5):
        make_service(name=f"s{index}")
    body = api.get(URL, {"page_size": 2, "page": 2}).json()
    assert body["count"] == 5
    assert [item["name"] for item in body["results"]] == ["s2", "s3"]
    assert "page=3" in body["next"] and body["previous"]


def test_pagination_of_a_distance_search_keeps_nearest_first_across_pages(api):
    for index in range(5):
        make_service(name=f"s{index}", at=(13.76 + index * 0.01, 100.5))
    first = api.get(URL, {"lat": 13.76, "lng": 100.5, "page_size": 2}).json()
    second = api.get(URL, {"lat": 13.76, "lng": 100.5, "page_size": 2, "page": 2}).json()
    assert [i["name"] for i in first["results"] + second["results"]] == ["s0", "s1", "s2", "s3"]
    assert first["count"] == 5


@pytest.mark.parametrize("near", [{}, {"lat": 13.76, "lng": 100.5}], ids=["by name", "by distance"])
def test_the_count_stops_at_the_limit_and_says_so_and_next_still_leads_through_every_result(api, settings, near):
    settings.SEARCH_COUNT_LIMIT = 3
    for index in range(5):
        make_service(name=f"s{index}", at=(13.76 + index * 0.01, 100.5))
    seen, url, params = [], URL, {**near, "page_size": 2}
    while url:
        body = api.get(url, params).json()
        assert body["count"] == 3 and body["count_is_exact"] is False
        seen += [item["name"] for item in body["results"]]
        url, params = body["next"], None
    assert seen == ["s0", "s1", "s2", "s3", "s4"]
    past = api.get(URL, {**near, "page_size": 2, "page": 4})
    assert past.status_code == 404 and "page" in past.json()
    settings.SEARCH_COUNT_LIMIT = 5
    exact = api.get(URL, {**near, "page_size": 2}).json()
    assert exact["count"] == 5 and exact["count_is_exact"] is True
    last = api.get(URL, {**near, "page_size": 2, "page": 4})
    assert last.status_code == 404 and "there are 3" in last.json()["page"][0]


def test_links_keep_words_a_client_sent_as_raw_utf8(api):
    from urllib.parse import parse_qs, urlparse

    for index in range(3):
        make_service(name=f"บ้านปลอดภัย {index}")
    body = api.get("/api/v1/services/?q=ปลอดภัย&page_size=1").json()  # not percent-encoded, as some clients send
    assert parse_qs(urlparse(body["next"]).query)["q"] == ["ปลอดภัย"]
    second = api.get(body["next"]).json()
    assert second["count"] == 3 and parse_qs(urlparse(second["previous"]).query) == {
        "q": ["ปลอดภัย"],
        "page_size": ["1"],
    }


def test_page_numbers_past_the_maximum_are_a_400_and_the_last_allowed_page_a_404(api):
    from api.pagination import MAX_PAGE

    make_service(at=BANGKOK)
    near = {"lat": BANGKOK[0], "lng": BANGKOK[1]}
    for params in ({}, near, {**near, "ordering": "name"}):
        huge = api.get(URL, {**params, "page": 10**19})
        assert huge.status_code == 400 and "page" in huge.json(), params
        last = api.get(URL, {**params, "page": MAX_PAGE, "page_size": 100})
        assert last.status_code == 404 and "page" in last.json(), params
    body = api.post(f"{URL}search/", {**near, "page": 10**19}, format="json")
    assert body.status_code == 400 and "page" in body.json()


def test_sparse_fieldsets(api):
    make_service(name="x", at=BANGKOK)
    item = api.get(URL, {"fields": "id,name,distance_km", "lat": BANGKOK[0], "lng": BANGKOK[1]}).json()["results"][0]
    assert set(item) == {"id", "name", "distance_km"}


def test_open_now_uses_each_locations_time_zone(api, monkeypatch):
    # 2026-11-30 is a Monday. 03:00 UTC is 10:00 in Bangkok and 15:00 in Fiji.
    moment = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    monkeypatch.setattr("referrals.managers.timezone.now", lambda: moment)
    org = make_organization()
    bangkok = make_service(org, name="bangkok 9-17", at=BANGKOK)
    add_hours(bangkok, bangkok.service_at_locations.get().location, weekday=1, opens=(9, 0), closes=(17, 0))
    suva = make_service(
        org,
        name="suva 9-12",
        at=make_location(org, latitude=-18.14, longitude=178.44, country="FJ", time_zone="Pacific/Fiji"),
    )
    add_hours(suva, suva.service_at_locations.get().location, weekday=1, opens=(9, 0), closes=(12, 0))
    always = make_service(org, name="hotline 24/7")
    add_hours(always, all_day=True, time_zone="Asia/Manila")
    night = make_service(org, name="night 20-06 sunday")
    # Sunday 20:00 to Monday 06:00 in Samoa (UTC+13): Monday 16:00 local at 03:00 UTC, so closed.
    add_hours(night, weekday=7, opens=(20, 0), closes=(6, 0), time_zone="Pacific/Apia")
    assert names(api.get(URL, {"open_now": "true"})) == ["bangkok 9-17", "hotline 24/7"]


def test_open_now_overnight_span_counts_after_midnight(api, monkeypatch):
    # Monday 02:00 in Bangkok (Sunday 19:00 UTC): a Sunday 20:00-06:00 night shelter is open.
    monkeypatch.setattr("referrals.managers.timezone.now", lambda: datetime(2026, 11, 29, 19, 0, tzinfo=UTC))
    night = make_service(name="night")
    add_hours(night, weekday=7, opens=(20, 0), closes=(6, 0), time_zone="Asia/Bangkok")
    day = make_service(name="day")
    add_hours(day, weekday=1, opens=(8, 0), closes=(17, 0), time_zone="Asia/Bangkok")
    assert names(api.get(URL, {"open_now": "true"})) == ["night"]


def test_detail_returns_the_full_record(api):
    service = make_service(at=BANGKOK, description="Long text", eligibility_description="Women 18+")
    body = api.get(f"{URL}{service.id}/").json()
    assert body["description"] == "Long text"
    assert body["locations"][0]["address_1"] == "1 Example Road"
    assert "schedules" in body and "service_areas" in body


def test_detail_of_unknown_or_malformed_id_is_a_json_404(api):
    assert api.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    response = api.get(f"{URL}not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_taxonomy_endpoints_list_codes(api):
    for path, code in (
        ("categories", "housing"),
        ("populations", "unaccompanied_minors"),
        ("contexts", "refugee_camp"),
        ("languages", "km"),
    ):
        body = api.get(f"/api/v1/{path}/").json()
        assert code in [item["code"] for item in body["results"]], path


def test_organizations_list_and_detail(api):
    org = make_organization(name="Lotus Bridge Trust")
    make_service(org)
    make_organization(name="Hidden", vetted=False)
    body = api.get("/api/v1/organizations/").json()
    assert [item["name"] for item in body["results"]] == ["Lotus Bridge Trust"]
    assert body["results"][0]["service_count"] == 1
    assert api.get(f"/api/v1/organizations/{org.id}/").json()["name"] == "Lotus Bridge Trust"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_a_new_category_is_usable_at_once(api):
    from referrals.models import Category

    assert api.get(URL, {"category": "sports"}).status_code == 400
    Category.objects.create(code="sports", name="Sports")
    make_service(name="football", categories=["sports"])
    assert names(api.get(URL, {"category": "sports"})) == ["football"]


def test_post_search_takes_the_same_parameters_in_a_json_body(api):
    org = make_organization()
    make_service(
        org, name="Near shelter", categories=["housing"], populations=["women", "children"], at=(13.80, 100.55)
    )
    make_service(org, name="Medical", categories=["medical"], populations=["women", "children"], at=(13.76, 100.50))
    body = {"lat": 13.7563, "lng": 100.5018, "radius_km": 30, "serves": ["women", "children"], "category": ["housing"]}
    response = api.post(f"{URL}search/", body, format="json")
    assert response.status_code == 200, response.content
    assert names(response) == ["Near shelter"]
    assert response.json()["results"][0]["distance_km"] > 0
    assert "women" not in (response.json()["next"] or "")


def test_post_search_pages_through_the_same_body(api):
    for index in range(3):
        make_service(name=f"s{index}")
    first = api.post(f"{URL}search/", {"page_size": 2}, format="json").json()
    assert first["next"].endswith("/api/v1/services/search/?page=2")
    second = api.post(first["next"], {"page_size": 2}, format="json").json()
    assert [item["name"] for item in second["results"]] == ["s2"]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"lat": 91, "lng": 100}, "lat"),
        ({"lat": "13", "lng": 100}, "lat"),
        ({"category": ["spaceships"]}, "category"),
        ({"categroy": ["housing"]}, "categroy"),
        ({"bbox": [1, 2, 3]}, "bbox"),
        ({"page_size": 1000}, "page_size"),
        ({"fields": ["secret"]}, "fields"),
        ({"free": "yes"}, "free"),
    ],
)
def test_post_search_bad_bodies_get_400_naming_the_field(api, body, name):
    make_service()
    response = api.post(f"{URL}search/", body, format="json")
    assert response.status_code == 400
    assert name in response.json()


def test_post_search_keeps_terms_out_of_the_disclosure_log_endpoint(world):
    from referrals.models import Disclosure

    world.client_for("caseworker").post(
        "/api/v1/services/search/", {"lat": 13.74, "lng": 100.53, "radius_km": 10, "q": "shelter"}, format="json"
    )
    assert [d.endpoint for d in Disclosure.objects.all()] == ["POST /api/v1/services/search/"]


def test_outreach_team_covering_a_camp_is_found_from_inside_the_camp(api):
    """Mae La camp; the team's office is in Mae Sot's hinterland, 80 km away."""
    camp = (16.5286, 98.5239)
    office = geodesic(kilometers=80).destination(camp, 90)
    team = make_service(name="Mobile clinic", at=(office.latitude, office.longitude), contexts=["mobile_outreach"])
    ServiceArea.objects.create(service=team, kind="radius", country="TH", latitude=16.53, longitude=98.52, radius_km=15)
    make_service(name="Camp health post", at=(16.531, 98.525))
    make_service(name="Far away team", at=(office.latitude, office.longitude))
    body = api.get(URL, {"lat": camp[0], "lng": camp[1], "radius_km": 10}).json()
    assert [(r["name"], r["matched_by"]) for r in body["results"]] == [
        ("Mobile clinic", "coverage"),  # it works right here: 0 km to its area
        ("Camp health post", "location"),
    ]
    assert body["results"][0]["distance_km"] == 0.0 and 0 < body["results"][1]["distance_km"] < 1
    assert body["count"] == 2


def test_an_area_whose_edge_lies_within_the_radius_is_found_at_the_distance_to_its_edge(api):
    team = make_service(name="Team", at=(17.5, 98.5))
    ServiceArea.objects.create(service=team, kind="radius", country="TH", latitude=16.53, longitude=98.52, radius_km=15)
    point = geodesic(kilometers=20).destination((16.53, 98.52), 0)  # 5 km outside the circle
    item = api.get(URL, {"lat": point.latitude, "lng": point.longitude, "radius_km": 10}).json()["results"][0]
    assert item["matched_by"] == "coverage" and item["distance_km"] == pytest.approx(5, abs=0.05)
    assert api.get(URL, {"lat": point.latitude, "lng": point.longitude, "radius_km": 4}).json()["count"] == 0


@pytest.mark.parametrize("spelling", ["Tak", "Changwat Tak", "tak province"])
def test_a_provincial_team_covers_every_point_of_its_province(api, spelling):
    team = make_service(name="Tak outreach", at=(13.75, 100.50))  # its office is in Bangkok
    ServiceArea.objects.create(service=team, kind="province", country="TH", state_province=spelling)
    item = api.get(URL, {"near": "Mae Sot", "radius_km": 10}).json()["results"][0]
    assert (item["name"], item["matched_by"], item["distance_km"]) == ("Tak outreach", "coverage", 0.0)
    assert names(api.get(URL, {"near": "Chiang Mai"})) == []
    assert names(api.get(URL, {"country": "TH"})) == ["Tak outreach"]


def test_region_at_names_the_country_and_province_of_a_point():
    from referrals.gazetteer import region_at

    assert region_at(16.7131, 98.5747) == ("TH", "tak")  # Mae Sot
    assert region_at(16.8409, 96.1735) == ("MM", "yangon")
    assert region_at(18.7883, 98.9853) == ("TH", "chiangmai")
    assert region_at(0.0, -150.0) is None  # mid-Pacific, no town within 60 km


def test_a_national_hotline_covers_every_point_of_its_country(api):
    hotline = make_service(name="National hotline", categories=["hotline"])
    ServiceArea.objects.create(service=hotline, kind="country", country="KH")
    assert names(api.get(URL, {"near": "Siem Reap"})) == ["National hotline"]
    assert names(api.get(URL, {"near": "Chiang Mai"})) == []


def test_coverage_near_a_safe_house_uses_the_public_centre(world):
    """An area drawn tightly around a confidential shelter must not answer probes at the house itself."""
    ServiceArea.objects.create(
        service=world.service_a,
        kind="radius",
        country="TH",
        latitude=world.HOUSE[0],
        longitude=world.HOUSE[1],
        radius_km=0.2,
    )
    at_house = {"lat": world.HOUSE[0], "lng": world.HOUSE[1], "radius_km": 0.1}
    assert world.client_for("anonymous").get(URL, at_house).json()["count"] == 0
    assert world.client_for("caseworker").get(URL, at_house).json()["count"] == 1


def test_renaming_an_organisation_updates_its_services_keyword_search_in_one_statement(
    api, django_assert_max_num_queries
):
    org = make_organization(name="Old Name Trust")
    for index in range(5):
        make_service(org, name=f"s{index}")
    org.name = "Lantern Bridge Trust"
    # save, read services and their translations, one bulk update (+ history), in a savepoint (2); the sync
    # bump: ids, counter (2), states (3), one bulk update, and its two savepoints (4); the search index:
    # locations, areas, four vocabularies, services, the countries and codes (one UPDATE per distinct pair), delete,
    # insert, in a savepoint (2). Whatever the number of services: the same count.
    with django_assert_max_num_queries(29):
        org.save()
    assert len(names(api.get(URL, {"q": "lantern"}))) == 5


def test_codes_come_in_each_vocabularys_order_in_list_detail_and_sync(api):
    from referrals.models import Category, Language

    Category.objects.filter(code="medical").update(position=1)
    Category.objects.filter(code="housing").update(position=50)
    Language.objects.get_or_create(code="km", defaults={"name": "Khmer"})
    org = make_organization()
    service = make_service(org, categories=["housing", "medical"], languages=["th", "en"], at=BANGKOK)
    phone = add_phone(service=service, number="+66 555 0199")
    phone.languages.set(["km", "en"])
    general = add_phone(organization=org, number="+66 555 0198")
    general.languages.set(["th", "en"])

    listed = api.get("/api/v1/services/").json()["results"][0]
    detail = api.get(f"/api/v1/services/{service.pk}/").json()
    synced = api.get("/api/v1/sync/", {"country": "TH"}).json()["results"][0]
    for record in (listed, detail, synced):
        assert record["categories"] == ["medical", "housing"]  # by position, not by code
        assert record["languages"] == ["en", "th"]
        assert record["phones"][0]["languages"] == ["en", "km"]
    # Phones loaded without the services' codes read their relation: the organisation's general numbers.
    assert synced["organization"]["phones"][0]["languages"] == ["en", "th"]
