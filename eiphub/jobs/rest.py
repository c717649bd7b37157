"""Background jobs in the JSON API: ``GET /api/v1/jobs/{id}`` follows a job that an API
call queued (for example ``POST /api/v1/networks/scenarios``, which answers 202)."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema

from eiphub.accounts.scoping import jobs_for

from . import api

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    label: str
    status: str
    progress_done: int
    progress_total: int
    result: dict
    error: str
    created: datetime
    started: datetime | None
    finished: datetime | None
    page: str


@router.get("/jobs/{job_id}", response=JobOut)
def get_job(request, job_id: int = Path(..., ge=1, le=2**62)):
    """A job you may follow (your own; boards, developers, consultants and the ministry also
    those about parks they see): status, progress, result or error."""
    job = get_object_or_404(jobs_for(request.user), pk=job_id)
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": str(api.kind_label(job.kind)),
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "result": job.result or {},
        "error": api.error_text(job) if job.status == "failed" else "",
        "created": job.created,
        "started": job.started,
        "finished": job.finished,
        "page": api.url_of(job),
    }
