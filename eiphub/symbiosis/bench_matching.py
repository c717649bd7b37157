"""Benchmark of the symbiosis matcher on a synthetic national data set.

`eiphub bench --only matching [--scale full] [--format json]`:

* ``national_seconds`` / ``national_peak_mb``: 600 parks, 60,000 enterprises,
  300,000 listings end to end -- listing rows with free-text resources in
  Vietnamese and English resolved through the one resolver (each distinct
  (text, unit) once), quality limits on a fifth of the wants, availability
  dates, 5% of listings without coordinates, the indexed matcher, and every
  explanation formatted in English and Vietnamese.  Run in a fresh
  subprocess; the peak is its maximum resident set (``getrusage``).
* ``speedup_vs_numpy_100k`` / ``identical_100k``: the indexed matcher and the
  independent all-pairs numpy reference (:mod:`.matching.reference`) side by
  side on the first 100,000 listings, and whether they return identical matches.
* ``resolver_texts_per_second`` / ``resolver_batch_texts_per_second``: distinct
  texts resolved per second one by one, and in one batch (``resolve_many``).

Figures only; no asserts.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import date

import numpy as np

from eiphub.core.catalogue import default_catalogue
from eiphub.core.units import UnitError

from .matching import Listing, MatchParams, match, match_reference
from .matching.io import _Resolver

NAME = "matching"
SCALES = {
    "small": dict(parks=60, enterprises=3_000, listings=15_000, side_by_side=10_000),
    "full": dict(parks=600, enterprises=60_000, listings=300_000, side_by_side=100_000),
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


def _columns(parks: int, enterprises: int, listings: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    reg = np.array([(r[0], r[1]) for r in REGIONS])
    w = np.array([r[2] for r in REGIONS], float)
    pr = rng.choice(len(REGIONS), size=parks, p=w / w.sum())
    plat = reg[pr, 0] + rng.normal(0, 0.25, parks)
    plon = reg[pr, 1] + rng.normal(0, 0.25, parks)
    size = rng.zipf(1.6, parks).clip(1, 50).astype(float)
    ep = rng.choice(parks, size=enterprises, p=size / size.sum())
    le = rng.integers(0, enterprises, listings)
    oc = [c for c, _ in OFFERS]
    ow = np.array([x for _, x in OFFERS], float)
    wc = [c for c, _ in WANTS]
    ww = np.array([x for _, x in WANTS], float)
    return dict(
        ep=ep,
        elat=plat[ep] + rng.normal(0, 0.008, enterprises),
        elon=plon[ep] + rng.normal(0, 0.008, enterprises),
        le=le,
        is_offer=rng.random(listings) < 0.6,
        ocode=[oc[i] for i in rng.choice(len(oc), size=listings, p=ow / ow.sum())],
        wcode=[wc[i] for i in rng.choice(len(wc), size=listings, p=ww / ww.sum())],
        qty=np.round(rng.lognormal(6.5, 1.5, listings), 1) + 1,
        temp=rng.uniform(40, 450, listings).round(),
        lic=rng.random(listings) < 0.3,
        # realism: quality limits on a fifth of the wants, stated values on offers,
        # availability windows on a tenth, no coordinates on 5%, free-text variants
        qual=rng.random(listings) < 0.2,
        moist=rng.uniform(2, 30, listings).round(1),
        dated=rng.random(listings) < 0.1,
        start=rng.integers(0, 365, listings),
        span=rng.integers(30, 730, listings),
        noxy=rng.random(listings) < 0.05,
        variant=rng.integers(0, 1000, listings),
    )


def synthetic_listings(
    parks: int, enterprises: int, listings: int, seed: int = 2026, realistic: bool = False
) -> list[Listing]:
    """A deterministic synthetic national set of offers and wants (resources given as
    catalogue codes).  ``realistic`` adds quality limits, dates and listings
    without coordinates."""
    c = _columns(parks, enterprises, listings, seed)
    base = date(2026, 1, 1).toordinal()
    out = []
    for i in range(listings):
        e = int(c["le"][i])
        offer = bool(c["is_offer"][i])
        code = c["ocode"][i] if offer else c["wcode"][i]
        heat = code.startswith("energy.heat")
        temp = c["temp"][i]
        quality, af, at, lat, lon = {}, None, None, float(c["elat"][e]), float(c["elon"][e])
        if realistic:
            if c["qual"][i]:
                quality = {"moisture_pct": c["moist"][i]} if offer else {"moisture_pct_max": 15.0}
            if c["dated"][i]:
                af = date.fromordinal(base + int(c["start"][i]))
                at = date.fromordinal(base + int(c["start"][i] + c["span"][i]))
            if c["noxy"][i]:
                lat = lon = None
        out.append(
            Listing(
                id=f"L{i}",
                enterprise=f"E{e}",
                park=f"P{c['ep'][e]}",
                kind="offer" if offer else "want",
                resource=code,
                resource_text=code,
                quantity=float(c["qty"][i]),
                unit="GJ" if heat else "t",
                lat=lat,
                lon=lon,
                temperature_c=float(temp) if heat and (offer or temp < 150) else None,
                licences=frozenset({"hazardous_waste"})
                if c["lic"][i] and not offer
                else frozenset(),
                quality=quality,
                available_from=af,
                available_to=at,
            )
        )
    return out


_CONTEXT = ("", " từ dây chuyền sản xuất", " from the production line", " (hàng tháng)")


def _texts(code: str) -> list[str]:
    """How firms write a resource: its names and synonyms, some with context."""
    r = default_catalogue()[code]
    names = [r.name_vi, r.name_en, *r.synonyms]
    return [n + ctx for n in names for ctx in _CONTEXT]


def synthetic_rows(parks: int, enterprises: int, listings: int, seed: int = 2026) -> list[tuple]:
    """The realistic set as rows firms would write: (listing, free text, unit given)."""
    ls = synthetic_listings(parks, enterprises, listings, seed, realistic=True)
    c = _columns(parks, enterprises, listings, seed)
    texts = {}
    rows = []
    for i, x in enumerate(ls):
        if x.resource not in texts:
            texts[x.resource] = _texts(x.resource)
        opts = texts[x.resource]
        text = opts[int(c["variant"][i]) % len(opts)]
        unit = x.unit if int(c["variant"][i]) % 3 else {"t": "kg", "GJ": "MWh"}.get(x.unit, x.unit)
        rows.append((x, text, unit))
    return rows


def rows_to_listings(rows, catalogue=None) -> tuple[list[Listing], _Resolver]:
    """Listings from rows: every text through the one resolver (distinct pairs once),
    quantities in the resolved resource's canonical unit (text-matched when it disagrees)."""
    cat = catalogue or default_catalogue()
    resolve = _Resolver(cat)
    resolve.prefetch((text, unit) for _, text, unit in rows)  # one batch, the model asked once
    factors: dict[tuple[str, str], float | None] = {}
    out = []
    for x, text, unit in rows:
        res = resolve(text, unit)
        code, qty, u = "", x.quantity, unit
        if res is not None and res.unit:
            key = (res.code, unit)
            if key not in factors:
                try:
                    factors[key] = cat.to_canonical(res.code, 1.0, unit)
                except UnitError:
                    factors[key] = None
            f = factors[key]
            if f is not None:
                code, qty, u = res.code, x.quantity * f, res.unit
        x.resource, x.resource_text, x.quantity, x.unit = code, text, qty, u  # in place
        out.append(x)
    return out, resolve


