"""The Celery tasks: one generic runner for every job kind, the sweeper, and the
periodic entry points used by Celery beat."""

from __future__ import annotations

import logging
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone, translation

from . import api
from .celery_app import app
from .models import Job

log = logging.getLogger("eiphub.jobs")


def _cfg(name, default):
    return getattr(settings, name, default)


class _Heartbeat:
    """Touches the job's heartbeat every few seconds while its function runs, so the
    sweeper can tell a slow job (alive) from one whose worker died."""

    def __init__(self, job_id: int, every: float):
        self.job_id, self.every = job_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"job-{job_id}-hb")

    def _run(self):
        try:
            while not self._stop.wait(self.every):
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                    heartbeat=timezone.now()
                )
        except Exception:  # the runner itself reports database trouble
            log.warning("job %s: heartbeat failed", self.job_id, exc_info=True)
        finally:
            connection.close()

    def __enter__(self):
        if not _eager_db_shared():
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def _eager_db_shared() -> bool:
    # In eager mode (tests) the job runs inside the test's transaction, which a second
    # connection cannot see; no heartbeat thread there.
    return bool(app.conf.task_always_eager)


def _language(job: Job) -> str:
    profile = getattr(job.owner, "profile", None) if job.owner_id else None
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def _finish(job_id: int, **fields) -> None:
    Job.objects.filter(pk=job_id).update(finished=timezone.now(), **fields)


