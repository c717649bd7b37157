"""Investor fit: which parks suit a planned plant's inputs and outputs."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation

from eiphub.registry.models import Park, Province
from eiphub.symbiosis import matching as core

from .listings import _listing_qs, quantity_band
from .matching_runs import core_listings
from .models import Listing

# --------------------------------------------------------------------------
# Investor fit
# --------------------------------------------------------------------------


def unmatched_offers(parks: QuerySet[Park]) -> list[dict]:
    """Published offers of the parks not taken up by matches, with the VSIC
    industries that could use them (blind: resource, quantity band, park)."""
    lang = translation.get_language() or "vi"
    # wants anywhere in the parks' provinces may take the offers up
    qs = _listing_qs().filter(
        status=Listing.Status.PUBLISHED,
        enterprise__park__province__in=Province.objects.filter(parks__in=parks),
    )
    listings = core_listings(qs)
    by_park = core.unmatched_offers_by_park(listings, core.match(listings))
    names = {p.code: p.name(lang) for p in parks}
    rows = []
    for code, items in sorted(by_park.items()):
        if code not in names:
            continue
        for u in items:
            rows.append(
                {
                    "park_code": code,
                    "park_name": names.get(code, code),
                    "resource": u.resource,
                    "resource_name": u.resource_name_en
                    if lang.startswith("en")
                    else u.resource_name_vi,
                    "unmatched_band": quantity_band(u.unmatched_quantity, u.unit, "year"),
                    "industries": u.industries,
                    "pathways": u.pathways,
                }
            )
    return rows


def parse_resource_lines(text: str) -> list:
    """Lines 'resource[; quantity per year]' -> matcher entries (text or (text, qty))."""
    from eiphub.core.numbers import NumberError, parse_number

    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, _sep, qty = line.partition(";")
        try:  # the platform's one number parser, in the user's language
            q = (
                float(parse_number(qty.strip(), translation.get_language()))
                if qty.strip()
                else None
            )
        except NumberError:
            raise ValueError(line)
        out.append((name.strip(), q) if q else name.strip())
    return out


def rank_parks(inputs: list, outputs: list, parks: QuerySet[Park] | None = None) -> list[dict]:
    """Parks ranked by symbiosis fit for a prospective investor's inputs and outputs
    (published listings only; counts of listings, never their owners)."""
    lang = translation.get_language() or "vi"
    parks = parks if parks is not None else Park.objects.all()
    qs = _listing_qs().filter(status=Listing.Status.PUBLISHED, enterprise__park__in=parks)
    fits = core.rank_parks_for_investor(inputs, outputs, core_listings(qs))
    names = {p.code: p.name(lang) for p in parks}
    return [
        {
            "park_code": f.park,
            "park_name": names.get(f.park, f.park),
            "score": float(f.score),
            "items": [
                {
                    "resource": it.resource,
                    "side": it.side,
                    "score": float(it.score),
                    "listings": len(it.listing_ids),
                    "pathways": it.pathways,
                }
                for it in f.items
            ],
        }
        for f in fits
    ]
