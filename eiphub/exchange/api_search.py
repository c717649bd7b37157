"""Marketplace search in the JSON API (issue 17): ``GET /api/v1/exchange/search`` takes
the search page's filters and answers the same blind projections, each with its
distance band and the place it may be shown at (the park unless the caller may see the
firm's record).  Its own router, mounted on ``/exchange/`` next to ``api.router`` in
``eiphub/api.py`` (so api.py need not import this module back: no import cycle)."""

from ninja import Router, Schema
from ninja.errors import HttpError

from . import search as Q
from .api import ListingOut

router = Router(tags=["exchange"])


class SearchResultOut(ListingOut):
    distance_band: str
    lat: float | None
    lon: float | None
    ctnh_code: str
    ewc_code: str
    logistics: str


class SearchOut(Schema):
    total: int
    understood: list[str]
    results: list[SearchResultOut]


@router.get("/search", response=SearchOut)
def search_listings(request):
    """Filters as on the search page: q, kind, family, hazardous (yes/no), band
    (lt10, 10_100, 100_1000, gt1000), recurrence (recurring/once), province, park,
    within_km (5, 20, 50, 100, 200), available_from, available_to (YYYY-MM-DD)."""
    form = Q.SearchForm(request.GET)
    if not form.is_valid():
        raise HttpError(400, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    out = Q.run_search(request.user, form.cleaned_data)
    rows = []
    for r in out.results:
        ev = r.evidence
        rows.append(
            {
                **r.view.to_dict(),
                "distance_band": r.distance_band,
                "lat": r.point[0] if r.point else None,
                "lon": r.point[1] if r.point else None,
                "ctnh_code": getattr(ev, "ctnh_code", "") or "",
                "ewc_code": getattr(ev, "ewc_code", "") or "",
                "logistics": getattr(ev, "logistics", "") or "",
            }
        )
    return {
        "total": out.total,
        "understood": list(out.text.names) if out.text else [],
        "results": rows,
    }
