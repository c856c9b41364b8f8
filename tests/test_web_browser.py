"""The caseworker app in a real browser (Debian's Chromium through Playwright), at a phone's size.

A person's path through it: search by place, what and who; a service's one-tap contacts; Thai; saving
the country and searching again offline; a caseworker signing in, seeing a safe house in full (logged)
and signing out, which clears the phone; and the bytes each page costs on a slow network. In the workspace: a
new NGO from sign-up to a vetted, searchable safe house with hours and beds (one tap offline), a second
editor's stale change refused, and the public never seeing the house.
"""

import gzip
import shutil

import pytest

from referrals.models import Disclosure
from tests.helpers import make_caseworker

CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

# Transactional, as the live server's thread must read what the test wrote; serialized rollback puts back
# the vocabularies the migrations seeded (see django_db_setup in tests/conftest.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module (Debian's: browsers cannot be downloaded here)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API runs an event loop in this thread; the tests' own database work stays
    # synchronous. For this module only: subprocesses of other tests must not inherit it.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser context (its own storage, service worker and cookies)."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(15000)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def search_chiang_mai(page):
    """Type a word, take the suggestion, tick what and who, search."""
    page.goto("/")
    page.get_by_label("Where").fill("Chiang")
    page.get_by_role("option", name="Chiang Mai").click()
    page.get_by_label("Counselling").check()
    page.get_by_label("Women", exact=True).check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/?near=Chiang+Mai*")


def result_names(page) -> list[str]:
    return page.locator("#results li.result h3 a").all_text_contents()


def test_counselling_for_women_near_chiang_mai_in_three_taps_and_a_word(phone, directory):
    search_chiang_mai(phone)
    results = phone.get_by_role("list").filter(has=phone.get_by_role("link", name="Near counselling"))
    assert results.get_by_role("listitem").first.get_by_role("link").first.text_content() == "Near counselling"
    assert result_names(phone)[-1] == "Thailand hotline"  # a hotline for all Thailand comes after those nearby
    assert "Men only counselling" not in result_names(phone)
    phone.get_by_role("link", name="Near counselling").click()
    phone.wait_for_url("**/services/**")
    assert phone.get_by_role("heading", level=1).text_content() == "Near counselling"
    assert phone.get_by_role("link", name="Call +66 555 0101").get_attribute("href") == "tel:+665550101"
    assert phone.get_by_role("link", name="LINE: @nearcounselling").get_attribute("href").startswith("https://line.me/")
    # Nothing is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_use_my_location_searches_around_the_phone(browser, live_server, directory):
    here = {"latitude": 18.79, "longitude": 98.99}
    context = browser.new_context(base_url=live_server.url, geolocation=here, permissions=["geolocation"], **PHONE)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Counselling").check()
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url("**lat=18.79**")
    assert result_names(page)[0] == "Near counselling"
    assert "near you" in page.get_by_role("heading", level=2).first.text_content()
    context.close()


def test_the_language_control_switches_the_app_to_thai(phone, directory):
    phone.goto("/")
    phone.get_by_label("Language").select_option("th")
    phone.locator("#language-form button").click()
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.lang") == "th"
    assert phone.get_by_role("button", name="ค้นหา").is_visible()
    assert phone.get_by_label("ผู้หญิง").count() == 1  # the populations in Thai, from the vocabulary


def test_save_for_offline_then_search_again_without_a_network(phone, directory):
    search_chiang_mai(phone)
    online = result_names(phone)
    phone.get_by_role("button", name="Save for offline").click()
    status = phone.get_by_role("status")
    status.filter(has_text="Saved for offline").wait_for()
    assert "services of TH" in status.text_content()
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Search").click()
    status.filter(has_text="Offline").wait_for()
    assert "copy saved on this phone" in status.text_content()
    assert result_names(phone) == online
    # The same form, another search, on the saved copy: place names in Thai script too.
    phone.get_by_label("Where").fill("เชียงใหม่")
    phone.get_by_label("Women", exact=True).uncheck()
    phone.get_by_label("Housing").check()
    phone.get_by_role("button", name="Search").click()
    phone.get_by_role("link", name="Women's safe house").wait_for()
    phone.get_by_role("link", name="Women's safe house").click()
    phone.get_by_role("heading", level=1, name="Women's safe house").wait_for()
    saved = phone.evaluate(STORED_TEXT)
    assert "Women's safe house" in saved
    assert "Hidden Lane" not in saved and "50200" not in saved and "555 0777" not in saved


