"""Job kinds of the jobs app itself: the probe (operators measure the queue with it;
the integration tests run it on real workers) and e-mail sending."""

from __future__ import annotations

import time

from django.core import mail
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .api import job_kind


@job_kind("jobs.probe", label=gettext_lazy("Queue check"))
def probe(job, *, steps: int = 1, delay: float = 0.0, enqueued_at: float | None = None):
    """Does nothing but wait ``steps`` times ``delay`` seconds, reporting progress;
    records the worker it finished on and, when given, the seconds from enqueue to start."""
    started = time.time()
    job.report(0, steps)
    for i in range(steps):
        if job.should_stop():
            return {"message": _("Stopped after %(n)d steps.") % {"n": i}, "steps": i}
        time.sleep(delay)
        job.report(i + 1, steps)
    out = {"message": _("Queue check done."), "steps": steps, "worker": job.worker}
    if enqueued_at is not None:
        out["latency_s"] = round(started - enqueued_at, 4)
    return out


@job_kind("mail.send", label=gettext_lazy("E-mail sending"))
def send_mails(job, *, messages: list[dict]):
    """Send e-mails ({"to": [...], "subject": ..., "body": ...}) with Django's e-mail
    framework (SMTP in production, files under var/mail in the demo).  Already-sent
    messages are skipped on a retry (their index is kept on the job)."""
    sent = set(job.result.get("sent", [])) if isinstance(job.result, dict) else set()
    total = len(messages)
    with mail.get_connection() as conn:
        for i, m in enumerate(messages):
            if i in sent:
                continue
            mail.EmailMessage(m["subject"], m["body"], to=m["to"], connection=conn).send()
            sent.add(i)
            type(job).objects.filter(pk=job.pk).update(result={"sent": sorted(sent)})
            job.report(len(sent), total)
    return {"message": _("%(n)d e-mails sent.") % {"n": len(sent)}, "sent": sorted(sent)}
