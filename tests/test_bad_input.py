"""Every bad parameter gets a 400 whose JSON body names it; nothing is silently ignored."""

import pytest

from tests.helpers import make_service

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/"

BAD = [
    ({"lat": "91", "lng": "100"}, "lat"),
    ({"lat": "-90.5", "lng": "100"}, "lat"),
    ({"lat": "13", "lng": "181"}, "lng"),
    ({"lat": "abc", "lng": "100"}, "lat"),
    ({"lat": "nan", "lng": "100"}, "lat"),
    ({"lat": "13", "lng": "inf"}, "lng"),
    ({"lat": "13", "lng": "100", "radius_km": "-3"}, "radius_km"),
    ({"lat": "13", "lng": "100", "radius_km": "abc"}, "radius_km"),
    ({"lat": "13", "lng": "100", "radius_km": "0"}, "radius_km"),
    ({"lat": "13", "lng": "100", "radius_km": "501"}, "radius_km"),
    ({"lat": "13"}, "lng"),
    ({"lng": "100"}, "lat"),
    ({"radius_km": "10"}, "radius_km"),
    ({"category": "housing,spaceships"}, "category"),
    ({"category": ","}, "category"),
    ({"serves": "aliens"}, "serves"),
    ({"context": "moon"}, "context"),
    ({"language": "xx"}, "language"),
    ({"country": "XX"}, "country"),
    ({"country": "Thailand"}, "country"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "100,14,101,13"}, "bbox"),
    ({"bbox": "100,-95,101,13"}, "bbox"),
    ({"organization": "not-a-uuid"}, "organization"),
    ({"age": "-1"}, "age"),
    ({"age": "15.5"}, "age"),
    ({"age": "old"}, "age"),
    ({"free": "maybe"}, "free"),
    ({"open_now": "2"}, "open_now"),
    ({"has_capacity": "yes please"}, "has_capacity"),
    ({"status": "sleeping"}, "status"),
    ({"ordering": "price"}, "ordering"),
    ({"ordering": "distance"}, "ordering"),
    ({"page_size": "100000"}, "page_size"),
    ({"page_size": "0"}, "page_size"),
    ({"page": "abc"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": ""}, "page"),
    ({"q": "x" * 10_000}, "q"),
    ({"fields": "id,secret_address"}, "fields"),
    ({"categroy": "housing"}, "categroy"),
]


@pytest.mark.parametrize(("params", "name"), BAD, ids=[f"{n}:{str(p)[:40]}" for p, n in BAD])
def test_bad_parameter_gets_400_naming_it(api, params, name):
    make_service(at=(13.75, 100.5))
    response = api.get(URL, params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert name in response.json()


def test_several_bad_parameters_are_all_named(api):
    body = api.get(URL, {"lat": "91", "lng": "200", "category": "nope", "page_size": "5"}).json()
    assert {"lat", "lng", "category"} <= set(body)


def test_unknown_but_well_formed_organization_finds_nothing(api):
    make_service()
    body = api.get(URL, {"organization": "00000000-0000-0000-0000-000000000000"}).json()
    assert body["count"] == 0


def test_client_text_with_percent_signs_in_an_error_is_a_400_not_a_500(api):
    response = api.get("/api/v1/organizations/", {"country": "%s%(x)s;é"})
    assert response.status_code == 400
    assert "country" in response.json()


def test_a_repeated_parameter_is_refused_not_half_ignored(api):
    body = api.get(URL + "?lat=13&lat=14&lng=100").json()
    assert "Give this parameter once" in body["lat"][0]


def test_a_typo_among_many_parameters_is_still_caught(api):
    names = (
        "age bbox category context country fields free has_capacity language open_now ordering organization q serves"
    )
    params = {name: "" for name in [*names.split(), "status"]}
    params.update({"page": 1, "page_size": 5, "lat": 13.75, "lng": 100.5, "radius_km": 500, "format": "json"})
    params["servs"] = "children"
    response = api.get(URL, params)
    assert response.status_code == 400
    assert "servs" in response.json()


def test_page_past_the_end_is_a_json_404_naming_page(api):
    make_service()
    response = api.get(URL, {"page": 5})
    assert response.status_code == 404
    assert "page" in response.json()


def test_unknown_parameter_on_other_endpoints_is_refused(api):
    assert "bogus" in api.get("/api/v1/categories/", {"bogus": 1}).json()
    assert "country" in api.get("/api/v1/organizations/", {"country": "ZZ"}).json()


def test_an_unsupported_method_is_405_even_with_odd_parameters(api):
    assert api.generic("TRACE", "/api/v1/categories/?bogus=1").status_code == 405
    assert api.post("/api/v1/categories/?bogus=1", {}).status_code == 405
    assert api.post("/api/v1/services/", {}).status_code == 401  # writing needs a signed-in person


def test_unknown_url_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
