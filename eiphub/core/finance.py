"""Investment appraisal for RECP measures and symbiosis projects (no numpy-financial).

Conventions: cash flows are per period (year), ``cashflows[0]`` at t = 0 (usually the
negative investment); rates are decimals (0.1 = 10 %/yr) and must be greater than -1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


class FinanceError(ValueError):
    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


def _check_rate(rate: float) -> None:
    if rate is None or not math.isfinite(rate) or rate <= -1:
        raise FinanceError("bad_rate", f"rate must be a number greater than -1, got {rate!r}")


def simple_payback(investment: float, annual_savings: float) -> float | None:
    """Years to recover ``investment`` from constant ``annual_savings``.

    Zero investment pays back at once (0.0); zero or negative savings never pay back (None).
    """
    if investment < 0:
        raise FinanceError("negative_investment", "investment must not be negative")
    if annual_savings is None or annual_savings <= 0:
        return None
    return investment / annual_savings


def npv(rate: float, cashflows: Sequence[float]) -> float:
    """Net present value of ``cashflows`` (first one at t = 0)."""
    _check_rate(rate)
    return sum(cf / (1.0 + rate) ** t for t, cf in enumerate(cashflows))


def _sign_changes(values: Sequence[float]) -> int:
    signs = [v > 0 for v in values if v != 0]
    return sum(1 for a, b in zip(signs, signs[1:], strict=False) if a != b)


def irr_all(cashflows: Sequence[float], lo: float = -0.99, hi: float = 10.0) -> list[float]:
    """All internal rates of return in [lo, hi], found by scanning for sign changes of the
    NPV on a fine log-spaced grid and refining each by bisection (tolerance 1e-12)."""
    if _sign_changes(cashflows) == 0:
        return []
    grid = sorted(
        {lo, hi, 0.0}
        | {lo + (hi - lo) * i / 400 for i in range(401)}
        | {-1 + 10 ** (k / 50) for k in range(-150, 0)}  # dense close to -1
        | {10 ** (k / 40) - 1 for k in range(0, 41)}
    )
    grid = [g for g in grid if lo <= g <= hi]
    roots: list[float] = []
    prev_r, prev_v = grid[0], npv(grid[0], cashflows)
    for r in grid[1:]:
        v = npv(r, cashflows)
        if prev_v == 0:
            roots.append(prev_r)
        elif prev_v * v < 0:
            a, b, fa = prev_r, r, prev_v
            for _ in range(200):
                m = (a + b) / 2
                fm = npv(m, cashflows)
                if fm == 0 or (b - a) < 1e-12:
                    break
                if fa * fm < 0:
                    b = m
                else:
                    a, fa = m, fm
            roots.append((a + b) / 2)
        prev_r, prev_v = r, v
    if prev_v == 0:
        roots.append(prev_r)
    return sorted(set(round(x, 12) for x in roots))


def irr(cashflows: Sequence[float]) -> float | None:
    """Internal rate of return, or None when the flows never change sign or no rate in
    (-99 %, 1000 %] zeroes the NPV.  With several roots (non-conventional flows) the one
    closest to zero is returned; :func:`irr_all` gives them all."""
    roots = irr_all(cashflows)
    if not roots:
        return None
    return min(roots, key=abs)


def capital_recovery_factor(rate: float, years: int) -> float:
    """CRF = i(1+i)^n / ((1+i)^n - 1); 1/n when i = 0."""
    _check_rate(rate)
    if years is None or years <= 0:
        raise FinanceError("bad_lifetime", f"lifetime must be positive, got {years!r}")
    growth_minus_1 = math.expm1(years * math.log1p(rate))  # (1+i)^n - 1, exact for tiny i
    if growth_minus_1 == 0:
        return 1.0 / years
    return rate * (growth_minus_1 + 1.0) / growth_minus_1


def annualised_capital_cost(investment: float, rate: float, years: int) -> float:
    """Equivalent annual cost of ``investment`` over ``years`` at ``rate``."""
    return investment * capital_recovery_factor(rate, years)


def discounted_payback(rate: float, cashflows: Sequence[float]) -> float | None:
    """Years until the cumulative discounted cash flow turns non-negative (linear within the
    year), or None when it never does."""
    _check_rate(rate)
    cum = 0.0
    for t, cf in enumerate(cashflows):
        d = cf / (1.0 + rate) ** t
        if cum < 0 <= cum + d:
            return t - 1 + (-cum / d)
        cum += d
        if t == 0 and cum >= 0:
            return 0.0
    return None
