"""Delta sync: a phone downloads a region once, then only the changes, and ends with the server's view."""

import json
import time

import pytest
from django.core import signing

from api.views.sync import CURSOR_SALT
from referrals.models import Disclosure, Location, Organization, Service, ServiceAtLocation, SyncTombstone
from referrals.services import sync
from tests.helpers import add_capacity, make_location, make_organization, make_service

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/sync/"


class Phone:
    """A client that keeps an offline copy the way the API documents: tombstones first, then records."""

    def __init__(self, client, **region):
        self.client = client
        self.region = region
        self.copy = {}
        self.cursor = None
        self.requests = 0

    def sync(self, page_size=None):
        """Run a whole cycle from the stored cursor; returns the pages."""
        pages = []
        while True:
            params = {"cursor": self.cursor} if self.cursor else dict(self.region)
            if page_size:
                params["page_size"] = page_size
            response = self.client.get(SYNC, params)
            self.requests += 1
            assert response.status_code == 200, response.content
            page = response.json()
            self.apply(page)
            pages.append(page)
            if not page["has_more"]:
                return pages

    def apply(self, page):
        if page["reset"]:
            self.copy.clear()
        for pk in page["deleted"]:
            self.copy.pop(pk, None)
        for record in page["results"]:
            self.copy[record["id"]] = record
        self.cursor = page["next_cursor"]


def server_view(client, **params):
    """The services the search shows (every page), by id: the view a phone's copy must end equal to."""
    ids, page = set(), 1
    while True:
        response = client.get("/api/v1/services/", {**params, "page": page, "page_size": 100})
        assert response.status_code == 200, response.content
        ids |= {item["id"] for item in response.json()["results"]}
        if not response.json()["next"]:
            return ids
        page += 1


def fresh_copy(client, **region):
    phone = Phone(client, **region)
    phone.sync()
    return phone.copy


@pytest.fixture
def thailand():
    """Twelve public Thai services, one Lao one, and one of an organisation not yet vetted."""
    org = make_organization(name="Harbour")
    services = [make_service(org, name=f"Thai service {n:02d}", at=(13.70 + n * 0.01, 100.50)) for n in range(12)]
    lao = make_service(org, name="Vientiane service", at=None)
    ServiceAtLocation.objects.create(
        service=lao, location=make_location(org, latitude=17.97, longitude=102.6, country="LA", city="Vientiane")
    )
    draft_org = make_organization(name="Not vetted yet", vetted=False)
    draft = make_service(draft_org, name="Draft service", at=(13.8, 100.55))
    return {"org": org, "services": services, "lao": lao, "draft": draft}


def test_a_phone_syncs_a_country_applies_later_edits_and_ends_with_the_public_view(api, thailand):
    phone = Phone(api, country="TH")
    pages = phone.sync(page_size=5)
    assert len(pages) == 3 and [len(page["results"]) for page in pages] == [5, 5, 2]
    assert set(phone.copy) == server_view(api, country="TH") == {str(s.pk) for s in thailand["services"]}

    first, second, third, retired = thailand["services"][:4]
    first.name = "Renamed shelter"
    first.save()
    add_capacity(second, available=4)
    location = third.service_at_locations.get().location
    location.city = "Nonthaburi"
    location.save()
    retired.status = "defunct"
    retired.save()

    before = phone.requests
    pages = phone.sync()
    assert phone.requests == before + 1
    assert {r["id"] for r in pages[0]["results"]} == {str(first.pk), str(second.pk), str(third.pk)}
    assert pages[0]["deleted"] == [str(retired.pk)]
    assert set(phone.copy) == server_view(api, country="TH")
    assert phone.copy == fresh_copy(api, country="TH")
    assert phone.copy[str(first.pk)]["name"] == "Renamed shelter"
    assert phone.copy[str(second.pk)]["capacity"][0]["available"] == 4
    assert phone.copy[str(third.pk)]["locations"][0]["city"] == "Nonthaburi"


