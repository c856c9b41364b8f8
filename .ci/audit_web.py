"""CI only: the caseworker app's pages audited as shipped, against a running server (production settings).

axe-core (run in Chromium through Playwright) on every page in every interface language: 0 violations,
and nothing wider than the screen at 320 px or at 200 % text size. Lighthouse (mobile settings, simulated
slow 4G) on the search and results pages in English and Thai: performance >= 95, accessibility 100, best
practices >= 95. Writes the figures to a JSON file and exits non-zero on any failure.

    .venv/bin/python .ci/audit_web.py --base-url http://127.0.0.1:8765 --report /tmp/audit.json
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

NODE = Path(__file__).resolve().parent / "node" / "node_modules"
AXE = NODE / "axe-core" / "axe.min.js"
LIGHTHOUSE = NODE / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
LANGUAGES = ["en", "th", "vi", "km", "my", "lo", "id", "ms", "tl", "zh-hans"]
SEARCH = "/?near=Chiang+Mai&category=counselling&serves=women"
# WCAG 2.1 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# The workspace's pages Lighthouse loads in English besides a listing's (each of its own kind).
LIGHTHOUSE_WORKSPACE = ("my listings", "its details", "its places", "its hours")
MINIMUM = {"performance": 95, "accessibility": 100, "best-practices": 95}
# Bytes on the wire (compressed) of a first load, as Lighthouse's browser saw them: what must arrive before
# the page can render (its HTML and CSS), and everything.
BUDGETS = {
    "search": {"render": 14 * 1024, "total": 50 * 1024},
    "results": {"total": 30 * 1024},
    # The workspace's pages, signed in: the listing's (free places, one tap each) and its editing forms.
    "workspace": {"render": 20 * 1024, "total": 40 * 1024},
}


# Controls a finger must hit, shorter than 44 px (a checkbox counts by its label, which takes the tap).
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, select, summary, input:not([type=hidden]):not([type=checkbox]), label.check')]
  .filter((el) => el.offsetParent !== null && !el.closest('label.check, .skip'))
  .concat([...document.querySelectorAll('label.check')].filter((el) => el.offsetParent !== null))
  .filter((el) => el.getBoundingClientRect().height < 44)
  .map((el) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}"`)"""


def pages(base_url: str) -> dict[str, str]:
    """The app's public pages: search, results, a service (the first result), sign-in, sign-up, password reset
    and the offline shell."""
    query = SEARCH.replace("/?", "")
    # The CI's own server, named on the command line.
    with urllib.request.urlopen(f"{base_url}/api/v1/services/?{query}&page_size=1") as response:  # noqa: S310
        first = json.load(response)["results"][0]["id"]
    return {
        "search": "/",
        "results": SEARCH,
        "service": f"/services/{first}/",
        "sign-in": "/sign-in/",
        "sign-up": "/sign-up/",
        "an organisation's sign-up": "/sign-up/organisation/",
        "a caseworker's sign-up": "/sign-up/caseworker/",
        "password reset": "/password-reset/",
        "offline shell": "/offline/",
    }


def axe_audit(base_url: str, paths: dict[str, str], account: str | None = None) -> tuple[list[dict], list[str]]:
    """axe on every page in every language, at 390 px; overflow at 320 px and at 200 % text.

    `account` ("username:password"): signed in through the sign-in page first.
    """
    from playwright.sync_api import sync_playwright

    rows, failures = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for language in LANGUAGES:
            # bypass_csp: axe is injected as an inline script, which the pages' policy rightly refuses.
            context = browser.new_context(
                base_url=base_url,
                viewport={"width": 390, "height": 844},
                is_mobile=True,
                has_touch=True,
                bypass_csp=True,
                extra_http_headers={"Accept-Language": language},
            )
            page = context.new_page()
            if account:
                sign_in(page, account)
            for name, path in paths.items():
                page.goto(path)
                page.add_script_tag(path=str(AXE))
                result = page.evaluate(f"axe.run(document, {{runOnly: {json.dumps(AXE_TAGS)}}})")
                violations = [
                    f"{rule['id']} ({rule['impact']}): {rule['help']}: first of {len(rule['nodes'])} at "
                    f"{rule['nodes'][0]['target']}"
                    for rule in result["violations"]
                ]
                lang = page.evaluate("document.documentElement.lang")
                small = page.evaluate(SMALL_TARGETS)
                if small:
                    failures.append(f"touch targets [{language}] {name}: under 44 px high: {small[:5]}")
                overflow = []
                for width, text in ((320, "100%"), (320, "200%")):
                    page.set_viewport_size({"width": width, "height": 700})
                    page.evaluate(f"document.documentElement.style.fontSize = '{text}'")
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > width:
                        overflow.append(f"{scroll} px wide at {width} px, text {text}")
                page.set_viewport_size({"width": 390, "height": 844})
                rows.append({"language": language, "page": name, "violations": len(violations), "overflow": overflow})
                for problem in violations:
                    failures.append(f"axe [{language}] {name}: {problem}")
                for problem in overflow:
                    failures.append(f"layout [{language}] {name}: {problem}")
                if lang != language:
                    failures.append(f"lang [{language}] {name}: <html lang> is {lang!r}")
            context.close()
        browser.close()
    return rows, failures


def sign_in(page, account: str) -> None:
    """Sign in through the app's own page ("username:password")."""
    username, password = account.split(":", 1)
    page.goto("/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.sign-in button[type=submit]")
    page.wait_for_selector("#sign-out")


