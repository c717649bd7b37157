"""An independent all-pairs reference matcher (for tests and benchmarks).

Written from the rules documented in :mod:`.engine`, not from its code: it
shares none of the fast path's eligibility, distance, candidate, scoring,
valuation or ranking functions.  It takes every offer x want pair of each
resource link as one numpy matrix (in chunks of offers), applies the rules
element-wise, keeps the ``candidates_per_link`` nearest eligible wants per
offer and link, scores them and ranks per offer.  What it does share is the
knowledge base: which resources a link joins and the link's figures (ratio,
prices, CO2, distance cap), derived by the exhaustive scan
:meth:`.links._Links.pair_links` (every pathway checked against every pair
of resources) rather than the fast path's indexed walk of the hierarchy.
"""

from __future__ import annotations

import math

import numpy as np

from eiphub.core.catalogue import Catalogue, default_catalogue, fold
from eiphub.core.licences import HAZARDOUS_WASTE, needs_hazardous_licence
from eiphub.core.units import convert, parse_unit

from ..pathways import PathwaySet, default_pathways
from .links import _Links
from .model import Listing, Match, MatchParams

_R = 6371.0088  # mean Earth radius, km
_CHUNK = 4_000_000  # pair matrix elements per step


def _great_circle_km(lat1, lon1, lat2, lon2):
    """Haversine distance (km) between broadcast arrays of degrees."""
    f1, f2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((f2 - f1) / 2) ** 2
        + np.cos(f1) * np.cos(f2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * _R * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def _key(x: Listing, cat: Catalogue) -> str:
    if x.resource and x.resource in cat:
        return x.resource
    dim = str(parse_unit(x.unit).dimensionality) if x.unit else ""
    return f"text:{fold(x.resource_text)}|{dim}"


def match_reference(
    listings: list[Listing],
    catalogue: Catalogue | None = None,
    pathways: PathwaySet | None = None,
    params: MatchParams | None = None,
) -> list[Match]:
    cat = catalogue or default_catalogue()
    ps = pathways or default_pathways()
    prm = params or MatchParams()
    links = _Links(cat, ps, prm)
    xs = list(listings)
    n = len(xs)
    keys = [_key(x, cat) for x in xs]
    # quantities of text-described listings in the unit of the first listing so described
    text_unit: dict[str, str] = {}
    qty = np.empty(n)
    for i, x in enumerate(xs):
        if keys[i].startswith("text:"):
            ref = text_unit.setdefault(keys[i], x.unit)
            links.text_units.setdefault(keys[i], ref)
            qty[i] = x.quantity if x.unit == ref else convert(x.quantity, x.unit, ref)
        else:
            qty[i] = x.quantity
    nan = float("nan")
    lat = np.array([x.lat if x.lat is not None and x.lon is not None else nan for x in xs], float)
    lon = np.array([x.lon if x.lat is not None and x.lon is not None else nan for x in xs], float)
    temp = np.array([nan if x.temperature_c is None else x.temperature_c for x in xs], float)
    price = np.array([nan if x.price_vnd_per_unit is None else x.price_vnd_per_unit for x in xs])
    lo, hi = -(10**9), 10**9
    dfrom = np.array([x.available_from.toordinal() if x.available_from else lo for x in xs])
    dto = np.array([x.available_to.toordinal() if x.available_to else hi for x in xs])
    ent = np.array([x.enterprise or f"\0{i}" for i, x in enumerate(xs)], object)
    park = np.array([x.park for x in xs], object)
    haz = np.array(
        [
            x.kind == "offer" and needs_hazardous_licence(cat.get(x.resource), x.hazardous)
            for x in xs
        ]
    )
    if n == 0:
        return []
    ent_id = np.unique(ent, return_inverse=True)[1].reshape(n)
    park_id = np.unique(park, return_inverse=True)[1].reshape(n)
    has_park = np.array([bool(x.park) for x in xs])
    offers = [i for i, x in enumerate(xs) if x.kind == "offer"]
    wants = [i for i, x in enumerate(xs) if x.kind == "want"]
    by_key_o: dict[str, list[int]] = {}
    by_key_w: dict[str, list[int]] = {}
    for i in offers:
        by_key_o.setdefault(keys[i], []).append(i)
    for i in wants:
        by_key_w.setdefault(keys[i], []).append(i)

    def qcol(name: str, rows) -> tuple[np.ndarray, np.ndarray]:
        v = np.array([xs[i].quality.get(name, nan) for i in rows], float)
        return v, ~np.isnan(v)

    rows_out = []  # (offer, want, link, score, d, unverified)
    for ka in sorted(by_key_o):
        for kb in sorted(by_key_w):
            for link in links.pair_links(ka, kb):
                offs = np.array(by_key_o[ka])
                wts = np.array(by_key_w[kb])
                # offers: the pathway's conditions on the offer
                ok_o = qty[offs] > 0
                unv_o = np.zeros(len(offs), bool)
                p = link.pathway
                if p is not None:
                    if p.min_temperature_c is not None:
                        ok_o &= ~(temp[offs] < p.min_temperature_c)
                        unv_o |= np.isnan(temp[offs])
                    for name, limit in p.quality_max.items():
                        v, s = qcol(name, offs)
                        ok_o &= ~(s & (v > limit))
                        unv_o |= ~s
                    for name, limit in p.quality_min.items():
                        v, s = qcol(name, offs)
                        ok_o &= ~(s & (v < limit))
                        unv_o |= ~s
                offs, unv_o = offs[ok_o], unv_o[ok_o]
                wts = wts[qty[wts] > 0]
                if len(offs) == 0 or len(wts) == 0:
                    continue
                # wants: licences held, and the quality limits they set
                held_sets = list(dict.fromkeys(frozenset(xs[w].licences) for w in wts))
                held_index = {h: k for k, h in enumerate(held_sets)}
                held_id = np.array([held_index[frozenset(xs[w].licences)] for w in wts])
                lim_names = sorted(
                    {k for w in wts for k in xs[w].quality if k.endswith(("_max", "_min"))}
                )
                lims = {k: qcol(k, wts) for k in lim_names}
                vals = {k[:-4]: qcol(k[:-4], offs) for k in lim_names}
                step = max(1, _CHUNK // len(wts))
                for s0 in range(0, len(offs), step):
                    o = offs[s0 : s0 + step]
                    uo = unv_o[s0 : s0 + step]
                    req = [
                        frozenset(xs[i].licences)
                        | (
                            {link.licence}
                            if link.licence
                            else {HAZARDOUS_WASTE}
                            if haz[i]
                            else set()
                        )
                        for i in o
                    ]
                    # licence sets are few: which required set each held set satisfies
                    req_sets = {r: k for k, r in enumerate(dict.fromkeys(req))}
                    sat = np.array([[r <= h for h in held_sets] for r in req_sets], bool)
                    sat = sat.reshape(len(req_sets), len(held_sets))
                    lic = sat[np.array([req_sets[r] for r in req])[:, None], held_id[None, :]]
                    oo, ww = o[:, None], wts[None, :]
                    both = ~np.isnan(lat[oo]) & ~np.isnan(lat[ww])
                    d = np.round(
                        _great_circle_km(lat[oo], lon[oo], lat[ww], lon[ww]) * prm.road_factor, 3
                    )
                    d = np.where(both, d, nan)
                    near = np.where(
                        both,
                        d <= link.max_km,
                        (park_id[oo] == park_id[ww]) & has_park[oo],
                    )
                    ok = lic & near
                    if not prm.same_enterprise:
                        ok &= ent_id[oo] != ent_id[ww]
                    ok &= np.maximum(dfrom[oo], dfrom[ww]) <= np.minimum(dto[oo], dto[ww])
                    if link.heat_want:
                        ok &= ~(temp[oo] < temp[ww] + prm.heat_approach_k)
                    m = np.minimum(qty[oo], link.max_share * qty[ww] / link.ratio)
                    ok &= m > 0
                    ok &= m * link.ratio >= prm.min_coverage * qty[ww] - 1e-12
                    unv = np.broadcast_to(uo[:, None], ok.shape).copy()
                    for k in lim_names:
                        lv, lh = lims[k]
                        v, st = (x[s0 : s0 + step] for x in vals[k[:-4]])
                        worse = (
                            (v[:, None] > lv[None, :])
                            if k.endswith("_max")
                            else (v[:, None] < lv[None, :])
                        )
                        ok &= ~(lh[None, :] & st[:, None] & worse)
                        unv |= lh[None, :] & ~st[:, None]
                    if link.heat_want:
                        unv |= np.isnan(temp[oo]) & ~np.isnan(temp[ww])
                    # the k nearest eligible wants of each offer (ties: listing order)
                    de = np.where(np.isnan(d), prm.intra_park_km, d)
                    rank_d = np.where(ok, de, np.inf)
                    order = np.argsort(rank_d, axis=1, kind="stable")[:, : prm.candidates_per_link]
                    r = np.arange(len(o))[:, None]
                    sel = ok[r, order]
                    ri, ci = np.nonzero(sel)
                    cj = order[ri, ci]
                    po, pw = o[ri], wts[cj]
                    dd, dde, uu = d[ri, cj], de[ri, cj], unv[ri, cj]
                    mq = np.minimum(qty[po], link.max_share * qty[pw] / link.ratio)
                    cov = mq * link.ratio / qty[pw]
                    use = mq / qty[po]
                    benefit = _benefit(link, mq, price[po], price[pw], dde)
                    score = (
                        link.sem
                        / (1 + dde / prm.distance_scale_km)
                        * (0.5 + 0.3 * cov + 0.2 * use)
                        * np.where(benefit > 0, 1.0, 0.6)
                        * np.where(uu, 0.9, 1.0)
                    )
                    score = np.round(score, 6)
                    for j in range(len(po)):
                        rows_out.append(
                            (
                                int(po[j]),
                                int(pw[j]),
                                link,
                                float(score[j]),
                                float(dd[j]),
                                bool(uu[j]),
                            )
                        )
    # the best link per pair, then per offer by score, distance, want order
    best: dict[tuple[int, int], tuple] = {}
    for row in rows_out:
        if row[3] < prm.min_score:
            continue
        k = (row[0], row[1])
        cur = best.get(k)
        if cur is None or (-row[3], row[2].order) < (-cur[3], cur[2].order):
            best[k] = row
    per_offer: dict[int, list] = {}
    for row in best.values():
        per_offer.setdefault(row[0], []).append(row)
    out = []
    cap = prm.max_matches_per_offer
    for o in sorted(per_offer):
        rows = sorted(
            per_offer[o],
            key=lambda r: (-r[3], prm.intra_park_km if math.isnan(r[4]) else r[4], r[1]),
        )
        for rank, (oi, wi, link, score, d, unv) in enumerate(rows[:cap] if cap else rows, start=1):
            out.append(_match(xs, qty, price, links, link, oi, wi, score, d, unv, rank, prm))
    return out


def _benefit(link, matched, po, pw, de):
    covered = matched * link.ratio
    disposal = np.where(np.isnan(po), link.disposal, np.where(po < 0, -po, 0.0))
    purchase = np.where(np.isnan(pw) | (pw <= 0), link.purchase, pw)
    return (
        disposal * matched
        + purchase * covered
        - matched * link.transport * de
        - matched * link.processing
    )


def _match(xs, qty, price, links, link, o, w, score, d, unv, rank, prm) -> Match:
    x, y = xs[o], xs[w]
    de = prm.intra_park_km if math.isnan(d) else d
    m = min(qty[o], link.max_share * qty[w] / link.ratio)
    covered = m * link.ratio
    benefit = float(_benefit(link, np.array([m]), price[o : o + 1], price[w : w + 1], de)[0])
    unit = links.text_units.get(link.offer_code, x.unit) if link.kind == "text" else x.unit
    return Match(
        offer_id=x.id,
        want_id=y.id,
        score=score,
        rank=rank,
        distance_km=None if math.isnan(d) else d,
        matched_quantity=m,
        unit=unit,
        pathway=link.pathway.id if link.pathway else "",
        benefit_vnd_per_year=benefit,
        co2e_t_per_year=m * link.co2 - m * link.truck_t * de * prm.truck_co2e_t_per_tkm,
        landfill_diverted_t_per_year=m * link.landfill_t,
        water_saved_m3_per_year=m * link.water_offer + covered * link.water_covered,
        transport_cost_vnd_per_year=m * link.transport * de,
        explanation="",
        explanation_vi="",
        offer_enterprise=x.enterprise,
        want_enterprise=y.enterprise,
        offer_park=x.park,
        want_park=y.park,
        coverage=covered / qty[w],
        offer_resource=x.resource or x.resource_text,
        want_resource=y.resource or y.resource_text,
        quality_verified=not unv,
    )
