"""Login throttling and lockout (issue 18, finding 7), a small equivalent of django-axes.

Failed logins are counted per username and per client address in the cache.  After
``EIPHUB_LOGIN_MAX_FAILURES`` failures (default 5) within ``EIPHUB_LOGIN_LOCKOUT_S`` seconds
(default 900) further attempts for that username (or, after four times as many, from
that address) are refused, even with the
right password, until the window has passed.  A successful login clears the username's
counter.  Production should use a shared cache (the default local-memory cache is per
process).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _max() -> int:
    return int(getattr(settings, "EIPHUB_LOGIN_MAX_FAILURES", 5))


def _window() -> int:
    return int(getattr(settings, "EIPHUB_LOGIN_LOCKOUT_S", 900))


def _keys(username: str, address: str) -> list[str]:
    def h(x):
        return hashlib.sha256(x.encode()).hexdigest()[:32]

    return [f"eiphub:login:user:{h((username or '').lower())}", f"eiphub:login:ip:{h(address)}"]


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "?"


def locked(username: str, address: str) -> bool:
    """Locked: the username reached the limit, or the address four times the limit."""
    user_key, ip_key = _keys(username, address)
    return (cache.get(user_key) or 0) >= _max() or (cache.get(ip_key) or 0) >= 4 * _max()


def record_failure(username: str, address: str) -> None:
    for k in _keys(username, address):
        if cache.add(k, 1, _window()):
            continue
        try:
            cache.incr(k)
        except ValueError:
            cache.set(k, 1, _window())


def record_success(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])
