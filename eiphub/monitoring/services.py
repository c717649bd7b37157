"""Ingestion, aggregation, evaluation and alerts for the monitoring stations.

One write path (``ingest``) serves the API, the file upload, the demo and the benchmark:

1. readings are grouped per series, de-duplicated (last one wins) and flagged by the core rules
   (instrument range, stuck values against the series' stored tail, logger status);
2. they are upserted set-based on (series, ts) — re-sending is idempotent, late and out-of-order
   readings simply land in their place (PostgreSQL: ``unnest`` arrays or COPY into a staging
   table; SQLite: ``executemany``);
3. the hourly sums of the touched hours are recomputed in SQL;
4. exceedances of the touched hours are re-derived from the hourly averages by the core rule and
   merged with the stored ones; each new exceedance raises an Alert row and, after commit,
   ``notify_exceedance`` e-mails the park's developer and board.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from eiphub.core import monitoring as M
from eiphub.core.numbers import format_number

from .models import Alert, Exceedance, HourlyAverage, Series, Station

log = logging.getLogger(__name__)
H = M.HOUR

# Parameters a station may measure: unit and default instrument range.
PARAMETERS = {
    "flow": ("m3/h", 0, 10_000),
    "temperature": ("°C", 0, 80),
    "ph": ("", 0, 14),
    "cod": ("mg/L", 0, 2_000),
    "bod5": ("mg/L", 0, 1_000),
    "tss": ("mg/L", 0, 2_000),
    "nh4_n": ("mg/L", 0, 200),
    "total_n": ("mg/L", 0, 300),
    "total_p": ("mg/L", 0, 100),
    "colour": ("Pt-Co", 0, 1_000),
    "gas_flow": ("Nm3/h", 0, 2_000_000),
    "gas_temperature": ("°C", 0, 600),
    "o2": ("%", 0, 25),
    "dust": ("mg/Nm3", 0, 2_000),
    "so2": ("mg/Nm3", 0, 5_000),
    "nox": ("mg/Nm3", 0, 5_000),
    "co": ("mg/Nm3", 0, 5_000),
}
PARAMETER_LABELS = {
    "flow": "Lưu lượng",
    "temperature": "Nhiệt độ",
    "ph": "pH",
    "cod": "COD",
    "bod5": "BOD₅",
    "tss": "TSS",
    "nh4_n": "Amoni (N-NH₄⁺)",
    "total_n": "Tổng N",
    "total_p": "Tổng P",
    "colour": "Độ màu",
    "gas_flow": "Lưu lượng khí thải",
    "gas_temperature": "Nhiệt độ khí thải",
    "o2": "O₂",
    "dust": "Bụi tổng",
    "so2": "SO₂",
    "nox": "NOx",
    "co": "CO",
}
PARAMETER_LABELS_EN = PARAMETER_LABELS | {
    "flow": "Flow",
    "temperature": "Temperature",
    "nh4_n": "Ammonium (NH₄⁺-N)",
    "total_n": "Total N",
    "total_p": "Total P",
    "colour": "Colour",
    "gas_flow": "Stack gas flow",
    "gas_temperature": "Stack gas temperature",
    "dust": "Total dust",
}


def parameter_label(code: str) -> str:
    lang = translation.get_language() or "vi"
    table = PARAMETER_LABELS if lang.startswith("vi") else PARAMETER_LABELS_EN
    return table.get(code, code)


class IngestError(M.MonitoringError):
    pass


@dataclass
class IngestResult:
    received: int = 0
    new: int = 0
    flagged: int = 0
    series: int = 0
    hours: int = 0
    exceedances: list[int] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "new": self.new,
            "replaced": self.received - self.new - len(self.rejected),
            "flagged": self.flagged,
            "hours_updated": self.hours,
            "new_exceedances": len(self.exceedances),
            "rejected": self.rejected[:100],
        }


# ---------------------------------------------------------------- setup helpers
def add_series(station: Station, parameter: str, **kw) -> Series:
    unit, lo, hi = PARAMETERS.get(parameter, ("", None, None))
    defaults = {"unit": unit, "range_min": lo, "range_max": hi} | kw
    return Series.objects.get_or_create(station=station, parameter=parameter, defaults=defaults)[0]


def limit_periods(series: Series) -> list[M.LimitPeriod]:
    st = series.station
    return M.limit_periods(st.kind, series.parameter, {"*": st.column}, st.context())


def rule_for(station: Station) -> M.AveragingRule:
    packs = [p for p in M.installed_packs().values() if p.kind == station.kind]
    return packs[0].rule if packs else M.AveragingRule()


# ---------------------------------------------------------------- partitions (PostgreSQL)
def _month_bounds(t: int) -> tuple[int, int, str]:
    d = dt.datetime.fromtimestamp(t, dt.UTC)
    start = dt.datetime(d.year, d.month, 1, tzinfo=dt.UTC)
    nxt = dt.datetime(d.year + (d.month == 12), d.month % 12 + 1, 1, tzinfo=dt.UTC)
    return int(start.timestamp()), int(nxt.timestamp()), f"monitoring_reading_p{d:%Y%m}"


def ensure_partitions(t_min: int, t_max: int) -> None:
    """Create the monthly partitions covering [t_min, t_max] (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    t = t_min
    with connection.cursor() as cur:
        while True:
            lo, hi, name = _month_bounds(t)
            cur.execute("SELECT to_regclass(%s)", [name])
            if cur.fetchone()[0] is None:  # checked each time: a rollback may undo a creation
                cur.execute(
                    f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF monitoring_reading "
                    f"FOR VALUES FROM ({lo}) TO ({hi})"
                )
            if hi > t_max:
                break
            t = hi


# ---------------------------------------------------------------- the write path
def _tail(series: Series, before: int, n: int) -> list[float]:
    if n <= 1:
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT value FROM monitoring_reading WHERE series_id = %s AND ts < %s "
            "ORDER BY ts DESC LIMIT %s",
            [series.pk, before, n - 1],
        )
        return [r[0] for r in cur.fetchall()][::-1]


