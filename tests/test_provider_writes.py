"""NGOs keep their own listings through the API; other organisations' records answer 404."""

import pytest

from referrals.models import Phone, Schedule, Service, ServiceArea, ServiceAtLocation

pytestmark = pytest.mark.django_db

NEW_SERVICE = {
    "name": "Riverside counselling",
    "description": "Counselling for survivors",
    "categories": ["counselling", "psychological"],
    "populations": ["women", "girls"],
    "contexts": ["urban"],
    "languages": ["th", "my"],
    "minimum_age": 12,
    "intake": ["walk_in", "referral"],
}


def test_provider_creates_a_service_with_a_confidential_location_end_to_end(world):
    """The acceptance story: A creates, the public sees the public face, a caseworker the full one (logged)."""
    provider = world.client_for("provider_a")
    response = provider.post("/api/v1/services/", {**NEW_SERVICE, "organization": str(world.org_a.pk)}, format="json")
    assert response.status_code == 201, response.content
    service_id = response.json()["id"]
    assert sorted(response.json()["intake"]) == ["referral", "walk_in"]
    provider.post(
        "/api/v1/phones/", {"service": service_id, "number": "+66 555 0110", "type": "hotline"}, format="json"
    )
    location = provider.post(
        "/api/v1/locations/",
        {
            "organization": str(world.org_a.pk),
            "name": "Riverside house",
            "latitude": 13.8123,
            "longitude": 100.5432,
            "address_1": "12 Hidden Lane",
            "city": "Bangkok",
            "country": "TH",
            "time_zone": "Asia/Bangkok",
            "confidential": True,
        },
        format="json",
    )
    assert location.status_code == 201, location.content
    assert location.json()["address_1"] == "12 Hidden Lane"  # the owners see their full face
    link = provider.post(
        "/api/v1/service-at-locations/", {"service": service_id, "location": location.json()["id"]}, format="json"
    )
    assert link.status_code == 201, link.content

    search = {"lat": 13.81, "lng": 100.54, "radius_km": 5}
    for actor in ("anonymous", "partner", "provider_b", "unvetted_caseworker"):
        body = world.client_for(actor).get("/api/v1/services/", search).json()
        assert "Hidden Lane" not in str(body) and "13.8123" not in str(body), actor
        assert body["results"][0]["locations"][0]["approximate"] is True, actor
    caseworker = world.client_for("caseworker").get(f"/api/v1/services/{service_id}/").json()
    assert caseworker["locations"][0]["address_1"] == "12 Hidden Lane"
    log = world.client_for("moderator").get("/api/v1/disclosures/").json()["results"]
    assert [(entry["username"], entry["location"]) for entry in log] == [("caseworker", location.json()["id"])]
    assert log[0]["endpoint"] == f"GET /api/v1/services/{service_id}/"

    # B can neither read A's full face nor change anything of A's.
    provider_b = world.client_for("provider_b")
    assert provider_b.patch(f"/api/v1/services/{service_id}/", {"name": "hijacked"}, format="json").status_code == 404
    assert (
        provider_b.patch(f"/api/v1/locations/{location.json()['id']}/", {"name": "x"}, format="json").status_code == 404
    )
    assert provider_b.delete(f"/api/v1/services/{service_id}/").status_code == 404
    assert Service.objects.get(pk=service_id).name == "Riverside counselling"


def test_provider_cannot_create_for_another_organisation(world):
    response = world.client_for("provider_b").post(
        "/api/v1/services/", {**NEW_SERVICE, "organization": str(world.org_a.pk)}, format="json"
    )
    assert response.status_code == 400
    assert "organization" in response.json()


