"""Background work of the marketplace (issue 17): saved-search alerts when a listing is
published (and daily, for listings published through other paths), expiry reminders.
Registered by ``exchange/jobs.py`` (autodiscovered by eiphub.jobs)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.jobs.api import enqueue, hook, job_kind

from . import attachments, search


def enqueue_alerts(listing_id: int, owner=None):
    return enqueue(
        "exchange.search_alerts",
        params={"listing_ids": [listing_id]},
        owner=owner,
        dedupe_key=f"exchange.search_alerts:{listing_id}",
    )


@job_kind("exchange.search_alerts", label=gettext_lazy("Saved-search alerts"))
def search_alerts(job, *, listing_ids=None, since=None):
    since_dt = dt.datetime.fromisoformat(since) if since else None
    n = search.send_alerts(listing_ids=listing_ids, since=since_dt)
    return {
        "alerts": n,
        "message": _("%(n)d saved-search alerts sent.") % {"n": n},
    }


@hook("daily_reminders")
def daily_market(job):
    """Alerts for listings published in the last day by any path, then expiry reminders
    and closing of expired listings (notices and their e-mails: eiphub.notices)."""
    started = timezone.now()
    n = search.send_alerts(since=started - dt.timedelta(days=1, hours=1))
    out = attachments.expiry_reminders()
    return {"alerts": n, **out}


def _on_listing_saved(sender, instance, raw=False, **kwargs):
    """A published listing (by the form, the API or an import) queues the saved-search
    alerts once the transaction commits; nothing is queued while nobody has alerts on."""
    from django.db import transaction

    from .models import Listing, SavedSearch

    if raw or instance.status != Listing.Status.PUBLISHED:
        return
    if not SavedSearch.objects.filter(alerts=True).exists():
        return
    pk = instance.pk
    transaction.on_commit(lambda: enqueue_alerts(pk))


def _connect():
    from django.db.models.signals import post_save

    from .models import Listing

    post_save.connect(_on_listing_saved, sender=Listing, dispatch_uid="exchange.search_alerts")


_connect()
