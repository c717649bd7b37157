"""Reports work done by the background workers: recomputing stored criteria results and
aggregates (``reports/stored.py``) after their data changed, and every night."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.jobs.api import enqueue, hook, job_kind

from . import stored
from .models import StoredResult


def enqueue_recompute(keys) -> None:
    """``EIPHUB_RECOMPUTE_TASK``: queue the recomputation of the (park id, year) ``keys``
    (called once per committed transaction by ``stored.queue_recompute``)."""
    keys = [[p, y] for p, y in keys]
    if keys:
        enqueue("reports.recompute", params={"keys": keys})


@job_kind("reports.recompute", label=gettext_lazy("Recomputation of criteria and aggregates"))
def recompute(job, *, keys):
    n = stored.recompute_keys([tuple(k) for k in keys])
    return {"message": _("%(n)d batches of stored results recomputed.") % {"n": n}}


@hook("nightly_recompute")
def recompute_stale(job):
    """Every stale stored result (a change whose queued job was lost, or a bulk write)."""
    keys = set(
        StoredResult.objects.filter(stale=True, park__isnull=False)
        .values_list("park_id", "year")
        .distinct()
    )
    stored.recompute_keys(sorted(keys))
