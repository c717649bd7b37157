"""Investment appraisal for RECP measures and symbiosis projects (no numpy-financial).

Conventions: cash flows are per period (year), ``cashflows[0]`` at t = 0 (usually the
negative investment); rates are decimals (0.1 = 10 %/yr) and must be greater than -1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from eiphub.core.errors import CodedError


class FinanceError(CodedError, ValueError):
    """A bad finance input; ``code`` names why."""


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


# ------------------------------------------------------------------ project appraisal
# A project sheet (issue 15): capital cost at t = 0, then ``lifetime`` years of savings
# minus operating cost.  Savings are ``price x quantity`` (or a lump sum per year); the
# sensitivity table scales the price (savings only) and the quantity (savings and the
# tCO2e avoided).  The abatement cost is the equivalent annual net cost per tonne,
# ``-NPV x CRF(rate, lifetime) / tCO2e per year`` (VND/tCO2e; negative when the project
# saves money), the quantity a marginal abatement cost curve sorts by.

SENSITIVITY_STEPS = (-0.2, -0.1, 0.0, 0.1, 0.2)


@dataclass(frozen=True)
class ProjectCase:
    capex: float  # VND at t = 0
    savings_per_year: float  # VND/yr at base price and quantity (gross, before opex)
    opex_per_year: float = 0.0  # VND/yr
    lifetime: int = 10  # years of operation
    rate: float = 0.1  # discount rate, decimal
    co2e_t_per_year: float = 0.0  # tCO2e avoided per year
    savings_by_year: tuple[float, ...] | None = None  # overrides savings_per_year, per year


@dataclass(frozen=True)
class SensitivityRow:
    change: float  # -0.2 = 20 % lower
    npv_price: float
    npv_quantity: float
    irr_price: float | None
    irr_quantity: float | None
    abatement_cost_quantity: float | None


@dataclass(frozen=True)
class Appraisal:
    cashflows: tuple[float, ...]
    npv: float
    irr: float | None
    simple_payback: float | None
    discounted_payback: float | None
    annualised_cost: float  # equivalent annual net cost, VND/yr (negative = net saving)
    abatement_cost: float | None  # VND/tCO2e, None without tCO2e avoided
    co2e_lifetime_t: float
    sensitivity: tuple[SensitivityRow, ...] = field(default=())


def _check_case(case: ProjectCase) -> None:
    _check_rate(case.rate)
    if case.capex is None or case.capex < 0:
        raise FinanceError("negative_investment", "investment must not be negative")
    if case.lifetime is None or not 1 <= int(case.lifetime) <= 60:
        raise FinanceError("bad_lifetime", f"lifetime must be 1-60 years, got {case.lifetime!r}")
    if case.savings_by_year is not None and len(case.savings_by_year) != case.lifetime:
        raise FinanceError(
            "bad_savings_years",
            "savings by year must have one value per year of the lifetime",
            expected=case.lifetime,
            got=len(case.savings_by_year),
        )


def project_cashflows(
    case: ProjectCase, price_factor: float = 1.0, quantity_factor: float = 1.0
) -> list[float]:
    """``[-capex, s1 - opex, s2 - opex, ...]`` with savings scaled by price x quantity."""
    _check_case(case)
    per_year = case.savings_by_year or (case.savings_per_year,) * case.lifetime
    scale = price_factor * quantity_factor
    return [-float(case.capex)] + [s * scale - case.opex_per_year for s in per_year]


def abatement_cost(npv_value: float, rate: float, lifetime: int, co2e_t_per_year: float):
    """VND per tCO2e avoided: equivalent annual net cost / annual abatement (None when
    nothing is avoided)."""
    if not co2e_t_per_year or co2e_t_per_year <= 0:
        return None
    return -npv_value * capital_recovery_factor(rate, lifetime) / co2e_t_per_year


def appraise(case: ProjectCase, steps: Sequence[float] = SENSITIVITY_STEPS) -> Appraisal:
    """NPV, IRR, simple and discounted payback, abatement cost and the price/quantity
    sensitivity table of one project."""
    flows = project_cashflows(case)
    value = npv(case.rate, flows)
    net = [cf for cf in flows[1:]]
    mean_net = sum(net) / len(net)
    payback = simple_payback(case.capex, mean_net) if mean_net > 0 else None
    rows = []
    for s in steps:
        fp = project_cashflows(case, price_factor=1 + s)
        fq = project_cashflows(case, quantity_factor=1 + s)
        nq = npv(case.rate, fq)
        rows.append(
            SensitivityRow(
                change=s,
                npv_price=npv(case.rate, fp),
                npv_quantity=nq,
                irr_price=irr(fp),
                irr_quantity=irr(fq),
                abatement_cost_quantity=abatement_cost(
                    nq, case.rate, case.lifetime, case.co2e_t_per_year * (1 + s)
                ),
            )
        )
    return Appraisal(
        cashflows=tuple(flows),
        npv=value,
        irr=irr(flows),
        simple_payback=payback,
        discounted_payback=discounted_payback(case.rate, flows),
        annualised_cost=-value * capital_recovery_factor(case.rate, case.lifetime),
        abatement_cost=abatement_cost(value, case.rate, case.lifetime, case.co2e_t_per_year),
        co2e_lifetime_t=case.co2e_t_per_year * case.lifetime,
        sensitivity=tuple(rows),
    )


@dataclass(frozen=True)
class MaccBar:
    key: object
    cost: float  # VND/tCO2e
    abatement: float  # tCO2e/yr (bar width)
    start: float  # cumulative tCO2e/yr before this bar
    end: float


def macc(items: Sequence[tuple[object, float | None, float]]) -> tuple[list[MaccBar], list]:
    """Marginal abatement cost curve from ``(key, cost VND/tCO2e, tCO2e/yr)`` items: bars
    sorted by cost (cheapest first; ties by larger abatement, then input order), each
    starting where the previous ended.  Items without a cost or a positive abatement are
    returned apart (second value, their keys in input order): they cannot be placed."""
    placed, left_out = [], []
    for i, (key, cost, abatement) in enumerate(items):
        if cost is None or not math.isfinite(cost) or not abatement or abatement <= 0:
            left_out.append(key)
        else:
            placed.append((cost, -abatement, i, key, abatement))
    placed.sort()
    bars, x = [], 0.0
    for cost, _neg, _i, key, abatement in placed:
        bars.append(MaccBar(key=key, cost=cost, abatement=abatement, start=x, end=x + abatement))
        x += abatement
    return bars, left_out
