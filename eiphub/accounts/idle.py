"""Idle session timeout without a session write on every request.

Issue 18 asks for an idle timeout; ``SESSION_SAVE_EVERY_REQUEST`` gave one by rewriting the
session row (and committing) on every page view, which was the largest fixed cost left on
a read-only page at national scale (issue 9).  Here the session records when it was last
seen and is saved (which renews its expiry and cookie) at most once per
``EIPHUB_SESSION_TOUCH_S`` seconds; a session idle for longer than
``SESSION_COOKIE_AGE`` is ended.  The effective idle limit is therefore between
``SESSION_COOKIE_AGE - EIPHUB_SESSION_TOUCH_S`` and ``SESSION_COOKIE_AGE``."""

from __future__ import annotations

import time

from django.conf import settings

SEEN = "_seen"
AUTH = "_auth_user_id"


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and session.get(AUTH):
            now = int(time.time())
            seen = session.get(SEEN)
            if seen is not None and now - seen > settings.SESSION_COOKIE_AGE:
                session.flush()  # idle too long: signed out
            elif seen is None or now - seen >= settings.EIPHUB_SESSION_TOUCH_S:
                session[SEEN] = now  # modified: saved with a renewed expiry and cookie
        return self.get_response(request)
