"""The caseworker app's pages, as plain HTML without JavaScript: search, results, a service, sign-in, languages."""

import re

import pytest
from django.test import Client

from referrals.models import Disclosure
from tests.helpers import make_caseworker

pytestmark = pytest.mark.django_db


def result_ids(html: str) -> list[str]:
    """The services a results page lists, in its order."""
    section = html[html.index('id="results"') :]
    return re.findall(r'<h3><a href="/services/([0-9a-f-]{36})/">', section)


def test_the_search_page_offers_where_what_who_and_language_by_their_names():
    html = Client().get("/").content.decode()
    assert '<label for="where">Where</label>' in html and 'id="where" name="near"' in html
    assert '<button type="submit" class="primary">Search</button>' in html
    assert ">Use my location</button>" in html and ">Save for offline</button>" in html
    for name in ("Housing", "Counselling", "Medical", "Psychological"):
        assert re.search(rf'<input type="checkbox" name="category" value="\w+"> {name}</label>', html), name
    for name in ("Women", "Girls", "Children", "Families", "Unaccompanied minors"):
        assert re.search(rf'<input type="checkbox" name="serves" value="\w+"> {name}</label>', html), name
    assert '<label for="language">Language</label>' in html
    assert len(re.findall(r'<option value="[\w-]+" lang=', html)) == 10
    assert 'role="status"' in html
    assert '<html lang="en"' in html


def test_results_come_in_the_api_order_with_contacts_one_tap_away(directory):
    params = {"near": "Chiang Mai", "category": "counselling", "serves": "women"}
    html = Client().get("/", params).content.decode()
    api = Client().get("/api/v1/services/", params).json()
    assert result_ids(html) == [row["id"] for row in api["results"]]
    ids = result_ids(html)
    assert ids[0] == str(directory["near"].pk) and ids.index(str(directory["far"].pk)) < ids.index(
        str(directory["hotline"].pk)
    )
    assert ids[-1] == str(directory["hotline"].pk)  # reaches Chiang Mai by covering Thailand: after those nearby
    assert "By phone or online: it covers this whole area" in html
    assert 'href="tel:+665550101">Call +66 555 0101</a>' in html
    assert 'href="https://line.me/R/ti/p/@nearcounselling">LINE: @nearcounselling</a>' in html
    assert f"{api['count']} results near Chiang Mai" in html


def test_checkboxes_narrow_like_the_api_parameters(directory):
    # Several boxes of one group are sent as repeated parameters; the page joins them as the API's lists.
    both = Client().get("/", {"near": "Chiang Mai", "category": ["housing", "hotline"]}).content.decode()
    assert set(result_ids(both)) == {str(directory["shelter"].pk), str(directory["hotline"].pk)}
    men = Client().get("/", {"near": "Chiang Mai", "serves": ["women", "men"]}).content.decode()
    assert result_ids(men) == []


def test_a_public_page_never_holds_a_safe_house_address_point_or_phones(directory):
    client = Client()
    results = client.get("/", {"near": "Chiang Mai", "category": "housing"}).content.decode()
    detail = client.get(f"/services/{directory['shelter'].pk}/").content.decode()
    for html in (results, detail):
        assert "Hidden Lane" not in html and "50200" not in html and "+66 555 0777" not in html
        assert "18.8," not in html and "98.97" not in html and "geo:" not in html
    assert "A safe house: its address is given only to the people it takes in" in detail
    assert Disclosure.objects.count() == 0


def test_a_signed_in_caseworker_sees_the_full_face_marked_and_logged(directory):
    make_caseworker("field")
    client = Client()
    response = client.post("/sign-in/", {"username": "field", "password": "a-long-test-password", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    detail = client.get(f"/services/{directory['shelter'].pk}/").content.decode()
    assert "7 Hidden Lane" in detail and "+66 555 0777" in detail
    assert "Confidential: do not share this address" in detail
    assert "geo:" not in detail  # no map link for a safe house, even to those who may see it
    logged = Disclosure.objects.get()
    assert logged.user.username == "field" and logged.location == directory["house"]
    assert logged.endpoint == f"GET /services/{directory['shelter'].pk}/"
    client.get("/", {"near": "Chiang Mai", "category": "housing"})
    assert Disclosure.objects.count() == 2  # the results page showed it in full too


def test_an_unvetted_caseworker_sees_only_the_public_face(directory):
    make_caseworker("pending", vetted=False)
    client = Client()
    client.post("/sign-in/", {"username": "pending", "password": "a-long-test-password"})
    detail = client.get(f"/services/{directory['shelter'].pk}/").content.decode()
    assert "Hidden Lane" not in detail and Disclosure.objects.count() == 0


def test_a_public_location_has_an_address_and_a_map_link(directory):
    detail = Client().get(f"/services/{directory['near'].pk}/").content.decode()
    assert "1 Example Road" in detail
    assert 'href="geo:18.79,98.99?q=18.79,98.99">Open in the map app</a>' in detail


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"near": "Nowhereville Xyz"}, "Unknown place."),
        ({"lat": "abc", "lng": "100"}, "Enter a number."),
        ({"lat": "13.7"}, "Required when lat is given."),
        ({"near": "Bangkok", "category": "spaceships"}, "spaceships"),
        ({"near": "Bangkok", "age": "-4"}, "Ensure this value is greater than or equal to 0."),
        ({"category": "housing"}, "Say where: a place name, or use your location."),
        ({"near": "x" * 101}, "at most 100 characters"),
    ],
)
def test_bad_input_is_a_400_page_that_says_what_is_wrong(params, message):
    response = Client().get("/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_a_page_past_the_last_is_a_404(directory):
    assert Client().get("/", {"near": "Chiang Mai", "page": "40"}).status_code == 404


def test_an_unknown_or_unlisted_service_is_a_404(directory):
    assert Client().get("/services/00000000-0000-0000-0000-000000000000/").status_code == 404
    directory["near"].organization.__class__.objects.filter(pk=directory["near"].organization_id).update(vetted=False)
    assert Client().get(f"/services/{directory['near'].pk}/").status_code == 404


def test_the_pages_allow_no_inline_script_or_style_and_no_third_party():
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert " style=" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts), scripts
    assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="/api/docs/"', ""))


