"""Marketplace search (issue 17): free text in vi/en through the one resolver, filters,
map points, saved searches and alerts; no result, map point or alert reveals a hidden
firm (name, tax code, exact quantity or coordinates)."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from eiphub.accounts.models import Role
from eiphub.exchange import search as Q
from eiphub.exchange.models import Listing, ListingEvidence, SavedSearch, SearchAlert
from eiphub.exchange.tests.factories import listing
from eiphub.notices.models import Notice
from eiphub.testing import make_enterprise, make_user, make_world

pytestmark = pytest.mark.django_db

SECRET = "Công ty Thép Bí Mật"


@pytest.fixture
def market():
    w = make_world(with_flows=False)
    # a steel mill on K1 with its own (exact) coordinates, away from the park's centroid
    w.mill = make_enterprise(w.k1, 3001, SECRET, vsic="2410")
    w.mill.latitude, w.mill.longitude = 20.95, 106.95
    w.mill.save()
    w.slag = listing(w.mill, "offer", "waste.slag.steel", 237.0, "t", recurring=True)
    w.oil = listing(w.e3, "offer", "waste.hazardous.used_oil", 12.0, "t", hazardous=True)
    w.buyer = w.users[Role.ENTERPRISE]  # enterprise e1 on K1
    w.e1.latitude, w.e1.longitude = 20.8, 106.6
    w.e1.save()
    return w


def _data(**kw):
    form = Q.SearchForm(kw)
    assert form.is_valid(), form.errors
    return form.cleaned_data


@pytest.mark.parametrize("text", ["xỉ thép", "steel slag", "xi thep", "10 02 02"])
def test_free_text_in_vi_and_en_finds_the_blind_listing_through_the_resolver(market, text):
    out = Q.run_search(market.buyer, _data(q=text))
    assert [r.view.id for r in out.results] == [market.slag.pk]
    v = out.results[0].view
    assert v.blind and v.enterprise_name is None and v.quantity is None
    assert v.quantity_band.startswith("100–500") and v.park_code == "K1"


def test_steel_slag_is_not_steel(market):
    listing(market.e2, "offer", "material.metal.steel", 50, "t")
    out = Q.run_search(market.buyer, _data(q="xỉ thép"))
    assert [r.view.resource_code for r in out.results] == ["waste.slag.steel"]


def test_filters(market):
    u = market.buyer
    ids = lambda **kw: {r.view.id for r in Q.run_search(u, _data(**kw)).results}  # noqa: E731
    assert ids(hazardous="yes") == {market.oil.pk}
    assert ids(hazardous="no") == {market.slag.pk}
    assert ids(band="100_1000") == {market.slag.pk}
    assert ids(band="10_100") == {market.oil.pk}
    assert ids(province="P2") == {market.oil.pk}
    assert ids(park="K1") == {market.slag.pk}
    assert ids(family="waste") == {market.slag.pk, market.oil.pk}
    market.oil.recurring = False
    market.oil.save()
    assert ids(recurrence="once") == {market.oil.pk}
    market.slag.available_from = dt.date(2027, 1, 1)
    market.slag.save()
    assert ids(available_to="2026-06-30") == {market.oil.pk}
    assert market.slag.pk in ids(available_from="2027-02-01")
    # K3 is ~1200 km away; K1 is where the buyer is
    assert ids(within_km="20") == {market.slag.pk}
    assert ids(q="dầu thải", within_km="200") == set()


def test_a_blind_listing_is_located_at_its_park_not_at_the_firm(market):
    out = Q.run_search(market.buyer, _data(q="steel slag"))
    (r,) = out.results
    assert r.point == (market.k1.latitude, market.k1.longitude)
    # the distance filter uses the same place: 5 km around the park finds it although
    # the mill itself is ~40 km from the buyer
    assert Q.run_search(market.buyer, _data(q="steel slag", within_km="5")).results
    pts = Q.map_points(out.results)
    blob = json.dumps(pts, ensure_ascii=False)
    assert "20.95" not in blob and "106.95" not in blob and SECRET not in blob
    assert "237" not in blob
    # the board sees the enterprise's own site
    board = Q.run_search(market.users[Role.BOARD], _data(q="steel slag")).results[0]
    assert board.point == (20.95, 106.95)


def test_expired_and_own_listings_are_not_results(market):
    ListingEvidence.objects.create(listing=market.oil, expires_on=dt.date(2020, 1, 1))
    mine = listing(market.e1, "offer", "waste.slag.steel", 5, "t")
    ids = {r.view.id for r in Q.run_search(market.buyer, {}).results}
    assert market.oil.pk not in ids and mine.pk not in ids and market.slag.pk in ids


def test_search_page_in_both_languages_hides_the_firm(market):
    c = Client()
    c.force_login(market.buyer)
    for lang, text in (("vi", "xỉ thép"), ("en", "steel slag")):
        c.cookies["django_language"] = lang
        html = c.get("/exchange/search/", {"q": text}, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert f'data-listing="{market.slag.pk}" data-blind="1"' in html
        assert SECRET not in html and market.mill.tax_code not in html
        assert "237" not in html and "20.95" not in html
        assert "100–500" in html


def test_saved_search_alert_is_sent_once_and_reveals_nothing(
    market, django_capture_on_commit_callbacks
):
    market.buyer.email = "buyer@example.vn"
    market.buyer.save()
    c = Client()
    c.force_login(market.buyer)
    resp = c.post(
        "/exchange/searches/", {"q": "steel slag", "name": "Xỉ cho xi măng", "alerts": "on"}
    )
    assert resp.status_code == 302
    s = SavedSearch.objects.get(user=market.buyer)
    assert s.params == {"q": "steel slag"} and s.alerts
    # a new fitting listing of a hidden firm, published: the alert job runs on commit
    with django_capture_on_commit_callbacks(execute=True):
        new = listing(market.mill, "offer", "waste.slag.steel", 3456, "t")
    # and one that does not fit
    listing(market.mill, "offer", "waste.glass", 10, "t")
    (n,) = Notice.objects.filter(user=market.buyer, event="search_alert")
    assert n.url == f"/exchange/listings/{new.pk}/"
    assert "Xỉ cho xi măng" in n.text and "K1" in n.text
    assert "1.000–5.000" in n.text or "1,000–5,000" in n.text  # the band, in the user's locale
    for secret in (SECRET, market.mill.tax_code, "3456", "3.456", "3,456"):
        assert secret not in n.text and secret not in str(n.params)
    assert [m.to for m in mail.outbox] == [["buyer@example.vn"]]
    assert SECRET not in mail.outbox[0].body and "3456" not in mail.outbox[0].body
    # never twice for the same listing
    assert Q.send_alerts(listing_ids=[new.pk]) == 0
    assert SearchAlert.objects.filter(search=s).count() == 1


def test_alert_to_a_board_user_goes_to_that_user(market):
    board = market.users[Role.BOARD]
    SavedSearch.objects.create(user=board, name="slag", params={"q": "xỉ thép"})
    new = listing(market.mill, "offer", "waste.slag.steel", 30, "t")
    assert Q.send_alerts(listing_ids=[new.pk]) == 1
    assert Notice.objects.filter(user=board, url__endswith=f"/{new.pk}/").count() == 1


def test_alert_text_follows_the_disclosure(market):
    other = make_user("u_e2", Role.ENTERPRISE, enterprise=market.e2)
    s = SavedSearch.objects.create(user=other, name="slag", params={"q": "slag"})
    named = listing(market.mill, "offer", "waste.slag.steel", 30, "t", disclosure="public")
    with translation.override("en"):
        text = Q.alert_text(s, named)
    assert "K1" in text and "10–50" in text
    assert Listing.objects.get(pk=named.pk).disclosure == "public"


def test_saved_searches_page_lists_only_mine(market):
    SavedSearch.objects.create(user=market.users[Role.BOARD], name="board-secret", params={})
    SavedSearch.objects.create(user=market.buyer, name="mine", params={"hazardous": "yes"})
    c = Client()
    c.force_login(market.buyer)
    html = c.get("/exchange/searches/").content.decode()
    assert "mine" in html and "board-secret" not in html
    other = SavedSearch.objects.get(name="board-secret")
    assert c.post(f"/exchange/searches/{other.pk}/delete/").status_code == 404


@pytest.mark.parametrize(
    "value", ["abc", "-5", "1e309", "%00", "ø", "9" * 40, "'; --", "2026-13-45"]
)
def test_hostile_search_parameters_give_a_clean_page(market, value):
    c = Client(raise_request_exception=False)
    c.force_login(market.buyer)
    params = {k: value for k in Q.SearchForm.base_fields}
    assert c.get("/exchange/search/", params).status_code == 200
    resp = c.post("/exchange/searches/", params | {"name": value})
    assert resp.status_code in (200, 302)
    assert SavedSearch.objects.count() == 0  # the choice fields refuse every one of them
