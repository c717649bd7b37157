"""Benchmark: monitoring ingestion, evaluation delay and page queries at national scale.

National load: 600 parks × 3 stations × 8 parameters at 5-minute intervals (~4.1 million
readings a day, ~1.5 billion a year).  We cannot hold a national year here, so the benchmark
loads (full scale):

- the national registry: 600 parks in 20 provinces, 1,800 stations, 14,400 series with their
  latest state, and open exceedances on ~3% of the series;
- for the measured province (30 parks, 90 stations, 720 series): a year of the pre-aggregated
  hourly table (720 × 8,760 ≈ 6.3 million rows) — what the pages read;
- for one station: a year of 5-minute readings through a logger file (8 × 105,120 = 840,960
  readings, COPY) and a stream of API batches (one station-day, 2,304 readings, per request).

Prints: ingest rate (API, file), exceedance evaluation delay (an exceeding reading posted until
its alert row exists), query time of one series' hourly averages for a year (service and API)
and of the province status page (board user).  Runs inside a transaction rolled back at the end
(or a temporary test database when the configured one is not migrated); asserts nothing.
"""

from __future__ import annotations

import io
import json
import statistics
import time

from django.db import connection, transaction

NAME = "monitoring"
SCALES = {
    # provinces, parks per province, hourly days for the measured province, file days, api batches
    "small": (2, 5, 30, 30, 10),
    "full": (20, 30, 365, 365, 40),
}
PARAMS = ["flow", "temperature", "ph", "cod", "tss", "nh4_n", "total_n", "total_p"]
BASE = {"flow": 180, "temperature": 29, "ph": 7.2, "cod": 60, "tss": 35, "nh4_n": 4, "total_n": 18,
        "total_p": 2.5}  # fmt: skip
DAY = 86400


class _Rollback(Exception):
    pass


def _registry(n_prov, n_parks, now):
    from django.contrib.auth import get_user_model

    from eiphub.accounts.models import Profile, Role
    from eiphub.monitoring.models import Exceedance, Series, Station
    from eiphub.registry.models import Organization, Park, Province

    provs = Province.objects.bulk_create(
        [Province(code=f"BM{i:02d}", name=f"Bench province {i}") for i in range(n_prov)]
    )
    dev = Organization.objects.create(kind="developer", name="Bench developer", province=provs[0])
    parks = Park.objects.bulk_create(
        [
            Park(
                code=f"BM{p:02d}-{k:02d}",
                name_vi=f"KCN bench {p}-{k}",
                province=provs[p],
                developer=dev,
                total_area_ha=300,
            )  # fmt: skip
            for p in range(n_prov)
            for k in range(n_parks)
        ]
    )
    stations = Station.objects.bulk_create(
        [
            Station(
                park=pk,
                code=f"{pk.code}-S{j}",
                name=f"Trạm {pk.code}-{j}",
                kind="wastewater",
                column="B",
                last_ts=now,
            )  # fmt: skip
            for pk in parks
            for j in range(3)
        ]
    )
    series = Series.objects.bulk_create(
        [
            Series(
                station=st,
                parameter=p,
                unit="mg/L",
                range_min=0,
                range_max=10_000,
                last_ts=now,
                last_value=BASE[p],
            )  # fmt: skip
            for st in stations
            for p in PARAMS
        ],
        batch_size=5000,
    )
    hour = now - now % 3600
    Exceedance.objects.bulk_create(
        [
            Exceedance(
                series=s,
                start=hour - 7200,
                end=hour + 3600,
                bound="high",
                limit=150,
                peak=210,
                mean=190,
                periods=3,
                confirmed=True,
                pack="qcvn40_2025",
            )  # fmt: skip
            for s in series[::37]
        ],
        batch_size=5000,
    )
    user = get_user_model().objects.create_user("bench_board", password="x")
    Profile.objects.create(user=user, role=Role.BOARD, province=provs[0], language="vi")
    return provs[0], stations, series, user


