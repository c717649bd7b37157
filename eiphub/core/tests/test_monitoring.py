"""Monitoring rules without a database: flags, averages, limits, exceedances, completeness."""

import datetime as dt

import pytest

from eiphub.core import monitoring as M

H = M.HOUR
T0 = 1_735_689_600  # 2025-01-01 00:00 UTC


def test_flags_range_stuck_and_status():
    values = [7.0, 7.1, 14.5, 7.1, 7.1, 7.1, 7.2]
    flags = M.flag_readings(
        values, low=0, high=14, stuck_run=3, status=[0, 0, 0, M.status_flag("01"), 0, 0, 0]
    )
    # 14.5 out of range; the 3rd equal 7.1 in a row (index 5) is stuck; index 3 calibrating
    assert flags == [0, 0, M.FLAG_OUT_OF_RANGE, M.FLAG_CALIBRATION, 0, M.FLAG_STUCK, 0]
    assert M.flag_names(M.FLAG_OUT_OF_RANGE | M.FLAG_STUCK) == ["out_of_range", "stuck"]


def test_stuck_counts_stored_history():
    # two stored 5.0 readings + one new 5.0 = a run of 3
    assert M.flag_readings([5.0, 6.0], stuck_run=3, history=[4.0, 5.0, 5.0]) == [M.FLAG_STUCK, 0]
    assert M.status_flag("02") == M.FLAG_FAULT and M.status_flag("zz") == M.FLAG_FAULT
    assert M.status_flag("00") == 0


def test_hourly_average_excludes_flagged_and_applies_coverage():
    # 12 five-minute slots in hour 0: 9 valid readings of 10, one flagged 999, two missing
    ts = [T0 + i * 300 for i in range(10)]
    vals = [10.0] * 9 + [999.0]
    flags = [0] * 9 + [M.FLAG_OUT_OF_RANGE]
    # hour 1: 8 valid of 12 expected -> 8 < 0.75 * 12 = 9 -> incomplete
    ts += [T0 + H + i * 300 for i in range(8)]
    vals += [20.0, 30.0] * 4
    flags += [0] * 8
    a0, a1 = M.hourly_averages(ts, vals, flags, interval_s=300)
    assert (a0.start, a0.mean, a0.n_valid, a0.n_total, a0.complete) == (T0, 10.0, 9, 10, True)
    assert (a1.mean, a1.n_valid, a1.minimum, a1.maximum, a1.complete) == (25.0, 8, 20, 30, False)


def test_daily_average_of_complete_hours():
    hours = [M.Average(T0 - 7 * H + i * H, 10.0 + i, 12, 12, complete=i != 5) for i in range(24)]
    (day,) = M.daily_averages(hours, min_hours=18)
    # local day 2025-01-01 starts at 17:00 UTC the day before; hour 5 incomplete -> left out
    assert day.start == T0 - 7 * H and day.n_valid == 23 and day.complete
    assert day.mean == pytest.approx((sum(10.0 + i for i in range(24)) - 15.0) / 23)


def test_qcvn40_2011_coefficients():
    pack = M.installed_packs()["qcvn40_2011"]
    # river of 120 m3/s -> Kq 1.0; plant discharging 6,000 m3/day -> Kf 0.9; COD B 150 -> 135
    ctx = {"receiving": "river", "receiving_measure": 120, "discharge_m3_day": 6000}
    assert pack.limit("cod", "B", ctx).high == pytest.approx(135.0)
    # lake of 5 million m3 (Kq 0.6), 400 m3/day (Kf 1.1): COD A 75 * 0.66 = 49.5
    ctx2 = {"receiving": "lake", "receiving_measure": 5, "discharge_m3_day": 400}
    assert pack.limit("cod", "A", ctx2).high == pytest.approx(49.5)
    # pH is a range and takes no coefficient
    ph = pack.limit("ph", "B", ctx)
    assert (ph.low, ph.high) == (5.5, 9)
    assert pack.limit("temperature", "B", ctx).high == 40


