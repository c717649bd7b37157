"""Park water and heat studies: current water use from reported flows against the
water-pinch target of limiting data, and waste-heat recovery between sources and sinks.

Limiting data (contaminant loads and maximum concentrations of each water-using
process) are not in the monthly flows, so a water study takes an uploaded CSV or an
illustrative default built for a demo park.  The park-level target assumes the
studied processes run today without reuse: the park's current freshwater use falls by
the study's saving (freshwater without reuse - target), wastewater likewise.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tempfile
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from eiphub.core.catalogue import default_catalogue
from eiphub.core.factors import FactorMissing, default_factors
from eiphub.flows.models import FlowRecord
from eiphub.registry.models import Enterprise, Park
from eiphub.symbiosis.heat import HeatError, HeatStream, heat_target, read_heat_csv
from eiphub.symbiosis.water import (
    FRESHWATER,
    WASTEWATER,
    WaterError,
    WaterProcess,
    read_water_csv,
    water_target,
)

from .models import HeatStudy, WaterStudy
from .services import short_name

DATA_DIR = Path(__file__).resolve().parent / "data"
REUSED_WATER = ("water.reclaimed", "water.treated")
# Wang & Smith (1994) four processes (load kg/h, cin_max ppm, cout_max ppm); the demo
# default gives one of them to each of a park's largest water users.
DEMO_TEMPLATES = ((2.0, 0.0, 100.0), (5.0, 50.0, 100.0), (30.0, 50.0, 800.0), (4.0, 400.0, 800.0))
DEMO_SHARE = 0.6  # share of an enterprise's freshwater its studied process uses without reuse
DISPLACED_FUELS = (
    "energy.fuel.coal",
    "energy.fuel.fuel_oil",
    "energy.fuel.diesel",
    "energy.fuel.natural_gas",
    "energy.fuel.lpg",
)


class StudyError(Exception):
    """Bad study input; ``message`` is translated, names file, row and column."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------
# Current water use from flows
# --------------------------------------------------------------------------


def _is_fresh(code: str) -> bool:
    return (
        (code == "water" or code.startswith("water."))
        and code not in REUSED_WATER
        and not code.startswith("water.wastewater")
    )


def _is_wastewater(code: str) -> bool:
    return code == "water.wastewater" or code.startswith("water.wastewater.")


def water_years(park: Park) -> list[int]:
    qs = FlowRecord.objects.filter(
        park=park, enterprise__isnull=False, resource_code__startswith="water"
    )
    years = qs.annotate(y=ExtractYear("period")).values_list("y", flat=True).distinct()
    return sorted(set(years), reverse=True)


def default_year(park: Park) -> int | None:
    """The latest year with 12 reported months of water flows, else the latest year."""
    qs = FlowRecord.objects.filter(
        park=park, enterprise__isnull=False, resource_code__startswith="water"
    )
    rows = (
        qs.annotate(y=ExtractYear("period"))
        .values("y")
        .annotate(n=Count("period", distinct=True))
        .order_by("-y")
    )
    rows = list(rows)
    full = [r["y"] for r in rows if r["n"] >= 12]
    return full[0] if full else (rows[0]["y"] if rows else None)


