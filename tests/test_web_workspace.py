"""The NGO workspace and the moderators' desk, as plain HTML: my listings, free places in a tap, confirming a
listing, vetting and refusing applications (recorded and emailed), and who may reach which page."""

import re

import pytest
from django.core import mail
from django.test import Client

from referrals.models import Caseworker, Decision, ModerationDecision, Organization, Report, Service, ServiceCapacity
from tests.helpers import add_capacity, make_member, make_organization, make_service

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_my_listings_shows_the_organisations_services_those_needing_attention_first(world):
    tidy = make_service(world.org_a, name="A tidy clinic", assured_date="2026-11-30")
    html = signed_in(world.users["provider_a"]).get("/my/listings/").content.decode()
    names = re.findall(r'<a href="/my/listings/[0-9a-f-]{36}/">([^<]+)</a>', html)
    assert names == ["A shelter", tidy.name]  # A shelter: an open report, never confirmed
    assert "1 open report(s) from caseworkers" in html and "Not confirmed for 180 days" in html
    assert "B clinic" not in html
    assert '<a href="/my/listings/">My listings</a>' in html


def test_add_and_remove_a_free_place_in_a_tap_each_saved_at_once(world):
    add_capacity(world.service_a, unit="beds_women", available=2)
    client = signed_in(world.users["provider_a"])
    page = client.get(f"/my/listings/{world.service_a.pk}/").content.decode()
    assert 'aria-label="Add a free place: Beds for women"' in page
    assert 'aria-label="Remove a free place: Beds for women"' in page
    url = f"/my/listings/{world.service_a.pk}/capacity/"
    for change in ("1", "1", "-1"):
        response = client.post(url, {"unit": "beds_women", "change": change})
        assert response.status_code == 302 and response["Location"].endswith("#unit-beds_women")
    capacity = ServiceCapacity.objects.get(service=world.service_a, unit="beds_women")
    assert capacity.available == 3
    page = client.get(f"/my/listings/{world.service_a.pk}/").content.decode()
    assert "by provider_a" in page and "Saved." in page


def test_a_new_kind_of_place_is_counted_from_a_typed_number_and_bad_input_is_refused(world):
    client = signed_in(world.users["provider_a"])
    url = f"/my/listings/{world.service_a.pk}/capacity/"
    client.post(url, {"unit": "beds_children", "available": "4"})
    assert ServiceCapacity.objects.get(service=world.service_a, unit="beds_children").available == 4
    for bad in ({"unit": "beds_children", "available": "-2"}, {"unit": "spaceships", "change": "1"}):
        client.post(url, bad)
    assert client.get(f"/my/listings/{world.service_a.pk}/").status_code == 200
    assert ServiceCapacity.objects.filter(service=world.service_a).count() == 1
    response = client.post(url, {"unit": "beds_women", "change": "1"})  # not counted yet: a number first
    assert "Give this unit" in client.get(response["Location"]).content.decode()
    response = client.post(url, {"unit": "beds_children", "change": "5"})
    assert "A tap adds or removes one place." in client.get(response["Location"]).content.decode()
    assert ServiceCapacity.objects.get(service=world.service_a, unit="beds_children").available == 4


def test_only_an_admin_of_the_organisation_confirms_a_listing(world):
    editor_page = signed_in(world.users["provider_a"]).get(f"/my/listings/{world.service_a.pk}/").content.decode()
    assert "Confirm this listing is correct" not in editor_page
    assert signed_in(world.users["provider_a"]).post(f"/my/listings/{world.service_a.pk}/confirm/").status_code == 404
    admin = signed_in(world.users["admin_a"])
    assert "Confirm this listing is correct" in admin.get(f"/my/listings/{world.service_a.pk}/").content.decode()
    assert admin.post(f"/my/listings/{world.service_a.pk}/confirm/").status_code == 302
    world.service_a.refresh_from_db()
    assert world.service_a.assured_date is not None and world.service_a.assurer == "admin_a"