def test_regulation_in_force_by_date():
    assert M.pack_for("wastewater", dt.date(2025, 8, 31)).id == "qcvn40_2011"
    assert M.pack_for("wastewater", dt.date(2025, 9, 1)).id == "qcvn40_2025"
    periods = M.limit_periods(
        "wastewater", "cod", {"*": "B"}, {"receiving": "river", "receiving_measure": 600}
    )
    # 2011: 150 * Kq 1.2 (river > 500 m3/s) = 180; 2025: 150, no coefficient
    assert [p.limit.high for p in periods] == [pytest.approx(180.0), 150]
    switch = M.day_start(dt.date(2025, 9, 1))
    assert M.limit_at(periods, switch - 1).pack == "qcvn40_2011"
    assert M.limit_at(periods, switch).pack == "qcvn40_2025"


def _avg(i, mean, complete=True):
    return M.Average(T0 + i * H, mean, 12, 12, complete=complete)


def test_exceedance_runs_duration_and_magnitude():
    periods = [M.LimitPeriod(0, None, M.Limit(high=100.0, pack="p"))]
    avgs = [_avg(0, 80), _avg(1, 120), _avg(2, 150, complete=False), _avg(3, 90)]
    avgs += [_avg(5, 110)]  # hour 4 missing: a separate episode
    e1, e2 = M.detect_exceedances(avgs, periods)
    assert (e1.start, e1.end, e1.duration_s, e1.periods) == (T0 + H, T0 + 3 * H, 2 * H, 2)
    assert (e1.peak, e1.mean, e1.confirmed) == (150, 135, False)
    assert e1.magnitude == pytest.approx(0.5)
    assert (e2.start, e2.duration_s, e2.confirmed) == (T0 + 5 * H, H, True)


def test_ph_below_range_is_a_low_exceedance():
    periods = [M.LimitPeriod(0, None, M.Limit(low=6.0, high=9.0))]
    (e,) = M.detect_exceedances([_avg(0, 7), _avg(1, 5.4), _avg(2, 5.1), _avg(3, 9.0)], periods)
    assert (e.bound, e.limit, e.peak, e.periods) == ("low", 6.0, 5.1, 2)
    assert e.magnitude == pytest.approx(0.15)


def test_exceedance_splits_when_the_limit_changes():
    periods = [
        M.LimitPeriod(0, T0 + 2 * H, M.Limit(high=180.0, pack="old")),
        M.LimitPeriod(T0 + 2 * H, None, M.Limit(high=150.0, pack="new")),
    ]
    got = M.detect_exceedances([_avg(i, 190) for i in range(4)], periods)
    assert [(e.pack, e.periods, e.limit) for e in got] == [("old", 2, 180.0), ("new", 2, 150.0)]


def test_completeness():
    exp = M.expected_readings(300, T0, T0 + M.DAY)
    assert exp == 288
    assert M.completeness(216, 240, exp) == {"received": 240 / 288, "valid": 0.75}


def test_every_pack_validates_and_is_marked_to_verify():
    packs = M.load_all_packs()
    assert {"qcvn40_2011", "qcvn40_2025", "qcvn19_2009", "qcvn19_2024"} <= set(packs)
    assert all(p.verify and p.unverified == len(p.parameters) for p in packs.values())
    assert {p["code"] for p in M.legal_basis()} >= {"decree_08_2022_art97", "lep_2020_art111"}


def test_malformed_pack_is_rejected_with_a_code():
    doc = {"id": "x", "kind": "wastewater", "document": "d", "title": {}, "verify": True,
           "columns": {"A": {}}, "parameters": [{"code": "cod", "verify": True,
                                                 "A": {"min": 9, "max": 6}}]}  # fmt: skip
    with pytest.raises(M.MonitoringError) as err:
        M.validate_pack(doc, "x.yaml")
    assert err.value.code == "bad_limit"
    doc["parameters"][0] = {"code": "cod", "verify": True, "Z": {"max": 1}}
    with pytest.raises(M.MonitoringError) as err:
        M.validate_pack(doc, "x.yaml")
    assert err.value.code == "unknown_column"