def current_water(park: Park, year: int | None = None) -> dict:
    """The park's enterprises' water in one year: freshwater (water.* inputs other than
    reclaimed or treated water), reused water inputs and wastewater (water.wastewater*
    outputs), in m3 and in t/h over the hours of the months reported."""
    year = year or default_year(park)
    out = {
        "year": year,
        "months": 0,
        "hours": 0.0,
        "freshwater_t": 0.0,
        "reused_t": 0.0,
        "wastewater_t": 0.0,
        "freshwater_t_per_h": None,
        "reused_t_per_h": None,
        "wastewater_t_per_h": None,
        "by_enterprise": {},
    }
    if year is None:
        return out
    cat = default_catalogue()
    qs = FlowRecord.objects.filter(
        park=park, enterprise__isnull=False, resource_code__startswith="water", period__year=year
    ).values_list(
        "enterprise_id",
        "resource_code",
        "direction",
        "quantity_canonical",
        "canonical_unit",
        "period",
    )
    months = set()
    fresh_by = defaultdict(float)
    for ent, code, direction, qty, unit, period in qs:
        res = cat.get(code)
        if unit == "m3":
            density = (res.density_kg_per_m3 if res and res.density_kg_per_m3 else 1000.0) / 1000
            t = qty * density
        elif unit == "t":
            t = qty
        else:
            continue
        months.add(period)
        if direction == "in" and _is_fresh(code):
            out["freshwater_t"] += t
            fresh_by[ent] += t
        elif direction == "in" and code in REUSED_WATER:
            out["reused_t"] += t
        elif direction == "out" and _is_wastewater(code):
            out["wastewater_t"] += t
    hours = 24.0 * sum(calendar.monthrange(p.year, p.month)[1] for p in months)
    out["months"], out["hours"] = len(months), hours
    if hours:
        for k in ("freshwater", "reused", "wastewater"):
            out[f"{k}_t_per_h"] = out[f"{k}_t"] / hours
        out["by_enterprise"] = {e: t / hours for e, t in fresh_by.items()}
    return out


# --------------------------------------------------------------------------
# Water studies
# --------------------------------------------------------------------------


def _safe_name(name: str, default: str) -> str:
    name = re.sub(r"[^\w.\-]+", "_", Path(name or default).name)[:100]
    return name or default


