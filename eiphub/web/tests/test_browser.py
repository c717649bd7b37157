"""Browser test: Debian chromium driven by Playwright against the live server.

Logs in through the login form as a board user, opens a park overview and
checks that the charts rendered (canvas/svg present) with no console errors.
Screenshots are written to var/screenshots/ for people to look at.
"""

import pytest

from eiphub.accounts.models import Role
from eiphub.testing import make_world
from eiphub.testing.browser import SHOTS, chromium, login, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page():
    with chromium() as browser:
        yield new_page(browser)


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
