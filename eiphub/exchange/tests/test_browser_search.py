"""Browser test (issue 17), in Vietnamese and English: an enterprise searches “xỉ thép” /
“steel slag”, finds a blind listing shown with a quantity band and the park only (list
and map), sees that it has a photo without seeing it, saves the search; another firm
publishes a fitting listing through the form and the searcher gets an alert that names
no firm."""

import pytest
from django.core.files.base import ContentFile

from eiphub.accounts.models import Role
from eiphub.exchange.demo_market import demo_png
from eiphub.exchange.models import ListingAttachment, SavedSearch
from eiphub.exchange.tests.factories import listing
from eiphub.notices.models import Notice
from eiphub.testing import make_enterprise, make_user, make_world
from eiphub.testing.browser import SHOTS, chromium, login, new_page

pytestmark = pytest.mark.browser

SECRET = "Công ty Thép Bí Mật"
TEXTS = {
    "vi": {"q": "xỉ thép", "hidden": "ẩn", "alert": "Tin mới phù hợp với tìm kiếm đã lưu"},
    "en": {"q": "steel slag", "hidden": "hidden", "alert": "New listing for your saved search"},
}


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _page(browser, base, username, lang):
    page = new_page(browser)
    login(page, base, username, language=lang)
    assert "/accounts/login/" not in page.url
    return page


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.django_db(transaction=True)
def test_search_save_and_alert_in_the_browser(live_server, browser, lang, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    t = TEXTS[lang]
    w = make_world(with_flows=False)
    mill = make_enterprise(w.k1, 3001, SECRET, vsic="2410")
    mill.latitude, mill.longitude = 20.95, 106.95
    mill.save()
    seller = make_user("u_mill", Role.ENTERPRISE, enterprise=mill)
    slag = listing(mill, "offer", "waste.slag.steel", 237, "t")
    photo = ListingAttachment(listing=slag, kind="photo", content_type="image/png", size=1)
    photo.file.save("p.png", ContentFile(demo_png()), save=False)
    photo.save()
    listing(w.e3, "offer", "waste.glass", 40, "t")  # does not fit
    buyer_user = w.users[Role.ENTERPRISE]
    buyer_user.profile.language = lang  # notifications are written in the profile's language
    buyer_user.profile.save()
    base = live_server.url
    secrets = (SECRET, mill.tax_code, "237", "20.95", "106.95")

    buyer = _page(browser, base, buyer_user.username, lang)
    buyer.goto(f"{base}/exchange/search/")
    buyer.fill("#id_q", t["q"])
    buyer.click("#search-submit")
    buyer.wait_for_selector("#search-results")
    rows = buyer.locator("#search-results tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert row.get_attribute("data-blind") == "1"
    text = row.inner_text()
    assert "100–500" in text and "K1" in text and t["hidden"] in text
    buyer.wait_for_selector("#search-map[data-rendered='1']")
    html = buyer.content()
    for s in secrets:
        assert s not in html
    SHOTS.mkdir(parents=True, exist_ok=True)
    buyer.screenshot(path=str(SHOTS / f"exchange_search_{lang}.png"), full_page=True)

    # the listing: a photo exists, but a blind viewer gets neither the file nor its name
    row.locator("a").first.click()
    buyer.wait_for_selector("#evidence-panel")
    assert buyer.locator("#attachments-hidden").count() == 1
    assert buyer.locator(f"a[href='/exchange/attachments/{photo.pk}/']").count() == 0
    resp = buyer.request.get(f"{base}/exchange/attachments/{photo.pk}/")
    assert resp.status == 404
    buyer.screenshot(
        path=str(SHOTS / f"exchange_blind_listing_evidence_{lang}.png"), full_page=True
    )

    # save the search
    buyer.go_back()
    buyer.wait_for_selector("#save-search")
    buyer.fill("#save-search input[name=name]", f"Slag {lang}")
    buyer.click("#save-search-submit")
    buyer.wait_for_selector("#saved-searches")
    assert f"Slag {lang}" in buyer.inner_text("#saved-searches")
    assert SavedSearch.objects.get(user=buyer_user).params == {"q": t["q"]}
    buyer.screenshot(path=str(SHOTS / f"exchange_saved_searches_{lang}.png"), full_page=True)

    # another firm publishes a fitting listing through the form
    sp = _page(browser, base, seller.username, lang)
    sp.goto(f"{base}/exchange/listings/new/")
    sp.select_option("#id_kind", "offer")
    sp.fill("#id_resource", "xỉ lò điện")
    sp.fill("#id_quantity", "3456")
    sp.fill("#id_unit", "t")
    sp.select_option("#id_status", "published")
    sp.click("form.form button[type=submit]")
    sp.wait_for_load_state("networkidle")

    (n,) = Notice.objects.filter(user=buyer_user, event="search_alert")
    buyer.goto(f"{base}/exchange/notifications/")  # the old address redirects to the notices
    body = buyer.inner_text("main")
    assert t["alert"] in body and f"Slag {lang}" in body
    for s in (SECRET, mill.tax_code, "3456", "3.456", "3,456"):
        assert s not in body and s not in n.text and s not in str(n.params)
    buyer.screenshot(path=str(SHOTS / f"exchange_search_alert_{lang}.png"), full_page=True)

    # the owner's evidence page: logistics and a photo upload (its metadata removed)
    sp.goto(f"{base}/exchange/listings/{slag.pk}/evidence/")
    sp.select_option("#id_logistics", "collect")
    sp.click("#evidence-form button[type=submit]")
    sp.wait_for_selector("#listing-history")
    img = tmp_path / "anh.png"
    img.write_bytes(demo_png())
    sp.set_input_files("#upload-form input[type=file]", str(img))
    sp.click("#upload-form button[type=submit]")
    sp.wait_for_selector("#attachments li:nth-child(2)")
    sp.screenshot(path=str(SHOTS / f"exchange_listing_evidence_owner_{lang}.png"), full_page=True)
    assert slag.attachments.count() == 2 and slag.evidence.logistics == "collect"
    assert buyer.console_errors == [] and sp.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_board_completes_a_partial_listing_in_the_browser(live_server, browser, settings, tmp_path):
    """The owner allowed it: the board fills in the CTNH code and the quantity; the
    listing's history records who changed what."""
    from eiphub.exchange.models import ListingEvent, ListingEvidence

    settings.MEDIA_ROOT = tmp_path
    w = make_world(with_flows=False)
    oil = listing(w.e2, "offer", "waste.hazardous.used_oil", 1, "t", hazardous=True)
    ListingEvidence.objects.create(listing=oil, partial=True, facilitator_may_edit=True)
    board = w.users[Role.BOARD]
    board.profile.totp_secret = ""
    board.profile.save()
    base = live_server.url
    page = _page(browser, base, board.username, "vi")
    page.goto(f"{base}/exchange/listings/{oil.pk}/")
    page.click("#edit-evidence")
    page.fill("#id_ctnh_code", "17 02 03")
    page.fill("#id_quantity", "12,5")  # Vietnamese decimal comma
    page.uncheck("#id_partial")
    page.click("#evidence-form button[type=submit]")
    page.wait_for_selector("#evidence-panel")  # back on the listing
    assert page.url.endswith(f"/exchange/listings/{oil.pk}/")
    oil.refresh_from_db()
    assert oil.quantity == 12.5 and oil.evidence.ewc_code == "13 02 05*"
    assert ListingEvent.objects.filter(user=board, action="facilitate").count() == 4
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "exchange_facilitator_completion_vi.png"), full_page=True)
    # the owner reads who changed what
    owner = _page(browser, base, make_user("u_e2", Role.ENTERPRISE, enterprise=w.e2).username, "vi")
    owner.goto(f"{base}/exchange/listings/{oil.pk}/evidence/")
    history = owner.inner_text("#listing-history")
    assert "người hỗ trợ bổ sung" in history and "12,5" in history and "17 02 03" in history
    owner.screenshot(path=str(SHOTS / "exchange_listing_history_vi.png"), full_page=True)
    assert owner.console_errors == []
    assert page.console_errors == []