def _read_upload(upload, reader, default_name: str):
    """Run a core CSV reader on an uploaded file; the temporary copy keeps its name so
    errors name the user's file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / _safe_name(getattr(upload, "name", ""), default_name)
        with open(path, "wb") as fh:
            for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                fh.write(chunk)
        try:
            return reader(path)
        except UnicodeDecodeError:
            raise StudyError(_("%(file)s: the file is not UTF-8 text.") % {"file": path.name})


def read_water_upload(upload) -> list[WaterProcess]:
    try:
        return _read_upload(upload, read_water_csv, "water.csv")
    except WaterError as exc:
        raise StudyError(_("Limiting data: %(error)s") % {"error": exc}) from exc


def demo_processes(park: Park, year: int | None = None) -> list[WaterProcess]:
    """Illustrative limiting data: one Wang & Smith (1994) process per large water user
    (up to four), scaled so that without reuse it takes 60% of that enterprise's
    current freshwater."""
    cur = current_water(park, year)
    top = sorted(cur["by_enterprise"].items(), key=lambda kv: -kv[1])[: len(DEMO_TEMPLATES)]
    names = Enterprise.objects.in_bulk([e for e, _t in top])
    out = []
    for k, (ent, t_per_h) in enumerate(top):
        _load, cin, cout = DEMO_TEMPLATES[k]
        scaled = DEMO_SHARE * t_per_h * cout / 1000.0  # 1000*load/cout = share * use
        plant = names[ent].name_vi if ent in names else f"E{ent}"
        out.append(WaterProcess(f"P{k + 1}", round(scaled, 4), cin, cout, plant))
    return out


def _water_result(processes, inter_plant: bool, freshwater_ppm: float) -> dict:
    try:
        return water_target(processes, inter_plant=inter_plant, freshwater_ppm=freshwater_ppm)
    except WaterError as exc:
        raise StudyError(_("Water study: %(error)s") % {"error": exc}) from exc


def run_water_study(
    park: Park,
    user,
    processes: list[WaterProcess],
    *,
    name: str = "",
    inter_plant: bool = True,
    freshwater_ppm: float = 0.0,
    source: str = WaterStudy.Source.UPLOAD,
) -> WaterStudy:
    result = _water_result(processes, inter_plant, freshwater_ppm)
    if inter_plant:  # what plants alone would reach: the value of inter-plant exchange
        result["plants_alone_freshwater_t_per_h"] = _water_result(processes, False, freshwater_ppm)[
            "freshwater_t_per_h"
        ]
    return WaterStudy.objects.create(
        park=park,
        name=(name or _("Water study %(date)s") % {"date": dt.date.today().isoformat()})[:200],
        created_by=user if getattr(user, "is_authenticated", False) else None,
        source=source,
        inputs=[asdict(p) for p in processes],
        inter_plant=inter_plant,
        freshwater_ppm=freshwater_ppm,
        result=result,
    )


def water_page(study: WaterStudy | None, current: dict) -> dict:
    """Figures for the park water page: current versus target, reuse flows, charts."""
    if study is None:
        return {}
    r = study.result
    plant = {p["name"]: p.get("plant", "") for p in study.inputs}
    saving = max(0.0, r["no_reuse_freshwater_t_per_h"] - r["freshwater_t_per_h"])
    ww_saving = max(0.0, r["no_reuse_freshwater_t_per_h"] - r["wastewater_t_per_h"])
    cur_fw, cur_ww = current.get("freshwater_t_per_h"), current.get("wastewater_t_per_h")
    target_fw = None if cur_fw is None else max(0.0, cur_fw - saving)
    target_ww = None if cur_ww is None else max(0.0, cur_ww - ww_saving)
    exchanges, internal = [], []
    for f in r["flows"]:
        if f["from"] in (FRESHWATER, WASTEWATER) or f["to"] in (FRESHWATER, WASTEWATER):
            continue
        row = {**f, "from_plant": plant.get(f["from"], ""), "to_plant": plant.get(f["to"], "")}
        (exchanges if row["from_plant"] != row["to_plant"] else internal).append(row)
    labels = [_("Freshwater"), _("Wastewater")]
    bars = {
        "kind": "bar",
        "title": _("Current use against the target (t/h)"),
        "unit": "t/h",
        "decimals": 1,
        "labels": labels,
        "series": [
            {"name": _("Current"), "data": [_round(cur_fw), _round(cur_ww)]},
            {"name": _("Target"), "data": [_round(target_fw), _round(target_ww)]},
        ],
    }
    return {
        "saving_t_per_h": saving,
        "wastewater_saving_t_per_h": ww_saving,
        "target_freshwater_t_per_h": target_fw,
        "target_wastewater_t_per_h": target_ww,
        "exceeds_current": cur_fw is not None and saving > cur_fw,
        "exchanges": exchanges,
        "internal": internal,
        "bars": bars,
        "network": reuse_chart(r["flows"], plant),
    }


def _round(v, nd=1):
    return None if v is None else round(v, nd)


def reuse_chart(flows: list[dict], plant: dict) -> dict:
    """Freshwater -> processes -> wastewater as a Sankey, or a graph when reuse loops."""
    fw, ww = _("Freshwater"), _("Wastewater")

    def label(n):
        if n == FRESHWATER:
            return fw
        if n == WASTEWATER:
            return ww
        short = short_name(plant.get(n) or "")
        return f"{n} · {short[:22]}" if short else n

    links = [
        {"source": label(f["from"]), "target": label(f["to"]), "value": round(f["t_per_h"], 2)}
        for f in flows
    ]
    names = list(dict.fromkeys(x for lk in links for x in (lk["source"], lk["target"])))
    title = _("Water network at the target (t/h)")
    if _has_cycle(links):
        cats = {label(n): short_name(p) for n, p in plant.items()}
        return {
            "kind": "graph",
            "title": title,
            "unit": "t/h",
            "nodes": [{"name": n, "category": cats.get(n) or n} for n in names],
            "links": links,
        }
    return {
        "kind": "sankey",
        "title": title,
        "unit": "t/h",
        "decimals": 1,
        "nodes": [{"name": n} for n in names],
        "links": links,
    }


def _has_cycle(links) -> bool:
    succ = defaultdict(set)
    for lk in links:
        succ[lk["source"]].add(lk["target"])
    state = {}

    def visit(n) -> bool:
        state[n] = 1
        for m in succ[n]:
            if state.get(m) == 1 or (m not in state and visit(m)):
                return True
        state[n] = 2
        return False

    return any(n not in state and visit(n) for n in list(succ))


# --------------------------------------------------------------------------
# Heat studies
# --------------------------------------------------------------------------


def read_heat_upload(upload) -> list[HeatStream]:
    try:
        return _read_upload(upload, read_heat_csv, "heat.csv")
    except HeatError as exc:
        raise StudyError(_("Heat streams: %(error)s") % {"error": exc}) from exc


def displaced_choices() -> list[tuple[str, str]]:
    cat = default_catalogue()
    out = [("grid", _("Grid electricity"))]
    for code in DISPLACED_FUELS:
        res = cat.get(code)
        out.append((code, res.name(_lang()) if res else code))
    return out


def _lang() -> str:
    from django.utils import translation

    return translation.get_language() or "vi"


def displaced_factor(displaced: str, year: int) -> tuple[float, str]:
    """tCO2e per MWh of displaced energy and its source (grid factor or fuel factor)."""
    fs = default_factors()
    try:
        if displaced == "grid":
            g = fs.grid_factor(year, latest_available=True)
            src = f"{g.source} ({g.year_used})" + (f"; {g.note}" if g.note else "")
            return g.value, src
        f = fs.fuel_factor(displaced, year).factor
        kg_per_tj = (
            f.co2_kg_per_tj
            + f.ch4_kg_per_tj.get("manufacturing", 0.0) * fs.gwp_of("CH4")
            + f.n2o_kg_per_tj.get("manufacturing", 0.0) * fs.gwp_of("N2O")
        )
        return kg_per_tj * 0.0036 / 1000.0, f"{f.source} ({fs.version})"
    except FactorMissing as exc:
        raise StudyError(_("No emission factor: %(error)s") % {"error": exc}) from exc


def run_heat_study(
    park: Park,
    user,
    streams: list[HeatStream],
    *,
    name: str = "",
    dt_min: float = 10.0,
    hours_per_year: float = 8000.0,
    displaced: str = "grid",
    efficiency: float = 1.0,
    year: int | None = None,
) -> HeatStudy:
    year = year or dt.date.today().year
    factor, source = displaced_factor(displaced, year)
    try:
        result = heat_target(streams, dt_min, hours_per_year, factor, efficiency)
    except HeatError as exc:
        raise StudyError(_("Heat study: %(error)s") % {"error": exc}) from exc
    by = {s.name: s for s in streams}
    result["feasible_pairs"] = [
        {"source": s.name, "sink": c.name}
        for s in streams
        if s.kind == "source"
        for c in streams
        if c.kind == "sink" and s.t_supply_c - dt_min > min(c.t_supply_c, c.t_target_c)
    ]
    for m in result["matches"]:
        m["source_plant"], m["sink_plant"] = by[m["source"]].plant, by[m["sink"]].plant
    return HeatStudy.objects.create(
        park=park,
        name=(name or _("Heat study %(date)s") % {"date": dt.date.today().isoformat()})[:200],
        created_by=user if getattr(user, "is_authenticated", False) else None,
        inputs=[asdict(s) for s in streams],
        parameters={
            "dt_min": dt_min,
            "hours_per_year": hours_per_year,
            "displaced": displaced,
            "efficiency": efficiency,
            "year": year,
            "emission_factor_t_per_mwh": factor,
            "factor_source": source,
        },
        result=result,
    )


def heat_chart(study: HeatStudy) -> dict:
    links = [
        {"source": m["source"], "target": m["sink"], "value": round(m["kw"], 1)}
        for m in study.result.get("matches", [])
    ]
    names = list(dict.fromkeys(x for lk in links for x in (lk["source"], lk["target"])))
    return {
        "kind": "sankey",
        "title": _("Recovered heat: sources to sinks (kW)"),
        "unit": "kW",
        "decimals": 0,
        "nodes": [{"name": n} for n in names],
        "links": links,
    }


def example_path(kind: str) -> Path:
    return DATA_DIR / {"water": "wang_smith_1994.csv", "heat": "heat_example.csv"}[kind]
