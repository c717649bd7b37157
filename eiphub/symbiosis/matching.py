"""Symbiosis matching engine (framework-free).

Offers (wastes, by-products, surplus energy and water, spare capacity) are
matched with wants (inputs sought) in three ways:

* direct: the same catalogue resource, or one is a sub-category of the other;
* pathway: the knowledge base (``data/pathways.yaml``) says the offered
  resource can replace the wanted input (fly ash -> cement, steam -> process
  heat, treated wastewater -> cooling-tower make-up, ...);
* text: neither side resolves to the catalogue but both describe the resource
  with the same words.

Candidate generation is indexed, never all pairs: offers are grouped by
resource, the resource index (catalogue hierarchy + pathways) names the
wanted resources they can serve, and a multi-level geographic grid finds the
``candidates_per_link`` nearest eligible wants of each such resource within
the distance limit (each offer stops searching as soon as its nearest wants
are certain).  Scoring, ranking and the final sorts are numpy array
operations; Match objects are built column by column at the end.
:func:`match_brute_force` enumerates all pairs with the same semantics; tests
prove both return the same matches.

Every match is scored (0..1) and explained in English and Vietnamese (the
texts are formatted on first access to ``explanation``), with
yearly benefit estimates: VND (avoided disposal + avoided purchase - transport
- processing), tCO2e avoided, tonnes diverted from landfill and m3 of water
saved.  Default prices and factors come from the pathway file and are
indicative (marked ``verify`` there).
"""

from __future__ import annotations

import csv
import gc
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from eiphub.core.catalogue import Catalogue, Resource, default_catalogue, fold
from eiphub.core.units import UnitError, compatible, convert, parse_unit

from .pathways import Pathway, PathwaySet, default_pathways

EARTH_RADIUS_KM = 6371.0088
HAZARDOUS_LICENCE = "hazardous_waste"
TEXT_PREFIX = "text:"
# Pairs per group below which the geographic grid is skipped (all pairs of a
# small group are cheaper than the grid).  Tests set it to 0 to force the grid.
DENSE_PAIRS = 4096
GRID_CELL_DEG = 0.005  # finest grid cell, about 550 m
RINGS_PER_LEVEL = 4  # rings searched at a grid level before the offer moves to coarser cells


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

    def _texts(self) -> tuple[str, str]:
        if self._text is None:
            self._text = self._explainer.texts(self)
        return self._text

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
        self._texts()
        return [None if f.name == "_explainer" else getattr(self, f.name) for f in fields(self)]

    def __setstate__(self, state):
        for f, value in zip(fields(self), state, strict=True):
            object.__setattr__(self, f.name, value)


@dataclass
class MatchParams:
    max_distance_km: float = 150.0  # road distance
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


