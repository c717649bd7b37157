"""The indexed matcher: listings as arrays, candidates by resource link then by
geography (the grid of :mod:`.geo`), scores, ranking and Match objects.

Candidate generation is indexed, never all pairs: offers are grouped by
resource, the resource index (catalogue hierarchy + pathways) names the
wanted resources they can serve, and the multi-level grid finds the
``candidates_per_link`` nearest eligible wants of each such resource within
the resource's transport limit.  :mod:`.reference` is an independent
all-pairs matcher written from the documented rules; tests prove both agree.

Scoring rules (the reference implements them separately):

* a pair needs a link (direct / pathway / same text), different enterprises
  (unless allowed), overlapping availability dates, the receiver holding the
  licences required (the offer's own, the pathway's, or hazardous-waste for a
  hazardous waste), the pathway's temperature/quality conditions, the want's
  quality limits, a heat source at least ``heat_approach_k`` hotter than a
  heat want, a positive matched quantity and coverage >= ``min_coverage``;
* distance: road km (great circle x road factor) within the link's limit;
  listings without coordinates only match inside their park (counted as
  ``intra_park_km``);
* the ``candidates_per_link`` nearest wants (by distance, then listing order)
  per offer and link are scored:
  ``sem / (1 + km / distance_scale_km) * (0.5 + 0.3 cov + 0.2 use)
  * (1 if benefit > 0 else 0.6) * (0.9 if unverified else 1)``, rounded to 1e-6;
* per (offer, want) the best link (score, then pathway order); per offer the
  matches by score, distance, listing order, the first ``max_matches_per_offer``.
"""

from __future__ import annotations

import gc
import itertools
import math
from collections import Counter, defaultdict
from types import SimpleNamespace

import numpy as np

from eiphub.core.catalogue import Catalogue, default_catalogue, fold
from eiphub.core.licences import HAZARDOUS_WASTE, needs_hazardous_licence
from eiphub.core.quality import has_limits
from eiphub.core.units import convert, parse_unit

from ..pathways import PathwaySet, default_pathways
from .explain import Explainer
from .geo import _Grid, _knn, _lexsort, _ordinal, _starts, _topk, road_km
from .links import TEXT_PREFIX, _Link, _Links
from .model import Listing, Match, MatchParams

HAZARDOUS_LICENCE = HAZARDOUS_WASTE


