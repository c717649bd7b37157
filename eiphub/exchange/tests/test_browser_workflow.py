"""Browser test: the exchange workflow end to end through the UI with two enterprise
users (the offer owner and the want owner): blind match, expression of interest,
both accept, names revealed, agreement created."""

import os
import shutil
from pathlib import Path

import pytest

from eiphub.exchange import services as S
from eiphub.exchange.models import Agreement, Match
from eiphub.exchange.tests.factories import seed_examples
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
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("EIPHUB_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("Debian chromium not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _page(browser, base, username):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = ctx.new_page()
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url
    return page


@pytest.mark.django_db(transaction=True)
def test_exchange_workflow_in_the_browser(live_server, browser):
    w = make_world()
    ents, users, L = seed_examples(w)
    S.run_matching(w.k1)
    m = Match.objects.get(offer=L["scrap"], want=L["resin"])
    seller_name, buyer_name = ents["collector"].name_vi, ents["recycler"].name_vi
    base = live_server.url

    buyer = _page(browser, base, users["recycler"].username)
    buyer.goto(f"{base}/exchange/matches/")
    assert buyer.locator("#notif-badge").inner_text().strip() == "1"  # the new-match notification
    buyer.click(f"a[href='/exchange/matches/{m.pk}/']")
    buyer.wait_for_load_state("networkidle")
    assert seller_name not in buyer.content()  # blind
    buyer.click("button[name=interest]")
    buyer.wait_for_selector("[data-status='interested']")
    buyer.click("button[name=accept]")
    buyer.wait_for_selector("[data-my-accepted='1']")
    assert seller_name not in buyer.content()  # one acceptance reveals nothing

    seller = _page(browser, base, users["collector"].username)
    seller.goto(f"{base}/exchange/matches/{m.pk}/")
    assert buyer_name not in seller.content()
    seller.click("button[name=accept]")
    seller.wait_for_selector("#revealed")
    seller.reload()
    assert buyer_name in seller.content()

    buyer.reload()
    assert seller_name in buyer.content()
    buyer.fill("#note-text", "Đề xuất 300 tấn/năm, giá 5,5 triệu đồng/tấn")
    buyer.click("#add-note")
    buyer.wait_for_selector("text=Đề xuất 300 tấn/năm")
    buyer.click("#create-agreement")
    buyer.fill("input[name=quantity_per_year]", "300")
    buyer.fill("input[name=price_vnd_per_unit]", "5500000")
    buyer.click("#propose")
    buyer.wait_for_selector("#supplier")
    assert buyer.inner_text("#supplier") == seller_name
    assert buyer.inner_text("#receiver") == buyer_name
    a = Agreement.objects.get(match=m)
    assert a.quantity_per_year == 300 and a.status == "proposed"

    seller.goto(f"{base}/exchange/agreements/{a.pk}/")
    seller.click("#confirm")
    seller.wait_for_selector("[data-status='agreed']")
    SHOTS.mkdir(parents=True, exist_ok=True)
    seller.screenshot(path=str(SHOTS / "exchange_agreement.png"), full_page=True)
    with seller.expect_download() as dl:
        seller.click("#contract")
    assert dl.value.suggested_filename.endswith(".docx")
    assert buyer.console_errors == [] and seller.console_errors == []