class ListingFileError(ValueError):
    """A bad listings file.  ``code``: missing_file, bad_encoding, empty_file,
    missing_column, bad_value, bad_kind, bad_number, bad_unit, bad_period,
    bad_date, bad_coordinate, duplicate_id.  The message names file, row, column."""

    def __init__(self, code: str, message: str, *, file=None, row=None, column=None, **params):
        where = ", ".join(
            x
            for x in (
                str(file) if file else "",
                f"row {row}" if row is not None else "",
                f"column '{column}'" if column else "",
            )
            if x
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.code = code
        self.file = str(file) if file else None
        self.row = row
        self.column = column
        self.params = params


# --------------------------------------------------------------------------
# Resource resolution (Vietnamese / English free text)
# --------------------------------------------------------------------------

_STOP = {"from", "of", "the", "and", "for", "tu", "cua", "va", "cho", "loai", "type", "grade"}


def _stem(token: str) -> str:
    return (
        token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token
    )


@lru_cache(maxsize=8)
def _labels(catalogue: Catalogue) -> tuple[dict[str, str], list[tuple]]:
    exact: dict[str, str] = {}
    tokens = []
    for r in catalogue:
        for label in (r.code, r.name_vi, r.name_en, *r.synonyms):
            key = fold(label)
            if len(key) < 2:
                continue
            exact.setdefault(key, r.code)
            toks = frozenset(_stem(t) for t in key.split() if t not in _STOP)
            if toks and len(key) >= 3:
                tokens.append((toks, len(key), r.code, key))
    return exact, tokens


def resolve_resource(text: str, catalogue: Catalogue | None = None) -> Resource | None:
    """Resolve a code or a Vietnamese/English description to a catalogue resource.

    Exact code, name or synonym first (case and diacritics ignored), then the
    catalogue label with the most words all present in the text (in any order;
    ties: a label appearing as a phrase, then the longer label) ("coal fly ash from boiler" -> fly ash, "gypsum from
    FGD" -> FGD gypsum, "CO2 from fermentation" -> captured CO2).  Returns None
    when nothing fits."""
    catalogue = catalogue or default_catalogue()
    text = (text or "").strip()
    if not text:
        return None
    if text in catalogue:
        return catalogue[text]
    exact, tokens = _labels(catalogue)
    key = fold(text)
    if key in exact:
        return catalogue[exact[key]]
    words = {_stem(t) for t in key.split() if t not in _STOP}
    padded = f" {key} "
    best, best_key = None, (0, False, 0)
    for toks, length, code, label in tokens:
        if toks <= words:
            rank = (len(toks), f" {label} " in padded, length)
            if rank > best_key:
                best, best_key = code, rank
    return catalogue[best] if best else None


_TEMP_RE = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*(?:°\s*c|º\s*c|°|độ\s*c|do\s*c|deg\s*c|oc)(?![a-z])")
_PRESSURE_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(bar|barg|atm|mpa|kg/cm2)(?![a-z])")
_PRESSURE_FACTOR = {"bar": 1.0, "barg": 1.0, "atm": 1.01325, "mpa": 10.0, "kg/cm2": 0.980665}


def parse_conditions(text: str) -> dict:
    """Temperature (°C) and pressure (bar) stated in a free-text resource."""
    low = (text or "").lower()
    out = {}
    m = _TEMP_RE.search(low)
    if m:
        out["temperature_c"] = float(m.group(1).replace(",", "."))
    m = _PRESSURE_RE.search(low)
    if m:
        out["pressure_bar"] = float(m.group(1).replace(",", ".")) * _PRESSURE_FACTOR[m.group(2)]
    return out


_LICENCE_ALIASES = {
    "ctnh": HAZARDOUS_LICENCE,
    "hazardous": HAZARDOUS_LICENCE,
    "hazardous waste": HAZARDOUS_LICENCE,
    "hazardous waste licence": HAZARDOUS_LICENCE,
    "hazardous waste license": HAZARDOUS_LICENCE,
    "hw": HAZARDOUS_LICENCE,
    "chat thai nguy hai": HAZARDOUS_LICENCE,
    "giay phep ctnh": HAZARDOUS_LICENCE,
    "xu ly ctnh": HAZARDOUS_LICENCE,
}


def normalise_licence(text: str) -> str:
    key = fold(text)
    return _LICENCE_ALIASES.get(key, key.replace(" ", "_"))


# --------------------------------------------------------------------------
# Reading listings
# --------------------------------------------------------------------------

REQUIRED_COLUMNS = (
    "listing_id",
    "enterprise",
    "park",
    "kind",
    "resource",
    "quantity",
    "unit",
    "period",
    "latitude",
    "longitude",
)
OPTIONAL_COLUMNS = (
    "hazardous",
    "temperature_c",
    "pressure_bar",
    "price_vnd_per_unit",
    "available_from",
    "available_to",
    "licences",
    "quality",
    "industry",
)
_KINDS = {
    "offer": "offer",
    "available": "offer",
    "supply": "offer",
    "cung": "offer",
    "ban": "offer",
    "want": "want",
    "wanted": "want",
    "demand": "want",
    "cau": "want",
    "can": "want",
    "mua": "want",
}
_PERIODS = {
    "year": 1.0,
    "yearly": 1.0,
    "annual": 1.0,
    "y": 1.0,
    "nam": 1.0,
    "month": 12.0,
    "monthly": 12.0,
    "m": 12.0,
    "thang": 12.0,
    "week": 52.0,
    "weekly": 52.0,
    "tuan": 52.0,
    "day": 365.0,
    "daily": 365.0,
    "ngay": 365.0,
    "once": None,
    "one off": None,
    "oneoff": None,
    "lot": None,
    "mot lan": None,
    "lan": None,
}
_TRUE = {"1", "true", "yes", "y", "x", "co", "hazardous"}
_FALSE = {"0", "false", "no", "n", "khong", ""}


def _number(text: str, err) -> float | None:
    s = (text or "").strip().replace(" ", "").replace("_", "")
    if not s:
        return None
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        raise err("bad_number", f"not a number: {text!r}")
    if not math.isfinite(value):
        raise err("bad_number", f"not a finite number: {text!r}")
    return value


def _date(text: str, err) -> date | None:
    s = (text or "").strip()
    if not s:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    raise err("bad_date", f"not a date (use YYYY-MM-DD): {text!r}")


def _quality(text: str, err) -> dict:
    out = {}
    for part in re.split(r"[;|]", text or ""):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z_][\w]*)\s*(<=|>=|=|<|>)\s*(-?[\d.,]+)", part)
        if not m:
            raise err(
                "bad_value", f"quality must look like 'moisture_pct<=15; purity_pct>=95': {part!r}"
            )
        key, op, value = m.group(1).lower(), m.group(2), _number(m.group(3), err)
        suffix = {"<=": "_max", "<": "_max", ">=": "_min", ">": "_min", "=": ""}[op]
        out[key + suffix] = value
    return out


