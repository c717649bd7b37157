"""Named computations over a park or enterprise snapshot.

A pack criterion with ``evaluation: computed`` names one of these functions
(``computation: recp_share``) and may set its ``params``.  Each function
returns a :class:`Computed`: the value, the evidence behind it (which
enterprises, measures, flows count, which lack data) and, where missing data
could change the answer, the lowest and highest value it could take.

Register a new computation with ``@computation("name", params={...})``; the
pack schema checks names and params against this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eiphub.core.catalogue import default_catalogue
from eiphub.core.ghg import (
    ActivityRecord,
    GapError,  # raised for unconvertible records
    compute_inventory,
    fuel_energy_gj,
)
from eiphub.core.units import convert

from .data import (
    REUSE_FATES,
    UTILISED_FATES,
    Certificate,
    EnterpriseInfo,
    EnterpriseSnapshot,
    FlowTotal,
    ParkSnapshot,
    RecpMeasure,
)

Snapshot = ParkSnapshot | EnterpriseSnapshot


@dataclass
class Evidence:
    counted: list = field(default_factory=list)
    not_counted: list = field(default_factory=list)
    missing_data: list = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    summary_vi: str = ""
    summary_en: str = ""


@dataclass
class Computed:
    value: Any
    evidence: Evidence
    low: Any = None  # value if every missing item turns out unfavourable
    high: Any = None  # ... favourable
    numerator: float | None = None
    denominator: float | None = None
    complete: bool = True  # False: the figure is a partial sum (e.g. inventory with gaps)


@dataclass(frozen=True)
class Computation:
    name: str
    fn: Callable[[Snapshot, dict], Computed]
    scopes: tuple[str, ...]
    params: dict  # allowed params -> default value (REQUIRED marks a required one)
    unit: str
    description: str
    choices: dict = field(default_factory=dict)  # param -> allowed values (checked by the schema)


REQUIRED = object()
REGISTRY: dict[str, Computation] = {}
SCOPE_DATA = {"park": "park", "new_park": "park", "enterprise": "enterprise"}

BOOL_ATTRIBUTES = (
    "has_grievance_procedure",
    "publishes_information",
    "gender_equality_practice",
    "anti_harassment_rules",
    "compliance_ok",
)
OUTPUT_FIELDS = ("value_added_vnd", "revenue_vnd")
DEFAULT_RECP_GROUPS = ["material", "water", "energy", "chemical", "waste", "emission"]
SOLAR = "energy.electricity.solar"
FRESH_WATER = ["water.fresh", "water.ground", "water.surface"]


def computation(name: str, *, scopes=("park",), params=None, unit="", description="", choices=None):
    def register(fn):
        REGISTRY[name] = Computation(
            name,
            fn,
            tuple(scopes),
            dict(params or {}),
            unit,
            description or (fn.__doc__ or ""),
            dict(choices or {}),
        )
        return fn

    return register


def resolve_params(name: str, given: dict | None) -> dict:
    comp = REGISTRY[name]
    out = {k: v for k, v in comp.params.items() if v is not REQUIRED}
    out.update(given or {})
    return out


# ----------------------------------------------------------------- helpers


def is_a(code: str, ancestor: str) -> bool:
    """Dotted resource codes: 'water.wastewater.process' is a 'water.wastewater'."""
    return code == ancestor or code.startswith(ancestor + ".")


def _is_any(code: str, ancestors: Iterable[str]) -> bool:
    return any(is_a(code, a) for a in ancestors)


def _enterprises(snap: Snapshot) -> list[EnterpriseInfo]:
    return list(snap.enterprises) if isinstance(snap, ParkSnapshot) else [snap.enterprise]


def _flows(snap: Snapshot) -> list[FlowTotal]:
    return [f for f in snap.flows if f.year == snap.year]


def _facilities(snap: Snapshot, kind: str):
    if not isinstance(snap, ParkSnapshot):
        return []
    return [f for f in snap.facilities if f.kind == kind and f.year == snap.year]


def _ref(e: EnterpriseInfo) -> dict:
    return {"type": "enterprise", "id": e.id, "name": e.name}


def _pct(num: float, den: float) -> float:
    return round(100.0 * num / den, 6)


def share_of_enterprises(counted, not_counted, missing, records, what_vi, what_en) -> Computed:
    """Share (%) of enterprises: missing ones are not counted in ``value`` and
    bound the answer between ``low`` and ``high``."""
    c, n, m = len(counted), len(not_counted), len(missing)
    total = c + n + m
    ev = Evidence(
        counted=[x["id"] for x in counted],
        not_counted=[x["id"] for x in not_counted],
        missing_data=[x["id"] for x in missing],
        records=records,
        summary_vi=f"{c}/{total} doanh nghiệp {what_vi}; {m} doanh nghiệp thiếu dữ liệu",
        summary_en=f"{c} of {total} enterprises {what_en}; {m} enterprises lack data",
    )
    if total == 0:
        ev.summary_vi, ev.summary_en = (
            "Không có doanh nghiệp thuộc phạm vi",
            "No enterprise in scope",
        )
        return Computed(None, ev)
    return Computed(_pct(c, total), ev, _pct(c, total), _pct(c + m, total), c, total)


def _flag(value: bool | None, what_vi: str, what_en: str, records: list[dict]) -> Computed:
    state = {True: "có", False: "không", None: "chưa có dữ liệu"}[value]
    state_en = {True: "yes", False: "no", None: "no data"}[value]
    ev = Evidence(
        records=records, summary_vi=f"{what_vi}: {state}", summary_en=f"{what_en}: {state_en}"
    )
    return Computed(value, ev, low=value, high=value)


def recp_standing(
    measures: list[RecpMeasure], enterprise_id, day, params
) -> tuple[str, list[dict]]:
    """'counted' if the enterprise has an implemented RECP measure with
    achieved savings; 'missing' if implemented measures lack savings figures;
    else 'not_counted'.  Also returns one record per measure."""
    groups = params.get("resource_groups") or DEFAULT_RECP_GROUPS
    since = params.get("since_years")
    records, qualifies, lacks = [], False, False
    for m in measures:
        if m.enterprise_id != enterprise_id:
            continue
        rec = {"type": "recp_measure", "id": m.id, "enterprise": enterprise_id, "status": m.status}
        records.append(rec)
        if m.status != "implemented":
            rec["reason"] = f"status {m.status}"
            continue
        if m.implemented_on and m.implemented_on > day:
            rec["reason"] = "implemented after the reporting date"
            continue
        if since and m.implemented_on and (day - m.implemented_on).days > 365.25 * since:
            rec["reason"] = f"implemented more than {since} years ago"
            continue
        if params.get("require_verified") and not m.verified:
            rec["reason"] = "savings not verified"
            continue
        saved = {k: v for k, v in m.savings.items() if _is_any(k, groups) and v and v > 0}
        if saved or (m.savings_vnd or 0) > 0:
            rec.update(qualifies=True, savings=saved, savings_vnd=m.savings_vnd)
            qualifies = True
        elif not m.savings and m.savings_vnd is None:
            rec["reason"] = "no savings figures reported"
            lacks = True
        else:
            rec["reason"] = "no achieved savings"
    if qualifies:
        return "counted", records
    return ("missing" if lacks else "not_counted"), records


def _declared_with_evidence(e: EnterpriseInfo | None, group: list[str]) -> bool:
    for standard, documents in (e.iso_applied if e else {}).items():
        if documents and any(Certificate(standard).matches(s) for s in group):
            return True
    return False


def iso_gaps(
    e: EnterpriseInfo | None, day, requirements: list[list[str]], accept_declared: bool = False
) -> list[str]:
    """Requirement groups (each 'any of these standards') that the enterprise does not meet
    with a certificate valid on ``day`` or, with ``accept_declared``, a declaration that it
    applies one of the standards backed by evidence documents."""
    gaps = []
    for group in requirements:
        certs = [c for c in (e.iso_certificates if e else []) if any(c.matches(s) for s in group)]
        if accept_declared and _declared_with_evidence(e, group):
            continue
        if not any(c.is_valid_on(day) for c in certs):
            expired = [c for c in certs if c.valid_to and c.valid_to < day]
            label = " or ".join(group)
            gaps.append(f"{label} expired {expired[0].valid_to}" if expired else f"no {label}")
    return gaps


def energy_gj(code: str, quantity: float, unit: str) -> float | None:
    """Energy content of a flow in GJ (energy units as they are, fuels by the
    catalogue's heating value, as :func:`eiphub.core.ghg.fuel_energy_gj`), or
    None if it cannot be converted (e.g. steam in tonnes)."""
    try:
        return fuel_energy_gj(code, quantity, unit, default_catalogue())
    except GapError:
        return None


def _output_enterprises(snap: Snapshot, output: str):
    """Enterprises with the output figure and at least one flow this year, and
    the ones missing either."""
    reporting = {f.enterprise_id for f in _flows(snap)}
    have, missing = [], []
    for e in _enterprises(snap):
        (have if getattr(e, output) and e.id in reporting else missing).append(e)
    return have, missing


# ----------------------------------------------------------------- park computations


@computation(
    "recp_share",
    params={"resource_groups": DEFAULT_RECP_GROUPS, "require_verified": False, "since_years": None},
    unit="%",
)
def recp_share(snap: ParkSnapshot, params: dict) -> Computed:
    """Share (%) of the park's enterprises with at least one implemented RECP
    measure that achieved savings of materials, water, energy, chemicals,
    wastes or emissions."""
    counted, not_counted, missing, records = [], [], [], []
    by_enterprise: dict = {}
    for m in snap.recp_measures:
        by_enterprise.setdefault(m.enterprise_id, []).append(m)
    for e in snap.enterprises:
        standing, recs = recp_standing(by_enterprise.get(e.id, []), e.id, snap.day, params)
        records.extend(recs)
        {"counted": counted, "not_counted": not_counted, "missing": missing}[standing].append(
            _ref(e)
        )
    return share_of_enterprises(
        counted,
        not_counted,
        missing,
        records,
        "áp dụng RECP có tiết kiệm",
        "apply RECP with savings",
    )


@computation(
    "enterprise_share",
    params={"attribute": REQUIRED, "workers_over": None},
    choices={"attribute": BOOL_ATTRIBUTES},
    unit="%",
)
def enterprise_share(snap: ParkSnapshot, params: dict) -> Computed:
    """Share (%) of enterprises (optionally only those with more than
    ``workers_over`` workers) for which a yes/no attribute is true."""
    attr, over = params["attribute"], params.get("workers_over")
    counted, not_counted, missing, records = [], [], [], []
    for e in snap.enterprises:
        ref = _ref(e)
        if over is not None and e.workers_total is None:
            missing.append(ref)
            records.append({**ref, "reason": "number of workers unknown"})
            continue
        if over is not None and e.workers_total <= over:
            records.append({**ref, "reason": f"{e.workers_total} workers, not in scope"})
            continue
        value = getattr(e, attr)
        (counted if value else missing if value is None else not_counted).append(ref)
        records.append({**ref, attr: value})
    scope_vi = f" (trên {over} lao động)" if over is not None else ""
    scope_en = f" (over {over} workers)" if over is not None else ""
    return share_of_enterprises(
        counted, not_counted, missing, records, f"đạt{scope_vi}", f"qualify{scope_en}"
    )


@computation(
    "symbiosis_count",
    params={
        "require_realised": True,
        "iso_requirements": [],
        "iso_accept_declared": False,
        "iso_source": "",
        "min_participants": 2,
        "operated": "on_reporting_date",
    },
    choices={"operated": ("on_reporting_date", "in_year")},
    unit="count",
)
def symbiosis_count(snap: ParkSnapshot, params: dict) -> Computed:
    """Number of industrial symbioses operating on the reporting date (``operated:
    on_reporting_date``) or on at least one day of the reporting year up to that date
    (``in_year``), by their status history (not today's status), with a realised exchange
    in the year, optionally only those whose participants all apply the ISO
    management systems of ``iso_requirements`` (a list of groups, each satisfied by any one
    standard in it): a valid certificate or, with ``iso_accept_declared``, a declaration
    with evidence.  Cross-park rule: a symbiosis counts for every park where one of its
    participants is a tenant; participants in other parks are judged on their own
    certificates and declarations (``snap.partners``)."""
    requirements = params.get("iso_requirements") or []
    declared = bool(params.get("iso_accept_declared"))
    first = date(snap.year, 1, 1) if params.get("operated") == "in_year" else snap.day
    counted, not_counted, missing, records = [], [], [], []
    for s in snap.symbioses:
        rec = {"type": "symbiosis", "id": s.id, "participants": list(s.participants)}
        records.append(rec)
        if not s.operated_between(first, snap.day):
            rec["reason"] = f"not operating (status {s.status_on(snap.day)})"
            not_counted.append(s.id)
            continue
        if len(set(s.participants)) < params.get("min_participants", 2):
            rec["reason"] = "fewer than two participants"
            not_counted.append(s.id)
            continue
        if params.get("require_realised") and not s.realised_quantity:
            lacks = s.realised_quantity is None
            rec["reason"] = "no realised exchange recorded" if lacks else "nothing exchanged"
            (missing if lacks else not_counted).append(s.id)
            continue
        unknown = [p for p in s.participants if snap.participant(p) is None]
        gaps = {
            p: iso_gaps(snap.participant(p), snap.day, requirements, declared)
            for p in s.participants
        }
        gaps = {p: g for p, g in gaps.items() if g}
        if requirements and unknown:
            rec["reason"] = f"participants without data: {unknown}"
            missing.append(s.id)
        elif requirements and gaps:
            rec["reason"] = "participants without the ISO management systems"
            rec["iso_gaps"] = gaps
            not_counted.append(s.id)
        else:
            rec["qualifies"] = True
            if any(snap.enterprise(p) is None for p in s.participants):
                rec["cross_park"] = True
            counted.append(s.id)
    c, m = len(counted), len(missing)
    ev = Evidence(
        counted,
        not_counted,
        missing,
        records,
        summary_vi=f"{c} liên kết cộng sinh đạt / {len(snap.symbioses)} liên kết; {m} thiếu dữ liệu",
        summary_en=f"{c} qualifying symbioses of {len(snap.symbioses)}; {m} lack data",
    )
    if requirements and params.get("iso_source"):
        records.append({"type": "rule", "iso_requirements": requirements,
                        "iso_accept_declared": declared, "source": params["iso_source"]})  # fmt: skip
    return Computed(c, ev, c, c + m)


@computation(
    "wastewater_reuse_share",
    params={
        "resource": "water.wastewater",
        "exclude": ["water.wastewater.domestic"],
        "reuse_fates": list(REUSE_FATES),
        "central_fates": ["treatment", "central_treatment"],
    },
    unit="%",
)
def wastewater_reuse_share(snap: ParkSnapshot, params: dict) -> Computed:
    """Share (%) of the enterprises' industrial wastewater that is reused or recirculated,
    on one basis (industrial wastewater only, domestic excluded from both terms):

        ENV.3 = (R_ent + R_wwtp x I_c / (I_c + D_c)) / G x 100

    G: industrial wastewater generated by the enterprises; R_ent: the part of it they reuse,
    recirculate or exchange; R_wwtp: the central WWTP's reused effluent; I_c and D_c: the
    industrial and the domestic wastewater the plant received (its metered in-flows by
    resource; when it records none, what the enterprises sent to treatment), so that only
    the industrial share of the plant's reuse counts.  When neither is recorded the share is
    unknown: missing data, and the value bounds it (low: none of it industrial, high: all)."""
    res, exclude, fates = params["resource"], params["exclude"], params["reuse_fates"]
    central_fates = params["central_fates"]
    generated = reused = to_central = excluded_to_central = 0.0
    reporting, records = set(), []
    for f in _flows(snap):
        if f.enterprise_id is None or f.direction != "out" or not is_a(f.resource_code, res):
            continue
        if _is_any(f.resource_code, exclude):
            if f.fate in central_fates:
                excluded_to_central += f.quantity
            continue
        reporting.add(f.enterprise_id)
        generated += f.quantity
        if f.fate in fates:
            reused += f.quantity
        elif f.fate in central_fates:
            to_central += f.quantity
        records.append(
            {
                "type": "flow",
                "enterprise": f.enterprise_id,
                "resource": f.resource_code,
                "quantity": f.quantity,
                "unit": f.unit,
                "fate": f.fate,
                "month": f.month,
            }
        )
    missing = [e.id for e in snap.enterprises if e.id not in reporting]
    plant = plant_in = plant_domestic = 0.0
    for w in _facilities(snap, "wwtp"):
        records.append({"type": "facility", "id": w.id, "kind": "wwtp", "reused_m3": w.reused_m3})
        if w.reused_m3 is None:
            missing.append(w.id)
        plant += w.reused_m3 or 0.0
        plant_in += w.inflow_m3 or 0.0
        plant_domestic += w.inflow_domestic_m3 or 0.0
    if plant_in > 0:  # the plant's own metered in-flows decide the share
        to_central, excluded_to_central = plant_in - plant_domestic, plant_domestic
    sent = to_central + excluded_to_central
    share = to_central / sent if sent > 0 else None
    if plant > 0 and share is None:
        missing.append("wwtp: industrial share of the treated water unknown")
    central = plant * (share or 0.0)
    records.append(
        {"type": "basis", "industrial_to_treatment_m3": to_central,
         "domestic_to_treatment_m3": excluded_to_central, "wwtp_reused_m3": plant,
         "industrial_share": share, "wwtp_reused_industrial_m3": central}
    )  # fmt: skip
    ev = Evidence(
        counted=sorted(reporting, key=str),
        missing_data=missing,
        records=records,
        summary_vi=f"Tái sử dụng {reused + central:g}/{generated:g} m3 nước thải công nghiệp; "
        f"{len(missing)} nguồn thiếu dữ liệu",
        summary_en=f"{reused + central:g} of {generated:g} m3 industrial wastewater reused; "
        f"{len(missing)} sources lack data",
    )
    if generated <= 0:
        return Computed(None, ev)
    value = min(100.0, _pct(reused + central, generated))
    low = high = value
    if plant > 0 and share is None:
        high = min(100.0, _pct(reused + plant, generated))
    return Computed(value, ev, low, high, numerator=reused + central, denominator=generated)


@computation("green_area_share", unit="%")
def green_area_share(snap: ParkSnapshot, params: dict) -> Computed:
    """Green area as a share (%) of the park's total area."""
    p = snap.park
    rec = [
        {
            "type": "park",
            "id": p.code,
            "green_area_ha": p.green_area_ha,
            "total_area_ha": p.total_area_ha,
        }
    ]
    ev = Evidence(
        records=rec,
        summary_vi=f"Cây xanh {p.green_area_ha} ha / {p.total_area_ha} ha",
        summary_en=f"Green area {p.green_area_ha} ha of {p.total_area_ha} ha",
    )
    if p.green_area_ha is None or not p.total_area_ha:
        ev.missing_data = [p.code]
        return Computed(None, ev)
    v = _pct(p.green_area_ha, p.total_area_ha)
    return Computed(v, ev, v, v, p.green_area_ha, p.total_area_ha)


@computation("years_since_establishment", scopes=("park",), unit="years")
def years_since_establishment(snap: ParkSnapshot, params: dict) -> Computed:
    """Years from the park's establishment to the reporting date."""
    est = snap.park.established_on
    ev = Evidence(records=[{"type": "park", "id": snap.park.code, "established_on": est}])
    if est is None:
        ev.missing_data = [snap.park.code]
        ev.summary_vi, ev.summary_en = "Chưa có ngày thành lập", "Establishment date unknown"
        return Computed(None, ev)
    years = round((snap.day - est).days / 365.25, 2)
    ev.summary_vi = f"Thành lập {est}, {years} năm đến {snap.day}"
    ev.summary_en = f"Established {est}, {years} years to {snap.day}"
    return Computed(years, ev, years, years)


# ----------------------------------------------------------------- park or enterprise


@computation(
    "renewable_share",
    scopes=("park", "enterprise"),
    params={"basis": "energy", "renewable_fuels": ["energy.fuel.biomass", "energy.fuel.biogas"]},
    choices={"basis": ("energy", "electricity")},
    unit="%",
)
def renewable_share(snap: Snapshot, params: dict) -> Computed:
    """Renewable share (%) of energy used (``basis: energy``, in GJ) or of
    electricity used (``basis: electricity``).  Flow-form convention (as in
    :mod:`eiphub.core.ghg`): ``energy.electricity``/``.grid`` in-flows are the
    total electricity use, rooftop solar included; self-consumed solar is the
    ``energy.electricity.solar`` in-flow, else generated minus exported.  Park
    rooftop-solar facilities add their generation to both sides."""
    elec_only = params["basis"] == "electricity"
    use: dict = {}  # enterprise -> [electricity use, solar in, solar generated, solar out]
    total = renewable = 0.0
    records, missing = [], []
    for f in _flows(snap):
        if f.enterprise_id is None or not is_a(f.resource_code, "energy"):
            continue
        gj = energy_gj(f.resource_code, f.quantity, f.unit)
        rec = {
            "type": "flow",
            "enterprise": f.enterprise_id,
            "resource": f.resource_code,
            "direction": f.direction,
            "quantity": f.quantity,
            "unit": f.unit,
            "gj": gj,
        }
        if gj is None:
            if f.direction == "in":
                rec["reason"] = "cannot convert to energy"
                missing.append(f.enterprise_id)
                records.append(rec)
            continue
        e = use.setdefault(f.enterprise_id, [0.0, None, 0.0, 0.0])
        if f.resource_code == SOLAR:
            slot = {"in": 1, "generated": 2, "out": 3}.get(f.direction)
            if slot:
                e[slot] = (e[slot] or 0.0) + gj
        elif is_a(f.resource_code, "energy.electricity"):
            if f.direction == "in":
                e[0] += gj
        elif f.direction == "in" and not elec_only:
            total += gj
            if _is_any(f.resource_code, params["renewable_fuels"]):
                renewable += gj
        else:
            continue
        records.append(rec)
    for elec, solar_in, generated, exported in use.values():
        solar = solar_in if solar_in is not None else max(0.0, generated - exported)
        total += max(elec, solar)
        renewable += solar
    for s in _facilities(snap, "solar"):
        gj = convert(s.generation_kwh or 0.0, "kWh", "GJ")
        records.append({"type": "facility", "id": s.id, "kind": "solar", "gj": gj})
        total += gj
        renewable += gj
    ev = Evidence(
        missing_data=missing,
        records=records,
        summary_vi=f"Tái tạo {renewable:.1f}/{total:.1f} GJ",
        summary_en=f"Renewable {renewable:.1f} of {total:.1f} GJ",
    )
    if total <= 0:
        return Computed(None, ev)
    return Computed(_pct(renewable, total), ev, numerator=renewable, denominator=total)


@computation(
    "intensity",
    scopes=("park", "enterprise"),
    params={
        "resources": REQUIRED,
        "exclude": [],
        "measure": "quantity",
        "output": "value_added_vnd",
        "per_vnd": 1e9,
        "mode": "intensity",
    },
    choices={
        "measure": ("quantity", "energy_gj", "energy_tce"),
        "output": OUTPUT_FIELDS,
        "mode": ("intensity", "productivity"),
    },
)
def intensity(snap: Snapshot, params: dict) -> Computed:
    """Resource use per ``per_vnd`` of output (``mode: intensity``) or output
    in ``per_vnd`` per unit of resource (``mode: productivity``).  ``measure``
    is ``quantity`` (canonical unit), ``energy_gj`` or ``energy_tce``.  Only
    enterprises reporting both flows and output are included."""
    have, lacking = _output_enterprises(snap, params["output"])
    ids = {e.id for e in have}
    used, records, unconvertible = 0.0, [], []
    for f in _flows(snap):
        if f.enterprise_id not in ids or f.direction != "in":
            continue
        if not _is_any(f.resource_code, params["resources"]) or _is_any(
            f.resource_code, params["exclude"]
        ):
            continue
        q = f.quantity
        if params["measure"] != "quantity" and f.resource_code == SOLAR:
            continue  # self-consumed solar is already in the electricity use (flow-form rule)
        if params["measure"] != "quantity":
            q = energy_gj(f.resource_code, f.quantity, f.unit)
            if q is None:
                unconvertible.append(f.enterprise_id)
                continue
            if params["measure"] == "energy_tce":
                q = convert(q, "GJ", "tce")
        used += q
        records.append(
            {
                "type": "flow",
                "enterprise": f.enterprise_id,
                "resource": f.resource_code,
                "amount": q,
            }
        )
    output = sum(getattr(e, params["output"]) for e in have) / params["per_vnd"]
    ev = Evidence(
        counted=[e.id for e in have],
        missing_data=[e.id for e in lacking] + unconvertible,
        records=records,
        summary_vi=f"{len(have)} doanh nghiệp có đủ số liệu; {len(lacking)} thiếu dữ liệu",
        summary_en=f"{len(have)} enterprises with flows and output; {len(lacking)} lack data",
    )
    if params["mode"] == "productivity":
        return Computed(
            round(output / used, 6) if used > 0 else None, ev, numerator=output, denominator=used
        )
    return Computed(
        round(used / output, 6) if output > 0 else None, ev, numerator=used, denominator=output
    )


def snapshot_inventory(snap: Snapshot, ids: set[str], latest_grid: bool = True):
    """The GHG inventory of the enterprises ``ids`` of a snapshot, by the same function and
    rules as the GHG pages (:func:`eiphub.recp.services.inventory_for`): Scope 1 + 2
    (electricity, purchased steam, heat and cooling), a year without a grid factor uses the
    latest earlier one (``latest_grid``, the pages' default), and enterprises that reported
    fewer months than their tenancy expects (``snap.months``) have a gap."""
    activity = [
        ActivityRecord(
            str(f.enterprise_id), f.resource_code, f.direction, f.quantity, f.unit, f.year, f.month
        )
        for f in _flows(snap)
        if str(f.enterprise_id) in ids and f.direction in ("in", "out", "generated")
    ]
    months = getattr(snap, "months", None) or {}
    expected = {(str(e), snap.year): m[1] for e, m in months.items() if str(e) in ids}
    reported = {(str(e), snap.year): m[0] for e, m in months.items() if str(e) in ids}
    return compute_inventory(
        activity,
        latest_grid=latest_grid,
        expected_months=expected or None,
        reported_months=reported or None,
    )


@computation(
    "ghg_intensity",
    scopes=("park", "enterprise"),
    params={"output": "value_added_vnd", "per_vnd": 1e9, "latest_grid": True},
    choices={"output": OUTPUT_FIELDS},
    unit="tCO2e/billion VND",
)
def ghg_intensity(snap: Snapshot, params: dict) -> Computed:
    """GHG emissions (tCO2e, scope 1 + 2) per ``per_vnd`` of output.  Uses the
    snapshot's precomputed ``ghg_tco2e`` when given, else :func:`snapshot_inventory` (the
    GHG pages' inventory and grid-factor rule) over the enterprises reporting flows and
    output; inventory gaps (missing months, factors) are listed as missing data."""
    have, lacking = _output_enterprises(snap, params["output"])
    output = sum(getattr(e, params["output"]) for e in have) / params["per_vnd"]
    records, missing = [], [e.id for e in lacking]
    complete = True
    if snap.ghg_tco2e is not None:
        ghg = snap.ghg_tco2e
        records.append({"type": "ghg_inventory", "tco2e": ghg})
    else:
        inventory = snapshot_inventory(
            snap, {str(e.id) for e in have}, latest_grid=params["latest_grid"]
        )
        ghg = sum(row.total_t for row in inventory.rows.values())
        for (entity, _year), row in sorted(inventory.rows.items()):
            records.append(
                {
                    "type": "ghg_inventory",
                    "enterprise": entity,
                    "scope1_t": round(row.scope1_t, 6),
                    "scope2_t": round(row.scope2_t, 6),
                    "tco2e": round(row.total_t, 6),
                    "months": row.months_label,
                    "grid_factor_year": row.grid_factor_year,
                    "complete": row.complete,
                }
            )
        missing += [f"{g.entity_id}: {g.message}" for g in inventory.gaps]
        complete = not inventory.gaps
    ev = Evidence(
        counted=[e.id for e in have],
        missing_data=missing,
        records=records,
        summary_vi=f"{ghg:.1f} tCO2e / {output:g} tỷ đồng",
        summary_en=f"{ghg:.1f} tCO2e per {output:g} billion VND",
    )
    if output <= 0 or not records:
        return Computed(None, ev)
    return Computed(
        round(ghg / output, 6), ev, numerator=ghg, denominator=output, complete=complete
    )


@computation(
    "water_reuse_rate",
    scopes=("park", "enterprise"),
    params={"reclaimed": ["water.reclaimed"], "fresh": FRESH_WATER},
    unit="%",
)
def water_reuse_rate(snap: Snapshot, params: dict) -> Computed:
    """Reused water as a share (%) of reused plus fresh water intake (reclaimed
    water received by enterprises plus central-WWTP reused effluent)."""
    reused = fresh = 0.0
    records = []
    for f in _flows(snap):
        if f.direction != "in" or f.enterprise_id is None:
            continue
        if _is_any(f.resource_code, params["reclaimed"]):
            reused += f.quantity
        elif _is_any(f.resource_code, params["fresh"]):
            fresh += f.quantity
        else:
            continue
        records.append(
            {
                "type": "flow",
                "enterprise": f.enterprise_id,
                "resource": f.resource_code,
                "quantity": f.quantity,
            }
        )
    for w in _facilities(snap, "wwtp"):
        # Reclaimed water delivered to enterprises is already in their in-flows;
        # the WWTP's own reuse (irrigation, cleaning) is not.
        records.append({"type": "facility", "id": w.id, "reused_m3": w.reused_m3})
    ev = Evidence(
        records=records,
        summary_vi=f"Tái sử dụng {reused:g} m3, nước cấp {fresh:g} m3",
        summary_en=f"Reused {reused:g} m3, fresh intake {fresh:g} m3",
    )
    if reused + fresh <= 0:
        return Computed(None, ev)
    return Computed(_pct(reused, reused + fresh), ev, numerator=reused, denominator=reused + fresh)


@computation(
    "solid_waste_utilisation",
    scopes=("park", "enterprise"),
    params={"resource": "waste", "exclude": [], "utilised_fates": list(UTILISED_FATES)},
    unit="%",
)
def solid_waste_utilisation(snap: Snapshot, params: dict) -> Computed:
    """Share (%) of solid waste generated that is reused, recycled, recovered,
    sold or exchanged.  Waste flows without a recorded fate bound the result."""
    total = used = unknown = 0.0
    records, missing = [], []
    for f in _flows(snap):
        if f.direction != "out" or f.enterprise_id is None:
            continue
        if not is_a(f.resource_code, params["resource"]) or _is_any(
            f.resource_code, params["exclude"]
        ):
            continue
        total += f.quantity
        if f.fate in params["utilised_fates"]:
            used += f.quantity
        elif not f.fate:
            unknown += f.quantity
            missing.append(f.enterprise_id)
        records.append(
            {
                "type": "flow",
                "enterprise": f.enterprise_id,
                "resource": f.resource_code,
                "quantity": f.quantity,
                "fate": f.fate,
            }
        )
    ev = Evidence(
        missing_data=missing,
        records=records,
        summary_vi=f"Tận dụng {used:g}/{total:g} t; {unknown:g} t chưa rõ hướng xử lý",
        summary_en=f"Utilised {used:g} of {total:g} t; fate unknown for {unknown:g} t",
    )
    if total <= 0:
        return Computed(None, ev)
    return Computed(
        _pct(used, total), ev, _pct(used, total), _pct(used + unknown, total), used, total
    )


# ----------------------------------------------------------------- enterprise computations


@computation(
    "enterprise_flag",
    scopes=("enterprise",),
    params={"attribute": REQUIRED},
    choices={"attribute": BOOL_ATTRIBUTES},
    unit="yes/no",
)
def enterprise_flag(snap: EnterpriseSnapshot, params: dict) -> Computed:
    """A yes/no attribute of the enterprise record (e.g. compliance_ok)."""
    e, attr = snap.enterprise, params["attribute"]
    return _flag(getattr(e, attr), attr, attr, [{**_ref(e), attr: getattr(e, attr)}])


@computation(
    "enterprise_recp",
    scopes=("enterprise",),
    params={"resource_groups": DEFAULT_RECP_GROUPS, "require_verified": False, "since_years": None},
    unit="yes/no",
)
def enterprise_recp(snap: EnterpriseSnapshot, params: dict) -> Computed:
    """The enterprise has an implemented RECP measure with achieved savings."""
    standing, records = recp_standing(snap.recp_measures, snap.enterprise.id, snap.day, params)
    value = {"counted": True, "not_counted": False, "missing": None}[standing]
    return _flag(value, "Áp dụng RECP có tiết kiệm", "Applies RECP with savings", records)


@computation(
    "enterprise_symbiosis", scopes=("enterprise",), params={"require_realised": True}, unit="yes/no"
)
def enterprise_symbiosis(snap: EnterpriseSnapshot, params: dict) -> Computed:
    """The enterprise takes part in an industrial symbiosis operating on the
    reporting date (with a realised exchange)."""
    me, records, value = snap.enterprise.id, [], False
    for s in snap.symbioses:
        if me not in s.participants:
            continue
        operated = s.is_operating_on(snap.day)
        ok = operated and (s.realised_quantity or not params["require_realised"])
        status = s.status_on(snap.day)
        records.append({"type": "symbiosis", "id": s.id, "status": status, "qualifies": ok})
        value = value or bool(ok)
    return _flag(
        value, "Tham gia cộng sinh công nghiệp", "Takes part in industrial symbiosis", records
    )


@computation(
    "enterprise_iso",
    scopes=("enterprise",),
    params={"iso_requirements": [["ISO 14001"]], "iso_accept_declared": False, "iso_source": ""},
    unit="yes/no",
)
def enterprise_iso(snap: EnterpriseSnapshot, params: dict) -> Computed:
    """The enterprise applies the ISO management systems of every requirement group: a
    valid certificate or, with ``iso_accept_declared``, a declaration with evidence."""
    gaps = iso_gaps(
        snap.enterprise, snap.day, params["iso_requirements"], params["iso_accept_declared"]
    )
    records = [
        {
            "type": "certificate",
            "standard": c.standard,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
            "valid": c.is_valid_on(snap.day),
        }
        for c in snap.enterprise.iso_certificates
    ]
    records += [
        {"type": "iso_declaration", "standard": k, "evidence": v}
        for k, v in snap.enterprise.iso_applied.items()
    ]
    if gaps:
        records.append({"type": "gap", "gaps": gaps})
    return _flag(not gaps, "Chứng chỉ ISO còn hiệu lực", "Valid ISO certificates", records)
