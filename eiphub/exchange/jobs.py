"""Exchange work done by the background workers: matching runs (on publish, on the
board's button, nightly for every province).  Their notices (and the e-mails, one job
per run) go through ``eiphub.notices.services``."""

from __future__ import annotations

from django.db import IntegrityError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.jobs.api import enqueue, job_kind
from eiphub.registry.models import Park, Province

from . import services as S


def enqueue_matching(park: Park, *, owner=None, listing_id: int | None = None):
    """Match the park's province again in the background.  From the board's button the
    job is shared by repeated clicks (dedupe while queued or running); a publish always
    queues its own run so that its listing is matched."""
    params = {"park_id": park.pk}
    if listing_id is not None:
        params["listing_id"] = listing_id
    key = None if listing_id is not None else f"exchange.matching:park:{park.pk}"
    return enqueue("exchange.matching", params=params, owner=owner, park=park, dedupe_key=key)


@job_kind(
    "exchange.matching",
    label=gettext_lazy("Matching run"),
    retry_on=(IntegrityError,),  # a concurrent run saved the same pair first
)
def matching(job, *, park_id: int, listing_id: int | None = None):
    park = Park.objects.get(pk=park_id)
    job.report(0, 1)
    run = S.run_matching(park)
    job.report(1, 1)
    counts = {"created": run.created, "updated": run.updated, "removed": run.removed}
    if listing_id is not None:
        return {
            **counts,
            "notified": run.notified,
            "message": _("Saved and published; %(n)d new matches found.") % {"n": run.created},
            "url": reverse("exchange:listing_detail", args=[listing_id]),
        }
    return {
        **counts,
        "notified": run.notified,
        "message": _("Matching done for %(park)s: %(c)d new, %(u)d updated, %(r)d no longer found.")
        % {"park": park.code, "c": run.created, "u": run.updated, "r": run.removed},
        "url": reverse("exchange:matches"),
    }


@job_kind(
    "exchange.rematch_all", label=gettext_lazy("Nightly re-matching"), retry_on=(IntegrityError,)
)
def rematch_all(job):
    """Every province with published listings, one after the other (Celery beat, nightly)."""
    provinces = list(
        Province.objects.filter(parks__enterprises__listings__status="published")
        .distinct()
        .order_by("code")
    )
    created = 0
    for i, province in enumerate(provinces):
        if job.should_stop():
            break
        created += S.run_matching(province).created
        job.report(i + 1, len(provinces))
    return {
        "provinces": len(provinces),
        "created": created,
        "message": _("%(p)d provinces matched again; %(n)d new matches.")
        % {"p": len(provinces), "n": created},
    }


# issue 17: alerts and expiry reminders (market), negotiation and directory (nego)
from . import jobs_market, jobs_nego  # noqa: E402,F401