def same_matches(a, b) -> bool:
    """Identical matches: the same pairs, ranks, pathways, scores, distances, units and
    verification flags, and the same figures up to floating-point rounding (1e-9 relative)."""

    def exact(m):
        return (
            m.offer_id,
            m.want_id,
            m.rank,
            m.pathway,
            m.score,
            m.distance_km,
            m.unit,
            m.quality_verified,
        )  # noqa: E731

    def figures(m):
        return (
            m.matched_quantity,
            m.benefit_vnd_per_year,
            m.co2e_t_per_year,
            m.coverage,
            m.water_saved_m3_per_year,
            m.landfill_diverted_t_per_year,
            m.transport_cost_vnd_per_year,
        )  # noqa: E731

    if len(a) != len(b):
        return False
    a, b = sorted(a, key=exact), sorted(b, key=exact)
    if [exact(m) for m in a] != [exact(m) for m in b]:
        return False
    fa = np.array([figures(m) for m in a], float).reshape(len(a), 7)
    fb = np.array([figures(m) for m in b], float).reshape(len(b), 7)
    return bool(np.allclose(fa, fb, rtol=1e-9, atol=1e-6))


def national(scale: str = "full") -> dict:
    """End to end on the national set (run in a fresh process for the peak memory)."""
    cfg = SCALES[scale]
    rows = synthetic_rows(cfg["parks"], cfg["enterprises"], cfg["listings"])
    t0, c0 = time.perf_counter(), time.process_time()
    listings, resolve = rows_to_listings(rows)
    del rows
    t_resolve = time.perf_counter() - t0
    cpu_resolve = time.process_time() - c0
    matches = match(listings, params=MatchParams())
    t_match = time.perf_counter() - t0 - t_resolve
    chars = 0
    for m in matches:  # both languages, as written to a file or saved (not kept in memory)
        en, vi = m.explanations()
        chars += len(en) + len(vi)
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    return dict(
        national_seconds=round(total, 3),
        # CPU seconds of the same steps: on a shared machine the process waits for a core
        national_cpu_seconds=round(cpu, 3),
        national_peak_mb=round(peak_kb / 1024, 1),
        # CPU seconds of the whole child (data generation included): less sensitive to
        # other processes on a shared machine than the wall-clock figures
        national_process_cpu_seconds=round(usage.ru_utime + usage.ru_stime, 1),
        load_average_1min=round(__import__("os").getloadavg()[0], 1),
        national_listings=len(listings),
        national_matches=len(matches),
        national_resolve_seconds=round(t_resolve, 3),
        national_resolve_cpu_seconds=round(cpu_resolve, 3),
        national_match_seconds=round(t_match, 3),
        national_explain_seconds=round(total - t_resolve - t_match, 3),
        national_unresolved=sum(1 for x in listings if not x.resource),
        national_explanation_chars=chars,
        distinct_texts=len(resolve),
    )