TAILS_PG = (
    "SELECT w.sid, t.value FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS w(sid, before, n) "
    "CROSS JOIN LATERAL (SELECT ts, value FROM monitoring_reading WHERE series_id = w.sid "
    "AND ts < w.before ORDER BY ts DESC LIMIT w.n) t ORDER BY w.sid, t.ts"
)


def _tails_all(wanted: list[tuple[Series, int]]) -> dict[int, list[float]]:
    """``_tail`` of several series at once: ``{series_id: values}`` for ``(series, before)``
    (one statement on PostgreSQL)."""
    wanted = [(s, b) for s, b in wanted if s.stuck_run > 1]
    if connection.vendor != "postgresql":
        return {s.pk: _tail(s, b, s.stuck_run) for s, b in wanted}
    out: dict[int, list[float]] = {s.pk: [] for s, _b in wanted}
    if not wanted:
        return out
    with connection.cursor() as cur:
        cur.execute(
            TAILS_PG,
            [
                [s.pk for s, _b in wanted],
                [b for _s, b in wanted],
                [s.stuck_run - 1 for s, _b in wanted],
            ],
        )
        for sid, v in cur.fetchall():
            out[sid].append(v)
    return out


def _count(series_id: int, lo: int, hi: int) -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM monitoring_reading WHERE series_id = %s AND ts >= %s AND ts <= %s",
            [series_id, lo, hi],
        )
        return cur.fetchone()[0]


def _count_all(bounds: dict[int, tuple[int, int]]) -> int:
    """Stored readings of the series within their batch's time span (one statement on
    PostgreSQL): the difference before/after the upsert is the number of new readings."""
    if connection.vendor != "postgresql":
        return sum(_count(sid, lo, hi) for sid, (lo, hi) in bounds.items())
    sids = list(bounds)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM monitoring_reading JOIN unnest(%s::bigint[], %s::bigint[], "
            "%s::bigint[]) AS w(sid, lo, hi) ON series_id = w.sid AND ts >= w.lo AND ts <= w.hi",
            [sids, [bounds[s][0] for s in sids], [bounds[s][1] for s in sids]],
        )
        return cur.fetchone()[0]


UPSERT = (
    "INSERT INTO monitoring_reading (series_id, ts, value, flags) {source} "
    "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value, flags = excluded.flags"
)


_COPY_MIN = 5_000  # PostgreSQL: batches from this size go through binary COPY
_PGCOPY_HEAD = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_PGCOPY_ROW = np.dtype(
    [("n", ">i2"), ("l1", ">i4"), ("sid", ">i8"), ("l2", ">i4"), ("ts", ">i8"),
     ("l3", ">i4"), ("value", ">f8"), ("l4", ">i4"), ("flags", ">i2")]
)  # fmt: skip


def _copy_binary(sids, tss, vals, flgs) -> bytes:
    """The rows in PostgreSQL's binary COPY format, built as one numpy record array."""
    rec = np.empty(len(tss), dtype=_PGCOPY_ROW)
    rec["n"], rec["l1"], rec["l2"], rec["l3"], rec["l4"] = 4, 8, 8, 8, 2
    rec["sid"], rec["ts"], rec["value"], rec["flags"] = sids, tss, vals, flgs
    return _PGCOPY_HEAD + rec.tobytes() + b"\xff\xff"


def _pg_array(values) -> str:
    """A PostgreSQL array literal of numbers (``str`` of a Python int/float is valid input,
    including inf and nan): far cheaper than the driver's per-element list adaptation."""
    return "{" + ",".join(map(str, values)) + "}"


