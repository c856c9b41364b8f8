"""Small payloads and conditional requests: gzip, ETag/304, Cache-Control and Vary."""

import gzip
import json

import pytest

from tests.helpers import make_organization, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty_services():
    org = make_organization()
    for index in range(20):
        make_service(org, name=f"Shelter {index:02d}", at=(13.70 + index * 0.002, 100.50), description="x" * 200)


def test_unchanged_list_page_answers_304_to_its_etag(api, twenty_services):
    first = api.get("/api/v1/services/")
    etag = first["ETag"]
    assert etag
    again = api.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    from referrals.models import Service

    service = Service.objects.first()
    service.name = "Renamed"
    service.save()
    assert api.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_detail_answers_304_too(api, twenty_services):
    from referrals.models import Service

    url = f"/api/v1/services/{Service.objects.first().pk}/"
    etag = api.get(url)["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_json_is_gzipped_when_the_client_accepts_it(api, twenty_services):
    response = api.get("/api/v1/services/", {"page_size": 20}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.content))
    assert len(body["results"]) == 20
    assert len(response.content) < 8 * 1024


def test_anonymous_responses_are_briefly_public_and_personal_ones_private(api, world):
    anonymous = api.get("/api/v1/categories/")
    assert "public" in anonymous["Cache-Control"] and "max-age=60" in anonymous["Cache-Control"]
    personal = world.client_for("caseworker").get("/api/v1/categories/")
    assert "private" in personal["Cache-Control"] and "public" not in personal["Cache-Control"]
    partner = world.client_for("partner").get("/api/v1/categories/")
    assert "private" in partner["Cache-Control"]
    for response in (anonymous, personal):
        vary = {value.strip().lower() for value in response["Vary"].split(",")}
        assert {"authorization", "cookie", "accept-language"} <= vary


def test_errors_and_writes_are_not_stored(api, world):
    assert "no-store" in api.get("/api/v1/services/", {"lat": 91, "lng": 1})["Cache-Control"]
    response = world.client_for("provider_a").patch(
        f"/api/v1/services/{world.service_a.pk}/", {"name": "x"}, format="json"
    )
    assert "no-store" in response["Cache-Control"]
