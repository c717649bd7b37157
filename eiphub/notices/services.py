"""The one way to tell users something: ``notify`` writes the in-app notices (for
users who keep the event in the app) and queues ONE background job that sends the
e-mails (for users who keep it by e-mail).  Nothing is sent inside the request."""

from __future__ import annotations

from collections.abc import Iterable

from eiphub.jobs.api import enqueue

from .events import EVENTS
from .models import Notice, NoticePreference


def preferences(user_ids: Iterable[int], event: str) -> dict[int, tuple[bool, bool]]:
    """{user_id: (in_app, email)} with the defaults (both on) for users without a row."""
    ids = list(user_ids)
    out = {uid: (True, True) for uid in ids}
    for p in NoticePreference.objects.filter(user_id__in=ids, event=event):
        out[p.user_id] = (p.in_app, p.email)
    return out


def notify(users, event: str, params: dict | None = None, url: str = "", *, owner=None):
    """Notify ``users`` (users or ids) of ``event``; returns the notices written."""
    if event not in EVENTS:
        raise ValueError(f"unknown notice event {event!r}")
    params = dict(params or {})
    ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    if not ids:
        return []
    prefs = preferences(ids, event)
    notices = Notice.objects.bulk_create(
        [
            Notice(user_id=uid, event=event, params=params, url=url[:300])
            for uid in ids
            if prefs[uid][0]
        ]
    )
    mail_to = [uid for uid in ids if prefs[uid][1]]
    if mail_to:
        enqueue(
            "notices.email",
            params={"user_ids": mail_to, "event": event, "params": params, "url": url},
            owner=owner,
        )
    return notices


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read=False).count()
