"""Project appraisal and MACC ordering (issue 15) against hand calculations."""

import math

import pytest

from eiphub.core.finance import (
    FinanceError,
    ProjectCase,
    abatement_cost,
    appraise,
    capital_recovery_factor,
    macc,
    project_cashflows,
)


def test_five_year_project_by_hand():
    # capex 1000, savings 300, opex 50 -> net 250/yr for 5 years at 10 %.
    # annuity factor (1 - 1.1^-5) / 0.1 = 3.790787; NPV = 250 * 3.790787 - 1000 = -52.303
    case = ProjectCase(capex=1000, savings_per_year=300, opex_per_year=50, lifetime=5,
                       rate=0.10, co2e_t_per_year=10)  # fmt: skip
    a = appraise(case)
    assert a.cashflows == (-1000, 250, 250, 250, 250, 250)
    assert a.npv == pytest.approx(-52.3033, abs=1e-3)
    # IRR: 250 * AF(r) = 1000 -> AF = 4 -> r = 7.9308 % (from tables: 7.93 %)
    assert a.irr == pytest.approx(0.079308, abs=1e-5)
    assert a.simple_payback == pytest.approx(4.0)
    assert a.discounted_payback is None  # NPV < 0: never pays back at 10 %
    # CRF(10 %, 5) = 0.1 * 1.61051 / 0.61051 = 0.263797; 52.303 * 0.263797 / 10 = 1.3797
    assert capital_recovery_factor(0.1, 5) == pytest.approx(0.263797, abs=1e-6)
    assert a.abatement_cost == pytest.approx(1.37975, abs=1e-4)
    assert a.annualised_cost == pytest.approx(13.7975, abs=1e-3)
    assert a.co2e_lifetime_t == 50


def test_discounted_payback_by_hand():
    # capex 100, net 60/yr for 3 years at 10 %: discounted 54.545, 49.587, 45.079;
    # cumulative -45.455 after year 1, +4.132 after year 2 -> 1 + 45.455/49.587 = 1.9167 years
    a = appraise(ProjectCase(capex=100, savings_per_year=60, lifetime=3, rate=0.10))
    assert a.discounted_payback == pytest.approx(1 + 45.4545 / 49.5868, abs=1e-4)
    assert a.npv == pytest.approx(49.2111, abs=1e-3)  # 60 * 2.486852 - 100
    assert a.simple_payback == pytest.approx(100 / 60)
    # money-saving project: negative abatement cost
    b = appraise(ProjectCase(capex=100, savings_per_year=60, lifetime=3, rate=0.1,
                             co2e_t_per_year=2))  # fmt: skip
    assert b.abatement_cost == pytest.approx(-49.2111 * capital_recovery_factor(0.1, 3) / 2)
    assert b.abatement_cost < 0


def test_sensitivity_scales_price_and_quantity():
    case = ProjectCase(capex=1000, savings_per_year=300, opex_per_year=50, lifetime=5,
                       rate=0.10, co2e_t_per_year=10)  # fmt: skip
    a = appraise(case)
    rows = {r.change: r for r in a.sensitivity}
    assert rows[0.0].npv_price == pytest.approx(a.npv)
    # price -20 %: net 240 - 50 = 190 -> 190 * 3.790787 - 1000 = -279.750
    assert rows[-0.2].npv_price == pytest.approx(-279.7505, abs=1e-3)
    # quantity scales savings the same way, and the tCO2e: 279.75 * 0.263797 / 8
    assert rows[-0.2].npv_quantity == pytest.approx(rows[-0.2].npv_price)
    assert rows[-0.2].abatement_cost_quantity == pytest.approx(279.7505 * 0.263797 / 8, abs=1e-3)
    # +20 %: net 310 -> 1175.144 - 1000
    assert rows[0.2].npv_price == pytest.approx(175.1440, abs=1e-3)
    assert rows[0.2].irr_price > a.irr > rows[-0.2].irr_price


def test_zero_rate_and_savings_by_year():
    case = ProjectCase(capex=90, savings_per_year=0, lifetime=3, rate=0.0,
                       savings_by_year=(10.0, 40.0, 70.0))  # fmt: skip
    assert project_cashflows(case) == [-90, 10, 40, 70]
    a = appraise(case)
    assert a.npv == pytest.approx(30)
    assert a.discounted_payback == pytest.approx(2 + 40 / 70)


@pytest.mark.parametrize(
    "kw,code",
    [({"capex": -1}, "negative_investment"), ({"lifetime": 0}, "bad_lifetime"),
     ({"rate": -1.5}, "bad_rate"), ({"savings_by_year": (1.0,)}, "bad_savings_years")],
)  # fmt: skip
def test_bad_inputs_carry_a_code(kw, code):
    base = {"capex": 10, "savings_per_year": 5, "lifetime": 3, "rate": 0.1}
    with pytest.raises(FinanceError) as exc:
        appraise(ProjectCase(**(base | kw)))
    assert exc.value.code == code


def test_abatement_cost_needs_abatement():
    assert abatement_cost(-100, 0.1, 5, 0) is None
    assert abatement_cost(-100, 0.1, 5, -3) is None


def test_macc_orders_by_cost_and_stacks_widths():
    bars, left = macc([("a", 50.0, 10), ("b", -20.0, 5), ("c", None, 3), ("d", 50.0, 20),
                       ("e", 10.0, 0), ("f", float("nan"), 2)])  # fmt: skip
    assert [b.key for b in bars] == ["b", "d", "a"]  # cheapest first; tie: larger first
    assert [(b.start, b.end) for b in bars] == [(0, 5), (5, 25), (25, 35)]
    assert left == ["c", "e", "f"]


def test_against_numpy_financial_when_installed():
    npf = pytest.importorskip("numpy_financial")
    flows = [-5000, 800, 1200, 1500, 1500, 1800, 900]
    a = appraise(ProjectCase(capex=5000, savings_per_year=0, lifetime=6, rate=0.08,
                             savings_by_year=tuple(flows[1:])))  # fmt: skip
    assert a.npv == pytest.approx(npf.npv(0.08, flows))
    assert a.irr == pytest.approx(npf.irr(flows), abs=1e-8)
    assert math.isfinite(a.irr)
