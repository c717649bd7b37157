"""The public job API: declare a kind, enqueue it, cancel or retry it.

    from eiphub.jobs.api import job_kind, enqueue

    @job_kind("flows.import", label=_("Flow import"))
    def import_flows(job, *, batch_id):
        for i, chunk in enumerate(chunks):
            if job.should_stop():
                return {"message": ...}        # cancelled: the runner marks the job so
            ...
            job.report(i + 1, len(chunks))     # progress bar + heartbeat
        return {"message": _("Imported %(n)d rows.") % {...}, "url": reverse(...)}

    job = enqueue("flows.import", params={"batch_id": 7}, owner=request.user,
                  dedupe_key="flows.import:7")
    return redirect_to(job)                     # the job page (or the result when done)

A function receives the Job row and the params as keywords, runs in the owner's
language, returns a JSON-able dict (``message`` and ``url`` are shown on the job page)
and raises JobError(code, **params) for an expected failure (phrased by the page
from the messages the kind declares).  Transient errors (database or broker
connection lost, TransientJobError) are retried with exponential back-off; any
other exception fails the job.  Functions must be idempotent: a job whose worker
died is run again from the start by another worker.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eiphub.core.errors import CodedError

from .models import Job

log = logging.getLogger("eiphub.jobs")


class JobError(CodedError):
    """An expected failure: ``code`` names a message declared by the job kind."""


class TransientJobError(Exception):
    """A failure worth retrying later (a service briefly unavailable)."""


class JobCancelled(Exception):
    """Raised by a job function that stops because a cancel was requested."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientJobError,
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)

# Messages of the runner's own error codes (kinds add theirs with ``errors=``).
COMMON_ERRORS = {
    "unexpected": _("An unexpected error stopped the job; the operators' log has the details."),
    "transient": _("The job failed %(attempts)s times on a temporary error (%(detail)s)."),
    "worker_lost": _("The job was interrupted %(attempts)s times (its worker stopped)."),
    "unknown_kind": _("This kind of job is not available on this server."),
    "message": "%(message)s",
}


@dataclass
class JobKind:
    name: str
    fn: Callable
    label: object
    max_attempts: int = 5
    errors: dict = field(default_factory=dict)
    retry_on: tuple = ()


KINDS: dict[str, JobKind] = {}
HOOKS: dict[str, list[Callable]] = {"daily_reminders": [], "nightly_recompute": []}


def job_kind(
    name: str,
    *,
    label,
    max_attempts: int = 5,
    errors: dict | None = None,
    retry_on: tuple[type[BaseException], ...] = (),
):
    """Declare the function that runs jobs of kind ``name`` (``fn(job, **params)``).
    ``errors`` maps the codes of its JobErrors to (lazy) messages; ``retry_on`` adds
    exception classes retried with back-off like the transient ones."""

    def register(fn):
        KINDS[name] = JobKind(name, fn, label, max_attempts, dict(errors or {}), tuple(retry_on))
        return fn

    return register


def hook(name: str):
    """Add a function ``fn(job)`` to a periodic hook run by Celery beat:
    ``daily_reminders`` (every morning) or ``nightly_recompute`` (every night)."""
    if name not in HOOKS:
        raise ValueError(f"unknown hook {name!r}; one of {sorted(HOOKS)}")

    def register(fn):
        if fn not in HOOKS[name]:
            HOOKS[name].append(fn)
        return fn

    return register


def kind_label(kind: str) -> str:
    k = KINDS.get(kind)
    return str(k.label) if k else str(_("Background job"))


def error_text(job: Job) -> str:
    """The job's error in the active language."""
    if not job.error_code:
        return ""
    k = KINDS.get(job.kind)
    template = (k.errors if k else {}).get(job.error_code) or COMMON_ERRORS.get(
        job.error_code, COMMON_ERRORS["unexpected"]
    )
    try:
        return str(template) % job.error_params
    except (KeyError, TypeError, ValueError):
        return str(template)


