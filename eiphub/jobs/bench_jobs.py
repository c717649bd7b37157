"""`eiphub bench --only jobs`: job latency and throughput on real workers.

For the embedded broker (kombu filesystem transport, in a temporary folder) and, when
it answers, Redis (EIPHUB_BENCH_REDIS, default redis://127.0.0.1:6379/2), it starts one
worker subprocess on the configured database and measures:
- latency: enqueue -> the job function starting (seconds, from the probe job's own
  clock readings), over sequential single jobs;
- end to end: enqueue -> the row saying succeeded, as seen by polling every 5 ms;
- throughput: a burst of probe jobs through one worker with 2 processes.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "jobs"


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


def _configure(app, url: str, options: dict):
    app.conf.update(task_always_eager=False, broker_url=url, broker_transport_options=options)
    app._pool = None
    app.amqp._producer_pool = None


def _wait(job, done=("succeeded", "failed", "cancelled"), limit=120.0, step=0.005):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job.refresh_from_db(fields=["status", "result", "started", "finished"])
        if job.status in done:
            return job
        time.sleep(step)
    raise RuntimeError(f"job {job.pk} still {job.status} after {limit}s")


def _measure(broker: str, url: str, options: dict, env: dict, tmp: Path, n: int, burst: int):
    from eiphub.jobs import api
    from eiphub.jobs.celery_app import app
    from eiphub.jobs.models import Job

    log = tmp / f"worker-{broker}.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "eiphub.cli",
                "worker",
                "-c",
                "2",
                "-l",
                "info",
                "-n",
                f"bench-{broker}@%h",
            ],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while b"ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        _configure(app, url, options)
        api.enqueue("jobs.probe", params={})  # warm-up (first connection)
        latencies, e2e = [], []
        for _ in range(n):
            t0 = time.time()
            job = _wait(api.enqueue("jobs.probe", params={"enqueued_at": t0}))
            e2e.append(time.time() - t0)
            latencies.append(job.result["latency_s"])
        t0 = time.time()
        jobs = [api.enqueue("jobs.probe", params={}) for _ in range(burst)]
        for j in jobs:
            _wait(j, step=0.02)
        elapsed = time.time() - t0
        Job.objects.filter(kind="jobs.probe", owner=None).delete()
        return {
            "jobs": n,
            "enqueue_to_start_ms_p50": round(1000 * statistics.median(latencies), 1),
            "enqueue_to_start_ms_p95": round(1000 * _pct(latencies, 0.95), 1),
            "enqueue_to_done_ms_p50": round(1000 * statistics.median(e2e), 1),
            "enqueue_to_done_ms_p95": round(1000 * _pct(e2e, 0.95), 1),
            "burst_jobs": burst,
            "burst_jobs_per_second": round(burst / elapsed, 1),
        }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def run(scale: str = "full", stdout=None) -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from eiphub.jobs.celery_app import app

    call_command("migrate", verbosity=0)
    n, burst = (10, 20) if scale == "small" else (40, 100)
    saved = {
        k: app.conf[k] for k in ("task_always_eager", "broker_url", "broker_transport_options")
    }
    out = {}
    base_env = {**os.environ, "DATABASE_URL": _database_url()}
    with tempfile.TemporaryDirectory(prefix="eiphub-bench-jobs-") as tmp:
        tmp = Path(tmp)
        folder = tmp / "celery"
        for d in ("queue", "processed"):
            (folder / d).mkdir(parents=True)
        fs_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            "polling_interval": float(os.environ.get("EIPHUB_CELERY_POLL_SECONDS", 0.2)),
        }
        brokers = [
            (
                "filesystem",
                "filesystem://",
                fs_options,
                {
                    **base_env,
                    "CELERY_BROKER_URL": "filesystem://",
                    "EIPHUB_CELERY_DIR": str(folder),
                },
            ),
        ]
        redis_url = os.environ.get("EIPHUB_BENCH_REDIS", "redis://127.0.0.1:6379/2")
        try:
            import redis

            redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()
            brokers.append(
                (
                    "redis",
                    redis_url,
                    {"visibility_timeout": 600},
                    {**base_env, "CELERY_BROKER_URL": redis_url},
                )
            )
        except Exception as exc:  # no Redis here: the embedded figures only
            out["redis"] = {"skipped": f"{type(exc).__name__} at {redis_url}"}
        try:
            for name, url, options, env in brokers:
                out[name] = _measure(name, url, options, env, tmp, n, burst)
                if stdout is not None:
                    stdout.write(f"{name}: {out[name]}")
        finally:
            app.conf.update(saved)
            app._pool = None
            app.amqp._producer_pool = None
    out["filesystem_poll_seconds"] = fs_options["polling_interval"]
    out["database"] = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return out
