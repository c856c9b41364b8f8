"""Holes a review found, kept shut: browsable-API forms, forged client IPs, NaN, cross-organisation hours, members."""

import pytest
from django.test import Client
from knox.models import AuthToken

from referrals.models import MemberRole, Membership, ServiceArea
from tests.helpers import make_location, make_user

pytestmark = pytest.mark.django_db

SECRETS = ("9 Secret Soi", "10110", "A house on Secret Soi 9")


@pytest.mark.parametrize("actor", ["provider_b", "unvetted_caseworker", "partner"])
def test_browsable_api_renders_no_prefilled_edit_form_for_non_owners(world, actor):
    html = world.client_for(actor).get(f"/api/v1/locations/{world.house.pk}/?format=api").content.decode()
    for secret in SECRETS:
        assert secret not in html, (actor, secret)


def test_browsable_api_still_offers_owners_their_form(world):
    html = world.client_for("provider_a").get(f"/api/v1/locations/{world.house.pk}/?format=api").content.decode()
    assert "9 Secret Soi" in html


def test_a_forged_x_forwarded_for_does_not_escape_the_login_throttle(api, monkeypatch):
    from rest_framework.settings import api_settings

    from api.throttling import LoginThrottle

    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "login": "3/min"})
    statuses = [
        api.post(
            "/api/v1/auth/login/",
            {"username": f"user{n}", "password": "wrong-password-123"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(5)
    ]
    assert statuses[3:] == [429, 429]


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "1", True, None])
def test_coordinates_must_be_finite_json_numbers(world, value):
    response = world.client_for("provider_a").post(
        "/api/v1/service-areas/",
        {
            "service": str(world.service_a.pk),
            "kind": "radius",
            "country": "TH",
            "latitude": value,
            "longitude": 100.5,
            "radius_km": 10,
        },
        format="json",
    )
    assert response.status_code == 400 and "latitude" in response.json()
    assert not ServiceArea.objects.exists()


def test_model_validation_refuses_nan_too():
    from django.core.exceptions import ValidationError

    from referrals.models.validators import validate_finite

    with pytest.raises(ValidationError):
        validate_finite(float("nan"))


def test_hours_cannot_move_to_another_organisations_location(world):
    provider = world.client_for("provider_a")
    hours = provider.post(
        "/api/v1/schedules/",
        {
            "service": str(world.service_a.pk),
            "weekday": 1,
            "opens_at": "09:00",
            "closes_at": "17:00",
            "time_zone": "Asia/Bangkok",
        },
        format="json",
    )
    assert hours.status_code == 201, hours.content
    elsewhere = make_location(world.org_b)
    moved = world.client_for("moderator").patch(
        f"/api/v1/schedules/{hours.json()['id']}/", {"location": str(elsewhere.pk)}, format="json"
    )
    assert moved.status_code == 400 and "location" in moved.json()


def test_an_unvetted_organisation_cannot_pull_people_in(world):
    world.org_a.vetted = False
    world.org_a.save()
    make_user("someone")
    response = world.client_for("admin_a").post(
        f"/api/v1/organizations/{world.org_a.pk}/members/", {"username": "someone", "role": "editor"}, format="json"
    )
    assert response.status_code == 400 and "organization" in response.json()


def test_the_last_admin_cannot_leave_or_step_down(world):
    admin = world.client_for("admin_a")
    me = world.users["admin_a"].pk
    url = f"/api/v1/organizations/{world.org_a.pk}/members/{me}/"
    assert admin.patch(url, {"role": "editor"}, format="json").status_code == 400
    assert admin.delete(url).status_code == 400
    Membership.objects.filter(user=world.users["provider_a"]).update(role=MemberRole.ADMIN)
    assert admin.patch(url, {"role": "editor"}, format="json").status_code == 200


def test_member_ids_out_of_range_are_404(world):
    url = f"/api/v1/organizations/{world.org_a.pk}/members/99999999999999999999999/"
    assert world.client_for("admin_a").delete(url).status_code == 404


def test_revoking_access_ends_browser_sessions_too(world):
    browser = Client()
    browser.force_login(world.users["caseworker"])
    assert browser.get("/api/v1/auth/me/").status_code == 200
    AuthToken.objects.create(world.users["caseworker"])
    body = world.client_for("moderator").post("/api/v1/auth/revoke/", {"username": "caseworker"}, format="json").json()
    assert body["revoked"] >= 1 and body["sessions_ended"] == 1
    assert browser.get("/api/v1/auth/me/").status_code in (401, 403)


def test_revoke_refuses_bad_usernames_with_a_400(world):
    moderator = world.client_for("moderator")
    assert moderator.post("/api/v1/auth/revoke/", {"username": "a\x00b"}, format="json").status_code == 400
    assert moderator.post("/api/v1/auth/revoke/", {"username": ["x"]}, format="json").status_code == 400


def test_history_and_members_take_page_parameters(world):
    provider = world.client_for("admin_a")
    assert provider.get(f"/api/v1/services/{world.service_a.pk}/history/", {"page_size": 2}).status_code == 200
    assert provider.get(f"/api/v1/organizations/{world.org_a.pk}/members/", {"page": 1}).status_code == 200