def test_an_unchanged_region_costs_one_small_request_and_a_304(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    cursor = phone.cursor
    response = api.get(SYNC, {"cursor": cursor})
    body = response.json()
    assert body["results"] == [] and body["deleted"] == [] and body["has_more"] is False
    assert len(response.content) < 400
    assert api.get(SYNC, {"cursor": cursor}, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_an_unchanged_regions_page_is_the_same_bytes_a_second_later(api, thailand, monkeypatch):
    """The cursor carries no clock: a page re-asked later is identical, so its ETag revalidates (CI caught a 200
    when the two requests fell either side of a second)."""
    phone = Phone(api, country="TH")
    phone.sync()
    first = api.get(SYNC, {"cursor": phone.cursor})
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    second = api.get(SYNC, {"cursor": phone.cursor})
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_a_timestamped_cursor_from_before_still_syncs(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    data = signing.Signer(salt=CURSOR_SALT).unsign_object(phone.cursor)
    old_style = signing.dumps(data, salt=CURSOR_SALT, compress=True)
    body = api.get(SYNC, {"cursor": old_style}).json()
    assert body["results"] == [] and body["deleted"] == [] and body["next_cursor"] == phone.cursor


def test_changes_elsewhere_do_not_reach_a_regions_cursor(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    thailand["lao"].name = "Renamed in Laos"
    thailand["lao"].save()
    thailand["draft"].status = "defunct"
    thailand["draft"].save()
    page = phone.sync()[0]
    assert page["results"] == [] and page["deleted"] == []


def test_pages_stay_consistent_while_listings_are_edited(api, thailand):
    phone = Phone(api, country="TH")
    response = api.get(SYNC, {"country": "TH", "page_size": 5})
    phone.apply(response.json())
    sent, unsent = thailand["services"][0], thailand["services"][11]
    assert str(sent.pk) in phone.copy and str(unsent.pk) not in phone.copy
    # While the phone is between pages, one listing it has and one it has not yet got are edited,
    # a new one appears and one it has is retired.
    sent.name = "Edited after it was sent"
    sent.save()
    unsent.name = "Edited before it was sent"
    unsent.save()
    newcomer = make_service(thailand["org"], name="Opened during the download", at=(13.9, 100.6))
    gone = thailand["services"][1]
    gone.status = "defunct"
    gone.save()
    phone.sync(page_size=5)  # the rest of this cycle
    phone.sync(page_size=5)  # the next cycle brings what changed during the first
    assert set(phone.copy) == server_view(api, country="TH")
    assert str(newcomer.pk) in phone.copy and str(gone.pk) not in phone.copy
    assert phone.copy == fresh_copy(api, country="TH")


def test_a_service_that_moves_out_of_the_region_or_is_unpublished_is_a_tombstone(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    moved, other_org_service = thailand["services"][:2]
    location = moved.service_at_locations.get().location
    location.country = "LA"
    location.save()
    unpublished_org = make_organization(name="Will lose vetting")
    unpublished = make_service(unpublished_org, name="Soon hidden", at=(13.71, 100.51))
    phone.sync()
    assert str(unpublished.pk) in phone.copy
    unpublished_org.vetted = False
    unpublished_org.save()
    deleted = phone.sync()[0]["deleted"]
    assert str(unpublished.pk) in deleted
    assert str(moved.pk) not in phone.copy and str(unpublished.pk) not in phone.copy
    assert set(phone.copy) == server_view(api, country="TH")
    assert str(other_org_service.pk) in phone.copy


def test_a_deleted_service_is_a_tombstone(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    doomed = thailand["services"][5]
    pk = str(doomed.pk)
    doomed.delete()
    assert pk in phone.sync()[0]["deleted"]
    assert pk not in phone.copy


def test_drafts_never_leak_as_tombstones_to_the_public(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    draft = thailand["draft"]
    draft.status = "inactive"
    draft.save()
    draft.delete()
    page = phone.sync()[0]
    assert str(draft.pk) not in page["deleted"]


def test_a_members_sync_keeps_its_own_unvetted_listings(world):
    member = world.client_for("provider_a")
    Organization.objects.filter(pk=world.org_a.pk).update(vetted=False)
    sync.touch_organizations([world.org_a.pk])
    assert str(world.service_a.pk) in fresh_copy(member)
    assert str(world.service_a.pk) not in fresh_copy(world.client_for("anonymous"))


def test_a_public_sync_carries_public_faces_only(world):
    copy = fresh_copy(world.client_for("anonymous"))
    text = json.dumps(copy)
    assert "Secret Soi" not in text and "10110" not in text and "+66 555 0199" not in text
    house = copy[str(world.service_a.pk)]["locations"][0]
    assert house["approximate"] is True and (house["latitude"], house["longitude"]) != world.HOUSE
    assert "+66 555 0142" in text  # the front door stays


def test_a_caseworkers_sync_carries_full_faces_and_logs_them(world):
    copy = fresh_copy(world.client_for("caseworker"))
    house = copy[str(world.service_a.pk)]["locations"][0]
    assert house["address_1"] == "9 Secret Soi" and (house["latitude"], house["longitude"]) == world.HOUSE
    assert Disclosure.objects.filter(user=world.users["caseworker"], location=world.house).exists()


def test_a_location_made_confidential_is_a_tombstone_for_public_copies(world):
    anonymous, caseworker = Phone(world.client_for("anonymous")), Phone(world.client_for("caseworker"))
    anonymous.sync()
    caseworker.sync()
    office = world.service_b.service_at_locations.get().location
    assert anonymous.copy[str(world.service_b.pk)]["locations"][0]["address_1"] == "1 Example Road"
    office.confidential = True
    office.save()
    page = anonymous.sync()[0]
    assert str(office.pk) in page["deleted"]
    assert "address_1" not in anonymous.copy[str(world.service_b.pk)]["locations"][0]
    assert str(office.pk) not in caseworker.sync()[0]["deleted"]
    assert caseworker.copy[str(world.service_b.pk)]["locations"][0]["address_1"] == "1 Example Road"


def test_a_deleted_location_is_a_tombstone(world):
    anonymous = Phone(world.client_for("anonymous"))
    anonymous.sync()
    office = world.service_b.service_at_locations.get().location
    pk = str(office.pk)
    office.delete()
    page = anonymous.sync()[0]
    assert pk in page["deleted"] and page["results"][0]["id"] == str(world.service_b.pk)
    assert anonymous.copy[str(world.service_b.pk)]["locations"] == []


def test_a_cursor_from_another_view_starts_again(world):
    caseworker = Phone(world.client_for("caseworker"))
    caseworker.sync()
    # The same cursor presented without the caseworker's token: the full faces must go.
    response = world.client_for("anonymous").get(SYNC, {"cursor": caseworker.cursor})
    body = response.json()
    assert body["reset"] is True
    assert "Secret Soi" not in json.dumps(body)
    assert {r["id"] for r in body["results"]} == {str(world.service_a.pk), str(world.service_b.pk)}


def test_a_cursor_older_than_the_kept_tombstones_starts_again(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    thailand["services"][0].save()
    sync.prune_tombstones(sync.current_version() + 1)
    page = api.get(SYNC, {"cursor": phone.cursor}).json()
    assert page["reset"] is True and len(page["results"]) == 12


def test_a_bbox_sync_follows_points_and_drops_what_leaves_the_box(api, thailand):
    phone = Phone(api, bbox="100.45,13.65,100.56,13.76")
    phone.sync()
    inside = {str(s.pk) for s in thailand["services"][:7]}
    assert set(phone.copy) == inside == server_view(api, bbox="100.45,13.65,100.56,13.76")
    leaving = thailand["services"][0].service_at_locations.get().location
    leaving.latitude, leaving.longitude = 18.79, 98.98
    leaving.save()
    assert str(thailand["services"][0].pk) in phone.sync()[0]["deleted"]


def test_ndjson_streams_the_whole_region_then_an_end_line(api, thailand):
    response = api.get(SYNC, {"country": "TH", "format": "ndjson"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [line["type"] for line in lines] == ["service"] * 12 + ["end"]
    assert {line["record"]["id"] for line in lines[:-1]} == {str(s.pk) for s in thailand["services"]}
    retired = thailand["services"][3]
    retired.status = "defunct"
    retired.save()
    again = api.get(SYNC, {"cursor": lines[-1]["next_cursor"], "format": "ndjson"})
    lines = [json.loads(line) for line in b"".join(again.streaming_content).decode().splitlines()]
    assert lines[0] == {"type": "deleted", "id": str(retired.pk)} and lines[-1]["type"] == "end"


def _ndjson_lines(api, params):
    response = api.get(SYNC, {**params, "format": "ndjson"})
    assert response.status_code == 200
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


def test_an_ndjson_stream_cut_off_resumes_from_its_last_checkpoint(api, monkeypatch):
    from api.views import sync as sync_view

    monkeypatch.setattr(sync_view, "STREAM_BATCH", 3)
    org = make_organization(name="Resumable")
    ids = {str(make_service(org, name=f"Service {n}", at=(13.7 + n * 0.01, 100.5)).pk) for n in range(10)}
    full = _ndjson_lines(api, {"country": "TH"})
    assert [line["type"] for line in full] == (["service"] * 3 + ["checkpoint"]) * 3 + ["service", "end"]
    assert {line["record"]["id"] for line in full if line["type"] == "service"} == ids
    # The connection drops just after the second checkpoint: the phone holds what came before it.
    second = [n for n, line in enumerate(full) if line["type"] == "checkpoint"][1]
    held = {line["record"]["id"] for line in full[:second] if line["type"] == "service"}
    rest = _ndjson_lines(api, {"cursor": full[second]["cursor"]})
    assert rest[-1]["type"] == "end" and not any(line["type"] == "reset" for line in rest)
    resumed = [line["record"]["id"] for line in rest if line["type"] == "service"]
    assert len(resumed) == 4 and held.isdisjoint(resumed) and held | set(resumed) == ids
    assert rest[-1]["next_cursor"] == full[-1]["next_cursor"]


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"country": "XX"}, "country"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"status": "gone"}, "status"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"since": "yesterday"}, "since"),
    ],
)
def test_bad_sync_parameters_are_400s_naming_them(api, params, bad):
    response = api.get(SYNC, params)
    assert response.status_code == 400 and bad in response.json()


def test_a_cursor_keeps_its_region(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    response = api.get(SYNC, {"cursor": phone.cursor, "country": "LA"})
    assert response.status_code == 400 and "country" in response.json()
    assert api.get(SYNC, {"cursor": phone.cursor, "country": "TH"}).status_code == 200


def test_a_tampered_cursor_is_refused(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    tampered = phone.cursor[:-3] + ("AAA" if not phone.cursor.endswith("AAA") else "BBB")
    assert api.get(SYNC, {"cursor": tampered}).status_code == 400


def test_a_sync_page_costs_a_constant_number_of_queries(api, thailand, django_assert_num_queries):
    """The sequence's position, the page's keys, the records whole in one query (referrals.services.page_loading)."""
    for page_size in (3, 12):
        with django_assert_num_queries(3):
            assert len(api.get(SYNC, {"country": "TH", "page_size": page_size}).json()["results"]) == page_size
    phone = Phone(api, country="TH")
    phone.sync()
    for service in thailand["services"][:12]:
        service.save()
    for page_size in (3, 12):  # a later cycle reads the tombstones too
        with django_assert_num_queries(4):
            page = api.get(SYNC, {"cursor": phone.cursor, "page_size": page_size}).json()
            assert len(page["results"]) == page_size


def test_writes_take_versions_in_commit_order_and_leave_state(thailand):
    service = thailand["services"][0]
    before = Service.objects.get(pk=service.pk).sync_version
    service.save()
    after = Service.objects.get(pk=service.pk)
    assert after.sync_version > before and after.sync_state["countries"] == ["TH"]
    assert sync.current_version() == after.sync_version


def test_a_bulk_update_that_makes_locations_confidential_reaches_sync(api, thailand):
    phone = Phone(api, country="TH")
    phone.sync()
    location_id = thailand["services"][0].service_at_locations.get().location_id
    Location.objects.filter(pk=location_id).update(confidential=True)
    page = phone.sync()[0]
    assert [r["id"] for r in page["results"]] == [str(thailand["services"][0].pk)]
    assert page["deleted"] == [str(location_id)]
    assert SyncTombstone.objects.filter(record_id=location_id, reason="confidential").count() == 1
    assert "address_1" not in phone.copy[str(thailand["services"][0].pk)]["locations"][0]


def test_pruning_old_tombstones_makes_older_cursors_start_again(api, thailand):
    from datetime import timedelta

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    phone = Phone(api, country="TH")
    phone.sync()
    retired = thailand["services"][2]
    retired.status = "defunct"
    retired.save()
    SyncTombstone.objects.update(created=timezone.now() - timedelta(days=200))
    call_command("prune_sync_tombstones", days=180, verbosity=0)
    assert not SyncTombstone.objects.exists()
    page = api.get(SYNC, {"cursor": phone.cursor}).json()
    assert page["reset"] is True and str(retired.pk) not in {r["id"] for r in page["results"]}
    with pytest.raises(CommandError):
        call_command("prune_sync_tombstones", days=7)


def test_vetting_from_the_admins_not_vetted_filter_reaches_sync(api, rf):
    from django.contrib import admin
    from django.contrib.messages.storage.cookie import CookieStorage

    from referrals.admin import OrganizationAdmin
    from tests.helpers import make_moderator

    phone = Phone(api)
    phone.sync()
    waiting = make_organization(name="Waiting", vetted=False)
    newcomer = make_service(waiting, name="Newly public", at=(13.7, 100.5))
    assert phone.sync()[0]["results"] == []
    request = rf.post("/admin/")
    request.user = make_moderator()
    request._messages = CookieStorage(request)
    OrganizationAdmin(Organization, admin.site).mark_vetted(request, Organization.objects.filter(vetted=False))
    assert [r["id"] for r in phone.sync()[0]["results"]] == [str(newcomer.pk)]


def test_a_service_in_many_countries_leaves_a_tombstone_too(api, thailand):
    from django_countries import countries

    service = thailand["services"][0]
    many = sorted(countries.countries)[:200]
    Service.objects.filter(pk=service.pk).update(sync_state={**service.sync_state, "countries": many})
    service.refresh_from_db()
    service.status = "inactive"
    service.save()
    assert any(t.countries.count(",") == 201 for t in SyncTombstone.objects.filter(record_id=service.pk))


def test_records_beneath_a_listing_cannot_move_to_another(world):
    provider = world.client_for("provider_a")
    other = make_service(world.org_a, name="Another of A's", at=(13.7, 100.5))
    link = ServiceAtLocation.objects.get(service=world.service_a)
    moved = provider.patch(f"/api/v1/service-at-locations/{link.pk}/", {"service": str(other.pk)}, format="json")
    assert moved.status_code == 400 and "service" in moved.json()
    schedule = provider.patch(f"/api/v1/schedules/{world.schedule_a.pk}/", {"service": str(other.pk)}, format="json")
    assert schedule.status_code == 400 and "service" in schedule.json()
    same = provider.patch(
        f"/api/v1/schedules/{world.schedule_a.pk}/", {"service": str(world.service_a.pk)}, format="json"
    )
    assert same.status_code == 200


def test_errors_are_json_even_when_ndjson_was_asked_for(api):
    response = api.get(SYNC, {"format": "ndjson", "page_size": "0"})
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "page_size" in response.json()


def test_an_empty_format_lets_the_accept_header_decide(api, thailand):
    assert api.get(SYNC, {"format": ""}).status_code == 200
    streamed = api.get(SYNC, {"format": ""}, HTTP_ACCEPT="application/x-ndjson")
    assert streamed["Content-Type"].startswith("application/x-ndjson")
    assert api.get(SYNC, {"format": "xml"}).status_code == 404
