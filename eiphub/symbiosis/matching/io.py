"""Reading listings files and writing matches (CSV/JSON).

A batch run never dies on one row: :func:`read_listings` checks every row,
keeps the good ones and reports each bad or doubtful row as a
:class:`RowIssue` (file, row, column, a code and parameters; the command
phrases it in the user's language).  ``strict=True`` raises on the first
bad row (all-or-nothing).  Every resource text is resolved through the one
resolver, :meth:`Catalogue.resolve` (distinct (text, unit) pairs once).
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from eiphub.core.catalogue import Catalogue, Resource, default_catalogue, fold
from eiphub.core.licences import licences_from_column, licences_from_text
from eiphub.core.quality import QualityError, offer_values, parse_quality
from eiphub.core.units import UnitError, parse_unit

from .model import Listing, ListingFileError, Match

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
    "notes",
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

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class RowIssue:
    """A problem with one row (or the file: ``row`` None).  ``severity``: error (the
    row is skipped) or warning (the row is matched).  ``code`` and ``params`` are
    phrased by the caller; ``message`` is the English text."""

    file: str
    row: int | None
    column: str | None
    code: str
    severity: str
    message: str
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def __str__(self) -> str:
        where = ", ".join(
            x
            for x in (
                self.file,
                f"row {self.row}" if self.row is not None else "",
                f"column '{self.column}'" if self.column else "",
            )
            if x
        )
        return f"{where}: {self.message}"


@dataclass
class ListingsFile:
    """What :func:`read_listings` found: the good listings and every issue."""

    file: str
    listings: list[Listing]
    issues: list[RowIssue]
    rows: int = 0  # data rows read (blank lines not counted)

    @property
    def errors(self) -> list[RowIssue]:
        return [x for x in self.issues if x.severity == ERROR]

    @property
    def warnings(self) -> list[RowIssue]:
        return [x for x in self.issues if x.severity == WARNING]

    @property
    def skipped_rows(self) -> int:
        return len({x.row for x in self.errors})


def _number(text: str, err) -> float | None:
    s = (text or "").strip().replace(" ", "").replace("_", "")
    if not s:
        return None
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        raise err("bad_number", f"not a number: {text!r}", value=text)
    if not math.isfinite(value):
        raise err("bad_number", f"not a finite number: {text!r}", value=text)
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
    raise err("bad_date", f"not a date (use YYYY-MM-DD): {text!r}", value=text)


class _Resolver:
    """Distinct (text, unit) pairs resolved once through the catalogue."""

    def __init__(self, catalogue: Catalogue):
        self.cat = catalogue
        self._cache: dict[tuple[str, str], Resource | None] = {}

    def __call__(self, text: str, unit: str) -> Resource | None:
        key = (text, unit)
        if key not in self._cache:
            self._cache[key] = self.cat.resolve(text, unit=unit)
        return self._cache[key]

    def prefetch(self, pairs) -> None:
        """Resolve the (text, unit) pairs not seen yet in one batch
        (:meth:`Catalogue.resolve_many`: the text model is asked once)."""
        todo = [p for p in dict.fromkeys(pairs) if p not in self._cache]
        if todo:
            self._cache.update(zip(todo, self.cat.resolve_many(todo), strict=True))

    def __len__(self) -> int:
        return len(self._cache)


def _row_listing(row: dict, name: str, rownum: int, resolve: _Resolver, issues: list) -> Listing:
    """One row as a Listing; raises ListingFileError for a bad value, appends warnings."""
    cat = resolve.cat

    def err_for(column):
        def err(code, message, **params):
            return ListingFileError(code, message, file=name, row=rownum, column=column, **params)

        return err

    def warn(column, code, message, **params):
        issues.append(RowIssue(name, rownum, column, code, WARNING, message, params))

    def need(column):
        if not row.get(column):
            raise err_for(column)("missing_value", "a value is required")
        return row[column]

    lid = need("listing_id")
    kind = _KINDS.get(fold(need("kind")))
    if kind is None:
        raise err_for("kind")(
            "bad_kind", f"kind must be 'offer' or 'want', got {row['kind']!r}", value=row["kind"]
        )
    resource_text = need("resource")
    qty = _number(need("quantity"), err_for("quantity"))
    if qty <= 0:
        raise err_for("quantity")(
            "not_positive", "quantity must be positive", value=row["quantity"]
        )
    period_key = fold(need("period"))
    if period_key not in _PERIODS:
        raise err_for("period")(
            "bad_period",
            f"period must be year, month or once, got {row['period']!r}",
            value=row["period"],
        )
    factor = _PERIODS[period_key]
    recurring = factor is not None
    qty *= factor or 1.0
    unit_text = need("unit")
    try:
        parsed_unit = f"{parse_unit(unit_text):~}"
    except UnitError as exc:
        raise err_for("unit")("bad_unit", str(exc), value=unit_text)
    res = resolve(resource_text, unit_text)
    unit_factor = 1.0  # canonical units per unit given
    unit, code = parsed_unit, ""
    if res is not None and res.unit:
        try:
            unit_factor = cat.to_canonical(res.code, 1.0, unit_text)
        except UnitError:
            # the resource was guessed from the text and the unit disagrees: keep the row,
            # matched by its description and unit only
            warn(
                "unit",
                "unit_mismatch",
                f"unit {unit_text!r} cannot measure {res.code} ({res.unit}); "
                "matched only with listings describing it the same way",
                unit=unit_text,
                resource=res.code,
                expected=res.unit,
            )
            res = None
        else:
            qty *= unit_factor
            unit, code = res.unit, res.code
    elif res is not None:  # a group: too vague to match on the catalogue
        warn(
            "resource",
            "group_resource",
            f"resource {resource_text!r} names the group {res.code}; "
            "matched only with listings describing it the same way",
            text=resource_text,
            resource=res.code,
        )
        code = res.code
    else:
        warn(
            "resource",
            "unresolved_resource",
            f"resource {resource_text!r} not found in the catalogue; "
            "matched only with listings describing it the same way",
            text=resource_text,
        )
    lat = _number(row.get("latitude", ""), err_for("latitude"))
    lon = _number(row.get("longitude", ""), err_for("longitude"))
    if (lat is None) != (lon is None):
        col = "longitude" if lon is None else "latitude"
        raise err_for(col)("half_coordinate", "give both latitude and longitude, or neither")
    if lat is not None and not (-90 <= lat <= 90):
        raise err_for("latitude")("bad_coordinate", f"latitude {lat} outside -90..90", value=lat)
    if lon is not None and not (-180 <= lon <= 180):
        raise err_for("longitude")(
            "bad_coordinate", f"longitude {lon} outside -180..180", value=lon
        )
    if lat is None:
        warn(
            "latitude",
            "no_coordinates",
            f"no coordinates; matched only inside park {row['park']!r}",
            park=row.get("park", ""),
        )
    hz = fold(row.get("hazardous", ""))
    if hz in _TRUE:
        flagged = True
    elif hz in _FALSE:
        flagged = False
    else:
        raise err_for("hazardous")(
            "bad_flag",
            f"hazardous must be yes or no, got {row['hazardous']!r}",
            value=row["hazardous"],
        )
    cond = parse_conditions(resource_text)
    temp = _number(row.get("temperature_c", ""), err_for("temperature_c"))
    if temp is None:
        temp = cond.get("temperature_c")
    try:
        quality = parse_quality(row.get("quality", ""), kind)
    except QualityError as exc:
        raise err_for("quality")("bad_quality", str(exc), value=exc.part)
    pressure = _number(row.get("pressure_bar", ""), err_for("pressure_bar"))
    if pressure is None:
        pressure = cond.get("pressure_bar")
    if pressure is not None:
        quality.setdefault("pressure_bar" if kind == "offer" else "pressure_bar_min", pressure)
    if kind == "offer":
        quality = offer_values(quality)
    price = _number(row.get("price_vnd_per_unit", ""), err_for("price_vnd_per_unit"))
    af = _date(row.get("available_from", ""), err_for("available_from"))
    at = _date(row.get("available_to", ""), err_for("available_to"))
    if af and at and af > at:
        raise err_for("available_to")("date_order", "available_to is before available_from")
    licences = (
        licences_from_column(row.get("licences", ""))
        | licences_from_text(resource_text)
        | licences_from_text(row.get("notes", ""))
    )
    return Listing(
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
        hazardous=flagged,
        temperature_c=temp,
        price_vnd_per_unit=None if price is None else price / unit_factor,
        available_from=af,
        available_to=at,
        licences=licences,
        quality=quality,
        recurring=recurring,
        industry=row.get("industry", ""),
    )


def read_listings(
    path: str | Path, catalogue: Catalogue | None = None, *, strict: bool = False
) -> ListingsFile:
    """Read listings from a CSV file (UTF-8, comma or semicolon separated).

    File-level problems (missing, not UTF-8, empty, missing columns) raise
    :class:`ListingFileError`.  A bad row is reported as an error issue and
    skipped; with ``strict`` the first bad row raises instead.  Rows whose
    resource is unknown, a group, or guessed with a disagreeing unit are kept
    (matched by their description) with a warning."""
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
            "missing_column",
            f"missing required column(s): {', '.join(missing)}",
            file=name,
            row=1,
            columns=", ".join(missing),
        )
    issues = [
        RowIssue(name, 1, h, "ignored_column", WARNING, f"column '{h}' ignored", {"column": h})
        for h in header
        if h and h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    ]
    rows = list(reader)
    resolve = _Resolver(catalogue)
    at = {h: i for i, h in enumerate(header)}  # a repeated name: its last column, as below
    cells = [
        tuple(raw[at[c]].strip() if at[c] < len(raw) else "" for c in ("resource", "unit"))
        for raw in rows
    ]
    resolve.prefetch(p for p in cells if all(p))  # every row's resource in one batch
    listings: list[Listing] = []
    seen: dict[str, int] = {}
    nrows = 0
    for rownum, raw in enumerate(rows, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        nrows += 1
        row = {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header)}
        found: list[RowIssue] = []
        try:
            lid = row.get("listing_id", "")
            if lid and lid in seen:
                raise ListingFileError(
                    "duplicate_id",
                    f"listing_id {lid!r} already used on row {seen[lid]}",
                    file=name,
                    row=rownum,
                    column="listing_id",
                    value=lid,
                    first_row=seen[lid],
                )
            listing = _row_listing(row, name, rownum, resolve, found)
        except ListingFileError as exc:
            if strict:
                raise
            message = str(exc).split(": ", 1)[-1] if exc.file else str(exc)
            issues.append(
                RowIssue(name, rownum, exc.column, exc.code, ERROR, message, dict(exc.params))
            )
            continue
        seen[listing.id] = rownum
        issues.extend(found)
        listings.append(listing)
    if nrows == 0:
        raise ListingFileError("empty_file", "no listings in the file", file=name)
    if strict and not listings:
        raise ListingFileError("empty_file", "no listings in the file", file=name)
    return ListingsFile(name, listings, issues, nrows)


def read_listings_csv(
    path: str | Path, catalogue: Catalogue | None = None
) -> tuple[list[Listing], list[str]]:
    """All-or-nothing reading (the first bad row raises :class:`ListingFileError`):
    the listings and the warnings as English texts."""
    got = read_listings(path, catalogue, strict=True)
    return got.listings, [str(x) for x in got.warnings]


ISSUE_COLUMNS = ("file", "row", "column", "severity", "code", "message")


def write_issues_csv(issues: list[RowIssue], path: str | Path, phrase=None) -> None:
    """The companion file of a batch run: one line per issue.  ``phrase(issue)``
    gives the message in the user's language (default: English)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ISSUE_COLUMNS)
        for x in issues:
            msg = phrase(x) if phrase else x.message
            w.writerow(
                [x.file, "" if x.row is None else x.row, x.column or "", x.severity, x.code, msg]
            )


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
    out = {k: getattr(m, k) for k in MATCH_COLUMNS if not k.startswith("explanation")}
    out["explanation"], out["explanation_vi"] = m.explanations()
    return {k: out[k] for k in MATCH_COLUMNS}


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