def _hourly_year(series_ids, days, now):
    """A year (``days``) of hourly sums for the measured province's series, set-based."""
    hi = now - now % 3600
    lo = hi - days * DAY
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO monitoring_hourlyaverage "
                "(series_id, hour, n_total, n_valid, total, minimum, maximum) "
                "SELECT s, h, 12, 12, 12 * (50 + 20 * sin(h / 43200.0)), 40, 80 "
                "FROM unnest(%s::bigint[]) s CROSS JOIN generate_series(%s::bigint, %s::bigint, 3600) h",
                [series_ids, lo, hi - 3600],
            )
        return len(series_ids) * days * 24
    import math

    rows = [
        (s, h, 12, 12, 12 * (50 + 20 * math.sin(h / 43200.0)), 40, 80)
        for s in series_ids
        for h in range(lo, hi, 3600)
    ]
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO monitoring_hourlyaverage "
            "(series_id, hour, n_total, n_valid, total, minimum, maximum) VALUES (%s,%s,%s,%s,%s,%s,%s)",
            rows,
        )
    return len(rows)


def _logger_csv(days, end):
    import math

    out = io.StringIO()
    out.write("time," + ",".join(PARAMS) + "\n")
    start = end - days * DAY
    for i, t in enumerate(range(start, end, 300)):
        local = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t + 7 * 3600))
        w = 1 + 0.1 * math.sin(i / 40.0)
        out.write(
            local + "," + ",".join(f"{BASE[p] * w + (i % 7) * 0.01:.3f}" for p in PARAMS) + "\n"
        )
    return out.getvalue().encode()