def test_writes_are_validated_like_the_admin(world):
    provider = world.client_for("provider_a")
    org = str(world.org_a.pk)
    bad_service = provider.post(
        "/api/v1/services/", {**NEW_SERVICE, "organization": org, "minimum_age": 30, "maximum_age": 10}, format="json"
    )
    assert "maximum_age" in bad_service.json()
    no_category = provider.post(
        "/api/v1/services/", {**NEW_SERVICE, "organization": org, "categories": []}, format="json"
    )
    assert "categories" in no_category.json()
    base = {"organization": org, "name": "x", "city": "Bangkok", "country": "TH"}
    for field, value in (("latitude", 91), ("country", "XX"), ("time_zone", "Mars/Olympus")):
        response = provider.post(
            "/api/v1/locations/", {**base, "latitude": 13, "longitude": 100, field: value}, format="json"
        )
        assert response.status_code == 400 and field in response.json(), (field, response.content)
    half_point = provider.post("/api/v1/locations/", {**base, "latitude": 13}, format="json")
    assert "longitude" in half_point.json()
    service = world.service_a
    bad_hours = provider.post(
        "/api/v1/schedules/", {"service": str(service.pk), "weekday": 1, "opens_at": "09:00"}, format="json"
    )
    assert bad_hours.status_code == 400
    bad_day = provider.post(
        "/api/v1/schedules/",
        {"service": str(service.pk), "weekday": 8, "all_day": True, "time_zone": "Asia/Bangkok"},
        format="json",
    )
    assert "weekday" in bad_day.json()


