"""Heat recovery targets against textbook cascades, and matching properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiphub.symbiosis.heat import (
    HeatError,
    HeatStream,
    heat_target,
    match_heat,
    problem_table,
    read_heat_csv,
)

# Smith, R. (2005) Chemical Process Design and Integration, Wiley, ch. 16 (Table 16.1,
# after Linnhoff & Hindmarsh 1983): four streams in MW, dTmin = 10 K ->
# QHmin = 7.5 MW, QCmin = 10 MW, pinch 150 degC hot / 140 degC cold (145 shifted).
SMITH = [
    HeatStream("reactor1_feed", "sink", 20, 180, 32.0),
    HeatStream("reactor1_product", "source", 250, 40, 31.5),
    HeatStream("reactor2_feed", "sink", 140, 230, 27.0),
    HeatStream("reactor2_product", "source", 200, 80, 30.0),
]

# Kemp, I.C. (2007) Pinch Analysis and Process Integration, 2nd ed., Butterworth-Heinemann,
# ch. 2 four-stream example (kW), dTmin = 10 K -> QHmin = 20 kW, QCmin = 60 kW,
# pinch at 90 degC hot / 80 degC cold.
KEMP = [
    HeatStream("cold1", "sink", 20, 135, 230.0),
    HeatStream("hot2", "source", 170, 60, 330.0),
    HeatStream("cold3", "sink", 80, 140, 240.0),
    HeatStream("hot4", "source", 150, 30, 180.0),
]


@pytest.mark.parametrize(
    "streams, qh, qc, hot, cold",
    [(SMITH, 7.5, 10.0, 150.0, 140.0), (KEMP, 20.0, 60.0, 90.0, 80.0)],
)
def test_problem_table_textbook(streams, qh, qc, hot, cold):
    r = problem_table(streams, 10.0)
    assert r["hot_utility_kw"] == pytest.approx(qh)
    assert r["cold_utility_kw"] == pytest.approx(qc)
    assert r["pinch_source_c"] == pytest.approx(hot)
    assert r["pinch_sink_c"] == pytest.approx(cold)
    sinks = sum(s.duty_kw for s in streams if s.kind == "sink")
    assert r["recovered_kw"] == pytest.approx(sinks - qh)


def test_matches_reach_target_and_energy_figures():
    r = heat_target(KEMP, 10.0, hours_per_year=6000, emission_factor_t_per_mwh=0.2, efficiency=0.8)
    assert r["matched_kw"] == pytest.approx(r["recovered_kw"], rel=1e-6)
    assert r["mwh_per_year"] == pytest.approx(450.0 * 6000 / 1000, rel=1e-6)
    assert r["co2e_t_per_year"] == pytest.approx(2700.0 / 0.8 * 0.2, rel=1e-6)
    assert heat_target(KEMP, 10.0)["co2e_t_per_year"] is None  # no factor given


def test_temperature_feasibility_of_a_single_pair():
    # equal CP 10 kW/K, counter-current: source 100 -> 40 degC heats the sink 30 -> 90 degC
    # with exactly dTmin = 10 K at both ends (600 kW); the sink's last 5 K (50 kW) need fuel
    streams = [HeatStream("s", "source", 100, 40, 600.0), HeatStream("k", "sink", 30, 95, 650.0)]
    m = match_heat(streams, 10.0)
    assert m[0]["kw"] == pytest.approx(600.0)
    assert problem_table(streams, 10.0)["hot_utility_kw"] == pytest.approx(50.0)
    assert match_heat(streams, 80.0) == []  # source never 80 K above the sink


def test_forbidden_pairs_and_errors(tmp_path):
    streams = [
        HeatStream("s1", "source", 200, 100, 100.0, plant="A"),
        HeatStream("k1", "sink", 50, 150, 100.0, plant="B"),
    ]
    assert match_heat(streams, 10.0, allowed=lambda s, k: s.plant == k.plant) == []
    with pytest.raises(HeatError) as e:
        problem_table([HeatStream("x", "source", 50, 100, 10.0)])
    assert e.value.code == "bad_temperatures"
    f = tmp_path / "h.csv"
    f.write_text("name,kind,t_supply_c,t_target_c,duty_kw\nA,source,200,100,50\nB,sink,x,90,5\n")
    with pytest.raises(HeatError) as e:
        read_heat_csv(f)
    assert (e.value.code, e.value.params["row"], e.value.params["column"]) == (
        "bad_number",
        3,
        "t_supply_c",
    )


temps = st.floats(20, 400)
stream_st = st.builds(
    lambda kind, a, b, duty: (kind, max(a, b) + 1, min(a, b), duty),
    st.sampled_from(["source", "sink"]),
    temps,
    temps,
    st.floats(1, 1000),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(stream_st, min_size=1, max_size=6), st.floats(0, 40))
def test_matching_equals_problem_table(rows, dt):
    """Transshipment LP with all pairs allowed recovers exactly the cascade target;
    no source gives more than its duty, no sink gets more than its duty."""
    streams = []
    for i, (kind, hi, lo, duty) in enumerate(rows):
        ts, tt = (hi, lo) if kind == "source" else (lo, hi)
        streams.append(HeatStream(f"S{i}", kind, ts, tt, duty))
    table = problem_table(streams, dt)
    matches = match_heat(streams, dt)
    total = sum(m["kw"] for m in matches)
    assert total == pytest.approx(table["recovered_kw"], rel=1e-6, abs=1e-6)
    duty = {s.name: s.duty_kw for s in streams}
    for name in duty:
        given_kw = sum(m["kw"] for m in matches if name in (m["source"], m["sink"]))
        assert given_kw <= duty[name] * (1 + 1e-6) + 1e-6
    assert table["hot_utility_kw"] >= -1e-9 and table["cold_utility_kw"] >= -1e-9
