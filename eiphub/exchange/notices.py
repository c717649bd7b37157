"""Notifications of the exchange: the ONE place that creates notification rows
(:func:`notify_users`); everything else builds texts and calls it."""

from __future__ import annotations

from django.utils import translation

from eiphub.accounts.models import Role

from .models import Notification


def users_of(enterprise_id: int):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            profile__enterprise_id=enterprise_id, profile__role=Role.ENTERPRISE, is_active=True
        )
        .select_related("profile")
    )


def users_of_many(enterprise_ids):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            profile__enterprise_id__in=list(enterprise_ids),
            profile__role=Role.ENTERPRISE,
            is_active=True,
        )
        .select_related("profile")
    )


def notify(enterprise_id: int, message, url: str = "") -> int:
    """Notify every user of an enterprise, each in their language.  ``message`` is a
    callable returning the (translated) text, so it is evaluated per language."""
    n = 0
    for u in users_of(enterprise_id):
        with translation.override(getattr(u.profile, "language", None) or "vi"):
            text = str(message())[:300]
        notify_users([(u, text, url)])
        n += 1
    return n


def notify_users(items) -> int:
    """Create one notification per ``(user, text, url)``: the ONE place in the exchange
    that writes notification rows (texts are already in each user's language)."""
    rows = [Notification(user=u, text=str(text)[:300], url=url) for u, text, url in items]
    Notification.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
