"""Greenhouse-gas inventory of enterprises, parks, provinces and the nation.

Inputs are :class:`ActivityRecord` rows (what the monthly/yearly flow forms hold); factors
come from :mod:`eiphub.core.factors`, heating values and densities from the resource
catalogue.  Nothing is ever silently zero: a record that cannot be converted (unknown
resource, unit, heating value or factor) is listed in ``gaps`` with the records affected,
and the row it belongs to is marked incomplete.  Figures are then the sum of what could be
computed.

Accounting rules
----------------
* Scope 1, combustion: fuel records (``energy.fuel.*``) with direction ``in`` (consumed).
  Energy = mass x LHV (catalogue), or the quantity itself when reported in an energy unit;
  volumes are turned into mass with the catalogue density.  CO2 = TJ x CO2 factor; CH4 and
  N2O = TJ x sector factor (``energy`` or ``manufacturing``), weighted by the GWPs of the
  factor file.  CO2 from biomass fuels (``biogenic: true``) is reported apart as biogenic
  CO2 and is not part of Scope 1; their CH4 and N2O are.  Fuel sold or produced
  (``out``/``generated``) is not combusted by the entity and is ignored.
* Scope 1, process: ``emission.co2``, ``emission.ch4``, ``emission.n2o`` outflows (measured
  or calculated process emissions, in mass units) x GWP.  Other pollutants (SO2, NOx, dust)
  are not greenhouse gases and are ignored.  Combustion CO2 must not be reported again as
  ``emission.co2``: it is computed from the fuels.
* Scope 2, location-based: with ``electricity_basis="consumption"`` (default, the flow
  forms' convention) electricity records ``energy.electricity`` / ``energy.electricity.grid``
  with direction ``in`` are the entity's total electricity use, rooftop solar included.
  Self-consumed solar is ``energy.electricity.solar`` reported as ``in``, or else
  ``generated`` minus ``out`` (exported to the grid).  Grid electricity = use - self-consumed
  solar.  Exported solar is subtracted from generation only: it is never subtracted from
  use a second time and earns no credit in the inventory (it can be shown as avoided
  emissions).  With ``electricity_basis="grid_import"`` the electricity records are grid
  meter readings, which already exclude solar, so nothing is subtracted.  Scope 2 = grid
  MWh x the grid factor of the record year; a missing year is a gap unless
  ``latest_grid=True`` (then the row names the year used).
* Scope 2, purchased steam, heat and cooling (``energy.steam``, ``energy.heat.*``,
  ``energy.cooling``, direction ``in``): delivered energy in GJ (steam in t through the
  IAPWS-IF97 steam tables at the record's pressure and temperature, or the factor file's
  default conditions; energy units as they are).  Steam and heat: GJ / supplier efficiency
  x the supplier fuel's combustion factor (energy-industry CH4/N2O); cooling: GJ / COP as
  electricity x the grid factor of the year (same grid rule as electricity).  The supplier's
  fuel and efficiency come from ``thermal_supply`` when the caller knows them, else from the
  factor file's default with its source.  A missing factor is a gap.
* Months: with ``expected_months`` ((entity, year) -> months the entity should report, from
  its tenancy), an entity that reported fewer months (distinct ``month`` of its records, or
  ``reported_months``) has a ``missing_months`` gap: the row shows ``n/12`` and is
  incomplete; a missing month is never taken as zero.
* Avoided emissions (RECP measures, symbiosis) are computed by :func:`avoided_emissions`
  and are never part of an inventory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from eiphub.core.errors import CodedError

from .catalogue import Catalogue, default_catalogue
from .factors import (
    DEFAULT_SECTOR,
    SECTORS,
    FactorMissing,
    FactorSet,
    ThermalSupply,
    default_factors,
)
from .units import UnitError, convert, parse_unit, steam_energy_gj, ureg

DIRECTIONS = ("in", "out", "generated")
KINDS = ("fuel", "electricity", "process", "thermal")
THERMAL_CODES = ("energy.steam", "energy.heat", "energy.cooling")
GHG_EMISSIONS = {"emission.co2": "CO2", "emission.ch4": "CH4", "emission.n2o": "N2O"}
GRID_CODES = ("energy.electricity", "energy.electricity.grid")
SOLAR_CODE = "energy.electricity.solar"
ENERGY_DIM = ureg.joule.dimensionality


@dataclass(frozen=True)
class ActivityRecord:
    entity_id: str
    resource_code: str
    direction: str  # "in" consumed, "out" sold/exported/emitted, "generated" on site
    quantity: float
    unit: str
    year: int
    month: int | None = None
    kind: str | None = None  # "fuel" | "electricity" | "process" | "thermal"; inferred
    record_id: str | None = None
    pressure_bar: float | None = None  # steam in t: absolute pressure ...
    temperature_c: float | None = None  # ... and temperature (None: saturated)

    @property
    def ref(self) -> str:
        return self.record_id or f"{self.entity_id}/{self.resource_code}/{self.year}" + (
            f"-{self.month:02d}" if self.month else ""
        )


@dataclass
class Gap:
    code: str  # unknown_resource, unit_error, missing_lhv, missing_fuel_factor, ...
    message: str
    entity_id: str | None = None
    year: int | None = None
    resource_code: str | None = None
    records: list[str] = field(default_factory=list)
    params: dict = field(default_factory=dict)  # e.g. reported/expected for missing_months


class GapError(CodedError):
    """A record that cannot be converted; ``code`` names why (unit_error, missing_lhv...)."""


def kind_of(code: str) -> str | None:
    if code.startswith("energy.fuel"):
        return "fuel"
    if code.startswith("energy.electricity"):
        return "electricity"
    if code.startswith("emission"):
        return "process"
    if any(code == t or code.startswith(t + ".") for t in THERMAL_CODES):
        return "thermal"
    return None


def thermal_energy_gj(rec: ActivityRecord, factors: FactorSet) -> float:
    """Delivered energy (GJ) of a purchased steam/heat/cooling record."""
    if _is_energy_unit(rec.unit):
        return rec.quantity * _ratio(rec.unit, "GJ")
    if not rec.resource_code.startswith("energy.steam"):
        raise GapError("unit_error", f"{rec.resource_code} in {rec.unit!r} is not an energy")
    tonnes = mass_t(rec.quantity, rec.unit)
    cond = factors.steam_conditions
    pressure = rec.pressure_bar if rec.pressure_bar is not None else cond.get("pressure_bar")
    temp = rec.temperature_c if rec.pressure_bar is not None else cond.get("temperature_c")
    if pressure is None:
        raise GapError("missing_steam_conditions", "steam in t needs its pressure")
    try:
        return steam_energy_gj(tonnes, pressure, temp, cond.get("feedwater_c", 25.0))
    except UnitError as exc:
        raise GapError(exc.code, str(exc))


# -- unit conversions shared with avoided emissions ------------------------------------------


@lru_cache(maxsize=1024)
def _ratio(from_unit: str, to_unit: str, density: float | None = None) -> float:
    """Multiplicative conversion factor (all units used here are non-offset), cached because
    pint conversions dominate the cost of large inventories."""
    return convert(1.0, from_unit, to_unit, density_kg_per_m3=density)


@lru_cache(maxsize=1024)
def _is_energy_unit(unit: str) -> bool:
    return parse_unit(unit).dimensionality == ENERGY_DIM


@dataclass(frozen=True)
class FuelEmission:
    energy_gj: float
    co2_t: float
    ch4_t: float
    n2o_t: float
    biogenic: bool
    note: str = ""


def fuel_energy_gj(code: str, quantity: float, unit: str, catalogue: Catalogue) -> float:
    res = catalogue.get(code)
    if res is None:
        raise GapError("unknown_resource", f"resource {code} is not in the catalogue")
    try:
        if _is_energy_unit(unit):
            return quantity * _ratio(unit, "GJ")
        tonnes = quantity * _ratio(unit, "t", res.density_kg_per_m3)
    except UnitError as exc:
        raise GapError("unit_error", f"{code}: {exc}")
    if not res.lhv_gj_per_t:
        raise GapError("missing_lhv", f"no heating value (lhv_gj_per_t) for {code}")
    return tonnes * res.lhv_gj_per_t


def fuel_emission(
    code: str,
    quantity: float,
    unit: str,
    year: int,
    factors: FactorSet,
    catalogue: Catalogue,
    sector: str = DEFAULT_SECTOR,
) -> FuelEmission:
    """Gas masses (t) from burning ``quantity`` ``unit`` of fuel ``code`` in ``year``."""
    if sector not in SECTORS:
        raise GapError("unknown_sector", f"unknown sector {sector!r}; expected {SECTORS}")
    gj = fuel_energy_gj(code, quantity, unit, catalogue)
    try:
        look = factors.fuel_factor(code, year, catalogue)
    except FactorMissing as exc:
        raise GapError(exc.code, str(exc))
    f = look.factor
    tj = gj / 1000.0
    return FuelEmission(
        energy_gj=gj,
        co2_t=tj * f.co2_kg_per_tj / 1000.0,
        ch4_t=tj * f.ch4_kg_per_tj[sector] / 1000.0,
        n2o_t=tj * f.n2o_kg_per_tj[sector] / 1000.0,
        biogenic=f.biogenic,
        note=look.note,
    )


def electricity_mwh(quantity: float, unit: str) -> float:
    try:
        return quantity * _ratio(unit, "MWh")
    except UnitError as exc:
        raise GapError("unit_error", str(exc))


def mass_t(quantity: float, unit: str) -> float:
    try:
        return quantity * _ratio(unit, "t")
    except UnitError as exc:
        raise GapError("unit_error", str(exc))


# -- inventory rows -------------------------------------------------------------------------


def _add(d: dict, key, value: float) -> None:
    d[key] = d.get(key, 0.0) + value


@dataclass
class InventoryRow:
    """Inventory of one entity (or aggregate) in one year.  Masses in tonnes, CO2e with the
    factor file's GWPs.  ``complete`` is False when any gap affects the row."""

    level: str  # enterprise | park | province | nation
    key: str | None
    year: int
    entities: list[str] = field(default_factory=list)
    fuel_energy_gj: float = 0.0
    combustion_by_fuel_t: dict[str, float] = field(default_factory=dict)  # tCO2e, fossil
    by_gas_t: dict[str, float] = field(default_factory=dict)  # tCO2e of Scope 1 by gas
    biogenic_co2_t: float = 0.0
    process_t: float = 0.0
    electricity_used_mwh: float = 0.0
    solar_generated_mwh: float = 0.0
    solar_exported_mwh: float = 0.0
    solar_self_consumed_mwh: float = 0.0
    grid_electricity_mwh: float = 0.0
    scope2_t: float = 0.0  # electricity + purchased steam, heat and cooling
    thermal_purchased_gj: float = 0.0
    scope2_thermal_t: float = 0.0
    months_reported: int | None = None
    months_expected: int | None = None
    grid_factor_year: int | None = None
    grid_factor: float | None = None
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def combustion_t(self) -> float:
        return sum(self.combustion_by_fuel_t.values())

    @property
    def scope1_t(self) -> float:
        return self.combustion_t + self.process_t

    @property
    def total_t(self) -> float:
        return self.scope1_t + self.scope2_t

    @property
    def complete(self) -> bool:
        return not self.gaps

    @property
    def months_label(self) -> str:
        """``"10/12"`` when the expected months are known, else ``""``."""
        if self.months_expected is None:
            return ""
        return f"{self.months_reported or 0}/{self.months_expected}"

    def merge(self, other: InventoryRow) -> None:
        for name in (
            "fuel_energy_gj", "biogenic_co2_t", "process_t", "electricity_used_mwh",
            "solar_generated_mwh", "solar_exported_mwh", "solar_self_consumed_mwh",
            "grid_electricity_mwh", "scope2_t", "thermal_purchased_gj", "scope2_thermal_t",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("months_reported", "months_expected"):
            if getattr(other, name) is not None:
                setattr(self, name, (getattr(self, name) or 0) + getattr(other, name))
        for k, v in other.combustion_by_fuel_t.items():
            _add(self.combustion_by_fuel_t, k, v)
        for k, v in other.by_gas_t.items():
            _add(self.by_gas_t, k, v)
        self.entities.extend(e for e in other.entities if e not in self.entities)
        self.gaps.extend(other.gaps)
        self.notes.extend(other.notes)
        if self.grid_factor_year is None:
            self.grid_factor_year, self.grid_factor = other.grid_factor_year, other.grid_factor


@dataclass
class Inventory:
    rows: dict[tuple[str, int], InventoryRow]
    gaps: list[Gap]
    factor_version: str
    gwp_set: str

    def get(self, entity_id: str, year: int) -> InventoryRow | None:
        return self.rows.get((entity_id, year))

    def aggregate(
        self,
        level: str,
        entity_park: Mapping[str, str] | None = None,
        park_province: Mapping[str, str] | None = None,
    ) -> dict[tuple[str | None, int], InventoryRow]:
        """Sum rows to ``level`` (enterprise, park, province, nation) per year.  Entities
        without a park (or parks without a province) are grouped under key ``None``."""
        entity_park = entity_park or {}
        park_province = park_province or {}
        if level not in ("enterprise", "park", "province", "nation"):
            raise ValueError(f"unknown level {level!r}")
        out: dict[tuple[str | None, int], InventoryRow] = {}
        for (entity, year), row in sorted(self.rows.items()):
            if level == "enterprise":
                key = entity
            elif level == "park":
                key = entity_park.get(entity)
            elif level == "province":
                park = entity_park.get(entity)
                key = park_province.get(park) if park else None
            else:
                key = "VN"
            agg = out.setdefault((key, year), InventoryRow(level, key, year))
            agg.merge(row)
        return out


def compute_inventory(
    records: Iterable[ActivityRecord],
    factors: FactorSet | None = None,
    catalogue: Catalogue | None = None,
    *,
    sectors: Mapping[str, str] | None = None,
    default_sector: str = DEFAULT_SECTOR,
    latest_grid: bool = False,
    electricity_basis: str = "consumption",
    thermal_supply: Mapping[tuple[str, str], ThermalSupply] | None = None,
    expected_months: Mapping[tuple[str, int], int] | None = None,
    reported_months: Mapping[tuple[str, int], int] | None = None,
) -> Inventory:
    """Inventory per entity and year; see the module docstring for the rules.
    ``thermal_supply``: (entity, resource code) -> the supplier's fuel and efficiency."""
    factors = factors or default_factors()
    catalogue = catalogue or default_catalogue()
    sectors = sectors or {}
    if electricity_basis not in ("consumption", "grid_import"):
        raise ValueError("electricity_basis must be 'consumption' or 'grid_import'")
    rows: dict[tuple[str, int], InventoryRow] = {}
    solar_in: dict[tuple[str, int], float] = {}
    elec_refs: dict[tuple[str, int], list[str]] = {}
    cooling_mwh: dict[tuple[str, int], float] = {}
    months_seen: dict[tuple[str, int], set] = {}
    thermal_supply = thermal_supply or {}

    def row_for(rec: ActivityRecord) -> InventoryRow:
        key = (rec.entity_id, rec.year)
        if key not in rows:
            rows[key] = InventoryRow("enterprise", rec.entity_id, rec.year, [rec.entity_id])
        return rows[key]

    def gap(row: InventoryRow, code: str, msg: str, rec: ActivityRecord | None, res=None):
        refs = [rec.ref] if rec else []
        res = res or (rec.resource_code if rec else None)
        row.gaps.append(Gap(code, msg, row.key, row.year, res, refs))

    for rec in records:
        row = row_for(rec)
        code = rec.resource_code
        if rec.month:
            months_seen.setdefault((rec.entity_id, rec.year), set()).add(rec.month)
        if rec.direction not in DIRECTIONS:
            gap(row, "bad_direction", f"direction must be one of {DIRECTIONS}", rec)
            continue
        if code not in catalogue:
            gap(row, "unknown_resource", f"resource {code} is not in the catalogue", rec)
            continue
        kind = kind_of(code)
        if rec.kind is not None and rec.kind != kind:
            gap(row, "kind_mismatch", f"kind {rec.kind!r} does not fit resource {code}", rec)
            continue
        try:
            if kind == "fuel" and rec.direction == "in":
                sector = sectors.get(rec.entity_id, default_sector)
                fe = fuel_emission(
                    code, rec.quantity, rec.unit, rec.year, factors, catalogue, sector
                )
                ch4e = fe.ch4_t * factors.gwp_of("CH4")
                n2oe = fe.n2o_t * factors.gwp_of("N2O")
                fossil = 0.0 if fe.biogenic else fe.co2_t
                row.fuel_energy_gj += fe.energy_gj
                _add(row.combustion_by_fuel_t, code, fossil + ch4e + n2oe)
                _add(row.by_gas_t, "CO2", fossil)
                _add(row.by_gas_t, "CH4", ch4e)
                _add(row.by_gas_t, "N2O", n2oe)
                if fe.biogenic:
                    row.biogenic_co2_t += fe.co2_t
                if fe.note and fe.note not in row.notes:
                    row.notes.append(fe.note)
            elif kind == "process" and rec.direction == "out" and code in GHG_EMISSIONS:
                gas = GHG_EMISSIONS[code]
                co2e = mass_t(rec.quantity, rec.unit) * factors.gwp_of(gas)
                row.process_t += co2e
                _add(row.by_gas_t, gas, co2e)
            elif kind == "electricity":
                mwh = electricity_mwh(rec.quantity, rec.unit)
                key = (rec.entity_id, rec.year)
                elec_refs.setdefault(key, []).append(rec.ref)
                if code == SOLAR_CODE:
                    if rec.direction == "in":
                        _add(solar_in, key, mwh)
                    elif rec.direction == "generated":
                        row.solar_generated_mwh += mwh
                    else:
                        row.solar_exported_mwh += mwh
                elif rec.direction == "in":
                    row.electricity_used_mwh += mwh
            elif kind == "thermal" and rec.direction == "in":
                gj = thermal_energy_gj(rec, factors)
                supply = thermal_supply.get((rec.entity_id, code)) or factors.thermal_default(code)
                row.thermal_purchased_gj += gj
                if code.startswith("energy.cooling"):
                    if not supply.cop:
                        raise GapError("missing_thermal_factor", f"no chiller COP for {code}")
                    _add(cooling_mwh, (rec.entity_id, rec.year), gj / supply.cop / 3.6)
                else:
                    if not supply.fuel or not supply.efficiency:
                        raise GapError("missing_thermal_factor", f"no supplier fuel for {code}")
                    fe = fuel_emission(supply.fuel, gj / supply.efficiency, "GJ", rec.year,
                                       factors, catalogue, "energy")  # fmt: skip
                    t = (
                        (0.0 if fe.biogenic else fe.co2_t)
                        + fe.ch4_t * factors.gwp_of("CH4")
                        + fe.n2o_t * factors.gwp_of("N2O")
                    )
                    row.scope2_thermal_t += t
                    row.scope2_t += t
                if supply.source and supply.source not in row.notes:
                    row.notes.append(supply.source)
        except GapError as exc:
            gap(row, exc.code, str(exc), rec)
        except FactorMissing as exc:
            gap(row, exc.code, str(exc), rec)

    for key, row in rows.items():
        refs = elec_refs.get(key, [])
        if key in solar_in:
            row.solar_self_consumed_mwh = solar_in[key]
        else:
            surplus = row.solar_generated_mwh - row.solar_exported_mwh
            if surplus < 0:
                gap(row, "solar_export_exceeds_generation",
                    "exported solar exceeds generated solar", None, SOLAR_CODE)  # fmt: skip
                row.gaps[-1].records = list(refs)
            row.solar_self_consumed_mwh = max(0.0, surplus)
        if electricity_basis == "consumption":
            grid = row.electricity_used_mwh - row.solar_self_consumed_mwh
            if grid < 0:
                gap(row, "solar_exceeds_consumption",
                    "self-consumed solar exceeds reported electricity use", None, SOLAR_CODE)  # fmt: skip
                row.gaps[-1].records = list(refs)
                grid = 0.0
        else:
            grid = row.electricity_used_mwh
        row.grid_electricity_mwh = grid
        chill = cooling_mwh.get(key, 0.0)
        if grid > 0 or chill > 0:
            try:
                look = factors.grid_factor(row.year, latest_available=latest_grid)
            except FactorMissing as exc:
                gap(row, exc.code, str(exc), None, "energy.electricity.grid")
                row.gaps[-1].records = list(refs)
            else:
                row.grid_factor, row.grid_factor_year = look.value, look.year_used
                row.scope2_t += grid * look.value
                row.scope2_thermal_t += chill * look.value
                row.scope2_t += chill * look.value
                if look.note:
                    row.notes.append(look.note)

    for key, expected in (expected_months or {}).items():
        if key not in rows:
            rows[key] = InventoryRow("enterprise", key[0], key[1], [key[0]])
        row = rows[key]
        if reported_months is not None and key in reported_months:
            got = int(reported_months[key])
        else:
            got = len(months_seen.get(key, ()))
        row.months_reported, row.months_expected = got, int(expected)
        if got < expected:
            gap(row, "missing_months",
                f"{got}/{expected} months reported; missing months are not zero", None, "")  # fmt: skip
            row.gaps[-1].params = {"reported": got, "expected": int(expected)}

    all_gaps = [g for row in rows.values() for g in row.gaps]
    return Inventory(rows, all_gaps, factors.version, factors.gwp_set)


# -- intensities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Intensity:
    value: float | None
    unit: str
    reason: str = ""  # why value is None, or a caveat


def intensities(
    row: InventoryRow,
    *,
    revenue_bn_vnd: float | None = None,
    value_added_bn_vnd: float | None = None,
    product_t: float | None = None,
    basis: str = "total",
) -> dict[str, Intensity]:
    """Emission intensities of ``row``: tCO2e per billion VND of revenue / value added and per
    tonne of product.  ``basis``: "total" (scope 1 + 2), "scope1" or "scope2".  A missing or
    non-positive denominator gives ``value=None`` with the reason."""
    emissions = {"total": row.total_t, "scope1": row.scope1_t, "scope2": row.scope2_t}[basis]
    caveat = "" if row.complete else "inventory incomplete (see gaps)"
    out = {}
    for name, denom, unit in (
        ("revenue", revenue_bn_vnd, "tCO2e/billion VND revenue"),
        ("value_added", value_added_bn_vnd, "tCO2e/billion VND value added"),
        ("product", product_t, "tCO2e/t product"),
    ):
        if denom is None:
            out[name] = Intensity(None, unit, f"{name} not reported")
        elif denom <= 0:
            out[name] = Intensity(None, unit, f"{name} is {denom}, not positive")
        else:
            out[name] = Intensity(emissions / denom, unit, caveat)
    return out


# -- avoided emissions (kept apart from the inventory) ----------------------------------------


@dataclass
class Avoided:
    co2e_t: float = 0.0
    by_resource_t: dict[str, float] = field(default_factory=dict)
    biogenic_co2_t: float = 0.0
    gaps: list[Gap] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)  # resources without a factor here
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.gaps