# Everything the app stored in IndexedDB, as one string.
STORED_TEXT = """async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("directory-offline");
    r.onsuccess = () => ok(r.result);
    r.onerror = no;
  });
  const all = (store) => new Promise((ok) => {
    const r = db.transaction(store).objectStore(store).getAll();
    r.onsuccess = () => ok(r.result);
  });
  const text = JSON.stringify([await all("services"), await all("meta")]);
  db.close();
  return text;
}"""


def test_a_caseworker_signs_in_sees_a_safe_house_logged_and_signing_out_clears_the_phone(phone, directory):
    make_caseworker("somchai.k")
    phone.goto("/")
    phone.get_by_role("link", name="Sign in").click()
    phone.get_by_label("Username").fill("somchai.k")
    phone.get_by_label("Password").fill("a-long-test-password")
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("button", name="Sign out").wait_for()
    phone.goto(f"/services/{directory['shelter'].pk}/")
    assert phone.get_by_text("Confidential: do not share this address").is_visible()
    assert phone.get_by_text("7 Hidden Lane").is_visible()
    assert Disclosure.objects.filter(user__username="somchai.k", location=directory["house"]).count() == 1
    # The offline copy holds public faces only, whoever saves it.
    search_chiang_mai(phone)
    phone.get_by_role("button", name="Save for offline").click()
    phone.get_by_role("status").filter(has_text="Saved for offline").wait_for()
    assert "Hidden Lane" not in phone.evaluate(STORED_TEXT)
    phone.get_by_role("button", name="Sign out").click()
    phone.get_by_role("link", name="Sign in").wait_for()
    assert "Signed out" in phone.get_by_role("status").text_content()
    left = phone.evaluate(
        """async () => ({
          databases: (await indexedDB.databases()).map((db) => db.name),
          caches: await caches.keys(),
          workers: (await navigator.serviceWorker.getRegistrations()).length,
          local: localStorage.length,
        })"""
    )
    assert left == {"databases": [], "caches": [], "workers": 0, "local": 0}


def transferred(page, url) -> dict[str, int]:
    """Bytes per resource type a page load costs, each body as the server sends it compressed in production.

    The test server leaves static files uncompressed (production serves collectstatic's gzip copies);
    they count at gzip's size. Answers from the service worker cost nothing.
    """
    sizes: dict[str, int] = {}

    def count(response):
        if response.from_service_worker or response.url.startswith("data:"):
            return
        body = response.body()
        encoded = response.headers.get("content-encoding") == "gzip"
        size = len(body if encoded else gzip.compress(body, 6)) if body else 0
        kind = response.request.resource_type
        sizes[kind] = sizes.get(kind, 0) + size + 300  # headers, roughly

    page.on("response", count)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", count)
    return sizes


def test_the_pages_keep_to_their_budgets_on_a_slow_network(phone, directory):
    first = transferred(phone, "/")
    render_blocking = first.get("document", 0) + first.get("stylesheet", 0)
    assert render_blocking <= 14 * 1024, first
    assert sum(first.values()) <= 50 * 1024, first
    results = transferred(phone, "/?near=Chiang+Mai&category=counselling&serves=women")
    assert sum(results.values()) <= 30 * 1024, results
    phone.evaluate("navigator.serviceWorker.ready")
    repeat = transferred(phone, "/")
    assert sum(repeat.values()) <= 10 * 1024, repeat
    assert "script" not in repeat and "stylesheet" not in repeat, repeat


