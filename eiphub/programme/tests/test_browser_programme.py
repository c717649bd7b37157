"""Browser test (vi and en): the ministry starts the readiness ranking, sees the parks ranked
with their reasons and peer groups, opens a park's investor page and its promotion sheet."""

import pytest

from eiphub.accounts.models import Role
from eiphub.exchange.models import Listing
from eiphub.testing import make_world
from eiphub.testing.browser import SHOTS, chromium, login, new_page

pytestmark = pytest.mark.browser

TEXT = {
    "vi": {"title": "KCN nào nên chuyển đổi trước", "button": "Tính lại", "reasons": "Lý do",
           "reason": "chào bán", "investors": "Nhà đầu tư tạo cộng sinh", "industry": "Ngành (VSIC)"},
    "en": {"title": "Which parks to convert first", "button": "Recompute", "reasons": "Reasons",
           "reason": "unmatched offers", "investors": "Investors that create symbiosis",
           "industry": "Industry (VSIC)"},
}  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_ministry_sees_the_ranking_with_reasons_and_opens_a_park(live_server, lang):
    w = make_world()
    for ent, kind, code, qty in (
        (w.e1, "offer", "waste.ash.fly", 1200),
        (w.e2, "want", "energy.steam", 800),
        (w.e3, "offer", "waste.plastic", 300),
    ):
        Listing.objects.create(
            enterprise=ent, kind=kind, resource_code=code, resource_text=code,
            quantity=qty, unit="t", status=Listing.Status.PUBLISHED,
        )  # fmt: skip
    t = TEXT[lang]
    with chromium() as browser:
        page = new_page(browser)
        login(page, live_server.url, w.users[Role.MINISTRY].username, language=lang)
        page.goto(f"{live_server.url}/programme/")
        assert t["title"] in page.locator("h1").inner_text()
        page.click("#readiness-recompute")  # the job runs inline in tests, then back here
        page.wait_for_selector("#readiness-table tbody.readiness-park")
        parks = page.locator("#readiness-table tbody.readiness-park")
        assert parks.count() == 3
        first = parks.nth(0)
        assert first.locator("details[open]").count() == 1  # the leader's reasons are open
        reasons = first.locator("li.reason")
        assert reasons.count() >= 4
        assert t["reason"] in first.inner_text()
        assert page.locator("#groups-table").is_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"programme_readiness_{lang}.png"), full_page=True)
        page.locator("#readiness-table tbody[data-park='K1'] a").first.click()
        page.wait_for_selector("#opportunities-table")
        assert t["investors"] in page.locator("h1").inner_text()
        assert t["industry"] in page.locator("#opportunities-table thead").inner_text()
        assert "2394" in page.locator("#opportunities-table").inner_text()  # cement: fly ash
        page.screenshot(path=str(SHOTS / f"programme_investors_{lang}.png"), full_page=True)
        with page.expect_download() as dl:
            page.click("#sheet-pdf")
        assert dl.value.suggested_filename == f"investment-K1-{lang}.pdf"
        assert page.console_errors == []
