"""Real Celery workers (subprocesses) against Redis, on the test database.

Run with `make test-redis` (SQLite, in a file test database the worker can open, and
PostgreSQL when EIPHUB_TEST_POSTGRES is set).  Needs Redis at EIPHUB_TEST_REDIS
(default redis://127.0.0.1:6379/1, a database of its own, flushed by these tests);
without it the tests skip, or fail when EIPHUB_REQUIRE_REDIS=1 (CI).

The waits below are bounded polls for an outcome, not timings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from eiphub.jobs import api
from eiphub.jobs.models import Job

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("EIPHUB_TEST_REDIS", "redis://127.0.0.1:6379/1")
REQUIRED = os.environ.get("EIPHUB_REQUIRE_REDIS") == "1"


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (EIPHUB_REQUIRE_REDIS=1)")
    pytest.skip(reason)


@pytest.fixture
def redis_broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        _unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    client.flushdb()
    from eiphub.jobs.celery_app import app

    saved = {
        k: app.conf[k] for k in ("task_always_eager", "broker_url", "broker_transport_options")
    }
    app.conf.update(
        task_always_eager=False,
        broker_url=REDIS_URL,
        broker_transport_options={"visibility_timeout": 4},
    )
    _forget_connections(app)
    yield client
    app.conf.update(saved)
    _forget_connections(app)
    client.flushdb()


def _forget_connections(app):
    """Drop the app's cached connection and producer pools (bound to the broker of the
    moment they were made)."""
    app._pool = None
    app.amqp._producer_pool = None


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    name = str(s["NAME"])
    if connection.vendor != "sqlite" or "memory" in name or not Path(name).exists():
        _unavailable(
            "the test database is in memory; a worker process cannot open it "
            "(run `make test-redis`, which sets EIPHUB_SQLITE_TEST_DB)"
        )
    return f"sqlite:///{name}"


class Workers:
    def __init__(self, tmp_path: Path):
        self.tmp_path, self.procs = tmp_path, {}
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "EIPHUB_CELERY_VISIBILITY_TIMEOUT": "4",
            "EIPHUB_JOBS_HEARTBEAT_SECONDS": "0.5",
            "EIPHUB_JOBS_STALE_SECONDS": "3",
            "EIPHUB_VAR_DIR": str(tmp_path / "var"),
        }
        self.env.pop("EIPHUB_SQLITE_TEST_DB", None)

    def start(self, name: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "wb")  # noqa: SIM115
        argv = [sys.executable, "-m", "eiphub.cli", "worker", "-c", "1", "-n", f"{name}@test"]
        proc = subprocess.Popen(
            argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = (proc, log)
        self.wait_for(lambda: b"ready." in self.log(name), f"{name} ready", 90)
        return proc

    def log(self, name: str) -> bytes:
        return (self.tmp_path / f"{name}.log").read_bytes()

    def kill(self, name: str):
        proc, _log = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and its pool child, no goodbye
        proc.wait()

    def wait_for(self, predicate, what: str, limit: float):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if predicate():
                return
            for name, (proc, _log) in self.procs.items():
                if proc.poll() is not None and proc.returncode not in (0, -9):
                    raise AssertionError(f"worker {name} exited: {self.log(name)[-3000:]!r}")
            time.sleep(0.2)
        logs = {n: self.log(n)[-3000:] for n in self.procs}
        raise AssertionError(f"gave up waiting for {what}; logs: {logs}")

    def stop_all(self):
        for proc, log in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            log.close()


@pytest.fixture
def workers(redis_broker, tmp_path):
    w = Workers(tmp_path)
    yield w
    w.stop_all()


def _job(pk) -> Job:
    return Job.objects.get(pk=pk)


def test_job_runs_end_to_end_on_a_real_worker(workers, django_user_model):
    owner = django_user_model.objects.create_user("jobowner")
    workers.start("w1")
    job = api.enqueue(
        "jobs.probe", params={"steps": 3, "delay": 0.05, "enqueued_at": time.time()}, owner=owner
    )
    assert _job(job.pk).status == Job.Status.QUEUED or _job(job.pk).is_active
    workers.wait_for(lambda: _job(job.pk).status == Job.Status.SUCCEEDED, "job success", 60)
    done = _job(job.pk)
    assert done.worker == "w1@test" and done.attempts == 1
    assert (done.progress_done, done.progress_total) == (3, 3)
    assert done.result["steps"] == 3
    # the worker speaks the owner's language: Vietnamese, the default, for a user without
    # a profile (the test process itself reads English)
    assert done.result["message"] == "Kiểm tra hàng đợi xong."
    assert done.result["latency_s"] >= 0
    assert done.owner == owner and done.started <= done.finished


def test_job_of_a_killed_worker_finishes_on_another(workers):
    workers.start("w1")
    job = api.enqueue("jobs.probe", params={"steps": 40, "delay": 0.25})
    workers.wait_for(
        lambda: _job(job.pk).status == "running" and _job(job.pk).progress_done >= 3,
        "the job running on w1",
        60,
    )
    assert _job(job.pk).worker == "w1@test"
    workers.kill("w1")
    stopped_at = _job(job.pk).progress_done
    assert stopped_at < 40 and _job(job.pk).status == "running"  # nobody told the row
    workers.start("w2")
    workers.wait_for(lambda: _job(job.pk).status == Job.Status.SUCCEEDED, "job done on w2", 120)
    done = _job(job.pk)
    assert done.worker == "w2@test"
    assert done.attempts == 2  # w1's attempt, then w2's from the start (idempotent)
    assert done.result["steps"] == 40 and done.progress_done == 40
    assert b"taking over from w1@test" in workers.log("w2")


def test_cancel_reaches_a_running_job_on_a_real_worker(workers):
    workers.start("w1")
    job = api.enqueue("jobs.probe", params={"steps": 200, "delay": 0.1})
    workers.wait_for(lambda: _job(job.pk).progress_done >= 2, "the job running", 60)
    api.cancel(_job(job.pk))
    workers.wait_for(lambda: _job(job.pk).status == Job.Status.CANCELLED, "cancelled", 60)
    done = _job(job.pk)
    assert 2 <= done.result["steps"] < 200 and done.finished
