"""Scenarios built from a hand-made park: chosen links, stored solver figures, who sees
which link, and the one-click proposal into the exchange workflow."""

from __future__ import annotations

import pytest

from eiphub.accounts.models import Role
from eiphub.exchange.models import Listing, Match, MatchNote
from eiphub.networks import services as S
from eiphub.networks.models import Scenario
from eiphub.notices.models import Notice
from eiphub.testing import make_enterprise, make_user, make_world


def _listing(ent, kind, code, qty, unit, **kw):
    kw.setdefault("status", "published")
    kw.setdefault("disclosure", "blind")
    return Listing.objects.create(
        enterprise=ent, kind=kind, resource_code=code, quantity=qty, unit=unit, **kw
    )


@pytest.fixture
def park(db):
    """K1: plastic scrap wanted by e1 (100 t) and offered by e2 in K1 (150 t) and e4 in K2
    (80 t, farther); waste heat of a glass works and a dryer's heat demand; a paper lot
    too small to pay for an exchange's fixed cost."""
    w = make_world(with_flows=False)
    glass = make_enterprise(w.k1, 3001, "Công ty Kính Nóng", vsic="2310")
    dryer = make_enterprise(w.k1, 3002, "Công ty Gạch Sấy", vsic="2392")
    pulp = make_enterprise(w.k1, 3003, "Công ty Giấy Vụn", vsic="1701")
    box = make_enterprise(w.k1, 3004, "Công ty Hộp Giấy", vsic="1702")
    w.L = {
        "want": _listing(w.e1, "want", "waste.plastic", 100, "t"),
        "near": _listing(w.e2, "offer", "waste.plastic", 150, "t"),
        "far": _listing(w.e4, "offer", "waste.plastic", 80, "t"),
        "heat": _listing(glass, "offer", "energy.heat.waste_heat", 40000, "GJ", temperature_c=350),
        "drying": _listing(dryer, "want", "energy.heat.drying", 15000, "GJ", temperature_c=90),
        "scrap": _listing(pulp, "offer", "waste.paper", 0.3, "t"),
        "paper": _listing(box, "want", "waste.paper", 0.3, "t"),
    }
    w.dryer_user = make_user("u_dryer", Role.ENTERPRISE, enterprise=dryer)
    w.glass_user = make_user("u_glass", Role.ENTERPRISE, enterprise=glass)
    return w


def _link(w, a, b):
    return f"{w.L[a].pk}->{w.L[b].pk}"


def test_chosen_links_and_stored_figures(park):
    w = park
    board = w.users[Role.BOARD]
    s = S.run_scenario(board, name="K1 plan", park=w.k1, pareto_points=3, with_sensitivity=True)
    s.refresh_from_db()
    candidates = {x["id"]: x for x in s.inputs["links"]}
    # every pair the matcher found is a candidate, the unprofitable paper lot included
    assert {_link(w, "near", "want"), _link(w, "far", "want"), _link(w, "heat", "drying")} <= set(
        candidates
    )
    paper = candidates[_link(w, "scrap", "paper")]
    assert paper["unit_benefit"] * paper["capacity"] < paper["fixed_cost"]
    chosen = {r["link"]: r for r in s.chosen_links}
    # the whole want comes from the nearer offer; the heat pair is taken; the paper lot,
    # worth less than its fixed cost, is left out
    assert set(chosen) == {_link(w, "near", "want"), _link(w, "heat", "drying")}
    assert chosen[_link(w, "near", "want")]["flow"] == pytest.approx(100.0)
    assert chosen[_link(w, "near", "want")]["supplier_id"] == w.e2.pk
    assert s.status == Scenario.Status.DONE and s.solver_status == "optimal"
    assert s.gap is not None and 0 <= s.gap <= 1e-4
    assert s.build_s >= 0 and s.solve_s >= 0
    assert s.benefit_vnd_per_year == pytest.approx(
        sum(r["net_benefit_vnd_per_year"] for r in s.chosen_links)
    )
    assert s.co2e_t_per_year == pytest.approx(sum(r["co2e_t_per_year"] for r in s.chosen_links))
    assert s.summary["greedy"]["benefit_vnd_per_year"] <= s.benefit_vnd_per_year + 1e-6
    assert len(s.pareto) == 3 and s.pareto[0]["co2e_t_per_year"] <= s.pareto[-1]["co2e_t_per_year"]
    assert {c["factor"] for c in s.sensitivity["cases"]} == {"price", "distance", "fixed_cost"}


def test_co2_objective_and_empty_park(park):
    w = park
    dev = w.users[Role.DEVELOPER]
    s = S.run_scenario(dev, name="CO2", park=w.k1, objective="co2")
    b = S.run_scenario(dev, name="Benefit", park=w.k1)
    assert s.co2e_t_per_year >= b.co2e_t_per_year - 1e-6
    # a park whose province has no listings solves to an empty network, stored as done
    empty = S.run_scenario(None, name="K3", park=w.k3, check_scope=False)
    assert empty.status == "done" and empty.chosen_links == []


