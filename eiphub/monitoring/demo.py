"""Demo monitoring stations with a year of 5-minute readings (illustrative).

Three stations: the central wastewater plant outlets of DH-PK and DH-AT and a stack of the
metallurgy park DH-HH.  The series end at the current five minutes and carry, on purpose, a few
exceedances, an outage of two days, scattered missing readings, a stuck sensor, daily calibration
windows and out-of-range spikes, so every page and rule has something to show.  The readings go
through the one ingestion path (flags, hourly table, exceedances); no e-mail is sent.
"""

from __future__ import annotations

import time

import numpy as np
from django.db import transaction

from eiphub.core import monitoring as M
from eiphub.registry.models import Enterprise, Park

from . import services as S
from .models import Station

STATIONS = [
    dict(code="DH-PK-XLNT", park="DH-PK", kind="wastewater", name="Trạm quan trắc nước thải sau xử lý — KCN Phú Khánh",
         column="B", receiving="river", receiving_measure=180, discharge_m3_day=4500,
         params={"flow": 190, "ph": 7.2, "temperature": 29, "cod": 62, "tss": 38, "nh4_n": 4.2}),
    dict(code="DH-AT-XLNT", park="DH-AT", kind="wastewater", name="Trạm quan trắc nước thải sau xử lý — KCN An Thịnh",
         column="B", receiving="coastal", discharge_m3_day=3200,
         params={"ph": 7.4, "cod": 85, "tss": 45, "nh4_n": 6.5}),
    dict(code="DH-HH-K1", park="DH-HH", kind="stack", name="Ống khói lò luyện — KCN Hải Hà",
         column="B", stack_flow_m3_h=85000, area_class=3, enterprise=True,
         params={"dust": 95, "so2": 260, "nox": 420, "co": 380}),
]  # fmt: skip
INTERVAL = 300
DAYS = 365


def _series(rng, n, t, base, code):
    """Diurnal pattern + noise around ``base``; returns values and status flags."""
    hours = ((t + M.LOCAL_OFFSET) % M.DAY) / 3600.0
    season = 1 + 0.08 * np.sin(2 * np.pi * (t - t[0]) / (365 * M.DAY))
    diurnal = 1 + (0.01 if code == "ph" else 0.15) * np.sin(2 * np.pi * (hours - 9) / 24)
    noise = rng.normal(0, 0.01 if code == "ph" else 0.06, n)
    v = base * season * diurnal * (1 + noise)
    return v


def _episodes(rng, v, t, code, limit_hi, limit_lo):
    """Inject a few exceedance episodes (3–8 h) into v, in place."""
    n = len(v)
    k = {"cod": 5, "nh4_n": 3, "tss": 2, "dust": 4, "so2": 2, "ph": 2}.get(code, 0)
    for _ in range(k):
        i = int(rng.integers(n // 20, n - 300))
        length = int(rng.integers(3, 9)) * 12
        if code == "ph":
            v[i : i + length] = limit_lo - rng.uniform(0.2, 0.8)
        elif limit_hi:
            v[i : i + length] = limit_hi * rng.uniform(1.1, 1.6) * (1 + rng.normal(0, 0.03, length))


def readings_for(spec, end: int, seed: int) -> list[tuple[str, int, float, int]]:
    rng = np.random.default_rng(seed)
    t = np.arange(end - DAYS * M.DAY, end, INTERVAL, dtype=np.int64)
    n = len(t)
    keep = rng.random(n) > 0.01  # 1% scattered missing readings
    outage = int(rng.integers(n // 3, n // 2))
    keep[outage : outage + 2 * 288] = False  # a two-day outage
    status = np.zeros(n, dtype=np.int64)
    local = (t + M.LOCAL_OFFSET) % M.DAY
    status[(local >= 2 * 3600) & (local < 2 * 3600 + 900)] = M.FLAG_CALIBRATION  # daily zero/span
    out = []
    for j, (code, base) in enumerate(spec["params"].items()):
        v = _series(rng, n, t, base, code)
        lim = M.pack_for(spec["kind"], M.local_day(int(t[-1]))).limit(code, spec["column"])
        _episodes(rng, v, t, code, lim.high if lim else None, lim.low if lim else None)
        if j == 1:  # a stuck sensor for 6 hours
            s0 = int(rng.integers(n // 2, n - 1000))
            v[s0 : s0 + 72] = round(float(v[s0]), 2)
        if spec["code"] == "DH-AT-XLNT" and code == "cod" and lim:
            v[-18:] = lim.high * 1.25  # exceeding now: the board shows the station in red
        spikes = rng.integers(0, n, 4)
        v[spikes] = -5.0  # below the instrument range
        v = np.round(v, 3 if code == "ph" else 2)
        for i in np.flatnonzero(keep):
            out.append((code, int(t[i]), float(v[i]), int(status[i])))
    return out


def load(stdout=None) -> dict:
    t0 = time.perf_counter()
    parks = {p.code: p for p in Park.objects.filter(code__in={s["park"] for s in STATIONS})}
    if not parks:
        return {}
    end = int(time.time()) // INTERVAL * INTERVAL
    counts = {"monitoring_stations": 0, "monitoring_readings": 0}
    for seed, spec in enumerate(STATIONS):
        park = parks.get(spec["park"])
        if park is None:
            continue
        st = Station.objects.filter(code=spec["code"]).first()
        if st is not None and st.last_ts:
            continue  # already loaded
        with transaction.atomic():
            fields = {k: v for k, v in spec.items() if k not in ("params", "park", "enterprise")}
            if spec.get("enterprise"):
                fields["enterprise"] = Enterprise.objects.filter(park=park).order_by("pk").first()
            st = st or Station.objects.create(park=park, interval_s=INTERVAL, **fields)
            for code in spec["params"]:
                S.add_series(st, code)
            res = S.ingest(st, readings_for(spec, end, seed + 1), use_copy=True, notify=False)
        counts["monitoring_stations"] += 1
        counts["monitoring_readings"] += res.new
    counts["monitoring_seconds"] = round(time.perf_counter() - t0, 1)
    if stdout is not None and counts["monitoring_stations"]:
        stdout.write(
            f"monitoring: {counts['monitoring_stations']} stations, "
            f"{counts['monitoring_readings']:,} readings in {counts['monitoring_seconds']} s"
        )
    return counts
