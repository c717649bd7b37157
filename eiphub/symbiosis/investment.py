"""Investors that create symbiosis (no Django).

For a park: the industries (VSIC 2018, from the sector profiles of
``core/data/sectors.yaml``) whose typical inputs the park's unmatched outputs would
supply, and whose typical outputs the park's unmatched wants need, linked directly or
through a pathway of the knowledge base (``symbiosis/data/pathways.yaml``), with

- the quantity the park itself offers (or wants) and not yet matched;
- the distance-feasible volume: the unmatched offers (wants) of every site within
  the link's transport limit of the park (``core/data/transport_limits.yaml``, road
  km = great circle x road factor), the park's own included;
- estimated benefits per year on the distance-feasible volume: for a supply, the
  receiver's avoided purchase (ratio x price of the substituted input) plus the
  supplier's avoided disposal, minus processing; for a need, the buyer's avoided
  purchase of the wanted input; and the tCO2e avoided (pathway factor per offered
  unit).  Prices are the indicative defaults of the pathway file (``verify``).

For a prospective investor's expected inputs and outputs: the parks ranked by how much
of each input their unmatched offers (within reach) would supply and how much of each
output their unmatched wants would absorb, with the reasons per item.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from eiphub.core.catalogue import Catalogue, default_catalogue
from eiphub.core.sectors import SectorTable, default_sectors

from .matching.geo import road_km
from .matching.investor import remaining_quantities
from .matching.links import _Links
from .matching.model import Listing, Match, MatchParams
from .pathways import PathwaySet, default_pathways


@dataclass
class Leftover:
    """What is left of a listing after the matches: the open supply or demand."""

    listing_id: str
    park: str
    kind: str  # offer | want
    resource: str
    quantity: float  # per year, canonical unit
    unit: str
    lat: float | None
    lon: float | None


def leftovers(listings: list[Listing], matches: list[Match], min_share: float = 0.05):
    """Offers and wants with at least ``min_share`` of their quantity unmatched
    (resolved resources only: a free text cannot be linked to an industry)."""
    left = remaining_quantities(listings, matches)
    return [
        Leftover(x.id, x.park, x.kind, x.resource, left[x.id], x.unit, x.lat, x.lon)
        for x in listings
        if x.resource and x.quantity > 0 and left[x.id] >= min_share * x.quantity
    ]


@dataclass
class Site:
    code: str
    lat: float | None
    lon: float | None


@dataclass
class OpportunityFlow:
    side: str  # "supply": the park's output feeds the industry; "need": the industry feeds the park
    resource: str  # the park's resource (offered or wanted)
    industry_resource: str  # the industry's typical input (supply) or output (need)
    pathway: str  # pathway id, "" when direct
    quantity_park: float  # the park's own unmatched quantity per year (canonical unit)
    quantity_reachable: float  # within the transport limit of the park, park included
    unit: str
    listings_park: int
    listings_reachable: int
    max_km: float
    benefit_vnd_per_year: float  # on the distance-feasible volume
    co2e_t_per_year: float
    benefit_park_vnd_per_year: float = 0.0  # on the park's own quantity


@dataclass
class IndustryOpportunity:
    vsic: str
    name_vi: str
    name_en: str
    flows: list[OpportunityFlow] = field(default_factory=list)
    benefit_vnd_per_year: float = 0.0
    co2e_t_per_year: float = 0.0

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang.startswith("en") else self.name_vi


class _Kit:
    def __init__(self, catalogue, pathways, sectors, params):
        self.cat = catalogue or default_catalogue()
        self.ps = pathways or default_pathways()
        self.sectors = sectors or default_sectors()
        self.params = params or MatchParams()
        self.L = _Links(self.cat, self.ps, self.params)
        self._targets: dict = {}

    def links_to(self, a: str, wanted) -> list:
        """Links from resource ``a`` to any of the ``wanted`` codes (the matcher's indexed
        walk of the hierarchy and the pathways from ``a``), cached."""
        key = (a, wanted)
        if key not in self._targets:
            self._targets[key] = self.L.targets(a, wanted)
        return self._targets[key]

    def best(self, a: str, wanted):
        links = self.links_to(a, wanted)
        return max(links, key=lambda k: (k.sem, -k.order)) if links else None

    def best_link(self, a: str, b: str):
        return self.best(a, frozenset((b,)))

    def km(self, site: Site, x: Leftover) -> float | None:
        if None in (site.lat, site.lon, x.lat, x.lon):
            return 0.0 if x.park == site.code else None
        return float(road_km(site.lat, site.lon, x.lat, x.lon, self.params.road_factor))


class OpenIndex:
    """The open listings indexed by park and by (kind, resource), built once for many parks."""

    def __init__(self, rest: list[Leftover]):
        self.rest = rest
        self.by_park: dict[str, list[Leftover]] = defaultdict(list)
        self.by_res: dict[tuple[str, str], list[Leftover]] = defaultdict(list)
        for x in rest:
            self.by_park[x.park].append(x)
            self.by_res[(x.kind, x.resource)].append(x)


def _distances(kit: _Kit, site: Site, items: list[Leftover]) -> dict[str, float | None]:
    """Road km from the park to each listing, in one array call (None: no coordinates)."""
    if site.lat is None or site.lon is None or not items:
        return {x.listing_id: kit.km(site, x) for x in items}
    lat = np.array([np.nan if x.lat is None else x.lat for x in items])
    lon = np.array([np.nan if x.lon is None else x.lon for x in items])
    d = road_km(site.lat, site.lon, lat, lon, kit.params.road_factor)
    out = {}
    for x, km in zip(items, np.atleast_1d(d), strict=True):
        if math.isnan(km):
            out[x.listing_id] = 0.0 if x.park == site.code else None
        else:
            out[x.listing_id] = float(km)
    return out


def park_opportunities(
    site: Site,
    rest: list[Leftover] | OpenIndex,
    *,
    catalogue: Catalogue | None = None,
    pathways: PathwaySet | None = None,
    sectors: SectorTable | None = None,
    params: MatchParams | None = None,
    limit: int = 12,
    kit: _Kit | None = None,
) -> list[IndustryOpportunity]:
    """Industries an investor could bring to ``site`` (see the module docstring), the
    ones with the largest estimated benefit first; only links anchored in the park's
    own unmatched offers or wants count."""
    kit = kit or _Kit(catalogue, pathways, sectors, params)
    index = rest if isinstance(rest, OpenIndex) else OpenIndex(rest)
    own = index.by_park.get(site.code, [])
    if not own:
        return []
    own_res = {(x.kind, x.resource) for x in own}
    by_res = index.by_res
    dist = _distances(kit, site, [x for key in sorted(own_res) for x in by_res[key]])
    own_sum: dict = defaultdict(lambda: (0.0, 0))
    for x in own:
        q, n = own_sum[(x.kind, x.resource)]
        own_sum[(x.kind, x.resource)] = (q + x.quantity, n + 1)
    volumes: dict = {}
    out = []
    for sector in kit.sectors.sectors.values():
        opp = IndustryOpportunity(sector.vsic, sector.name_vi, sector.name_en)
        for kind, res in sorted(own_res):
            if kind == "offer":  # the park's output -> one of the industry's typical inputs
                link = kit.best(res, frozenset(sector.inputs))
                t = link.want_code if link else ""
            else:  # one of the industry's typical outputs -> the park's want
                link, t = None, ""
                for o in sector.outputs:
                    cand = kit.best_link(o, res)
                    if cand and (link is None or cand.sem > link.sem):
                        link, t = cand, o
            if link is None:
                continue
            items = by_res[(kind, res)]
            q_own, n_own = own_sum[(kind, res)]
            vkey = (kind, res, link.max_km)
            if vkey not in volumes:  # the same (resource, distance cap) for many industries
                near = [
                    x.quantity
                    for x in items
                    if dist[x.listing_id] is not None and dist[x.listing_id] <= link.max_km
                ]
                volumes[vkey] = (sum(near), len(near)) if near else (q_own, n_own)
            q_near, n_near = volumes[vkey]
            if kind == "offer":  # per offered unit
                per_unit = link.ratio * link.purchase + link.disposal - link.processing
                co2 = link.co2 * q_near
            else:  # per wanted unit: the buyer's avoided purchase; CO2 per offered unit
                per_unit = link.purchase
                co2 = link.co2 * q_near / link.ratio if link.ratio else 0.0
            benefit = max(0.0, per_unit) * q_near
            opp.flows.append(
                OpportunityFlow(
                    side="supply" if kind == "offer" else "need",
                    resource=res,
                    industry_resource=t,
                    pathway=link.pathway.id if link.pathway else "",
                    quantity_park=q_own,
                    quantity_reachable=q_near,
                    unit=items[0].unit,
                    listings_park=n_own,
                    listings_reachable=max(n_near, n_own),
                    max_km=link.max_km,
                    benefit_vnd_per_year=benefit,
                    co2e_t_per_year=co2,
                    benefit_park_vnd_per_year=max(0.0, per_unit) * q_own,
                )
            )
        if opp.flows:
            opp.flows.sort(key=lambda f: (-f.benefit_vnd_per_year, f.resource))
            opp.benefit_vnd_per_year = sum(f.benefit_vnd_per_year for f in opp.flows)
            opp.co2e_t_per_year = sum(f.co2e_t_per_year for f in opp.flows)
            out.append(opp)
    out.sort(key=lambda o: (-o.benefit_vnd_per_year, -len(o.flows), o.vsic))
    return out[:limit]


@dataclass
class ProspectItem:
    resource: str  # the investor's input or output (code, or the text when unresolved)
    side: str  # "input" (the park supplies it) | "output" (the park absorbs it)
    need: float | None  # per year, canonical unit of the resource; None: not given
    available: float  # open quantity within reach, in the investor's resource units
    # the available quantity weighted by distance (distance_factor) over the need, capped at
    # 1; without a need, the quantity-weighted mean distance factor (1: all on site)
    share: float
    confidence: float  # link confidence (1 same resource, less through a pathway)
    score: float  # share x confidence
    sources: list[str]  # park resources that serve it
    pathways: list[str]
    listings: int


@dataclass
class ProspectFit:
    park: str
    score: float
    items: list[ProspectItem]


def distance_factor(km: float, scale_km: float) -> float:
    """1 on site, 1/2 at ``scale_km`` road km (the matcher's distance scale), 1/3 at twice it."""
    return 1.0 / (1.0 + max(0.0, km) / scale_km) if scale_km > 0 else 1.0


def rank_parks_for_prospect(
    inputs: list,
    outputs: list,
    sites: list[Site],
    rest: list[Leftover],
    *,
    catalogue: Catalogue | None = None,
    pathways: PathwaySet | None = None,
    params: MatchParams | None = None,
) -> list[ProspectFit]:
    """Parks ranked for an investor.  ``inputs``/``outputs``: resource codes or texts,
    or ``(resource, quantity per year in the resource's canonical unit)``.  An input is
    served by unmatched offers within the link's transport limit of the park (at the
    link's ratio); an output by unmatched wants.  Quantities farther away count less
    (:func:`distance_factor`, 1/2 at the matcher's distance scale of 30 road km).  An item
    scores share x link confidence; the park's score is the mean item score; items that do
    not resolve to the catalogue score 0."""
    kit = _Kit(catalogue, pathways, None, params)
    entries = []
    for side, given in (("input", inputs), ("output", outputs)):
        for e in given:
            text, need = (e, None) if isinstance(e, str) else (e[0], e[1])
            r = kit.cat.get(text) if text in kit.cat else kit.cat.resolve(text)
            entries.append((side, r.code if r else text, bool(r), need))
    # the open listings that can serve each entry, found once (links are per resource), as
    # arrays: one vectorised distance per park and entry
    cands = []
    for side, code, known, _need in entries:
        rows = []
        if known:
            for x in rest:
                if (side == "input") != (x.kind == "offer"):
                    continue
                link = (
                    kit.best_link(x.resource, code)
                    if side == "input"
                    else kit.best_link(code, x.resource)
                )
                if link is not None:
                    rows.append((x, link))
        q = [x.quantity * lk.ratio if side == "input" else x.quantity / lk.ratio for x, lk in rows]
        cands.append(
            {
                "rows": rows,
                "lat": np.array([np.nan if x.lat is None else x.lat for x, _ in rows]),
                "lon": np.array([np.nan if x.lon is None else x.lon for x, _ in rows]),
                "park": np.array([x.park for x, _ in rows], dtype=object),
                "q": np.array(q, dtype=float),
                "max_km": np.array([lk.max_km for _, lk in rows], dtype=float),
                "sem": np.array([lk.sem for _, lk in rows], dtype=float),
            }
        )
    scale = kit.params.distance_scale_km
    out = []
    for site in sites:
        items = []
        for (side, code, _known, need), c in zip(entries, cands, strict=True):
            avail = eff = best = 0.0
            srcs, pws, n = [], [], 0
            if c["rows"]:
                if site.lat is None or site.lon is None:
                    d = np.full(len(c["rows"]), np.nan)
                else:
                    d = np.atleast_1d(
                        road_km(site.lat, site.lon, c["lat"], c["lon"], kit.params.road_factor)
                    )
                d = np.where(np.isnan(d) & (c["park"] == site.code), 0.0, d)
                ok = ~np.isnan(d) & (d <= c["max_km"])
                if ok.any():
                    avail = float(c["q"][ok].sum())
                    factor = 1.0 / (1.0 + d[ok] / scale) if scale > 0 else 1.0
                    eff = float((c["q"][ok] * factor).sum())
                    best = float(c["sem"][ok].max())
                    n = int(ok.sum())
                    for i in np.flatnonzero(ok):
                        x, link = c["rows"][i]
                        if x.resource not in srcs and x.resource != code:
                            srcs.append(x.resource)
                        if link.pathway and link.pathway.id not in pws:
                            pws.append(link.pathway.id)
            if need:
                share = min(1.0, eff / need)
            else:
                share = eff / avail if avail > 0 else 0.0
            items.append(
                ProspectItem(
                    code, side, need, avail, share, best, round(share * best, 6), srcs, pws, n
                )
            )
        score = sum(i.score for i in items) / len(items) if items else 0.0
        out.append(ProspectFit(site.code, round(score, 6), items))
    out.sort(key=lambda f: (-f.score, f.park))
    return out
