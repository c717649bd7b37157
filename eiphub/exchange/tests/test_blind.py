"""Blind matching: no page, API response, export, notification or error message reachable
by someone who is not entitled to it reveals a hidden enterprise's name, tax code or exact
quantity.  After both sides accept a match, the two parties see each other."""

import io

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from docx import Document

from eiphub.accounts.models import ApiToken, Role
from eiphub.exchange import services as S
from eiphub.exchange.listings import note_facts
from eiphub.exchange.models import Agreement, Listing, Match
from eiphub.exchange.tests.factories import SECRET_NAME, SECRET_QTY, listing
from eiphub.notices.models import Notice
from eiphub.testing import make_enterprise, make_user, make_world

pytestmark = pytest.mark.django_db

FORMS_OF_QTY = ("1234.5", "1234,5", "1.234,5", "1,234.5", "1 234,5")


@pytest.fixture
def world():
    w = make_world()
    w.secret = make_enterprise(w.k1, 4242, SECRET_NAME, vsic="2220")
    w.secret.name_en = "Secret XYZ Company"
    w.secret.save()
    w.secret_user = make_user("u_secret", Role.ENTERPRISE, enterprise=w.secret)
    w.e2_user = make_user("u_e2", Role.ENTERPRISE, enterprise=w.e2)
    w.offer = listing(
        w.secret,
        "offer",
        "waste.plastic",
        SECRET_QTY,
        "t",
        price_vnd_per_unit=7_654_321,
        site="Lô bí mật B7",
        quality={"contamination_pct": 2},
    )
    w.draft = listing(w.secret, "offer", "waste.glass", 77.7, "t", status="draft")
    w.want = listing(w.e1, "want", "material.plastic", 900, "t")
    S.run_matching(w.k1)
    w.match = Match.objects.get(offer=w.offer, want=w.want)
    # a stored text naming the hidden party (as imported or demo data might have it)
    # a stored text only (no structured facts; migration 0009 keeps such texts as a note):
    # pages show the text, scrubbed
    w.match.facts = note_facts(
        f"Plastic from Secret XYZ Company ({w.secret.tax_code}) to buyer",
        f"Nhựa từ {SECRET_NAME} ({w.secret.tax_code}) cho bên mua",
    )
    w.match.save()
    return w


def _secrets(w):
    return (
        SECRET_NAME,
        "Secret XYZ Company",
        w.secret.tax_code,
        "Lô bí mật B7",
        "7654321",
        "7.654.321",
        "7,654,321",
    ) + FORMS_OF_QTY


def _assert_clean(w, body: str, where: str):
    for s in _secrets(w):
        assert s not in body, (where, s)


def _client(user):
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"  # the product's default UI language
    if user is not None:
        c.force_login(user)
    return c


def _pages(w):
    return [
        "/exchange/",
        "/exchange/?tab=market",
        "/exchange/?tab=market&group=waste",
        f"/exchange/listings/{w.offer.pk}/",
        f"/exchange/listings/{w.draft.pk}/",
        f"/exchange/listings/{w.offer.pk}/edit/",
        "/exchange/matches/",
        f"/exchange/matches/{w.match.pk}/",
        f"/exchange/matches/{w.match.pk}/agreement/",
        "/exchange/agreements/",
        "/exchange/funnel/",
        "/exchange/investors/",
        "/exchange/investors/?inputs=nhựa+phế+liệu&outputs=",
        "/exchange/notifications/",
        "/exchange/notifications/badge/",
        "/api/v1/exchange/listings",
        f"/api/v1/exchange/listings/{w.offer.pk}",
        f"/api/v1/exchange/listings/{w.draft.pk}",
        "/api/v1/exchange/matches",
        f"/api/v1/exchange/matches/{w.match.pk}",
        "/api/v1/exchange/funnel",
        "/api/v1/exchange/listings?kind=offer&park=K1",
    ]


