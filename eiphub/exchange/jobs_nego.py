"""Background work of the anonymous negotiation and the handler directory (issue 17)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.jobs.api import enqueue, job_kind


def enqueue_message_notice(note, owner=None):
    """Tell the other side of the note's match that a message arrived (as a job)."""
    return enqueue("exchange.message_notice", params={"note_id": note.pk}, owner=owner)


@job_kind("exchange.message_notice", label=gettext_lazy("Negotiation message notice"))
def message_notice(job, *, note_id: int):
    from . import services as S
    from .models import MatchNote

    note = (
        MatchNote.objects.select_related("match__offer", "match__want").filter(pk=note_id).first()
    )
    if note is None:  # the match was deleted meanwhile
        return {"notified": 0}
    m = note.match
    other = S._other_enterprise(m, note.side)
    recipient = "want" if note.side == "offer" else "offer"
    n = S.notify(
        other,
        "message_new",
        S.match_params(m, recipient),
        reverse("exchange:match_detail", args=[m.pk]),
        owner=job.owner,
    )
    return {"notified": n, "message": _("%(n)d users notified.") % {"n": n}}


def enqueue_handler_import(rows: list[dict], source: str, owner=None):
    """Write the parsed rows of a published list of licensed handlers (as a job)."""
    payload = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows
    ]
    return enqueue(
        "exchange.handlers_import", params={"rows": payload, "source": source}, owner=owner
    )


@job_kind("exchange.handlers_import", label=gettext_lazy("Import of licensed handlers"))
def handlers_import(job, *, rows: list, source: str):
    from .handlers import write_handlers

    job.report(0, 1)
    out = write_handlers(rows, source)
    job.report(1, 1)
    return {
        "created": out.created,
        "updated": out.updated,
        "expired": out.expired,
        "message": _(
            "Licensed handlers imported: %(c)d new, %(u)d updated, %(e)d expired (flagged)."
        )
        % {"c": out.created, "u": out.updated, "e": out.expired},
        "url": reverse("exchange:handlers"),
    }
