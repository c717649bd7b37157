"""Investor fit: the offers a park cannot use yet (the gap an investor could fill)
and the ranking of parks for a prospective investor's inputs and outputs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from eiphub.core.catalogue import Catalogue, default_catalogue, fold

from ..pathways import PathwaySet, default_pathways
from .engine import _Context
from .links import TEXT_PREFIX
from .model import Listing, Match, MatchParams


@dataclass
class UnmatchedOffer:
    listing_id: str
    enterprise: str
    resource: str
    resource_name_en: str
    resource_name_vi: str
    quantity: float
    unmatched_quantity: float
    unit: str
    industries: list[str]  # VSIC 2018 codes that could use it
    pathways: list[str]


def remaining_quantities(listings: list[Listing], matches: list[Match]) -> dict[str, float]:
    """{listing id: quantity not taken up by the matches}: greedy allocation by score, an
    offer's quantity covering its want at the match's conversion ratio (want units per
    offer unit, from the match's coverage)."""
    by_id = {x.id: x for x in listings}
    left = {x.id: x.quantity for x in listings}
    for m in sorted(matches, key=lambda m: -m.score):
        if m.matched_quantity <= 0 or m.offer_id not in left or m.want_id not in left:
            continue
        ratio = m.coverage * by_id[m.want_id].quantity / m.matched_quantity
        x = min(left[m.offer_id], m.matched_quantity, left[m.want_id] / ratio if ratio > 0 else 0)
        left[m.offer_id] -= x
        left[m.want_id] -= x * ratio
    return left


def unmatched_offers_by_park(
    listings: list[Listing],
    matches: list[Match],
    pathways: PathwaySet | None = None,
    catalogue: Catalogue | None = None,
    min_share: float = 0.05,
) -> dict[str, list[UnmatchedOffer]]:
    """Offers whose quantity is not taken up by the matches (greedy allocation
    by score), per park, with the industries (VSIC) that could use them: the
    gap an investor could fill."""
    catalogue = catalogue or default_catalogue()
    ps = pathways or default_pathways()
    left = remaining_quantities(listings, matches)
    out: dict[str, list[UnmatchedOffer]] = defaultdict(list)
    for x in listings:
        if x.kind != "offer" or left[x.id] < min_share * x.quantity:
            continue
        r = catalogue.get(x.resource) if x.resource else None
        pws = ps.from_pathways(x.resource) if r else []
        out[x.park].append(
            UnmatchedOffer(
                listing_id=x.id,
                enterprise=x.enterprise,
                resource=x.resource or x.resource_text,
                resource_name_en=r.name_en if r else x.resource_text,
                resource_name_vi=r.name_vi if r else x.resource_text,
                quantity=x.quantity,
                unmatched_quantity=left[x.id],
                unit=x.unit,
                industries=ps.industries_for(x.resource) if r else [],
                pathways=[p.id for p in pws],
            )
        )
    return dict(out)


@dataclass
class FitItem:
    resource: str
    side: str  # "input" (the park supplies it) or "output" (the park absorbs it)
    score: float
    listing_ids: list[str]
    pathways: list[str]


@dataclass
class ParkFit:
    park: str
    score: float  # 0..1
    items: list[FitItem]


def _items(entries, catalogue) -> list[tuple[str, str, float | None]]:
    out = []
    for e in entries:
        text, qty = (e, None) if isinstance(e, str) else (e[0], e[1])
        r = catalogue.resolve(text)
        out.append((text, r.code if r else "", qty))
    return out


def rank_parks_for_investor(
    inputs,
    outputs,
    listings: list[Listing],
    pathways: PathwaySet | None = None,
    catalogue: Catalogue | None = None,
    params: MatchParams | None = None,
) -> list[ParkFit]:
    """Rank parks by symbiosis fit for a prospective investor.

    ``inputs`` and ``outputs`` are resource codes or texts, optionally as
    ``(resource, quantity_per_year)`` in the resource's canonical unit.  For
    each park: how much of each input its offers could supply and how much of
    each output its wants could absorb (directly or via a pathway), weighted by
    pathway confidence.  The score is the mean over all items."""
    catalogue = catalogue or default_catalogue()
    ctx = _Context(listings, catalogue, pathways, params)
    ins, outs = _items(inputs, catalogue), _items(outputs, catalogue)
    parks = sorted({x.park for x in listings if x.park})
    by_park: dict[str, list[int]] = defaultdict(list)
    for i, x in enumerate(listings):
        by_park[x.park].append(i)
    result = []
    for park in parks:
        items = []
        for side, entries in (("input", ins), ("output", outs)):
            for text, code, need in entries:
                key = code or f"{TEXT_PREFIX}{fold(text)}|"
                best, supply, ids, pws = 0.0, 0.0, [], []
                for i in by_park[park]:
                    x = listings[i]
                    if (side == "input") != (x.kind == "offer"):
                        continue
                    a, b = (ctx.keys[i], key) if side == "input" else (key, ctx.keys[i])
                    if not code and ctx.keys[i].split("|")[0] != key.split("|")[0]:
                        continue
                    links = ctx.L.pair_links(a, b) if code else [None]
                    if not links:
                        continue
                    lk = max(links, key=lambda k: k.sem if k else 0.6)
                    sem = lk.sem if lk else 0.6
                    ratio = lk.ratio if lk else 1.0
                    best = max(best, sem)
                    supply += ctx.qty[i] * ratio if side == "input" else ctx.qty[i] / ratio
                    ids.append(x.id)
                    if lk and lk.pathway and lk.pathway.id not in pws:
                        pws.append(lk.pathway.id)
                share = (
                    1.0 if (need is None and ids) else (min(1.0, supply / need) if need else 0.0)
                )
                items.append(FitItem(text, side, round(best * share, 6), ids, pws))
        score = sum(it.score for it in items) / len(items) if items else 0.0
        result.append(ParkFit(park, round(score, 6), items))
    result.sort(key=lambda f: (-f.score, f.park))
    return result
