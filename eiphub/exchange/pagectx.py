"""The context every exchange page shares (unread notices, the user's exchange role).

Its own module so that each ``views_*`` module uses it without importing ``views.py``."""

from __future__ import annotations

from eiphub.notices.services import unread_count

from . import services as S


def page_context(request, **kw) -> dict:
    unread = unread_count(request.user)
    return {"unread": unread, "exchange_role": S.role_of(request.user), **kw}