def avoided_emissions(
    reductions: Iterable[tuple[str, float, str]],
    year: int,
    factors: FactorSet | None = None,
    catalogue: Catalogue | None = None,
    *,
    sector: str = DEFAULT_SECTOR,
    latest_grid: bool = False,
    entity_id: str | None = None,
) -> Avoided:
    """Emissions avoided in ``year`` by not consuming ``(resource_code, quantity, unit)``:
    grid electricity x grid factor, fuels x combustion factors (fossil CO2 + CH4 + N2O;
    biogenic CO2 reported apart).  Other resources (water, materials, heat) have no factor in
    this module and are listed in ``not_counted``.  Never added to an inventory."""
    factors = factors or default_factors()
    catalogue = catalogue or default_catalogue()
    out = Avoided()
    for code, qty, unit in reductions:
        try:
            if code in GRID_CODES:
                look = factors.grid_factor(year, latest_available=latest_grid)
                t = electricity_mwh(qty, unit) * look.value
                if look.note:
                    out.notes.append(look.note)
            elif kind_of(code) == "fuel":
                fe = fuel_emission(code, qty, unit, year, factors, catalogue, sector)
                t = (
                    (0.0 if fe.biogenic else fe.co2_t)
                    + fe.ch4_t * factors.gwp_of("CH4")
                    + fe.n2o_t * factors.gwp_of("N2O")
                )
                if fe.biogenic:
                    out.biogenic_co2_t += fe.co2_t
            elif code in GHG_EMISSIONS:
                t = mass_t(qty, unit) * factors.gwp_of(GHG_EMISSIONS[code])
            else:
                out.not_counted.append(code)
                continue
        except (GapError, FactorMissing) as exc:
            out.gaps.append(Gap(exc.code, str(exc), entity_id, year, code))
            continue
        out.co2e_t += t
        _add(out.by_resource_t, code, t)
    return out
