"""The national data set of the benchmarks, in a database of its own that ``--keep`` keeps.

The set is the dashboards benchmark's (eiphub/reports/bench_dashboards.py): 600 parks in 63
provinces, 60,000 enterprises, 360,000 monthly flow rows of one year, 15,000 RECP measures
(full scale; one tenth at small scale).  It is written, committed, to a separate database
next to the configured one (PostgreSQL: ``<name>_national_<scale>``; SQLite:
``var/bench_national_<scale>.sqlite3``) because the load test's server processes must read
it.  Without ``keep`` the database is dropped at the end; with it, the next run reuses it
(no regeneration) and ``DATABASE_URL=<printed url> eiphub serve`` serves it.
"""

from __future__ import annotations

import contextlib
import random
import time
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction

USERS = ("bench_ministry", "bench_board", "bench_developer", "bench_enterprise")


def _url(sd: dict) -> str:
    if sd["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{sd['NAME']}"
    auth = sd.get("USER") or ""
    if sd.get("PASSWORD"):
        auth += f":{sd['PASSWORD']}"
    return (
        f"postgres://{auth}@{sd.get('HOST') or '127.0.0.1'}:{sd.get('PORT') or 5432}/{sd['NAME']}"
    )


def _switch(name) -> None:
    conn = connections["default"]
    conn.close()
    conn.settings_dict["NAME"] = name


def _exists_pg(name: str) -> bool:
    with connections["default"]._nodb_cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cur.fetchone() is not None


def _create_pg(name: str) -> None:
    with connections["default"]._nodb_cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')


def _drop_pg(name: str) -> None:
    with connections["default"]._nodb_cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _complete(n_parks: int) -> bool:
    from django.contrib.auth import get_user_model

    from eiphub.registry.models import Park

    try:
        parks = Park.objects.filter(code__startswith="BENCH").count()
        users = get_user_model().objects.filter(username__in=USERS).count()
    except Exception:  # noqa: BLE001 - not migrated yet
        return False
    return parks == n_parks and users == len(USERS)


def _generate(scale: str, stdout) -> None:
    from . import bench_dashboards as gen

    n_parks, per_park = gen.SCALES[scale]
    rng = random.Random(2026)
    with transaction.atomic():
        provs, devs = gen._provinces()
        parks, ents, n_flows, n_measures = gen._half(rng, provs, devs, 0, n_parks, per_park)
        gen._users(provs, devs, parks, ents)
    stdout.write(
        f"  generated {n_parks} parks, {len(ents)} enterprises, {n_flows} flow rows, "
        f"{n_measures} measures"
    )


@contextlib.contextmanager
def national_database(scale: str, keep: bool, stdout):
    """Switch the default connection to the national database (created and filled when
    missing or incomplete) and yield its description; restore (and drop unless ``keep``)."""
    from . import bench_dashboards as gen

    sd = connections["default"].settings_dict
    original = sd["NAME"]
    sqlite = sd["ENGINE"].endswith("sqlite3")
    if sqlite:
        name = str(Path(settings.VAR_DIR) / f"bench_national_{scale}.sqlite3")
    else:
        name = f"{original}_national_{scale}"
    n_parks = gen.SCALES[scale][0]
    t0 = time.perf_counter()
    created = False
    try:
        if not sqlite and not _exists_pg(name):
            _create_pg(name)
        _switch(name)
        if not _complete(n_parks):
            _switch(original)
            if sqlite:
                Path(name).unlink(missing_ok=True)
            else:
                _drop_pg(name)
                _create_pg(name)
            _switch(name)
            call_command("migrate", verbosity=0, interactive=False)
            _generate(scale, stdout)
            created = True
            if not sqlite:
                with connections["default"].cursor() as cur:
                    cur.execute("ANALYZE")
        setup = time.perf_counter() - t0
        stdout.write(
            f"national database {'built' if created else 'reused'} in {setup:.1f} s: {_url(sd)}"
        )
        yield SimpleNamespace(
            name=name, url=_url(sd), created=created, setup_seconds=setup, year=gen.YEAR
        )
    finally:
        _switch(original)
        if not keep:
            if sqlite:
                Path(name).unlink(missing_ok=True)
            else:
                _drop_pg(name)
        else:
            stdout.write(f"kept: DATABASE_URL={_url({**sd, 'NAME': name})}")
