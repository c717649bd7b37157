"""Browser test of issue 17, from the demo data, in Vietnamese and English: two
enterprises of different parks find each other's listings by search (blind: no name),
negotiate anonymously on their match (a message with a
phone number has it removed before the reveal, and the sender is told), both accept
and see each other's names; the hazardous offer is matched only to the licensed
handler, whose licence shows in the directory beside an expired one."""

import pytest

from eiphub.exchange import demo as exchange_demo
from eiphub.exchange.demo_nego import AGREEMENT_NOTE, BUYER_MESSAGE, demo_listings
from eiphub.exchange.models import Agreement, Match, MatchNote
from eiphub.registry.demo import DEMO_PASSWORD, load_demo
from eiphub.testing.browser import SHOTS, chromium, login, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _page(browser, base, username, lang):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    user.profile.language = lang
    user.profile.save()
    page = new_page(browser)
    login(page, base, username, password=DEMO_PASSWORD, language=lang)
    assert "/accounts/login/" not in page.url
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_anonymous_negotiation_and_licensed_handler(live_server, browser, lang):
    load_demo(months=2)
    exchange_demo.load()
    lst = demo_listings()
    m = Match.objects.get(offer=lst["film"], want=lst["plastic"])
    seller_name = lst["film"].enterprise.name(lang)
    buyer_name = lst["plastic"].enterprise.name(lang)
    base = live_server.url
    removed = {"vi": "số điện thoại", "en": "phone number"}[lang]

    q = {"vi": ("phế liệu nhựa", "màng nhựa"), "en": ("plastic scrap", "plastic film scrap")}[lang]

    def find(page, text, kind, listing):
        """Search as a user would; the other firm's listing is among the results, blind."""
        page.goto(f"{base}/exchange/search/")
        page.fill("#id_q", text)
        page.select_option("#id_kind", kind)
        page.click("#search-submit")
        page.wait_for_selector("#search-results")
        row = page.locator(f"#search-results tr[data-listing='{listing.pk}']")
        assert row.count() == 1 and row.get_attribute("data-blind") == "1"
        assert listing.enterprise.name(lang) not in page.content()
        return row

    # the seller (enterprise2, garments, DH-DH) finds the buyer's want by search, then
    # opens their match and reads the buyer's first message, relayed without its phone
    # number, not knowing who the buyer is
    seller = _page(browser, base, "enterprise2", lang)
    find(seller, q[0], "want", lst["plastic"])
    _shot(seller, f"issue17_search_want_{lang}.png")
    seller.goto(f"{base}/exchange/matches/")
    seller.click(f"a[href='/exchange/matches/{m.pk}/']")
    seller.wait_for_selector("#match-panel")
    text = seller.inner_text("#match-panel")
    assert "0912" not in text and "345 678" not in text and "[…]" in text
    assert BUYER_MESSAGE.split(" Anh")[0] in text
    assert buyer_name not in seller.content()
    # its reply gives a phone number and its name: both are removed, and it is told
    seller.fill("#note-text", f"Bên em là {seller_name}, gọi 0987.654.321 nhé; giao 5 tấn/tháng.")
    seller.click("#add-note")
    seller.wait_for_selector("#redaction-notice")
    assert removed in seller.inner_text("#redaction-notice")
    assert "0987" not in seller.inner_text("#match-panel .notes")
    _shot(seller, f"issue17_negotiation_redacted_{lang}.png")
    seller.click("button[name=accept]")
    seller.wait_for_selector("[data-my-accepted='1']")
    assert buyer_name not in seller.content()  # one acceptance reveals nothing

    # the buyer (enterprise3, plastics, DH-NK) sees the relayed reply only, then accepts
    buyer = _page(browser, base, "enterprise3", lang)
    row = find(buyer, q[1], "offer", lst["film"])
    row.locator("a").first.click()  # the blind listing: resource, band, park
    buyer.wait_for_load_state("networkidle")
    assert seller_name not in buyer.content()
    buyer.goto(f"{base}/exchange/matches/")
    buyer.click(f"a[href='/exchange/matches/{m.pk}/']")
    buyer.wait_for_selector("#match-panel")
    html = buyer.content()
    assert seller_name not in html and "0987" not in html and "5 tấn/tháng" in html
    assert buyer.locator("#trust-records").count() == 1
    buyer.click("button[name=accept]")
    buyer.wait_for_selector("#revealed")
    buyer.wait_for_function(
        "name => document.querySelector('#offer-card').innerText.includes(name)", arg=seller_name
    )
    # after the reveal the conversation is normal
    buyer.fill("#note-text", "Số của em là 0912 345 678.")
    buyer.click("#add-note")
    buyer.wait_for_selector("text=0912 345 678")
    assert buyer.locator("#redaction-notice").count() == 0
    _shot(buyer, f"issue17_negotiation_revealed_{lang}.png")
    seller.reload()
    assert buyer_name in seller.inner_text("#want-card")
    assert not MatchNote.objects.filter(match=m, before_reveal=True, text__contains="0987").exists()

    # the hazardous offer (enterprise4, steel, DH-HH): matched to the licensed handler only
    oil = lst["used_oil"]
    wants = set(Match.objects.filter(offer=oil).values_list("want__enterprise__name_vi", flat=True))
    assert wants == {lst["used_oil_treat"].enterprise.name_vi}
    steel = _page(browser, base, "enterprise4", lang)
    steel.goto(f"{base}/exchange/listings/{oil.pk}/")
    rows = steel.locator("table tbody tr")
    assert rows.count() == 1
    assert lst["used_oil_collect"].enterprise.name(lang) not in steel.content()
    _shot(steel, f"issue17_hazardous_offer_{lang}.png")
    steel.goto(f"{base}/exchange/handlers/")
    assert steel.locator("tr[data-state='expired']").count() == 1
    assert steel.locator("tr[data-state='valid']").count() == 2
    _shot(steel, f"issue17_handlers_{lang}.png")
    # the completed agreement and its trust records
    handler = _page(browser, base, "enterprise5", lang)
    done = Agreement.objects.get(notes=AGREEMENT_NOTE)
    handler.goto(f"{base}/exchange/agreements/")
    handler.click(f"table a[href='/exchange/agreements/{done.pk}/']")
    handler.wait_for_selector("#reviews")
    assert handler.locator("#reviews li").count() == 2
    _shot(handler, f"issue17_agreement_trust_{lang}.png")
    for p in (seller, buyer, steel, handler):
        assert p.console_errors == []
