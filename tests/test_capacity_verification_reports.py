"""Capacity in one tap, verification and staleness, reports, and what each reader's search measures."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from referrals.geo import distance_km
from referrals.models import Disclosure, Report, ServiceCapacity
from tests.helpers import add_capacity, make_service

pytestmark = pytest.mark.django_db


def capacity(client, service, *units):
    return client.post(f"/api/v1/services/{service.pk}/capacity/", {"units": list(units)}, format="json")


def test_capacity_update_appears_in_has_capacity_search_and_expires(world, settings):
    provider = world.client_for("provider_a")
    response = capacity(provider, world.service_a, {"unit": "beds_women", "available": 3, "maximum": 12})
    assert response.status_code == 200, response.content
    assert response.json()[0]["fresh"] is True
    anonymous = world.client_for("anonymous")
    assert [s["name"] for s in anonymous.get("/api/v1/services/", {"has_capacity": "true"}).json()["results"]] == [
        "A shelter"
    ]
    ServiceCapacity.objects.filter(service=world.service_a).update(updated=timezone.now() - timedelta(hours=49))
    assert anonymous.get("/api/v1/services/", {"has_capacity": "true"}).json()["count"] == 0
    settings.CAPACITY_FRESH_HOURS = 72
    assert anonymous.get("/api/v1/services/", {"has_capacity": "true"}).json()["count"] == 1


def test_capacity_change_applies_to_the_current_count(world):
    provider = world.client_for("provider_a")
    capacity(provider, world.service_a, {"unit": "beds_children", "available": 5})
    body = capacity(provider, world.service_a, {"unit": "beds_children", "change": -2}).json()
    assert body[0]["available"] == 3
    missing = capacity(provider, world.service_a, {"unit": "beds_men", "change": -1})
    assert missing.status_code == 400 and "beds_men" in missing.json()["units"]
    both = capacity(provider, world.service_a, {"unit": "beds_men", "change": -1, "available": 2})
    assert both.status_code == 400
    over = capacity(provider, world.service_a, {"unit": "beds_children", "available": 50, "maximum": 10})
    assert over.status_code == 400
    assert (
        capacity(world.client_for("provider_b"), world.service_a, {"unit": "beds_men", "available": 1}).status_code
        == 404
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the seeded vocabularies
def test_concurrent_capacity_updates_lose_nothing():
    """Two editors taking beds at the same moment: every change lands (row lock on PostgreSQL, write lock on SQLite)."""
    service = make_service()
    add_capacity(service, unit="beds_women", available=20)
    from referrals.services.listings import report_capacity

    errors = []

    def take_beds():
        try:
            for _ in range(8):
                report_capacity(service, "beds_women", change=-1)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_beds) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ServiceCapacity.objects.get(service=service, unit="beds_women").available == 4


def test_verification_sets_assured_date_and_assurer_and_clears_stale(world):
    world.service_a.assured_date = timezone.localdate() - timedelta(days=400)
    world.service_a.save()
    anonymous = world.client_for("anonymous")
    assert anonymous.get(f"/api/v1/services/{world.service_a.pk}/").json()["stale"] is True
    assert world.client_for("provider_a").post(f"/api/v1/services/{world.service_a.pk}/verify/").status_code == 404
    response = world.client_for("admin_a").post(f"/api/v1/services/{world.service_a.pk}/verify/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["assured_date"] == timezone.localdate().isoformat() and body["assurer"] == "admin_a"
    assert body["stale"] is False
    assert world.client_for("moderator").post(f"/api/v1/services/{world.service_b.pk}/verify/").status_code == 200


def test_stale_filter(world, api):
    world.service_a.assured_date = timezone.localdate() - timedelta(days=181)
    world.service_a.save()
    world.service_b.assured_date = timezone.localdate()
    world.service_b.save()
    assert [s["name"] for s in api.get("/api/v1/services/", {"stale": "false"}).json()["results"]] == ["B clinic"]
    assert [s["name"] for s in api.get("/api/v1/services/", {"stale": "true"}).json()["results"]] == ["A shelter"]


def test_stale_reminders_are_emailed_per_organisation(world):
    world.org_a.email = "office@org-a.example.org"
    world.org_a.save()
    world.service_a.assured_date = None
    world.service_a.save()
    world.service_b.assured_date = timezone.localdate()
    world.service_b.save()
    call_command("remind_stale", verbosity=0)
    assert len(mail.outbox) == 1
    assert "office@org-a.example.org" in mail.outbox[0].to and "admin_a@example.org" in mail.outbox[0].to
    assert "A shelter" in mail.outbox[0].body


def test_caseworker_reports_a_listing_and_the_organisation_resolves_it(world):
    caseworker = world.client_for("caseworker")
    response = caseworker.post(
        f"/api/v1/services/{world.service_a.pk}/report/",
        {"reason": "wrong_contact", "note": "Line dead"},
        format="json",
    )
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    assert (
        world.client_for("unvetted_caseworker")
        .post(f"/api/v1/services/{world.service_a.pk}/report/", {"reason": "other"}, format="json")
        .status_code
        == 403
    )
    assert (
        world.client_for("anonymous")
        .post(f"/api/v1/services/{world.service_a.pk}/report/", {"reason": "other"})
        .status_code
        == 401
    )
    listed = [r["id"] for r in world.client_for("provider_a").get("/api/v1/reports/").json()["results"]]
    assert listed == [report_id, str(world.report.pk)]  # newest first
    assert world.client_for("provider_b").get("/api/v1/reports/").json()["count"] == 0
    assert (
        world.client_for("provider_b")
        .patch(f"/api/v1/reports/{report_id}/", {"status": "resolved"}, format="json")
        .status_code
        == 404
    )
    assert caseworker.patch(f"/api/v1/reports/{report_id}/", {"status": "resolved"}, format="json").status_code == 404
    resolved = world.client_for("provider_a").patch(
        f"/api/v1/reports/{report_id}/", {"status": "resolved", "resolution_note": "New number"}, format="json"
    )
    assert resolved.json()["status"] == "resolved"
    assert Report.objects.get(pk=report_id).resolved_by == world.users["provider_a"]


def test_full_face_readers_search_by_the_exact_point(world):
    near_house = {"lat": world.HOUSE[0], "lng": world.HOUSE[1], "radius_km": 0.3}
    assert world.client_for("anonymous").get("/api/v1/services/", near_house).json()["count"] == 0
    for actor in ("caseworker", "moderator", "provider_a", "granted_partner"):
        body = world.client_for(actor).get("/api/v1/services/", near_house).json()
        assert body["count"] == 1, actor
        assert body["results"][0]["distance_km"] == pytest.approx(0.0, abs=0.01), actor
    for actor in ("partner", "provider_b", "unvetted_caseworker"):
        assert world.client_for(actor).get("/api/v1/services/", near_house).json()["count"] == 0, actor


def test_disclosures_are_logged_for_caseworkers_and_granted_partners_only(world):
    for actor in ("caseworker", "granted_partner", "provider_a", "moderator", "anonymous", "partner"):
        world.client_for(actor).get(f"/api/v1/locations/{world.house.pk}/")
    log = Disclosure.objects.order_by("at")
    assert [(d.user.username if d.user else None, d.partner_key_id) for d in log] == [
        ("caseworker", None),
        (None, world.granted_key.pk),
    ]
    for actor in ("caseworker", "provider_a", "anonymous", "partner"):
        assert world.client_for(actor).get("/api/v1/disclosures/").status_code in (401, 403), actor


def test_a_pages_disclosures_are_one_insert_of_every_row(world):
    from django.test.utils import CaptureQueriesContext

    from referrals.services.disclosure import record_disclosures
    from referrals.services.roles import Viewer
    from tests.helpers import make_location

    second = make_location(world.org_a, confidential=True, latitude=13.75, longitude=100.5)
    public = make_location(world.org_a, confidential=False, latitude=13.76, longitude=100.5)
    caseworker = Viewer.for_request(world.users["caseworker"])
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        logged = record_disclosures(caseworker, [world.house, second, public, world.house], "GET /x" + "y" * 300)
    assert logged == 2 and len(queries) == 1
    assert Disclosure.objects.filter(location=world.house).count() == 1  # the id as the database keeps it
    rows = Disclosure.objects.order_by("location_id")
    assert sorted(str(row.location_id) for row in rows) == sorted([str(world.house.pk), str(second.pk)])
    for row in rows:
        assert row.user == world.users["caseworker"] and row.partner_key is None
        assert row.endpoint == ("GET /x" + "y" * 300)[:200]
        assert before <= row.at <= timezone.now() and row.pk is not None
    partner = Viewer.for_request(None, world.granted_key)
    assert record_disclosures(partner, [second], "GET /z") == 1
    assert Disclosure.objects.get(partner_key=world.granted_key).user is None
    assert record_disclosures(Viewer.for_request(world.users["provider_a"]), [second], "GET /z") == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the seeded data for the tests after
def test_a_pages_disclosures_need_no_transaction_of_their_own():
    """In autocommit, as a request runs: one INSERT is all of it or nothing, with no COMMIT round trip after it (a
    transaction around it cost one on every page a caseworker read)."""
    from unittest import mock

    from referrals.services.disclosure import record_disclosures
    from referrals.services.roles import Viewer
    from tests.helpers import make_caseworker, make_location

    houses = [make_location(confidential=True, latitude=13.7 + i / 100, longitude=100.5) for i in range(3)]
    caseworker = Viewer.for_request(make_caseworker("vetted-reader"))
    assert connections["default"].get_autocommit()
    with mock.patch.object(type(connections["default"]), "commit", autospec=True) as commit:
        assert record_disclosures(caseworker, houses, "GET /api/v1/services/") == 3
    assert commit.call_count == 0
    assert Disclosure.objects.count() == 3


def test_list_search_logs_each_confidential_full_face_once_per_request(world):
    world.client_for("caseworker").get("/api/v1/services/", {"lat": 13.74, "lng": 100.53, "radius_km": 10})
    assert Disclosure.objects.count() == 1
    assert Disclosure.objects.get().endpoint.startswith("GET /api/v1/services/?")


def test_partner_distance_comes_from_the_public_point(world):
    body = (
        world.client_for("partner")
        .get("/api/v1/services/", {"lat": world.HOUSE[0], "lng": world.HOUSE[1], "radius_km": 5})
        .json()
    )
    house = world.house
    expected = distance_km(world.HOUSE[0], world.HOUSE[1], house.public_latitude, house.public_longitude)
    assert body["results"][0]["distance_km"] == pytest.approx(expected, abs=0.01)
