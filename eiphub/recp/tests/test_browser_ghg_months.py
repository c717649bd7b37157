"""Browser: the GHG page shows the months reported per enterprise ("10/12") in Vietnamese."""

import datetime as dt

import pytest

from eiphub.accounts.models import Role
from eiphub.flows.services import save_flow
from eiphub.testing import make_world
from eiphub.testing.browser import SHOTS, chromium, login, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page():
    with chromium() as browser:
        yield new_page(browser)


@pytest.mark.django_db(transaction=True)
def test_ghg_page_shows_ten_of_twelve(live_server, browser_page):
    world = make_world(with_flows=False)
    for m in range(1, 11):
        for code, q, unit in (
            ("energy.fuel.coal", 10, "t"),
            ("energy.electricity.grid", 100, "MWh"),
        ):
            save_flow(owner=world.e1, resource_code=code, direction="in",
                      period=dt.date(2025, m, 1), quantity=q, unit=unit)  # fmt: skip
    page = browser_page
    login(page, live_server.url, world.users[Role.DEVELOPER].username)
    page.goto(f"{live_server.url}/recp/ghg/?park=K1&year=2025")
    table = page.locator("#ghg-enterprises").inner_text()
    assert "10/12" in table and "Số tháng đã báo cáo" in table
    assert "Đã báo cáo 10/12 tháng" in page.locator("#ghg-gaps").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ghg_months.png"), full_page=True)
    assert not page.console_errors
