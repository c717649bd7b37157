"""Programme results: roll-up of RECP measures and symbioses for any selection of parks,
provinces and years, and the seed-002 results sentence regenerated from the data.

Counting rules:
* A measure is in the selection when its enterprise is in a selected park and province and
  its reference year (implementation year if implemented/verified, else the year it was
  identified or planned) is among the selected years.  Measures of enterprises not in
  ``enterprises`` are left out and listed in ``warnings``.
* Every measure in the selection counts as identified; "implemented" means status
  implemented or verified.  Investment, VND/yr savings, resource savings and tCO2e/yr are
  summed over implemented measures only.
* tCO2e/yr of a measure: the assessor's figure when given, else computed from its savings
  with the emission factors (:func:`eiphub.core.recp.measure_co2e`); measures whose CO2e
  cannot be computed completely are listed in ``co2e_gaps``.
* Enterprises engaged: with at least one measure in the selection; implementing: with at
  least one implemented measure.  ``recp_share`` = implementing / enterprises in scope (the
  selected parks' enterprises), the quantity behind form B.5 ENV.2.
* Symbioses: status "operating" in a selected park, started (``start_year``) no later than
  the last selected year; their benefits are reported apart from RECP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .catalogue import Catalogue, default_catalogue
from .factors import FactorSet
from .numbers import format_number
from .recp import Measure, Saving, measure_co2e
from .units import UnitError, convert

ELECTRICITY_GJ_PER_MWH = 3.6


@dataclass(frozen=True)
class EnterpriseRef:
    id: str
    park_id: str | None
    province: str | None
    name: str = ""


@dataclass(frozen=True)
class SymbiosisRef:
    id: str
    park_id: str | None
    status: str  # "operating" counts; anything else does not
    participants: tuple[str, ...] = ()
    benefits_vnd_per_year: float = 0.0
    co2e_t_per_year: float = 0.0
    investment_vnd: float = 0.0
    savings: tuple[Saving, ...] = ()
    start_year: int | None = None


@dataclass(frozen=True)
class Selection:
    parks: frozenset[str] | None = None
    provinces: frozenset[str] | None = None
    years: frozenset[int] | None = None

    def __post_init__(self):
        for name in ("parks", "provinces", "years"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, frozenset(value))

    def has_enterprise(self, e: EnterpriseRef) -> bool:
        return (self.parks is None or e.park_id in self.parks) and (
            self.provinces is None or e.province in self.provinces
        )

    def has_year(self, year: int | None) -> bool:
        return self.years is None or (year is not None and year in self.years)


@dataclass
class Rollup:
    selection: Selection
    enterprises_in_scope: int = 0
    enterprises_engaged: int = 0
    enterprises_implementing: int = 0
    measures_identified: int = 0
    measures_implemented: int = 0
    measures_by_status: dict[str, int] = field(default_factory=dict)
    measures_by_practice: dict[str, int] = field(default_factory=dict)
    investment_vnd: float = 0.0
    savings_vnd_per_year: float = 0.0
    savings_by_resource: dict[str, float] = field(default_factory=dict)  # canonical units
    energy_saved_gj: float = 0.0
    electricity_saved_mwh: float = 0.0
    water_saved_m3: float = 0.0
    materials_saved_t: float = 0.0
    chemicals_saved_t: float = 0.0
    waste_reduced_t: float = 0.0
    co2e_t_per_year: float = 0.0
    co2e_gaps: list[str] = field(default_factory=list)
    symbioses_operating: int = 0
    symbiosis_benefits_vnd_per_year: float = 0.0
    symbiosis_co2e_t_per_year: float = 0.0
    records: dict[str, list[str]] = field(default_factory=dict)  # figure -> record ids
    _seen: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)
    warnings: list[str] = field(default_factory=list)

    @property
    def recp_share(self) -> float | None:
        if not self.enterprises_in_scope:
            return None
        return self.enterprises_implementing / self.enterprises_in_scope


def _note(rollup: Rollup, key: str, record_id: str) -> None:
    """Record a drill-down id once, keeping first-seen order (set lookup, not list scan)."""
    seen = rollup._seen.setdefault(key, set())
    if record_id not in seen:
        seen.add(record_id)
        rollup.records.setdefault(key, []).append(record_id)


def _add_saving(rollup: Rollup, s: Saving, catalogue: Catalogue) -> None:
    res = catalogue.get(s.resource_code)
    if res is None or res.unit is None:
        raise UnitError("unknown_resource", f"unknown resource {s.resource_code}")
    q = catalogue.to_canonical(s.resource_code, s.quantity, s.unit)
    code = s.resource_code
    rollup.savings_by_resource[code] = rollup.savings_by_resource.get(code, 0.0) + q
    if code.startswith("energy.electricity"):
        mwh = convert(q, res.unit, "MWh")
        rollup.electricity_saved_mwh += mwh
        rollup.energy_saved_gj += mwh * ELECTRICITY_GJ_PER_MWH
    elif res.group == "energy":
        if _is_energy(res.unit):
            rollup.energy_saved_gj += convert(q, res.unit, "GJ")
        elif res.lhv_gj_per_t:
            rollup.energy_saved_gj += (
                convert(q, res.unit, "t", density_kg_per_m3=res.density_kg_per_m3)
                * res.lhv_gj_per_t
            )
        else:
            rollup.warnings.append(f"{code}: no heating value, not added to energy saved")
    elif res.group == "water":
        rollup.water_saved_m3 += convert(q, res.unit, "m3", density_kg_per_m3=1000)
    elif res.group == "material":
        rollup.materials_saved_t += convert(q, res.unit, "t")
    elif res.group == "chemical":
        rollup.chemicals_saved_t += convert(
            q, res.unit, "t", density_kg_per_m3=res.density_kg_per_m3
        )
    elif res.group in ("waste", "byproduct"):
        rollup.waste_reduced_t += convert(q, res.unit, "t", density_kg_per_m3=res.density_kg_per_m3)


def _is_energy(unit: str) -> bool:
    try:
        convert(1, unit, "GJ")
        return True
    except UnitError:
        return False


def programme_rollup(
    measures: Iterable[Measure],
    symbioses: Iterable[SymbiosisRef],
    enterprises: Iterable[EnterpriseRef],
    selection: Selection | None = None,
    *,
    factors: FactorSet | None = None,
    catalogue: Catalogue | None = None,
    latest_grid: bool = False,
) -> Rollup:
    """Programme results for ``selection`` (see the module docstring for the rules).
    ``latest_grid`` lets measures implemented in years without a grid factor use the nearest
    available year (see :meth:`FactorSet.grid_factor`); otherwise they are CO2e gaps."""
    selection = selection or Selection()
    catalogue = catalogue or default_catalogue()
    ents = {e.id: e for e in enterprises}
    in_scope = {e.id for e in ents.values() if selection.has_enterprise(e)}
    parks_in_scope = {ents[e].park_id for e in in_scope}
    r = Rollup(selection, enterprises_in_scope=len(in_scope))
    engaged: set[str] = set()
    implementing: set[str] = set()
    for m in measures:
        if m.enterprise_id not in ents:
            r.warnings.append(f"measure {m.id}: unknown enterprise {m.enterprise_id}")
            continue
        if m.enterprise_id not in in_scope or not selection.has_year(m.reference_year):
            continue
        engaged.add(m.enterprise_id)
        r.measures_identified += 1
        r.measures_by_status[m.status] = r.measures_by_status.get(m.status, 0) + 1
        _note(r, "measures_identified", m.id)
        _note(r, "enterprises_engaged", m.enterprise_id)
        if not m.implemented:
            continue
        implementing.add(m.enterprise_id)
        r.measures_implemented += 1
        r.measures_by_practice[m.practice] = r.measures_by_practice.get(m.practice, 0) + 1
        _note(r, "measures_implemented", m.id)
        _note(r, "enterprises_implementing", m.enterprise_id)
        r.investment_vnd += m.investment_vnd
        r.savings_vnd_per_year += m.savings_vnd_per_year
        if m.investment_vnd:
            _note(r, "investment_vnd", m.id)
        if m.savings_vnd_per_year:
            _note(r, "savings_vnd_per_year", m.id)
        for s in m.savings:
            try:
                _add_saving(r, s, catalogue)
                _note(r, f"saving:{s.resource_code}", m.id)
            except UnitError as exc:
                r.warnings.append(f"measure {m.id}: {exc}")
        if m.co2e_t_per_year is not None:
            r.co2e_t_per_year += m.co2e_t_per_year
            _note(r, "co2e_t_per_year", m.id)
        elif m.savings:
            avoided = measure_co2e(m, factors, catalogue=catalogue, latest_grid=latest_grid)
            r.co2e_t_per_year += avoided.co2e_t
            if avoided.co2e_t:
                _note(r, "co2e_t_per_year", m.id)
            if not avoided.complete:
                r.co2e_gaps.append(m.id)
    r.enterprises_engaged = len(engaged)
    r.enterprises_implementing = len(implementing)
    last_year = max(selection.years) if selection.years else None
    for s in symbioses:
        if s.status != "operating" or s.park_id not in parks_in_scope:
            continue
        if last_year is not None and s.start_year is not None and s.start_year > last_year:
            continue
        r.symbioses_operating += 1
        r.symbiosis_benefits_vnd_per_year += s.benefits_vnd_per_year
        r.symbiosis_co2e_t_per_year += s.co2e_t_per_year
        _note(r, "symbioses_operating", s.id)
    return r


def _years_text(years: frozenset[int] | None, lang: str) -> str:
    if not years:
        return ""
    lo, hi = min(years), max(years)
    span = str(lo) if lo == hi else f"{lo}–{hi}"
    if lang.startswith("vi"):
        return f"Giai đoạn {span}, " if lo != hi else f"Năm {span}, "
    return f"In {span}, "


def _co2_text(t: float, lang: str) -> str:
    vi = lang.startswith("vi")
    if abs(t) >= 1000:
        return f"{format_number(t / 1000, lang)} {'nghìn tấn' if vi else 'kt'} CO2e"
    return f"{format_number(t, lang, 0)} {'tấn' if vi else 't'} CO2e"


def rollup_sentence(rollup: Rollup, lang: str = "vi") -> str:
    """The seed-002 results sentence regenerated from ``rollup`` in Vietnamese or English."""
    vi = lang.startswith("vi")
    prefix = _years_text(rollup.selection.years, lang)
    if rollup.measures_implemented == 0:
        text = (
            "chưa có giải pháp sản xuất sạch hơn nào được ghi nhận là đã thực hiện."
            if vi
            else "no implemented RECP solution has been recorded."
        )
        return (prefix + text) if prefix else text[0].upper() + text[1:]
    n_ent = format_number(rollup.enterprises_implementing, lang, 0)
    n_meas = format_number(rollup.measures_implemented, lang, 0)
    saved = format_number(rollup.savings_vnd_per_year / 1e9, lang)
    invest = format_number(rollup.investment_vnd / 1e9, lang)
    co2 = _co2_text(rollup.co2e_t_per_year, lang)
    if vi:
        text = (
            f"{n_ent} doanh nghiệp đã thực hiện {n_meas} giải pháp tiết kiệm năng lượng và "
            f"sản xuất sạch hơn, tiết kiệm {saved} tỷ đồng/năm và huy động được {invest} tỷ "
            f"đồng từ khu vực tư nhân, cắt giảm được {co2} hằng năm."
        )
        if rollup.symbioses_operating:
            text += (
                f" {format_number(rollup.symbioses_operating, lang, 0)} mô hình cộng sinh công "
                f"nghiệp đang vận hành, mang lại "
                f"{format_number(rollup.symbiosis_benefits_vnd_per_year / 1e9, lang)} tỷ đồng/năm."
            )
    else:
        text = (
            f"{n_ent} enterprises carried out {n_meas} RECP solutions, saving {saved} billion "
            f"VND a year, mobilising {invest} billion VND of private investment and cutting "
            f"{co2} a year."
        )
        if rollup.symbioses_operating:
            n = rollup.symbioses_operating
            verb = "industrial symbiosis operates" if n == 1 else "industrial symbioses operate"
            text += (
                f" {format_number(n, lang, 0)} {verb}, bringing "
                f"{format_number(rollup.symbiosis_benefits_vnd_per_year / 1e9, lang)} billion "
                f"VND a year."
            )
    if prefix:
        return prefix + text
    return text
