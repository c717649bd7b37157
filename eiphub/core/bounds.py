"""Bounds every write must respect (issue 18): one home for the limits of stored values.

Plain Python (no Django): the API schemas, forms, admin, importer and the write guard
middleware all check against these, and the database CHECK constraints use the same
figures.  Errors are returned as codes with parameters; the web layer phrases them.
"""

from __future__ import annotations

import math
import re

MAX_VND = 10**15  # one quadrillion VND: far above any single investment or revenue
MAX_QUANTITY = 10**12  # per monthly flow or yearly listing, in any unit
MIN_YEAR, MAX_YEAR = 2000, 2100  # reporting periods
MIN_DATE_YEAR = 1900  # founding dates, certificates
MAX_TEXT = 10_000  # characters in any free-text field

# C0 controls except tab, line feed and carriage return; DEL and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_error(value: str) -> str | None:
    """'control_char' or 'too_long' when ``value`` may not be stored, else None."""
    if _CONTROL.search(value):
        return "control_char"
    if len(value) > MAX_TEXT:
        return "too_long"
    return None


def number_error(value, lo: float = -MAX_VND, hi: float = MAX_VND) -> str | None:
    """'not_finite' or 'out_of_range' for a number outside [lo, hi], else None."""
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return "not_a_number"
    if not math.isfinite(x):
        return "not_finite"
    if x < lo or x > hi:
        return "out_of_range"
    return None


def year_error(year: int) -> str | None:
    return None if MIN_YEAR <= int(year) <= MAX_YEAR else "year_out_of_range"
