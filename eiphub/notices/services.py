"""The one way to tell users something: ``notify`` writes the in-app notices (for
users who keep the event in the app) and queues ONE background job that sends the
e-mails (for users who keep it by e-mail).  Nothing is sent inside the request:
code running in a web request calls ``notify_later``, which queues the whole
delivery (in-app notices and e-mails) as a job once the request's transaction
commits; code already running in a job calls ``notify`` (or ``notify_many``)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import transaction

from eiphub.jobs.api import enqueue

from .events import EVENTS
from .models import Notice, NoticePreference


def preferences(user_ids: Iterable[int], event: str) -> dict[int, tuple[bool, bool]]:
    """{user_id: (in_app, email)} with the defaults (both on) for users without a row."""
    ids = list(user_ids)
    out = {uid: (True, True) for uid in ids}
    for i in range(0, len(ids), 5000):
        for p in NoticePreference.objects.filter(user_id__in=ids[i : i + 5000], event=event):
            out[p.user_id] = (p.in_app, p.email)
    return out


def _ids(users) -> list[int]:
    return sorted({getattr(u, "pk", u) for u in users if u is not None})


def _check(event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown notice event {event!r}")


def notify(users, event: str, params: dict | None = None, url: str = "", *, owner=None):
    """Notify ``users`` (users or ids) of ``event``; returns the notices written."""
    return notify_many(event, [(users, params, url)], owner=owner)


def notify_many(event: str, items, *, owner=None) -> list[Notice]:
    """Many notices of one event at once, each item ``(users, params, url)``: the
    preferences read once, the notices written in bulk and ONE e-mail job for all
    (one e-mail per recipient listing their notices).  Returns the notices written."""
    _check(event)
    rows = []
    for users, params, url in items:
        ids = _ids(users)
        if ids:
            rows.append((ids, dict(params or {}), (url or "")[:300]))
    if not rows:
        return []
    prefs = preferences(sorted({uid for ids, _p, _u in rows for uid in ids}), event)
    notices = Notice.objects.bulk_create(
        [
            Notice(user_id=uid, event=event, params=params, url=url)
            for ids, params, url in rows
            for uid in ids
            if prefs[uid][0]
        ],
        batch_size=1000,
    )
    mail = [
        {"user_ids": mail_to, "params": params, "url": url}
        for ids, params, url in rows
        if (mail_to := [uid for uid in ids if prefs[uid][1]])
    ]
    if len(mail) == 1:
        enqueue("notices.email", params={"event": event, **mail[0]}, owner=owner)
    elif mail:
        enqueue("notices.email", params={"event": event, "items": mail}, owner=owner)
    return notices


def notify_later(users, event: str, params: dict | None = None, url: str = "", *, owner=None):
    """``notify`` from a background job queued when the current transaction commits
    (nothing is written or sent inside the request; nothing at all if it rolls back)."""
    _check(event)
    ids = _ids(users)
    if not ids:
        return
    payload = {"user_ids": ids, "event": event, "params": dict(params or {}), "url": url or ""}
    json.dumps(payload)  # fail in the request, not in the worker
    owner = owner if getattr(owner, "is_authenticated", False) else None
    transaction.on_commit(lambda: enqueue("notices.deliver", params=payload, owner=owner))


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read=False).count()