# The offline copy's "copy" record (what was saved, when), read or changed in the page.
COPY_INFO = """
  const db = await new Promise((ok) => {
    const r = indexedDB.open("directory-offline");
    r.onsuccess = () => ok(r.result);
  });
  const info = await new Promise((ok) => {
    const r = db.transaction("meta").objectStore("meta").get("copy");
    r.onsuccess = () => ok(r.result);
  });
"""
AGE_THE_COPY = f"""async () => {{{COPY_INFO}
  info.savedAt -= 3600 * 1000;
  await new Promise((ok) => {{
    const t = db.transaction("meta", "readwrite");
    t.objectStore("meta").put(info, "copy");
    t.oncomplete = ok;
  }});
  db.close();
}}"""
COPY_JUST_SAVED = f"""async () => {{{COPY_INFO}
  db.close();
  return Date.now() - info.savedAt < 60000;
}}"""


def test_back_online_the_copy_is_brought_up_to_date(phone, directory):
    search_chiang_mai(phone)
    phone.get_by_role("button", name="Save for offline").click()
    phone.get_by_role("status").filter(has_text="Saved for offline").wait_for()
    near = directory["near"]
    near.name = "Near counselling (new name)"
    near.save()
    phone.evaluate(AGE_THE_COPY)  # an hour old: the next page online asks for the changes
    with phone.expect_response(lambda response: "/api/v1/sync/?" in response.url and "cursor=" in response.url):
        phone.reload()
    phone.wait_for_function(COPY_JUST_SAVED)
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Search").click()
    phone.get_by_role("status").filter(has_text="Offline").wait_for()
    assert "Near counselling (new name)" in result_names(phone)


# Searches the form can make (the default 25 km radius), around Bangkok's random directory.
OFFLINE_SEARCHES = [
    {"near": "Bangkok"},
    {"near": "Bangkok", "category": ["housing", "medical"], "serves": ["women"]},
    {"near": "Nonthaburi", "serves": ["women", "children"]},
    {"lat": "13.9", "lng": "100.7"},
    {"lat": "13.6", "lng": "100.4", "category": ["legal"], "age": "15"},
    {"lat": "13.7563", "lng": "100.5018", "serves": ["men"], "open_now": "true"},
    {"near": "Samut Prakan", "has_capacity": "true", "serves": ["women"]},
]


def test_the_offline_copy_ranks_every_search_as_the_server_does(phone, live_server):
    import random
    from urllib.parse import urlencode

    from tests.helpers import add_capacity, add_hours, random_directory

    random_directory(random.Random(5), count=70)
    from referrals.models import Service

    for index, service in enumerate(Service.objects.order_by("name")[:40]):
        if index % 3 == 0:
            add_hours(service, weekday=None, all_day=True, time_zone="Asia/Bangkok")
        if index % 4 == 0:
            add_capacity(service, unit="beds_women" if index % 8 else "beds_any", available=index % 5)
    phone.goto("/?near=Bangkok")
    phone.get_by_role("button", name="Save for offline").click()
    phone.get_by_role("status").filter(has_text="Saved for offline").wait_for()
    compared = 0
    for params in OFFLINE_SEARCHES:
        query = urlencode(params, doseq=True)
        api_params = {k: ",".join(v) if isinstance(v, list) else v for k, v in params.items()}
        server = phone.request.get(f"/api/v1/services/?{urlencode({**api_params, 'page_size': 100})}").json()
        expected = [row["id"] for row in server["results"]]
        found = phone.evaluate(
            """async (query) => {
              const offline = await import(document.querySelector('link[rel=modulepreload]').href);
              const rules = offline.searchRules(JSON.parse(document.getElementById("texts").textContent).rules);
              const found = await offline.search(new URLSearchParams(query), rules);
              return found.results.map((row) => row.record.id);
            }""",
            query,
        )
        assert found == expected, params
        compared += len(expected)
    assert compared > 50  # the searches found enough to compare (71 with this seed)


