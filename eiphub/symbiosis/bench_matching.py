"""Benchmark of the symbiosis matcher on a synthetic national data set.

`eiphub bench --only matching --scale full` builds 600 parks, 60,000
enterprises and 300,000 listings (deterministic, numpy), times the indexed
matcher, times the all-pairs reference on a random subsample (checking that
both return the same matches) and extrapolates the all-pairs time to the full
set (pairs grow with the square of the listings).  Figures only; no asserts.
"""

from __future__ import annotations

import gc
import time

import numpy as np

from .matching import Listing, MatchParams, _Context, _indexed_parts, match, match_brute_force

NAME = "matching"
SCALES = {
    "small": dict(parks=60, enterprises=3_000, listings=15_000, sample=1_500),
    "full": dict(parks=600, enterprises=60_000, listings=300_000, sample=3_000),
}
# Industrial regions of Viet Nam (lat, lon, weight).
REGIONS = [
    (21.03, 105.80, 3),
    (20.86, 106.68, 3),
    (21.18, 106.07, 3),
    (20.25, 105.97, 1),
    (21.59, 105.85, 1),
    (18.70, 105.68, 1),
    (16.05, 108.20, 2),
    (13.78, 109.20, 1),
    (12.25, 109.19, 1),
    (10.80, 106.70, 4),
    (10.95, 106.85, 3),
    (11.00, 106.65, 3),
    (10.45, 107.15, 2),
    (10.03, 105.78, 2),
    (10.54, 106.40, 2),
]
OFFERS = [
    ("waste.ash.fly", 5),
    ("waste.ash.bottom", 3),
    ("waste.slag.steel", 2),
    ("waste.gypsum.fgd", 2),
    ("waste.plastic", 8),
    ("waste.plastic.film", 4),
    ("waste.paper", 8),
    ("waste.metal", 8),
    ("waste.metal.nonferrous", 3),
    ("waste.glass", 2),
    ("waste.wood", 5),
    ("waste.textile", 4),
    ("waste.organic.food", 5),
    ("waste.organic.fermentation", 2),
    ("waste.sludge.wwtp", 5),
    ("waste.sludge.hazardous", 2),
    ("waste.hazardous.used_oil", 3),
    ("waste.hazardous.spent_solvent", 2),
    ("energy.heat.waste_heat", 4),
    ("energy.steam", 3),
    ("water.treated", 5),
    ("energy.fuel.biomass.rice_husk", 2),
    ("byproduct.co2", 1),
    ("waste.construction", 3),
    ("material.plastic.recycled", 2),
    ("waste.general", 4),
]
WANTS = [
    ("material.cement", 2),
    ("material.brick", 3),
    ("material.concrete", 2),
    ("material.mineral.aggregate", 2),
    ("material.mineral.gypsum", 1),
    ("material.plastic", 5),
    ("waste.plastic", 3),
    ("material.paper", 3),
    ("waste.paper", 2),
    ("material.metal.steel", 3),
    ("waste.metal", 2),
    ("material.wood", 2),
    ("energy.fuel.coal", 4),
    ("energy.fuel.biomass", 2),
    ("material.animal_feed", 3),
    ("material.fertiliser", 3),
    ("energy.heat.process", 3),
    ("energy.heat.drying", 2),
    ("energy.cooling", 1),
    ("energy.steam", 2),
    ("water.cooling", 3),
    ("water.process", 3),
    ("water.irrigation", 2),
    ("chemical.lubricant", 1),
    ("chemical.solvent", 1),
    ("chemical.co2", 1),
    ("material.textile", 2),
    ("waste", 2),
]


def synthetic_listings(
    parks: int, enterprises: int, listings: int, seed: int = 2026
) -> list[Listing]:
    """A deterministic synthetic national set of offers and wants."""
    rng = np.random.default_rng(seed)
    reg = np.array([(r[0], r[1]) for r in REGIONS])
    w = np.array([r[2] for r in REGIONS], float)
    pr = rng.choice(len(REGIONS), size=parks, p=w / w.sum())
    plat = reg[pr, 0] + rng.normal(0, 0.25, parks)
    plon = reg[pr, 1] + rng.normal(0, 0.25, parks)
    size = rng.zipf(1.6, parks).clip(1, 50).astype(float)
    ep = rng.choice(parks, size=enterprises, p=size / size.sum())
    elat = plat[ep] + rng.normal(0, 0.008, enterprises)
    elon = plon[ep] + rng.normal(0, 0.008, enterprises)
    le = rng.integers(0, enterprises, listings)
    is_offer = rng.random(listings) < 0.6
    oc = [c for c, _ in OFFERS]
    ow = np.array([x for _, x in OFFERS], float)
    wc = [c for c, _ in WANTS]
    ww = np.array([x for _, x in WANTS], float)
    ocode = rng.choice(len(oc), size=listings, p=ow / ow.sum())
    wcode = rng.choice(len(wc), size=listings, p=ww / ww.sum())
    qty = np.round(rng.lognormal(6.5, 1.5, listings), 1) + 1
    temp = rng.uniform(40, 450, listings).round()
    lic = rng.random(listings) < 0.3
    out = []
    for i in range(listings):
        e = int(le[i])
        code = oc[ocode[i]] if is_offer[i] else wc[wcode[i]]
        heat = code.startswith("energy.heat")
        out.append(
            Listing(
                id=f"L{i}",
                enterprise=f"E{e}",
                park=f"P{ep[e]}",
                kind="offer" if is_offer[i] else "want",
                resource=code,
                resource_text=code,
                quantity=float(qty[i]),
                unit="GJ" if heat else "t",
                lat=float(elat[e]),
                lon=float(elon[e]),
                temperature_c=float(temp[i]) if heat and (is_offer[i] or temp[i] < 150) else None,
                licences=frozenset({"hazardous_waste"})
                if lic[i] and not is_offer[i]
                else frozenset(),
            )
        )
    return out