def _claim(job_id: int, worker: str) -> Job | None:
    """Take the job for this worker: a queued job, or a running one whose heartbeat is
    stale (its worker died).  One conditional UPDATE, so two deliveries of the same
    message never both run it."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=_cfg("EIPHUB_JOBS_STALE_SECONDS", 60))
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        log.warning("job %s: no such row (ignored)", job_id)
        return None
    if job.status == Job.Status.QUEUED and job.cancel_requested:
        _finish(job_id, status=Job.Status.CANCELLED)
        return None
    fields = {"worker": worker[:200], "heartbeat": now, "attempts": job.attempts + 1}
    if job.status == Job.Status.QUEUED:
        n = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started=job.started or now, **fields
        )
    elif job.status == Job.Status.RUNNING and job.heartbeat and job.heartbeat < stale:
        log.warning("job %s: taking over from %s (heartbeat %s)", job_id, job.worker, job.heartbeat)
        n = Job.objects.filter(
            pk=job_id, status=Job.Status.RUNNING, heartbeat=job.heartbeat
        ).update(**fields)
    else:
        return None  # finished, cancelled, or alive on another worker: nothing to do
    if not n:
        return None
    job.refresh_from_db()
    return job


class _Retry(Exception):
    def __init__(self, countdown: float):
        self.countdown = countdown


def execute(job_id: int, worker: str = "") -> str:
    """Run one job to its end (or to a retry).  Returns the final status or a word
    saying why nothing ran."""
    job = _claim(job_id, worker or socket.gethostname())
    if job is None:
        return "skipped"
    kind = api.KINDS.get(job.kind)
    if kind is None:
        _finish(job.pk, status=Job.Status.FAILED, error_code="unknown_kind", error_params={})
        return Job.Status.FAILED
    if job.attempts > kind.max_attempts:
        _finish(
            job.pk,
            status=Job.Status.FAILED,
            error_code="worker_lost",
            error_params={"attempts": job.attempts - 1},
        )
        return Job.Status.FAILED
    log.info("job %s (%s) attempt %s started on %s", job.pk, job.kind, job.attempts, worker)
    try:
        with _Heartbeat(job.pk, _cfg("EIPHUB_JOBS_HEARTBEAT_SECONDS", 10)):
            with translation.override(_language(job)):
                result = kind.fn(job, **job.params)
    except api.JobCancelled:
        _finish(job.pk, status=Job.Status.CANCELLED)
        return Job.Status.CANCELLED
    except api.JobError as exc:
        _finish(
            job.pk,
            status=Job.Status.FAILED,
            error_code=exc.code[:80],
            error_params=_jsonable(exc.params),
        )
        return Job.Status.FAILED
    except (*api.TRANSIENT_ERRORS, *kind.retry_on) as exc:
        if not connection.in_atomic_block:  # a broken connection is reopened next time
            close_old_connections()
        detail = type(exc).__name__
        if job.attempts >= kind.max_attempts:
            log.exception("job %s: giving up after %s attempts", job.pk, job.attempts)
            _finish(
                job.pk,
                status=Job.Status.FAILED,
                error_code="transient",
                error_params={"attempts": job.attempts, "detail": detail},
            )
            return Job.Status.FAILED
        countdown = min(
            _cfg("EIPHUB_JOBS_RETRY_BASE_SECONDS", 2) * 2 ** (job.attempts - 1),
            _cfg("EIPHUB_JOBS_RETRY_MAX_SECONDS", 300),
        )
        log.warning("job %s: %s, retry in %ss", job.pk, detail, countdown)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.QUEUED, error_code="transient", error_params={"detail": detail}
        )
        raise _Retry(countdown) from exc
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job.pk,
            status=Job.Status.FAILED,
            error_code="unexpected",
            error_params={"type": type(exc).__name__},
        )
        return Job.Status.FAILED
    status = Job.Status.CANCELLED if job.cancel_requested else Job.Status.SUCCEEDED
    done = job.progress_total if status == Job.Status.SUCCEEDED else job.progress_done
    _finish(
        job.pk,
        status=status,
        result=_jsonable(result or {}),
        progress_done=done,
        error_code="",
        error_params={},
    )
    log.info("job %s (%s) %s", job.pk, job.kind, status)
    return status


def _jsonable(value):
    import json

    return json.loads(json.dumps(value, default=str))


@app.task(
    name="eiphub.jobs.run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    ignore_result=True,
)
def run_job(self, job_id: int) -> str:
    try:
        return execute(job_id, worker=self.request.hostname or "")
    except _Retry as r:
        raise self.retry(countdown=r.countdown, max_retries=None) from None


@app.task(name="eiphub.jobs.sweep", ignore_result=True)
def sweep() -> dict:
    """Send again the jobs no worker is running: queued for a while (the broker lost the
    message, or was down at enqueue) and running with a stale heartbeat (worker died)."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=_cfg("EIPHUB_JOBS_STALE_SECONDS", 60))
    again = now - timezone.timedelta(seconds=_cfg("EIPHUB_JOBS_REDISPATCH_SECONDS", 300))
    queued = list(
        Job.objects.filter(status=Job.Status.QUEUED, dispatched__lt=again).values_list(
            "pk", flat=True
        )[:500]
    )
    lost = list(
        Job.objects.filter(status=Job.Status.RUNNING, heartbeat__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in queued + lost:
        Job.objects.filter(pk=pk).update(dispatched=now)
        run_job.apply_async(args=[pk])
    return {"queued": len(queued), "lost": len(lost)}


@app.task(name="eiphub.jobs.periodic", ignore_result=True)
def periodic(kind: str, params: dict | None = None) -> int:
    """Celery beat's entry point: enqueue one job of ``kind`` (at most one active)."""
    params = params or {}
    key = ":".join(["periodic", kind, *(f"{k}={v}" for k, v in sorted(params.items()))])
    return api.enqueue(kind, params=params, dedupe_key=key).pk


@api.job_kind("jobs.hook", label=api._("Scheduled work"))
def run_hook(job, *, name: str):
    """Run every function registered on a periodic hook (none is fine)."""
    fns = api.HOOKS.get(name, [])
    done = []
    for i, fn in enumerate(fns):
        if job.should_stop():
            break
        fn(job)
        done.append(f"{fn.__module__}.{fn.__qualname__}")
        job.report(i + 1, len(fns))
    return {"hook": name, "ran": done}