def run(scale: str = "full", stdout=None) -> dict:
    from django.test import Client

    from eiphub.flows.bench_import import _scratch_database
    from eiphub.monitoring import services as S
    from eiphub.monitoring.models import Alert, Series, Station

    n_prov, n_parks, hourly_days, file_days, api_batches = SCALES.get(scale, SCALES["full"])
    out: dict = {"scale": scale}

    def say(text):
        if stdout is not None:
            stdout.write(text)

    now = int(time.time()) // 300 * 300
    with _scratch_database() as where:
        out["database"] = f"{connection.vendor} ({where})"
        try:
            with transaction.atomic():
                t0 = time.perf_counter()
                province, stations, series, board = _registry(n_prov, n_parks, now)
                prov_series = [s.pk for s in series if s.station.park.province_id == province.pk]
                n_hourly = _hourly_year(prov_series, hourly_days, now)
                out["loaded"] = {
                    "parks": n_prov * n_parks,
                    "stations": len(stations),
                    "series": len(series),
                    "province_series": len(prov_series),
                    "hourly_rows": n_hourly,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
                say(f"loaded {out['loaded']}")

                # -- file ingest: a year of one station's logger export
                st = Station.objects.create(park=stations[0].park, code="BENCH-FILE", name="File",
                                            kind="wastewater", column="B")  # fmt: skip
                for p in PARAMS:
                    S.add_series(st, p)
                data = _logger_csv(file_days, now - 10 * DAY)
                t0 = time.perf_counter()
                rows = S.parse_logger_file("logger.csv", data)
                t_parse = time.perf_counter() - t0
                res = S.ingest(st, rows, use_copy=True, notify=False)
                t_file = time.perf_counter() - t0
                out["file_ingest"] = {
                    "readings": res.new,
                    "seconds": round(t_file, 2),
                    "parse_seconds": round(t_parse, 2),
                    "readings_per_s": round(res.new / t_file),
                }
                say(f"file ingest {out['file_ingest']}")

                # -- API ingest through HTTP (test client): batches of one station-day (a logger
                # sending every few minutes batches far less; per-request costs dominate) and of
                # one station-week (a logger catching up after an outage)
                api_st = Station.objects.create(park=stations[0].park, code="BENCH-API",
                                                name="API", kind="wastewater", column="B")  # fmt: skip
                for p in PARAMS:
                    S.add_series(api_st, p)
                token = api_st.new_token()
                c = Client()
                start_api = now - (api_batches * 8 + 30) * DAY
                for label, days, count in (
                    ("api_ingest", 1, api_batches),
                    ("api_ingest_week_batches", 7, api_batches // 4),
                    ("api_ingest_columnar_week_batches", 7, api_batches // 4),
                ):
                    bodies = []
                    for b in range(count):
                        day0 = start_api + b * days * DAY
                        if label.startswith("api_ingest_columnar"):
                            bodies.append(json.dumps({"series": [
                                {"parameter": p, "times": [day0 + i * 300 for i in range(288 * days)],
                                 "values": [BASE[p] * (1 + (i % 11) / 100) for i in range(288 * days)]}
                                for p in PARAMS
                            ]}))  # fmt: skip
                            continue
                        bodies.append(json.dumps({"readings": [
                            {"parameter": p, "time": day0 + i * 300, "value": BASE[p] * (1 + (i % 11) / 100)}
                            for i in range(288 * days) for p in PARAMS
                        ]}))  # fmt: skip
                    start_api += count * days * DAY
                    n_api = 0
                    t0 = time.perf_counter()
                    for body in bodies:
                        r = c.post("/api/v1/monitoring/ingest", body, content_type="application/json",
                                   HTTP_X_STATION_TOKEN=token)  # fmt: skip
                        if r.status_code != 200:
                            raise RuntimeError(f"ingest failed: {r.status_code} {r.content[:200]}")
                        n_api += r.json()["new"]
                    t_api = time.perf_counter() - t0
                    out[label] = {
                        "readings": n_api,
                        "batches": count,
                        "batch_size": 288 * days * len(PARAMS),
                        "seconds": round(t_api, 2),
                        "readings_per_s": round(n_api / t_api),
                    }
                    say(f"{label} {out[label]}")

                # -- exceedance evaluation delay: an exceeding reading posted -> alert row exists
                delays = []
                for k in range(5):
                    t_ex = now - (3 + k) * DAY  # fresh hours (no earlier data)
                    body = json.dumps(
                        {"readings": [{"parameter": "cod", "time": t_ex, "value": 400.0}]}
                    )
                    before = Alert.objects.filter(station=api_st).count()
                    t0 = time.perf_counter()
                    r = c.post("/api/v1/monitoring/ingest", body, content_type="application/json",
                               HTTP_X_STATION_TOKEN=token)  # fmt: skip
                    assert Alert.objects.filter(station=api_st).count() == before + 1
                    delays.append(time.perf_counter() - t0)
                out["exceedance_delay_ms"] = {
                    "median": round(statistics.median(delays) * 1000, 1),
                    "max": round(max(delays) * 1000, 1),
                    "note": "synchronous: the alert row exists when the POST returns; "
                    "e-mail is sent on commit",
                }
                say(f"exceedance delay {out['exceedance_delay_ms']}")

                # -- query: one series' hourly averages for a year
                s = Series.objects.select_related("station").get(pk=prov_series[3])
                hi = now - now % 3600
                lo = hi - hourly_days * DAY
                times = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    hours = S.hourly(s, lo, hi)
                    times.append(time.perf_counter() - t0)
                out["query_hourly_year_ms"] = {
                    "rows": len(hours),
                    "median": round(statistics.median(times) * 1000, 1),
                }
                c.force_login(board)
                from eiphub.accounts.twofactor import SESSION_KEY

                session = c.session  # as after a passed TOTP check (boards need two-factor sign-in)
                session[SESSION_KEY] = board.pk
                session.save()
                url = f"/api/v1/monitoring/stations/{s.station.code}/series/{s.parameter}"
                times = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    r = c.get(url)
                    times.append(time.perf_counter() - t0)
                out["api_series_year_ms"] = {
                    "resolution": r.json()["resolution"],
                    "points": len(r.json()["points"]),
                    "median": round(statistics.median(times) * 1000, 1),
                }
                say(f"hourly year {out['query_hourly_year_ms']}, API {out['api_series_year_ms']}")

                # -- the province status page (board user of the measured province)
                times = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    r = c.get("/monitoring/")
                    times.append(time.perf_counter() - t0)
                assert r.status_code == 200
                out["province_status_page_ms"] = {
                    "stations": sum(1 for x in stations if x.park.province_id == province.pk),
                    "median": round(statistics.median(times) * 1000, 1),
                }
                say(f"province page {out['province_status_page_ms']}")
                raise _Rollback
        except _Rollback:
            pass
    return out