# ---------------------------------------------------------------------------------
# enqueue / dispatch
# ---------------------------------------------------------------------------------


def _eager() -> bool:
    from .celery_app import app

    return bool(app.conf.task_always_eager)


def dispatch(job: Job) -> None:
    """Hand the job's id to the broker once the current transaction commits (so a
    worker always finds the row).  In eager mode (tests) the job runs right here."""
    from .tasks import run_job

    Job.objects.filter(pk=job.pk).update(dispatched=timezone.now())
    if _eager():
        run_job.apply(args=[job.pk])
        job.refresh_from_db()
        return

    def send():
        try:
            run_job.apply_async(args=[job.pk])
        except Exception:  # broker down: the job stays queued; the sweeper sends it again
            log.exception("job %s: could not reach the broker", job.pk)

    transaction.on_commit(send)


def enqueue(
    kind: str,
    *,
    params: dict | None = None,
    owner=None,
    dedupe_key: str | None = None,
    park=None,
) -> Job:
    """Create a queued job and dispatch it.  With ``dedupe_key``, an active (queued or
    running) job with the same key is returned instead of a second one."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    params = dict(params or {})
    json.dumps(params)  # params travel as JSON: fail here, not in the worker
    owner = owner if getattr(owner, "is_authenticated", False) else None
    key = (dedupe_key or "")[:200]
    if key:
        existing = Job.objects.filter(dedupe_key=key, status__in=Job.ACTIVE).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, params=params, owner=owner, dedupe_key=key, park=park
            )
    except IntegrityError:
        existing = Job.objects.filter(dedupe_key=key, status__in=Job.ACTIVE).first()
        if existing:
            return existing
        raise
    dispatch(job)
    return job


def cancel(job: Job) -> Job:
    """Cancel a queued job at once; ask a running one to stop (``should_stop()``)."""
    now = timezone.now()
    if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, cancel_requested=True, finished=now
    ):
        pass
    else:
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()
    return job


def retry(job: Job) -> Job:
    """Run a failed or cancelled job again (same row, same parameters)."""
    if job.status not in (Job.Status.FAILED, Job.Status.CANCELLED):
        return job
    try:
        with transaction.atomic():
            n = Job.objects.filter(pk=job.pk, status=job.status).update(
                status=Job.Status.QUEUED,
                cancel_requested=False,
                error_code="",
                error_params={},
                result={},
                progress_done=0,
                progress_total=0,
                attempts=0,
                started=None,
                finished=None,
                heartbeat=None,
            )
    except IntegrityError:  # another active job holds the dedupe key
        return Job.objects.filter(dedupe_key=job.dedupe_key, status__in=Job.ACTIVE).first()
    job.refresh_from_db()
    if n:
        dispatch(job)
    return job


def url_of(job: Job) -> str:
    return reverse("jobs:detail", args=[job.pk])


def redirect_to(job: Job, request=None) -> HttpResponseRedirect:
    """Where a page that started a job sends the user: the result once it is there
    (eager mode, or a job that finished very fast), the job's progress page otherwise."""
    job.refresh_from_db()
    if job.status == Job.Status.SUCCEEDED and job.result.get("url"):
        if request is not None and job.result.get("message"):
            from django.contrib import messages

            level = messages.ERROR if job.result.get("level") == "error" else messages.SUCCESS
            messages.add_message(request, level, job.result["message"])
        return HttpResponseRedirect(job.result["url"])
    return HttpResponseRedirect(url_of(job))


def settings_value(name: str, default):
    return getattr(settings, name, default)


def send_email(messages: list[dict], *, owner=None, dedupe_key: str | None = None) -> Job | None:
    """Queue e-mails ({"to": [addresses], "subject": str, "body": str}) as one job."""
    messages = [m for m in messages if m.get("to")]
    if not messages:
        return None
    return enqueue("mail.send", params={"messages": messages}, owner=owner, dedupe_key=dedupe_key)