@pytest.mark.parametrize(
    ("actor", "url", "method", "expected"),
    [
        ("anonymous", "/my/listings/", "get", 302),  # to the sign-in page
        ("caseworker", "/my/listings/", "get", 200),  # an empty workspace
        ("provider_b", "/my/listings/{service_a}/", "get", 404),
        ("provider_b", "/my/listings/{service_a}/capacity/", "post", 404),
        ("caseworker", "/my/listings/{service_a}/", "get", 404),
        ("moderator", "/my/listings/{service_a}/", "get", 200),
        ("provider_a", "/moderation/", "get", 404),
        ("caseworker", "/moderation/", "get", 404),
        ("anonymous", "/moderation/", "get", 302),
        ("admin_a", "/moderation/organizations/{org_b}/vet/", "post", 404),
        ("moderator", "/moderation/", "get", 200),
        ("moderator", "/moderation/organizations/not-an-id/vet/", "post", 404),
        ("moderator", "/moderation/caseworkers/999999/vet/", "post", 404),
        # Editing a listing: its organisation's members and moderators; 404 for everyone else.
        *[
            (actor, f"/my/listings/{{service_a}}/{page}", method, expected)
            for page in (
                "details/",
                "places/",
                "places/new/",
                "places/{house}/",
                "hours/",
                "contacts/",
                "areas/",
                "translations/",
            )
            for actor, method, expected in (
                ("anonymous", "get", 302),
                ("provider_b", "get", 404),
                ("provider_b", "post", 404),
                ("caseworker", "get", 404),
                ("caseworker", "post", 404),
                ("provider_a", "get", 200),
                ("moderator", "get", 200),
            )
        ],
        ("caseworker", "/my/listings/new/", "get", 404),
        ("provider_a", "/my/listings/new/", "get", 200),
        ("provider_a", "/my/listings/{service_a}/reports/{report}/", "post", 302),  # no status: told, nothing closed
        ("provider_b", "/my/listings/{service_a}/reports/{report}/", "post", 404),
        # An organisation's members: its admins and moderators.
        *[
            (actor, url, method, expected)
            for url in ("/my/organisations/{org_a}/members/", "/my/organisations/{org_a}/members/{admin_a}/")
            for actor, method, expected in (
                ("anonymous", "post", 302),
                ("provider_a", "post", 404),
                ("provider_b", "post", 404),
                ("caseworker", "post", 404),
            )
        ],
        ("provider_a", "/my/organisations/{org_a}/members/", "get", 404),
        ("admin_a", "/my/organisations/{org_a}/members/", "get", 200),
        ("admin_a", "/my/organisations/{org_b}/members/", "get", 404),
        ("moderator", "/my/organisations/{org_a}/members/", "get", 200),
        ("anonymous", "/invitations/not-a-signed-token/", "get", 400),
    ],
)
def test_who_may_reach_the_workspace_and_the_desk(world, actor, url, method, expected):
    client = Client() if actor == "anonymous" else signed_in(world.users[actor])
    url = url.format(
        service_a=world.service_a.pk,
        org_a=world.org_a.pk,
        org_b=world.org_b.pk,
        house=world.house.pk,
        report=world.report.pk,
        admin_a=world.users["admin_a"].pk,
    )
    assert getattr(client, method)(url).status_code == expected
    # Nothing changed by a refused write.
    assert Service.objects.get(pk=world.service_a.pk).name == "A shelter"
    assert world.org_a.memberships.filter(user=world.users["admin_a"], role="admin").exists()


def test_a_moderator_vets_and_refuses_from_the_desk_each_decision_recorded_and_emailed(world):
    applicant = make_organization(name="New Dawn Shelter", vetted=False, email="office@newdawn.example.org")
    admin = make_member(applicant, "newdawn_admin", role="admin")
    admin.email = "admin@newdawn.example.org"
    admin.save()
    other = make_organization(name="Doubtful Outfit", vetted=False)
    desk = signed_in(world.users["moderator"])
    page = desk.get("/moderation/").content.decode()
    assert (
        "New Dawn Shelter" in page and "Doubtful Outfit" in page and world.users["unvetted_caseworker"].username in page
    )
    assert page.count(">Vet</button>") >= 3 and page.count(">Refuse</button>") >= 3
    assert desk.post(f"/moderation/organizations/{applicant.pk}/vet/").status_code == 302
    assert Organization.objects.get(pk=applicant.pk).vetted
    assert sorted(mail.outbox[-1].to) == ["admin@newdawn.example.org", "office@newdawn.example.org"]
    refused = desk.post(f"/moderation/organizations/{other.pk}/refuse/", {"reason": ""})
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()
    desk.post(f"/moderation/organizations/{other.pk}/refuse/", {"reason": "We could not reach the office."})
    cw = Caseworker.objects.get(user=world.users["unvetted_caseworker"])
    desk.post(f"/moderation/caseworkers/{cw.pk}/vet/")
    cw.refresh_from_db()
    assert cw.vetted and cw.vetted_by == world.users["moderator"]
    page = desk.get("/moderation/").content.decode()
    queue = page[page.index('id="organisations"') : page.index('id="caseworkers"')]
    assert "New Dawn Shelter" not in queue and "Doubtful Outfit" not in queue
    decisions = list(ModerationDecision.objects.order_by("decided_at").values_list("decision", "reason"))
    assert decisions == [
        (Decision.VETTED, ""),
        (Decision.REFUSED, "We could not reach the office."),
        (Decision.VETTED, ""),
    ]
    assert all(d.moderator == world.users["moderator"] for d in ModerationDecision.objects.all())


