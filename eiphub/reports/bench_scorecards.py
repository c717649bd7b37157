"""Benchmark: national scorecards, computed per request before, stored now.

On the national set (eiphub/reports/bench_national.py): the time the live per-park scorecards
take (a sample of parks, every park pack, scaled to the nation: what every view of the
benchmark page cost before stored results), ``national_recompute_seconds`` (every park x every
park pack plus the park-year and area aggregates, ``eiphub recompute --workers 2``) and
``national_read_ms`` (the national benchmark page read from the stored results by the ministry,
median of 5 requests after a warm-up).  Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import statistics
import sys
import time

from django.test import Client

NAME = "scorecards"
WORKERS = 2
SAMPLE = 10


def _median_ms(client, url, n=5) -> tuple[float, int]:
    client.get(url)
    times, status = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        status = client.get(url).status_code
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1), status


def run(scale: str = "full", stdout=None, keep: bool = False) -> dict:
    from django.contrib.auth import get_user_model

    from eiphub.registry.models import Park

    from . import services, stored
    from .bench_national import national_database
    from .models import StoredResult

    stdout = stdout or sys.stdout
    out: dict = {"scale": scale}
    with national_database(scale, keep, stdout) as nat:
        year = nat.year
        parks = list(Park.objects.select_related("province").order_by("code"))
        packs = services.park_packs()
        out.update(parks=len(parks), packs=len(packs), year=year)
        t0 = time.perf_counter()
        for park in parks[:SAMPLE]:
            for pack in packs:
                services.park_scorecard(park, pack.id, year)
        live = (time.perf_counter() - t0) / min(SAMPLE, len(parks)) * len(parks)
        out["live_national_seconds_estimated"] = round(live, 1)
        stdout.write(
            f"  before: live scorecards {live:.1f} s for {len(parks)} parks x {len(packs)} "
            f"packs (from {SAMPLE} parks)"
        )
        StoredResult.objects.all().delete()
        t0 = time.perf_counter()
        done = stored.recompute_all(years=[year], workers=WORKERS)
        out["national_recompute_seconds"] = round(time.perf_counter() - t0, 1)
        out["stored_rows"] = StoredResult.objects.count()
        stdout.write(
            f"  national recompute ({WORKERS} workers): {out['national_recompute_seconds']} s, "
            f"{done['park_years']} park-years, {out['stored_rows']} stored rows"
        )
        c = Client()
        ministry = get_user_model().objects.get(username="bench_ministry")
        c.force_login(ministry)
        from eiphub.accounts.twofactor import SESSION_KEY

        session = c.session  # as after a passed TOTP check (the ministry needs two-factor)
        session[SESSION_KEY] = ministry.pk
        session.save()
        url = f"/reports/benchmark/?year={year}&pack={services.DEFAULT_PARK_PACK}"
        out["national_read_ms"], status = _median_ms(c, url)
        if status != 200:
            raise RuntimeError(f"{url}: HTTP {status}")
        out["dashboard_ministry_ms"], _s = _median_ms(c, "/dashboard/")
        stdout.write(
            f"  national benchmark page from stored results: {out['national_read_ms']} ms "
            f"(HTTP {status}); ministry dashboard {out['dashboard_ministry_ms']} ms"
        )
        out["database"] = nat.url if keep else "dropped"
    return out