def test_the_language_control_and_accept_language_choose_the_page_language():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="th"' in html and "ค้นหา" in html
    assert '<option value="th" lang="th" selected>' in html
    by_header = Client(headers={"accept-language": "vi"}).get("/").content.decode()
    assert '<html lang="vi"' in by_header


@pytest.mark.parametrize("language", ["en", "th", "vi", "km", "my", "lo", "id", "ms", "tl", "zh-hans"])
def test_every_listing_language_has_its_interface(language):
    client = Client()
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/").content.decode()
    assert f'<html lang="{language}"' in html
    if language != "en":
        assert '<label for="where">Where</label>' not in html, "the page fell back to English"


def test_listings_come_in_the_page_language_where_translated(directory):
    directory["near"].translations.create(language="th", name="ให้คำปรึกษาใกล้")
    client = Client(headers={"accept-language": "th"})
    html = client.get("/", {"near": "Chiang Mai", "category": "counselling"}).content.decode()
    assert "ให้คำปรึกษาใกล้" in html


def test_sign_in_refuses_wrong_details_without_saying_which_and_locks_out():
    make_caseworker("field")
    client = Client()
    for _ in range(4):
        response = client.post("/sign-in/", {"username": "field", "password": "wrong"})
        assert response.status_code == 400
        assert "Unable to sign in with these details." in response.content.decode()
    client.post("/sign-in/", {"username": "field", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "field", "password": "a-long-test-password"})
    assert response.status_code == 429  # locked out (django-axes), as at the API's login
    assert "Too many failed sign-ins for this username. Try again in 15 minutes." in response.content.decode()
    assert response["Retry-After"] == "900" and 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session_and_clears_what_the_site_stored():
    make_caseworker("field")
    client = Client()
    client.post("/sign-in/", {"username": "field", "password": "a-long-test-password"})
    assert "_auth_user_id" in client.session
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "_auth_user_id" not in client.session


