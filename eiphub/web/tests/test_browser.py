"""Browser test: Debian chromium driven by Playwright against the live server.

Logs in through the login form as a board user, opens a park overview and
checks that the charts rendered (canvas/svg present) with no console errors.
Screenshots are written to var/screenshots/ for people to look at.
"""

import os
import shutil
from pathlib import Path

import pytest

from eiphub.accounts.models import Role
from eiphub.testing import PASSWORD, make_world

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@pytest.fixture
def browser_page():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("EIPHUB_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("Debian chromium not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.console_errors = errors
        yield page
        browser.close()


def login(page, base, username):
    # the product's default UI language (the test settings default to English)
    page.context.add_cookies([{"name": "django_language", "value": "vi", "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_board_sees_park_overview_with_charts(live_server, browser_page):
    world = make_world()
    page = browser_page
    login(page, live_server.url, world.users[Role.BOARD].username)
    assert "/accounts/login/" not in page.url
    page.goto(f"{live_server.url}/parks/{world.k1.code}/")
    page.wait_for_selector(".chart[data-rendered='1']", timeout=15000)
    charts = page.locator(".chart")
    assert charts.count() >= 2
    assert page.locator(".chart canvas, .chart svg").count() >= 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)  # let chart animations finish before the screenshot
    page.screenshot(path=str(SHOTS / "park_overview.png"), full_page=True)
    assert world.k1.name_vi in page.content()
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_park_list_map_renders(live_server, browser_page):
    world = make_world(with_flows=False)
    page = browser_page
    login(page, live_server.url, world.users[Role.MINISTRY].username)
    page.goto(f"{live_server.url}/parks/")
    page.wait_for_selector(".park-map[data-rendered='1']", timeout=15000)
    assert (
        page.locator(".park-map svg, .park-map canvas, .park-map .leaflet-interactive").count() >= 1
    )
    page.screenshot(path=str(SHOTS / "park_list.png"), full_page=True)
    assert page.console_errors == []
