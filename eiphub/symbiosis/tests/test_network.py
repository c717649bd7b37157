"""Exchange network MILP: hand-checked optima, brute force and properties."""

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiphub.symbiosis.bench_network import synthetic_problem
from eiphub.symbiosis.network import (
    Demand,
    Facility,
    Link,
    NetworkError,
    NetworkProblem,
    Supply,
    greedy_baseline,
    pareto_front,
    problem_from_matches,
    sensitivity,
    solve_network,
)


def _small():
    """Fly ash: one power plant, two cement/brick buyers, a hazardous sludge."""
    return NetworkProblem(
        supplies=[Supply("ash", 100.0), Supply("sludge", 50.0, hazardous=True)],
        demands=[
            Demand("cement", 80.0),
            Demand("brick", 60.0, licences=frozenset({"hazardous_waste"})),
        ],
        links=[
            # margin 1000 - 5*10 = 950/t, fixed 20,000
            Link("ash-cement", "ash", "cement", 1000.0, 10.0, 5.0, fixed_cost=20_000.0),
            # margin 900 - 5*5 = 875/t, fixed 1,000
            Link("ash-brick", "ash", "brick", 900.0, 5.0, 5.0, fixed_cost=1_000.0),
            Link("sludge-cement", "sludge", "cement", 2000.0, 1.0, 5.0),  # no licence
            Link(
                "sludge-brick", "sludge", "brick", 1500.0, 1.0, 5.0, facility="hub", min_flow=10.0
            ),
        ],
        facilities=[Facility("hub", fixed_cost=5_000.0)],
    )


def _check(problem, res, tol=1e-6):
    """Balances, capacities, minimum flows and licences of a result."""
    sup = {s.id: s for s in problem.supplies}
    dem = {d.id: d for d in problem.demands}
    links = {lk.id: lk for lk in problem.links}
    out, inn = {}, {}
    for lf in res.links:
        lk = links[lf.link]
        assert lf.flow >= lk.min_flow - tol
        assert lf.flow <= lk.capacity + tol
        s = sup[lk.supply]
        if s.hazardous:
            assert s.required_licence in dem[lk.demand].licences
        if lk.facility is not None:
            assert lk.facility in res.facilities
        out[lk.supply] = out.get(lk.supply, 0.0) + lf.flow
        inn[lk.demand] = inn.get(lk.demand, 0.0) + lf.flow * lk.yield_ratio
    for k, v in out.items():
        assert v <= sup[k].quantity * (1 + tol) + tol
    for k, d in dem.items():
        assert d.min_quantity - tol <= inn.get(k, 0.0) <= d.quantity * (1 + tol) + tol
    total = sum(lf.net_benefit_vnd_per_year for lf in res.links)
    fac = sum(f.fixed_cost for f in problem.facilities if f.id in res.facilities)
    assert res.benefit_vnd_per_year == pytest.approx(total - fac, rel=1e-9, abs=1e-6)


def test_hand_checked_optimum():
    p = _small()
    r = solve_network(p)
    assert r.status == "optimal"
    flows = {lf.link: lf.flow for lf in r.links}
    # cement takes 80 t ash (950/t), brick the 50 t sludge via the hub (1495/t)
    # and the remaining 10 t of brick capacity from ash (875/t)
    assert flows == pytest.approx({"ash-cement": 80.0, "ash-brick": 10.0, "sludge-brick": 50.0})
    expected = 80 * 950 - 20_000 + 10 * 875 - 1_000 + 50 * 1495 - 5_000
    assert r.benefit_vnd_per_year == pytest.approx(expected)
    assert r.excluded == [
        {"link": "sludge-cement", "reason": "licence", "licence": "hazardous_waste"}
    ]
    _check(p, r)


def test_fixed_cost_closes_a_link_and_min_demand_infeasible():
    p = _small()
    p.links[1] = replace(p.links[1], fixed_cost=10 * 875 + 1.0)  # 10 t no longer pays
    r = solve_network(p)
    assert "ash-brick" not in {lf.link for lf in r.links}
    p.demands[0] = replace(p.demands[0], min_quantity=80.0, quantity=200.0)
    p.links[0] = replace(p.links[0], capacity=30.0)
    bad = solve_network(p)
    assert bad.status == "infeasible" and not bad.feasible and "cement" in bad.message


def test_co2_objective_and_pareto_front():
    p = _small()
    p.links[0] = replace(p.links[0], co2_per_unit=0.1)
    p.links[1] = replace(p.links[1], co2_per_unit=0.5)
    best_b = solve_network(p)
    best_c = solve_network(p, "co2")
    assert best_c.co2e_t_per_year >= best_b.co2e_t_per_year
    assert best_c.benefit_vnd_per_year <= best_b.benefit_vnd_per_year + 1e-6
    front = pareto_front(p, 4)
    co2 = [pt["co2e_t_per_year"] for pt in front]
    ben = [pt["benefit_vnd_per_year"] for pt in front]
    assert co2 == sorted(co2)
    assert all(b2 <= b1 + 1e-6 for b1, b2 in zip(ben, ben[1:], strict=False))
    assert co2[0] == pytest.approx(best_b.co2e_t_per_year)
    assert co2[-1] == pytest.approx(best_c.co2e_t_per_year, rel=1e-6)
    w = solve_network(p, "weighted", weights={"benefit": 1.0, "co2": 1e6})
    assert w.co2e_t_per_year == pytest.approx(best_c.co2e_t_per_year, rel=1e-6)


