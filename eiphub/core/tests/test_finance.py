"""Payback, NPV, IRR, capital recovery factor and their edge cases."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiphub.core.finance import (
    FinanceError,
    annualised_capital_cost,
    capital_recovery_factor,
    discounted_payback,
    irr,
    irr_all,
    npv,
    simple_payback,
)


def test_simple_payback():
    # 207 billion VND invested, 76 billion VND/yr saved -> 2.7237 years
    assert simple_payback(207e9, 76e9) == pytest.approx(207 / 76)
    assert simple_payback(0, 10) == 0.0
    assert simple_payback(100, 0) is None
    assert simple_payback(100, -5) is None
    with pytest.raises(FinanceError) as err:
        simple_payback(-1, 10)
    assert err.value.code == "negative_investment"


def test_npv_by_hand():
    # -100 + 60/1.1 + 60/1.21 = -100 + 54.5454... + 49.5867... = 4.1322...
    assert npv(0.1, [-100, 60, 60]) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21)
    assert npv(0.0, [-100, 60, 60]) == pytest.approx(20)
    assert npv(0.1, []) == 0
    with pytest.raises(FinanceError):
        npv(-1, [1])


def test_irr_known_values():
    # -100, +110 -> 10 %
    assert irr([-100, 110]) == pytest.approx(0.10, abs=1e-9)
    # -100, 60, 60: solve 60/(1+r) + 60/(1+r)^2 = 100 -> r = 0.130662...
    r = irr([-100, 60, 60])
    assert npv(r, [-100, 60, 60]) == pytest.approx(0, abs=1e-7)
    assert r == pytest.approx(0.1306623863, abs=1e-8)
    # a losing project: -100, 50, 40; with x = 1/(1+r): 40x^2 + 50x - 100 = 0
    # x = (-50 + sqrt(2500 + 16000)) / 80 = 1.0751838...; r = 1/x - 1 = -0.0699265...
    x = (-50 + (2500 + 16000) ** 0.5) / 80
    assert irr([-100, 50, 40]) == pytest.approx(1 / x - 1, abs=1e-9)


def test_irr_edge_cases():
    assert irr([-100, -10]) is None  # never positive
    assert irr([100, 10]) is None
    assert irr([]) is None
    assert irr([0, 0]) is None


def test_irr_multiple_roots():
    # -100, 230, -132 has roots 10 % and 20 %: (1+r)^2*100 - 230(1+r) + 132 = 0
    roots = irr_all([-100, 230, -132])
    assert roots == [pytest.approx(0.1, abs=1e-9), pytest.approx(0.2, abs=1e-9)]
    assert irr([-100, 230, -132]) == pytest.approx(0.1, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(
    invest=st.floats(min_value=1, max_value=1e9),
    flows=st.lists(st.floats(min_value=0.01, max_value=1e9), min_size=1, max_size=15),
)
def test_irr_zeroes_npv_for_conventional_projects(invest, flows):
    cfs = [-invest, *flows]
    r = irr(cfs)
    if r is None:
        # no root in (-99 %, 1000 %]: NPV has the same sign at both ends
        assert npv(-0.99, cfs) * npv(10.0, cfs) > 0
    else:
        scale = invest + sum(flows)
        assert abs(npv(r, cfs)) <= 1e-6 * scale


def test_capital_recovery_factor():
    # i = 10 %, n = 10: 0.1 x 1.1^10 / (1.1^10 - 1) = 0.162745...
    assert capital_recovery_factor(0.1, 10) == pytest.approx(0.16274539488)
    assert capital_recovery_factor(0.0, 4) == 0.25
    assert annualised_capital_cost(1000, 0.1, 10) == pytest.approx(162.74539488)
    with pytest.raises(FinanceError) as err:
        capital_recovery_factor(0.1, 0)
    assert err.value.code == "bad_lifetime"
    with pytest.raises(FinanceError) as err:
        capital_recovery_factor(-1.5, 5)
    assert err.value.code == "bad_rate"


@given(rate=st.floats(min_value=0.0, max_value=0.5), years=st.integers(min_value=1, max_value=40))
def test_annuity_repays_investment(rate, years):
    # the annualised cost over the lifetime has a present value equal to the investment
    a = annualised_capital_cost(1000.0, rate, years)
    assert npv(rate, [0.0] + [a] * years) == pytest.approx(1000.0, rel=1e-9)


def test_discounted_payback():
    # -100, 50, 60 at 0 %: cumulative -100, -50, +10 -> 1 + 50/60
    assert discounted_payback(0.0, [-100, 50, 60]) == pytest.approx(1 + 50 / 60)
    assert discounted_payback(0.1, [-100, 10, 10]) is None
    assert discounted_payback(0.1, [0, 10]) == 0.0
