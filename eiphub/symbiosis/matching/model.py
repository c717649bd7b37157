"""Public data classes of the matcher: listings in, matches out, parameters, file errors."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING

from eiphub.core.errors import LocatedError

if TYPE_CHECKING:
    from .explain import Explainer as _Explainer

# --------------------------------------------------------------------------
# Data classes (public API)
# --------------------------------------------------------------------------


@dataclass
class Listing:
    """One offer or want.  ``quantity`` is per year (one-off lots: the lot) in
    ``unit``, the catalogue's canonical unit when the resource is resolved.
    For offers ``licences`` are licences the receiver must hold; for wants the
    licences the receiver holds.  ``quality``: measured values for offers
    (``{"moisture_pct": 12}``), limits for wants (``{"moisture_pct_max": 15,
    "purity_pct_min": 95}``)."""

    id: str
    enterprise: str
    park: str
    kind: str
    resource: str
    resource_text: str
    quantity: float
    unit: str
    lat: float | None = None
    lon: float | None = None
    hazardous: bool = False
    temperature_c: float | None = None
    price_vnd_per_unit: float | None = None
    available_from: date | None = None
    available_to: date | None = None
    licences: frozenset[str] = frozenset()
    quality: dict = field(default_factory=dict)
    recurring: bool = True
    industry: str = ""


@dataclass(slots=True, init=False)
class Match:
    """One candidate exchange.  ``explanation`` and ``explanation_vi`` (English
    and Vietnamese) are formatted on first access: a national run yields
    hundreds of thousands of matches and most explanations are never read."""

    offer_id: str
    want_id: str
    score: float
    rank: int
    distance_km: float | None
    matched_quantity: float
    unit: str
    pathway: str
    benefit_vnd_per_year: float
    co2e_t_per_year: float
    landfill_diverted_t_per_year: float
    water_saved_m3_per_year: float
    transport_cost_vnd_per_year: float
    offer_enterprise: str
    want_enterprise: str
    offer_park: str
    want_park: str
    coverage: float
    offer_resource: str
    want_resource: str
    quality_verified: bool
    _explainer: _Explainer | None = field(repr=False, compare=False)
    _row: int = field(repr=False, compare=False)  # the explainer's row for this match
    _text: tuple[str, str] | None = field(repr=False, compare=False)
    _facts: tuple | None = field(repr=False, compare=False)

    def __init__(
        self,
        offer_id: str,
        want_id: str,
        score: float,
        rank: int,
        distance_km: float | None,
        matched_quantity: float,
        unit: str,
        pathway: str,
        benefit_vnd_per_year: float,
        co2e_t_per_year: float,
        landfill_diverted_t_per_year: float,
        water_saved_m3_per_year: float,
        transport_cost_vnd_per_year: float,
        explanation: str | None,
        explanation_vi: str | None,
        offer_enterprise: str,
        want_enterprise: str,
        offer_park: str,
        want_park: str,
        coverage: float = 0.0,
        offer_resource: str = "",
        want_resource: str = "",
        quality_verified: bool = True,
        explainer: _Explainer | None = None,
        row: int = 0,
    ):
        self.offer_id = offer_id
        self.want_id = want_id
        self.score = score
        self.rank = rank
        self.distance_km = distance_km
        self.matched_quantity = matched_quantity
        self.unit = unit
        self.pathway = pathway
        self.benefit_vnd_per_year = benefit_vnd_per_year
        self.co2e_t_per_year = co2e_t_per_year
        self.landfill_diverted_t_per_year = landfill_diverted_t_per_year
        self.water_saved_m3_per_year = water_saved_m3_per_year
        self.transport_cost_vnd_per_year = transport_cost_vnd_per_year
        self.offer_enterprise = offer_enterprise
        self.want_enterprise = want_enterprise
        self.offer_park = offer_park
        self.want_park = want_park
        self.coverage = coverage
        self.offer_resource = offer_resource
        self.want_resource = want_resource
        self.quality_verified = quality_verified
        self._explainer, self._row = explainer, row
        given = explanation is not None or explanation_vi is not None
        lazy = explainer is not None and not given
        self._text = None if lazy else (explanation or "", explanation_vi or "")
        self._facts = None if explainer is not None else ()

    @property
    def facts(self) -> tuple:
        """The explanation as structured facts (:class:`~.explain.Fact`: a code and
        parameters such as ``distance_km``, ``share_of_want``, ``pathway``); the web
        layer phrases them (:func:`~.explain.render` gives the default wording)."""
        if self._facts is None:
            return self._explainer.facts(self)
        return self._facts

    def _texts(self) -> tuple[str, str]:
        # formatted on each access and not kept: a national run holds ~10^6 matches and
        # two kept texts each would double the memory (the explainer caches the parts
        # shared by many matches, so formatting one costs a few microseconds)
        if self._text is None:
            return self._explainer.texts(self)
        return self._text

    def explanations(self) -> tuple[str, str]:
        """(English, Vietnamese) in one formatting pass (each property formats both)."""
        return self._texts()

    @property
    def explanation(self) -> str:
        return self._texts()[0]

    @explanation.setter
    def explanation(self, value: str) -> None:
        self._text = (value, self._texts()[1])

    @property
    def explanation_vi(self) -> str:
        return self._texts()[1]

    @explanation_vi.setter
    def explanation_vi(self, value: str) -> None:
        self._text = (self._texts()[0], value)

    def __getstate__(self):  # pickle and copy: format the texts, drop the explainer
        self._text, self._facts = self._texts(), self.facts
        return [None if f.name == "_explainer" else getattr(self, f.name) for f in fields(self)]

    def __setstate__(self, state):
        for f, value in zip(fields(self), state, strict=True):
            object.__setattr__(self, f.name, value)


@dataclass
class MatchParams:
    # road km; None = the per-resource limits of core/data/transport_limits.yaml,
    # a number overrides them for every resource (a pathway's own limit still applies)
    max_distance_km: float | None = None
    road_factor: float = 1.3  # road km per great-circle km
    transport_vnd_per_tkm: float | None = None  # overrides the data default for mass resources
    min_score: float = 0.0
    min_coverage: float = 0.0  # share of the want that must be covered
    same_enterprise: bool = False  # allow offers and wants of the same enterprise
    candidates_per_link: int = 5  # nearest eligible wants per offer, wanted resource and pathway
    max_matches_per_offer: int | None = 5  # None = all candidates
    distance_scale_km: float = 30.0  # distance at which the distance factor halves
    intra_park_km: float = 1.0  # assumed distance inside a park without coordinates
    heat_approach_k: float = 10.0  # heat source must exceed the wanted temperature by this
    truck_co2e_t_per_tkm: float = 0.0001  # road freight, subtracted from CO2e avoided


class ListingFileError(LocatedError, ValueError):
    """A bad listings file or row.  ``code``: missing_file, bad_encoding, empty_file,
    missing_column (the file); missing_value, bad_kind, bad_number, not_positive,
    bad_unit, bad_period, bad_date, date_order, bad_coordinate, half_coordinate,
    bad_flag, bad_quality, duplicate_id (a row).  The message names file, row,
    column; ``params`` hold the values for phrasing."""
