"""Waste-heat recovery between sources and sinks of a park.

* :func:`problem_table` - the problem table algorithm (Linnhoff & Flower 1978):
  temperatures shifted by dTmin/2 (sources down, sinks up), interval heat balances
  cascaded from the top; the largest deficit is the minimum external heating, the
  zero-flow boundary the pinch.  Sources are hot streams (waste heat), sinks cold
  streams (heat demands now met by fuel or electricity).
* :func:`match_heat` - the transshipment LP (Papoulias & Grossmann 1983) extended
  with source-sink pairs: heat of a source may go to a sink in the same or a lower
  shifted-temperature interval, so every reported pair respects dTmin.  It tells
  which source serves which sink and how much; pairs can be forbidden (e.g. other
  plants, too far).
* :func:`heat_target` - both, plus MWh/yr from operating hours and tCO2e/yr
  avoided from a displaced-energy factor that the caller passes in (factors are
  data owned elsewhere).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eiphub.core.errors import CodedError
from eiphub.symbiosis import lp

_TOL = 1e-9


class HeatError(CodedError, ValueError):
    """Bad heat data.  ``code``: missing_column, bad_number, bad_kind, bad_temperatures,
    duplicate_stream, no_rows, file_not_found.  ``params`` may name file, row, column."""

    def describe(self, message: str) -> str:
        where = ", ".join(
            f"{k} {self.params[k]}" for k in ("file", "row", "column") if k in self.params
        )
        return f"{where}: {message}" if where else message


@dataclass(frozen=True)
class HeatStream:
    name: str
    kind: str  # "source" (hot, gives heat) or "sink" (cold, needs heat)
    t_supply_c: float
    t_target_c: float
    duty_kw: float
    plant: str = ""
    hours_per_year: float | None = None
    emission_factor_t_per_mwh: float | None = None  # sinks: displaced energy factor

    @property
    def cp_kw_per_k(self) -> float:
        return self.duty_kw / abs(self.t_supply_c - self.t_target_c)

    def shifted(self, dt_min: float) -> tuple[float, float]:
        """(high, low) shifted temperatures."""
        s = -dt_min / 2 if self.kind == "source" else dt_min / 2
        hi, lo = max(self.t_supply_c, self.t_target_c), min(self.t_supply_c, self.t_target_c)
        return hi + s, lo + s


def _validate(streams: list[HeatStream], dt_min: float) -> None:
    if not (math.isfinite(dt_min) and dt_min >= 0):
        raise HeatError("bad_number", "dTmin must be >= 0")
    seen = set()
    for s in streams:
        if s.name in seen:
            raise HeatError("duplicate_stream", f"duplicate stream {s.name!r}", stream=s.name)
        seen.add(s.name)
        if s.kind not in ("source", "sink"):
            raise HeatError("bad_kind", f"{s.name}: kind must be source or sink", stream=s.name)
        if not (s.duty_kw >= 0 and math.isfinite(s.duty_kw)):
            raise HeatError("bad_number", f"{s.name}: duty must be >= 0", stream=s.name)
        hot = s.t_supply_c > s.t_target_c
        if s.t_supply_c == s.t_target_c or hot != (s.kind == "source"):
            raise HeatError(
                "bad_temperatures",
                f"{s.name}: a source cools down (supply > target), a sink heats up",
                stream=s.name,
            )


def _intervals(streams, dt_min):
    bounds = sorted({t for s in streams for t in s.shifted(dt_min)}, reverse=True)
    T = np.array(bounds)
    # heat (kW) of each stream in each interval [T[k+1], T[k]]
    hi = np.array([s.shifted(dt_min)[0] for s in streams])
    lo = np.array([s.shifted(dt_min)[1] for s in streams])
    cp = np.array([s.cp_kw_per_k for s in streams])
    top = np.minimum(hi[:, None], T[None, :-1])
    bottom = np.maximum(lo[:, None], T[None, 1:])
    q = cp[:, None] * np.clip(top - bottom, 0.0, None)
    return T, q


def problem_table(streams: list[HeatStream], dt_min: float = 10.0) -> dict:
    """Minimum external heating and cooling, heat recovered and the pinch (kW, degC)."""
    _validate(streams, dt_min)
    streams = [s for s in streams if s.duty_kw > 0]
    sources = [s for s in streams if s.kind == "source"]
    sinks = [s for s in streams if s.kind == "sink"]
    total_src = sum(s.duty_kw for s in sources)
    total_snk = sum(s.duty_kw for s in sinks)
    if not sources or not sinks:
        return {
            "hot_utility_kw": total_snk,
            "cold_utility_kw": total_src,
            "recovered_kw": 0.0,
            "pinch_shifted_c": None,
            "pinch_source_c": None,
            "pinch_sink_c": None,
            "cascade": [],
        }
    T, q = _intervals(streams, dt_min)
    sign = np.array([1.0 if s.kind == "source" else -1.0 for s in streams])
    surplus = sign @ q  # per interval
    flow = np.concatenate([[0.0], np.cumsum(surplus)])
    q_hot = max(0.0, -float(flow.min()))
    flow = flow + q_hot
    q_cold = float(flow[-1])
    scale = max(total_src, total_snk, 1.0)
    interior = [k for k in range(1, len(T) - 1) if flow[k] <= 1e-9 * scale]
    pinch = float(T[interior[0]]) if interior else None
    return {
        "hot_utility_kw": q_hot,
        "cold_utility_kw": q_cold,
        "recovered_kw": total_snk - q_hot,
        "pinch_shifted_c": pinch,
        "pinch_source_c": None if pinch is None else pinch + dt_min / 2,
        "pinch_sink_c": None if pinch is None else pinch - dt_min / 2,
        "cascade": [
            {"t_shifted_c": float(t), "heat_flow_kw": float(f)}
            for t, f in zip(T, flow, strict=True)
        ],
    }


def match_heat(
    streams: list[HeatStream],
    dt_min: float = 10.0,
    allowed=None,
) -> list[dict]:
    """Which source serves which sink (kW), maximising heat recovered within dTmin.

    ``allowed(source, sink) -> bool`` may forbid pairs.  Returns
    [{"source", "sink", "kw"}] for pairs carrying heat.
    """
    _validate(streams, dt_min)
    streams = [s for s in streams if s.duty_kw > 0]
    src = [s for s in streams if s.kind == "source"]
    snk = [s for s in streams if s.kind == "sink"]
    if not src or not snk:
        return []
    T, q = _intervals(src + snk, dt_min)
    qh, qc = q[: len(src)], q[len(src) :]
    K = len(T) - 1
    # a source reaches interval k if it has heat in an interval at or above k
    first = np.array([np.flatnonzero(row > _TOL)[0] if (row > _TOL).any() else K for row in qh])
    pairs = [
        (h, c)
        for h in range(len(src))
        for c in range(len(snk))
        if allowed is None or allowed(src[h], snk[c])
    ]
    trip = [(h, c, k) for h, c in pairs for k in range(first[h], K) if qc[c, k] > _TOL]
    if not trip:
        return []
    th = np.array([t[0] for t in trip])
    tc = np.array([t[1] for t in trip])
    tk = np.array([t[2] for t in trip])
    m = lp.Model()
    Q = m.add_cols(len(trip), cost=1.0)
    R = m.add_cols(len(src) * K).reshape(len(src), K)  # residual from interval k to k+1
    # source h in interval k: R[h,k-1] + qh[h,k] >= R[h,k] + sum_c Q[h,c,k]
    H = len(src)
    hk = th * K + tk
    rows = [hk, np.arange(H * K)]
    cols = [Q, R.ravel()]
    vals = [np.ones(len(trip)), np.ones(H * K)]
    below = R[:, :-1].ravel()
    rows.append((np.arange(H)[:, None] * K + np.arange(1, K)[None, :]).ravel())
    cols.append(below)
    vals.append(-np.ones(len(below)))
    m.add_rows(
        H * K, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), hi=qh.ravel()
    )
    # sink c in interval k: sum_h Q[h,c,k] <= qc[c,k]
    m.add_rows(len(snk) * K, tc * K + tk, Q, 1.0, hi=qc.ravel())
    sol = lp.solve(m, maximise=True)
    if sol.x is None:
        raise HeatError("bad_number", f"heat matching failed: {sol.status}")
    amount = np.zeros((len(src), len(snk)))
    np.add.at(amount, (th, tc), sol.x[Q])
    out = []
    for h, c in zip(*np.nonzero(amount > 1e-7 * max(1.0, amount.max())), strict=True):
        out.append({"source": src[h].name, "sink": snk[c].name, "kw": float(amount[h, c])})
    return out


def heat_target(
    streams: list[HeatStream],
    dt_min: float = 10.0,
    hours_per_year: float = 8000.0,
    emission_factor_t_per_mwh: float | None = None,
    efficiency: float = 1.0,
    allowed=None,
) -> dict:
    """Targets, source-sink matches, MWh/yr and tCO2e/yr avoided.

    Recovered heat displaces ``heat / efficiency`` of fuel or electricity, emitting
    ``emission_factor_t_per_mwh`` (tCO2e per MWh of displaced energy, a sink's own
    factor first).  Hours: the smaller of the pair's hours, else ``hours_per_year``.
    CO2 is None when no factor is given.
    """
    if not efficiency > 0:
        raise HeatError("bad_number", "efficiency must be > 0")
    table = problem_table(streams, dt_min)
    matches = match_heat(streams, dt_min, allowed)
    by_name = {s.name: s for s in streams}
    total_mwh, total_co2, has_co2 = 0.0, 0.0, True
    for mt in matches:
        s, c = by_name[mt["source"]], by_name[mt["sink"]]
        hours = [h for h in (s.hours_per_year, c.hours_per_year) if h is not None]
        h = min(hours) if hours else hours_per_year
        mwh = mt["kw"] * h / 1000.0
        factor = (
            c.emission_factor_t_per_mwh
            if c.emission_factor_t_per_mwh is not None
            else emission_factor_t_per_mwh
        )
        mt["hours_per_year"] = h
        mt["mwh_per_year"] = mwh
        mt["co2e_t_per_year"] = None if factor is None else mwh / efficiency * factor
        total_mwh += mwh
        if factor is None:
            has_co2 = False
        else:
            total_co2 += mt["co2e_t_per_year"]
    return {
        "dt_min_k": dt_min,
        **{k: v for k, v in table.items() if k != "cascade"},
        "matched_kw": sum(mt["kw"] for mt in matches),
        "matches": matches,
        "mwh_per_year": total_mwh,
        "co2e_t_per_year": total_co2 if has_co2 and matches else (0.0 if not matches else None),
        "cascade": table["cascade"],
    }


_HEAT_COLUMNS = ("name", "kind", "t_supply_c", "t_target_c", "duty_kw")


def read_heat_csv(path: str | Path) -> list[HeatStream]:
    """Read streams: name, kind (source|sink), t_supply_c, t_target_c, duty_kw and
    optional plant, hours_per_year, emission_factor_t_per_mwh."""
    path = Path(path)
    if not path.exists():
        raise HeatError("file_not_found", "file not found", file=str(path))
    name = path.name
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    first = lines[0] if lines else ""
    delim = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(lines, delimiter=delim)
    reader.fieldnames = [h.strip().lower() for h in (reader.fieldnames or [])]
    for col in _HEAT_COLUMNS:
        if col not in reader.fieldnames:
            raise HeatError(
                "missing_column", f"missing column {col!r}", file=name, row=1, column=col
            )

    def num(row, col, rownum, optional=False):
        raw = (row.get(col) or "").strip().replace(" ", "")
        if optional and not raw:
            return None
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
        try:
            v = float(raw)
        except ValueError:
            raise HeatError(
                "bad_number", f"not a number: {raw!r}", file=name, row=rownum, column=col
            ) from None
        if not math.isfinite(v):
            raise HeatError(
                "bad_number", f"not a number: {raw!r}", file=name, row=rownum, column=col
            )
        return v

    out, seen = [], set()
    for rownum, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        sname = (row.get("name") or "").strip()
        kind = (row.get("kind") or "").strip().lower()
        if kind not in ("source", "sink"):
            raise HeatError(
                "bad_kind",
                f"kind must be source or sink, not {kind!r}",
                file=name,
                row=rownum,
                column="kind",
            )
        if not sname or sname in seen:
            raise HeatError(
                "duplicate_stream",
                f"empty or duplicate name {sname!r}",
                file=name,
                row=rownum,
                column="name",
            )
        seen.add(sname)
        stream = HeatStream(
            sname,
            kind,
            num(row, "t_supply_c", rownum),
            num(row, "t_target_c", rownum),
            num(row, "duty_kw", rownum),
            (row.get("plant") or "").strip(),
            num(row, "hours_per_year", rownum, optional=True),
            num(row, "emission_factor_t_per_mwh", rownum, optional=True),
        )
        try:
            _validate([stream], 0.0)
        except HeatError as exc:
            raise HeatError(
                exc.code, str(exc), file=name, row=rownum, column="t_target_c"
            ) from None
        out.append(stream)
    if not out:
        raise HeatError("no_rows", "no stream rows", file=name)
    return out
