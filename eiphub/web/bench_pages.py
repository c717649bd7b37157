"""Benchmark: the park overview under concurrent users, through a real multi-worker server.

On the national set (eiphub/reports/bench_national.py; ``--keep`` keeps it), with the stored
results computed (``eiphub recompute``), a server is started on 127.0.0.1:8102 (``eiphub serve``
when that command exists, else gunicorn on eiphub.wsgi) with DEBUG off.  A bounded load
generator (``USERS`` threads, http.client, each with the logged-in session cookie of the
provincial board user) requests the overview pages of the board's parks, a fixed number of
requests per thread.  Prints p50/p95/p99 latency and requests/s, plus the latency of one user
alone.  Asserts nothing about speed.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

NAME = "pages"
PORT = 8102
USERS = 20
REQUESTS = {"small": 10, "full": 30}  # per simulated user
SERVER_WORKERS = 4


def _percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def _server(url: str, stdout):
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "EIPHUB_DEBUG": "0",
        # the session cookie was signed in this process: the server must share its key
        "EIPHUB_SECRET_KEY": settings.SECRET_KEY,
        "EIPHUB_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    if importlib.util.find_spec("eiphub.web.management.commands.serve"):
        argv = [sys.executable, "-m", "eiphub.cli", "serve", "--port", str(PORT)]
        argv += ["--workers", str(SERVER_WORKERS), "--no-collectstatic"]
        how = "eiphub serve"
    else:
        argv = [sys.executable, "-m", "gunicorn", "eiphub.wsgi:application"]
        argv += ["--bind", f"127.0.0.1:{PORT}", "--workers", str(SERVER_WORKERS)]
        how = "gunicorn"
    # The server's log goes to a file: a pipe nobody reads fills up and blocks the workers.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{how} exited: {log.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            conn.request("GET", "/accounts/login/")
            conn.getresponse().read()
            conn.close()
            stdout.write(f"  server: {how}, {SERVER_WORKERS} workers on 127.0.0.1:{PORT}")
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start")


def _get(conn, path, cookie) -> tuple[float, int]:
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    resp = conn.getresponse()
    resp.read()
    return (time.perf_counter() - t0) * 1000, resp.status


def _load(paths, cookie, users: int, per_user: int):
    times: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def user(i):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        mine, bad = [], []
        for k in range(per_user):
            ms, status = _get(conn, paths[(i + k) % len(paths)], cookie)
            (mine if status == 200 else bad).append(ms if status == 200 else status)
        conn.close()
        with lock:
            times.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors, time.perf_counter() - t0


def run(scale: str = "full", stdout=None, keep: bool = False) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from eiphub.accounts.scoping import parks_for
    from eiphub.reports import stored
    from eiphub.reports.bench_national import national_database
    from eiphub.reports.models import StoredResult

    stdout = stdout or sys.stdout
    out: dict = {"scale": scale, "users": USERS}
    with national_database(scale, keep, stdout) as nat:
        if not StoredResult.objects.filter(kind=stored.PARK_YEAR, year=nat.year).exists():
            t0 = time.perf_counter()
            stored.recompute_all(years=[nat.year], workers=2)
            stdout.write(f"  stored results computed in {time.perf_counter() - t0:.1f} s")
        board = get_user_model().objects.get(username="bench_board")
        codes = list(parks_for(board).order_by("code").values_list("code", flat=True))
        paths = [f"/parks/{c}/" for c in codes]
        c = Client()
        c.force_login(board)  # a session row in the national database
        from eiphub.accounts.twofactor import SESSION_KEY

        session = c.session  # as after a passed TOTP check (boards need two-factor sign-in)
        session[SESSION_KEY] = board.pk
        session.save()
        cookie = f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"
        proc = _server(nat.url, stdout)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            for p in paths:  # warm-up: every worker's caches, stored rows of every park
                for _ in range(2):
                    ms, status = _get(conn, p, cookie)
                    if status != 200:
                        raise RuntimeError(f"{p}: HTTP {status}")
            alone = [_get(conn, paths[k % len(paths)], cookie)[0] for k in range(20)]
            conn.close()
            times, errors, wall = _load(paths, cookie, USERS, REQUESTS[scale])
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=30)
    out.update(
        parks_loaded=len(paths),
        requests=len(times) + len(errors),
        errors=len(errors),
        single_user_ms=round(statistics.median(alone), 1),
        park_overview_p50_ms=round(_percentile(times, 50), 1),
        park_overview_p95_ms=round(_percentile(times, 95), 1),
        park_overview_p99_ms=round(_percentile(times, 99), 1),
        park_overview_rps=round(len(times) / wall, 1),
    )
    stdout.write(
        f"  park overview, {USERS} users x {REQUESTS[scale]} requests: "
        f"p50 {out['park_overview_p50_ms']} ms, p95 {out['park_overview_p95_ms']} ms, "
        f"p99 {out['park_overview_p99_ms']} ms, {out['park_overview_rps']} req/s, "
        f"{out['errors']} errors; one user alone {out['single_user_ms']} ms"
    )
    return out