def test_a_moderator_finds_a_vetted_caseworker_and_revokes_them_with_a_reason(world):
    desk = signed_in(world.users["moderator"])
    page = desk.get("/moderation/", {"caseworker": "casew"}).content.decode()
    section = page[page.index('id="vetted"') : page.index('id="reports"')]
    assert "Revoke caseworker" in section and "unvetted" not in section
    cw = Caseworker.objects.get(user=world.users["caseworker"])
    url = f"/moderation/caseworkers/{cw.pk}/revoke/"
    assert desk.post(url, {"reason": ""}).status_code == 400
    assert Caseworker.objects.get(pk=cw.pk).vetted
    assert desk.post(url, {"reason": "Left the unit."}).status_code == 302
    assert not Caseworker.objects.get(pk=cw.pk).vetted
    decision = ModerationDecision.objects.get(caseworker=cw)
    assert (decision.decision, decision.reason, decision.moderator) == (
        "refused",
        "Left the unit.",
        world.users["moderator"],
    )
    assert mail.outbox[-1].to == [world.users["caseworker"].email] and "Left the unit." in mail.outbox[-1].body
    assert desk.post(url, {"reason": "Again."}).status_code == 404  # no longer vetted: nothing to revoke
    assert signed_in(world.users["provider_a"]).post(url, {"reason": "x"}).status_code == 404


def test_the_api_vets_through_the_same_rule_and_record(world):
    applicant = make_organization(name="API Applicant", vetted=False)
    api = world.client_for("moderator")
    response = api.post(f"/api/v1/organizations/{applicant.pk}/vet/", format="json")
    assert response.status_code == 200
    assert ModerationDecision.objects.get(organization=applicant).decision == Decision.VETTED


def test_a_tap_sent_again_with_its_key_counts_once_and_a_typed_count_never_overwrites_a_change(world):
    add_capacity(world.service_a, unit="beds_women", available=2)
    client = signed_in(world.users["provider_a"])
    url = f"/my/listings/{world.service_a.pk}/capacity/"
    tap = {"unit": "beds_women", "change": "1", "key": "8d9a3f44-3e2b-4c55-9a1e-2f4b7f0c1d11"}
    first = client.post(url, tap, headers={"accept": "application/json"})
    again = client.post(url, tap, headers={"accept": "application/json"})
    assert first.status_code == again.status_code == 200
    assert first.json()["available"] == again.json()["available"] == 3
    assert ServiceCapacity.objects.get(service=world.service_a, unit="beds_women").available == 3
    # Someone else took a bed after this person loaded the page (showing 3): their typed 5 is refused.
    signed_in(world.users["admin_a"]).post(url, {"unit": "beds_women", "change": "-1"})
    typed = client.post(
        url, {"unit": "beds_women", "available": "5", "expected": "3"}, headers={"accept": "application/json"}
    )
    assert typed.status_code == 409 and typed.json()["available"] == 2
    assert "Someone changed this count meanwhile: it is now 2." in typed.json()["detail"]
    assert ServiceCapacity.objects.get(service=world.service_a, unit="beds_women").available == 2
    bad = client.post(url, {**tap, "key": "not-a-uuid"}, headers={"accept": "application/json"})
    assert bad.status_code == 400 and bad.json()["detail"] == "The tap's key is not a UUID."


def test_the_organisation_closes_a_report_with_what_was_done_and_reads_the_history(world):
    client = signed_in(world.users["provider_a"])
    page = client.get(f"/my/listings/{world.service_a.pk}/").content.decode()
    assert "Mark resolved" in page and "History of changes" in page
    url = f"/my/listings/{world.service_a.pk}/reports/{world.report.pk}/"
    assert client.post(url, {"status": "open"}).status_code == 302  # refused: not a closing status
    world.report.refresh_from_db()
    assert world.report.status == "open"
    client.post(url, {"status": "resolved", "note": "Hours corrected."})
    world.report.refresh_from_db()
    assert world.report.status == "resolved" and world.report.resolution_note == "Hours corrected."
    assert world.report.resolved_by == world.users["provider_a"]
    assert client.post(url, {"status": "resolved"}).status_code == 404  # closed already
    assert signed_in(world.users["provider_b"]).post(url, {"status": "dismissed"}).status_code == 404
    add_capacity(world.service_a, unit="beds_women", available=2)
    client.post(f"/my/listings/{world.service_a.pk}/capacity/", {"unit": "beds_women", "change": "1"})
    history = client.get(f"/my/listings/{world.service_a.pk}/history/").content.decode()
    assert "provider_a · capacity changed" in history and "available: 2 → 3" in history
    assert signed_in(world.users["provider_b"]).get(f"/my/listings/{world.service_a.pk}/history/").status_code == 404


