"""The readiness ranking and investor opportunities, computed by the background workers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.jobs.api import hook, job_kind

from . import services as S


@job_kind(S.JOB_KIND, label=gettext_lazy("Readiness ranking of parks"))
def readiness(job):
    """Scores and ranks every park, groups them and lists each park's industry
    opportunities; the result is stored on the job row (read by the pages)."""
    result = S.compute(progress=job.report)
    result["url"] = reverse("programme:readiness")
    result["message"] = _("Readiness ranking computed for %(n)d parks.") % {
        "n": len(result["parks"])
    }
    return result


@hook("nightly_recompute")
def nightly(job):
    S.enqueue_readiness()