def test_sign_in_goes_back_only_to_this_site():
    make_caseworker("field")
    response = Client().post(
        "/sign-in/", {"username": "field", "password": "a-long-test-password", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_service_worker_is_served_from_the_root():
    response = Client().get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "/static/web/app.js" in body and "__APP_JS__" not in body and "shell-" in body


def test_the_offline_shell_is_the_public_search_page_even_for_a_signed_in_person():
    make_caseworker("somchai.k")
    client = Client()
    client.post("/sign-in/", {"username": "somchai.k", "password": "a-long-test-password"})
    assert "somchai.k" in client.get("/").content.decode()
    html = client.get("/offline/").content.decode()
    assert 'data-page="offline-shell"' in html and "somchai.k" not in html and "Sign out" not in html


def test_a_countrys_place_names_are_there_for_the_offline_copy():
    body = Client().get("/offline/places/TH.json").json()
    names = {row[0]: row for row in body["places"]}
    assert "Chiang Mai" in names and "เชียงใหม่" in names["Chiang Mai"][4]
    assert names["Chiang Mai"][5] == "Chiang Mai"  # the province, for province-wide services
    assert "GeoNames" in body["attribution"]
    assert Client().get("/offline/places/XX.json").status_code == 404
    assert Client().get("/offline/places/THAILAND.json").status_code == 404


def po_entries(path):
    """(msgid, [msgstr, ...]) of a .po file, the header left out; a msgid with a context as the compiled catalog
    keys it ("context\x04msgid")."""
    entries, current, field = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                key = f"{current['msgctxt']}\x04{current['msgid']}" if "msgctxt" in current else current["msgid"]
                entries.append((key, [current[k] for k in sorted(current) if k.startswith("msgstr")]))
            current, field = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += line[1:-1]
        else:
            field, _, text = line.partition(" ")
            current[field] = text[1:-1]
    return entries


@pytest.mark.parametrize("app", ["web", "referrals"])
@pytest.mark.parametrize("language", ["th", "vi", "km", "my", "lo", "id", "ms", "tl", "zh_Hans"])
def test_every_interface_text_is_translated_with_its_placeholders_and_compiled(app, language):
    import gettext
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / app / "locale" / language / "LC_MESSAGES"
    entries = po_entries(folder / "django.po")
    assert len(entries) > (100 if app == "web" else 10)
    assert "#, fuzzy" not in (folder / "django.po").read_text(encoding="utf-8"), "a fuzzy entry is shown in English"
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for msgid, translations in entries:
        assert all(translations), f"{language}: untranslated {msgid!r}"
        for text in translations:
            assert sorted(re.findall(r"%\(\w+\)s", text)) == sorted(set(re.findall(r"%\(\w+\)s", msgid))) or (
                len(translations) > 1
            ), f"{language}: placeholders differ in {text!r}"
        assert catalog.gettext(msgid.replace("\\n", "\n").replace('\\"', '"')) != msgid or translations[0] == msgid, (
            f"{language}: django.mo is older than django.po ({msgid!r}); run compilemessages"
        )


def test_save_for_offline_takes_the_country_searched_else_the_home_country(directory, settings):
    settings.HOME_COUNTRY = "KH"
    assert 'data-country="KH"' in Client().get("/").content.decode()
    thailand = Client().get("/", {"near": "Chiang Mai"}).content.decode()
    assert 'data-country="TH" data-searched="true"' in thailand
    by_position = Client().get("/", {"lat": "11.5564", "lng": "104.9282"}).content.decode()  # Phnom Penh
    assert 'data-country="KH" data-searched="true"' in by_position


def test_a_browser_gets_error_pages_and_scripts_keep_their_json():
    browser = Client(headers={"accept": "text/html,application/xhtml+xml"})
    missing = browser.get("/no/such/page/")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("text/html")
    assert "There is no such page" in missing.content.decode()
    gone = browser.get("/services/00000000-0000-0000-0000-000000000000/")
    assert gone.status_code == 404 and "No such service, or it is not listed." in gone.content.decode()
    assert Client().get("/no/such/page/").json() == {"detail": "Not found."}
    assert browser.get("/api/v1/nothing-here/").json() == {"detail": "Not found."}


def test_a_form_sent_without_its_token_is_asked_again_not_taken():
    make_caseworker("somchai.k")
    client = Client(enforce_csrf_checks=True, headers={"accept": "text/html"})
    response = client.post("/sign-in/", {"username": "somchai.k", "password": "a-long-test-password"})
    assert response.status_code == 403 and "too old to send" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "th"}).status_code == 403


def test_sign_in_attempts_from_one_address_are_throttled_like_the_api_login():
    client = Client()
    statuses = [client.post("/sign-in/", {"username": f"user{n}", "password": "wrong"}).status_code for n in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    assert (
        "Too many sign-in attempts from here."
        in client.post("/sign-in/", {"username": "x", "password": "y"}).content.decode()
    )


def test_nothing_a_signed_in_caseworker_saw_is_kept_in_any_cache(directory):
    make_caseworker("somchai.k")
    client = Client()
    assert "no-cache" in client.get(f"/services/{directory['shelter'].pk}/")["Cache-Control"]
    client.post("/sign-in/", {"username": "somchai.k", "password": "a-long-test-password"})
    for url in (f"/services/{directory['shelter'].pk}/", "/?near=Chiang+Mai&category=housing", "/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_a_place_name_the_gazetteer_lacks_never_goes_to_the_geocoder(monkeypatch, settings):
    from referrals.services import geocoding

    settings.GEOCODER = "nominatim"

    def refuse(*args, **kwargs):
        raise AssertionError("the pages sent a typed place name to the geocoder")

    monkeypatch.setattr(geocoding, "_geocode", refuse)
    response = Client().get("/", {"near": "Ban Nong Somewhere Tiny"})
    assert response.status_code == 400 and "Unknown place." in response.content.decode()


def test_a_caseworker_session_ends_after_idle_hours():
    from django.conf import settings

    make_caseworker("somchai.k")
    client = Client()
    client.post("/sign-in/", {"username": "somchai.k", "password": "a-long-test-password"})
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert client.cookies["sessionid"]["max-age"] == 8 * 3600
    assert client.cookies["sessionid"]["httponly"]


def test_a_listing_website_is_linked_only_when_it_is_a_web_address(directory):
    from referrals.models import Service

    Service.objects.filter(pk=directory["near"].pk).update(url="javascript:alert(1)")
    detail = Client().get(f"/services/{directory['near'].pk}/").content.decode()
    assert "javascript:" not in detail and ">Website</a>" not in detail
