"""Screenshots of the caseworker app on a phone, for the README (docs/screenshots/*.png).

Against a running directory with the demo data (bin/serve), with Debian's Chromium:

    .venv/bin/python docs/make_screenshots.py [--base-url http://127.0.0.1:8000] [--manager user:password]

With --manager (an admin of an organisation that keeps a safe house), the workspace's pages too.
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

FOLDER = Path(__file__).resolve().parent / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--manager", help="username:password of an organisation's admin, for the workspace")
    arguments = parser.parse_args()
    base_url = arguments.base_url
    FOLDER.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context(base_url=base_url, **PHONE).new_page()
        page.goto("/")
        page.get_by_label("Where").fill("Chiang")
        page.get_by_role("option").first.wait_for()
        page.screenshot(path=FOLDER / "search.png")
        page.get_by_role("option", name="Chiang Mai").click()
        page.get_by_label("Counselling").check()
        page.get_by_label("Women", exact=True).check()
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Save for offline").click()
        page.get_by_role("status").filter(has_text="Saved").wait_for()
        page.screenshot(path=FOLDER / "results.png")
        page.context.set_offline(True)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("status").filter(has_text="Offline").wait_for()
        page.screenshot(path=FOLDER / "offline.png")
        page.context.set_offline(False)
        page.goto("/?near=Chiang+Mai&category=housing&serves=women")
        page.locator("#results h3 a").first.click()
        page.wait_for_load_state()
        page.screenshot(path=FOLDER / "service.png", full_page=True)
        thai = browser.new_context(base_url=base_url, extra_http_headers={"Accept-Language": "th"}, **PHONE).new_page()
        thai.goto("/?near=เชียงใหม่&category=counselling&serves=women")
        thai.screenshot(path=FOLDER / "results-th.png")
        if arguments.manager:
            workspace(browser, base_url, arguments.manager)
        browser.close()


def workspace(browser, base_url, manager):
    """The manager's listing with a safe house: free places, details, places (both faces), hours; places in Thai."""
    username, password = manager.split(":", 1)
    listing = None
    for language, names in (("en", ("free-places", "details", "places", "hours")), ("th", ("places-th",))):
        context = browser.new_context(base_url=base_url, extra_http_headers={"Accept-Language": language}, **PHONE)
        page = context.new_page()
        page.goto("/sign-in/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form.sign-in button[type=submit]")
        page.wait_for_selector("#sign-out")
        if listing is None:  # the first listing given at a safe house
            page.goto("/my/listings/")
            for href in [link.get_attribute("href") for link in page.locator(".listing-row h2 a").all()]:
                page.goto(f"{href}places/")
                if page.locator(".confidential-tag").count():
                    listing = href
                    break
        for name in names:
            page.goto(listing + {"free": "", "deta": "details/", "plac": "places/", "hour": "hours/"}[name[:4]])
            page.screenshot(path=FOLDER / f"{name}.png", full_page=name != "details")
        context.close()


if __name__ == "__main__":
    main()