def sign_in(page, username):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_a_shelter_manager_reports_beds_in_three_taps_and_a_moderator_vets_from_the_desk(phone, directory):
    from referrals.models import ModerationDecision, Organization, ServiceCapacity
    from tests.helpers import add_capacity, make_member, make_moderator, make_organization

    add_capacity(directory["shelter"], unit="beds_women", available=1)
    make_member(directory["shelter"].organization, "manager", role="admin")
    sign_in(phone, "manager")
    phone.get_by_role("link", name="My listings").click()
    phone.get_by_role("link", name="Women's safe house").click()
    add = phone.get_by_role("button", name="Add a free place: Beds for women")
    taps = phone.locator("#taps-status")
    add.click()
    add.click()
    phone.wait_for_function("() => localStorage.getItem('capacity-taps') === '[]'")  # both sent and answered
    assert taps.text_content() == "Saved."
    phone.context.set_offline(True)  # the third tap with no signal: it waits, and goes when the signal is back
    add.click()
    taps.filter(has_text="No connection").wait_for()
    assert phone.locator("#unit-beds_women .count").text_content().endswith("4")
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    taps.filter(has_text="Saved.").wait_for()
    assert ServiceCapacity.objects.get(service=directory["shelter"], unit="beds_women").available == 4
    phone.reload()  # nothing left in the queue, nothing sent twice
    assert phone.locator("#unit-beds_women .count").text_content().endswith("4")
    assert phone.evaluate("localStorage.getItem('capacity-taps')") == "[]"
    phone.get_by_role("button", name="Confirm this listing is correct").click()
    phone.get_by_text("Confirmed: the listing shows it was checked today.").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Sign out").click()
    phone.get_by_role("link", name="Sign in").wait_for()

    applicant = make_organization(name="New Dawn Shelter", vetted=False)
    make_moderator("desk")
    sign_in(phone, "desk")
    phone.get_by_role("link", name="Moderation").click()
    item = phone.get_by_role("listitem").filter(has=phone.get_by_role("heading", name="New Dawn Shelter"))
    item.get_by_role("button", name="Vet").click()
    phone.get_by_text("New Dawn Shelter is vetted.").wait_for()
    assert Organization.objects.get(pk=applicant.pk).vetted
    assert ModerationDecision.objects.get(organization=applicant).moderator.username == "desk"


