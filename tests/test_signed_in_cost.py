"""A signed-in reader costs one query more than the public, and every role is read fresh on each request.

The token's look-up brings the user's roles (moderator, vetted caseworker, memberships and their roles) in the
same query; a session's user adds one. Nothing is cached, so withdrawing a vetting, a membership, a moderator's
group, a partner key's grant or the token itself counts from the very next request.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from referrals.models import Caseworker, Membership, PartnerKey
from referrals.services.roles import MODERATORS_GROUP
from tests.helpers import make_member, make_organization, make_user

pytestmark = pytest.mark.django_db

SECRET = "9 Secret Soi"


def queries_of(client, path, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content
    return len(queries), response


def point_search(world):
    return {"lat": world.HOUSE[0], "lng": world.HOUSE[1], "radius_km": 5}


ACTORS = ["caseworker", "unvetted_caseworker", "provider_a", "admin_a", "provider_b", "moderator", "granted_partner"]


@pytest.mark.parametrize("actor", ACTORS)
def test_a_signed_in_search_costs_one_query_more_than_an_anonymous_one(world, actor):
    anonymous = world.client_for("anonymous")
    anonymous.get("/api/v1/services/", point_search(world))  # warm the vocabularies' cache
    public, _ = queries_of(anonymous, "/api/v1/services/", point_search(world))
    client = world.client_for(actor)
    signed_in, response = queries_of(client, "/api/v1/services/", point_search(world))
    assert str(world.service_a.pk) in response.content.decode()
    sees_full_face = actor in {"caseworker", "provider_a", "admin_a", "moderator", "granted_partner"}
    assert (SECRET in detail_of(client, world)) is sees_full_face
    # A confidential full face shown to a caseworker or a partner app is logged: one insert more (a write).
    logs_a_disclosure = actor in {"caseworker", "granted_partner"}
    # Members and moderators search full points off the public index (one query fewer there): never more.
    assert signed_in <= public + 1 + logs_a_disclosure
    if actor in {"caseworker", "unvetted_caseworker", "granted_partner"}:
        assert signed_in == public + 1 + logs_a_disclosure


def test_a_session_reads_its_roles_in_one_query(world):
    client = APIClient()
    client.force_login(world.users["caseworker"])
    client.get("/api/v1/auth/me/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/auth/me/")
    assert response.json()["is_vetted_caseworker"] is True
    reads = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    assert len(reads) == 3, reads  # the session, its user, their roles (then the session's sliding expiry is saved)


def test_roles_of_several_memberships_come_from_the_one_query(world):
    user = world.users["admin_a"]
    Membership.objects.create(user=user, organization=world.org_b, role="editor")
    third = make_organization(name="Org C")
    Membership.objects.create(user=user, organization=third, role="admin")
    _, token = AuthToken.objects.create(user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    count, response = queries_of(client, "/api/v1/auth/me/")
    roles = {m["organization"]: m["role"] for m in response.json()["memberships"]}
    assert roles == {str(world.org_a.pk): "admin", str(world.org_b.pk): "editor", str(third.pk): "admin"}
    assert response.json()["is_moderator"] is False and response.json()["is_vetted_caseworker"] is False
    assert count == 1


def test_a_superuser_is_a_moderator_without_the_group(world):
    user = make_user("root", is_superuser=True)
    _, token = AuthToken.objects.create(user)
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/auth/me/")
    assert response.json()["is_moderator"] is True


def detail_of(client, world):
    response = client.get(f"/api/v1/services/{world.service_a.pk}/")
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_a_withdrawn_vetting_counts_at_once(world):
    client = world.client_for("caseworker")
    assert SECRET in detail_of(client, world)
    Caseworker.objects.filter(user=world.users["caseworker"]).update(vetted=False)
    assert SECRET not in detail_of(client, world)


def test_a_new_vetting_counts_at_once(world):
    client = world.client_for("unvetted_caseworker")
    assert SECRET not in detail_of(client, world)
    Caseworker.objects.filter(user=world.users["unvetted_caseworker"]).update(vetted=True)
    assert SECRET in detail_of(client, world)


def test_a_removed_membership_counts_at_once(world):
    client = world.client_for("provider_a")
    assert SECRET in detail_of(client, world)
    path = f"/api/v1/services/{world.service_a.pk}/"
    assert client.patch(path, {"description": "Kept by A"}, format="json").status_code == 200
    Membership.objects.filter(user=world.users["provider_a"]).delete()
    assert SECRET not in detail_of(client, world)
    assert client.patch(path, {"description": "Not any more"}, format="json").status_code in {403, 404}


def test_a_lost_admin_role_counts_at_once(world):
    client = world.client_for("admin_a")
    org = str(world.org_a.pk)
    assert client.get("/api/v1/auth/me/").json()["memberships"] == [{"organization": org, "role": "admin"}]
    Membership.objects.filter(user=world.users["admin_a"]).update(role="editor")
    assert client.get("/api/v1/auth/me/").json()["memberships"] == [{"organization": org, "role": "editor"}]


def test_a_moderator_taken_out_of_the_group_stops_at_once(world):
    client = world.client_for("moderator")
    assert client.get("/api/v1/disclosures/").status_code == 200
    world.users["moderator"].groups.remove(Group.objects.get(name=MODERATORS_GROUP))
    assert client.get("/api/v1/disclosures/").status_code == 403


def test_a_withdrawn_partner_grant_counts_at_once(world):
    client = world.client_for("granted_partner")
    assert SECRET in detail_of(client, world)
    PartnerKey.objects.filter(pk=world.granted_key.pk).update(confidential_access=False)
    assert SECRET not in detail_of(client, world)


@pytest.mark.parametrize(
    "withdraw",
    [
        lambda user: AuthToken.objects.filter(user=user).delete(),
        lambda user: get_user_model().objects.filter(pk=user.pk).update(is_active=False),
        lambda user: AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1)),
    ],
    ids=["token revoked", "user deactivated", "token expired"],
)
def test_a_withdrawn_token_or_user_is_refused_at_once(world, withdraw):
    client = world.client_for("caseworker")
    assert SECRET in detail_of(client, world)
    withdraw(world.users["caseworker"])
    response = client.get(f"/api/v1/services/{world.service_a.pk}/")
    assert response.status_code == 401 and SECRET not in response.content.decode()


def test_an_expired_token_is_deleted_when_used(world):
    user = world.users["caseworker"]
    instance, token = AuthToken.objects.create(user)
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/auth/me/").status_code == 401
    assert not AuthToken.objects.filter(pk=instance.pk).exists()


def test_logging_in_sweeps_the_users_expired_tokens(api, world):
    user = world.users["caseworker"]
    user.set_password("a long enough passphrase")
    user.save()
    stale, _ = AuthToken.objects.create(user)
    AuthToken.objects.filter(pk=stale.pk).update(expiry=timezone.now() - timedelta(days=1))
    live, _ = AuthToken.objects.create(user)
    other = AuthToken.objects.create(world.users["moderator"])[0]
    AuthToken.objects.filter(pk=other.pk).update(expiry=timezone.now() - timedelta(days=1))
    credentials = {"username": "caseworker", "password": "a long enough passphrase"}
    response = api.post("/api/v1/auth/login/", credentials, format="json")
    assert response.status_code == 200, response.content
    assert not AuthToken.objects.filter(pk=stale.pk).exists()
    assert AuthToken.objects.filter(pk=live.pk).exists()
    assert AuthToken.objects.filter(pk=other.pk).exists()  # another user's are theirs to sweep


def test_tokens_that_share_a_key_prefix_are_told_apart_by_their_digest(world):
    """knox looks tokens up by an 8-15 character prefix; only the digest says whose a token is."""
    mine, token = AuthToken.objects.create(world.users["unvetted_caseworker"])
    theirs, _ = AuthToken.objects.create(world.users["moderator"])
    AuthToken.objects.filter(pk=theirs.pk).update(token_key=mine.token_key)
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/auth/me/")
    assert response.json()["username"] == "unvetted" and response.json()["is_moderator"] is False
    forged = token[: len(mine.token_key)] + "0" * (len(token) - len(mine.token_key))
    assert APIClient(HTTP_AUTHORIZATION=f"Token {forged}").get("/api/v1/auth/me/").status_code == 401


def test_a_member_added_while_signed_in_gains_the_role_at_once(world):
    user = make_member(world.org_b, "newcomer")
    _, token = AuthToken.objects.create(user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert SECRET not in detail_of(client, world)
    Membership.objects.create(user=user, organization=world.org_a, role="editor")
    assert SECRET in detail_of(client, world)


@pytest.fixture
def removed_while_waiting(monkeypatch):
    """A write queued ahead of the next one commits, while it waits on the lock, whatever `remove` does."""
    from contextlib import contextmanager

    from referrals.services import sync

    real = sync.write_transaction
    pending = []

    @contextmanager
    def queued_behind_a_write():
        while pending:
            pending.pop()()
        with real():
            yield

    monkeypatch.setattr(sync, "write_transaction", queued_behind_a_write)
    return pending.append


def test_a_write_reads_its_writers_roles_inside_the_lock(world, removed_while_waiting):
    """The token's look-up read the roles before the write queued; the write reads them again once it holds it."""
    client = world.client_for("provider_a")
    path = f"/api/v1/services/{world.service_a.pk}/"
    removed_while_waiting(lambda: Membership.objects.filter(user=world.users["provider_a"]).delete())
    response = client.patch(path, {"description": "Written by a former member"}, format="json")
    assert response.status_code in {403, 404} and SECRET not in response.content.decode()
    world.service_a.refresh_from_db()
    assert world.service_a.description != "Written by a former member"