def _outsiders(w):
    """Users who must never learn the secret party: the counterpart before acceptance,
    another enterprise of the same park, developer, consultant, public, anonymous."""
    return {
        "counterpart": w.users[Role.ENTERPRISE],
        "neighbour": w.e2_user,
        "developer": w.users[Role.DEVELOPER],
        "consultant": w.users[Role.CONSULTANT],
        "public": w.users[Role.PUBLIC],
        "anonymous": None,
    }


def test_no_page_or_api_reveals_a_blind_party(world):
    w = world
    for who, user in _outsiders(w).items():
        c = _client(user)
        for url in _pages(w):
            resp = c.get(url, follow=True)
            _assert_clean(w, resp.content.decode(), f"{who} GET {url} -> {resp.status_code}")
    # the counterpart does reach the blind match: resource, band and park, no identity
    page = _client(w.users[Role.ENTERPRISE]).get(f"/exchange/matches/{w.match.pk}/")
    assert page.status_code == 200
    assert S.quantity_band(SECRET_QTY, "t") in page.content.decode()


def test_blind_view_shows_the_band_and_park(world):
    w = world
    c = _client(w.users[Role.ENTERPRISE])
    data = c.get(f"/api/v1/exchange/listings/{w.offer.pk}").json()
    assert data["blind"] and data["enterprise_id"] is None and data["quantity"] is None
    assert data["price_vnd_per_unit"] is None and data["site"] is None and data["quality"] is None
    assert data["park_code"] == "K1" and data["quantity_band"].startswith("1")
    assert "5" in data["quantity_band"]  # 1,000–5,000 t
    m = c.get(f"/api/v1/exchange/matches/{w.match.pk}").json()
    assert m["offer"]["blind"] and not m["want"]["blind"] and m["matched_quantity"] is None
    assert "[" in m["explanation"]  # the stored name was replaced by the hidden marker


def test_writes_and_errors_do_not_reveal(world):
    w = world
    outsider = _client(w.e2_user)
    party = _client(w.users[Role.ENTERPRISE])
    for c, who in ((outsider, "neighbour"), (party, "counterpart")):
        for url, data in (
            (f"/exchange/matches/{w.match.pk}/do/note/", {"text": ""}),
            (f"/exchange/matches/{w.match.pk}/agreement/", {"quantity_per_year": "1"}),
            (f"/exchange/listings/{w.offer.pk}/edit/", {"quantity": "1"}),
            ("/exchange/matches/run/", {"park": "K1"}),
            ("/exchange/listings/from-flows/", {}),
        ):
            for hx in ({}, {"HTTP_HX_REQUEST": "true"}):
                resp = c.post(url, data, follow=True, **hx)
                _assert_clean(w, resp.content.decode(), f"{who} POST {url}")
        for path in ("accept", "agreement", "notes", "decline"):
            resp = c.post(
                f"/api/v1/exchange/matches/{w.match.pk}/{path}"
                if path != "decline"
                else f"/api/v1/exchange/matches/{w.match.pk}/nothing",
                {},
                content_type="application/json",
            )
            _assert_clean(w, resp.content.decode(), f"{who} API {path}")
    # the counterpart accepted above, but the secret side did not: still hidden
    w.match.refresh_from_db()
    assert w.match.want_accepted and not w.match.offer_accepted
    for url in _pages(w):
        _assert_clean(w, party.get(url, follow=True).content.decode(), f"after one accept {url}")


def _notice_texts(notices) -> str:
    """The notices' params and their sentences in both languages."""
    out = [str(n.params) for n in notices]
    for lang in ("vi", "en"):
        with translation.override(lang):
            out += [n.text for n in notices]
    return " ".join(out)