def _same(a, b) -> bool:
    """Same matches: pairs, ranks, pathways, figures and (formatted) explanations."""
    key = lambda m: (  # noqa: E731
        (m.offer_id, m.want_id, m.rank, m.pathway, m.score, m.distance_km or -1.0)
        + (m.matched_quantity, m.benefit_vnd_per_year, m.explanation, m.explanation_vi)
    )
    return sorted(map(key, a)) == sorted(map(key, b))


def run(scale: str = "full", stdout=None) -> dict:
    cfg = SCALES[scale]
    say = stdout.write if stdout else print
    t0 = time.perf_counter()
    data = synthetic_listings(cfg["parks"], cfg["enterprises"], cfg["listings"])
    t_gen = time.perf_counter() - t0
    params = MatchParams()
    c0 = time.process_time()
    t0 = time.perf_counter()
    ctx = _Context(data, None, None, params)
    t_ctx = time.perf_counter() - t0
    parts = _indexed_parts(ctx)
    t_cand = time.perf_counter() - t0 - t_ctx
    n_scored = sum(len(p["oi"]) for p in parts)
    matches = ctx.finish(parts)
    t_fast = time.perf_counter() - t0
    c_fast = time.process_time() - c0
    sample = matches[:: max(1, len(matches) // 20_000)]
    gc.collect()  # not timed: the first full collection after building many objects
    t0 = time.perf_counter()
    for m in sample:
        m.explanation  # noqa: B018 (formatted on first access)
    us_explain = (time.perf_counter() - t0) / max(1, len(sample)) * 1e6
    n_off = sum(x.kind == "offer" for x in data)
    say(
        f"synthetic set: {cfg['parks']} parks, {cfg['enterprises']} enterprises, "
        f"{len(data)} listings ({n_off} offers, {len(data) - n_off} wants), generated in {t_gen:.1f} s"
    )
    say(
        f"indexed matcher: {t_fast:.2f} s in total (CPU {c_fast:.2f} s) = arrays {t_ctx:.2f} s + "
        f"candidate generation and scoring {t_cand:.2f} s ({n_scored:,} scored pairs) + ranking "
        f"and building {len(matches):,} matches {t_fast - t_ctx - t_cand:.2f} s; explanations "
        f"(English and Vietnamese) are formatted on first access, {us_explain:.1f} µs per match"
    )
    rng = np.random.default_rng(7)
    idx = np.sort(rng.choice(len(data), size=cfg["sample"], replace=False))
    sub = [data[i] for i in idx]
    t0 = time.perf_counter()
    fast_sub = match(sub, params=params)
    t_fast_sub = time.perf_counter() - t0
    t0 = time.perf_counter()
    brute_sub = match_brute_force(sub, params=params)
    t_brute_sub = time.perf_counter() - t0
    same = _same(fast_sub, brute_sub)
    t_brute_est = t_brute_sub * (len(data) / len(sub)) ** 2
    say(
        f"subsample of {len(sub)} listings: indexed {t_fast_sub:.2f} s, all-pairs {t_brute_sub:.2f} s, "
        f"identical matches: {same} ({len(fast_sub)} matches)"
    )
    say(
        f"all-pairs reference extrapolated to {len(data)} listings: {t_brute_est:,.0f} s "
        f"({t_brute_est / 3600:.1f} h); indexed is {t_brute_est / t_fast:,.0f}x faster"
    )
    return dict(
        listings=len(data),
        parks=cfg["parks"],
        enterprises=cfg["enterprises"],
        matches=len(matches),
        seconds_indexed=round(t_fast, 3),
        cpu_seconds_indexed=round(c_fast, 3),
        microseconds_per_explanation=round(us_explain, 2),
        seconds_candidates_scoring=round(t_cand, 3),
        scored_pairs=n_scored,
        sample=len(sub),
        seconds_sample_indexed=round(t_fast_sub, 3),
        seconds_sample_brute=round(t_brute_sub, 3),
        identical=same,
        seconds_brute_extrapolated=round(t_brute_est, 1),
        speedup=round(t_brute_est / t_fast, 1),
    )