def test_a_page_write_reads_its_writers_roles_inside_the_lock(world, removed_while_waiting):
    from django.test import Client

    client = Client()
    client.force_login(world.users["provider_a"])
    page = client.get(f"/my/listings/{world.service_a.pk}/")
    assert page.status_code == 200
    removed_while_waiting(lambda: Membership.objects.filter(user=world.users["provider_a"]).delete())
    response = client.post(f"/my/listings/{world.service_a.pk}/details/", {"name": "Renamed by a former member"})
    assert response.status_code == 404
    world.service_a.refresh_from_db()
    assert world.service_a.name == "A shelter"


def test_the_token_query_written_once_gives_what_the_query_set_gives(world):
    """The token's look-up runs SQL that Django wrote once (api.authentication._token_query): each row is the
    token, its user and the role columns, exactly as the query set it was written from loads them."""
    from api.authentication import _token_rows
    from referrals.services.roles import ROLE_FIELDS, role_columns

    user = world.users["admin_a"]
    Membership.objects.create(user=user, organization=world.org_b, role="editor")
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    Caseworker.objects.create(user=user, agency="Agency", vetted=True)
    token, _ = AuthToken.objects.create(user, expiry=timedelta(hours=1))
    expected = (
        AuthToken.objects.filter(token_key=token.token_key).select_related("user").annotate(**role_columns("user__"))
    )

    def described(tokens):
        return sorted(
            (
                [getattr(row, field.attname) for field in AuthToken._meta.concrete_fields],
                [getattr(row.user, field.attname) for field in row.user._meta.concrete_fields],
                [getattr(row, name) for name in ROLE_FIELDS],
                row._state.db,
                row._state.adding,
            )
            for row in tokens
        )

    rows = _token_rows(token.token_key)
    assert len(rows) == 2 and described(rows) == described(expected)
    assert all(isinstance(row.expiry, type(timezone.now())) and row.expiry.tzinfo is not None for row in rows)
    for row in rows:  # converted as Django converts them (SQLite gives 0 and 1, which compare equal to booleans)
        assert type(row._moderator) is bool and type(row._vetted) is bool and row._moderator and row._vetted
        assert type(row.user.is_active) is bool and type(row.user.is_superuser) is bool
    assert _token_rows("no such key") == []
