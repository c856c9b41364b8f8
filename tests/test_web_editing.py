"""Editing a listing in the workspace as plain HTML forms: a new listing, its details, places with both faces,
hours as a weekly grid, phones, areas and translations; the model's rules beside the fields, a change saved
meanwhile by someone else refused (409) and never overwritten, and only what was changed written."""

import re
from html import unescape

import pytest
from django.test import Client

from referrals.models import Location, Phone, Schedule, Service, ServiceArea, ServiceAtLocation
from tests.helpers import add_hours, make_member, make_organization

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def form_values(html: str) -> dict:
    """What a browser would send for the page's main form (its biggest): inputs, checked boxes, selected options,
    textareas."""
    form = max(re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S), key=len)
    values: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = unescape((re.search(r'value="([^"]*)"', tag) or [None, ""])[1])
        if kind in ("checkbox", "radio"):
            if " checked" in tag:
                values.setdefault(name[1], []).append(value or "on")
        elif kind != "submit":
            values.setdefault(name[1], []).append(value)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values.setdefault(name, []).append(unescape(body.lstrip("\n")))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = (
            re.findall(r'<option value="([^"]*)"[^>]*selected', options)
            or re.findall(r'<option value="([^"]*)"', options)[:1]
        )
        values.setdefault(name, []).extend(chosen)
    return values


def submit(client, url, changes: dict, page=None):
    """GET the page (or use `page`), change some fields as a person would, and POST the form."""
    html = page if page is not None else client.get(url).content.decode()
    values = form_values(html)
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value if isinstance(value, list) else [value]
    return client.post(url, values)


