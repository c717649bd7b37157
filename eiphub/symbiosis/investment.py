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

from collections import defaultdict
from dataclasses import dataclass, field

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

    def best_link(self, a: str, b: str):
        links = self.L.pair_links(a, b)
        return max(links, key=lambda k: (k.sem, -k.order)) if links else None

    def km(self, site: Site, x: Leftover) -> float | None:
        if None in (site.lat, site.lon, x.lat, x.lon):
            return 0.0 if x.park == site.code else None
        return float(road_km(site.lat, site.lon, x.lat, x.lon, self.params.road_factor))


def park_opportunities(
    site: Site,
    rest: list[Leftover],
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
    own = [x for x in rest if x.park == site.code]
    if not own:
        return []
    dist = {x.listing_id: kit.km(site, x) for x in rest}
    by_res: dict[tuple[str, str], list[Leftover]] = defaultdict(list)
    for x in rest:
        by_res[(x.kind, x.resource)].append(x)
    own_res = {(x.kind, x.resource) for x in own}
    out = []
    for sector in kit.sectors.sectors.values():
        opp = IndustryOpportunity(sector.vsic, sector.name_vi, sector.name_en)
        for kind, res in sorted(own_res):
            targets = sector.inputs if kind == "offer" else sector.outputs
            best = None
            for t in targets:
                link = kit.best_link(res, t) if kind == "offer" else kit.best_link(t, res)
                if link and (best is None or link.sem > best[1].sem):
                    best = (t, link)
            if best is None:
                continue
            t, link = best
            items = by_res[(kind, res)]
            mine = [x for x in items if x.park == site.code]
            near = [
                x
                for x in items
                if dist[x.listing_id] is not None and dist[x.listing_id] <= link.max_km
            ]
            q_own = sum(x.quantity for x in mine)
            q_near = sum(x.quantity for x in near) if near else q_own
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
                    listings_park=len(mine),
                    listings_reachable=max(len(near), len(mine)),
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
    # the open listings that can serve each entry, found once (links are per resource)
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
        cands.append(rows)
    out = []
    for site in sites:
        items = []
        for (side, code, _known, need), rows in zip(entries, cands, strict=True):
            avail, eff, best, srcs, pws, n = 0.0, 0.0, 0.0, [], [], 0
            for x, link in rows:
                d = kit.km(site, x)
                if d is None or d > link.max_km:
                    continue
                q = x.quantity * link.ratio if side == "input" else x.quantity / link.ratio
                avail += q
                eff += q * distance_factor(d, kit.params.distance_scale_km)
                best = max(best, link.sem)
                n += 1
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
