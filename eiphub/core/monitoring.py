"""Continuous environmental monitoring: limits packs, reading flags, averages, exceedances,
completeness.  Plain data in, plain results out; no Django.

Time is UTC epoch seconds (int) throughout.  A reading carries a bit set of flags; a flagged
reading is kept but never enters an average.  Averages follow the pack's averaging rule (period,
minimum share of the expected readings); exceedances are runs of consecutive averaging periods
whose average breaks the limit that applied at that time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from eiphub.core.errors import CodedError

PACK_DIR = Path(__file__).parent / "data" / "monitoring"
HOUR = 3600
DAY = 86400
LOCAL_OFFSET = 7 * HOUR  # Vietnam (UTC+7, no daylight saving): days are local days

# ---------------------------------------------------------------- flags
FLAG_OUT_OF_RANGE = 1  # outside the instrument's measuring range
FLAG_STUCK = 2  # value unchanged for the stuck run (flat line)
FLAG_CALIBRATION = 4  # logger status: calibrating
FLAG_FAULT = 8  # logger status: instrument fault / maintenance
FLAGS = {
    FLAG_OUT_OF_RANGE: "out_of_range",
    FLAG_STUCK: "stuck",
    FLAG_CALIBRATION: "calibration",
    FLAG_FAULT: "fault",
}
# Logger status codes of the transmission format (Circular 10/2021/TT-BTNMT as we read it; verify)
STATUS_FLAGS = {"00": 0, "0": 0, "": 0, "01": FLAG_CALIBRATION, "1": FLAG_CALIBRATION}
STATUS_FLAGS |= {"02": FLAG_FAULT, "2": FLAG_FAULT}


class MonitoringError(CodedError, ValueError):
    """A rule or data error: ``code`` is a machine code, ``params`` its parameters."""


def flag_names(flags: int) -> list[str]:
    return [name for bit, name in FLAGS.items() if flags & bit]


def status_flag(status: str | None) -> int:
    """Flags for a logger status code; unknown codes count as a fault."""
    code = (status or "").strip()
    return STATUS_FLAGS.get(code, FLAG_FAULT)


def flag_readings(
    values: Sequence[float],
    *,
    low: float | None = None,
    high: float | None = None,
    stuck_run: int = 0,
    history: Sequence[float] = (),
    status: Sequence[int] | None = None,
) -> list[int]:
    """Flags for readings of one series in time order.

    ``low``/``high``: the instrument's measuring range (inclusive).  ``stuck_run``: a reading is
    flagged stuck when it and the ``stuck_run - 1`` readings before it (including ``history``,
    the series' latest stored readings) are all equal; 0 disables the check.  ``status``: flags
    from the logger's status codes, OR-ed in.
    """
    out = []
    tail = list(history[-(stuck_run - 1) :]) if stuck_run > 1 else []
    run, prev = 0, None
    for v in tail:
        run = run + 1 if prev is not None and v == prev else 1
        prev = v
    for i, v in enumerate(values):
        f = status[i] if status is not None else 0
        if (low is not None and v < low) or (high is not None and v > high) or v != v:
            f |= FLAG_OUT_OF_RANGE
        run = run + 1 if prev is not None and v == prev else 1
        prev = v
        if stuck_run > 1 and run >= stuck_run:
            f |= FLAG_STUCK
        out.append(f)
    return out


def flag_arrays(values, *, low=None, high=None, stuck_run: int = 0, history=(), status=None):
    """Vectorised ``flag_readings`` for a whole batch: the same flags as a numpy ``int16`` array.

    ``values`` (float, time order) and ``status`` (int flags, or None) are array-likes.  Range:
    ``v < low``, ``v > high`` or NaN.  Stuck: the length of the run of equal consecutive values
    (the last ``stuck_run - 1`` values of ``history`` prepended; NaN never equals) reaches
    ``stuck_run``."""
    import numpy as np

    v = np.asarray(values, dtype=np.float64)
    n = len(v)
    f = np.zeros(n, dtype=np.int16) if status is None else np.asarray(status).astype(np.int16)
    bad = np.isnan(v)
    if low is not None:
        bad |= v < low
    if high is not None:
        bad |= v > high
    f[bad] |= FLAG_OUT_OF_RANGE
    if stuck_run > 1 and n:
        tail = np.asarray(list(history)[-(stuck_run - 1) :], dtype=np.float64)
        x = np.concatenate([tail, v]) if len(tail) else v
        idx = np.arange(len(x))
        start = np.ones(len(x), dtype=bool)
        start[1:] = x[1:] != x[:-1]
        run = idx - np.maximum.accumulate(np.where(start, idx, 0)) + 1
        f[run[len(tail) :] >= stuck_run] |= FLAG_STUCK
    return f


# ---------------------------------------------------------------- averaging
@dataclass(frozen=True)
class AveragingRule:
    period: int = HOUR  # seconds
    min_coverage: float = 0.75  # share of the expected readings that must be valid

    def expected(self, interval_s: int) -> int:
        return max(1, self.period // interval_s)

    def complete(self, n_valid: int, interval_s: int) -> bool:
        return n_valid >= self.min_coverage * self.expected(interval_s) - 1e-9


@dataclass(frozen=True)
class Average:
    start: int
    mean: float | None  # None when no valid reading
    n_valid: int
    n_total: int
    minimum: float | None = None
    maximum: float | None = None
    complete: bool = False


def hourly_averages(
    ts: Sequence[int],
    values: Sequence[float],
    flags: Sequence[int],
    *,
    interval_s: int,
    rule: AveragingRule = AveragingRule(),
) -> list[Average]:
    """Averages per period of the valid (unflagged) readings; the reference the SQL aggregation
    of the web layer must agree with."""
    buckets: dict[int, list] = {}
    for t, v, f in zip(ts, values, flags, strict=True):
        b = buckets.setdefault(t - t % rule.period, [0, 0.0, 0, None, None])
        b[0] += 1
        if not f:
            b[1] += v
            b[2] += 1
            b[3] = v if b[3] is None else min(b[3], v)
            b[4] = v if b[4] is None else max(b[4], v)
    return [
        from_sums(start, b[0], b[2], b[1], b[3], b[4], interval_s, rule)
        for start, b in sorted(buckets.items())
    ]


def from_sums(start, n_total, n_valid, total, minimum, maximum, interval_s, rule) -> Average:
    """An Average from stored sums (the pre-aggregated hourly table)."""
    return Average(
        start=int(start),
        mean=(total / n_valid) if n_valid else None,
        n_valid=int(n_valid),
        n_total=int(n_total),
        minimum=minimum,
        maximum=maximum,
        complete=rule.complete(int(n_valid), interval_s),
    )


def daily_averages(
    hours: Iterable[Average], *, min_hours: int = 18, offset: int = LOCAL_OFFSET
) -> list[Average]:
    """Daily (local day) averages: the mean of the day's complete hourly averages; the day is
    complete when at least ``min_hours`` hours are complete.  ``n_valid``/``n_total`` count hours."""
    days: dict[int, list] = {}
    for h in hours:
        start = (h.start + offset) // DAY * DAY - offset
        d = days.setdefault(start, [0, 0, 0.0, None, None])
        d[1] += 1
        if h.complete and h.mean is not None:
            d[0] += 1
            d[2] += h.mean
            d[3] = h.mean if d[3] is None else min(d[3], h.mean)
            d[4] = h.mean if d[4] is None else max(d[4], h.mean)
    return [
        Average(s, d[2] / d[0] if d[0] else None, d[0], d[1], d[3], d[4], d[0] >= min_hours)
        for s, d in sorted(days.items())
    ]


# ---------------------------------------------------------------- limits
@dataclass(frozen=True)
class Limit:
    low: float | None = None
    high: float | None = None
    pack: str = ""
    column: str = ""

    def breach(self, value: float) -> str | None:
        if self.high is not None and value > self.high:
            return "high"
        if self.low is not None and value < self.low:
            return "low"
        return None


@dataclass
class LimitPack:
    id: str
    kind: str
    document: str
    title: dict
    valid_from: dt.date | None
    valid_to: dt.date | None
    status: str
    columns: dict
    coefficients: dict
    rule: AveragingRule
    parameters: dict[str, dict]
    verify: bool
    confidence: str = ""
    path: str = ""
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def unverified(self) -> int:
        return sum(1 for p in self.parameters.values() if p.get("verify", True))

    def applies_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day <= self.valid_to
        )

    def coefficient(self, context: dict) -> float:
        """The multiplier of the pack's formula for a station's context (1 without one).

        context keys: ``receiving`` (river/lake/coastal/coastal_protected) and
        ``receiving_measure`` (river flow m³/s or lake volume million m³), ``discharge_m3_day``
        for wastewater; ``stack_flow_m3_h`` and ``area_class`` (1–5) for stacks."""
        c = self.coefficients
        k = 1.0
        if "kq" in c and context.get("receiving"):
            k *= _band(c["kq"].get(context["receiving"], []), context.get("receiving_measure"))
        if "kf" in c and context.get("discharge_m3_day") is not None:
            k *= _band(c["kf"], context["discharge_m3_day"])
        if "kp" in c and context.get("stack_flow_m3_h") is not None:
            k *= _band(c["kp"], context["stack_flow_m3_h"])
        if "kv" in c and context.get("area_class") is not None:
            k *= float(c["kv"].get(str(context["area_class"]), 1.0))
        return k

    def limit(self, parameter: str, column: str, context: dict | None = None) -> Limit | None:
        p = self.parameters.get(parameter)
        if not p or column not in p:
            return None
        k = self.coefficient(context or {}) if p.get("coefficients", True) else 1.0
        lo, hi = p[column].get("min"), p[column].get("max")
        return Limit(
            low=lo,  # ranges (pH) are never multiplied
            high=None if hi is None else round(hi * k, 6) if lo is None else hi,
            pack=self.id,
            column=column,
        )


def _band(bands: list, measure) -> float:
    if not bands:
        return 1.0
    if measure is None:
        return float(bands[-1]["k"]) if len(bands) == 1 else 1.0
    for b in bands:
        if b["upto"] is None or measure <= b["upto"]:
            return float(b["k"])
    return float(bands[-1]["k"])


KINDS = {"wastewater", "stack", "ambient"}


def _date(value, path, fieldname):
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise MonitoringError("bad_date", f"{path}: {fieldname} is not a date", file=path)


def validate_pack(doc, path: str) -> LimitPack:
    def fail(code, msg, **p):
        raise MonitoringError(code, f"{path}: {msg}", file=path, **p)

    if not isinstance(doc, dict):
        fail("not_mapping", "a pack is a mapping")
    for key in ("id", "kind", "document", "title", "columns", "parameters"):
        if key not in doc:
            fail("missing_field", f"missing {key}", field=key)
    if doc["kind"] not in KINDS:
        fail("bad_kind", f"kind must be one of {sorted(KINDS)}", field="kind")
    if "verify" not in doc:
        fail("missing_field", "missing verify (true until checked)", field="verify")
    columns = doc["columns"]
    params: dict[str, dict] = {}
    for p in doc["parameters"]:
        code = p.get("code")
        if not code or code in params:
            fail("bad_parameter", f"parameter code missing or duplicated: {code!r}", field=code)
        if "verify" not in p:
            fail("missing_field", f"{code}: missing verify", field="verify")
        for col in set(p) & set(columns):
            lim = p[col]
            lo, hi = lim.get("min"), lim.get("max")
            for v in (lo, hi):
                if v is not None and not isinstance(v, (int, float)):
                    fail("bad_limit", f"{code}.{col}: limits are numbers", field=code)
            if lo is None and hi is None:
                fail("bad_limit", f"{code}.{col}: min or max", field=code)
            if lo is not None and hi is not None and lo > hi:
                fail("bad_limit", f"{code}.{col}: min above max", field=code)
        unknown = {k for k in p if k.isupper() or len(k) == 1} - set(columns)
        if unknown:
            fail("unknown_column", f"{code}: columns {sorted(unknown)} not declared", field=code)
        params[code] = p
    coeff = doc.get("coefficients") or {}
    for name in ("kq",):
        for kind, bands in (coeff.get(name) or {}).items():
            _check_bands(bands, f"{name}.{kind}", fail)
    for name in ("kf", "kp"):
        if name in coeff:
            _check_bands(coeff[name], name, fail)
    av = doc.get("averaging") or {}
    period = {"hour": HOUR, "day": DAY}.get(av.get("period", "hour"))
    if period is None:
        fail("bad_averaging", "averaging.period is hour or day", field="averaging")
    cover = float(av.get("min_coverage", 0.75))
    if not 0 < cover <= 1:
        fail("bad_averaging", "averaging.min_coverage in (0, 1]", field="averaging")
    pack = LimitPack(
        id=doc["id"],
        kind=doc["kind"],
        document=doc["document"],
        title=doc["title"],
        valid_from=_date(doc.get("valid_from"), path, "valid_from"),
        valid_to=_date(doc.get("valid_to"), path, "valid_to"),
        status=doc.get("status", "in_force"),
        columns=columns,
        coefficients=coeff,
        rule=AveragingRule(period, cover),
        parameters=params,
        verify=bool(doc["verify"]),
        confidence=doc.get("confidence", ""),
        path=path,
        raw=doc,
    )
    if pack.valid_from and pack.valid_to and pack.valid_from > pack.valid_to:
        fail("bad_dates", "valid_from after valid_to", field="valid_to")
    return pack


def _check_bands(bands, name, fail):
    last = -1.0
    for i, b in enumerate(bands):
        if "k" not in b or "upto" not in b:
            fail("bad_coefficient", f"{name}[{i}]: upto and k", field=name)
        if b["upto"] is None:
            if i != len(bands) - 1:
                fail("bad_coefficient", f"{name}: open band must be last", field=name)
        elif b["upto"] <= last:
            fail("bad_coefficient", f"{name}: bands must increase", field=name)
        else:
            last = b["upto"]


def load_pack(path: str | Path) -> LimitPack:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MonitoringError("unreadable", f"{path.name}: {exc}", file=path.name)
    return validate_pack(doc, path.name)


def load_all_packs(directory: str | Path | None = None) -> dict[str, LimitPack]:
    packs: dict[str, LimitPack] = {}
    for path in sorted(Path(directory or PACK_DIR).glob("*.yaml")):
        if path.name == "legal_basis.yaml":
            continue
        pack = load_pack(path)
        if pack.id in packs:
            raise MonitoringError("duplicate_id", f"{path.name}: pack id {pack.id} reused")
        packs[pack.id] = pack
    return packs


@lru_cache(maxsize=1)
def installed_packs() -> dict[str, LimitPack]:
    return load_all_packs()


@lru_cache(maxsize=1)
def legal_basis() -> list[dict]:
    doc = yaml.safe_load((PACK_DIR / "legal_basis.yaml").read_text(encoding="utf-8"))
    for p in doc["provisions"]:
        if "verify" not in p or not p.get("document") or not p.get("article"):
            raise MonitoringError("bad_provision", f"legal_basis.yaml: {p.get('code')}")
    return doc["provisions"]


def pack_for(kind: str, day: dt.date, packs: dict[str, LimitPack] | None = None) -> LimitPack:
    """The regulation of ``kind`` in force on ``day`` (earlier data keep the earlier pack)."""
    cands = [p for p in (packs or installed_packs()).values() if p.kind == kind]
    for p in sorted(cands, key=lambda p: p.valid_from or dt.date.min, reverse=True):
        if p.applies_on(day):
            return p
    raise MonitoringError("no_pack", f"no {kind} regulation in force on {day}", kind=kind)


@dataclass(frozen=True)
class LimitPeriod:
    start: int  # epoch seconds, inclusive
    end: int | None  # exclusive
    limit: Limit


def limit_periods(kind, parameter, columns: dict, context: dict, packs=None) -> list[LimitPeriod]:
    """The limits of a station's parameter over time, one period per pack in force.

    ``columns`` maps pack id -> the station's column in that pack (a station keeps its column when
    a new regulation with the same column letters comes into force)."""
    out = []
    for p in sorted(
        (p for p in (packs or installed_packs()).values() if p.kind == kind),
        key=lambda p: p.valid_from or dt.date.min,
    ):
        col = columns.get(p.id) or columns.get("*")
        lim = p.limit(parameter, col, context) if col else None
        if lim is None:
            continue
        out.append(LimitPeriod(_epoch(p.valid_from), _epoch_end(p.valid_to), lim))
    return out


def _epoch(day: dt.date | None) -> int:
    if day is None:
        return 0
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) - LOCAL_OFFSET


def _epoch_end(day: dt.date | None) -> int | None:
    return None if day is None else _epoch(day + dt.timedelta(days=1))


def limit_at(periods: Sequence[LimitPeriod], t: int) -> Limit | None:
    for p in periods:
        if t >= p.start and (p.end is None or t < p.end):
            return p.limit
    return None


# ---------------------------------------------------------------- exceedances
@dataclass(frozen=True)
class Exceedance:
    start: int
    end: int  # exclusive: start of the first period back within the limit
    bound: str  # "high" or "low"
    limit: float
    peak: float  # the worst average (max for high, min for low)
    mean: float  # mean of the exceeding averages
    periods: int
    confirmed: bool  # every exceeding average met the coverage rule
    pack: str = ""

    @property
    def duration_s(self) -> int:
        return self.end - self.start

    @property
    def magnitude(self) -> float:
        """Relative excess of the peak: (peak − limit) / limit for a maximum, (limit − peak) /
        limit for a minimum."""
        if not self.limit:
            return 0.0
        return (self.peak - self.limit) / self.limit * (1 if self.bound == "high" else -1)


def detect_exceedances(
    averages: Iterable[Average], periods: Sequence[LimitPeriod], *, period_s: int = HOUR
) -> list[Exceedance]:
    """Runs of consecutive averaging periods whose average breaks the limit in force then.

    A gap (a missing period or one without a valid reading) ends a run, as does a change of the
    bound broken or of the limit value.  Incomplete averages still count (early warning) but
    leave the run unconfirmed."""
    out: list[Exceedance] = []
    cur = None  # [start, end, bound, limit, peak, sum, n, confirmed, pack]
    for a in sorted(averages, key=lambda a: a.start):
        lim = limit_at(periods, a.start) if a.mean is not None else None
        bound = lim.breach(a.mean) if lim else None
        value = None if bound is None else (lim.high if bound == "high" else lim.low)
        if cur and (bound is None or a.start != cur[1] or bound != cur[2] or value != cur[3]):
            out.append(_close(cur))
            cur = None
        if bound is None:
            continue
        if cur is None:
            cur = [a.start, a.start, bound, value, a.mean, 0.0, 0, True, lim.pack]
        cur[1] = a.start + period_s
        cur[4] = max(cur[4], a.mean) if bound == "high" else min(cur[4], a.mean)
        cur[5] += a.mean
        cur[6] += 1
        cur[7] = cur[7] and a.complete
    if cur:
        out.append(_close(cur))
    return out


def _close(c) -> Exceedance:
    return Exceedance(c[0], c[1], c[2], c[3], c[4], c[5] / c[6], c[6], c[7], c[8])


# ---------------------------------------------------------------- completeness
def completeness(n_valid: int, n_received: int, expected: int) -> dict:
    """Shares of the expected readings received and valid (capped at 1)."""
    if expected <= 0:
        return {"received": 0.0, "valid": 0.0}
    return {
        "received": min(1.0, n_received / expected),
        "valid": min(1.0, n_valid / expected),
    }


def expected_readings(interval_s: int, start: int, end: int) -> int:
    """Readings expected in [start, end) at one per ``interval_s``."""
    return max(0, (end - start) // interval_s)


def local_day(t: int) -> dt.date:
    return dt.datetime.fromtimestamp(t + LOCAL_OFFSET, dt.UTC).date()


def day_start(day: dt.date) -> int:
    return _epoch(day)
