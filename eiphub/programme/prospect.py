"""Parks ranked for a prospective investor from the stored open supply and demand."""

from __future__ import annotations

from eiphub.core.catalogue import default_catalogue
from eiphub.symbiosis import investment as inv


def rank_prospect(result: dict, inputs: list, outputs: list) -> list[dict]:
    """[{park, score, items: [{resource, side, share, confidence, available, unit,
    sources, pathways, listings}]}] best first (quantities for bands only)."""
    rest = [
        inv.Leftover(
            listing_id=f"{r['park']}:{r['kind']}:{r['resource']}",
            park=r["park"],
            kind=r["kind"],
            resource=r["resource"],
            quantity=r["quantity"],
            unit=r["unit"],
            lat=r["lat"],
            lon=r["lon"],
        )
        for r in result.get("open_supply", [])
    ]
    sites = {}
    for r in result.get("open_supply", []):
        sites.setdefault(r["park"], inv.Site(r["park"], r["lat"], r["lon"]))
    for p in result.get("parks", []):
        sites.setdefault(p["code"], inv.Site(p["code"], None, None))
    fits = inv.rank_parks_for_prospect(inputs, outputs, list(sites.values()), rest)
    cat = default_catalogue()
    out = []
    for f in fits:
        items = []
        for it in f.items:
            r = cat.get(it.resource) if it.resource in cat else None
            items.append(
                {
                    "resource": it.resource,
                    "known": r is not None,
                    "side": it.side,
                    "share": it.share,
                    "confidence": it.confidence,
                    "score": it.score,
                    "available": it.available,
                    "need": it.need,
                    "unit": r.unit if r else "",
                    "sources": it.sources,
                    "pathways": it.pathways,
                    "listings": it.listings,
                }
            )
        out.append({"park": f.park, "score": f.score, "items": items})
    return out
