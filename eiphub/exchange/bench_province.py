"""Benchmark: matching one province at national density through the web service.

`eiphub bench --only province_matching [--format json]` builds, inside a transaction that
is rolled back (on the configured database, or a temporary test database when it is not
migrated), one province at national density: 10 parks, 950 enterprises (a quarter of them
with a user, so new matches notify someone) and 5,000 published listings (realistic
resources, quality limits, dates, 5% of enterprises without coordinates).  It then times
:func:`eiphub.exchange.services.run_matching` end to end (reading the listings, converting
them, matching, saving the matches, notifying) and counts its SQL queries, twice: the first
run creates every match, the second finds them all again (the diff path).  Figures only.
"""

from __future__ import annotations

import time

import numpy as np
from django.db import transaction
from django.test.utils import CaptureQueriesContext

NAME = "province_matching"
SCALES = {"small": (3, 300, 1_500), "full": (10, 950, 5_000)}  # parks, enterprises, listings


class _Rollback(Exception):
    pass


def _province(n_parks: int, n_ents: int, n_listings: int, seed: int = 2026):
    from django.contrib.auth import get_user_model

    from eiphub.accounts.models import Profile, Role
    from eiphub.exchange.models import Listing
    from eiphub.registry.models import Enterprise, Park, Province
    from eiphub.registry.validators import make_tax_code
    from eiphub.symbiosis.bench_matching import OFFERS, WANTS

    rng = np.random.default_rng(seed)
    prov = Province.objects.create(code="BPM", name="Bench matching province")
    plat = 20.6 + rng.normal(0, 0.2, n_parks)
    plon = 106.3 + rng.normal(0, 0.2, n_parks)
    parks = Park.objects.bulk_create(
        [
            Park(
                code=f"BPM-{i}",
                name_vi=f"KCN {i}",
                province=prov,
                total_area_ha=300,
                latitude=float(plat[i]),
                longitude=float(plon[i]),
            )  # fmt: skip
            for i in range(n_parks)
        ]
    )
    ep = rng.integers(0, n_parks, n_ents)
    noxy = rng.random(n_ents) < 0.05
    ents = Enterprise.objects.bulk_create(
        [
            Enterprise(
                tax_code=make_tax_code(977_000_000 + 10 * i),
                name_vi=f"Công ty {i}",
                park=parks[ep[i]],
                vsic="2220",
                latitude=None if noxy[i] else float(plat[ep[i]] + rng.normal(0, 0.008)),
                longitude=None if noxy[i] else float(plon[ep[i]] + rng.normal(0, 0.008)),
            )
            for i in range(n_ents)
        ],
        batch_size=1000,
    )
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bpm{i}") for i in range(0, n_ents, 4)]
    )
    Profile.objects.bulk_create(
        [
            Profile(user=u, role=Role.ENTERPRISE, enterprise=ents[i * 4], language="vi")
            for i, u in enumerate(users)
        ]
    )
    oc, ow = zip(*OFFERS, strict=True)
    wc, ww = zip(*WANTS, strict=True)
    ow, ww = np.array(ow, float), np.array(ww, float)
    offer = rng.random(n_listings) < 0.6
    oi = rng.choice(len(oc), n_listings, p=ow / ow.sum())
    wi = rng.choice(len(wc), n_listings, p=ww / ww.sum())
    le = rng.integers(0, n_ents, n_listings)
    qty = np.round(rng.lognormal(5, 1.5, n_listings), 1) + 1
    temp = rng.uniform(40, 450, n_listings).round()
    qual = rng.random(n_listings) < 0.2
    rows = []
    for i in range(n_listings):
        code = oc[oi[i]] if offer[i] else wc[wi[i]]
        heat = code.startswith("energy.heat")
        rows.append(
            Listing(
                enterprise=ents[le[i]],
                kind="offer" if offer[i] else "want",
                resource_code=code,
                resource_text=code,
                quantity=float(qty[i]),
                unit="GJ" if heat else ("m3" if code.startswith("water") else "t"),
                period="year",
                temperature_c=float(temp[i]) if heat else None,
                quality=({"moisture_pct": 10.0} if offer[i] else {"moisture_pct_max": 15.0})
                if qual[i]
                else {},
                status="published",
            )
        )
    Listing.objects.bulk_create(rows, batch_size=1000)
    return prov


def _timed(prov) -> dict:
    from django.urls import reverse

    from eiphub.exchange.services import run_matching

    reverse("exchange:match_detail", args=[1])  # URL resolvers loaded, as in a web worker

    with CaptureQueriesContext(transaction.get_connection()) as q:
        t0, c0 = time.perf_counter(), time.process_time()
        run = run_matching(prov)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    slow = sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:3]
    return dict(
        slowest=[(x["time"], x["sql"][:80]) for x in slow],
        seconds=round(seconds, 3),
        cpu=round(cpu, 3),
        queries=len(q.captured_queries),
        created=run.created,
        updated=run.updated,
        notified=run.notified,
    )


def run(scale: str = "full", stdout=None) -> dict:
    import sys

    from django.db import connection

    from eiphub.flows.bench_import import _scratch_database

    stdout = stdout or sys.stdout
    n_parks, n_ents, n_listings = SCALES[scale]
    out: dict = {"scale": scale}
    with _scratch_database() as where:
        stdout.write(f"database: {where} ({connection.vendor})")
        try:
            with transaction.atomic():
                prov = _province(n_parks, n_ents, n_listings)
                first = _timed(prov)
                again = _timed(prov)
                raise _Rollback
        except _Rollback:
            pass
    for label, r in (("first run", first), ("re-run", again)):
        stdout.write(
            f"{label}: slowest queries " + "; ".join(f"{t} s {sql}" for t, sql in r["slowest"])
        )
    out.update(
        vendor=connection.vendor,
        listings=n_listings,
        end_to_end_seconds=first["seconds"],
        # this process's CPU seconds (the database server's work not included): on a
        # shared machine the wall-clock figure includes waiting for a core
        end_to_end_cpu_seconds=first["cpu"],
        load_average_1min=round(__import__("os").getloadavg()[0], 1),
        queries=first["queries"],
        matches_created=first["created"],
        notifications=first["notified"],
        rerun_seconds=again["seconds"],
        rerun_cpu_seconds=again["cpu"],
        rerun_queries=again["queries"],
        rerun_matches_updated=again["updated"],
    )
    stdout.write(
        f"one province ({n_parks} parks, {n_ents} enterprises, {n_listings:,} published "
        f"listings): run_matching {first['seconds']:.2f} s, {first['queries']} queries "
        f"({first['created']:,} matches created, {first['notified']:,} notifications); "
        f"re-run {again['seconds']:.2f} s, {again['queries']} queries "
        f"({again['updated']:,} matches found again)"
    )
    return out