def test_sensitivity_reports_changes():
    s = sensitivity(_small(), {"price": (0.5, 2.0), "fixed_cost": (20.0,)})
    cases = {(c["factor"], c["value"]): c for c in s["cases"]}
    assert cases[("price", 2.0)]["benefit_vnd_per_year"] > s["base"]["benefit_vnd_per_year"]
    assert cases[("price", 0.5)]["benefit_vnd_per_year"] < s["base"]["benefit_vnd_per_year"]
    # 20x fixed costs: the 10 t ash-brick top-up (8,750 vs 20,000) no longer pays
    assert "ash-brick" in cases[("fixed_cost", 20.0)]["removed"]
    assert cases[("fixed_cost", 20.0)]["jaccard"] < 1.0


def test_input_errors():
    p = _small()
    p.links.append(Link("x", "nowhere", "cement", 1.0))
    with pytest.raises(NetworkError) as e:
        solve_network(p)
    assert e.value.code == "unknown_ref"
    with pytest.raises(NetworkError):
        solve_network(_small(), "profit")


# ---------------------------------------------------------------------------
# properties


@st.composite
def problems(draw, max_links=7):
    ns = draw(st.integers(1, 3))
    nd = draw(st.integers(1, 3))
    supplies = [Supply(f"s{i}", draw(st.floats(0, 100))) for i in range(ns)]
    demands = [Demand(f"d{j}", draw(st.floats(0, 100))) for j in range(nd)]
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, ns - 1), st.integers(0, nd - 1)),
            min_size=1,
            max_size=max_links,
            unique=True,
        )
    )
    links = [
        Link(
            f"l{k}",
            f"s{i}",
            f"d{j}",
            unit_benefit=draw(st.floats(0, 2000)),
            distance_km=draw(st.floats(0, 50)),
            transport_cost_per_unit_km=draw(st.sampled_from([0.0, 5.0, 20.0])),
            fixed_cost=draw(st.sampled_from([0.0, 1e3, 1e4, 5e4])),
            capacity=draw(st.sampled_from([math.inf, 30.0])),
            co2_per_unit=draw(st.floats(0, 1)),
        )
        for k, (i, j) in enumerate(pairs)
    ]
    return NetworkProblem(supplies, demands, links)


def _brute_force(p):
    """Best over every subset of open links: LP (no binaries) minus fixed costs."""
    best = 0.0
    for r in range(1, len(p.links) + 1):
        for subset in itertools.combinations(p.links, r):
            free = [replace(lk, fixed_cost=0.0) for lk in subset]
            lp_value = solve_network(replace(p, links=free)).benefit_vnd_per_year
            best = max(best, lp_value - sum(lk.fixed_cost for lk in subset))
    return best


@settings(max_examples=40, deadline=None)
@given(problems(max_links=5))
def test_milp_equals_brute_force(p):
    r = solve_network(p, mip_gap=1e-9)
    # one đồng a year of slack: brute force sums floats in another order than the MILP
    assert r.benefit_vnd_per_year == pytest.approx(_brute_force(p), rel=1e-6, abs=1.0)


@settings(max_examples=60, deadline=None)
@given(problems())
def test_feasible_not_worse_than_greedy_and_monotone(p):
    r = solve_network(p, mip_gap=1e-9)
    _check(p, r)
    g = greedy_baseline(p)
    _check(p, g)
    assert r.benefit_vnd_per_year >= g.benefit_vnd_per_year - 1e-6 * max(1.0, abs(g.objective))
    # removing a candidate link never improves the optimum
    for k in range(len(p.links)):
        fewer = replace(p, links=p.links[:k] + p.links[k + 1 :])
        assert solve_network(
            fewer, mip_gap=1e-9
        ).benefit_vnd_per_year <= r.benefit_vnd_per_year + 1e-6 * max(
            1.0, abs(r.benefit_vnd_per_year)
        )


def test_synthetic_network_with_components_and_facilities():
    p = synthetic_problem(600, seed=3)
    r = solve_network(p, mip_gap=1e-4, time_limit=60)
    assert r.status == "optimal" and r.gap <= 1e-4 + 1e-12
    _check(p, r)
    g = greedy_baseline(p)
    assert r.benefit_vnd_per_year >= g.benefit_vnd_per_year
    assert len(r.links) > 0 and np.isfinite(r.build_s + r.solve_s)