class _Context:
    def __init__(self, listings, catalogue, pathways, params, limits=None):
        self.listings: list[Listing] = list(listings)
        self.cat = catalogue or default_catalogue()
        self.ps = pathways or default_pathways()
        self.params = params or MatchParams()
        self.L = _Links(self.cat, self.ps, self.params, limits)
        ls = self.listings
        n = len(ls)
        nan = math.nan
        self.keys: list[str] = []
        qty = []
        offers, wants = defaultdict(list), defaultdict(list)
        for i, x in enumerate(ls):
            if x.resource and x.resource in self.cat:
                key, q = x.resource, x.quantity
            else:
                dim = str(parse_unit(x.unit).dimensionality) if x.unit else ""
                key = f"{TEXT_PREFIX}{fold(x.resource_text)}|{dim}"
                ref = self.L.text_units.setdefault(key, x.unit)
                q = convert(x.quantity, x.unit, ref) if x.unit != ref else x.quantity
            self.keys.append(key)
            qty.append(q)
            if x.kind == "offer":
                offers[key].append(i)
            elif x.kind == "want":
                wants[key].append(i)
        xy = [x.lat is not None and x.lon is not None for x in ls]
        self.qty = np.array(qty, float).reshape(n)
        self.lat = np.array([x.lat if b else nan for x, b in zip(ls, xy, strict=True)], float)
        self.lon = np.array([x.lon if b else nan for x, b in zip(ls, xy, strict=True)], float)
        none_nan = lambda v: nan if v is None else v  # noqa: E731
        self.temp = np.array([none_nan(x.temperature_c) for x in ls], float).reshape(n)
        self.price = np.array([none_nan(x.price_vnd_per_unit) for x in ls], float).reshape(n)
        day = lambda v, default: v.toordinal() if v else default  # noqa: E731
        self.dfrom = np.array([day(x.available_from, -(10**9)) for x in ls], np.int64).reshape(n)
        self.dto = np.array([day(x.available_to, 10**9) for x in ls], np.int64).reshape(n)
        ents: dict[str, int] = {}
        self.ent = np.array(
            [ents.setdefault(x.enterprise, len(ents)) if x.enterprise else -1 - i
             for i, x in enumerate(ls)],
            np.int64,
        ).reshape(n)  # fmt: skip
        parks: dict[str, int] = {"": -1}
        self.park = np.array(
            [parks.setdefault(x.park, len(parks) - 1) for x in ls], np.int64
        ).reshape(n)
        # offers whose receiver needs a hazardous-waste licence (hazardous wastes only,
        # never commodity chemicals: the rule lives in core/licences.py)
        cat = self.cat
        self.haz = np.array(
            [x.kind == "offer" and needs_hazardous_licence(cat.get(x.resource), x.hazardous)
             for x in ls],
            bool,
        ).reshape(n)  # fmt: skip
        # listings stating quality values or limits; wants with limits
        self.with_quality = [i for i, x in enumerate(ls) if x.quality]
        self.limits = np.zeros(n, bool)
        for i in self.with_quality:
            x = ls[i]
            self.limits[i] = x.kind == "want" and has_limits(x.quality)
        self.limit_names = sorted(
            {
                k
                for i in np.flatnonzero(self.limits)
                for k in ls[i].quality
                if k.endswith(("_max", "_min"))
            }
        )
        self.has_xy = ~np.isnan(self.lat)
        self.cos = np.cos(self.lat * (math.pi / 180.0))
        self.any_dates = bool((self.dfrom > -(10**9)).any() or (self.dto < 10**9).any())
        positive = self.qty[self.qty > 0]
        self.all_positive = len(positive) == n  # NaN quantities are not positive
        self.qmin = float(positive.min()) if len(positive) else 0.0
        sets: dict[frozenset, int] = {}
        self.lic_id = np.array(
            [sets.setdefault(frozenset(x.licences), len(sets)) for x in self.listings], np.int64
        )
        self.licsets = list(sets)
        self._quality: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._pools: dict[tuple, tuple[np.ndarray, _Grid]] = {}
        is_offer = np.array([x.kind == "offer" for x in self.listings], bool)
        # position among the offers (or among the wants), in listing order: smaller sort keys
        self.nth = np.where(is_offer, np.cumsum(is_offer), np.cumsum(~is_offer)) - 1
        self.offers = {k: np.array(v, np.int64) for k, v in offers.items()}
        self.wants = {k: np.array(v, np.int64) for k, v in wants.items()}

    # -- filters --
    def offer_check(self, link: _Link, oi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(eligible, unverified) for offers under a link's pathway conditions."""
        p = link.pathway
        if p is None:
            return np.ones(len(oi), bool), np.zeros(len(oi), bool)
        ok, unv = np.ones(len(oi), bool), np.zeros(len(oi), bool)
        if p.min_temperature_c is not None:
            t = self.temp[oi]
            ok &= ~(t < p.min_temperature_c)
            unv |= np.isnan(t)
        for limits, worse in ((p.quality_max, np.greater), (p.quality_min, np.less)):
            for name, lim in limits.items():
                value, stated = self.quality_column(name)
                unv |= ~stated[oi]
                ok &= ~worse(value[oi], lim)  # NaN (not stated) compares False
        return ok, unv

    def quality_column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(value or NaN, stated) of one quality parameter for every listing."""
        if name not in self._quality:
            value = np.full(len(self.listings), np.nan)
            stated = np.zeros(len(self.listings), bool)
            for i in self.with_quality:
                q = self.listings[i].quality
                if name in q:
                    value[i], stated[i] = q[name], True
            self._quality[name] = value, stated
        return self._quality[name]

    def required(self, link: _Link, o: int) -> frozenset:
        req = set(self.listings[o].licences)
        if link.licence:
            req.add(link.licence)
        elif self.haz[o]:
            req.add(HAZARDOUS_LICENCE)
        return frozenset(req)

    def pair_quality(self, oi: np.ndarray, wi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ok, unverified) of wants' quality limits against offers' stated values (arrays):
        a stated value beyond a limit fails the pair, a limit without a value leaves it
        unverified."""
        ok, unv = np.ones(len(oi), bool), np.zeros(len(oi), bool)
        for name in self.limit_names:
            lim, has = self.quality_column(name)
            value, stated = self.quality_column(name[:-4])
            h, s = has[wi], stated[oi]
            worse = np.greater if name.endswith("_max") else np.less
            ok &= ~(h & s & worse(value[oi], lim[wi]))
            unv |= h & ~s
        return ok, unv

    def _quantities(self, link, oi, wi):
        qo, qw = self.qty[oi], self.qty[wi]
        matched = np.minimum(qo, link.max_share * qw / link.ratio)
        return qo, qw, matched

    def pair_ok(self, link: _Link, oi: np.ndarray, wi: np.ndarray) -> np.ndarray:
        m = np.ones(len(oi), bool)
        if not self.params.same_enterprise:
            m &= self.ent[oi] != self.ent[wi]
        if self.any_dates:
            dfrom, dto = self.dfrom, self.dto
            m &= np.maximum(dfrom[oi], dfrom[wi]) <= np.minimum(dto[oi], dto[wi])
        if link.heat_want:
            m &= ~(self.temp[oi] < self.temp[wi] + self.params.heat_approach_k)
        # matched > 0 holds for every pair when all quantities are positive (and
        # the smallest matched quantity does not underflow); coverage >= 0 always holds
        sure = self.all_positive and min(self.qmin, link.max_share * self.qmin / link.ratio) > 0
        if not sure or self.params.min_coverage > 0:
            qo, qw, matched = self._quantities(link, oi, wi)
            m &= (matched > 0) & (matched * link.ratio >= self.params.min_coverage * qw - 1e-12)
        check = np.flatnonzero(m & self.limits[wi])
        if len(check):
            m[check] = self.pair_quality(oi[check], wi[check])[0]
        return m

    # -- candidates --
    def distances(self, oi, wi):
        """Road km (NaN = same park, no coordinates) and eligibility by location."""
        both = self.has_xy[oi] & self.has_xy[wi]
        d = np.full(len(oi), np.nan)
        if both.any():
            o, w = oi[both], wi[both]
            d[both] = road_km(
                self.lat[o],
                self.lon[o],
                self.lat[w],
                self.lon[w],
                self.params.road_factor,
                self.cos[o],
                self.cos[w],
            )
        same_park = (self.park[oi] == self.park[wi]) & (self.park[oi] >= 0)
        return d, np.where(both, True, same_park)

    def dsort(self, d):
        return np.where(np.isnan(d), self.params.intra_park_km, d)

    def _pool(self, want_code: str, req: frozenset, wants: np.ndarray) -> tuple:
        """Wants of a resource whose receivers hold ``req`` (and with a positive
        quantity), and the geographic grid of those with coordinates (cached)."""
        key = (want_code, req)
        if key not in self._pools:
            lic = [req <= s for s in self.licsets]
            wts = wants[np.array(lic, bool)[self.lic_id[wants]] & (self.qty[wants] > 0)]
            wg = wts[self.has_xy[wts]]
            self._pools[key] = wts, _Grid(wg, self.lat[wg], self.lon[wg], self.cos[wg])
        return self._pools[key]

    def indexed_candidates(self, link: _Link, offers: np.ndarray, wants: np.ndarray):
        k, prm = self.params.candidates_per_link, self.params
        ok, _ = self.offer_check(link, offers)
        offers = offers[ok & (self.qty[offers] > 0)]
        # licences the receiver must hold: the offer's own, plus the link's (or hazardous waste)
        extra = np.full(len(offers), 1) if link.licence else np.where(self.haz[offers], 2, 0)
        group = self.lic_id[offers] * 3 + extra
        out = []
        for g in np.unique(group):
            offs = offers[group == g]
            req = set(self.licsets[g // 3])
            req.update([[], [link.licence], [HAZARDOUS_LICENCE]][g % 3])
            wts, grid = self._pool(link.want_code, frozenset(req), wants)
            if len(wts) == 0:
                continue
            og = offs[self.has_xy[offs]]
            go, gw, gd = _knn(
                og,
                self.lat[og],
                self.lon[og],
                self.cos[og],
                grid,
                k,
                link.max_km,
                prm.road_factor,
                lambda o, w: self.pair_ok(link, o, w),
            )
            parts_o, parts_w, parts_d = [go], [gw], [gd]
            if not (self.has_xy[offs].all() and self.has_xy[wts].all()):
                by_park_all, by_park_noxy = defaultdict(list), defaultdict(list)
                for w in wts:
                    if self.park[w] >= 0:
                        by_park_all[self.park[w]].append(w)
                        if not self.has_xy[w]:
                            by_park_noxy[self.park[w]].append(w)
                po, pw = [], []
                for o in offs:
                    pool = (by_park_noxy if self.has_xy[o] else by_park_all).get(self.park[o], ())
                    po.extend([o] * len(pool))
                    pw.extend(pool)
                if po:
                    po, pw = np.array(po, np.int64), np.array(pw, np.int64)
                    m = self.pair_ok(link, po, pw)
                    parts_o.append(po[m])
                    parts_w.append(pw[m])
                    parts_d.append(np.full(int(m.sum()), np.nan))
            if len(parts_o) == 1:  # the k nearest already
                out.append((go, gw, gd))
                continue
            oi, wi, d = np.concatenate(parts_o), np.concatenate(parts_w), np.concatenate(parts_d)
            keep = _topk(oi, wi, self.dsort(d), k)
            out.append((oi[keep], wi[keep], d[keep]))
        return out

    # -- scoring --
    def values(self, lk, oi, wi, de) -> dict:
        """Quantities and yearly benefits of pairs; ``lk``: a link, or link
        attributes as arrays (one value per pair)."""
        qo, qw, matched = self._quantities(lk, oi, wi)
        covered = matched * lk.ratio
        po, pw = self.price[oi], self.price[wi]
        disposal = np.where(np.isnan(po), lk.disposal, np.where(po < 0, -po, 0.0))
        purchase = np.where(np.isnan(pw) | (pw <= 0), lk.purchase, pw)
        transport = matched * lk.transport * de
        return dict(
            matched=matched,
            cov=covered / qw,
            use=matched / qo,
            benefit=disposal * matched + purchase * covered - transport - matched * lk.processing,
            co2=matched * lk.co2 - matched * lk.truck_t * de * self.params.truck_co2e_t_per_tkm,
            landfill=matched * lk.landfill_t,
            water=matched * lk.water_offer + covered * lk.water_covered,
            transport=transport,
        )

    def score(self, link: _Link, oi, wi, d) -> dict:
        """Scores of a link's pairs (the other values are computed for the kept matches)."""
        prm = self.params
        de = self.dsort(d)
        v = self.values(link, oi, wi, de)
        cov, use, benefit = v["cov"], v["use"], v["benefit"]
        _, unv = self.offer_check(link, oi)
        if link.heat_want:
            unv = unv | (np.isnan(self.temp[oi]) & ~np.isnan(self.temp[wi]))
        check = np.flatnonzero(self.limits[wi])
        if len(check):
            unv[check] |= self.pair_quality(oi[check], wi[check])[1]
        score = (
            link.sem
            / (1 + de / prm.distance_scale_km)
            * (0.5 + 0.3 * cov + 0.2 * use)
            * np.where(benefit > 0, 1.0, 0.6)
            * np.where(unv, 0.9, 1.0)
        )
        return dict(
            oi=oi,
            wi=wi,
            d=d,
            link=np.full(len(oi), link.id),
            order=np.full(len(oi), link.order),
            score=np.round(score, 6),
            unv=unv,
        )

    # -- final ranking and output --
    def finish(self, parts: list[dict]) -> list[Match]:
        parts = [p for p in parts if len(p["oi"])]
        if not parts:
            return []
        a = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        oi, wi, score, d = a["oi"], a["wi"], a["score"], a["d"]
        passed = score >= self.params.min_score
        sel = np.arange(len(score)) if passed.all() else np.flatnonzero(passed)
        if len(sel) < len(score):
            oi, wi, score, d = oi[sel], wi[sel], score[sel], d[sel]
        neg = _ordinal(-score)
        # best link per (offer, want): highest score, then the earliest pathway.  Only
        # links between the same two resources (several pathways) can repeat a pair.
        family = Counter((x.offer_code, x.want_code) for x in self.L.links)
        shared = np.array([family[x.offer_code, x.want_code] > 1 for x in self.L.links])
        rows = np.flatnonzero(shared[a["link"][sel]])
        if len(rows):
            pair = self.nth[oi[rows]] * len(self.listings) + self.nth[wi[rows]]
            order = _lexsort((a["order"][sel[rows]], neg[rows], pair))
            keep = np.ones(len(sel), bool)
            keep[rows[order[~_starts(pair[order])]]] = False  # all but the best of each pair
            sel, oi, wi, d, neg = sel[keep], oi[keep], wi[keep], d[keep], neg[keep]
        # per offer: by score, distance, want
        order = _lexsort((self.nth[wi], _ordinal(self.dsort(d)), neg, self.nth[oi]))
        sel, oi = sel[order], oi[order]
        start = _starts(oi)
        rank = np.arange(len(oi)) - np.maximum.accumulate(np.where(start, np.arange(len(oi)), 0))
        keep = rank < (self.params.max_matches_per_offer or len(oi) + 1)
        sel, rank = sel[keep], rank[keep] + 1
        cols = {k: v[sel] for k, v in a.items()}
        cols["rank"] = rank
        lid = cols["link"]
        attrs = ("ratio", "max_share", "disposal", "purchase", "transport", "processing", "co2")
        attrs += ("truck_t", "landfill_t", "water_offer", "water_covered")
        lk = SimpleNamespace(
            **{a: np.array([getattr(x, a) for x in self.L.links], float)[lid] for a in attrs}
        )
        cols.update(self.values(lk, cols["oi"], cols["wi"], self.dsort(cols["d"])))
        # Building ~10^6 Match objects triggers many cyclic-GC passes over the young
        # generation that find nothing to free; pausing the collector while they are
        # built buys about 4x on this step (600k objects: 7.1 s with the GC on, 1.8 s
        # paused; `eiphub bench --only matching` measures it).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._build_matches(cols)
        finally:
            if enabled:
                gc.enable()

    def _build_matches(self, c: dict) -> list[Match]:
        """Match objects from the selected rows, column by column (explanations lazily)."""
        obj = self.obj_columns()
        oi, wi, lid = c["oi"], c["wi"], c["link"]
        L = self.L.links
        unit = obj["unit"][oi]
        text = np.array([lk.kind == "text" for lk in L])[lid]
        for j in np.flatnonzero(text):
            unit[j] = self.L.text_units.get(L[lid[j]].offer_code, unit[j])
        d = c["d"].astype(object)
        d[np.isnan(c["d"])] = None
        n, none = len(oi), itertools.repeat(None)
        explainer = Explainer(self, lid, oi, wi)
        return list(
            map(
                Match,
                obj["id"][oi].tolist(),
                obj["id"][wi].tolist(),
                c["score"].tolist(),
                c["rank"].tolist(),
                d.tolist(),
                c["matched"].tolist(),
                unit.tolist(),
                np.array([lk.pathway.id if lk.pathway else "" for lk in L], object)[lid].tolist(),
                c["benefit"].tolist(),
                c["co2"].tolist(),
                c["landfill"].tolist(),
                c["water"].tolist(),
                c["transport"].tolist(),
                itertools.islice(none, n),
                itertools.islice(none, n),
                obj["enterprise"][oi].tolist(),
                obj["enterprise"][wi].tolist(),
                obj["park"][oi].tolist(),
                obj["park"][wi].tolist(),
                c["cov"].tolist(),
                obj["resource"][oi].tolist(),
                obj["resource"][wi].tolist(),
                (~c["unv"]).tolist(),
                itertools.repeat(explainer, n),
                range(n),
            )
        )

    def obj_columns(self) -> dict[str, np.ndarray]:
        """Text fields of the listings as object arrays (for vectorised gathers)."""
        col = lambda f: np.array([f(x) for x in self.listings] + [None], object)[:-1]  # noqa: E731
        return {
            "id": col(lambda x: x.id),
            "enterprise": col(lambda x: x.enterprise),
            "park": col(lambda x: x.park),
            "unit": col(lambda x: x.unit),
            "resource": col(lambda x: x.resource or x.resource_text),
        }


def match(
    listings: list[Listing],
    catalogue: Catalogue | None = None,
    pathways: PathwaySet | None = None,
    params: MatchParams | None = None,
) -> list[Match]:
    """Indexed matcher: by resource (catalogue hierarchy + pathways), then by
    geography (nearest eligible wants).  Same result as :func:`.reference.match_reference`."""
    ctx = _Context(listings, catalogue, pathways, params)
    return ctx.finish(_indexed_parts(ctx))


def _indexed_parts(ctx: _Context) -> list[dict]:
    """Candidate generation and scoring (arrays), before ranking and output."""
    parts = []
    for a in sorted(ctx.offers):
        for link in ctx.L.targets(a, ctx.wants):
            for oi, wi, d in ctx.indexed_candidates(link, ctx.offers[a], ctx.wants[link.want_code]):
                parts.append(ctx.score(link, oi, wi, d))
    return parts