def test_an_organisation_signs_up_private_until_vetted_and_lands_in_the_desk_queue(world):
    client = Client()
    form = {
        "username": "lanna_admin",
        "email": "admin@lanna.example.org",
        "password": "a-long-and-unusual-passphrase-42",
        "organization_name": "Lanna Safe Haven",
        "description": "Shelter for women and girls.",
        "org_email": "",
        "website": "lanna.example.org",
    }
    response = client.post("/sign-up/organisation/", form)
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    organization = Organization.objects.get(name="Lanna Safe Haven")
    assert not organization.vetted and organization.website == "https://lanna.example.org"
    assert organization.memberships.get().user.username == "lanna_admin"
    assert "Lanna Safe Haven" in signed_in(world.users["moderator"]).get("/moderation/").content.decode()
    again = client.post("/sign-up/organisation/", {**form, "organization_name": "Someone else"})
    assert again.status_code == 200 and "Check your email" in again.content.decode()  # the same answer
    assert not Organization.objects.filter(name="Someone else").exists()
    assert mail.outbox[-1].subject == "Choose another username"


def test_a_caseworker_signs_up_and_a_weak_password_is_refused_naming_why(world):
    weak = Client().post(
        "/sign-up/caseworker/", {"username": "somchai", "email": "s@example.org", "password": "password", "agency": "X"}
    )
    assert weak.status_code == 400 and "This password is too common." in weak.content.decode()
    done = Client().post(
        "/sign-up/caseworker/",
        {
            "username": "somchai",
            "email": "s@example.org",
            "password": "a-long-and-unusual-passphrase-42",
            "agency": "Chiang Mai anti-trafficking unit",
            "country": "TH",
        },
    )
    assert done.status_code == 200
    caseworker = Caseworker.objects.get(user__username="somchai")
    assert not caseworker.vetted and caseworker.country == "TH"
    assert Client().get("/sign-up/nobody/").status_code == 404


def test_a_forgotten_password_is_reset_through_a_link_sent_by_email():
    from tests.helpers import make_user

    user = make_user("somchai.k")  # somchai.k@example.org
    client = Client()
    assert "Forgot your password?" in client.get("/sign-in/").content.decode()
    response = client.post("/password-reset/", {"email": "somchai.k@example.org"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert client.post("/password-reset/", {"email": "nobody@example.org"}).status_code == 302  # the same answer
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/[^/]+/[^/]+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "another-long-unusual-passphrase-7"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password(new)


def test_an_applicant_sees_where_the_application_stands_and_the_reason_of_a_refusal(world):
    from referrals.services import moderation

    cw = Caseworker.objects.get(user=world.users["unvetted_caseworker"])
    client = signed_in(world.users["unvetted_caseworker"])
    assert "Awaiting a moderator" in client.get("/my/account/").content.decode()
    moderation.refuse_caseworker(cw, world.users["moderator"], "We could not confirm your unit.")
    page = client.get("/my/account/").content.decode()
    assert "Not vetted." in page and "We could not confirm your unit." in page
    admin_page = signed_in(world.users["admin_a"]).get("/my/account/").content.decode()
    assert "Org A" in admin_page and "Vetted: the organisation" in admin_page
    assert Client().get("/my/account/").status_code == 302


def test_the_desk_shows_recent_changes_to_safe_houses(world):
    world.house.address_1 = "10 Secret Soi"
    world.house.save()
    page = signed_in(world.users["moderator"]).get("/moderation/").content.decode()
    section = page[page.index('id="confidential"') : page.index('id="stale"')]
    assert "A house on Secret Soi 9" in section and "address_1" in section


def test_a_moderator_clears_the_report_queue_from_the_desk_and_the_reporter_hears_of_it(world):
    desk = signed_in(world.users["moderator"])
    page = desk.get("/moderation/").content.decode()
    reports = page[page.index('id="reports"') :]
    assert "Mark resolved" in reports and f"/my/listings/{world.service_a.pk}/reports/{world.report.pk}/" in reports
    response = desk.post(
        f"/my/listings/{world.service_a.pk}/reports/{world.report.pk}/",
        {"status": "resolved", "note": "Hours corrected.", "from": "desk"},
    )
    assert response.status_code == 302 and response["Location"] == "/moderation/#reports"
    report = Report.objects.get(pk=world.report.pk)
    assert (report.status, report.resolution_note, report.resolved_by) == ("resolved", "Hours corrected.",
                                                                           world.users["moderator"])  # fmt: skip
    assert mail.outbox[-1].to == [world.users["caseworker"].email] and "Hours corrected." in mail.outbox[-1].body
    assert "None." in desk.get("/moderation/").content.decode().split('id="reports"')[1][:400]
