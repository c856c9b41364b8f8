"""Logins, tokens, API keys, sign-up and vetting."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from referrals.models import Caseworker, Organization
from tests.helpers import make_service, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
PASSWORD = "a-long-test-password"


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, format="json")


def test_login_gives_a_token_with_its_expiry_and_the_token_works(api):
    make_user("alice")
    response = login(api, "alice")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token"] and body["expiry"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.get("/api/v1/auth/me/").json()["username"] == "alice"


def test_failed_login_does_not_say_whether_the_user_exists(api):
    make_user("alice")
    wrong_password = login(api, "alice", "wrong-password-123")
    no_such_user = login(api, "nobody-here", "wrong-password-123")
    assert wrong_password.status_code == no_such_user.status_code == 400
    assert wrong_password.json() == no_such_user.json()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_account_locks_after_repeated_failures_even_for_the_right_password(api):
    make_user("alice")
    statuses = [login(api, "alice", "wrong-password-123").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]  # the third failure locks the username
    locked = login(api, "alice")  # the right password does not help now
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "detail" in locked.json()
    assert not AuthToken.objects.filter(user__username="alice").exists()
    # An unknown username locks the same way: the answer says nothing about whether an account exists.
    statuses = [login(api, "nobody-here", "wrong-password-123").status_code for _ in range(4)]
    assert statuses == [400, 400, 429, 429]


def test_brute_forcing_logins_is_throttled_with_retry_after(api, monkeypatch):
    from rest_framework.settings import api_settings

    from api.throttling import LoginThrottle

    # monkeypatch puts the class's own rates back (an assignment restored from api_settings inside an
    # overridden REST_FRAMEWORK setting left 3/min on it for every later test).
    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "login": "3/min"})
    statuses = [login(api, f"user{n}", "wrong-password-123").status_code for n in range(5)]
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3] == 429
    response = login(api, "user9", "wrong-password-123")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_logout_revokes_the_token(api):
    user = make_user("alice")
    _, token = AuthToken.objects.create(user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.get("/api/v1/auth/me/").status_code == 401


def test_expired_token_is_refused(api):
    user = make_user("alice")
    instance, token = AuthToken.objects.create(user, expiry=timedelta(hours=1))
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/auth/me/").status_code == 401


def test_moderator_revokes_a_users_tokens(world):
    _, token = AuthToken.objects.create(world.users["caseworker"])
    lost_phone = APIClient()
    lost_phone.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert lost_phone.get("/api/v1/auth/me/").status_code == 200
    moderator = world.client_for("moderator")
    assert moderator.post("/api/v1/auth/revoke/", {"username": "caseworker"}, format="json").json()["revoked"] >= 1
    assert lost_phone.get("/api/v1/auth/me/").status_code == 401
    assert world.client_for("provider_a").post("/api/v1/auth/revoke/", {"username": "caseworker"}).status_code == 403


def test_partner_key_authenticates_and_a_revoked_or_bogus_key_is_401(world):
    partner = world.client_for("partner")
    assert partner.get("/api/v1/services/").status_code == 200
    bogus = APIClient()
    bogus.credentials(HTTP_AUTHORIZATION="Api-Key not.a-key")
    assert bogus.get("/api/v1/services/").status_code == 401
    world.partner_key.revoked = True
    world.partner_key.save()
    assert partner.get("/api/v1/services/").status_code == 401


def test_partner_key_cannot_write(world):
    response = world.client_for("partner").post("/api/v1/services/", {"name": "x"}, format="json")
    assert response.status_code in (401, 403)


def test_partner_keys_are_stored_hashed(world):
    assert world.partner_secret not in world.partner_key.hashed_key
    assert world.partner_key.hashed_key and world.partner_secret.split(".")[0] == world.partner_key.prefix


def test_provider_signup_creates_an_unvetted_organisation_whose_listings_stay_private(api):
    response = api.post(
        "/api/v1/auth/signup/provider/",
        {
            "username": "ngo-lead",
            "password": "correct horse battery staple",
            "email": "lead@example.org",
            "organization_name": "New Lantern Trust",
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    organization = Organization.objects.get(name="New Lantern Trust")
    assert not organization.vetted
    make_service(organization, name="New shelter")
    assert api.get("/api/v1/services/").json()["count"] == 0
    token = login(api, "ngo-lead", "correct horse battery staple").json()["token"]
    member = APIClient()
    member.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [s["name"] for s in member.get("/api/v1/services/").json()["results"]] == ["New shelter"]


def test_signup_refuses_weak_passwords_without_telling_whether_the_username_is_taken(api):
    make_user("taken")
    body = api.post(
        "/api/v1/auth/signup/caseworker/",
        {"username": "taken", "password": "password", "email": "x@example.org", "agency": "Unit"},
        format="json",
    ).json()
    assert "password" in body and "username" not in body
    body = api.post(
        "/api/v1/auth/signup/caseworker/",
        {"username": "fresh-name", "password": "password", "email": "x@example.org", "agency": "Unit"},
        format="json",
    ).json()
    assert "password" in body


def test_caseworker_signs_up_unvetted_and_a_moderator_vets_them(world, api):
    response = api.post(
        "/api/v1/auth/signup/caseworker/",
        {
            "username": "new-cw",
            "password": "correct horse battery staple",
            "email": "cw@example.org",
            "agency": "Hotline 1300",
            "country": "TH",
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    caseworker = Caseworker.objects.get(user__username="new-cw")
    assert not caseworker.vetted
    moderator = world.client_for("moderator")
    assert (
        moderator.post(f"/api/v1/caseworkers/{caseworker.pk}/vet/", {"vetted": True}, format="json").status_code == 200
    )
    caseworker.refresh_from_db()
    assert caseworker.vetted and caseworker.vetted_by == world.users["moderator"]
    assert world.client_for("caseworker").get("/api/v1/caseworkers/").status_code == 403


def test_moderator_vets_an_organisation_and_its_listings_become_public(world, api):
    world.org_b.vetted = False
    world.org_b.save()
    assert "B clinic" not in [s["name"] for s in api.get("/api/v1/services/").json()["results"]]
    assert world.client_for("provider_b").post(f"/api/v1/organizations/{world.org_b.pk}/vet/").status_code == 403
    assert world.client_for("moderator").post(f"/api/v1/organizations/{world.org_b.pk}/vet/").status_code == 200
    assert "B clinic" in [s["name"] for s in api.get("/api/v1/services/").json()["results"]]


def test_session_login_keeps_csrf_for_the_browsable_api(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["provider_a"])
    response = browser.post("/api/v1/services/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
