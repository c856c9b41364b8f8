"""The emails people get: each in the language they read the app in, with a link into the app; vetting decisions,
registrations, invitations, a new report on a listing, and stale-listing reminders (at most once a week)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from referrals.models import ListingReminder, Profile
from referrals.services import mail as mailing
from referrals.services import moderation
from tests.helpers import make_organization

pytestmark = pytest.mark.django_db


def in_language(language, text):
    with translation.override(language):
        return gettext(text)


def test_an_organisation_signed_up_in_thai_hears_of_its_vetting_in_thai_with_a_link(world):
    client = Client(headers={"accept-language": "th"})
    client.post(
        "/sign-up/organisation/",
        {"username": "baan", "email": "baan@example.org", "password": "a-long-enough-passphrase",
         "organization_name": "Baan Shelter"},
    )  # fmt: skip
    registered = mail.outbox[-1]
    assert registered.subject == in_language("th", "Your registration") != "Your registration"
    assert "http://127.0.0.1:8000/sign-in/" in registered.body
    assert Profile.objects.get(user__username="baan").language == "th"
    organization = world.org_a.__class__.objects.get(name="Baan Shelter")
    moderation.vet_organization(organization, world.users["moderator"])
    vetted = mail.outbox[-1]
    assert vetted.to == ["baan@example.org"]
    assert vetted.subject == in_language("th", "Your organisation is vetted") != "Your organisation is vetted"
    assert "http://127.0.0.1:8000/my/listings/" in vetted.body


def test_each_recipient_reads_in_their_own_language(world):
    mailing.remember_language(world.users["admin_a"], "vi")
    world.org_a.email = "office@org-a.example.org"
    world.org_a.save()
    moderation.refuse_organization(world.org_a, world.users["moderator"], "No address given.")
    subjects = {tuple(message.to): message.subject for message in mail.outbox}
    expected = in_language("vi", "Your organisation was not vetted")
    # The admin reads Vietnamese; the organisation's own address goes with its first admin's language.
    assert subjects == {("admin_a@example.org", "office@org-a.example.org"): expected}
    assert "No address given." in mail.outbox[-1].body


def test_signing_in_keeps_the_pages_language_for_the_emails(world):
    client = Client(headers={"accept-language": "km"})
    client.post("/sign-in/", {"username": "provider_a", "password": "a-long-test-password"})
    assert mailing.language_of(world.users["provider_a"]) == "km"
    assert mailing.language_of(world.users["provider_b"]) == "en"  # never signed in to the pages


def test_a_new_report_on_a_listing_emails_its_organisations_members_with_a_link_to_it(world):
    mailing.remember_language(world.users["provider_a"], "th")
    report = {"reason": "wrong_contact", "note": "Line dead"}
    response = world.client_for("caseworker").post(
        f"/api/v1/services/{world.service_a.pk}/report/", report, format="json"
    )
    assert response.status_code == 201
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"provider_a@example.org", "admin_a@example.org"}
    thai = by_address["provider_a@example.org"]
    assert thai.subject == in_language("th", "A report on your listing %(name)s") % {"name": "A shelter"}
    assert f"http://127.0.0.1:8000/my/listings/{world.service_a.pk}/" in thai.body and "Line dead" in thai.body
    assert "Phone or email does not work" in by_address["admin_a@example.org"].body


def test_stale_reminders_link_into_the_app_and_come_at_most_once_a_week(world):
    world.service_a.assured_date = None
    world.service_a.save()
    world.service_b.assured_date = timezone.localdate()
    world.service_b.save()
    quiet = make_organization(name="No admin, no address", email="")
    quiet_service = world.service_b.__class__.objects.create(organization=quiet, name="Orphan listing")
    call_command("remind_stale", verbosity=0)
    assert len(mail.outbox) == 1
    assert f"http://127.0.0.1:8000/my/listings/{world.service_a.pk}/" in mail.outbox[0].body
    assert "Confirm this listing is correct" in mail.outbox[0].body and "never confirmed" in mail.outbox[0].body
    assert ListingReminder.objects.get().organization == world.org_a
    call_command("remind_stale", verbosity=0)
    assert len(mail.outbox) == 1  # not again within the week
    ListingReminder.objects.update(sent_at=timezone.now() - timedelta(days=8))
    call_command("remind_stale", verbosity=0)
    assert len(mail.outbox) == 2
    assert not ListingReminder.objects.filter(organization=quiet).exists() and quiet_service.pk


def test_an_invitation_is_written_in_the_inviters_language(world):
    admin = Client(headers={"accept-language": "id"})
    admin.force_login(world.users["admin_a"], backend="django.contrib.auth.backends.ModelBackend")
    admin.post(f"/my/organisations/{world.org_a.pk}/members/", {"email": "baru@example.org", "role": "editor"})
    message = mail.outbox[-1]
    assert message.subject == in_language("id", "You are invited to keep %(organization)s's listings") % {
        "organization": "Org A"
    }
    assert "http://127.0.0.1:8000/invitations/" in message.body


def test_emails_wait_for_the_write_to_commit_and_a_rolled_back_write_sends_none(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    monkeypatch.setattr(mailing, "after_commit", lambda send: transaction.on_commit(send, robust=True))
    with django_capture_on_commit_callbacks(execute=True):
        moderation.vet_caseworker(world.caseworker_profile, world.users["moderator"])
        assert not mail.outbox  # not while the write is open
    assert mail.outbox[-1].to == [world.users["unvetted_caseworker"].email]
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                moderation.refuse_caseworker(world.caseworker_profile, world.users["moderator"], "No.")
                raise RuntimeError("the write fails")
        except RuntimeError:
            pass
    assert len(mail.outbox) == 1  # the refusal rolled back: nothing told
