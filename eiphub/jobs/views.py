"""Job pages (list, progress page with HTMX polling, cancel, retry) and /healthz."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from eiphub.accounts.scoping import can_control_job, jobs_for

from . import api
from .models import Job


def _job(request, pk) -> Job:
    return get_object_or_404(jobs_for(request.user).select_related("owner", "park"), pk=pk)


def _context(request, job: Job) -> dict:
    return {
        "job": job,
        "label": api.kind_label(job.kind),
        "error": api.error_text(job),
        "can_control": can_control_job(request.user, job),
    }


@login_required
def job_list(request):
    qs = jobs_for(request.user).select_related("owner", "park")
    mine = request.GET.get("mine", "1") != "0"
    if mine:
        qs = qs.filter(owner=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"job": j, "label": api.kind_label(j.kind)} for j in page.object_list]
    return render(request, "jobs/list.html", {"rows": rows, "page_obj": page, "mine": mine})


@login_required
def job_detail(request, pk):
    return render(request, "jobs/detail.html", _context(request, _job(request, pk)))


@never_cache
@login_required
def job_status(request, pk):
    """HTMX: the status block, polled every second while the job is active."""
    return render(request, "jobs/_status.html", _context(request, _job(request, pk)))


@login_required
@require_POST
def job_cancel(request, pk):
    job = _job(request, pk)
    if not can_control_job(request.user, job):
        raise PermissionDenied(_("Only the person who started this job can cancel it."))
    job = api.cancel(job)
    if job.status == Job.Status.CANCELLED:
        messages.info(request, _("Job cancelled."))
    elif job.is_active:
        messages.info(request, _("Cancellation requested; the job stops at its next step."))
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def job_retry(request, pk):
    job = _job(request, pk)
    if not can_control_job(request.user, job):
        raise PermissionDenied(_("Only the person who started this job can run it again."))
    if job.status not in (Job.Status.FAILED, Job.Status.CANCELLED):
        messages.warning(request, _("Only a failed or cancelled job can be run again."))
        return redirect("jobs:detail", pk=job.pk)
    job = api.retry(job)
    messages.info(request, _("Job queued again."))
    return redirect("jobs:detail", pk=job.pk)


def _check_database() -> dict:
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return {"ok": True, "ms": round(1000 * (time.perf_counter() - t), 1)}


def _check_broker() -> dict:
    from .celery_app import app

    t = time.perf_counter()
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        transport = conn.transport_cls
    return {
        "ok": True,
        "ms": round(1000 * (time.perf_counter() - t), 1),
        "transport": str(transport),
    }


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitors: 200 when the database and the broker answer,
    503 otherwise, with what failed (no secrets: the exception class only)."""
    checks = {}
    for name, fn in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = fn()
        except Exception as exc:  # any failure is a failed check
            checks[name] = {"ok": False, "error": type(exc).__name__}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", **checks}, status=200 if ok else 503
    )
