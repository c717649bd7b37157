"""Investors that create symbiosis (symbiosis/investment.py): industries for a park's open
offers and wants with distance-feasible volumes and benefits, and parks ranked for a
prospective investor, checked by hand."""

import pytest

from eiphub.symbiosis import investment as inv
from eiphub.symbiosis.matching import ROAD_FACTOR, match, road_km
from eiphub.symbiosis.matching.model import Listing
from eiphub.symbiosis.pathways import default_pathways

A = (20.80, 106.60)
B = (20.85, 106.65)  # about 9 road km from A
C = (10.00, 105.70)  # about 1,560 road km away


def _offer(i, park, qty, where, resource="waste.ash.fly", kind="offer"):
    return Listing(str(i), f"e{i}", park, kind, resource, resource, qty, "t", *where)


def test_leftovers_subtract_what_the_matches_take():
    ls = [
        _offer(1, "A", 1000, A),
        Listing("2", "e2", "A", "want", "waste.ash.fly", "fly ash", 400, "t", *A),
    ]
    rest = {x.listing_id: x for x in inv.leftovers(ls, match(ls))}
    assert rest["1"].quantity == pytest.approx(600)  # 1000 offered, 400 taken
    assert "2" not in rest  # the want is covered


def test_park_opportunities_volumes_within_reach_and_benefit_by_hand():
    rest = inv.leftovers(
        [_offer(1, "A", 1000, A), _offer(2, "B", 500, B), _offer(3, "C", 300, C)], []
    )
    ops = inv.park_opportunities(inv.Site("A", *A), rest, limit=50)
    cement = next(o for o in ops if o.vsic == "2394")  # fly ash is a typical cement input
    f = next(f for f in cement.flows if f.resource == "waste.ash.fly")
    assert f.side == "supply" and f.industry_resource == "waste.ash.fly" and f.pathway == ""
    assert f.quantity_park == 1000 and f.listings_park == 1
    assert f.quantity_reachable == 1500 and f.listings_reachable == 2  # C is beyond reach
    ps = default_pathways()
    per_t = ps.lookup("purchase_vnd_per_unit", "waste.ash.fly") + ps.lookup(
        "disposal_vnd_per_unit", "waste.ash.fly"
    )
    assert per_t > 0
    assert f.benefit_vnd_per_year == pytest.approx(1500 * per_t)
    assert f.benefit_park_vnd_per_year == pytest.approx(1000 * per_t)
    assert [o.benefit_vnd_per_year for o in ops] == sorted(
        (o.benefit_vnd_per_year for o in ops), reverse=True
    )
    # a park with nothing open gets nothing, even with neighbours' offers in reach
    assert inv.park_opportunities(inv.Site("Q", *A), rest) == []


def test_wants_bring_industries_that_produce_them():
    rest = inv.leftovers([_offer(1, "A", 800, A, "energy.steam", kind="want")], [])
    ops = inv.park_opportunities(inv.Site("A", *A), rest, limit=50)
    steam = {o.vsic for o in ops}
    assert "3530" in steam  # steam and hot water supply lists steam as a typical output
    f = next(o for o in ops if o.vsic == "3530").flows[0]
    assert f.side == "need" and f.quantity_park == 800


def test_prospect_ranking_by_hand():
    rest = inv.leftovers(
        [_offer(1, "A", 1000, A), _offer(2, "B", 500, B), _offer(3, "C", 300, C)], []
    )
    sites = [inv.Site("A", *A), inv.Site("B", *B), inv.Site("C", *C)]
    fits = inv.rank_parks_for_prospect([("waste.ash.fly", 3000)], ["energy.steam"], sites, rest)
    by = {f.park: f for f in fits}
    d = road_km(*A, *B, ROAD_FACTOR)
    assert 5 < d < 15
    # A: its own 1,000 t count fully and B's 500 t at 1 / (1 + d / 30); of the 3,000 t
    # needed.  Same resource: confidence 1.  Nobody wants steam: 0.  Mean of the two items.
    share_a = (1000 + 500 / (1 + d / 30)) / 3000
    share_b = (500 + 1000 / (1 + d / 30)) / 3000
    assert by["A"].score == pytest.approx(share_a / 2, abs=1e-6)
    assert by["B"].score == pytest.approx(share_b / 2, abs=1e-6)
    assert by["C"].score == pytest.approx(300 / 3000 / 2, abs=1e-6)  # only its own 300 t
    assert [f.park for f in fits] == ["A", "B", "C"]
    item = by["A"].items[0]
    assert item.available == pytest.approx(1500) and item.listings == 2
    assert item.sources == []  # served by the same resource
    no_need = inv.rank_parks_for_prospect(["waste.ash.fly"], [], sites, rest)
    a = next(f for f in no_need if f.park == "A")
    # without a quantity: the quantity-weighted mean distance factor
    assert a.score == pytest.approx((1000 + 500 / (1 + d / 30)) / 1500, abs=1e-6)
    unknown = inv.rank_parks_for_prospect(["zzqx unobtainium"], [], sites, rest)
    assert all(f.score == 0 for f in unknown)