def test_scope_rules(park):
    w = park
    with pytest.raises(S.ScenarioError) as exc:
        S.run_scenario(w.users[Role.ENTERPRISE], name="x", park=w.k1)
    assert exc.value.status == 403
    with pytest.raises(S.ScenarioError):
        S.run_scenario(w.users[Role.CONSULTANT], name="x", park=w.k1)  # assigned K2 only
    with pytest.raises(S.ScenarioError):
        S.run_scenario(w.users[Role.DEVELOPER], name="x", province=w.p1)  # boards only
    prov = S.run_scenario(w.users[Role.BOARD], name="P1", province=w.p1)
    assert prov.status == "done"
    assert S.scenarios_for(w.users[Role.MINISTRY]).filter(pk=prov.pk).exists()
    assert not S.scenarios_for(w.users[Role.DEVELOPER]).filter(pk=prov.pk).exists()
    assert not S.scenarios_for(w.users[Role.ENTERPRISE]).filter(pk=prov.pk).exists()


def test_enterprise_sees_totals_and_own_links_only(park):
    w = park
    s = S.run_scenario(w.users[Role.BOARD], name="K1 plan", park=w.k1)
    full = S.ScenarioView(w.users[Role.BOARD], s)
    assert {r["supplier"] for r in full.links} == {w.e2.name_vi, "Công ty Kính Nóng"}
    mine = S.ScenarioView(w.users[Role.ENTERPRISE], s)  # e1: the plastic want
    assert len(mine.links) == 1 and mine.links[0]["want_id"] == w.L["want"].pk
    assert mine.links[0]["receiver"] == w.e1.name_vi and mine.links[0]["supplier"] is None
    # blind counterparty: no ids, no exact distance or flow, an opaque link key
    hidden = mine.links[0]
    assert (hidden["supplier_id"], hidden["offer_id"], hidden["distance_km"], hidden["flow"]) == (
        None,
        None,
        None,
        None,
    )
    assert hidden["link"] != _link(w, "near", "want") and hidden["flow_band"] == "100–500 t/year"
    data = mine.to_dict()
    assert data["benefit_vnd_per_year"] == s.benefit_vnd_per_year  # totals stay
    assert data["pareto"] is None and "excluded" not in data["summary"]
    # disclosed to the park: the supplier is named
    Listing.objects.filter(pk=w.L["near"].pk).update(disclosure="park")
    again = S.ScenarioView(w.users[Role.ENTERPRISE], s)
    assert again.links[0]["supplier"] == w.e2.name_vi
    assert again.links[0]["link"] == _link(w, "near", "want")


def test_propose_creates_a_match_once(park, django_capture_on_commit_callbacks):
    w = park
    s = S.run_scenario(w.users[Role.BOARD], name="K1 plan", park=w.k1)
    link = _link(w, "heat", "drying")
    with pytest.raises(S.ScenarioError) as exc:
        S.propose_link(w.users[Role.ENTERPRISE], s, link)
    assert exc.value.status == 403
    with pytest.raises(S.ScenarioError) as exc:
        S.propose_link(w.users[Role.BOARD], s, "1->2")
    assert exc.value.status == 404
    with django_capture_on_commit_callbacks(execute=True):
        m = S.propose_link(w.users[Role.DEVELOPER], s, link)
    assert (m.offer_id, m.want_id) == (w.L["heat"].pk, w.L["drying"].pk)
    assert m.status == Match.Status.IDENTIFIED
    row = next(r for r in s.chosen_links if r["link"] == link)
    assert m.matched_quantity == pytest.approx(row["flow"])
    assert m.benefit_vnd_per_year == pytest.approx(row["net_benefit_vnd_per_year"])
    assert MatchNote.objects.filter(match=m, text__contains="K1 plan").count() == 1
    proposed = Notice.objects.filter(user__in=[w.dryer_user, w.glass_user], event="plan_proposed")
    assert proposed.count() == 2
    assert all("network plan proposes" in n.text for n in proposed)
    s.refresh_from_db()
    assert next(r for r in s.chosen_links if r["link"] == link)["match_id"] == m.pk
    # again: the same match, no second notification
    with django_capture_on_commit_callbacks(execute=True):
        assert S.propose_link(w.users[Role.BOARD], s, link).pk == m.pk
    assert Match.objects.filter(offer=w.L["heat"], want=w.L["drying"]).count() == 1
    assert proposed.count() == 2
    # a listing closed since the scenario was solved cannot be proposed
    Listing.objects.filter(pk=w.L["want"].pk).update(status="closed")
    with pytest.raises(S.ScenarioError) as exc:
        S.propose_link(w.users[Role.BOARD], s, _link(w, "near", "want"))
    assert exc.value.status == 409


def test_compare_lists_shared_links(park):
    w = park
    a = S.run_scenario(w.users[Role.BOARD], name="A", park=w.k1)
    b = S.run_scenario(
        w.users[Role.BOARD], name="B", park=w.k1, params={"fixed_cost_vnd_per_year": 1e15}
    )
    data = S.compare(w.users[Role.BOARD], [a, b])
    assert b.chosen_links == []  # nothing pays a prohibitive fixed cost
    assert {x["row"]["link"] for x in data["links"]} == {r["link"] for r in a.chosen_links}
    assert all(x["in"][1] is None for x in data["links"])
    benefit_row = data["kpis"][0][2]
    assert benefit_row == [a.benefit_vnd_per_year, 0.0]


def test_short_name():
    assert S.short_name("Công ty Cổ phần Xi măng Duyên Hải") == "Xi măng Duyên Hải"
    assert S.short_name("Minh Phat Glass Co., Ltd.") == "Minh Phat Glass"
    assert S.short_name(None) is None
