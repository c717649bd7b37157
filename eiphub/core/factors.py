"""Emission factors: load, validate and look up ``data/emission_factors.yaml``.

Lookup rules (explicit, no silent zeros):

* Grid electricity: the factor of the requested year.  A year without a factor is a gap
  (:class:`FactorMissing`) unless the caller passes ``latest_available=True``; the result
  then carries the year actually used (``year_used``) and a note.  "Latest available" means
  the latest year not after the requested one, or failing that the earliest later year.
* Fuels: the entry for the fuel code whose validity range contains the year.  A code without
  an entry of its own falls back to its nearest catalogue ancestor that has one (e.g. a new
  ``energy.fuel.coal.lignite`` would use ``energy.fuel.coal``), only when ``allow_parent``
  is true (default) and a catalogue is given; the result names the code actually used.
* Purchased steam, heat and cooling: the ``purchased_thermal`` entry of the resource code or
  of its nearest ancestor (``energy.heat.process`` uses ``energy.heat``); none is a gap.
* GWPs: from the file's ``gwp`` set (AR5 100-yr by default); an unknown gas is an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from eiphub.core.errors import CodedError

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_PATH = DATA_DIR / "emission_factors.yaml"
SECTORS = ("energy", "manufacturing")
DEFAULT_SECTOR = "manufacturing"


class FactorFileError(ValueError):
    """The factor file is malformed; the message names the file and the entry."""

    def __init__(self, message: str, *, file: str, entry: str = "", **params):
        super().__init__(f"{file}{', ' + entry if entry else ''}: {message}")
        self.code = "factor_file_invalid"
        self.params = {"file": file, "entry": entry, **params}


class FactorMissing(CodedError, LookupError):
    """No factor for the request.  ``code``: missing_grid_factor, missing_fuel_factor,
    missing_gwp, unknown_sector."""


@dataclass(frozen=True)
class GridFactor:
    year: int
    value: float  # tCO2 per MWh
    source: str
    status: str = ""


@dataclass(frozen=True)
class GridLookup:
    requested_year: int
    year_used: int
    value: float
    source: str
    note: str = ""


@dataclass(frozen=True)
class FuelFactor:
    code: str
    ipcc_fuel: str
    co2_kg_per_tj: float
    ch4_kg_per_tj: dict[str, float]
    n2o_kg_per_tj: dict[str, float]
    source: str
    biogenic: bool = False
    valid_from: int | None = None
    valid_to: int | None = None

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_to is None or year <= self.valid_to
        )


@dataclass(frozen=True)
class FuelLookup:
    requested_code: str
    factor: FuelFactor
    note: str = ""

    @property
    def code_used(self) -> str:
        return self.factor.code


@dataclass(frozen=True)
class ThermalSupply:
    """How purchased steam/heat was produced (supplier ``fuel`` and boiler ``efficiency``)
    or cooling (chiller ``cop``); ``source`` says where the figures come from."""

    fuel: str | None = None
    efficiency: float | None = None
    cop: float | None = None
    source: str = ""


@dataclass
class FactorSet:
    version: str
    source: str
    path: str
    gwp_set: str
    gwp: dict[str, float]
    grid: dict[int, GridFactor]
    fuels: dict[str, list[FuelFactor]]
    national_list: dict[str, Any] = field(default_factory=dict)
    thermal: dict[str, ThermalSupply] = field(default_factory=dict)
    steam_conditions: dict[str, Any] = field(default_factory=dict)

    # -- purchased steam, heat and cooling ------------------------------------
    def thermal_default(self, code: str) -> ThermalSupply:
        parts = code.split(".")
        for n in range(len(parts), 1, -1):
            found = self.thermal.get(".".join(parts[:n]))
            if found is not None:
                return found
        raise FactorMissing(
            "missing_thermal_factor",
            f"no purchased_thermal default for {code} in {Path(self.path).name}",
            resource=code,
        )

    # -- grid -------------------------------------------------------------
    def grid_factor(self, year: int, latest_available: bool = False) -> GridLookup:
        f = self.grid.get(year)
        if f is not None:
            return GridLookup(year, year, f.value, f.source)
        if latest_available and self.grid:
            earlier = [y for y in self.grid if y < year]
            used = max(earlier) if earlier else min(self.grid)
            g = self.grid[used]
            note = f"no grid factor for {year}; used {used} (latest available)"
            return GridLookup(year, used, g.value, g.source, note)
        raise FactorMissing(
            "missing_grid_factor",
            f"no grid emission factor for {year} in {Path(self.path).name}",
            year=year,
            available=sorted(self.grid),
        )

    # -- fuels ------------------------------------------------------------
    def fuel_factor(
        self, code: str, year: int, catalogue=None, allow_parent: bool = True
    ) -> FuelLookup:
        candidates = [code]
        if allow_parent and catalogue is not None:
            candidates += [a for a in catalogue.ancestors(code) if a.startswith("energy.fuel")]
        for cand in candidates:
            for f in self.fuels.get(cand, ()):
                if f.valid_in(year):
                    note = "" if cand == code else f"no factor for {code}; used parent {cand}"
                    return FuelLookup(code, f, note)
        raise FactorMissing(
            "missing_fuel_factor",
            f"no emission factor for fuel {code} valid in {year} in {Path(self.path).name}",
            fuel=code,
            year=year,
        )

    def gwp_of(self, gas: str) -> float:
        try:
            return self.gwp[gas]
        except KeyError:
            raise FactorMissing("missing_gwp", f"no GWP for {gas}", gas=gas)


# -- loading and validation ------------------------------------------------------------


def _number(value, file: str, entry: str, name: str, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise FactorFileError(f"'{name}' must be a number, got {value!r}", file=file, entry=entry)
    if value < 0 or (value == 0 and not allow_zero):
        raise FactorFileError(f"'{name}' must be positive, got {value!r}", file=file, entry=entry)
    return float(value)


def _year(value, file: str, entry: str, name: str, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2200:
        raise FactorFileError(f"'{name}' must be a year, got {value!r}", file=file, entry=entry)
    return value


def _require(d: dict, keys: tuple[str, ...], file: str, entry: str) -> None:
    missing = [k for k in keys if d.get(k) in (None, "")]
    if missing:
        raise FactorFileError(f"missing field(s) {missing}", file=file, entry=entry)


def _by_sector(value, file: str, entry: str, name: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise FactorFileError(f"'{name}' must map sector -> value", file=file, entry=entry)
    out = {}
    for sector in SECTORS:
        if sector not in value:
            raise FactorFileError(f"'{name}' lacks sector '{sector}'", file=file, entry=entry)
        out[sector] = _number(value[sector], file, entry, f"{name}.{sector}")
    extra = set(value) - set(SECTORS)
    if extra:
        raise FactorFileError(
            f"'{name}' has unknown sector(s) {sorted(extra)}", file=file, entry=entry
        )
    return out


def parse_factors(doc: Any, path: str | Path, catalogue=None) -> FactorSet:
    file = Path(path).name
    if not isinstance(doc, dict):
        raise FactorFileError("expected a mapping at top level", file=file)
    _require(doc, ("version", "source", "gwp", "grid", "fuels"), file, "top level")

    gwp_doc = doc["gwp"]
    if not isinstance(gwp_doc, dict) or not isinstance(gwp_doc.get("values"), dict):
        raise FactorFileError("'gwp' needs 'set', 'source' and 'values'", file=file, entry="gwp")
    _require(gwp_doc, ("set", "source"), file, "gwp")
    gwp = {
        str(g): _number(v, file, f"gwp {g}", "value", allow_zero=False)
        for g, v in gwp_doc["values"].items()
    }
    for gas in ("CO2", "CH4", "N2O"):
        if gas not in gwp:
            raise FactorFileError(f"missing GWP for {gas}", file=file, entry="gwp")

    grid_doc = doc["grid"]
    if not isinstance(grid_doc, dict) or not isinstance(grid_doc.get("factors"), list):
        raise FactorFileError("'grid' needs 'unit' and a 'factors' list", file=file, entry="grid")
    if grid_doc.get("unit") != "tCO2/MWh":
        raise FactorFileError("grid unit must be 'tCO2/MWh'", file=file, entry="grid")
    grid: dict[int, GridFactor] = {}
    for i, e in enumerate(grid_doc["factors"], start=1):
        entry = f"grid entry {i}"
        if not isinstance(e, dict):
            raise FactorFileError("expected a mapping", file=file, entry=entry)
        _require(e, ("year", "value", "source"), file, entry)
        year = _year(e["year"], file, entry, "year")
        entry = f"grid {year}"
        if year in grid:
            raise FactorFileError("duplicate year", file=file, entry=entry)
        value = _number(e["value"], file, entry, "value", allow_zero=False)
        if value > 3:
            raise FactorFileError(f"value {value} tCO2/MWh is implausible", file=file, entry=entry)
        grid[year] = GridFactor(year, value, str(e["source"]), str(e.get("status") or ""))

    fuels: dict[str, list[FuelFactor]] = {}
    if not isinstance(doc["fuels"], list):
        raise FactorFileError("'fuels' must be a list", file=file, entry="fuels")
    allowed = {
        "code", "ipcc_fuel", "co2_kg_per_tj", "ch4_kg_per_tj", "n2o_kg_per_tj", "biogenic",
        "valid_from", "valid_to", "source", "status",
    }  # fmt: skip
    for i, e in enumerate(doc["fuels"], start=1):
        entry = f"fuel entry {i}"
        if not isinstance(e, dict):
            raise FactorFileError("expected a mapping", file=file, entry=entry)
        _require(e, ("code",), file, entry)
        entry = f"fuel {e['code']}"
        extra = set(e) - allowed
        if extra:
            raise FactorFileError(f"unknown field(s) {sorted(extra)}", file=file, entry=entry)
        _require(e, ("ipcc_fuel", "co2_kg_per_tj", "ch4_kg_per_tj", "n2o_kg_per_tj", "source"),
                 file, entry)  # fmt: skip
        code = str(e["code"])
        if catalogue is not None:
            res = catalogue.get(code)
            if res is None:
                raise FactorFileError("code not in the resource catalogue", file=file, entry=entry)
            if not code.startswith("energy.fuel"):
                raise FactorFileError("code is not a fuel", file=file, entry=entry)
        f = FuelFactor(
            code=code,
            ipcc_fuel=str(e["ipcc_fuel"]),
            co2_kg_per_tj=_number(e["co2_kg_per_tj"], file, entry, "co2_kg_per_tj"),
            ch4_kg_per_tj=_by_sector(e["ch4_kg_per_tj"], file, entry, "ch4_kg_per_tj"),
            n2o_kg_per_tj=_by_sector(e["n2o_kg_per_tj"], file, entry, "n2o_kg_per_tj"),
            source=str(e["source"]),
            biogenic=bool(e.get("biogenic", False)),
            valid_from=_year(e.get("valid_from"), file, entry, "valid_from", optional=True),
            valid_to=_year(e.get("valid_to"), file, entry, "valid_to", optional=True),
        )
        if f.valid_from and f.valid_to and f.valid_to < f.valid_from:
            raise FactorFileError("valid_to is before valid_from", file=file, entry=entry)
        for other in fuels.get(code, ()):
            lo = max(f.valid_from or 0, other.valid_from or 0)
            hi = min(f.valid_to or 9999, other.valid_to or 9999)
            if lo <= hi:
                raise FactorFileError(
                    "validity overlaps another entry for the same fuel", file=file, entry=entry
                )
        fuels.setdefault(code, []).append(f)

    thermal: dict[str, ThermalSupply] = {}
    th_doc = doc.get("purchased_thermal") or {}
    if not isinstance(th_doc, dict):
        raise FactorFileError("'purchased_thermal' must be a mapping", file=file)
    steam = dict(th_doc.get("steam_conditions") or {})
    if steam:
        _require(steam, ("pressure_bar", "feedwater_c", "source"), file, "steam_conditions")
        _number(steam["pressure_bar"], file, "steam_conditions", "pressure_bar", False)
    for i, e in enumerate(th_doc.get("defaults") or [], start=1):
        entry = f"purchased_thermal entry {i}"
        if not isinstance(e, dict):
            raise FactorFileError("expected a mapping", file=file, entry=entry)
        _require(e, ("code", "source"), file, entry)
        entry = f"purchased_thermal {e['code']}"
        if e.get("cop") is not None:
            sup = ThermalSupply(cop=_number(e["cop"], file, entry, "cop", False),
                                source=str(e["source"]))  # fmt: skip
        else:
            _require(e, ("fuel", "efficiency"), file, entry)
            eff = _number(e["efficiency"], file, entry, "efficiency", False)
            if eff > 1:
                raise FactorFileError("efficiency must be at most 1", file=file, entry=entry)
            if str(e["fuel"]) not in fuels:
                raise FactorFileError("fuel has no factor in this file", file=file, entry=entry)
            sup = ThermalSupply(fuel=str(e["fuel"]), efficiency=eff, source=str(e["source"]))
        thermal[str(e["code"])] = sup

    return FactorSet(
        version=str(doc["version"]),
        source=str(doc["source"]),
        path=str(path),
        gwp_set=str(gwp_doc["set"]),
        gwp=gwp,
        grid=grid,
        fuels=fuels,
        national_list=dict(doc.get("national_list") or {}),
        thermal=thermal,
        steam_conditions=steam,
    )


def load_factors(path: str | Path | None = None, catalogue=None) -> FactorSet:
    """Load and validate a factor file; pass ``catalogue`` to check fuel codes exist."""
    path = Path(path or DEFAULT_PATH)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FactorFileError(f"not valid YAML: {exc}", file=path.name) from exc
    return parse_factors(doc, path, catalogue)


@lru_cache(maxsize=1)
def default_factors() -> FactorSet:
    from .catalogue import default_catalogue

    return load_factors(DEFAULT_PATH, default_catalogue())