def test_a_confidential_location_needs_a_front_door_contact(world):
    from tests.helpers import make_member, make_organization

    lonely = make_organization(name="No phones yet")
    make_member(lonely, "lonely", role="admin")
    client = world.client_for("provider_a")
    client.force_authenticate(user=lonely.memberships.get().user)
    response = client.post(
        "/api/v1/locations/",
        {
            "organization": str(lonely.pk),
            "name": "House",
            "latitude": 13.7,
            "longitude": 100.5,
            "city": "Bangkok",
            "country": "TH",
            "confidential": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "front-door" in str(response.json()["confidential"])


def test_retiring_a_service_keeps_the_record(world):
    provider = world.client_for("provider_a")
    assert provider.delete(f"/api/v1/services/{world.service_a.pk}/").status_code == 204
    service = Service.objects.get(pk=world.service_a.pk)
    assert service.status == "defunct"
    assert world.client_for("anonymous").get("/api/v1/services/", {"status": "defunct"}).json()["count"] == 1


def test_records_beneath_a_listing_are_owned(world):
    provider_a, provider_b = world.client_for("provider_a"), world.client_for("provider_b")
    phone = provider_a.post(
        "/api/v1/phones/", {"service": str(world.service_a.pk), "number": "+66 555 0111"}, format="json"
    )
    assert phone.status_code == 201, phone.content
    phone_id = phone.json()["id"]
    assert provider_b.get(f"/api/v1/phones/{phone_id}/").status_code == 404
    assert provider_b.delete(f"/api/v1/phones/{phone_id}/").status_code == 404
    assert (
        provider_b.post(
            "/api/v1/phones/", {"service": str(world.service_a.pk), "number": "+66 555 0112"}, format="json"
        ).status_code
        == 400
    )
    area = provider_a.post(
        "/api/v1/service-areas/",
        {
            "service": str(world.service_a.pk),
            "kind": "radius",
            "country": "TH",
            "latitude": 16.53,
            "longitude": 98.52,
            "radius_km": 60,
        },
        format="json",
    )
    assert area.status_code == 201, area.content
    hours = provider_a.post(
        "/api/v1/schedules/",
        {
            "service": str(world.service_a.pk),
            "location": str(world.house.pk),
            "weekday": 7,
            "opens_at": "20:00",
            "closes_at": "06:00",
        },
        format="json",
    )
    assert hours.status_code == 201, hours.content
    assert hours.json()["time_zone"] == "Asia/Bangkok"
    assert Schedule.objects.get(pk=hours.json()["id"]).closes_at.hour == 6
    assert provider_b.get("/api/v1/schedules/").json()["count"] == 0
    link = ServiceAtLocation.objects.get(service=world.service_a)
    assert provider_b.delete(f"/api/v1/service-at-locations/{link.pk}/").status_code == 404
    assert provider_a.delete(f"/api/v1/phones/{phone_id}/").status_code == 204
    assert not Phone.objects.filter(pk=phone_id).exists()
    assert ServiceArea.objects.filter(service=world.service_a).count() == 1


def test_service_cannot_be_given_at_another_organisations_location(world):
    from tests.helpers import make_location

    b_location = make_location(world.org_b)
    response = world.client_for("provider_a").post(
        "/api/v1/service-at-locations/",
        {"service": str(world.service_a.pk), "location": str(b_location.pk)},
        format="json",
    )
    assert response.status_code == 400 and "location" in response.json()


def test_organisation_admin_manages_members(world):
    from tests.helpers import make_user

    make_user("newcomer")
    admin = world.client_for("admin_a")
    added = admin.post(
        f"/api/v1/organizations/{world.org_a.pk}/members/", {"username": "newcomer", "role": "editor"}, format="json"
    )
    assert added.status_code == 201, added.content
    user_id = added.json()["user_id"]
    assert (
        admin.patch(
            f"/api/v1/organizations/{world.org_a.pk}/members/{user_id}/", {"role": "admin"}, format="json"
        ).json()["role"]
        == "admin"
    )
    editor = world.client_for("provider_a")
    assert (
        editor.post(
            f"/api/v1/organizations/{world.org_a.pk}/members/",
            {"username": "newcomer", "role": "editor"},
            format="json",
        ).status_code
        == 404
    )
    assert editor.get(f"/api/v1/organizations/{world.org_a.pk}/members/").json()["count"] == 3
    assert world.client_for("provider_b").get(f"/api/v1/organizations/{world.org_a.pk}/members/").status_code == 404
    assert admin.delete(f"/api/v1/organizations/{world.org_a.pk}/members/{user_id}/").status_code == 204


def test_every_change_lands_in_the_listing_history_with_who_and_what(world):
    provider = world.client_for("provider_a")
    provider.patch(
        f"/api/v1/services/{world.service_a.pk}/",
        {"name": "A shelter (renamed)", "categories": ["housing", "medical"]},
        format="json",
    )
    provider.post("/api/v1/phones/", {"service": str(world.service_a.pk), "number": "+66 555 0177"}, format="json")
    history = provider.get(f"/api/v1/services/{world.service_a.pk}/history/").json()["results"]
    renamed = next(e for e in history if any(c["field"] == "name" for c in e["changes"]))
    assert renamed["user"] == "provider_a" and renamed["action"] == "changed"
    assert {"field": "name", "old": "A shelter", "new": "A shelter (renamed)"} in renamed["changes"]
    assert any(c["field"] == "categories" and c["new"] == ["housing", "medical"] for e in history for c in e["changes"])
    assert any(e["record"] == "phone" and e["action"] == "created" for e in history)
    # Members and moderators read it; others get 404.
    assert world.client_for("moderator").get(f"/api/v1/services/{world.service_a.pk}/history/").status_code == 200
    for actor in ("anonymous", "caseworker", "provider_b", "partner"):
        assert world.client_for(actor).get(f"/api/v1/services/{world.service_a.pk}/history/").status_code in (
            401,
            404,
        ), actor


def test_unvetted_organisation_listings_are_invisible_until_vetted(world):
    world.org_b.vetted = False
    world.org_b.save()
    for actor in ("anonymous", "partner", "caseworker", "provider_a"):
        assert world.client_for(actor).get(f"/api/v1/services/{world.service_b.pk}/").status_code == 404, actor
    for actor in ("provider_b", "moderator"):
        assert world.client_for(actor).get(f"/api/v1/services/{world.service_b.pk}/").status_code == 200, actor


def test_a_province_area_must_name_a_known_province(world):
    provider_a = world.client_for("provider_a")
    body = {"service": str(world.service_a.pk), "kind": "province", "country": "TH"}
    typo = provider_a.post("/api/v1/service-areas/", {**body, "state_province": "Takk"}, format="json")
    assert typo.status_code == 400 and "Did you mean: Tak" in typo.json()["state_province"][0]
    missing = provider_a.post("/api/v1/service-areas/", body, format="json")
    assert missing.status_code == 400 and "state_province" in missing.json()
    known = provider_a.post("/api/v1/service-areas/", {**body, "state_province": "Changwat Tak"}, format="json")
    assert known.status_code == 201, known.content
