"""run_matching on DB listings: the seed examples match, Match rows are upserted
without duplicates and keep their workflow state, owners are notified once."""

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.models import Listing, Match
from eiphub.exchange.tests.factories import listing, seed_examples
from eiphub.notices.models import Notice
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    w = make_world()
    ents, users, L = seed_examples(w)
    return w, ents, users, L


def test_seed_examples_match(seeded):
    w, ents, users, L = seeded
    run = S.run_matching(w.k1)
    assert run.created == 3 and run.listings == 6
    pairs = {(m.offer_id, m.want_id): m for m in Match.objects.all()}
    heat = pairs[(L["heat"].pk, L["drying"].pk)]
    water = pairs[(L["treated"].pk, L["cooling"].pk)]
    plastic = pairs[(L["scrap"].pk, L["resin"].pk)]
    assert (heat.pathway, water.pathway, plastic.pathway) == ("P-082", "P-094", "P-034")
    for m in (heat, water, plastic):
        assert 0 < m.score <= 1 and m.benefit_vnd_per_year > 0 and m.co2e_t_per_year > 0
        assert {f["code"] for f in m.facts} >= {"link", "resources", "distance"}
    # 200 m3/month of treated water = 2400 m3/year covers the 1500 m3 want
    assert water.matched_quantity == pytest.approx(1500) and water.unit == "m3"
    assert heat.unit == "GJ" and plastic.unit == "t"


def test_notified_once_and_state_kept(seeded):
    w, ents, users, L = seeded
    S.run_matching(w.k1)
    n = Notice.objects.count()
    # each of the 6 listings belongs to an enterprise; 4 of them have users (glass=e1 too)
    assert n == 4 and set(Notice.objects.values_list("event", flat=True)) == {"match_new"}
    (dryer,) = Notice.objects.filter(user=users["dryer"])
    assert dryer.params["listing_kind"] == L["drying"].kind == "want"
    assert dryer.params["resource_code"] == L["drying"].resource_code
    assert dryer.text.startswith("New match for your want “")
    m = Match.objects.get(offer=L["scrap"])
    S.accept(users["collector"], m)
    n = Notice.objects.count()
    again = S.run_matching(w.k1)
    assert again.created == 0 and again.updated == 3
    assert Match.objects.count() == 3 and Notice.objects.count() == n
    m.refresh_from_db()
    assert m.offer_accepted and m.status == Match.Status.INTERESTED
    # province-wide run finds the same pairs, still no duplicates
    S.run_matching(w.p1)
    assert Match.objects.count() == 3


def test_stale_identified_matches_go_worked_ones_stay(seeded):
    w, ents, users, L = seeded
    S.run_matching(w.k1)
    S.express_interest(users["dryer"], Match.objects.get(want=L["drying"]))
    for key in ("drying", "cooling"):
        L[key].status = Listing.Status.CLOSED
        L[key].save()
    run = S.run_matching(w.k1)
    assert run.removed == 0  # closed listings are no longer in the run: rows are kept
    L["resin"].quantity = 0.0001  # still matches, just smaller
    L["resin"].save()
    L["scrap"].resource_code = "waste.glass"  # no longer a plastic offer
    L["scrap"].save()
    run = S.run_matching(w.k1)
    assert run.removed == 1
    assert not Match.objects.filter(offer=L["scrap"]).exists()
    assert Match.objects.filter(want=L["drying"]).exists()


def test_core_listing_conversion(seeded):
    w, ents, users, L = seeded
    x = S.to_core_listing(L["treated"])
    assert x.quantity == pytest.approx(2400) and x.unit == "m3"
    assert (x.lat, x.lon) == (w.k1.latitude, w.k1.longitude)  # enterprise without coordinates
    kg = listing(
        ents["collector"], "offer", "", 5000, "kg", text="nhựa phế liệu", price_vnd_per_unit=5
    )
    x = S.to_core_listing(kg)
    assert x.resource == "waste.plastic" and x.quantity == pytest.approx(5) and x.unit == "t"
    assert x.price_vnd_per_unit == pytest.approx(5000)  # per tonne
    haz = listing(
        ents["collector"],
        "offer",
        "waste.hazardous.used_oil",
        1,
        "t",
        licence_required="Giấy phép xử lý chất thải nguy hại",
    )
    # issue 17: its receiver must also be a directory holder covering its code (17 02 03)
    assert S.to_core_listing(haz).licences == {
        "hazardous_waste",
        "licensed_handler",
        "ctnh:17 02 03",
    }
    bad = listing(ents["collector"], "offer", "waste.plastic", 1, "kWh")
    assert S.to_core_listing(bad) is None


