"""Investor fit: unmatched offers by park with industries that could use them; parks
ranked for a prospective investor's inputs and outputs; blind (no owners, bands only)."""

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.tests.factories import listing
from eiphub.registry.models import Park
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world(with_flows=False)
    w.ash = listing(w.e1, "offer", "waste.ash.fly", 3333.3, "t")  # nobody wants it in K1
    listing(w.e2, "offer", "waste.plastic", 500, "t")
    listing(w.e2, "want", "material.plastic", 50, "t")  # same enterprise: no self-match
    listing(w.e4, "want", "material.plastic", 450, "t")  # K2: takes all 500 t (ratio 0.85)
    return w


def test_unmatched_offers_with_industries(world):
    w = world
    rows = S.unmatched_offers(Park.objects.filter(pk=w.k1.pk))
    by_res = {r["resource"]: r for r in rows}
    assert set(by_res) == {"waste.ash.fly"}  # the plastic goes to K2's recycler
    ash = by_res["waste.ash.fly"]
    assert "2394" in ash["industries"] and "P-001" in ash["pathways"]  # cement
    assert ash["park_code"] == "K1" and "3333" not in ash["unmatched_band"]


def test_rank_parks_for_an_investor(world):
    fits = S.rank_parks([("phế liệu nhựa", 400)], [("tro bay", 1000)], Park.objects.all())
    assert [f["park_code"] for f in fits][0] == "K1"
    k1 = fits[0]
    assert k1["score"] > 0 and {it["side"] for it in k1["items"]} == {"input", "output"}
    supplied = next(it for it in k1["items"] if it["side"] == "input")
    assert supplied["listings"] == 1 and supplied["score"] == pytest.approx(1.0)
    assert S.parse_resource_lines("hơi nước; 5000\n\ntro bay") == [("hơi nước", 5000.0), "tro bay"]
    with pytest.raises(ValueError):
        S.parse_resource_lines("tro bay; nhiều")


def test_investor_page(world):
    w = world
    c = Client()
    c.force_login(w.users[Role.BOARD])
    page = c.get("/exchange/investors/", {"inputs": "phế liệu nhựa; 400", "outputs": ""})
    body = page.content.decode()
    assert page.status_code == 200 and page.context["ranking"][0]["park_code"] == "K1"
    assert "2394" in body and w.e1.name_vi not in body and "3333" not in body
    bad = c.get("/exchange/investors/", {"inputs": "nhựa; nhiều"})
    assert bad.status_code == 200 and bad.context["ranking"] is None