def read_listings_csv(
    path: str | Path, catalogue: Catalogue | None = None
) -> tuple[list[Listing], list[str]]:
    """Read listings from a CSV file (UTF-8, comma or semicolon separated).

    Returns the listings and warnings (unresolved resources, missing
    coordinates, ignored columns).  Raises :class:`ListingFileError` naming the
    file, row (header = row 1) and column of the first bad value."""
    catalogue = catalogue or default_catalogue()
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ListingFileError("missing_file", "file not found", file=name)
    except UnicodeDecodeError:
        raise ListingFileError("bad_encoding", "file is not UTF-8 text", file=name)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ListingFileError("empty_file", "the file is empty", file=name)
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [fold(h).replace(" ", "_") for h in next(reader)]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ListingFileError(
            "missing_column", f"missing required column(s): {', '.join(missing)}", file=name, row=1
        )
    warnings = [
        f"{name}: column '{h}' ignored"
        for h in header
        if h and h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    ]
    listings: list[Listing] = []
    seen: dict[str, int] = {}
    for rownum, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        row = {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header)}

        def err_for(column, _row=rownum):
            def err(err_code, message, **params):
                return ListingFileError(
                    err_code, message, file=name, row=_row, column=column, **params
                )

            return err

        def need(column, _r=row):
            if not _r.get(column):
                raise err_for(column)("bad_value", "a value is required")
            return _r[column]

        lid = need("listing_id")
        if lid in seen:
            raise err_for("listing_id")(
                "duplicate_id", f"listing_id {lid!r} already used on row {seen[lid]}"
            )
        seen[lid] = rownum
        kind = _KINDS.get(fold(need("kind")))
        if kind is None:
            raise err_for("kind")(
                "bad_kind", f"kind must be 'offer' or 'want', got {row['kind']!r}"
            )
        resource_text = need("resource")
        qty = _number(need("quantity"), err_for("quantity"))
        if qty <= 0:
            raise err_for("quantity")("bad_number", "quantity must be positive")
        period_key = fold(need("period"))
        if period_key not in _PERIODS:
            raise err_for("period")(
                "bad_period", f"period must be year, month or once, got {row['period']!r}"
            )
        factor = _PERIODS[period_key]
        recurring = factor is not None
        qty *= factor or 1.0
        unit_text = need("unit")
        res = resolve_resource(resource_text, catalogue)
        unit_factor = 1.0  # canonical units per unit given
        if res is not None and res.unit:
            try:
                unit_factor = catalogue.to_canonical(res.code, 1.0, unit_text)
                qty *= unit_factor
            except UnitError as exc:
                raise err_for("unit")(
                    "bad_unit", f"{exc} (resource {res.code} is measured in {res.unit})"
                )
            unit = res.unit
            code = res.code
        else:
            try:
                unit = f"{parse_unit(unit_text):~}"
            except UnitError as exc:
                raise err_for("unit")("bad_unit", str(exc))
            code = res.code if res is not None else ""
            if res is None:
                warnings.append(
                    f"{name}, row {rownum}: resource {resource_text!r} not found in the catalogue; "
                    "matched only with listings describing it the same way"
                )
        lat = _number(row.get("latitude", ""), err_for("latitude"))
        lon = _number(row.get("longitude", ""), err_for("longitude"))
        if (lat is None) != (lon is None):
            col = "longitude" if lon is None else "latitude"
            raise err_for(col)("bad_coordinate", "give both latitude and longitude, or neither")
        if lat is not None and not (-90 <= lat <= 90):
            raise err_for("latitude")("bad_coordinate", f"latitude {lat} outside -90..90")
        if lon is not None and not (-180 <= lon <= 180):
            raise err_for("longitude")("bad_coordinate", f"longitude {lon} outside -180..180")
        if lat is None:
            warnings.append(
                f"{name}, row {rownum}: no coordinates; matched only inside park {row['park']!r}"
            )
        hz = fold(row.get("hazardous", ""))
        if hz in _TRUE:
            hazardous = True
        elif hz in _FALSE:
            hazardous = bool(res and res.hazardous)
        else:
            raise err_for("hazardous")(
                "bad_value", f"hazardous must be yes or no, got {row['hazardous']!r}"
            )
        cond = parse_conditions(resource_text)
        temp = _number(row.get("temperature_c", ""), err_for("temperature_c"))
        if temp is None:
            temp = cond.get("temperature_c")
        quality = _quality(row.get("quality", ""), err_for("quality"))
        pressure = _number(row.get("pressure_bar", ""), err_for("pressure_bar"))
        if pressure is None:
            pressure = cond.get("pressure_bar")
        if pressure is not None:
            quality.setdefault("pressure_bar" if kind == "offer" else "pressure_bar_min", pressure)
        if kind == "offer":  # an offer states values, not limits
            quality = {re.sub(r"_(max|min)$", "", k): v for k, v in quality.items()}
        price = _number(row.get("price_vnd_per_unit", ""), err_for("price_vnd_per_unit"))
        af = _date(row.get("available_from", ""), err_for("available_from"))
        at = _date(row.get("available_to", ""), err_for("available_to"))
        if af and at and af > at:
            raise err_for("available_to")("bad_date", "available_to is before available_from")
        licences = frozenset(
            normalise_licence(x) for x in re.split(r"[;,|]", row.get("licences", "")) if x.strip()
        )
        listings.append(
            Listing(
                id=lid,
                enterprise=row.get("enterprise", ""),
                park=row.get("park", ""),
                kind=kind,
                resource=code,
                resource_text=resource_text,
                quantity=qty,
                unit=unit,
                lat=lat,
                lon=lon,
                hazardous=hazardous,
                temperature_c=temp,
                price_vnd_per_unit=None if price is None else price / unit_factor,
                available_from=af,
                available_to=at,
                licences=licences,
                quality=quality,
                recurring=recurring,
                industry=row.get("industry", ""),
            )
        )
    if not listings:
        raise ListingFileError("empty_file", "no listings in the file", file=name)
    return listings, warnings


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------


def road_km(lat1, lon1, lat2, lon2, road_factor: float, cos1=None, cos2=None) -> np.ndarray:
    """Great-circle distance x road factor, in km, rounded to 1 m (arrays).
    ``cos1``, ``cos2``: the cosines of the latitudes when already known."""
    p = math.pi / 180.0
    lat1, lon1, lat2, lon2 = (np.asarray(x, dtype=float) for x in (lat1, lon1, lat2, lon2))
    cos1 = np.cos(lat1 * p) if cos1 is None else cos1
    cos2 = np.cos(lat2 * p) if cos2 is None else cos2
    shape = np.broadcast_shapes(*(np.shape(x) for x in (lat1, lon1, lat2, lon2, cos1, cos2)))
    if shape == ():  # scalars
        return road_km(*(np.reshape(x, 1) for x in (lat1, lon1, lat2, lon2)), road_factor)[0]
    # sin((lat2 - lat1) p / 2)^2 + cos1 cos2 sin((lon2 - lon1) p / 2)^2, in place (large arrays)
    a = np.subtract(lat2, lat1)
    b = np.subtract(lon2, lon1)
    for x in (a, b):
        x *= p
        x /= 2
        np.sin(x, out=x)
        np.square(x, out=x)
    b *= np.multiply(cos1, cos2)
    a += b
    np.minimum(a, 1.0, out=a)
    np.sqrt(a, out=a)
    np.arcsin(a, out=a)
    a *= 2 * EARTH_RADIUS_KM
    a *= road_factor
    return np.round(a, 3, out=a)