def test_publishing_runs_matching_and_board_can_run(seeded):
    w, ents, users, L = seeded
    c = Client()
    c.force_login(users["dryer"])
    r = c.post(
        "/exchange/listings/new/",
        {
            "kind": "want",
            "resource": "nhiệt thải",
            "quantity": "500",
            "unit": "GJ",
            "period": "year",
            "recurring": "on",
            "disclosure": "blind",
            "status": "published",
            "quality_spec": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    new = Listing.objects.get(enterprise=ents["dryer"], resource_code="energy.heat.waste_heat")
    assert Match.objects.filter(want=new, offer=L["heat"]).exists()
    board = Client()
    board.force_login(w.users[Role.BOARD])
    assert board.post("/exchange/matches/run/", {"park": "K1"}).status_code == 302
    assert board.post("/exchange/matches/run/", {"park": "K3"}).status_code == 404  # not its park
    ent = Client()
    ent.force_login(users["dryer"])
    assert ent.post("/exchange/matches/run/", {"park": "K1"}).status_code == 403


def test_listing_form_validation(seeded):
    w, ents, users, L = seeded
    c = Client()
    c.force_login(users["dryer"])
    base = {
        "kind": "want",
        "quantity": "5",
        "unit": "t",
        "period": "year",
        "disclosure": "blind",
        "status": "draft",
    }
    r = c.post("/exchange/listings/new/", {**base, "resource": "tro bay", "unit": "kWh"})
    assert r.status_code == 200 and "kWh" in r.content.decode()
    r = c.post(
        "/exchange/listings/new/", {**base, "resource": "tro bay", "quality_spec": "ẩm nhiều"}
    )
    assert r.status_code == 200
    assert not Listing.objects.filter(
        enterprise=ents["dryer"], resource_code="waste.ash.fly"
    ).exists()
    r = c.post(
        "/exchange/listings/new/",
        {**base, "resource": "Tro bay", "quality_spec": "loi_pct<=6; moisture_pct<=1"},
    )
    assert r.status_code == 302
    lst = Listing.objects.get(enterprise=ents["dryer"], resource_code="waste.ash.fly")
    assert lst.resource_code == "waste.ash.fly" and lst.quality == {
        "loi_pct_max": 6,
        "moisture_pct_max": 1,
    }
    preview = c.get("/exchange/listings/resolve/", {"resource": "tro xi nhiet dien"})
    assert "waste.ash" in preview.content.decode()


def test_matches_store_facts_and_pages_phrase_them(seeded):
    from django.utils import translation

    w, ents, users, L = seeded
    S.run_matching(w.k1)
    heat = Match.objects.get(offer=L["heat"], want=L["drying"])
    f = {x["code"]: x for x in heat.facts}
    assert f["link"]["relation"] == "pathway" and f["link"]["pathway"] == "P-082"
    assert f["distance"]["distance_km"] == pytest.approx(heat.distance_km)
    assert 0 < f["coverage"]["share_of_want"] <= 1
    assert f["benefit"]["vnd_per_year"] == pytest.approx(heat.benefit_vnd_per_year)
    km = heat.distance_km
    with translation.override("vi"):
        vi = S.phrase_facts(heat.facts)
    with translation.override("en"):
        en = S.phrase_facts(heat.facts)
    assert "theo lộ trình P-082" in vi and f"{km:.1f}".replace(".", ",") + " km" in vi
    assert "triệu đồng/năm" in vi and "via pathway" not in vi
    assert "via pathway P-082" in en and f"{km:.1f} km" in en and "million VND/year" in en
    # a re-run with nothing changed writes nothing (the diff is set-based)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        again = S.run_matching(w.k1)
    assert again.created == 0 and again.updated == 3
    writes = [
        x["sql"] for x in q.captured_queries if x["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
