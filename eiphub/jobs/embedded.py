"""The demo's background processes: one Celery worker and Celery beat, started beside
the web server as subprocesses and stopped with it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.utils.translation import gettext as _


def _spawn(args: list[str], log_path) -> subprocess.Popen:
    env = {**os.environ, "EIPHUB_DEMO": "1"}
    log = open(log_path, "ab")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [sys.executable, "-m", "eiphub.cli", *args], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    proc._eiphub_log = log  # type: ignore[attr-defined]
    return proc


def stop(procs: list[subprocess.Popen], timeout: float = 10) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)  # warm shutdown: running jobs finish or requeue
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p._eiphub_log.close()  # type: ignore[attr-defined]


@contextlib.contextmanager
def background_processes(stdout, *, enabled: bool = True, concurrency: int = 1):
    if not enabled:
        yield []
        return
    logs = settings.CELERY_DIR
    procs = [
        _spawn(["worker", "--concurrency", str(concurrency), "-l", "info"], logs / "worker.log"),
        _spawn(["beat", "-l", "info"], logs / "beat.log"),
    ]
    stdout.write(
        _(
            "Background jobs: a worker and the scheduler run beside the server (broker %(b)s; logs in %(d)s)."
        )
        % {"b": settings.CELERY_BROKER_URL.split("@")[-1], "d": logs}
    )
    # SIGTERM (a service manager, `kill`) stops the children too, like Ctrl+C does.
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield procs
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(procs)


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)
