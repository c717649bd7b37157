"""Programme roll-up of a hand-built programme and the regenerated seed-002 sentence."""

import datetime as dt

import pytest

from eiphub.core.numbers import format_number
from eiphub.core.recp import Measure, Saving
from eiphub.core.rollup import (
    EnterpriseRef,
    Selection,
    SymbiosisRef,
    programme_rollup,
    rollup_sentence,
)

D = dt.date
ENTERPRISES = [
    EnterpriseRef("A", "KhanhPhu", "Ninh Bình"),
    EnterpriseRef("B", "KhanhPhu", "Ninh Bình"),
    EnterpriseRef("C", "GianKhau", "Ninh Bình"),
    EnterpriseRef("D", "HoaKhanh", "Đà Nẵng"),
    EnterpriseRef("F", "TraNoc", "Cần Thơ"),  # no measures: in scope, not engaged
]
MEASURES = [
    Measure("mA1", "A", "VSD", "equipment_modification", "implemented",
            implemented_on=D(2017, 3, 1), investment_vnd=2.0e9, savings_vnd_per_year=1.2e9,
            savings=(Saving("energy.electricity.grid", 500_000, "kWh"),)),
    Measure("mA2", "A", "Fix leaks", "good_housekeeping", "verified",
            implemented_on=D(2018, 6, 1), investment_vnd=0.5e9, savings_vnd_per_year=0.8e9,
            savings=(Saving("water.fresh", 10_000, "m3"),), co2e_t_per_year=12.5),
    Measure("mA3", "A", "Insulation", "equipment_modification", "identified",
            identified_on=D(2018, 1, 1)),
    Measure("mB1", "B", "New kiln", "technology_change", "implemented",
            implemented_on=D(2019, 2, 1), investment_vnd=10e9, savings_vnd_per_year=3e9,
            savings=(Saving("energy.fuel.coal", 200, "t"),), co2e_t_per_year=500),
    Measure("mC1", "C", "Heat recovery", "onsite_recovery_reuse", "planned",
            planned_on=D(2019, 5, 1)),
    Measure("mD1", "D", "Solvent swap", "input_substitution", "implemented",
            implemented_on=D(2016, 9, 1), investment_vnd=1e9, savings_vnd_per_year=0.5e9,
            savings=(Saving("chemical.solvent", 2, "t"),
                     Saving("waste.hazardous.spent_solvent", 1500, "kg"))),
    Measure("mD2", "D", "Later", "good_housekeeping", "implemented",
            implemented_on=D(2021, 1, 1), investment_vnd=9e9, savings_vnd_per_year=9e9),
    Measure("mZ", "Z", "Unknown firm", "good_housekeeping", "implemented",
            implemented_on=D(2017, 1, 1), investment_vnd=1e9),
]  # fmt: skip
SYMBIOSES = [
    SymbiosisRef("S1", "KhanhPhu", "operating", ("A", "B"), 4e9, 300, start_year=2017),
    SymbiosisRef("S2", "TraNoc", "operating", ("F",), 7e9, 100, start_year=2021),
    SymbiosisRef("S3", "GianKhau", "planned", ("C",), 1e9, 50, start_year=2018),
]
PILOT = Selection(years=range(2015, 2020))


def test_rollup_of_hand_built_programme():
    r = programme_rollup(MEASURES, SYMBIOSES, ENTERPRISES, PILOT, latest_grid=True)
    assert (r.enterprises_in_scope, r.enterprises_engaged, r.enterprises_implementing) == (5, 4, 3)
    assert r.recp_share == pytest.approx(3 / 5)
    # identified: mA1 mA2 mA3 mB1 mC1 mD1 (mD2 is 2021, mZ has no known enterprise)
    assert r.measures_identified == 6
    assert r.measures_implemented == 4
    assert r.measures_by_status == {"implemented": 3, "verified": 1, "identified": 1, "planned": 1}
    assert r.measures_by_practice == {
        "equipment_modification": 1, "good_housekeeping": 1, "technology_change": 1,
        "input_substitution": 1,
    }  # fmt: skip
    assert r.investment_vnd == pytest.approx(2.0e9 + 0.5e9 + 10e9 + 1e9)
    assert r.savings_vnd_per_year == pytest.approx(1.2e9 + 0.8e9 + 3e9 + 0.5e9)
    # mA1 has no 2017 grid factor; latest_grid takes the earliest later year, 2020:
    # 500 MWh x 0.8041 = 402.05 t; plus assessor figures 12.5 + 500; mD1 saves no energy
    assert r.co2e_t_per_year == pytest.approx(402.05 + 12.5 + 500)
    assert r.co2e_gaps == []
    # energy: 500 MWh x 3.6 = 1,800 GJ + coal 200 t x 25.8 GJ/t = 5,160 GJ
    assert r.electricity_saved_mwh == pytest.approx(500)
    assert r.energy_saved_gj == pytest.approx(1800 + 5160)
    assert r.water_saved_m3 == pytest.approx(10_000)
    assert r.chemicals_saved_t == pytest.approx(2)
    assert r.waste_reduced_t == pytest.approx(1.5)
    assert r.savings_by_resource["energy.electricity.grid"] == pytest.approx(500_000)  # kWh
    # symbioses: S1 only (S2 starts after 2019, S3 is not operating)
    assert (r.symbioses_operating, r.symbiosis_benefits_vnd_per_year) == (1, 4e9)
    assert r.symbiosis_co2e_t_per_year == 300
    assert r.warnings == ["measure mZ: unknown enterprise Z"]