def _write(rows_by_series: dict[int, tuple], use_copy: bool) -> int | None:
    """Upsert ``{series_id: (ts, values, flags)}`` (numpy arrays) on (series, ts).

    Returns None: the caller counts the new readings (PostgreSQL 15 cannot return ``xmax``
    from a partitioned table's upsert)."""
    if connection.vendor == "postgresql":
        parts = list(rows_by_series.items())
        tss = np.concatenate([ts for _, (ts, _v, _f) in parts])
        vals = np.concatenate([v for _, (_t, v, _f) in parts])
        flgs = np.concatenate([f for _, (_t, _v, f) in parts])
        sids = np.repeat([sid for sid, _ in parts], [len(ts) for _, (ts, _v, _f) in parts])
        with connection.cursor() as cur:
            if use_copy or len(tss) >= _COPY_MIN:
                cur.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS monitoring_stage "
                    "(series_id bigint, ts bigint, value float8, flags int2) ON COMMIT DELETE ROWS"
                )
                raw = cur.cursor if hasattr(cur, "cursor") else cur
                with raw.copy(
                    "COPY monitoring_stage (series_id, ts, value, flags) FROM STDIN "
                    "WITH (FORMAT binary)"
                ) as cp:
                    cp.write(_copy_binary(sids, tss, vals, flgs))
                cur.execute(UPSERT.format(source="SELECT * FROM monitoring_stage"))
                cur.execute("TRUNCATE monitoring_stage")
            else:
                cur.execute(
                    UPSERT.format(
                        source="SELECT * FROM unnest(%s::bigint[], %s::bigint[], "
                        "%s::float8[], %s::int2[])"
                    ),
                    [
                        _pg_array(sids.tolist()),
                        _pg_array(tss.tolist()),
                        _pg_array(vals.tolist()),
                        _pg_array(flgs.tolist()),
                    ],
                )
        return None
    sql = UPSERT.format(source="VALUES (%s, %s, %s, %s)")
    with connection.cursor() as cur:
        for sid, (ts, vs, fs) in rows_by_series.items():
            cur.executemany(
                sql, list(zip([sid] * len(ts), ts.tolist(), vs.tolist(), fs.tolist(), strict=True))
            )
    return None


def _runs(hours: Iterable[int]) -> list[tuple[int, int]]:
    """Contiguous runs [lo, hi) of hour starts."""
    h = np.unique(np.asarray(list(hours) if not isinstance(hours, np.ndarray) else hours))
    if not len(h):
        return []
    cut = np.nonzero(np.diff(h) != H)[0]
    los = np.concatenate([h[:1], h[cut + 1]])
    his = np.concatenate([h[cut], h[-1:]]) + H
    return [(int(a), int(b)) for a, b in zip(los, his, strict=True)]


HOURLY = (
    "INSERT INTO monitoring_hourlyaverage "
    "(series_id, hour, n_total, n_valid, total, minimum, maximum) "
    "SELECT series_id, ts - ts %% 3600, count(*), "
    "sum(CASE WHEN flags = 0 THEN 1 ELSE 0 END), "
    "coalesce(sum(CASE WHEN flags = 0 THEN value END), 0), "
    "min(CASE WHEN flags = 0 THEN value END), max(CASE WHEN flags = 0 THEN value END) "
    "FROM monitoring_reading WHERE series_id = %s AND ts >= %s AND ts < %s "
    "GROUP BY series_id, ts - ts %% 3600 "
    "ON CONFLICT (series_id, hour) DO UPDATE SET n_total = excluded.n_total, "
    "n_valid = excluded.n_valid, total = excluded.total, minimum = excluded.minimum, "
    "maximum = excluded.maximum"
)


HOURLY_PG = HOURLY.replace(
    "FROM monitoring_reading WHERE series_id = %s AND ts >= %s AND ts < %s",
    "FROM monitoring_reading JOIN unnest(%s::bigint[], %s::bigint[], %s::bigint[]) "
    "AS w(sid, lo, hi) ON series_id = w.sid AND ts >= w.lo AND ts < w.hi",
)


def _refresh_hours_all(runs_by: dict[int, list[tuple[int, int]]]) -> None:
    """Recompute the hourly sums of the touched hour runs (one statement on PostgreSQL)."""
    if connection.vendor == "postgresql":
        sids, los, his = [], [], []
        for sid, runs in runs_by.items():
            for lo, hi in runs:
                sids.append(sid)
                los.append(lo)
                his.append(hi)
        with connection.cursor() as cur:
            cur.execute(HOURLY_PG, [sids, los, his])
        return
    for sid, runs in runs_by.items():
        _refresh_hours(sid, runs)


