"""Benchmark: the role dashboards on a national synthetic data set.

Builds the data inside a transaction on the configured database and rolls it back at the
end (or, when that database is not migrated, on a temporary test database: see
``eiphub.flows.bench_import._scratch_database``).  Data are generated in two halves; each
dashboard view is timed (django.test.Client, one user per role, second request of two) and
its SQL queries counted after each half, to show that the count does not grow with the
number of parks and enterprises.

Generated (full scale): 600 parks in 63 provinces, 60,000 enterprises (100 per park), one
year (2023) of monthly flows for one enterprise in ten (6,000 enterprises x 12 months x 5
resources = 360,000 rows: grid electricity, diesel, coal, water, product), one RECP measure
for one enterprise in four (15,000) and two operating agreements per park.  Small scale:
one tenth of that.  Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

NAME = "dashboards"
SCALES = {"small": (60, 100), "full": (600, 100)}  # parks, enterprises per park
FLOW_SHARE = 10  # one enterprise in ten reports monthly flows
MEASURE_SHARE = 4
YEAR = 2023
FLOWS = (  # code, direction, canonical unit, monthly quantity per enterprise
    ("energy.electricity.grid", "in", "kWh", 40_000.0),
    ("energy.fuel.diesel", "in", "t", 1.5),
    ("energy.fuel.coal", "in", "t", 12.0),
    ("water.fresh", "in", "m3", 900.0),
    ("material.product", "out", "t", 300.0),
)
STATUSES = ("identified", "planned", "implemented", "verified")
PRACTICES = ("housekeeping", "equipment", "process_control", "technology")


class _Rollback(Exception):
    pass


def _provinces():
    from eiphub.registry.models import Organization, Province

    provs = Province.objects.bulk_create(
        [Province(code=f"BX{i:02d}", name=f"Bench province {i}") for i in range(63)]
    )
    devs = Organization.objects.bulk_create(
        [Organization(kind="developer", name=f"Bench developer {i}") for i in range(200)]
    )
    return provs, devs


def _half(rng, provs, devs, first_park: int, n_parks: int, per_park: int):
    """Parks first_park .. first_park + n_parks with their enterprises, flows, measures and
    agreements (bulk inserts only)."""
    from eiphub.exchange.models import Agreement
    from eiphub.flows.models import FlowRecord
    from eiphub.recp.models import Measure
    from eiphub.registry.models import Enterprise, Park
    from eiphub.registry.validators import make_tax_code

    parks = Park.objects.bulk_create(
        [
            Park(
                code=f"BENCH{i:04d}",
                name_vi=f"KCN thử tải {i}",
                province=provs[i % len(provs)],
                developer=devs[i % len(devs)],
                total_area_ha=Decimal(300),
                latitude=8.5 + (i % 60) * 0.25,
                longitude=102.5 + (i // 60) * 0.5,
            )
            for i in range(first_park, first_park + n_parks)
        ]
    )
    ents = Enterprise.objects.bulk_create(
        [
            Enterprise(
                tax_code=make_tax_code(70_000_000 + i * per_park + j),
                name_vi=f"Công ty thử tải {i}-{j}",
                park=p,
                vsic=rng.choice(("2310", "2394", "1311", "2410", "1701", "2220")),
                revenue_vnd=Decimal(rng.randint(50, 500) * 10**9),
            )
            for i, p in zip(range(first_park, first_park + n_parks), parks, strict=True)
            for j in range(per_park)
        ],
        batch_size=5000,
    )
    flows = [
        FlowRecord(
            enterprise=e,
            resource_code=code,
            direction=direction,
            period=dt.date(YEAR, m, 1),
            quantity=Decimal(f"{q:.3f}"),
            unit=unit,
            quantity_canonical=q,
            canonical_unit=unit,
        )
        for k, e in enumerate(ents)
        if k % FLOW_SHARE == 0
        for m in range(1, 13)
        for code, direction, unit, base in FLOWS
        for q in (base * rng.uniform(0.8, 1.2),)
    ]
    FlowRecord.objects.bulk_create(flows, batch_size=5000)
    measures = []
    for k, e in enumerate(ents):
        if k % MEASURE_SHARE:
            continue
        status = rng.choice(STATUSES)
        done = status in ("implemented", "verified")
        measures.append(
            Measure(
                enterprise=e,
                title="Bench measure",
                practice=rng.choice(PRACTICES),
                status=status,
                identified_on=dt.date(YEAR - 1, rng.randint(1, 12), 1),
                implemented_on=dt.date(YEAR, rng.randint(1, 12), 1) if done else None,
                investment_vnd=Decimal(rng.randint(1, 50) * 10**8),
                savings={"energy.electricity.grid": round(rng.uniform(5e3, 5e4), 1)},
                savings_vnd_per_year=Decimal(rng.randint(1, 30) * 10**8),
                assessed_by="Bench consultant",
            )
        )
    Measure.objects.bulk_create(measures, batch_size=5000)
    agreements = [
        Agreement(
            supplier=ents[i * per_park + a],
            receiver=ents[i * per_park + a + 1],
            resource_code="waste.paper",
            quantity_per_year=100,
            unit="t",
            status="operating",
            benefit_vnd_per_year=2e8,
            co2e_t_per_year=10,
        )
        for i in range(n_parks)
        for a in (0, 2)
    ]
    Agreement.objects.bulk_create(agreements)
    return parks, ents, len(flows), len(measures)


def _users(provs, devs, parks, ents):
    from eiphub.accounts.models import Role
    from eiphub.testing import make_user

    return {
        Role.MINISTRY: make_user("bench_ministry", Role.MINISTRY),
        Role.BOARD: make_user("bench_board", Role.BOARD, province=provs[0]),
        Role.DEVELOPER: make_user("bench_developer", Role.DEVELOPER, organization=devs[0]),
        Role.ENTERPRISE: make_user("bench_enterprise", Role.ENTERPRISE, enterprise=ents[0]),
        Role.CONSULTANT: make_user(
            "bench_consultant",
            Role.CONSULTANT,
            organization=devs[1],
            assigned_parks=parks[:5],
        ),
    }


def _measure(users, stdout) -> dict:
    out = {}
    for role, user in users.items():
        c = Client()
        c.force_login(user)
        c.get("/dashboard/")  # warm-up: sessions, caches, catalogue
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            resp = c.get("/dashboard/")
            ms = (time.perf_counter() - t0) * 1000
        out[str(role)] = {
            "ms": round(ms, 1),
            "queries": len(ctx.captured_queries),
            "status": resp.status_code,
        }
        stdout.write(
            f"  {role:<11} {ms:8.1f} ms  {len(ctx.captured_queries):3d} queries"
            f"  (HTTP {resp.status_code})"
        )
    return out


def run(scale: str = "full", stdout=None) -> dict:
    import sys

    from eiphub.flows.bench_import import _scratch_database

    stdout = stdout or sys.stdout
    n_parks, per_park = SCALES[scale]
    rng = random.Random(2026)
    results: dict = {"scale": scale}
    with _scratch_database() as where:
        stdout.write(f"database: {where}")
        try:
            with transaction.atomic():
                provs, devs = _provinces()
                half = n_parks // 2
                totals = {"parks": 0, "enterprises": 0, "flows": 0, "measures": 0}
                all_parks, all_ents = [], []
                for step, (first, n) in enumerate(((0, half), (half, n_parks - half)), 1):
                    t0 = time.perf_counter()
                    parks, ents, nf, nm = _half(rng, provs, devs, first, n, per_park)
                    all_parks += parks
                    all_ents += ents
                    totals["parks"] += n
                    totals["enterprises"] += len(ents)
                    totals["flows"] += nf
                    totals["measures"] += nm
                    stdout.write(
                        f"step {step}: {totals['parks']} parks, {totals['enterprises']} "
                        f"enterprises, {totals['flows']} flow rows, {totals['measures']} "
                        f"measures (generated in {time.perf_counter() - t0:.1f} s)"
                    )
                    if step == 1:
                        users = _users(provs, devs, all_parks, all_ents)
                    results[f"step{step}"] = {**totals, "dashboards": _measure(users, stdout)}
                raise _Rollback
        except _Rollback:
            pass
    grew = {
        role: (results["step1"]["dashboards"][role]["queries"],
               results["step2"]["dashboards"][role]["queries"])
        for role in results["step1"]["dashboards"]
    }  # fmt: skip
    results["queries_constant"] = all(a == b for a, b in grew.values())
    stdout.write(
        "query count constant between the two sizes: "
        + ("yes" if results["queries_constant"] else f"NO {grew}")
    )
    return results
