"""The context every exchange page shares (unread notifications, the user's exchange role).

Its own module so that each ``views_*`` module uses it without importing ``views.py``."""

from __future__ import annotations

from . import services as S
from .models import Notification


def page_context(request, **kw) -> dict:
    unread = (
        Notification.objects.filter(user=request.user, read=False).count()
        if request.user.is_authenticated
        else 0
    )
    return {"unread": unread, "exchange_role": S.role_of(request.user), **kw}
