"""An organisation's members in the workspace: an admin invites by email (a signed link that works once and
expires), the invited person joins with the invited email (signed in, or with a new account), roles change,
the last admin stays; nobody else reaches these pages."""

import re

import pytest
from django.core import mail
from django.test import Client

from referrals.models import Invitation, Membership
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def invite(world, email="newcomer@example.org", role="editor"):
    admin = signed_in(world.users["admin_a"])
    response = admin.post(f"/my/organisations/{world.org_a.pk}/members/", {"email": email, "role": role})
    assert response.status_code == 302, response.content.decode()[:2000]
    link = re.search(r"http://127\.0\.0\.1:8000(/invitations/[^/\s]+/)", mail.outbox[-1].body)
    return link[1]


def test_an_admin_invites_by_email_and_the_person_joins_with_a_new_account(world):
    link = invite(world)
    assert "keep the listings of Org A" in mail.outbox[-1].body and mail.outbox[-1].to == ["newcomer@example.org"]
    newcomer = Client()
    page = newcomer.get(link).content.decode()
    assert "You are invited to keep the listings of Org A, as editor." in page and "newcomer@example.org" in page
    response = newcomer.post(link, {"username": "newcomer", "password": "short"})
    assert response.status_code == 400 and not Membership.objects.filter(user__username="newcomer").exists()
    response = newcomer.post(link, {"username": "newcomer", "password": "a-long-enough-passphrase"})
    assert response.status_code == 302 and response["Location"] == "/my/listings/"
    membership = Membership.objects.get(user__username="newcomer")
    assert membership.organization == world.org_a and membership.role == "editor"
    assert membership.user.email == "newcomer@example.org"
    assert "A shelter" in newcomer.get("/my/listings/").content.decode()
    # Used once: the same link again is refused, and makes nothing.
    again = Client().post(link, {"username": "second", "password": "a-long-enough-passphrase"})
    assert again.status_code == 400 and "used already" in again.content.decode()
    assert not Membership.objects.filter(user__username="second").exists()


def test_a_signed_in_person_accepts_only_with_the_invited_email(world):
    link = invite(world, email="Someone@Example.org", role="admin")
    other = make_user("other")
    response = signed_in(other).post(link)
    assert response.status_code == 400 and "another email address" in response.content.decode()
    invited = make_user("someone")
    assert signed_in(invited).post(link).status_code == 302
    assert Membership.objects.get(user=invited, organization=world.org_a).role == "admin"


def test_a_forged_expired_or_withdrawn_invitation_is_refused(world, settings):
    link = invite(world)
    assert Client().get(link[:-3] + "xx/").status_code == 400
    invitation = Invitation.objects.get()
    admin = signed_in(world.users["admin_a"])
    admin.post(f"/my/organisations/{world.org_a.pk}/invitations/{invitation.pk}/withdraw/")
    assert "withdrawn" in Client().get(link).content.decode()
    link = invite(world, email="late@example.org")
    settings.INVITATION_DAYS = 0
    assert "expired" in Client().get(link).content.decode()


def test_roles_change_and_the_last_admin_stays(world):
    admin = signed_in(world.users["admin_a"])
    url = f"/my/organisations/{world.org_a.pk}/members/"
    page = admin.get(url).content.decode()
    assert "provider_a" in page and "Send the invitation" in page
    editor = world.users["provider_a"]
    assert admin.post(f"{url}{editor.pk}/", {"role": "admin"}).status_code == 302
    assert Membership.objects.get(user=editor).role == "admin"
    assert admin.post(f"{url}{editor.pk}/", {"action": "remove"}).status_code == 302
    assert not Membership.objects.filter(user=editor).exists()
    response = admin.post(f"{url}{world.users['admin_a'].pk}/", {"role": "editor"})
    assert response.status_code == 400 and "at least one admin" in response.content.decode()
    assert Membership.objects.get(user=world.users["admin_a"]).role == "admin"


def test_an_unvetted_organisation_cannot_invite(world):
    world.org_a.vetted = False
    world.org_a.save(update_fields=["vetted"])
    admin = signed_in(world.users["admin_a"])
    response = admin.post(f"/my/organisations/{world.org_a.pk}/members/", {"email": "x@example.org", "role": "editor"})
    assert response.status_code == 400 and "vets the organisation" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize("actor", ["provider_a", "provider_b", "caseworker", "anonymous"])
def test_only_the_organisations_admins_and_moderators_reach_its_members(world, actor):
    client = Client() if actor == "anonymous" else signed_in(world.users[actor])
    url = f"/my/organisations/{world.org_a.pk}/members/"
    expected = 302 if actor == "anonymous" else 404
    assert client.get(url).status_code == expected
    assert client.post(url, {"email": "x@example.org", "role": "admin"}).status_code == expected
    assert client.post(f"{url}{world.users['admin_a'].pk}/", {"action": "remove"}).status_code == expected
    assert Membership.objects.filter(user=world.users["admin_a"]).exists() and not Invitation.objects.exists()
    assert signed_in(world.users["moderator"]).get(url).status_code == 200


def test_an_invitation_from_someone_no_longer_an_admin_is_refused(world):
    link = invite(world, email="friend@example.org", role="admin")
    # Another admin takes the inviter out; the link no longer speaks for the organisation.
    other_admin = world.users["provider_a"]
    Membership.objects.filter(user=other_admin).update(role="admin")
    Membership.objects.filter(user=world.users["admin_a"]).delete()
    response = Client().post(link, {"username": "friend", "password": "a-long-enough-passphrase"})
    assert response.status_code == 400 and "no longer manages" in response.content.decode()
    assert not Membership.objects.filter(user__username="friend").exists()


def test_bad_member_ids_and_overlong_emails_are_refused_not_500s(world):
    admin = signed_in(world.users["admin_a"])
    url = f"/my/organisations/{world.org_a.pk}/members/"
    assert admin.post(f"{url}99999999999999999999/", {"role": "admin"}).status_code == 404
    long_email = "a" * 60 + "@" + "b" * 250 + ".org"
    assert admin.post(url, {"email": long_email, "role": "editor"}).status_code == 400
    assert not Invitation.objects.exists()
