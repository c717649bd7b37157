"""Decoupling flags, growth rates and productivity."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eiphub.core.decoupling import FLAGS, classify, decoupling, park_decoupling


@pytest.mark.parametrize(
    "g_y, g_r, flag",
    [
        (0.10, -0.05, "absolute"),  # output up, use down
        (0.10, 0.0, "absolute"),  # output up, use stable (OECD: stable or decreasing)
        (0.10, 0.004, "absolute"),  # within the +/-0.5 % stability band
        (0.10, 0.05, "relative"),  # both up, use slower
        (0.10, 0.10, "none"),  # coupled
        (0.10, 0.20, "none"),  # use grows faster
        (-0.05, 0.03, "negative"),  # output falls while use grows
        (0.0, 0.03, "negative"),  # output stagnates while use grows
        (-0.05, -0.10, "no_growth"),  # both fall
        (0.0, 0.0, "no_growth"),
    ],
)
def test_classify(g_y, g_r, flag):
    assert classify(g_y, g_r) == flag


SERIES = {
    # output: billion VND; energy: TJ; water: thousand m3; emissions: kt CO2e
    2020: {"output": 1000, "energy": 100, "water": 50, "emissions": 20},
    2021: {"output": 1100, "energy": 95, "water": 52, "emissions": 22},
    2022: {"output": 1210, "energy": 100, "water": 60, "emissions": 25},
    2023: {"output": 1210, "energy": 102, "water": 60, "emissions": None},
}


def test_year_to_year_flags_and_growth():
    d = decoupling(SERIES)
    assert d.years == [2020, 2021, 2022, 2023]
    # energy: 2021 output +10 %, energy -5 % -> absolute
    # 2022 output +10 %, energy +5.26 % (95 -> 100) -> relative
    # 2023 output 0 %, energy +2 % -> negative, and recoupling after a decoupled period
    assert d.flags("energy") == {2021: "absolute", 2022: "relative", 2023: "negative"}
    p21, p22, p23 = d.periods["energy"]
    assert p21.output_growth == pytest.approx(0.10)
    assert p21.pressure_growth == pytest.approx(-0.05)
    assert p22.pressure_growth == pytest.approx(100 / 95 - 1)
    assert p21.productivity_start == pytest.approx(10.0)  # 1000 / 100 billion VND per TJ
    assert p21.productivity_end == pytest.approx(1100 / 95)
    assert p21.productivity_growth == pytest.approx((1.10 / 0.95) - 1)
    assert p21.elasticity == pytest.approx(-0.05 / 0.10)
    assert [p.recoupling for p in (p21, p22, p23)] == [False, False, True]
    # water: +4 % vs +10 % relative; +15.4 % vs +10 % none (recoupling); flat -> no_growth
    assert d.flags("water") == {2021: "relative", 2022: "none", 2023: "no_growth"}
    assert [p.recoupling for p in d.periods["water"]] == [False, True, False]
    # emissions missing in 2023 -> insufficient, never a guess
    assert d.flags("emissions")[2023] == "insufficient"
    assert d.periods["emissions"][2].output_growth is None


def test_overall_uses_compound_annual_growth():
    d = decoupling(SERIES)
    overall = d.overall["energy"]
    assert (overall.start, overall.end) == (2020, 2023)
    # output 1000 -> 1210 over 3 years: 1.21^(1/3) - 1; energy 100 -> 102: 1.02^(1/3) - 1
    assert overall.output_growth == pytest.approx(1.21 ** (1 / 3) - 1)
    assert overall.pressure_growth == pytest.approx(1.02 ** (1 / 3) - 1)
    assert overall.flag == "relative"
    assert d.overall["emissions"].flag == "insufficient"


def test_zero_or_missing_values_are_insufficient():
    d = decoupling({2020: {"output": 0, "energy": 5}, 2021: {"output": 10, "energy": 5}})
    assert d.flags("energy") == {2021: "insufficient"}
    assert d.periods["energy"][0].productivity_start is None
    assert d.periods["energy"][0].productivity_end == 2.0
    single = decoupling({2020: {"output": 1, "energy": 1}})
    assert single.periods["energy"] == [] and single.overall == {}


def test_unsorted_years_and_explicit_pressures():
    series = {2022: {"output": 120, "energy": 90}, 2021: {"output": 100, "energy": 100}}
    d = decoupling(series, pressures=("energy",))
    assert d.flags("energy") == {2022: "absolute"}


def test_park_decoupling():
    out = park_decoupling({"KP": SERIES, "TN": {2020: {"output": 5, "water": 5},
                                               2021: {"output": 4, "water": 6}}})  # fmt: skip
    assert out["KP"].flags("energy")[2021] == "absolute"
    assert out["TN"].flags("water") == {2021: "negative"}


positive = st.floats(min_value=0.01, max_value=1e6)


@given(y0=positive, y1=positive, r0=positive, r1=positive)
def test_flags_are_exhaustive_and_consistent(y0, y1, r0, r1):
    d = decoupling({2020: {"output": y0, "use": r0}, 2021: {"output": y1, "use": r1}})
    p = d.periods["use"][0]
    assert p.flag in FLAGS and p.flag != "insufficient"
    # productivity identity: (1 + g_p) = (1 + g_y) / (1 + g_r)
    assert 1 + p.productivity_growth == pytest.approx(
        (1 + p.output_growth) / (1 + p.pressure_growth)
    )
    if p.flag in ("absolute", "relative"):
        # decoupling always means productivity improved
        assert p.productivity_growth > 0
    if p.flag == "absolute":
        assert r1 <= r0 * 1.005 + 1e-9
