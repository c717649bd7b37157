"""Query parameters of pages, parsed once (issue 18): a bad value is the default, never a
server error.  ``?year=abc``, ``-5``, ``99999999`` or a 40-digit id all fall back."""

from __future__ import annotations

MAX_ID = 2**62
MIN_PAGE_YEAR, MAX_PAGE_YEAR = 1900, 2100


def int_param(value, default=None, lo: int = -MAX_ID, hi: int = MAX_ID):
    """``value`` as an int within [lo, hi], else ``default``."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return n if lo <= n <= hi else default


def id_param(value, default=None):
    """A primary key (1 .. 2**62) or ``default``."""
    return int_param(value, default, 1, MAX_ID)


def year_param(value, default=None):
    """A year a page can show (1900 .. 2100) or ``default``."""
    return int_param(value, default, MIN_PAGE_YEAR, MAX_PAGE_YEAR)
