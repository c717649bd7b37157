"""Water pinch: freshwater targeting and a reuse network from limiting data.

Single contaminant, fixed-load processes (Wang & Smith 1994): each process picks up
``load_kg_per_h`` of contaminant and accepts water up to ``cin_max_ppm`` at its inlet
and ``cout_max_ppm`` at its outlet; its limiting flow is 1000*load/(cout - cin) t/h.

* :func:`target` - the limiting composite curve: cumulative load M(C) over the
  concentration levels; the minimum freshwater is max_C 1000*M(C)/(C - c_fw) and the
  pinch is the level where the water supply line touches the composite.  With
  ``inter_plant=False`` each plant is targeted alone and the targets are summed.
* :func:`design_network` - an LP (HiGHS) over freshwater, process-to-process reuse,
  optional regeneration and wastewater that reaches the minimum freshwater, then
  (second stage) uses as little internal transfer as possible.  Reused water is
  accounted at the source's maximum outlet concentration, which is safe: by
  Savelski & Bagajewicz (2000) an optimal network exists with outlets at their
  maximum, and any actual outlet below it only makes the receiving process cleaner.
  The actual concentrations of the returned network are recomputed from its mass
  balances and reported.
* :func:`water_target` - both, as plain data for the command and the web layer.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eiphub.core.errors import CodedError
from eiphub.symbiosis import lp

FRESHWATER = "freshwater"
WASTEWATER = "wastewater"
REGENERATION = "regeneration"
COLUMNS = ("process", "plant", "load_kg_per_h", "cin_max_ppm", "cout_max_ppm")
_TOL = 1e-7
_ZERO = 1e-11


class WaterError(CodedError, ValueError):
    """Bad water data.  ``code``: missing_column, bad_number, negative_value,
    bad_concentrations, duplicate_process, no_rows, freshwater_too_dirty, infeasible,
    file_not_found.  ``params`` may name file, row (1-based, header = 1) and column."""

    def describe(self, message: str) -> str:
        where = ", ".join(
            f"{k} {self.params[k]}" for k in ("file", "row", "column") if k in self.params
        )
        return f"{where}: {message}" if where else message


CONC_EPS_PPM = 1e-9
# Flows of 1,000 t/h and 0.5 t/h meet in one LP: tighter feasibility tolerances keep each
# process's water balance exact to well under a litre per hour.
TIGHT = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class WaterProcess:
    name: str
    load_kg_per_h: float
    cin_max_ppm: float
    cout_max_ppm: float
    plant: str = ""

    def __post_init__(self):
        # Concentrations below a billionth of a ppm are zero: subnormal values such as
        # 5e-324 would otherwise open intervals of zero width in the concentration cascade.
        for name in ("cin_max_ppm", "cout_max_ppm"):
            if 0 < getattr(self, name) < CONC_EPS_PPM:
                object.__setattr__(self, name, 0.0)

    @property
    def limiting_flow_t_per_h(self) -> float:
        return 1000.0 * self.load_kg_per_h / (self.cout_max_ppm - self.cin_max_ppm)


@dataclass(frozen=True)
class Regeneration:
    """A regeneration unit with a fixed outlet concentration.

    ``removal_ratio`` (0-1), if given, limits how dirty its feed may be: the outlet
    (1 - removal_ratio) * C_feed must not exceed ``outlet_ppm``.  ``cost_per_t`` is
    weighed against ``freshwater_cost_per_t`` of :func:`design_network`.
    """

    outlet_ppm: float
    removal_ratio: float | None = None
    cost_per_t: float = 0.0
    max_flow_t_per_h: float = math.inf


@dataclass
class WaterTarget:
    freshwater_t_per_h: float
    wastewater_t_per_h: float
    pinch_ppm: float | None
    pinch_points: list[float]
    composite: list[tuple[float, float]]  # (ppm, cumulative kg/h)
    plants: list[dict] = field(default_factory=list)


def _validate(processes: list[WaterProcess], freshwater_ppm: float) -> None:
    names = set()
    for p in processes:
        if p.name in names:
            raise WaterError("duplicate_process", f"duplicate process {p.name!r}", process=p.name)
        names.add(p.name)
        for attr in ("load_kg_per_h", "cin_max_ppm", "cout_max_ppm"):
            v = getattr(p, attr)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise WaterError(
                    "negative_value", f"{p.name}: {attr} must be a number >= 0", process=p.name
                )
        if p.load_kg_per_h > 0 and p.cout_max_ppm <= p.cin_max_ppm:
            raise WaterError(
                "bad_concentrations",
                f"{p.name}: cout_max_ppm must exceed cin_max_ppm",
                process=p.name,
            )
        if p.load_kg_per_h > 0 and p.cin_max_ppm < freshwater_ppm:
            raise WaterError(
                "freshwater_too_dirty",
                f"{p.name}: freshwater at {freshwater_ppm} ppm exceeds cin_max {p.cin_max_ppm} ppm",
                process=p.name,
            )


def _target_one(processes: list[WaterProcess], c_fw: float) -> tuple:
    active = [p for p in processes if p.load_kg_per_h > 0]
    if not active:
        return 0.0, None, [], [(c_fw, 0.0)]
    cin = np.array([p.cin_max_ppm for p in active])
    cout = np.array([p.cout_max_ppm for p in active])
    f = np.array([p.limiting_flow_t_per_h for p in active])
    levels = np.unique(np.concatenate([[c_fw], cin, cout]))
    levels = levels[levels >= c_fw]
    # cumulative load (kg/h) up to each level: f * (clip(C) - cin) / 1000 summed
    load = (np.clip(levels[:, None], cin, cout) - cin) @ f / 1000.0
    above = levels > c_fw
    need = np.zeros_like(levels)
    need[above] = 1000.0 * load[above] / (levels[above] - c_fw)
    fw = float(need.max())
    pinches = [float(c) for c, n in zip(levels, need, strict=True) if n >= fw * (1 - 1e-9)]
    composite = [(float(c), float(m)) for c, m in zip(levels, load, strict=True)]
    return fw, (pinches[0] if fw > 0 else None), (pinches if fw > 0 else []), composite


def target(
    processes: list[WaterProcess], freshwater_ppm: float = 0.0, inter_plant: bool = True
) -> WaterTarget:
    """Minimum freshwater and wastewater (t/h) and the pinch, by the composite curve.

    Without inter-plant reuse every plant is targeted alone; ``pinch_ppm`` is then the
    pinch of the plant needing most freshwater and ``plants`` lists each plant.
    """
    _validate(processes, freshwater_ppm)
    if inter_plant:
        fw, pinch, pinches, composite = _target_one(processes, freshwater_ppm)
        return WaterTarget(fw, fw, pinch, pinches, composite)
    plants = []
    for plant in sorted({p.plant for p in processes}):
        fw, pinch, pinches, _ = _target_one(
            [p for p in processes if p.plant == plant], freshwater_ppm
        )
        plants.append({"plant": plant, "freshwater_t_per_h": fw, "pinch_ppm": pinch})
    total = sum(p["freshwater_t_per_h"] for p in plants)
    main = max(plants, key=lambda p: p["freshwater_t_per_h"]) if plants else None
    _, _, _, composite = _target_one(processes, freshwater_ppm)
    pinch = main["pinch_ppm"] if main else None
    all_pinches = sorted({p["pinch_ppm"] for p in plants if p["pinch_ppm"] is not None})
    return WaterTarget(total, total, pinch, all_pinches, composite, plants)


# ---------------------------------------------------------------------------
# Network


@dataclass
class WaterNetwork:
    status: str
    freshwater_t_per_h: float
    wastewater_t_per_h: float
    regenerated_t_per_h: float
    flows: list[dict]  # {"from", "to", "t_per_h"}
    processes: list[dict]  # name, plant, flow_t_per_h, cin_ppm, cout_ppm (actual)
    cost: float


def design_network(
    processes: list[WaterProcess],
    freshwater_ppm: float = 0.0,
    inter_plant: bool = True,
    regeneration: Regeneration | None = None,
    freshwater_cost_per_t: float = 1.0,
) -> WaterNetwork:
    """A reuse network of minimum cost (freshwater, plus regeneration if any).

    Stage 1 minimises freshwater_cost*freshwater + regeneration cost; stage 2 keeps
    that cost and minimises the water moved between units (no needless loops).
    Without inter-plant reuse, water moves only within a plant and each plant has
    its own regeneration unit.
    """
    _validate(processes, freshwater_ppm)
    act = [p for p in processes if p.load_kg_per_h > 0]
    n = len(act)
    zero_rows = [
        {
            "name": p.name,
            "plant": p.plant,
            "flow_t_per_h": 0.0,
            "cin_ppm": None,
            "cout_ppm": None,
        }
        for p in processes
        if p.load_kg_per_h <= 0
    ]
    if n == 0:
        return WaterNetwork("optimal", 0.0, 0.0, 0.0, [], zero_rows, 0.0)
    cin = np.array([p.cin_max_ppm for p in act])
    cout = np.array([p.cout_max_ppm for p in act])
    load_g = 1000.0 * np.array([p.load_kg_per_h for p in act])
    plant = np.array([p.plant for p in act], dtype=object)
    groups = sorted(set(plant)) if not inter_plant else [None]
    group_of = np.array([groups.index(pl) for pl in plant]) if not inter_plant else np.zeros(n, int)
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    if not inter_plant:
        same = plant[ii] == plant[jj]
        ii, jj = ii[same], jj[same]
    m = lp.Model()
    fw = m.add_cols(n)
    ww = m.add_cols(n)
    x = m.add_cols(len(ii))
    regen = regeneration is not None
    ng = len(groups)
    r = m.add_cols(n) if regen else np.zeros(0, int)  # process -> its group's unit
    g = m.add_cols(n) if regen else np.zeros(0, int)  # group's unit -> process
    proc = np.arange(n)
    # flow balance: fw + sum x_in + g = ww + sum x_out + r
    rows = [proc, proc, ii, jj]
    cols = [fw, ww, x, x]
    vals = [np.ones(n), -np.ones(n), -np.ones(len(ii)), np.ones(len(ii))]
    if regen:
        rows += [proc, proc]
        cols += [g, r]
        vals += [np.ones(n), -np.ones(n)]
    m.add_rows(n, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), 0.0, 0.0)
    # inlet and outlet concentration limits (mass in ppm*t/h = g/h)
    for limit, rhs in ((cin, np.zeros(n)), (cout, -load_g)):
        rows = [proc, jj]
        cols = [fw, x]
        vals = [freshwater_ppm - limit, cout[ii] - limit[jj]]
        if regen:
            rows.append(proc)
            cols.append(g)
            vals.append(regeneration.outlet_ppm - limit)
        m.add_rows(n, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), hi=rhs)
    if regen:
        # each unit: flow in = flow out, outlet mass <= feed mass, removal limit, capacity
        m.add_rows(
            ng,
            np.concatenate([group_of, group_of]),
            np.concatenate([r, g]),
            np.concatenate([np.ones(n), -np.ones(n)]),
            0.0,
            0.0,
        )
        m.add_rows(ng, group_of, r, regeneration.outlet_ppm - cout, hi=0.0)
        if regeneration.removal_ratio is not None:
            coef = (1.0 - regeneration.removal_ratio) * cout - regeneration.outlet_ppm
            m.add_rows(ng, group_of, r, coef, hi=0.0)
        if math.isfinite(regeneration.max_flow_t_per_h):
            m.add_rows(ng, group_of, r, 1.0, hi=regeneration.max_flow_t_per_h)
    cost = np.zeros(m.n_cols)
    cost[fw] = freshwater_cost_per_t
    if regen:
        cost[r] = regeneration.cost_per_t
    m.set_cost(cost)
    first = lp.solve(m, options=TIGHT)
    if first.x is None:
        raise WaterError("infeasible", f"no feasible water network ({first.status})")
    best = float(cost @ first.x)
    # stage 2: same cost, least internal transfer
    m.add_rows(
        1,
        np.zeros(m.n_cols, int),
        np.arange(m.n_cols),
        cost,
        hi=best + 1e-9 * max(1.0, abs(best)) + 1e-9,
    )
    move = np.zeros(m.n_cols)
    move[x] = 1.0
    move[r] = 1.0
    move[g] = 1.0
    move[fw] = 1e-3  # also no needless dilution water when freshwater costs nothing
    m.set_cost(move)
    second = lp.solve(m, options=TIGHT)
    sol = second.x if second.x is not None else first.x
    # drop solver noise only: a real reuse flow can be 1e-7 of the largest flow
    sol = np.where(sol > _ZERO * max(1.0, float(np.abs(sol).max())), sol, 0.0)
    return _report(
        act,
        zero_rows,
        sol,
        fw,
        ww,
        x,
        ii,
        jj,
        r,
        g,
        groups,
        group_of,
        freshwater_ppm,
        regeneration,
        float(cost @ sol),
    )


def _report(
    act, zero_rows, sol, fw, ww, x, ii, jj, r, g, groups, group_of, c_fw, regeneration, cost
) -> WaterNetwork:
    n = len(act)
    names = [p.name for p in act]

    def regen_name(k):
        return REGENERATION if groups[k] is None else f"{REGENERATION}:{groups[k]}"

    flows = []
    for k in range(n):
        if sol[fw[k]] > 0:
            flows.append({"from": FRESHWATER, "to": names[k], "t_per_h": float(sol[fw[k]])})
    for e in range(len(ii)):
        if sol[x[e]] > 0:
            flows.append({"from": names[ii[e]], "to": names[jj[e]], "t_per_h": float(sol[x[e]])})
    if len(r):
        for k in range(n):
            if sol[r[k]] > 0:
                flows.append(
                    {"from": names[k], "to": regen_name(group_of[k]), "t_per_h": float(sol[r[k]])}
                )
            if sol[g[k]] > 0:
                flows.append(
                    {"from": regen_name(group_of[k]), "to": names[k], "t_per_h": float(sol[g[k]])}
                )
    for k in range(n):
        if sol[ww[k]] > 0:
            flows.append({"from": names[k], "to": WASTEWATER, "t_per_h": float(sol[ww[k]])})
    # actual concentrations: F_i c_i = sum_j x_ji c_j + fw_i c_fw + g_i c_r + load_i
    xin = np.zeros((n, n))
    np.add.at(xin, (jj, ii), sol[x])
    gin = sol[g] if len(g) else np.zeros(n)
    inflow = sol[fw] + xin.sum(axis=1) + gin
    load_g = 1000.0 * np.array([p.load_kg_per_h for p in act])
    c_r = regeneration.outlet_ppm if regeneration else 0.0
    F = np.where(inflow > 0, inflow, 1.0)
    A = np.diag(F) - xin
    b = sol[fw] * c_fw + gin * c_r + load_g
    try:
        c_out = np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        c_out = np.full(n, np.nan)
    c_in = c_out - load_g / F
    rows = [
        {
            "name": names[k],
            "plant": act[k].plant,
            "flow_t_per_h": float(inflow[k]),
            "cin_ppm": float(c_in[k]),
            "cout_ppm": float(c_out[k]),
        }
        for k in range(n)
    ]
    return WaterNetwork(
        status="optimal",
        freshwater_t_per_h=float(sol[fw].sum()),
        wastewater_t_per_h=float(sol[ww].sum()),
        regenerated_t_per_h=float(sol[r].sum()) if len(r) else 0.0,
        flows=flows,
        processes=rows + zero_rows,
        cost=cost,
    )


def water_target(
    processes: list[WaterProcess],
    inter_plant: bool = True,
    freshwater_ppm: float = 0.0,
    regeneration: Regeneration | None = None,
) -> dict:
    """Targets and a network achieving them, as plain data.

    ``freshwater_t_per_h``/``wastewater_t_per_h`` are those of the designed network
    (equal to the composite-curve target without regeneration); the composite
    target is kept under ``target``.
    """
    tgt = target(processes, freshwater_ppm, inter_plant)
    net = design_network(processes, freshwater_ppm, inter_plant, regeneration)
    return {
        "freshwater_t_per_h": net.freshwater_t_per_h,
        "wastewater_t_per_h": net.wastewater_t_per_h,
        "pinch_ppm": tgt.pinch_ppm,
        "pinch_points_ppm": tgt.pinch_points,
        "inter_plant": inter_plant,
        "freshwater_ppm": freshwater_ppm,
        "regenerated_t_per_h": net.regenerated_t_per_h,
        "target": {
            "freshwater_t_per_h": tgt.freshwater_t_per_h,
            "wastewater_t_per_h": tgt.wastewater_t_per_h,
            "plants": tgt.plants,
        },
        "no_reuse_freshwater_t_per_h": sum(
            1000.0 * p.load_kg_per_h / (p.cout_max_ppm - freshwater_ppm)
            for p in processes
            if p.load_kg_per_h > 0
        ),
        "composite": [{"ppm": c, "load_kg_per_h": m} for c, m in tgt.composite],
        "flows": net.flows,
        "processes": net.processes,
        "status": net.status,
    }


def _number(text: str, name: str, row: int, column: str) -> float:
    raw = (text or "").strip().replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")  # decimal comma
    try:
        value = float(raw)
    except ValueError:
        raise WaterError(
            "bad_number", f"not a number: {text!r}", file=name, row=row, column=column
        ) from None
    if not math.isfinite(value) or value < 0:
        raise WaterError(
            "negative_value", f"must be a number >= 0: {text!r}", file=name, row=row, column=column
        )
    return value


def read_water_csv(path: str | Path) -> list[WaterProcess]:
    """Read limiting data: process, plant, load_kg_per_h, cin_max_ppm, cout_max_ppm.

    ``plant`` may be omitted (one plant).  Comma or semicolon separated, UTF-8 (BOM
    allowed); errors name the file, row and column.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise WaterError("file_not_found", "file not found", file=str(path))
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    delim = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delim)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    for col in COLUMNS:
        if col != "plant" and col not in header:
            raise WaterError(
                "missing_column", f"missing column {col!r}", file=name, row=1, column=col
            )
    out, seen = [], {}
    for rownum, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        proc = (row.get("process") or "").strip()
        if not proc:
            raise WaterError(
                "bad_number", "process name is empty", file=name, row=rownum, column="process"
            )
        if proc in seen:
            raise WaterError(
                "duplicate_process",
                f"process {proc!r} already on row {seen[proc]}",
                file=name,
                row=rownum,
                column="process",
            )
        seen[proc] = rownum
        load = _number(row.get("load_kg_per_h"), name, rownum, "load_kg_per_h")
        cin = _number(row.get("cin_max_ppm"), name, rownum, "cin_max_ppm")
        cout = _number(row.get("cout_max_ppm"), name, rownum, "cout_max_ppm")
        if load > 0 and cout <= cin:
            raise WaterError(
                "bad_concentrations",
                f"cout_max_ppm ({cout}) must exceed cin_max_ppm ({cin})",
                file=name,
                row=rownum,
                column="cout_max_ppm",
            )
        out.append(WaterProcess(proc, load, cin, cout, (row.get("plant") or "").strip()))
    if not out:
        raise WaterError("no_rows", "no process rows", file=name)
    return out