def test_drill_down_records():
    r = programme_rollup(MEASURES, SYMBIOSES, ENTERPRISES, PILOT, latest_grid=True)
    assert r.records["measures_implemented"] == ["mA1", "mA2", "mB1", "mD1"]
    assert r.records["measures_identified"] == ["mA1", "mA2", "mA3", "mB1", "mC1", "mD1"]
    assert r.records["enterprises_implementing"] == ["A", "B", "D"]
    assert r.records["saving:water.fresh"] == ["mA2"]
    assert r.records["co2e_t_per_year"] == ["mA1", "mA2", "mB1"]
    assert r.records["symbioses_operating"] == ["S1"]


def test_missing_grid_factor_is_a_co2e_gap_by_default():
    r = programme_rollup(MEASURES, SYMBIOSES, ENTERPRISES, PILOT)
    assert r.co2e_gaps == ["mA1"]
    assert r.co2e_t_per_year == pytest.approx(12.5 + 500)


def test_selection_by_province_and_park():
    dn = programme_rollup(MEASURES, SYMBIOSES, ENTERPRISES, Selection(provinces={"Đà Nẵng"}))
    # all years: mD1 and mD2
    assert dn.enterprises_in_scope == 1 and dn.measures_implemented == 2
    assert dn.investment_vnd == pytest.approx(10e9)
    kp = programme_rollup(MEASURES, SYMBIOSES, ENTERPRISES, Selection(parks={"KhanhPhu"}))
    assert kp.records["measures_identified"] == ["mA1", "mA2", "mA3", "mB1"]
    assert kp.symbioses_operating == 1
    tn = programme_rollup(MEASURES, SYMBIOSES, ENTERPRISES, Selection(parks={"TraNoc"}))
    assert tn.measures_identified == 0 and tn.symbioses_operating == 1
    assert tn.recp_share == 0


def test_sentence_en_and_vi():
    r = programme_rollup(MEASURES, SYMBIOSES, ENTERPRISES, PILOT, latest_grid=True)
    assert rollup_sentence(r, "en") == (
        "In 2015–2019, 3 enterprises carried out 4 RECP solutions, saving 5.5 billion VND a "
        "year, mobilising 13.5 billion VND of private investment and cutting 915 t CO2e a "
        "year. 1 industrial symbiosis operates, bringing 4 billion VND a year."
    )
    assert rollup_sentence(r, "vi") == (
        "Giai đoạn 2015–2019, 3 doanh nghiệp đã thực hiện 4 giải pháp tiết kiệm năng lượng và "
        "sản xuất sạch hơn, tiết kiệm 5,5 tỷ đồng/năm và huy động được 13,5 tỷ đồng từ khu vực "
        "tư nhân, cắt giảm được 915 tấn CO2e hằng năm. 1 mô hình cộng sinh công nghiệp đang "
        "vận hành, mang lại 4 tỷ đồng/năm."
    )


def test_seed_002_figures_regenerated():
    # 72 enterprises, 900 implemented measures; 76 bn VND/yr saved, 207 bn VND invested,
    # 32,000 tCO2e/yr avoided, spread evenly over the measures
    ents = [EnterpriseRef(f"E{i}", "P", "Ninh Bình") for i in range(72)]
    measures = [
        Measure(f"M{k}", f"E{k % 72}", "m", "good_housekeeping", "implemented",
                implemented_on=D(2015 + k % 5, 1, 1), investment_vnd=207e9 / 900,
                savings_vnd_per_year=76e9 / 900, co2e_t_per_year=32_000 / 900)
        for k in range(900)
    ]  # fmt: skip
    r = programme_rollup(measures, [], ents, PILOT)
    assert rollup_sentence(r, "vi") == (
        "Giai đoạn 2015–2019, 72 doanh nghiệp đã thực hiện 900 giải pháp tiết kiệm năng lượng "
        "và sản xuất sạch hơn, tiết kiệm 76 tỷ đồng/năm và huy động được 207 tỷ đồng từ khu vực "
        "tư nhân, cắt giảm được 32 nghìn tấn CO2e hằng năm."
    )
    assert "72 enterprises carried out 900 RECP solutions, saving 76 billion VND a year" in (
        rollup_sentence(r, "en")
    )
    assert "cutting 32 kt CO2e a year" in rollup_sentence(r, "en")


def test_empty_selection_sentence():
    r = programme_rollup(MEASURES, SYMBIOSES, ENTERPRISES, Selection(years={2030}))
    assert rollup_sentence(r, "en") == "In 2030, no implemented RECP solution has been recorded."
    assert rollup_sentence(r, "vi").startswith("Năm 2030, chưa có giải pháp")
    none = programme_rollup([], [], [], Selection())
    assert rollup_sentence(none, "en") == "No implemented RECP solution has been recorded."
    assert none.recp_share is None


@pytest.mark.parametrize(
    "value, lang, decimals, expected",
    [
        (1234.5, "vi", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (1234567.0, "vi", 1, "1.234.567"),
        (76.04, "vi", 1, "76"),
        (0.25, "vi", 2, "0,25"),
        (-1500, "en", 0, "-1,500"),
    ],
)
def test_number_formatting(value, lang, decimals, expected):
    assert format_number(value, lang, decimals) == expected
