"""Plausibility checks of monthly flows against an enterprise's own history (no Django).

Nothing here blocks a value: the checks return warnings (a code and parameters)
that the web layer phrases — a warning to confirm on forms, a column of the
import preview, the board's list of odd figures.

- ``far_from_history``: a month more than ``FACTOR`` times, or less than 1/``FACTOR``
  of, the enterprise's median month for that resource and direction (at least
  ``MIN_MONTHS`` earlier months needed);
- ``usual_missing``: a resource reported in most of the enterprise's recent months
  (``USUAL_SHARE`` of at least ``MIN_MONTHS`` of the last ``WINDOW`` reported months)
  is absent from a month that has other records;
- ``negative_balance``: a month's water outputs exceed its water inputs (water
  leaves a site only after coming in: discharge > withdrawal means a wrong figure
  or a missing input).
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FACTOR = 10.0
MIN_MONTHS = 3
WINDOW = 12
USUAL_SHARE = 0.75
BALANCE_FAMILIES = ("water",)  # resource-code prefixes whose outputs cannot exceed inputs
BALANCE_TOLERANCE = 1.05


@dataclass(frozen=True)
class Warning:
    code: str  # far_above | far_below | usual_missing | negative_balance
    resource_code: str = ""
    direction: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)


def check_value(
    value: float, history: Iterable[float], resource_code: str = "", direction: str = ""
) -> Warning | None:
    """Warn when ``value`` is > FACTOR× or < 1/FACTOR of the median of ``history``."""
    past = [float(h) for h in history if h is not None]
    if len(past) < MIN_MONTHS:
        return None
    return check_median(value, statistics.median(past), len(past), resource_code, direction)


def median_without(sorted_values: list[float], drop: float | None) -> float:
    """The median of ``sorted_values`` with one occurrence of ``drop`` left out."""
    if drop is None:
        return statistics.median(sorted_values)
    i = bisect.bisect_left(sorted_values, drop)
    n = len(sorted_values) - 1

    def at(k):
        return sorted_values[k] if k < i else sorted_values[k + 1]

    return at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2


def check_median(
    value: float, med: float, months: int, resource_code: str = "", direction: str = ""
) -> Warning | None:
    """Warn when ``value`` is > FACTOR× or < 1/FACTOR of ``med`` (of ``months`` months)."""
    if months < MIN_MONTHS or med <= 0:
        return None
    ratio = float(value) / med
    params = {"value": float(value), "median": med, "ratio": ratio, "months": months}
    if ratio > FACTOR:
        return Warning("far_above", resource_code, direction, params)
    if ratio < 1 / FACTOR:
        return Warning("far_below", resource_code, direction, params)
    return None


def usual_missing(
    month_keys: set[tuple[str, str]], recent_months: list[set[tuple[str, str]]]
) -> list[Warning]:
    """Resources (code, direction) usual in ``recent_months`` (earlier months' key sets,
    newest first) but absent from ``month_keys``; nothing when the month is empty."""
    if not month_keys:
        return []
    window = [m for m in recent_months[:WINDOW] if m]
    if len(window) < MIN_MONTHS:
        return []
    counts: dict[tuple[str, str], int] = {}
    for keys in window:
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
    out = []
    for (code, direction), n in sorted(counts.items()):
        if (code, direction) not in month_keys and n >= USUAL_SHARE * len(window):
            out.append(Warning("usual_missing", code, direction, {"months": n, "of": len(window)}))
    return out


def negative_balance(month: Mapping[tuple[str, str], float]) -> list[Warning]:
    """``month`` maps (resource code, direction) to canonical quantities of one month."""
    out = []
    for family in BALANCE_FAMILIES:
        inputs = sum(q for (c, d), q in month.items() if d == "in" and c.startswith(family))
        outputs = sum(q for (c, d), q in month.items() if d == "out" and c.startswith(family))
        if outputs > 0 and outputs > inputs * BALANCE_TOLERANCE:
            out.append(
                Warning(
                    "negative_balance",
                    family,
                    "",
                    {"inputs": inputs, "outputs": outputs, "balance": inputs - outputs},
                )
            )
    return out