def test_notifications_never_name_the_other_party(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        S.express_interest(w.users[Role.ENTERPRISE], w.match)
        S.accept(w.secret_user, w.match)
    notices = list(Notice.objects.exclude(event="match_new"))
    assert {(n.user, n.event) for n in notices} == {
        (w.secret_user, "match_interest"),
        (w.users[Role.ENTERPRISE], "match_accepted"),
    }
    texts = _notice_texts(notices)
    _assert_clean(w, texts, "notifications")
    assert w.e1.name_vi not in texts


def test_blind_notice_to_the_want_side_redacts_the_offer_words(
    world, django_capture_on_commit_callbacks
):
    """An offer described only in its owner's words, naming the firm: the want side is
    told of the offerer's steps without that name, in either language."""
    w = world
    words = f"Nhựa PET vụn của {SECRET_NAME}, MST {w.secret.tax_code}"
    Listing.objects.filter(pk=w.offer.pk).update(resource_code="", resource_text=words)
    w.match.refresh_from_db()
    buyer = w.users[Role.ENTERPRISE]
    with django_capture_on_commit_callbacks(execute=True):
        S.express_interest(w.secret_user, w.match)
        S.accept(w.secret_user, w.match)
        S.add_note(w.secret_user, w.match, "Hàng có sẵn")
    to_buyer = list(Notice.objects.filter(user=buyer).exclude(event="match_new"))
    assert {n.event for n in to_buyer} == {"match_interest", "match_accepted", "message_new"}
    texts = _notice_texts(to_buyer)
    assert "Nhựa PET vụn" in texts  # the words that do not identify the firm go through
    _assert_clean(w, texts, "notices to the want side")
    # the offerer reads its own words unredacted once revealed (after both accept)
    with django_capture_on_commit_callbacks(execute=True):
        S.accept(buyer, w.match)
    (mine,) = Notice.objects.filter(user=w.secret_user, event="match_revealed")
    assert SECRET_NAME in mine.text


def test_both_accept_reveals_both(world):
    w = world
    S.accept(w.users[Role.ENTERPRISE], w.match)
    S.accept(w.secret_user, w.match)
    buyer, seller = _client(w.users[Role.ENTERPRISE]), _client(w.secret_user)
    page = buyer.get(f"/exchange/matches/{w.match.pk}/").content.decode()
    assert SECRET_NAME in page and 'id="revealed"' in page
    api = buyer.get(f"/api/v1/exchange/matches/{w.match.pk}").json()
    assert api["offer"]["enterprise_name"] == SECRET_NAME and api["offer"]["quantity"] == SECRET_QTY
    assert (
        buyer.get(f"/api/v1/exchange/listings/{w.offer.pk}").json()["enterprise_name"]
        == SECRET_NAME
    )
    assert w.e1.name_vi in seller.get(f"/exchange/matches/{w.match.pk}/").content.decode()
    # still hidden from everyone else
    for who, user in _outsiders(w).items():
        if who == "counterpart":
            continue
        c = _client(user)
        for url in _pages(w):
            _assert_clean(w, c.get(url, follow=True).content.decode(), f"{who} after reveal {url}")
    # the contract names both parties for them
    a = S.create_agreement(w.secret_user, w.match)
    text = _docx_text(buyer.get(f"/exchange/agreements/{a.pk}/contract.docx").content)
    assert SECRET_NAME in text and w.e1.name_vi in text


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [cell.text for row in t.rows for cell in row.cells]
    return "\n".join(parts)


def test_docx_of_an_unrevealed_agreement_hides_the_other_party(world):
    """An agreement recorded while the match is not accepted by both (e.g. imported):
    the party's contract export does not name the other side."""
    w = world
    w.match.want_accepted = True
    w.match.save()
    a = Agreement.objects.create(
        match=w.match,
        supplier=w.secret,
        receiver=w.e1,
        resource_code="waste.plastic",
        quantity_per_year=SECRET_QTY,
        unit="t",
    )
    c = _client(w.users[Role.ENTERPRISE])
    data = c.get(f"/exchange/agreements/{a.pk}/contract.docx").content
    text = _docx_text(data)
    assert w.e1.name_vi in text
    for s in (SECRET_NAME, w.secret.tax_code):
        assert s not in text
    for url in (
        f"/exchange/agreements/{a.pk}/",
        "/exchange/agreements/",
        f"/api/v1/exchange/agreements/{a.pk}",
    ):
        body = c.get(url).content.decode()
        assert SECRET_NAME not in body and w.secret.tax_code not in body, url
    # the board sees the parties in full
    board = _client(w.users[Role.BOARD])
    assert SECRET_NAME in _docx_text(
        board.get(f"/exchange/agreements/{a.pk}/contract.docx").content
    )


def test_disclosure_levels(world):
    w = world
    w.offer.disclosure = Listing.Disclosure.PARK
    w.offer.save()
    url = f"/api/v1/exchange/listings/{w.offer.pk}"
    assert _client(w.e2_user).get(url).json()["enterprise_name"] == SECRET_NAME  # same park
    e4_user = make_user("u_e4", Role.ENTERPRISE, enterprise=w.e4)  # park K2
    assert _client(e4_user).get(url).json()["enterprise_name"] is None
    w.offer.disclosure = Listing.Disclosure.PUBLIC
    w.offer.save()
    assert _client(e4_user).get(url).json()["enterprise_name"] == SECRET_NAME
    # drafts: owner only, not even the board
    for user in (w.users[Role.BOARD], w.users[Role.MINISTRY], w.e2_user):
        assert _client(user).get(f"/api/v1/exchange/listings/{w.draft.pk}").status_code == 404
    assert _client(w.secret_user).get(f"/api/v1/exchange/listings/{w.draft.pk}").status_code == 200
    # the board sees published listings of its parks in full
    board = _client(w.users[Role.BOARD]).get(f"/api/v1/exchange/listings/{w.offer.pk}").json()
    assert board["level"] == "full" and board["quantity"] == SECRET_QTY


def test_api_create_listing(world):
    w = world
    _t, key = ApiToken.issue(w.e2_user)
    h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    c = Client()
    body = {
        "kind": "want",
        "resource": "phế liệu nhựa",
        "quantity": 5,
        "unit": "tấn",
        "period": "month",
        "status": "published",
    }
    r = c.post("/api/v1/exchange/listings", body, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    assert r.json()["resource_code"] == "waste.plastic" and r.json()["level"] == "owner"
    bad = c.post(
        "/api/v1/exchange/listings", {**body, "unit": "kWh"}, content_type="application/json", **h
    )
    assert bad.status_code == 400 and "unit" in bad.json()["errors"]
    _t, key = ApiToken.issue(w.users[Role.BOARD])
    denied = c.post(
        "/api/v1/exchange/listings",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert denied.status_code == 403


def _oob_card(html: str, card: str) -> str:
    """The listing card ``card`` inside the out-of-band summary of an HTMX answer."""
    assert html.count('id="match-summary" hx-swap-oob="true"') == 1
    summary = html.split('id="match-summary" hx-swap-oob="true"', 1)[1]
    return summary.split(f'id="{card}"', 1)[1].split("</dl>", 1)[0]


def test_htmx_accept_swaps_the_cards_to_revealed_without_a_reload(world):
    w = world
    hx = {"HTTP_HX_REQUEST": "true"}
    hidden = "Ẩn cho đến khi hai bên chấp nhận"  # "Hidden until both sides accept a match"
    buyer, seller = _client(w.users[Role.ENTERPRISE]), _client(w.secret_user)
    url = f"/exchange/matches/{w.match.pk}/do/accept/"
    first = buyer.post(url, **hx).content.decode()
    assert 'id="revealed"' not in first
    assert hidden in _oob_card(first, "offer-card")  # one acceptance reveals nothing
    _assert_clean(w, first, "first accept")

    second = seller.post(url, **hx).content.decode()
    assert 'id="revealed"' in second
    want_card = _oob_card(second, "want-card")
    assert w.e1.name_vi in want_card and hidden not in want_card
    assert "900" in want_card  # the exact quantity replaces the band
    # the buyer's next answer (a note) carries the revealed offer card as well
    note = buyer.post(f"/exchange/matches/{w.match.pk}/do/note/", {"text": "ok"}, **hx)
    offer_card = _oob_card(note.content.decode(), "offer-card")
    assert SECRET_NAME in offer_card and hidden not in offer_card