def test_a_new_ngo_goes_from_sign_up_to_a_searchable_safe_house_with_hours_and_beds_on_a_phone(
    browser, live_server, phone, directory
):
    from referrals.models import Location, Service, ServiceCapacity
    from tests.helpers import make_moderator

    # Sign up the organisation (private until vetted); a moderator vets it from the desk.
    phone.goto("/sign-up/organisation/")
    phone.get_by_label("Username").fill("river_house")
    phone.get_by_label("Email", exact=True).fill("manager@riverhouse.example.org")
    phone.get_by_label("Password").fill("a-long-test-password")
    phone.get_by_label("Organisation's name").fill("River House")
    phone.get_by_role("button", name="Sign up").click()
    phone.get_by_role("heading", name="Check your email").wait_for()
    make_moderator("desk")
    sign_in(phone, "desk")
    phone.get_by_role("link", name="Moderation").click()
    item = phone.get_by_role("listitem").filter(has=phone.get_by_role("heading", name="River House"))
    item.get_by_role("button", name="Vet").click()
    phone.get_by_text("River House is vetted.").wait_for()
    phone.get_by_role("button", name="Sign out").click()
    phone.get_by_role("link", name="Sign in").wait_for()

    # The manager creates the listing, its intake line, a confidential place and its hours.
    sign_in(phone, "river_house")
    phone.get_by_role("link", name="My listings").click()
    phone.get_by_role("link", name="Add a listing").click()
    phone.get_by_label("Name of the service").fill("River House shelter")
    phone.get_by_label("Housing").check()
    phone.get_by_label("Women", exact=True).check()
    phone.get_by_role("button", name="Create the listing").click()
    phone.get_by_text("The listing is saved.").wait_for()
    phone.get_by_role("link", name="Phones and messaging").click()
    phone.get_by_label("Kind").select_option("hotline")
    phone.get_by_label("Number or account").fill("+66 53 555 0177")
    phone.get_by_role("button", name="Save the phones").click()
    phone.get_by_text("Saved.").wait_for()
    phone.get_by_role("link", name="River House shelter").click()
    phone.get_by_role("link", name="Places").click()
    phone.get_by_role("link", name="Add a place").click()
    phone.get_by_label("Name of the place").fill("River House, the house")
    phone.get_by_label("Confidential: a safe house whose address must not be public").check()
    phone.get_by_label("Street address").fill("7 Quiet Riverside Lane")
    phone.get_by_label("City or town").fill("Chiang Mai")
    phone.get_by_label("Country").select_option("TH")
    phone.get_by_label("Latitude").fill("18.7961")
    phone.get_by_label("Longitude").fill("98.9793")
    phone.get_by_label("Time zone").fill("Asia/Bangkok")
    phone.get_by_role("button", name="Preview what the public sees").click()
    public = phone.get_by_role("region", name="What the public sees")
    assert "Chiang Mai" in public.text_content() and "Quiet Riverside" not in public.text_content()
    assert "7 Quiet Riverside Lane" in phone.get_by_role("region", name="What vetted caseworkers see").text_content()
    assert not Location.objects.filter(name="River House, the house").exists()  # a preview saves nothing
    phone.get_by_role("button", name="Save the place").click()
    phone.get_by_text("Saved.").wait_for()
    phone.get_by_role("link", name="River House shelter").click()
    phone.get_by_role("link", name="Opening hours").click()
    phone.get_by_label("Open 24 hours, every day (24/7)").check()
    phone.get_by_role("button", name="Save the hours").click()
    phone.get_by_text("Saved.").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Beds: a first count, then a tap online and one with no signal, sent when it is back.
    phone.get_by_role("link", name="River House shelter").click()
    phone.get_by_label("Count another kind of place").select_option("beds_women")
    phone.get_by_role("button", name="Save the count").click()
    add = phone.get_by_role("button", name="Add a free place: Beds for women")
    add.click()
    phone.wait_for_function("() => localStorage.getItem('capacity-taps') === '[]'")
    phone.context.set_offline(True)
    add.click()
    phone.locator("#taps-status").filter(has_text="No connection").wait_for()
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.locator("#taps-status").filter(has_text="Saved.").wait_for()
    service = Service.objects.get(name="River House shelter")
    assert ServiceCapacity.objects.get(service=service, unit="beds_women").available == 2

    # A second editor's change made on a page opened before the first saved is refused, not written over.
    second = browser.new_context(base_url=live_server.url, **PHONE)
    other = second.new_page()
    from tests.helpers import make_member

    make_member(service.organization, "second_editor")
    sign_in(other, "second_editor")
    other.goto(f"/my/listings/{service.pk}/details/")
    phone.goto(f"/my/listings/{service.pk}/details/")
    phone.get_by_label("What it offers").fill("Beds for women, 24 hours.")
    phone.get_by_role("button", name="Save the details").click()
    phone.get_by_text("Saved.").wait_for()
    other.get_by_label("What it offers").fill("A shelter.")
    other.get_by_role("button", name="Save the details").click()
    other.get_by_text("Someone else saved a change").wait_for()
    second.close()
    assert Service.objects.get(pk=service.pk).description == "Beds for women, 24 hours."

    # The public finds it near Chiang Mai with its beds and its line, never the house; a vetted caseworker sees it.
    public_page = browser.new_context(base_url=live_server.url, **PHONE).new_page()
    public_page.goto("/?near=Chiang+Mai&category=housing")
    public_page.get_by_role("link", name="River House shelter").click()
    text = public_page.locator("main").text_content()
    assert "Quiet Riverside" not in text and "River House, the house" not in text
    assert "+66 53 555 0177" in text and "2 free places: Beds for women" in text
    public_page.context.close()
    make_caseworker("vetted_worker")
    phone.get_by_role("button", name="Sign out").click()
    phone.get_by_role("link", name="Sign in").wait_for()
    sign_in(phone, "vetted_worker")
    phone.goto(f"/services/{service.pk}/")
    assert "7 Quiet Riverside Lane" in phone.locator("main").text_content()
