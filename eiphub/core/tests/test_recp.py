"""RECP vocabulary, measure record, avoided CO2e and the claimed-vs-observed check."""

import dataclasses
import datetime as dt

import pytest

from eiphub.core.ghg import ActivityRecord
from eiphub.core.recp import (
    PRACTICES,
    STATUSES,
    Measure,
    RecpError,
    Saving,
    check_all,
    claimed_vs_observed,
    label,
    measure_co2e,
    monthly_series,
)


def months(start, n):
    y, m = start
    out = []
    for _ in range(n):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


BEFORE = months((2021, 7), 12)  # 07/2021 .. 06/2022
AFTER = months((2022, 8), 12)  # 08/2022 .. 07/2023, implementation month 07/2022 left out


def vsd(claim_kwh=120_000, **kw):
    return Measure(
        id="M1",
        enterprise_id="E1",
        title="Biến tần cho quạt lò hơi / VSD on boiler fans",
        practice="equipment_modification",
        status=kw.pop("status", "implemented"),
        implemented_on=kw.pop("implemented_on", dt.date(2022, 7, 15)),
        investment_vnd=300e6,
        savings=(Saving("energy.electricity.grid", claim_kwh, "kWh"),),
        savings_vnd_per_year=200e6,
        **kw,
    )


def flows(before, after, spike=1e9):
    series = {m: before for m in BEFORE} | {m: after for m in AFTER}
    series[(2022, 7)] = spike  # transition month must not count
    return series


def test_vocabularies():
    assert len(PRACTICES) == 8 and len(STATUSES) == 4
    assert label(PRACTICES, "good_housekeeping", "vi") == "Quản lý nội vi tốt"
    assert label(PRACTICES, "onsite_recovery_reuse", "en") == "On-site recovery and reuse"
    assert list(STATUSES) == ["identified", "planned", "implemented", "verified"]


def test_measure_validation():
    with pytest.raises(RecpError) as err:
        Measure("M", "E", "x", practice="magic")
    assert err.value.code == "unknown_practice"
    with pytest.raises(RecpError) as err:
        Measure("M", "E", "x", practice="good_housekeeping", status="done")
    assert err.value.code == "unknown_status"
    with pytest.raises(RecpError) as err:
        Measure("M", "E", "x", practice="good_housekeeping", status="implemented")
    assert err.value.code == "missing_date"


def test_measure_derived_fields():
    m = vsd()
    assert m.resources == ("energy.electricity.grid",)
    assert m.payback_years == pytest.approx(1.5)  # 300 M / 200 M per year
    assert m.reference_year == 2022
    idle = Measure("M2", "E1", "t", "good_housekeeping", identified_on=dt.date(2020, 3, 1))
    assert idle.reference_year == 2020 and idle.payback_years is None


def test_measure_co2e():
    m = Measure(
        "M3", "E1", "Boiler retrofit", "technology_change", status="implemented",
        implemented_on=dt.date(2022, 1, 10),
        savings=(
            Saving("energy.electricity.grid", 200_000, "kWh"),
            Saving("energy.fuel.diesel", 10, "tấn"),
            Saving("water.fresh", 5000, "m3"),
        ),
    )  # fmt: skip
    av = measure_co2e(m)
    # 200 MWh x 0.6766 = 135.32 t; diesel 10 t x 43 GJ/t = 0.43 TJ x 74,100 = 31.863 t CO2
    # + CH4 0.43 x 3 x 28 kg = 36.12 kg + N2O 0.43 x 0.6 x 265 kg = 68.37 kg
    assert av.co2e_t == pytest.approx(135.32 + 31.863 + 0.03612 + 0.06837)
    assert av.not_counted == ["water.fresh"]
    # factors of another year on request: 200 MWh x 0.8041
    assert measure_co2e(m, year=2020).by_resource_t["energy.electricity.grid"] == pytest.approx(
        160.82
    )
    assert [g.code for g in measure_co2e(m, year=2030).gaps] == ["missing_grid_factor"]


def test_consistent_claim():
    # before 100,000 kWh/month, after 90,000: (100,000 - 90,000) x 12 = 120,000 kWh/yr
    c = claimed_vs_observed(vsd(120_000), flows(100_000, 90_000))
    assert (c.status, c.claimed, c.observed, c.ratio) == ("consistent", 120_000, 120_000, 1.0)
    assert c.baseline_months == BEFORE and c.reporting_months == AFTER
    assert not c.normalised
    assert "120.000 kWh/năm" in c.explanation("vi")
    assert "120,000 kWh/yr" in c.explanation("en")