def test_a_member_creates_a_listing_that_is_saved_with_the_models_rules(world):
    client = signed_in(world.users["provider_a"])
    page = client.get("/my/listings/").content.decode()
    assert 'href="/my/listings/new/"' in page
    response = submit(
        client,
        "/my/listings/new/",
        {"name": "Safe house for girls", "categories": ["housing"], "populations": ["girls"], "minimum_age": "18",
         "maximum_age": "12"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "Must not be below minimum_age." in html  # the model's rule, beside the field
    response = submit(
        client,
        "/my/listings/new/",
        {"name": "Safe house for girls", "categories": ["housing"], "populations": ["girls"], "minimum_age": "12",
         "maximum_age": "17"},
    )  # fmt: skip
    assert response.status_code == 302
    service = Service.objects.get(name="Safe house for girls")
    assert service.organization == world.org_a
    assert list(service.categories.values_list("code", flat=True)) == ["housing"]
    assert (service.minimum_age, service.maximum_age) == (12, 17)
    assert response["Location"] == f"/my/listings/{service.pk}/"


def test_a_listing_needs_a_kind_of_help_and_a_person_outside_the_organisation_gets_404(world):
    client = signed_in(world.users["provider_a"])
    response = submit(client, "/my/listings/new/", {"name": "No kind", "categories": None})
    assert response.status_code == 400 and "Choose at least one kind of help." in response.content.decode()
    outsider = signed_in(world.users["provider_b"])
    for url in ("details/", "places/", "places/new/", f"places/{world.house.pk}/", "hours/", "contacts/", "areas/",
                "translations/"):  # fmt: skip
        assert outsider.get(f"/my/listings/{world.service_a.pk}/{url}").status_code == 404, url
        assert outsider.post(f"/my/listings/{world.service_a.pk}/{url}", {}).status_code == 404, url
    assert signed_in(world.users["caseworker"]).get("/my/listings/new/").status_code == 404


def test_editing_details_writes_only_what_changed(world):
    client = signed_in(world.users["provider_a"])
    url = f"/my/listings/{world.service_a.pk}/details/"
    before = Service.objects.get(pk=world.service_a.pk)
    response = submit(client, url, {"description": "Beds for women and their children.", "populations": ["women"]})
    assert response.status_code == 302
    service = Service.objects.get(pk=world.service_a.pk)
    assert service.description == "Beds for women and their children."
    assert list(service.populations.values_list("code", flat=True)) == ["women"]
    assert service.name == before.name and service.intake_referral == before.intake_referral
    entry = service.history.first()
    assert entry.history_user.username == "provider_a"


def test_a_second_editors_stale_save_is_a_conflict_and_keeps_both_changes_visible(world):
    first, second = signed_in(world.users["provider_a"]), signed_in(world.users["admin_a"])
    url = f"/my/listings/{world.service_a.pk}/details/"
    seen_by_second = second.get(url).content.decode()
    assert submit(first, url, {"name": "A shelter for women"}).status_code == 302
    response = submit(second, url, {"name": "The shelter"}, page=seen_by_second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved a change" in html
    assert "A shelter for women" in html  # what is saved now
    assert 'value="The shelter"' in html  # the second editor's entry, kept
    assert Service.objects.get(pk=world.service_a.pk).name == "A shelter for women"
    # Saving again from the conflict page (it carries the version now saved) goes through, knowingly.
    assert submit(second, url, {}, page=html).status_code == 302
    assert Service.objects.get(pk=world.service_a.pk).name == "The shelter"


def test_a_new_confidential_place_shows_both_faces_and_needs_an_intake_phone(world):
    org = make_organization(name="Org C")
    make_member(org, "provider_c")
    client = signed_in(org.memberships.get().user)
    submit(client, "/my/listings/new/", {"name": "Shelter C", "categories": ["housing"]})
    service = Service.objects.get(name="Shelter C")
    url = f"/my/listings/{service.pk}/places/new/"
    place = {"name": "The house on Hidden Lane", "address_1": "12 Hidden Lane", "city": "Chiang Mai",
             "country": "TH", "latitude": "18.79512", "longitude": "98.98711", "confidential": "on",
             "time_zone": "Asia/Bangkok"}  # fmt: skip
    response = submit(client, url, place)
    assert response.status_code == 400 and "front-door contact" in response.content.decode()
    phone = {"rows-0-type": "hotline", "rows-0-number": "+66 53 555 0100"}
    submit(client, f"/my/listings/{service.pk}/contacts/", phone)
    assert Phone.objects.filter(service=service).count() == 1
    preview = submit(client, url, {**place, "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "What the public sees" in html and "nothing is saved yet" in html
    public = html[html.index("What the public sees") : html.index("What vetted caseworkers see")]
    assert "Hidden Lane" not in public and "Chiang Mai" in public and "18.79512" not in public
    assert "12 Hidden Lane" in html[html.index("What vetted caseworkers see") :]
    assert not Location.objects.filter(organization=org).exists()
    assert submit(client, url, place).status_code == 302
    location = Location.objects.get(organization=org)
    assert location.confidential and ServiceAtLocation.objects.filter(service=service, location=location).exists()
    assert location.coordinates_source == "given"


def test_a_place_without_a_point_takes_its_towns_centre(world):
    client = signed_in(world.users["provider_a"])
    url = f"/my/listings/{world.service_a.pk}/places/new/"
    place = {"name": "Drop-in", "city": "Chiang Mai", "country": "TH", "time_zone": "Asia/Bangkok"}
    response = submit(client, url, place)
    assert response.status_code == 302
    location = Location.objects.get(name="Drop-in")
    assert location.coordinates_source == "town" and round(location.latitude) == 19


def test_hours_as_a_weekly_grid_with_an_overnight_span_and_all_day(world):
    client = signed_in(world.users["provider_a"])
    url = f"/my/listings/{world.service_a.pk}/hours/"
    page = client.get(url).content.decode()
    assert "Monday" in page and "Open 24 hours, every day (24/7)" in page
    response = submit(
        client,
        url,
        {"day1": "hours", "day1_opens_1": "08:00", "day1_closes_1": "12:00", "day1_opens_2": "13:00",
         "day1_closes_2": "17:00", "day5": "hours", "day5_opens_1": "20:00", "day5_closes_1": "08:00",
         "day7": "all_day"},
        page=page,
    )  # fmt: skip
    assert response.status_code == 302
    rows = Schedule.objects.filter(service=world.service_a, location=world.house).order_by("weekday", "opens_at")
    assert [str(row) for row in rows] == ["Monday 08:00-12:00", "Monday 13:00-17:00", "Friday 20:00-08:00",
                                          "Sunday 24 hours"]  # fmt: skip
    page = client.get(url).content.decode()
    assert 'value="13:00"' in page  # shown back as the grid
    response = submit(client, url, {"day2": "hours", "day2_opens_1": "09:00"}, page=page)
    assert response.status_code == 400 and "Give both the opening and the closing time" in response.content.decode()
    assert submit(client, url, {"always": "on"}).status_code == 302
    assert [str(row) for row in Schedule.objects.filter(service=world.service_a)] == ["Every day 24 hours"]


def test_hours_saved_meanwhile_are_a_conflict(world):
    add_hours(world.service_a, world.house, weekday=3, opens=(9, 0), closes=(17, 0))
    client = signed_in(world.users["provider_a"])
    url = f"/my/listings/{world.service_a.pk}/hours/"
    page = client.get(url).content.decode()
    assert submit(signed_in(world.users["admin_a"]), url, {"day2": "all_day"}).status_code == 302
    response = submit(client, url, {"day3": "all_day"}, page=page)
    assert response.status_code == 409
    assert sorted(str(row) for row in Schedule.objects.filter(service=world.service_a)) == [
        "Monday 24 hours",
        "Tuesday 24 hours",
        "Wednesday 09:00-17:00",
    ]
    assert "Saved now" in response.content.decode() and "Tuesday: Open 24 hours" in response.content.decode()


def test_phones_areas_and_translations(world):
    client = signed_in(world.users["provider_a"])
    base = f"/my/listings/{world.service_a.pk}"
    response = submit(client, f"{base}/contacts/", {"rows-1-type": "line", "rows-1-number": "not a handle!"})
    assert response.status_code == 400 and "account" in response.content.decode()
    assert submit(client, f"{base}/contacts/", {"rows-1-type": "line", "rows-1-number": "@ashelter"}).status_code == 302
    assert set(Phone.objects.filter(service=world.service_a).values_list("number", flat=True)) == {
        "+66 555 0142",
        "@ashelter",
    }
    response = submit(client, f"{base}/areas/", {"rows-0-kind": "province", "rows-0-country": "TH",
                                                  "rows-0-state_province": "Chang Mai"})  # fmt: skip
    assert response.status_code == 400 and "Did you mean: Chiang Mai" in response.content.decode()
    response = submit(client, f"{base}/areas/", {"rows-0-kind": "province", "rows-0-country": "TH",
                                                  "rows-0-state_province": "Chiang Mai"})  # fmt: skip
    assert response.status_code == 302
    assert ServiceArea.objects.get(service=world.service_a).state_province == "Chiang Mai"
    page = client.get(f"{base}/translations/?language=th").content.decode()
    assert "Original" in page and "A shelter" in page
    response = submit(client, f"{base}/translations/?language=th", {"name": "บ้านพักฉุกเฉิน"}, page=page)
    assert response.status_code == 302
    service = Service.objects.get(pk=world.service_a.pk)
    assert service.translations.get(language="th").name == "บ้านพักฉุกเฉิน"
    assert "บ้านพักฉุกเฉิน" in service.search_text
    page = client.get(f"{base}/translations/?language=th").content.decode()
    assert submit(client, f"{base}/translations/?language=th", {"name": ""}, page=page).status_code == 302
    assert not service.translations.exists()


def test_my_listings_flags_translations_that_lack_a_text_the_listing_has(world):
    from referrals.models.services import ServiceTranslation

    world.service_a.description = "Beds and counselling."
    world.service_a.save()
    ServiceTranslation.objects.create(service=world.service_a, language="th", name="บ้านพัก")
    html = signed_in(world.users["provider_a"]).get("/my/listings/").content.decode()
    assert "Translations lack texts the listing has: th" in html


def test_a_retired_listing_stays_retired_when_its_details_are_saved(world):
    Service.objects.filter(pk=world.service_a.pk).update(status="defunct")
    client = signed_in(world.users["admin_a"])
    assert (
        submit(client, f"/my/listings/{world.service_a.pk}/details/", {"description": "Moved away."}).status_code == 302
    )
    service = Service.objects.get(pk=world.service_a.pk)
    assert (service.status, service.description) == ("defunct", "Moved away.")


def test_a_save_without_the_version_it_was_made_from_is_a_conflict(world):
    client = signed_in(world.users["provider_a"])
    response = submit(client, f"/my/listings/{world.service_a.pk}/details/", {"name": "Renamed", "version": None})
    assert response.status_code == 409 and Service.objects.get(pk=world.service_a.pk).name == "A shelter"


def test_hours_keep_their_notes_per_day_their_time_zone_and_rows_they_did_not_change(world):
    monday = add_hours(world.service_a, None, weekday=1, opens=(8, 0), closes=(12, 0), time_zone="Asia/Bangkok",
                       description="Women only")  # fmt: skip
    add_hours(world.service_a, None, weekday=2, opens=(8, 0), closes=(12, 0), time_zone="Asia/Bangkok",
              description="Men only")  # fmt: skip
    every_day = add_hours(world.service_a, None, opens=(13, 0), closes=(14, 0), time_zone="Asia/Bangkok")
    client = signed_in(world.users["provider_a"])
    url = f"/my/listings/{world.service_a.pk}/hours/?at="
    page = client.get(url).content.decode()
    assert 'value="Women only"' in page and 'value="Men only"' in page  # the scope "wherever it is given"
    assert submit(client, url, {}, page=page).status_code == 302  # nothing changed: nothing rewritten
    assert set(Schedule.objects.filter(service=world.service_a, location=None).values_list("pk", flat=True)) == {
        monday.pk,
        Schedule.objects.get(weekday=2, service=world.service_a).pk,
        every_day.pk,
    }
    page = client.get(url).content.decode()
    assert submit(client, url, {"time_zone": "Asia/Yangon"}, page=page).status_code == 302
    rows = Schedule.objects.filter(service=world.service_a, location=None)
    assert {row.time_zone for row in rows} == {"Asia/Yangon"}
    assert {row.description for row in rows if row.weekday in (1, 2)} == {"Women only", "Men only"}


def test_a_changed_address_moves_a_found_point_and_an_unlinked_place_takes_its_hours_along(world):
    client = signed_in(world.users["provider_a"])
    base = f"/my/listings/{world.service_a.pk}"
    submit(client, f"{base}/places/new/", {"name": "Drop-in", "city": "Chiang Mai", "country": "TH"})
    place = Location.objects.get(name="Drop-in")
    assert place.time_zone == "Asia/Bangkok" and place.coordinates_source == "town"
    assert submit(client, f"{base}/places/{place.pk}/", {"city": "Bangkok"}).status_code == 302
    place.refresh_from_db()
    assert round(place.latitude, 1) == 13.8 and place.coordinates_source == "town"
    add_hours(world.service_a, place, weekday=1, all_day=True)
    response = client.post(f"{base}/places/", {"location": str(place.pk), "action": "unlink"})
    assert response.status_code == 302
    assert not Schedule.objects.filter(location=place).exists()
    assert not ServiceAtLocation.objects.filter(service=world.service_a, location=place).exists()


def test_a_new_places_time_zone_is_its_own_not_bangkoks(world):
    client = signed_in(world.users["provider_a"])
    place = {"name": "Manila office", "city": "Manila", "country": "PH"}
    assert submit(client, f"/my/listings/{world.service_a.pk}/places/new/", place).status_code == 302
    assert Location.objects.get(name="Manila office").time_zone == "Asia/Manila"