def test_problem_from_matches_on_sample_listings():
    from pathlib import Path

    from eiphub.symbiosis.matching import MatchParams, match, read_listings_csv

    path = Path(__file__).resolve().parents[1] / "data" / "sample_listings.csv"
    listings, _ = read_listings_csv(path)
    matches = match(listings, params=MatchParams(max_matches_per_offer=None))
    p = problem_from_matches(listings, matches, {"fixed_cost_vnd_per_year": 1e6})
    assert len(p.links) == len(matches)
    r = solve_network(p)
    _check(p, r)
    g = greedy_baseline(p)
    assert r.benefit_vnd_per_year >= g.benefit_vnd_per_year - 1e-6 * abs(g.benefit_vnd_per_year)
    # each chosen link's unit value reproduces the matcher's yearly benefit per unit
    by = {(m.offer_id, m.want_id): m for m in matches}
    for lf in r.links:
        m = by[(lf.supply, lf.demand)]
        per_unit = m.benefit_vnd_per_year / m.matched_quantity
        unit_value = (lf.net_benefit_vnd_per_year + lf.fixed_cost_vnd_per_year) / lf.flow
        assert unit_value == pytest.approx(per_unit, rel=1e-6)
        assert lf.fixed_cost_vnd_per_year >= 1e6


# ---------------------------------------------------------------------------
# dominated-link reduction


def _random_problem(rng, n_sup=3, n_dem=3, n_links=8):
    """Small random network with losing links, minimum demands, minimum flows and a hub."""
    supplies = [Supply(f"s{i}", float(rng.uniform(10, 100))) for i in range(n_sup)]
    demands = [
        Demand(f"d{j}", q, min_quantity=q * 0.2 if rng.random() < 0.3 else 0.0)
        for j, q in enumerate(rng.uniform(10, 100, n_dem).tolist())
    ]
    pairs = rng.choice(n_sup * n_dem, size=min(n_links, n_sup * n_dem), replace=False)
    links = [
        Link(
            f"l{k}",
            f"s{p // n_dem}",
            f"d{p % n_dem}",
            unit_benefit=float(rng.uniform(0, 1000)),
            distance_km=float(rng.uniform(0, 40)),
            transport_cost_per_unit_km=10.0,
            fixed_cost=float(rng.choice([0.0, 5e3, 3e4])),
            min_flow=float(rng.choice([0.0, 5.0])),
            co2_per_unit=float(rng.uniform(-0.2, 1.0)),
            facility="hub" if rng.random() < 0.3 else None,
        )
        for k, p in enumerate(pairs.tolist())
    ]
    return NetworkProblem(
        supplies, demands, links, [Facility("hub", fixed_cost=2e4, capacity=60.0)]
    )


@pytest.mark.parametrize("objective", ["benefit", "co2", "weighted"])
def test_dominated_reduction_never_changes_the_optimum(objective):
    from unittest import mock

    from eiphub.symbiosis import network

    rng = np.random.default_rng(7)
    weights = {"benefit": 1.0, "co2": 5e3} if objective == "weighted" else None
    reduced_some = 0
    for _ in range(30):
        p = _random_problem(rng)
        a = network._arrays(p)
        dominated = network._dominated(a, objective, weights)
        reduced_some += bool(dominated.any())
        fast = solve_network(p, objective, weights=weights, mip_gap=1e-9)
        with mock.patch.object(network, "_dominated", lambda a, o, w: np.zeros(len(a.links), bool)):
            full = solve_network(p, objective, weights=weights, mip_gap=1e-9)
        assert fast.status == full.status
        if not full.feasible:
            continue
        _check(p, fast)
        assert fast.objective == pytest.approx(full.objective, rel=1e-6, abs=1e-6)
        if objective != "co2":  # (the co2 tie-break stage may use a tolerance's worth)
            used = {lf.link for lf in fast.links}
            assert not used & {a.links[k].id for k in np.flatnonzero(dominated)}
    assert reduced_some >= 5  # the reduction was really exercised


def test_dominated_links_are_the_losing_ones():
    from eiphub.symbiosis import network

    p = NetworkProblem(
        supplies=[Supply("s", 100.0)],
        demands=[Demand("d", 100.0), Demand("must", 50.0, min_quantity=10.0)],
        links=[
            Link("pays", "s", "d", 100.0, fixed_cost=1_000.0),  # 100*100 > 1,000
            Link("never", "s", "d", 100.0, 10.0, 20.0),  # margin -100/t
            Link("fixed", "s", "d", 100.0, fixed_cost=100 * 100.0),  # at best breaks even
            Link("needed", "s", "must", 100.0, 10.0, 20.0),  # loses but meets a minimum
        ],
    )
    a = network._arrays(p)
    got = dict(zip([lk.id for lk in a.links], network._dominated(a, "benefit", None), strict=True))
    assert got == {"pays": False, "never": True, "fixed": True, "needed": False}
    r = solve_network(p)
    assert {lf.link for lf in r.links} == {"pays", "needed"}
    _check(p, r)