def test_overclaimed_and_underclaimed():
    over = claimed_vs_observed(vsd(200_000), flows(100_000, 90_000))
    assert over.status == "overclaimed" and over.ratio == pytest.approx(0.6)
    assert "khai cao" in over.explanation_vi and "overstated" in over.explanation_en
    under = claimed_vs_observed(vsd(80_000), flows(100_000, 90_000))
    assert under.status == "underclaimed" and under.ratio == pytest.approx(1.5)
    # tolerance is a parameter: 0.6 is within +/-50 %
    assert claimed_vs_observed(vsd(200_000), flows(100_000, 90_000), tolerance=0.5).status == (
        "consistent"
    )


def test_claim_in_other_unit_is_converted():
    in_mwh = dataclasses.replace(vsd(), savings=(Saving("energy.electricity.grid", 120, "MWh"),))
    c = claimed_vs_observed(in_mwh, flows(100_000, 90_000))
    assert c.claimed == pytest.approx(120_000) and c.status == "consistent"


def test_normalised_by_production():
    # output grows 1,000 -> 1,200 t/month; use 100,000 -> 108,000 kWh/month.
    # Raw use rises (observed -96,000 kWh/yr), but specific use falls 100 -> 90 kWh/t:
    # saving = (100 - 90) kWh/t x 1,200 t/month x 12 = 144,000 kWh/yr
    use = flows(100_000, 108_000)
    prod = {m: 1000 for m in BEFORE} | {m: 1200 for m in AFTER}
    raw = claimed_vs_observed(vsd(144_000), use)
    assert raw.status == "overclaimed" and raw.observed == pytest.approx(-96_000)
    c = claimed_vs_observed(vsd(144_000), use, production=prod)
    assert c.normalised and c.status == "consistent"
    assert c.observed == pytest.approx(144_000)
    assert "chuẩn hóa theo sản lượng" in c.explanation_vi


def test_insufficient_data():
    short = {m: 100_000 for m in BEFORE} | {m: 90_000 for m in AFTER[:6]}
    c = claimed_vs_observed(vsd(), short)
    assert c.status == "insufficient_data" and c.ratio is None
    assert "6 reporting months" in c.explanation_en and "cần ít nhất 9" in c.explanation_vi
    # 9 of 12 months (75 %) is enough
    nine = {m: 100_000 for m in BEFORE} | {m: 90_000 for m in AFTER[:9]}
    assert claimed_vs_observed(vsd(), nine).status == "consistent"
    planned = vsd(status="planned", implemented_on=None)
    assert claimed_vs_observed(planned, flows(1, 1)).status == "insufficient_data"
    # months without production are not usable when normalising
    prod = {m: 1000 for m in BEFORE}
    assert claimed_vs_observed(vsd(), flows(100, 90), production=prod).status == (
        "insufficient_data"
    )


def test_multi_resource_measure_and_records():
    m = Measure(
        "M4", "E1", "Condensate return", "onsite_recovery_reuse", status="verified",
        implemented_on=dt.date(2022, 7, 1),
        savings=(Saving("water.fresh", 1200, "m3"), Saving("energy.fuel.coal", 60, "t")),
    )  # fmt: skip
    recs = []
    for y, mo in BEFORE:
        recs.append(ActivityRecord("E1", "water.fresh", "in", 1000, "m3", y, mo))
        recs.append(ActivityRecord("E1", "energy.fuel.coal", "in", 20, "t", y, mo))
        recs.append(ActivityRecord("E9", "water.fresh", "in", 5, "m3", y, mo))  # other firm
    for y, mo in AFTER:
        recs.append(ActivityRecord("E1", "water.fresh", "in", 900_000, "lít", y, mo))  # 900 m3
        recs.append(ActivityRecord("E1", "energy.fuel.coal", "in", 19_000, "kg", y, mo))
    water = monthly_series(recs, "E1", "water.fresh")
    assert water[(2021, 7)] == 1000 and water[(2023, 7)] == pytest.approx(900)
    coal = monthly_series(recs, "E1", "energy.fuel")  # sub-resources are included
    series = {"water.fresh": water, "energy.fuel.coal": coal}
    checks = check_all(m, series)
    # water: (1000 - 900) x 12 = 1,200 m3/yr = claim; coal: (20 - 19) x 12 = 12 t/yr vs 60 claimed
    assert [(c.resource_code, c.status) for c in checks] == [
        ("water.fresh", "consistent"),
        ("energy.fuel.coal", "overclaimed"),
    ]
    assert checks[1].ratio == pytest.approx(0.2)
