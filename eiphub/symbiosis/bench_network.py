"""Benchmark of the exchange network MILP (``eiphub bench --only network``).

Two synthetic networks shaped like real ones: a park (~2,000 candidate links) and
a province (~50,000 candidate links, every link with a fixed cost, i.e. a binary).
Enterprises sit at random coordinates; each supply links to its nearest
compatible demands; unit benefits, transport costs, fixed costs, minimum economic
flows, hazardous licences and a few shared hubs are drawn at random.
As the matcher proposes them, candidate links only join offers and wants of the same
resource family (20 offers and 20 wants per family: a park has 100 of each, 5
families and 2 hubs) and each hub serves a few families, so the networks split into
independent sub-networks (2 in the park, 62 in the province) that ``solve_network``
solves one by one.  Prints model-build time (validation, reduction, decomposition,
matrix assembly) and solve time (start heuristic + HiGHS), gap and the objective
against the greedy baseline.  No time is asserted here.
"""

from __future__ import annotations

import time

import numpy as np

from eiphub.symbiosis.network import (
    Demand,
    Facility,
    Link,
    NetworkProblem,
    Supply,
    greedy_baseline,
    solve_network,
)

NAME = "network"

SIZES = {
    "small": {"park": 2_000, "province": 5_000},
    "full": {"park": 2_000, "province": 50_000},
}


def synthetic_problem(
    n_links: int,
    seed: int = 0,
    links_per_supply: int = 20,
    n_resources: int | None = None,
    extent_km: float = 20.0,
    n_facilities: int | None = None,
    demand_mu: float = 8.0,
) -> NetworkProblem:
    """A random but realistic exchange network with about ``n_links`` candidate links."""
    rng = np.random.default_rng(seed)
    n_sup = max(2, n_links // links_per_supply)
    n_dem = n_sup
    n_resources = max(1, n_sup // 20) if n_resources is None else n_resources
    n_fac = max(1, n_resources // 2) if n_facilities is None else n_facilities
    # every resource family gets the same number of offers and wants (about 20 each)
    res_s = rng.permutation(np.arange(n_sup) % n_resources)
    res_d = rng.permutation(np.arange(n_dem) % n_resources)
    xy_s = rng.uniform(0, extent_km, (n_sup, 2))
    xy_d = rng.uniform(0, extent_km, (n_dem, 2))
    qty_s = np.round(rng.lognormal(7.0, 1.0, n_sup), 1)  # t/yr
    qty_d = np.round(rng.lognormal(demand_mu, 1.0, n_dem), 1)
    price = rng.uniform(2e5, 2e6, n_resources)  # VND/t avoided purchase + disposal
    hazardous = rng.random(n_sup) < 0.1
    licensed = rng.random(n_dem) < 0.3
    supplies = [
        Supply(f"S{i}", float(qty_s[i]), resource=f"r{res_s[i]}", hazardous=bool(hazardous[i]))
        for i in range(n_sup)
    ]
    demands = [
        Demand(
            f"D{j}",
            float(qty_d[j]),
            resource=f"r{res_d[j]}",
            licences=frozenset({"hazardous_waste"}) if licensed[j] else frozenset(),
        )
        for j in range(n_dem)
    ]
    facilities = [
        Facility(f"H{f}", fixed_cost=float(rng.uniform(5e7, 3e8)), capacity=2e4)
        for f in range(n_fac)
    ]
    links = []
    for i in range(n_sup):
        # the matcher's candidates: the nearest wants of the same resource family only
        same = np.flatnonzero(res_d == res_s[i])
        d = np.hypot(*(xy_d[same] - xy_s[i]).T)
        k = min(links_per_supply, len(same))
        near = same[np.argpartition(d, k - 1)[:k]]
        dist = np.hypot(*(xy_d[near] - xy_s[i]).T) * 1.3 + 0.5  # road factor
        ub = price[res_s[i]] * rng.uniform(0.5, 1.2, k)
        fixed = rng.uniform(2e6, 2e7, k)  # contract, permits, weighing: VND/yr
        capex = np.where(rng.random(k) < 0.05, rng.uniform(1e8, 5e8, k), 0.0)  # pipe/conveyor
        minf = np.where(rng.random(k) < 0.3, rng.uniform(10, 200, k), 0.0)
        via = rng.random(k) < 0.05
        fac = np.full(k, res_s[i] % n_fac)  # each hub serves a few resource families
        for t, j in enumerate(near):
            links.append(
                Link(
                    f"L{i}_{j}",
                    f"S{i}",
                    f"D{j}",
                    unit_benefit=float(ub[t]),
                    distance_km=float(dist[t]),
                    transport_cost_per_unit_km=3_000.0,
                    fixed_cost=float(fixed[t]),
                    capex=float(capex[t]),
                    min_flow=float(minf[t]),
                    co2_per_unit=float(rng.uniform(0.05, 1.5)),
                    facility=f"H{fac[t]}" if via[t] else None,
                    compatible=bool(rng.random() > 0.02),
                )
            )
    return NetworkProblem(supplies, demands, links, facilities, transport_co2_per_unit_km=1e-4)


def _case(label: str, n_links: int, mip_gap: float, time_limit: float, stdout) -> dict:
    t0 = time.perf_counter()
    problem = synthetic_problem(n_links, seed=1)
    gen_s = time.perf_counter() - t0
    greedy = greedy_baseline(problem)
    res = solve_network(problem, mip_gap=mip_gap, time_limit=time_limit)
    improvement = (
        (res.benefit_vnd_per_year - greedy.benefit_vnd_per_year) / abs(greedy.benefit_vnd_per_year)
        if greedy.benefit_vnd_per_year
        else float("nan")
    )
    row = {
        "links": len(problem.links),
        "supplies": len(problem.supplies),
        "demands": len(problem.demands),
        "facilities": len(problem.facilities),
        "generate_s": round(gen_s, 3),
        "build_s": round(res.build_s, 3),
        "solve_s": round(res.solve_s, 3),
        "status": res.status,
        "gap": res.gap,
        "objective_vnd": res.benefit_vnd_per_year,
        "greedy_vnd": greedy.benefit_vnd_per_year,
        "improvement_vs_greedy": improvement,
        "chosen_links": len(res.links),
    }
    stdout.write(
        f"{label}: {row['links']} links ({row['supplies']} supplies, {row['demands']} demands, "
        f"{row['facilities']} hubs)\n"
        f"  build {res.build_s:.3f} s, solve {res.solve_s:.3f} s, status {res.status}, "
        f"gap {res.gap:.4%}\n"
        f"  objective {res.benefit_vnd_per_year / 1e9:,.2f} bn VND/yr vs greedy "
        f"{greedy.benefit_vnd_per_year / 1e9:,.2f} (+{improvement:.1%}), "
        f"{len(res.links)} links chosen\n"
    )
    return row


def run(scale: str = "full", stdout=None) -> dict:
    import sys

    stdout = stdout or sys.stdout
    sizes = SIZES[scale]
    return {
        "park": _case("park", sizes["park"], 1e-4, 30.0, stdout),
        "province": _case("province", sizes["province"], 0.01, 60.0, stdout),
    }


if __name__ == "__main__":
    run("full")
