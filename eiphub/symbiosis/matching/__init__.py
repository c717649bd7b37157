"""Symbiosis matching (framework-free).

Offers (wastes, by-products, surplus energy and water, spare capacity) are
matched with wants (inputs sought) in three ways:

* direct: the same catalogue resource, or one is a sub-category of the other;
* pathway: the knowledge base (``symbiosis/data/pathways.yaml``) says the
  offered resource can replace the wanted input (fly ash -> cement, steam ->
  process heat, treated wastewater -> cooling-tower make-up, ...);
* text: neither side resolves to the catalogue but both describe the resource
  with the same words.

Modules: :mod:`.io` (listings files, row issues, match writers), :mod:`.geo`
(road distance, grid index), :mod:`.links` (resource links), :mod:`.engine`
(the indexed matcher and its scoring rules), :mod:`.explain` (structured
facts and their wording), :mod:`.investor` (park fit), :mod:`.reference`
(an independent all-pairs matcher for tests and benchmarks).  Free text is
resolved by the one resolver, :meth:`eiphub.core.catalogue.Catalogue.resolve`.

Every match is scored (0..1) and explained, with yearly benefit estimates:
VND (avoided disposal + avoided purchase - transport - processing), tCO2e
avoided, tonnes diverted from landfill and m3 of water saved.  Default prices
and factors come from the pathway file and are indicative (marked ``verify``).
"""

from eiphub.core.catalogue import default_catalogue  # noqa: F401 (callers' convenience)
from eiphub.core.licences import HAZARDOUS_WASTE as HAZARDOUS_LICENCE
from eiphub.core.licences import normalise_licence

from ..pathways import default_pathways  # noqa: F401
from .engine import match
from .explain import Fact, render
from .geo import EARTH_RADIUS_KM, ROAD_FACTOR, road_km
from .investor import (
    FitItem,
    ParkFit,
    UnmatchedOffer,
    rank_parks_for_investor,
    remaining_quantities,
    unmatched_offers_by_park,
)
from .io import (
    MATCH_COLUMNS,
    ListingsFile,
    RowIssue,
    match_to_dict,
    parse_conditions,
    read_listings,
    read_listings_csv,
    write_issues_csv,
    write_matches_csv,
    write_matches_json,
)
from .links import TEXT_PREFIX
from .model import Listing, ListingFileError, Match, MatchParams
from .reference import match_reference

__all__ = [
    "EARTH_RADIUS_KM",
    "HAZARDOUS_LICENCE",
    "MATCH_COLUMNS",
    "ROAD_FACTOR",
    "TEXT_PREFIX",
    "Fact",
    "FitItem",
    "Listing",
    "ListingFileError",
    "ListingsFile",
    "Match",
    "MatchParams",
    "ParkFit",
    "RowIssue",
    "UnmatchedOffer",
    "match",
    "match_reference",
    "match_to_dict",
    "normalise_licence",
    "parse_conditions",
    "rank_parks_for_investor",
    "read_listings",
    "read_listings_csv",
    "render",
    "road_km",
    "unmatched_offers_by_park",
    "remaining_quantities",
    "write_issues_csv",
    "write_matches_csv",
    "write_matches_json",
]