def _topk(oi: np.ndarray, wi: np.ndarray, d: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k first pairs per offer ordered by (distance, want index)."""
    if len(oi) == 0:
        return np.zeros(0, np.int64)
    dm = np.rint(d * 1000)  # distances are rounded to the metre
    if oi.max() < 2**20 and wi.max() < 2**19 and dm.max() < 2**25:
        key = (
            (oi.astype(np.uint64) << np.uint64(44))
            | (dm.astype(np.uint64) << np.uint64(19))
            | wi.astype(np.uint64)
        )
        order = np.argsort(key)  # one integer sort instead of a three-key lexsort
    else:
        order = np.lexsort((wi, d, oi))
    so = oi[order]
    first = _starts(so)
    start = np.maximum.accumulate(np.where(first, np.arange(len(so)), 0))
    return order[(np.arange(len(so)) - start) < k]


def _starts(x: np.ndarray) -> np.ndarray:
    """True where a run of equal values begins (``x`` grouped)."""
    out = np.empty(len(x), bool)
    out[:1] = True
    np.not_equal(x[1:], x[:-1], out=out[1:])
    return out


def _ordinal(x: np.ndarray) -> np.ndarray:
    """Non-negative integers ordered and tied exactly like the float array ``x``."""
    if len(x) == 0:
        return np.zeros(0, np.int64)
    for scale in (1e3, 1e6):  # distances in metres, scores in millionths
        y = np.rint(x * scale)
        if np.abs(y).max() < 2**40 and np.array_equal(y / scale, x):
            return (y - y.min()).astype(np.int64)
    return np.unique(x, return_inverse=True)[1].reshape(-1)


def _lexsort(keys) -> np.ndarray:
    """``np.lexsort(keys)`` (last key primary, stable) for non-negative integer
    keys, as a few value sorts of keys packed with the row index into uint64
    (sorting values is several times faster than sorting indices by key); the
    keys packed in one pass are replaced by their rank for the next pass."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, np.int64)
    ib = max(1, (n - 1).bit_length())
    width = 64 - 2 * ib  # a rank and the row index leave this many bits for the next key
    if width < 1:
        return np.lexsort(keys)
    parts = []
    for k in keys:  # split keys wider than that into chunks, least significant first
        k = np.asarray(k, np.int64)
        b = int(k.max()).bit_length()
        while b > width:
            parts.append((k & ((1 << width) - 1), width))
            k, b = k >> width, b - width
        parts.append((k, b))
    keys, bits = [k for k, _ in parts], [b for _, b in parts]
    while True:
        total, j = ib, 0
        while j < len(keys) and total + bits[j] <= 64:
            total += bits[j]
            j += 1
        packed = np.arange(n, dtype=np.uint64)
        shift = ib
        for k, b in zip(keys[:j], bits[:j], strict=True):
            packed |= k.astype(np.uint64) << np.uint64(shift)
            shift += b
        packed.sort()
        order = (packed & np.uint64((1 << ib) - 1)).astype(np.int64)
        if j == len(keys):
            return order
        comp = packed >> np.uint64(ib)
        rank = np.empty(n, np.int64)
        rank[order] = np.cumsum(_starts(comp)) - 1
        keys = [rank, *keys[j:]]
        bits = [int(rank[order[-1]]).bit_length(), *bits[j:]]


def _ring(r: int) -> tuple[np.ndarray, np.ndarray]:
    if r == 0:
        return np.zeros(1, np.int64), np.zeros(1, np.int64)
    span = np.arange(-r, r + 1)
    side = np.arange(-r + 1, r)
    dy = np.concatenate([np.full(len(span), -r), np.full(len(span), r), side, side])
    dx = np.concatenate([span, span, np.full(len(side), -r), np.full(len(side), r)])
    return dy.astype(np.int64), dx.astype(np.int64)


class _Grid:
    """Points (listing indices, ascending) bucketed by square lat/lon cells; one
    bucketing per cell size, cached, with the coordinates in cell order."""

    def __init__(self, ids: np.ndarray, lat: np.ndarray, lon: np.ndarray, cos: np.ndarray):
        self.ids, self.lat, self.lon, self.cos = ids, lat, lon, cos
        self._levels: dict[float, tuple] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def level(self, cell: float) -> tuple:
        """(sorted cell keys, first point and count per key, points in key order, bounds)."""
        if cell not in self._levels:
            wy = np.floor(self.lat / cell).astype(np.int64)
            wx = np.floor(self.lon / cell).astype(np.int64)
            key = (wy << 32) + wx
            order = np.argsort(key, kind="stable")
            ukeys, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
            points = tuple(x[order] for x in (self.ids, self.lat, self.lon, self.cos))
            bounds = (wy.min(), wy.max(), wx.min(), wx.max())
            self._levels[cell] = (ukeys, starts, counts, points, bounds)
        return self._levels[cell]


def _knn(oids, olat, olon, ocos, grid: _Grid, k, max_km, road_factor, ok):
    """Up to ``k`` nearest points of ``grid`` per offer within ``max_km`` (road)
    that pass ``ok(offer_ids, want_ids)``; ties broken by want index.  Exact,
    via a multi-level grid searched ring by ring: an offer stops as soon as it
    has ``k`` eligible wants closer than any want in the rings not yet
    searched.  Returns (offer ids, want ids, road km)."""
    P, Q = len(oids), len(grid)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if P == 0 or Q == 0:
        return empty
    if P * Q <= DENSE_PAIRS:
        o = np.repeat(np.arange(P), Q)
        w = np.tile(np.arange(Q), P)
        d = road_km(olat[o], olon[o], grid.lat[w], grid.lon[w], road_factor, ocos[o], grid.cos[w])
        o, w = oids[o], grid.ids[w]
        m = (d <= max_km) & ok(o, w)
        return _nearest(o[m], w[m], d[m], k)
    lat_max = min(89.0, float(max(np.abs(olat).max(), np.abs(grid.lat).max())))
    cosm = math.cos(math.radians(lat_max))
    gc_max = max_km / road_factor
    deg_needed = math.degrees(gc_max / EARTH_RADIUS_KM) / max(cosm, 1e-6)
    levels = [GRID_CELL_DEG]  # fine cells first; offers short of k wants move to coarser ones
    while levels[-1] < deg_needed and len(levels) < 8:
        levels.append(levels[-1] * 4)

    def lower_bound(r, cell):  # road km to any want in rings >= r
        if r <= 1:
            return 0.0
        gap = math.radians((r - 1) * cell)
        s = min(1.0, cosm * math.sin(min(gap, math.pi) / 2))
        return 2 * EARTH_RADIUS_KM * math.asin(s) * road_factor - 0.01

    out = []
    pending = np.arange(P)  # offers (positions) not yet served
    for level, cell in enumerate(levels):
        last = level == len(levels) - 1
        ukeys, starts, counts, (wid, wlat, wlon, wcos), (ymin, ymax, xmin, xmax) = grid.level(cell)
        oy = np.floor(olat[pending] / cell).astype(np.int64)
        ox = np.floor(olon[pending] / cell).astype(np.int64)
        okey = (oy << 32) + ox
        by_cell = np.argsort(okey, kind="stable")  # offers of a cell share the cell lookups
        pending, oy, ox, okey = pending[by_cell], oy[by_cell], ox[by_cell], okey[by_cell]
        plat, plon, pcos, pid = olat[pending], olon[pending], ocos[pending], oids[pending]
        reach = np.maximum.reduce(
            [np.abs(oy - ymin), np.abs(oy - ymax), np.abs(ox - xmin), np.abs(ox - xmax)]
        )
        act = np.arange(len(pending))  # positions in pending still searching, by cell
        done = np.zeros(len(pending), bool)
        bound = np.full(len(pending), np.inf)  # the k nearest are closer than this
        co, cw, cd = [], [], []  # eligible candidates: position in pending, want id, km
        r = 0
        while len(act):
            dy, dx = _ring(r)
            ck = okey[act]
            gs = np.flatnonzero(_starts(ck))  # cells: first active offer
            gn = np.diff(gs, append=len(act))  # and number of active offers
            # ring cell by offer cell: each row of keys is sorted (faster search)
            qk = (((oy[act[gs]] + dy[:, None]) << 32) + (ox[act[gs]] + dx[:, None])).ravel()
            pos = np.minimum(np.searchsorted(ukeys, qk), len(ukeys) - 1)
            hit = ukeys[pos] == qk
            if hit.any():
                hg = np.tile(np.arange(len(gs)), len(dy))[hit]  # offer cell of each hit
                cnt, first = counts[pos[hit]], starts[pos[hit]]
                # one row per (hit, offer of its cell), then one pair per want of the hit cell
                nrow = gn[hg]
                rends = np.cumsum(nrow)
                row_o = act[np.arange(rends[-1]) + np.repeat(gs[hg] - rends + nrow, nrow)]
                row_cnt = np.repeat(cnt, nrow)
                ends = np.cumsum(row_cnt)
                o = np.repeat(row_o, row_cnt)
                w = np.arange(ends[-1]) + np.repeat(
                    np.repeat(first, nrow) - ends + row_cnt, row_cnt
                )
                d = road_km(plat[o], plon[o], wlat[w], wlon[w], road_factor, pcos[o], wcos[w])
                w = wid[w]
                m = (d <= max_km) & ok(pid[o], w)
                co.append(o[m])
                cw.append(w[m])
                cd.append(d[m])
            r += 1
            lb = lower_bound(r, cell)
            fin = (r > reach[act]) | (lb > max_km)
            if lb > 0:
                near = np.zeros(len(pending), np.int64)  # eligible wants closer than any unseen
                for a, b in zip(co, cd, strict=True):
                    near += np.bincount(a[b < lb], minlength=len(pending))
                enough = near[act] >= k
                bound[act[enough]] = lb
                fin |= enough
            done[act[fin]] = True
            act = act[~fin]
            if not last and r >= RINGS_PER_LEVEL:
                break
        if co:
            o, w, d = np.concatenate(co), np.concatenate(cw), np.concatenate(cd)
            sel = done[o] & (d < bound[o])
            out.append(_nearest(pid[o[sel]], w[sel], d[sel], k))
        pending = pending[~done]
        if len(pending) == 0:
            break
    if not out:
        return empty
    return tuple(np.concatenate(x) for x in zip(*out, strict=True))


def _nearest(oi: np.ndarray, wi: np.ndarray, d: np.ndarray, k: int) -> tuple:
    """The k first (offer, want, km) per offer by (km, want), for distinct
    (offer, want) pairs with distances in whole metres: one sort of packed
    values (no index sort) when they fit in 64 bits."""
    if len(oi) == 0:
        return oi, wi, d
    dm = np.rint(d * 1000)
    ob, db, wb = (int(x.max()).bit_length() for x in (oi, dm, wi))
    if ob + db + wb > 64 or dm.min() < 0 or not np.array_equal(dm / 1000, d):
        keep = _topk(oi, wi, d, k)
        return oi[keep], wi[keep], d[keep]
    key = (
        (oi.astype(np.uint64) << np.uint64(db + wb))
        | (dm.astype(np.uint64) << np.uint64(wb))
        | wi.astype(np.uint64)
    )
    key.sort()
    so = (key >> np.uint64(db + wb)).astype(np.int64)
    first = _starts(so)
    start = np.maximum.accumulate(np.where(first, np.arange(len(so)), 0))
    key = key[(np.arange(len(so)) - start) < k]
    mask = lambda b: np.uint64((1 << b) - 1)  # noqa: E731
    return (
        (key >> np.uint64(db + wb)).astype(np.int64),
        (key & mask(wb)).astype(np.int64),
        ((key >> np.uint64(wb)) & mask(db)).astype(np.float64) / 1000,
    )


# --------------------------------------------------------------------------
# Links: how an offered resource can serve a wanted resource
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    id: int
    order: int  # 0 = direct or text, i + 1 = i-th pathway of the file (tie-break)
    kind: str  # direct | pathway | text
    offer_code: str
    want_code: str
    pathway: Pathway | None
    relation: str  # same | narrower | broader | text
    sem: float  # semantic confidence 0..1
    ratio: float  # want units covered per offer unit
    max_share: float
    max_km: float
    licence: str
    processing: float  # VND per offer unit
    purchase: float  # VND per want unit (default)
    disposal: float  # VND per offer unit (default)
    transport: float  # VND per offer unit and km
    co2: float  # tCO2e per offer unit
    truck_t: float  # t per offer unit moved by road
    landfill_t: float  # t diverted per offer unit
    water_offer: float  # m3 saved per offer unit
    water_covered: float  # m3 saved per want unit covered
    heat_want: bool  # the want's temperature is a supply-temperature requirement


def _depth(code: str) -> int:
    return code.count(".") + 1


def _mass_t(unit: str | None, density: float | None) -> float:
    if not unit:
        return 0.0
    try:
        return convert(1.0, unit, "t", density_kg_per_m3=density)
    except UnitError:
        return 0.0


class _Links:
    """Builds and caches links between resource keys (catalogue codes or text keys)."""

    def __init__(self, catalogue: Catalogue, pathways: PathwaySet, params: MatchParams):
        self.cat = catalogue
        self.ps = pathways
        self.params = params
        self.links: list[_Link] = []
        self._cache: dict[tuple, _Link | None] = {}
        self._pair: dict[tuple[str, str], list[_Link]] = {}
        self.text_units: dict[str, str] = {}
        self._pw_index: dict[str, list[int]] | None = None

    # -- relations (the semantics both matchers share) --
    def related_direct(self, a: str, b: str) -> bool:
        return a == b or self.cat.is_a(a, b) or (_depth(a) >= 2 and self.cat.is_a(b, a))

    def related_to(self, b: str, t: str) -> bool:
        return self.cat.is_a(b, t) or (_depth(b) >= 2 and self.cat.is_a(t, b))

    # -- brute-force derivation: scan everything --
    def pair_links(self, a: str, b: str) -> list[_Link]:
        key = (a, b)
        if key not in self._pair:
            out = []
            if a.startswith(TEXT_PREFIX) or b.startswith(TEXT_PREFIX):
                if a == b:
                    out.append(self.make(a, b, None))
            else:
                if self.related_direct(a, b):
                    out.append(self.make(a, b, None))
                for p in self.ps:
                    if any(self.cat.is_a(a, f) for f in p.from_codes) and any(
                        self.related_to(b, t) for t in p.to_codes
                    ):
                        out.append(self.make(a, b, p))
            self._pair[key] = [x for x in out if x is not None]
        return self._pair[key]

    # -- indexed derivation: walk the hierarchy from the offer --
    def _pathways_from(self, a: str) -> list[int]:
        if self._pw_index is None:
            idx: dict[str, list[int]] = defaultdict(list)
            for i, p in enumerate(self.ps.pathways):
                covered = set()
                for f in p.from_codes:
                    covered.update([f, *self.cat.descendants(f)])
                for c in covered:
                    idx[c].append(i)
            self._pw_index = {c: sorted(v) for c, v in idx.items()}
        return self._pw_index.get(a, [])

    def targets(self, a: str, want_codes) -> list[_Link]:
        out: list[_Link] = []
        if a.startswith(TEXT_PREFIX):
            link = self.make(a, a, None) if a in want_codes else None
            return [link] if link else []
        if a not in self.cat:
            return out
        direct = [a, *self.cat.ancestors(a)]
        if _depth(a) >= 2:
            direct += self.cat.descendants(a)
        for b in dict.fromkeys(direct):
            if b in want_codes:
                link = self.make(a, b, None)
                if link:
                    out.append(link)
        for i in self._pathways_from(a):
            p = self.ps.pathways[i]
            seen = set()
            for t in p.to_codes:
                up = [x for x in self.cat.ancestors(t) if _depth(x) >= 2]
                for b in (t, *self.cat.descendants(t), *up):
                    if b in want_codes and b not in seen:
                        seen.add(b)
                        link = self.make(a, b, p)
                        if link:
                            out.append(link)
        return out

    # -- link construction --
    def make(self, a: str, b: str, p: Pathway | None) -> _Link | None:
        key = (a, b, p.id if p else "")
        if key not in self._cache:
            link = self._build(a, b, p)
            if link is not None:
                link = _Link(id=len(self.links), **link)
                self.links.append(link)
            self._cache[key] = link
        return self._cache[key]

    def _build(self, a: str, b: str, p: Pathway | None) -> dict | None:
        prm, ps = self.params, self.ps
        if a.startswith(TEXT_PREFIX):
            unit = self.text_units.get(a, "t")
            t_per = _mass_t(unit, None)
            return dict(
                order=0,
                kind="text",
                offer_code=a,
                want_code=b,
                pathway=None,
                relation="text",
                sem=0.6,
                ratio=1.0,
                max_share=1.0,
                max_km=prm.max_distance_km,
                licence="",
                processing=0.0,
                purchase=0.0,
                disposal=0.0,
                transport=(
                    prm.transport_vnd_per_tkm
                    or ps.lookup("transport_vnd_per_unit_km", "material")
                    or 0
                )
                * t_per,
                co2=0.0,
                truck_t=t_per,
                landfill_t=0.0,
                water_offer=0.0,
                water_covered=0.0,
                heat_want=compatible(unit, "GJ") if unit else False,
            )
        ra, rb = self.cat[a], self.cat[b]
        if not ra.unit or not rb.unit:
            return None
        if p is None:
            try:
                ratio = convert(
                    1.0,
                    ra.unit,
                    rb.unit,
                    density_kg_per_m3=ra.density_kg_per_m3 or rb.density_kg_per_m3,
                )
            except UnitError:
                return None
            relation = "same" if a == b else ("narrower" if self.cat.is_a(a, b) else "broader")
            sem = {"same": 1.0, "narrower": 0.9, "broader": 0.7}[relation]
            processing, co2 = 0.0, ps.lookup("direct_co2e_t_per_unit", a) or 0.0
            purchase = ps.lookup("purchase_vnd_per_unit", b) or 0.0
            disposal = ps.lookup("disposal_vnd_per_unit", a) or 0.0
            order, share, licence, max_km_p = 0, 1.0, "", None
            landfill_ok, water_offer = True, None
        else:
            t = next(x for x in p.to_codes if self.related_to(b, x))
            try:
                if p.ratio is not None:
                    rt = self.cat[t]
                    ratio = p.ratio * convert(
                        1.0, rt.unit or rb.unit, rb.unit, density_kg_per_m3=rb.density_kg_per_m3
                    )
                elif compatible(rb.unit, "GJ"):
                    ratio = convert(p.energy_gj_per_unit, "GJ", rb.unit)
                elif rb.lhv_gj_per_t:
                    ratio = convert(
                        p.energy_gj_per_unit / rb.lhv_gj_per_t,
                        "t",
                        rb.unit,
                        density_kg_per_m3=rb.density_kg_per_m3,
                    )
                else:
                    return None
            except UnitError:
                return None
            relation = "narrower" if self.cat.is_a(b, t) else "broader"
            sem = p.confidence * (1.0 if b == t else 0.95 if relation == "narrower" else 0.9)
            processing, co2 = p.processing_vnd_per_unit, p.co2e_t_per_unit
            purchase = p.avoided_purchase_vnd_per_unit
            if purchase is None:
                purchase = (
                    ps.lookup("purchase_vnd_per_unit", b)
                    or ps.lookup("purchase_vnd_per_unit", t)
                    or 0.0
                )
            disposal = p.avoided_disposal_vnd_per_unit
            if disposal is None:
                disposal = ps.lookup("disposal_vnd_per_unit", a) or 0.0
            order = ps.pathways.index(p) + 1
            share, licence, max_km_p = p.max_share, p.licence, p.max_distance_km
            landfill_ok, water_offer = p.landfill is not False, p.water_saved_m3_per_unit
        if ratio <= 0:
            return None
        limits = [prm.max_distance_km, max_km_p, ps.lookup("max_distance_km", a)]
        max_km = min(x for x in limits if x is not None)
        mass = _mass_t(ra.unit, ra.density_kg_per_m3)
        piped = ra.group in ("energy", "water")
        transport = ps.lookup("transport_vnd_per_unit_km", a) or 0.0
        if prm.transport_vnd_per_tkm is not None and not piped and mass:
            transport = prm.transport_vnd_per_tkm * mass
        water_covered = 0.0
        if water_offer is None:
            water_offer = 0.0
            if rb.group == "water":
                water_covered = convert(1.0, rb.unit, "m3", density_kg_per_m3=rb.density_kg_per_m3)
        return dict(
            order=order,
            kind="pathway" if p else "direct",
            offer_code=a,
            want_code=b,
            pathway=p,
            relation=relation,
            sem=sem,
            ratio=ratio,
            max_share=share,
            max_km=max_km,
            licence=licence,
            processing=processing,
            purchase=purchase,
            disposal=disposal,
            transport=transport,
            co2=co2,
            truck_t=0.0 if piped else mass,
            landfill_t=mass if landfill_ok and ra.group in ("waste", "byproduct") else 0.0,
            water_offer=water_offer,
            water_covered=water_covered,
            heat_want=rb.group == "energy"
            and compatible(rb.unit, "GJ")
            or b.startswith("energy.steam"),
        )


# --------------------------------------------------------------------------
# The matching context: listings as arrays
# --------------------------------------------------------------------------


class _Context:
    def __init__(self, listings, catalogue, pathways, params):
        self.listings: list[Listing] = list(listings)
        self.cat = catalogue or default_catalogue()
        self.ps = pathways or default_pathways()
        self.params = params or MatchParams()
        self.L = _Links(self.cat, self.ps, self.params)
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
        hazardous = {r.code for r in self.cat if r.hazardous}
        self.haz = np.array([bool(x.hazardous or x.resource in hazardous) for x in ls], bool)
        self.haz = self.haz.reshape(n)
        # listings stating quality values or limits; wants with limits
        self.with_quality = [i for i, x in enumerate(ls) if x.quality]
        self.limits = np.zeros(n, bool)
        for i in self.with_quality:
            x = ls[i]
            self.limits[i] = x.kind == "want" and any(
                k.endswith(("_max", "_min")) for k in x.quality
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

    def pair_quality(self, o: int, w: int) -> tuple[bool, bool]:
        """(ok, unverified) for a want's quality limits against an offer's values."""
        oq, ok, unv = self.listings[o].quality, True, False
        for name, lim in self.listings[w].quality.items():
            if name.endswith("_max"):
                v = oq.get(name[:-4])
                if v is None:
                    unv = True
                elif v > lim:
                    ok = False
            elif name.endswith("_min"):
                v = oq.get(name[:-4])
                if v is None:
                    unv = True
                elif v < lim:
                    ok = False
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
        for j in check:
            m[j] = self.pair_quality(int(oi[j]), int(wi[j]))[0]
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
        for j in np.flatnonzero(self.limits[wi]):
            unv[j] = unv[j] or self.pair_quality(int(oi[j]), int(wi[j]))[1]
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
        enabled = gc.isenabled()
        gc.disable()  # many small objects: cyclic GC passes would dominate the build time
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
        explainer = _Explainer(self, lid, oi, wi)
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


class _Explainer:
    """Formats a match's English and Vietnamese explanation on demand."""

    def __init__(self, ctx: _Context, link: np.ndarray, oi: np.ndarray, wi: np.ndarray):
        self.listings, self.cat, self.links = ctx.listings, ctx.cat, ctx.L.links
        self.haz = ctx.haz
        self.rows = (link, oi, wi)  # per match: link id, offer and want positions
        self._names: dict[int, tuple[str, str]] = {}
        self._hows: dict[int, tuple[str, str]] = {}

    def names(self, i: int) -> tuple[str, str]:
        if i not in self._names:
            x = self.listings[i]
            r = self.cat.get(x.resource) if x.resource else None
            self._names[i] = (r.name_en, r.name_vi) if r else (x.resource_text, x.resource_text)
        return self._names[i]

    def how(self, lid: int) -> tuple[str, str]:
        if lid not in self._hows:
            link = self.links[lid]
            if link.pathway:
                p = link.pathway
                how = f"via pathway {p.id} ({p.name_en})", f"theo lộ trình {p.id} ({p.name_vi})"
            elif link.kind == "text":
                how = (
                    "same description (not in the catalogue)",
                    "cùng mô tả (chưa có trong danh mục)",
                )
            else:
                how = {
                    "same": ("direct match", "khớp trực tiếp"),
                    "narrower": (
                        "direct match (want is broader)",
                        "khớp trực tiếp (nhu cầu rộng hơn)",
                    ),
                    "broader": (
                        "direct match (offer is broader, check grade)",
                        "khớp trực tiếp (chào bán rộng hơn, cần kiểm tra chủng loại)",
                    ),
                }[link.relation]
            self._hows[lid] = how
        return self._hows[lid]

    def texts(self, m: Match) -> tuple[str, str]:
        lid, o, w = (int(x[m._row]) for x in self.rows)
        how_en, how_vi = self.how(lid)
        en_o, vi_o = self.names(o)
        en_w, vi_w = self.names(w)
        if m.distance_km is None:
            dist_en, dist_vi = "same park, distance not given", "cùng KCN, chưa có khoảng cách"
        else:
            dist_en = f"{m.distance_km:.1f} km"
            dist_vi = dist_en.replace(".", ",")
        ben_m = f"{m.benefit_vnd_per_year / 1e6:,.0f}"
        pct = f"{m.coverage:.0%}"
        en = (
            f"{en_o} → {en_w} {how_en}; {dist_en}; covers {pct} of the want; "
            f"benefit ≈ {ben_m} million VND/year"
        )
        vi = (
            f"{vi_o} → {vi_w} {how_vi}; {dist_vi}; đáp ứng {pct} nhu cầu; "
            f"lợi ích ≈ {ben_m.replace(',', '.')} triệu đồng/năm"
        )
        if not m.quality_verified:
            en += "; quality or temperature not stated, check before agreeing"
            vi += "; chưa có số liệu chất lượng/nhiệt độ, cần kiểm tra"
        link = self.links[lid]
        if link.licence or self.haz[o]:
            lic = link.licence or HAZARDOUS_LICENCE
            en += f"; receiver must hold licence '{lic}'"
            vi += f"; bên nhận phải có giấy phép '{lic}'"
        return en, vi


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def match(
    listings: list[Listing],
    catalogue: Catalogue | None = None,
    pathways: PathwaySet | None = None,
    params: MatchParams | None = None,
) -> list[Match]:
    """Indexed matcher: by resource (catalogue hierarchy + pathways), then by
    geography (nearest eligible wants).  Same result as :func:`match_brute_force`."""
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


def match_brute_force(
    listings: list[Listing],
    catalogue: Catalogue | None = None,
    pathways: PathwaySet | None = None,
    params: MatchParams | None = None,
) -> list[Match]:
    """All-pairs reference matcher with the same semantics as :func:`match`
    (each pair is checked against every pathway; every distance is computed)."""
    ctx = _Context(listings, catalogue, pathways, params)
    offers = [i for i, x in enumerate(ctx.listings) if x.kind == "offer"]
    wants = [i for i, x in enumerate(ctx.listings) if x.kind == "want"]
    pairs: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for o in offers:
        for w in wants:
            for link in ctx.L.pair_links(ctx.keys[o], ctx.keys[w]):
                if ctx.required(link, o) <= ctx.listings[w].licences:
                    pairs[link.id][0].append(o)
                    pairs[link.id][1].append(w)
    parts = []
    for lid, (ol, wl) in sorted(pairs.items()):
        link = ctx.L.links[lid]
        oi, wi = np.array(ol, np.int64), np.array(wl, np.int64)
        ok, _ = ctx.offer_check(link, oi)
        oi, wi = oi[ok], wi[ok]
        d, near = ctx.distances(oi, wi)
        near &= np.isnan(d) | (d <= link.max_km)
        oi, wi, d = oi[near], wi[near], d[near]
        m = ctx.pair_ok(link, oi, wi)
        oi, wi, d = oi[m], wi[m], d[m]
        keep = _topk(oi, wi, ctx.dsort(d), ctx.params.candidates_per_link)
        parts.append(ctx.score(link, oi[keep], wi[keep], d[keep]))
    return ctx.finish(parts)


MATCH_COLUMNS = (
    "offer_id",
    "want_id",
    "score",
    "rank",
    "distance_km",
    "matched_quantity",
    "unit",
    "pathway",
    "benefit_vnd_per_year",
    "co2e_t_per_year",
    "landfill_diverted_t_per_year",
    "water_saved_m3_per_year",
    "transport_cost_vnd_per_year",
    "coverage",
    "offer_resource",
    "want_resource",
    "offer_enterprise",
    "want_enterprise",
    "offer_park",
    "want_park",
    "quality_verified",
    "explanation",
    "explanation_vi",
)


def match_to_dict(m: Match) -> dict:
    return {k: getattr(m, k) for k in MATCH_COLUMNS}


def write_matches_csv(matches: list[Match], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(MATCH_COLUMNS)
        for m in matches:
            row = match_to_dict(m)
            for k in ("score", "coverage"):
                row[k] = f"{row[k]:.4f}"
            for k in (
                "matched_quantity",
                "co2e_t_per_year",
                "landfill_diverted_t_per_year",
                "water_saved_m3_per_year",
            ):
                row[k] = f"{row[k]:.3f}"
            for k in ("benefit_vnd_per_year", "transport_cost_vnd_per_year"):
                row[k] = f"{row[k]:.0f}"
            row["distance_km"] = "" if m.distance_km is None else f"{m.distance_km:.2f}"
            w.writerow([row[k] for k in MATCH_COLUMNS])


def write_matches_json(matches: list[Match], path: str | Path, warnings: list[str] = ()) -> None:
    doc = {
        "count": len(matches),
        "warnings": list(warnings),
        "matches": [match_to_dict(m) for m in matches],
    }
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------
# Investor fit
# --------------------------------------------------------------------------


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
    by_id = {x.id: x for x in listings}
    left = {x.id: x.quantity for x in listings}
    for m in sorted(matches, key=lambda m: -m.score):
        if m.matched_quantity <= 0 or m.offer_id not in left or m.want_id not in left:
            continue
        ratio = m.coverage * by_id[m.want_id].quantity / m.matched_quantity
        x = min(left[m.offer_id], m.matched_quantity, left[m.want_id] / ratio if ratio > 0 else 0)
        left[m.offer_id] -= x
        left[m.want_id] -= x * ratio
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
        r = resolve_resource(text, catalogue)
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
