import statistics

from hypothesis import given
from hypothesis import strategies as st

from eiphub.core import plausibility as P


def test_far_from_the_median_month():
    past = [400, 420, 430, 410]  # median 415
    assert P.check_value(1.234, past).code == "far_below"
    assert P.check_value(4151, past).code == "far_above"
    assert P.check_value(4150, past) is None and P.check_value(41.5, past) is None
    assert P.check_value(1, [400, 420]) is None  # too little history


def test_usual_resource_missing_and_negative_balance():
    usual = {("energy.electricity.grid", "in"), ("water.fresh", "in")}
    recent = [usual] * 5 + [{("energy.electricity.grid", "in")}]  # water in 5 of 6 (>= 75 %)
    got = P.usual_missing({("energy.electricity.grid", "in")}, recent)
    assert [(w.code, w.resource_code, w.params) for w in got] == [
        ("usual_missing", "water.fresh", {"months": 5, "of": 6})
    ]
    assert P.usual_missing(set(), recent) == []
    month = {("water.fresh", "in"): 100.0, ("water.wastewater", "out"): 130.0}
    (w,) = P.negative_balance(month)
    assert w.params["balance"] == -30.0
    assert (
        P.negative_balance({("water.fresh", "in"): 100.0, ("water.wastewater", "out"): 90.0}) == []
    )


@given(st.lists(st.floats(0, 1e6), min_size=2, max_size=30), st.data())
def test_median_without_one_value(values, data):
    values = sorted(values)
    drop = data.draw(st.sampled_from(values))
    rest = list(values)
    rest.remove(drop)
    assert P.median_without(values, drop) == statistics.median(rest)


def test_two_thirds_is_not_usual():
    usual = {("energy.electricity.grid", "in"), ("water.fresh", "in")}
    recent = [usual] * 4 + [{("energy.electricity.grid", "in")}] * 2  # 4 of 6 < 75 %
    assert P.usual_missing({("energy.electricity.grid", "in")}, recent) == []
