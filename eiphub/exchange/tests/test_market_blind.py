"""No search result, map point, saved-search page, alert or attachment reveals a hidden
firm (issue 17): for every role without full view and every filter, the hidden firm's
name, tax code, id, exact quantity and coordinates never appear, and the distance filter
answers as if the firm were at its park (it cannot be bisected to locate the firm)."""

import json

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import translation

from eiphub.accounts.models import Role
from eiphub.exchange import search as Q
from eiphub.exchange.models import ListingAttachment, SavedSearch
from eiphub.exchange.tests.factories import listing
from eiphub.notices.models import Notice
from eiphub.testing import make_enterprise, make_world

pytestmark = pytest.mark.django_db
NAME = "Công ty Kín Tiếng"
FILTERS = [
    {"q": "xỉ thép"},
    {"q": "steel slag", "band": "100_1000"},
    {"q": "10 02 02"},
    {"family": "waste", "hazardous": "no"},
    {"park": "K1", "recurrence": "recurring"},
    {"province": "P1", "within_km": "50"},
    {"kind": "offer", "available_from": "2026-01-01"},
]


@pytest.fixture
def hidden(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = make_world(with_flows=False)
    w.firm = make_enterprise(w.k1, 5001, NAME, vsic="2410")
    w.firm.latitude, w.firm.longitude = 20.7713, 106.8529
    w.firm.save()
    w.slag = listing(w.firm, "offer", "waste.slag.steel", 387.25, "t", site="Lô C7, đường số 3")
    att = ListingAttachment(
        listing=w.slag, kind="lab", content_type="application/pdf", size=1,
        original_name=f"{NAME} phan tich.pdf",
    )  # fmt: skip
    att.file.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    att.save()
    w.att = att
    w.e1.latitude, w.e1.longitude = 20.8, 106.6
    w.e1.save()
    return w


def _secrets(w):
    return [NAME, w.firm.tax_code, "387", "20.7713", "106.8529", "Lô C7", "phan tich"]


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.DEVELOPER, Role.CONSULTANT])
def test_search_outputs_never_name_the_hidden_firm(hidden, role):
    w = hidden
    user = w.users[role]
    c = Client()
    c.force_login(user)
    for params in FILTERS:
        html = c.get("/exchange/search/", params).content.decode()
        form = Q.SearchForm(params)
        assert form.is_valid(), form.errors
        data = Q.run_search(user, form.cleaned_data)
        if role == Role.ENTERPRISE or "within_km" not in params:  # others have no site
            assert data.results, params  # the hidden listing is found by each filter
        blob = json.dumps(Q.map_points(data.results), ensure_ascii=False) + html
        for s in _secrets(w):
            assert s not in blob, (role, params, s)
        assert f"/exchange/attachments/{w.att.pk}/" not in html
        for r in data.results:
            assert r.view.enterprise_id is None and r.view.quantity is None
    assert c.get(f"/exchange/attachments/{w.att.pk}/").status_code == 404
    detail = c.get(f"/exchange/listings/{w.slag.pk}/").content.decode()
    for s in _secrets(w):
        assert s not in detail


def test_distance_filter_depends_only_on_the_park(hidden):
    w = hidden
    park_km = Q.km_between(20.8, 106.6, w.k1.latitude, w.k1.longitude)
    for k in Q.DISTANCES_KM:
        found = bool(Q.run_search(w.users[Role.ENTERPRISE], {"within_km": k}).results)
        assert found == (park_km <= k)
    # moving the firm does not change any answer
    w.firm.latitude, w.firm.longitude = 10.0, 105.0
    w.firm.save()
    for k in Q.DISTANCES_KM:
        found = bool(Q.run_search(w.users[Role.ENTERPRISE], {"within_km": k}).results)
        assert found == (park_km <= k)


def test_alerts_to_every_role_name_no_hidden_firm(hidden):
    w = hidden
    for role in (Role.ENTERPRISE, Role.DEVELOPER, Role.CONSULTANT):
        SavedSearch.objects.create(user=w.users[role], name=f"s-{role}", params={"q": "xỉ thép"})
    new = listing(w.firm, "offer", "waste.slag.steel", 4321.5, "t")
    assert Q.send_alerts(listing_ids=[new.pk]) == 3
    notices = list(Notice.objects.filter(event="search_alert"))
    assert len(notices) == 3
    texts = [str(n.params) for n in notices]
    for lang in ("vi", "en"):
        with translation.override(lang):
            texts += [n.text for n in notices]
    for t in texts:
        for s in (NAME, w.firm.tax_code, "4321", "4.321", "4,321"):
            assert s not in t


def test_search_api_is_blind_and_places_the_listing_at_its_park(hidden):
    w = hidden
    c = Client()
    c.force_login(w.users[Role.ENTERPRISE])
    resp = c.get("/api/v1/exchange/search", {"q": "steel slag", "within_km": "50"})
    assert resp.status_code == 200
    body = resp.content.decode()
    for s in _secrets(w):
        assert s not in body
    (row,) = resp.json()["results"]
    assert row["blind"] and row["enterprise_id"] is None and row["quantity"] is None
    assert (row["lat"], row["lon"]) == (w.k1.latitude, w.k1.longitude)
    assert row["quantity_band"].startswith("100–500") and row["distance_band"].endswith("km")
    assert resp.json()["understood"] == ["Steel slag"]
    assert c.get("/api/v1/exchange/search", {"band": "huge"}).status_code == 400
    board = Client()
    board.force_login(w.users[Role.BOARD])
    (full,) = board.get("/api/v1/exchange/search", {"q": "xỉ thép"}).json()["results"]
    assert full["enterprise_name"] == NAME and full["lat"] == 20.7713