def text_throughput(n: int = 2000, batch: bool = False) -> float:
    """Distinct texts per second through Catalogue.resolve one by one, or through
    Catalogue.resolve_many in one batch (no cache either way)."""
    cat = default_catalogue()
    texts = [t for code, _ in OFFERS + WANTS for t in _texts(code)]
    tag = "b" if batch else ""
    texts = [f"{t} {tag}{i}" for i, t in enumerate(texts * (n // len(texts) + 1))][:n]
    t0 = time.perf_counter()
    if batch:
        cat.resolve_many([(t, "t") for t in texts])
    else:
        for t in texts:
            cat.resolve(t, unit="t")
    return n / (time.perf_counter() - t0)


def tricks(n: int = 2_000_000, k: int = 300_000) -> dict:
    """What the packed sort keys and the GC pause buy, measured side by side (best of 3)."""
    import gc

    from .matching import geo
    from .matching.model import Match

    rng = np.random.default_rng(1)
    oi, wi = rng.integers(0, 180_000, n), rng.integers(0, 120_000, n)
    d = np.round(rng.uniform(0, 150, n), 3)

    def best(f):
        out = []
        for _ in range(3):
            t0 = time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
        return min(out)

    packed = best(lambda: geo._topk(oi, wi, d, 5))
    plain = best(lambda: np.lexsort((wi, d, oi)))

    def build():
        return [
            Match(
                str(i), str(i), 0.5, 1, 1.0, 1.0, "t", "", 0, 0, 0, 0, 0, "", "", "a", "b", "", ""
            )
            for i in range(k)
        ]

    def paused():
        gc.disable()
        try:
            return build()
        finally:
            gc.enable()

    heap = [{"i": i} for i in range(1_000_000)]  # a populated heap, as after candidate search
    on, off = best(build), best(paused)
    del heap
    return dict(
        packed_topk_seconds=round(packed, 3),
        lexsort_topk_seconds=round(plain, 3),
        gc_on_build_seconds=round(on, 3),
        gc_paused_build_seconds=round(off, 3),
    )


def side_by_side(n: int) -> dict:
    # the national parks and enterprises with n listings (a third of the density at 100k)
    rows = synthetic_rows(600, 60_000, n) if n > 20_000 else synthetic_rows(60, 3_000, n)
    listings, _ = rows_to_listings(rows)
    params = MatchParams()
    t0 = time.perf_counter()
    c0 = time.process_time()
    fast = match(listings, params=params)
    t_fast, c_fast = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    ref = match_reference(listings, params=params)
    t_ref, c_ref = time.perf_counter() - t0, time.process_time() - c0
    return dict(
        side_by_side_listings=n,
        fast_seconds=round(t_fast, 3),
        numpy_reference_seconds=round(t_ref, 3),
        speedup=round(t_ref / t_fast, 1),
        cpu_speedup=round(c_ref / c_fast, 1),
        fast_cpu_seconds=round(c_fast, 3),
        numpy_reference_cpu_seconds=round(c_ref, 3),
        identical=same_matches(fast, ref),
        matches=len(fast),
    )


def run(scale: str = "full", stdout=None) -> dict:
    say = stdout.write if stdout else print
    cfg = SCALES[scale]
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json, {__name__} as b; print(json.dumps(b.national({scale!r})))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(child.stdout.strip().splitlines()[-1])
    say(
        f"national set ({cfg['parks']} parks, {cfg['enterprises']} enterprises, "
        f"{out['national_listings']:,} listings, {out['distinct_texts']:,} distinct texts): "
        f"{out['national_seconds']:.2f} s end to end (resolve {out['national_resolve_seconds']:.2f} s, "
        f"match {out['national_match_seconds']:.2f} s, explanations "
        f"{out['national_explain_seconds']:.2f} s), {out['national_matches']:,} matches, "
        f"peak {out['national_peak_mb']:.0f} MB"
    )
    sbs = side_by_side(cfg["side_by_side"])
    say(
        f"{sbs['side_by_side_listings']:,} listings side by side: indexed {sbs['fast_seconds']:.2f} s, "
        f"numpy all-pairs reference {sbs['numpy_reference_seconds']:.2f} s "
        f"({sbs['speedup']:.1f}x), identical matches: {sbs['identical']} ({sbs['matches']:,})"
    )
    tps = text_throughput()
    tps_batch = text_throughput(batch=True)
    say(f"resolver: {tps:,.0f} distinct texts/s one by one, {tps_batch:,.0f} in one batch")
    tr = tricks()
    say(
        f"top-5 per offer over 2M candidate rows: packed keys {tr['packed_topk_seconds']:.2f} s, "
        f"np.lexsort {tr['lexsort_topk_seconds']:.2f} s; 300k Match objects: GC on "
        f"{tr['gc_on_build_seconds']:.2f} s, paused {tr['gc_paused_build_seconds']:.2f} s"
    )
    key = "100k" if cfg["side_by_side"] == 100_000 else f"{cfg['side_by_side'] // 1000}k"
    return dict(
        out,
        **{
            f"speedup_vs_numpy_{key}": sbs["speedup"],
            f"identical_{key}": sbs["identical"],
            "side_by_side_fast_seconds": sbs["fast_seconds"],
            "side_by_side_reference_seconds": sbs["numpy_reference_seconds"],
            "side_by_side_matches": sbs["matches"],
            f"speedup_vs_numpy_{key}_cpu": sbs["cpu_speedup"],
            "side_by_side_fast_cpu_seconds": sbs["fast_cpu_seconds"],
            "side_by_side_reference_cpu_seconds": sbs["numpy_reference_cpu_seconds"],
            "resolver_texts_per_second": round(tps, 1),
            "resolver_batch_texts_per_second": round(tps_batch, 1),
            **tr,
        },
    )