def signed_in(base_url: str, account: str) -> dict[str, str]:
    """A signed-in session's cookies (a Cookie header, for Lighthouse), its first listing on "My listings" and its
    organisation's members page (empty for someone who keeps no listings)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(base_url=base_url)
        page = context.new_page()
        sign_in(page, account)
        found = {"cookies": "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in context.cookies())}
        page.goto("/my/listings/")
        listings = page.locator(".listing-row a")
        found["listing"] = listings.first.get_attribute("href") if listings.count() else ""
        page.goto("/my/account/")
        members = page.locator("a[href*='/members/']")
        found["members"] = members.first.get_attribute("href") if members.count() else ""
        browser.close()
    return found


def lighthouse(base_url: str, path: str, language: str, attempt: int = 1, cookies: str = "") -> dict[str, int]:
    """Lighthouse's category scores (0-100) for one page, at its default mobile settings."""
    headers = {"Accept-Language": language, **({"Cookie": cookies} if cookies else {})}
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        run = subprocess.run(  # noqa: S603 (a fixed command: the pinned Lighthouse, this server's URL)
            [
                str(LIGHTHOUSE),
                f"{base_url}{path}",
                "--quiet",
                "--only-categories=performance,accessibility,best-practices",
                "--output=json",
                f"--output-path={report}",
                f"--extra-headers={json.dumps(headers)}",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            timeout=240,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0 or not report.exists():
            if attempt < 4:  # Chromium sometimes fails to start or to trace on a busy machine: again
                return lighthouse(base_url, path, language, attempt + 1, cookies)
            raise RuntimeError(f"Lighthouse failed on {path} ({language}):\n{run.stderr[-3000:]}")
        data = json.loads(report.read_text())
    scores = {name: round(category["score"] * 100) for name, category in data["categories"].items()}
    failing = [
        f"{audit['id']}: {audit['title']}"
        for audit in data["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") == "binary"
    ]
    scores["failing_audits"] = failing
    requests = data["audits"]["network-requests"]["details"]["items"]
    scores["bytes_total"] = sum(item.get("transferSize", 0) for item in requests)
    scores["bytes_render"] = sum(
        item.get("transferSize", 0) for item in requests if item.get("resourceType") in ("Document", "Stylesheet")
    )
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--report", default=None, help="Where to write the figures (JSON).")
    parser.add_argument("--manager", help="username:password of an organisation's admin (the workspace's pages).")
    parser.add_argument("--moderator", help="username:password of a moderator (the desk).")
    args = parser.parse_args()
    base_url = args.base_url.rstrip("/")
    for tool in (AXE, LIGHTHOUSE):
        if not tool.exists():
            print(f"Missing {tool}: run npm ci --prefix .ci/node", file=sys.stderr)
            return 1
    paths = pages(base_url)
    rows, failures = axe_audit(base_url, paths)
    if args.manager:  # the workspace, as an organisation's admin
        manager = signed_in(base_url, args.manager)
        listing, members = manager["listing"], manager["members"]
        workspace = {
            "my listings": "/my/listings/",
            "a listing": listing,
            "its history": f"{listing}history/",
            "its details": f"{listing}details/",
            "its places": f"{listing}places/",
            "a new place": f"{listing}places/new/",
            "its hours": f"{listing}hours/",
            "its phones": f"{listing}contacts/",
            "its areas": f"{listing}areas/",
            "its translations": f"{listing}translations/",
            "a new listing": "/my/listings/new/",
            "members": members,
            "my account": "/my/account/",
        }
        more_rows, more = axe_audit(base_url, workspace, args.manager)
        rows, failures = rows + more_rows, failures + more
    if args.moderator:  # the desk
        more_rows, more = axe_audit(base_url, {"moderation": "/moderation/"}, args.moderator)
        rows, failures = rows + more_rows, failures + more
    seen = {row["page"] for row in rows}
    print(
        f"axe-core: {len(rows)} page views ({len(seen)} pages x {len(LANGUAGES)} languages), "
        f"{sum(row['violations'] for row in rows)} violations"
    )
    scores = []
    runs = [(language, name, paths[name], name, "") for language in ("en", "th") for name in ("search", "results")]
    if args.manager:  # the most used workspace page (free places) in English and Thai
        cookies = manager["cookies"]
        runs += [(language, "a listing", workspace["a listing"], "workspace", cookies) for language in ("en", "th")]
        # In English, one page of each kind (the list, the forms with their scripts): the other forms are made of
        # the same template, styles and script, and axe checks every one of them in every language above.
        runs += [("en", name, workspace[name], "workspace", cookies) for name in LIGHTHOUSE_WORKSPACE]
    if args.moderator:
        runs.append(("en", "moderation", "/moderation/", "workspace", signed_in(base_url, args.moderator)["cookies"]))
    for language, name, path, budget_name, cookies in runs:
        result = lighthouse(base_url, path, language, cookies=cookies)
        scores.append({"language": language, "page": name, **result})
        figures = ", ".join(f"{key} {value}" for key, value in result.items() if key in MINIMUM)
        print(
            f"Lighthouse [{language}] {name}: {figures}; {result['bytes_render']} B of HTML and CSS, "
            f"{result['bytes_total']} B in all"
        )
        budget = BUDGETS[budget_name]
        if result["bytes_total"] > budget["total"] or result["bytes_render"] > budget.get("render", 1e9):
            sizes = f"{result['bytes_render']} B of HTML and CSS, {result['bytes_total']} B in all"
            failures.append(f"Budget [{language}] {name}: {sizes}; allowed {budget}")
        for category, minimum in MINIMUM.items():
            if result[category] < minimum:
                failures.append(
                    f"Lighthouse [{language}] {name}: {category} {result[category]} < {minimum}; "
                    f"failing audits: {result['failing_audits']}"
                )
    if args.report:
        Path(args.report).write_text(json.dumps({"axe": rows, "lighthouse": scores}, indent=2, ensure_ascii=False))
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