def _refresh_hours(series_id: int, runs: list[tuple[int, int]]) -> None:
    with connection.cursor() as cur:
        for lo, hi in runs:
            cur.execute(HOURLY, [series_id, lo, hi])


def _columns(readings) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """Readings ``(parameter, ts, value, status)`` as four columns (one C-level transpose)."""
    rows = readings if isinstance(readings, list | tuple) else list(readings)
    if not rows:
        e = np.empty(0)
        return [], e.astype(np.int64), e, e.astype(np.int16)
    params, ts, vals, status = zip(*rows, strict=True)
    try:
        st = np.asarray(status, dtype=np.int16)
    except (TypeError, ValueError):
        st = np.asarray([int(x or 0) for x in status], dtype=np.int16)
    return (
        list(params),
        np.asarray(ts, dtype=np.float64).astype(np.int64),
        np.asarray(vals, dtype=np.float64),
        st,
    )


def ingest(
    station: Station,
    readings: Iterable[tuple[str, int, float, int]] = (),
    *,
    use_copy: bool = False,
    notify: bool = True,
    columns: Iterable[tuple[str, Sequence, Sequence, Sequence | None]] = (),
) -> IngestResult:
    """Store readings ``(parameter, ts, value, status_flags)`` of one station.

    ``columns``: the same readings in columnar form, ``(parameter, ts, values, status_flags or
    None)`` per parameter (array-likes), appended after ``readings``.  The batch is handled as
    numpy arrays: grouped per series, de-duplicated (the last reading of a (parameter, ts)
    wins) and flagged by ``M.flag_arrays``.  Unknown parameters are rejected (listed in the
    result) without stopping the batch.  Runs in one transaction; alerts are e-mailed after
    commit."""
    series = {s.parameter: s for s in station.series.all()}
    params, ts_all, val_all, st_all = _columns(readings)
    codes = {p: k for k, p in enumerate(dict.fromkeys(params))}
    code_all = np.fromiter((codes[p] for p in params), dtype=np.int32, count=len(params))
    chunks_c, chunks_t, chunks_v, chunks_s = [code_all], [ts_all], [val_all], [st_all]
    for param, t, v, st in columns:
        k = codes.setdefault(param, len(codes))
        t = np.asarray(t, dtype=np.int64)
        chunks_c.append(np.full(len(t), k, dtype=np.int32))
        chunks_t.append(t)
        chunks_v.append(np.asarray(v, dtype=np.float64))
        chunks_s.append(
            np.zeros(len(t), dtype=np.int16) if st is None else np.asarray(st, dtype=np.int16)
        )
    code = np.concatenate(chunks_c)
    ts_all, val_all = np.concatenate(chunks_t), np.concatenate(chunks_v)
    st_all = np.concatenate(chunks_s)
    res = IngestResult(received=len(code))
    names = list(codes)
    unknown = np.asarray([p not in series for p in names], dtype=bool)
    if unknown.any():
        for i in np.nonzero(unknown[code])[0].tolist():
            res.rejected.append(
                {"index": i, "code": "unknown_parameter", "parameter": names[code[i]]}
            )
    # one stable sort by (parameter, ts, arrival): the last reading of each (parameter, ts) wins
    order = np.lexsort((np.arange(len(code)), ts_all, code))
    order = order[~unknown[code[order]]] if unknown.any() else order
    if not len(order):
        return res
    c, t = code[order], ts_all[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (c[1:] != c[:-1]) | (t[1:] != t[:-1])
    order, c = order[last], c[last]
    bounds_idx = np.flatnonzero(np.diff(c)) + 1
    groups = np.split(order, bounds_idx)
    with transaction.atomic():
        rows: dict[int, tuple] = {}
        bounds = {}
        by_param = {}
        picked = [(series[names[code[g[0]]]], g) for g in groups]
        tails = _tails_all([(s, int(ts_all[g[0]])) for s, g in picked])
        for s, g in picked:
            ts, vals = ts_all[g], val_all[g]
            flags = M.flag_arrays(
                vals,
                low=s.range_min,
                high=s.range_max,
                stuck_run=s.stuck_run,
                history=tails.get(s.pk, ()),
                status=st_all[g],
            )
            res.flagged += int(np.count_nonzero(flags))
            rows[s.pk] = (ts, vals, flags)
            bounds[s.pk] = (int(ts[0]), int(ts[-1]))
            by_param[s.parameter] = s
        ensure_partitions(min(b[0] for b in bounds.values()), max(b[1] for b in bounds.values()))
        before = _count_all(bounds)
        new = _write(rows, use_copy)
        res.new = new if new is not None else _count_all(bounds) - before
        res.series = len(rows)
        station_last = station.last_ts or 0
        runs_by = {sid: _runs(ts - ts % H) for sid, (ts, _v, _f) in rows.items()}
        _refresh_hours_all(runs_by)
        moved = []
        res.exceedances += evaluate_all([(s, runs_by[s.pk]) for s in by_param.values()])
        for s in by_param.values():
            ts, vals, flags = rows[s.pk]
            runs = runs_by[s.pk]
            res.hours += sum((b - a) // H for a, b in runs)
            t_last = int(ts[-1])
            if s.last_ts is None or t_last >= s.last_ts:
                s.last_ts, s.last_value, s.last_flags = t_last, float(vals[-1]), int(flags[-1])
                moved.append(s)
            station_last = max(station_last, t_last)
        if moved:
            Series.objects.bulk_update(moved, ["last_ts", "last_value", "last_flags"])
        if station_last != (station.last_ts or 0):
            Station.objects.filter(pk=station.pk).update(last_ts=station_last)
            station.last_ts = station_last
        if res.exceedances and notify:
            ids = list(res.exceedances)
            transaction.on_commit(lambda: notify_exceedance(ids))
    return res


# ---------------------------------------------------------------- evaluation
def hourly(series: Series, lo: int | None = None, hi: int | None = None) -> list[M.Average]:
    """Hourly averages of a series in [lo, hi) from the pre-aggregated table (one indexed
    range read on the primary key)."""
    sql = (
        "SELECT hour, n_total, n_valid, total, minimum, maximum FROM monitoring_hourlyaverage "
        "WHERE series_id = %s AND hour >= %s AND hour < %s ORDER BY hour"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [series.pk, -(2**62) if lo is None else lo, 2**62 if hi is None else hi])
        rows = cur.fetchall()
    rule = rule_for(series.station)
    interval = series.station.interval_s
    return [M.from_sums(h, n, nv, tot, mn, mx, interval, rule) for h, n, nv, tot, mn, mx in rows]


HOURLY_WINDOWS_PG = (
    "SELECT a.series_id, a.hour, a.n_total, a.n_valid, a.total, a.minimum, a.maximum "
    "FROM monitoring_hourlyaverage a JOIN unnest(%s::bigint[], %s::bigint[], %s::bigint[]) "
    "AS w(sid, lo, hi) ON a.series_id = w.sid AND a.hour >= w.lo AND a.hour < w.hi "
    "ORDER BY a.series_id, a.hour"
)


def _hourly_rows(windows: dict[int, list[tuple[int, int]]]) -> dict[int, list[tuple]]:
    """Stored hourly sums ``(hour, n_total, n_valid, total, min, max)`` of several series, each
    within its disjoint windows [lo, hi), in hour order (one statement on PostgreSQL)."""
    out: dict[int, list[tuple]] = {sid: [] for sid in windows}
    flat = [(sid, lo, hi) for sid, ws in windows.items() for lo, hi in ws]
    if not flat:
        return out
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(HOURLY_WINDOWS_PG, [list(col) for col in zip(*flat, strict=True)])
            for sid, *row in cur.fetchall():
                out[sid].append(tuple(row))
        return out
    sql = (
        "SELECT hour, n_total, n_valid, total, minimum, maximum FROM monitoring_hourlyaverage "
        "WHERE series_id = %s AND hour >= %s AND hour < %s ORDER BY hour"
    )
    with connection.cursor() as cur:
        for sid, lo, hi in flat:
            cur.execute(sql, [sid, lo, hi])
            out[sid].extend(cur.fetchall())
    return out


def _merge_windows(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(a, b) for a, b in out]


def evaluate_all(items: list[tuple[Series, list[tuple[int, int]]]]) -> list[int]:
    """``evaluate`` for all the series of a batch with two reads in all (the stored exceedances
    near the touched hours, then the hourly sums of every window); the result and the stored
    exceedances and alerts are those of calling ``evaluate`` per series in this order."""
    work = []
    for s, runs in items:
        periods = limit_periods(s)
        if periods and runs:
            work.append((s, periods, runs))
    if not work:
        return []
    lo_all = min(r[0][0] for _s, _p, r in work)
    hi_all = max(r[-1][1] for _s, _p, r in work)
    live: dict[int, dict[int, Exceedance]] = {s.pk: {} for s, _p, _r in work}
    for e in Exceedance.objects.filter(
        series_id__in=list(live), end__gte=lo_all, start__lte=hi_all
    ).order_by("start", "pk"):
        live[e.series_id][e.pk] = e

    def touching(sid, lo, hi):
        return sorted(
            (e for e in live[sid].values() if e.end >= lo and e.start <= hi),
            key=lambda e: (e.start, e.pk),
        )

    # every window a run can reach: what a run creates or updates lies in its own window, so a
    # later run reaching it reaches into a window already read
    windows = {}
    for s, _p, runs in work:
        spans = []
        for lo, hi in runs:
            t = touching(s.pk, lo, hi)
            spans.append((min([lo] + [e.start for e in t]), max([hi] + [e.end for e in t])))
        windows[s.pk] = _merge_windows(spans)
    hour_rows = _hourly_rows(windows)
    new_ids: list[int] = []
    for s, periods, runs in work:
        rule = rule_for(s.station)
        interval = s.station.interval_s
        rows = hour_rows[s.pk]
        hours = [r[0] for r in rows]
        for lo, hi in runs:
            t = touching(s.pk, lo, hi)
            a = min([lo] + [e.start for e in t])
            b = max([hi] + [e.end for e in t])
            i, j = bisect.bisect_left(hours, a), bisect.bisect_left(hours, b)
            avgs = [M.from_sums(*r, interval, rule) for r in rows[i:j]]
            found = M.detect_exceedances(avgs, periods, period_s=H)
            created, deleted = _reconcile(s, t, found)
            for obj in created:
                live[s.pk][obj.pk] = obj
                new_ids.append(obj.pk)
            for pk in deleted:
                del live[s.pk][pk]
    return new_ids


def _reconcile(series, stored, found):
    """Bring the stored exceedances of one window in line with those just detected: an
    overlapping stored one is updated, a new one is created with its alert, a stored one no
    longer detected is deleted.  Returns (created, deleted pks).  Both evaluation paths write
    through here; what they detect is computed independently."""
    unused = {e.pk: e for e in stored}
    created = []
    for ex in found:
        match = next((e for e in unused.values() if e.start < ex.end and ex.start < e.end), None)
        fields = {
            "start": ex.start,
            "end": ex.end,
            "bound": ex.bound,
            "limit": ex.limit,
            "peak": ex.peak,
            "mean": ex.mean,
            "periods": ex.periods,
            "confirmed": ex.confirmed,
            "pack": ex.pack,
        }
        if match:
            del unused[match.pk]
            for k, v in fields.items():
                setattr(match, k, v)
            match.save()
        else:
            obj = Exceedance.objects.create(series=series, **fields)
            Alert.objects.create(
                station_id=series.station_id,
                exceedance=obj,
                parameter=series.parameter,
                start=ex.start,
                value=ex.peak,
                limit=ex.limit,
                bound=ex.bound,
            )
            created.append(obj)
    if unused:
        Exceedance.objects.filter(pk__in=list(unused)).delete()
    return created, list(unused)


def evaluate(series: Series, runs: list[tuple[int, int]], periods=None) -> list[int]:
    """Re-derive the exceedances around the touched hour runs; return the new ones' ids.

    One series, queries per run: the reference ``evaluate_all`` (the write path) agrees with."""
    periods = periods if periods is not None else limit_periods(series)
    if not periods or not runs:
        return []
    new_ids: list[int] = []
    for lo, hi in runs:
        touching = list(
            Exceedance.objects.filter(series=series, end__gte=lo, start__lte=hi).order_by("start")
        )
        a = min([lo] + [e.start for e in touching])
        b = max([hi] + [e.end for e in touching])
        found = M.detect_exceedances(hourly(series, a, b), periods, period_s=H)
        created, _deleted = _reconcile(series, touching, found)
        new_ids += [obj.pk for obj in created]
    return new_ids


# ---------------------------------------------------------------- notification
def recipients(park) -> list[str]:
    """E-mail addresses of the park's developer staff and its province's board."""
    from django.contrib.auth import get_user_model

    from eiphub.accounts.models import Role

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(
        profile__role=Role.DEVELOPER, profile__organization_id=park.developer_id
    ) | users.filter(profile__role=Role.BOARD, profile__province_id=park.province_id)
    return sorted(set(users.values_list("email", flat=True)))


def fmt_time(t: int) -> str:
    return dt.datetime.fromtimestamp(t + M.LOCAL_OFFSET, dt.UTC).strftime("%d/%m/%Y %H:%M")


def notify_exceedance(exceedance_ids: list[int]) -> int:
    """E-mail the new exceedances to the developer and the board of each park (one message per
    park, in Vietnamese).  Returns the number of messages sent.  The single entry point a job
    queue can take over later."""
    if not exceedance_ids:
        return 0
    exs = list(
        Exceedance.objects.filter(pk__in=exceedance_ids).select_related(
            "series__station__park__province"
        )
    )
    by_park = defaultdict(list)
    for e in exs:
        by_park[e.series.station.park].append(e)
    sent = 0
    with translation.override("vi"):
        for park, items in by_park.items():
            to = recipients(park)
            if not to:
                continue
            lines = []
            for e in items:
                lines.append(
                    _(
                        "%(station)s — %(param)s: %(value)s %(unit)s against the limit "
                        "%(limit)s %(unit)s from %(start)s"
                    )
                    % {
                        "station": e.series.station.name,
                        "param": parameter_label(e.series.parameter),
                        "value": format_number(e.peak, "vi", decimals=2),
                        "limit": format_number(e.limit, "vi", decimals=2),
                        "unit": e.series.unit,
                        "start": fmt_time(e.start),
                    }
                )
            subject = _("[EIP Hub] Limit exceeded at %(park)s") % {"park": park.name_vi}
            body = "\n".join(lines) + "\n\n" + _("Values marked to verify until checked.")
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
                sent += 1
                Alert.objects.filter(exceedance__in=items).update(emailed=len(to))
            except OSError:
                log.exception("monitoring alert e-mail failed for park %s", park.code)
    return sent


# ---------------------------------------------------------------- files
class FileError(M.MonitoringError):
    pass


def parse_logger_file(name: str, content: bytes) -> list[tuple[str, int, float, int]]:
    """Readings from a data-logger export.

    Layouts: (1) the transmission text file (one reading per line: ``parameter value unit
    YYYYMMDDhhmmss status``, local time, tab- or space-separated; our reading of Circular
    10/2021/TT-BTNMT, to verify); (2) CSV/XLSX in the wide logger layout: a ``time`` column
    (ISO or ``dd/mm/yyyy HH:MM``, local time unless an offset is given), one column per
    parameter and optional ``<parameter>_status`` columns."""
    lower = name.lower()
    if lower.endswith(".txt"):
        return _parse_txt(content)
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = list(wb.active.iter_rows(values_only=True))
        return _parse_wide(rows)
    if lower.endswith(".csv"):
        import csv

        text = content.decode("utf-8-sig")
        sample = text[:2000]
        delim = ";" if sample.count(";") > sample.count(",") else ","
        return _parse_wide(list(csv.reader(io.StringIO(text), delimiter=delim)))
    raise FileError("bad_file_type", "use .csv, .xlsx or .txt", name=name)


def _local_ts(text) -> int:
    if isinstance(text, dt.datetime):
        d = text
    else:
        s = str(text).strip()
        d = None
        try:
            d = dt.datetime.fromisoformat(s)
        except ValueError:
            pass
        for fmt in () if d else ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y%m%d%H%M%S"):
            try:
                d = dt.datetime.strptime(s, fmt)
                break
            except ValueError:
                pass
        if d is None:
            raise FileError("bad_time", f"not a time: {s!r}", value=s)
    if d.tzinfo is None:
        return int(d.replace(tzinfo=dt.UTC).timestamp()) - M.LOCAL_OFFSET
    return int(d.timestamp())


def _num(v, row):
    try:
        return float(v)
    except (TypeError, ValueError):
        pass
    try:
        return float(str(v).strip().replace(",", "."))
    except ValueError:
        raise FileError("bad_number", f"row {row}: not a number: {v!r}", row=row, value=str(v))


def _parse_txt(content: bytes):
    out = []
    for i, line in enumerate(content.decode("utf-8-sig").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 4:
            raise FileError("bad_line", f"line {i}: parameter value unit time [status]", row=i)
        param, value = parts[0].lower(), _num(parts[1], i)
        status = parts[4] if len(parts) > 4 else "00"
        out.append((param, _local_ts(parts[3]), value, M.status_flag(status)))
    return out


def _parse_wide(rows):
    if not rows:
        return []
    head = [str(h or "").strip().lower() for h in rows[0]]
    if not head or head[0] not in ("time", "thời gian", "timestamp", "datetime"):
        raise FileError("bad_header", "the first column is the time", row=1)
    cols = [(j, h) for j, h in enumerate(head) if j and h and not h.endswith("_status")]
    status_col = {h[: -len("_status")]: j for j, h in enumerate(head) if h.endswith("_status")}
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if not row or row[0] in (None, ""):
            continue
        t = _local_ts(row[0])
        for j, h in cols:
            v = row[j] if j < len(row) else None
            if v in (None, ""):
                continue  # a gap, not a reading
            sj = status_col.get(h)
            st = row[sj] if sj is not None and sj < len(row) else "00"
            out.append((h, t, _num(v, i), M.status_flag(str(st if st is not None else "00"))))
    return out


# ---------------------------------------------------------------- queries for pages
def series_data(series: Series, lo: int, hi: int, max_points: int = 2000) -> dict:
    """Chart data for [lo, hi): raw 5-minute readings when few enough, else the hourly averages
    (pre-aggregated: a year is ≤ 8,784 rows, so the year view still shows hourly exceedances),
    else (multi-year spans) daily means of the hourly table."""
    interval = series.station.interval_s
    span = hi - lo
    if span // interval <= max_points:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT ts, value, flags FROM monitoring_reading "
                "WHERE series_id = %s AND ts >= %s AND ts < %s ORDER BY ts",
                [series.pk, lo, hi],
            )
            rows = cur.fetchall()
        return {
            "resolution": "raw",
            "points": [[t * 1000, v] for t, v, f in rows if not f],
            "flagged": [[t * 1000, v, f] for t, v, f in rows if f],
        }
    hours = hourly(series, lo, hi)
    if span // H <= 8_784:
        return {
            "resolution": "hour",
            "points": [[a.start * 1000, _r(a.mean)] for a in hours if a.mean is not None],
            "flagged": [],
        }
    days = M.daily_averages(hours, min_hours=1)
    return {
        "resolution": "day",
        "points": [[a.start * 1000, _r(a.mean)] for a in days if a.mean is not None],
        "flagged": [],
    }


def _r(v):
    return None if v is None else round(v, 4)


def day_completeness(station: Station, lo: int, hi: int) -> list[dict]:
    """Per local day and station: received and valid shares of the expected readings
    (all the station's parameters together)."""
    n_series = station.series.count() or 1
    per_day = M.DAY // station.interval_s * n_series
    rows = (
        HourlyAverage.objects.filter(series__station=station, hour__gte=lo, hour__lt=hi)
        .values_list("hour", "n_total", "n_valid")
        .iterator()
    )
    days: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for h, n, nv in rows:
        d = (h + M.LOCAL_OFFSET) // M.DAY * M.DAY - M.LOCAL_OFFSET
        days[d][0] += n
        days[d][1] += nv
    out = []
    d = (lo + M.LOCAL_OFFSET) // M.DAY * M.DAY - M.LOCAL_OFFSET
    while d < hi:
        n, nv = days.get(d, (0, 0))
        c = M.completeness(nv, n, per_day)
        out.append({"day": M.local_day(d), "start": d, **c})
        d += M.DAY
    return out


STATUS_ORDER = ["exceeding", "no_data", "stale", "ok"]


def station_statuses(stations, now: int | None = None) -> dict[int, dict]:
    """Status per station for the board and park pages, set-based (three queries whatever the
    number of stations): exceeding (an exceedance reaching the latest data), stale (no reading
    for 2 hours), no data, ok."""
    import time

    now = int(now if now is not None else time.time())
    ids = [s.pk for s in stations]
    out = {sid: {"status": "no_data", "open": [], "last_ts": None} for sid in ids}
    last = {s.pk: s.last_ts for s in stations}
    series_last = {}
    for sid, stid, lt in Series.objects.filter(station_id__in=ids).values_list(
        "id", "station_id", "last_ts"
    ):
        series_last[sid] = (stid, lt)
    # an exceedance is open when it reaches past its series' latest reading
    from django.db.models import F

    for sid, param, peak, limit in Exceedance.objects.filter(
        series_id__in=list(series_last), end__gt=F("series__last_ts")
    ).values_list("series_id", "series__parameter", "peak", "limit"):
        out[series_last[sid][0]]["open"].append({"parameter": param, "peak": peak, "limit": limit})
    for sid in ids:
        lt = last.get(sid)
        o = out[sid]
        o["last_ts"] = lt
        if lt is None:
            o["status"] = "no_data"
        elif o["open"]:
            o["status"] = "exceeding"
        elif now - lt > 2 * H:
            o["status"] = "stale"
        else:
            o["status"] = "ok"
    return out


def env5_evidence(park, year: int) -> dict:
    """Figures backing ENV.5 (the park's input/output monitoring mechanism) for one year:
    stations, their data completeness and exceedances.  No hook in the criteria snapshot takes
    them yet (ENV.5 is declared); pages show them next to the declaration."""
    lo = M.day_start(dt.date(year, 1, 1))
    hi = M.day_start(dt.date(year + 1, 1, 1))
    stations = list(Station.objects.filter(park=park))
    latest = max((s.last_ts or 0 for s in stations), default=0)
    if lo < latest < hi:
        hi = latest - latest % H + H  # a year in progress counts up to the latest data
    agg = HourlyAverage.objects.filter(series__station__park=park, hour__gte=lo, hour__lt=hi)
    from django.db.models import Sum

    sums = agg.aggregate(n=Sum("n_total"), nv=Sum("n_valid"))
    expected = sum(
        (hi - lo) // s.interval_s * s.series.count() for s in stations
    )  # readings expected in the year
    return {
        "stations": len(stations),
        "readings": sums["n"] or 0,
        "completeness": M.completeness(sums["nv"] or 0, sums["n"] or 0, expected),
        "exceedances": Exceedance.objects.filter(
            series__station__park=park, start__gte=lo, start__lt=hi
        ).count(),
    }
