"""Flow work done by the background workers: writing a confirmed import batch.

The preview (validation, classification) is computed when the file is uploaded; the
write, which can take a while for a year of a province's data, runs here, so no web
worker is blocked and the import page shows the job's progress.  ``apply_batch`` is
idempotent (only a batch still in preview is written, under a row lock), so a job
whose worker died can be run again."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.jobs.api import enqueue, job_kind

from .batches import apply_batch
from .models import BatchStatus


def enqueue_import(batch, *, owner=None):
    """Queue the write of a previewed batch (one job per batch, repeated clicks share it)."""
    return enqueue(
        "flows.import_apply",
        params={"batch_id": batch.pk},
        owner=owner,
        dedupe_key=f"flows.import_apply:{batch.pk}",
    )


@job_kind("flows.import_apply", label=gettext_lazy("Flow import"))
def import_apply(job, *, batch_id: int):
    def progress(stage, done, total):
        job.report(done, total)

    batch = apply_batch(batch_id, progress)
    url = reverse("flows:import_status", args=[batch_id])
    if batch.status != BatchStatus.DONE:
        return {
            "message": _("This import was not written (it was cancelled or undone)."),
            "url": url,
        }
    return {
        "message": _("Import written: %(c)d new, %(u)d changed, %(r)d replaced records.")
        % {"c": batch.created_count, "u": batch.updated_count, "r": batch.replaced},
        "url": url,
    }
