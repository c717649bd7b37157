"""Browser test: the exchange workflow end to end through the UI with two enterprise
users (the offer owner and the want owner): blind match, expression of interest,
both accept, names revealed, agreement created."""

import pytest

from eiphub.exchange import services as S
from eiphub.exchange.models import Agreement, Match
from eiphub.exchange.tests.factories import seed_examples
from eiphub.testing import make_world
from eiphub.testing.browser import SHOTS, chromium, login, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _page(browser, base, username):
    page = new_page(browser)
    login(page, base, username)
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
    # the want card is swapped in the same response: no reload needed to see the buyer
    seller.wait_for_function(
        "name => document.querySelector('#want-card').innerText.includes(name)", arg=buyer_name
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    seller.screenshot(path=str(SHOTS / "exchange_match_revealed.png"), full_page=True)
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
