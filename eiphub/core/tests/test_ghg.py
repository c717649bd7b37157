"""GHG inventory of hand-built enterprises; every expected figure is worked out by hand in the
comments from the catalogue LHVs, IPCC 2006 factors, AR5 GWPs (CH4 28, N2O 265) and the
Vietnam grid factors."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiphub.core.catalogue import load_catalogue
from eiphub.core.ghg import ActivityRecord, avoided_emissions, compute_inventory, intensities

R = ActivityRecord


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


def e1_records(year=2022):
    return [
        R("E1", "energy.fuel.diesel", "in", 100, "tấn", year, record_id="r1"),
        R("E1", "energy.electricity.grid", "in", 500, "MWh", year, record_id="r2"),
        R("E1", "energy.electricity.solar", "in", 100, "MWh", year, record_id="r3"),
    ]


def test_brief_example_diesel_grid_and_solar():
    row = compute_inventory(e1_records()).get("E1", 2022)
    # 100 t x 43.0 GJ/t = 4,300 GJ = 4.3 TJ
    assert row.fuel_energy_gj == approx(4300)
    # CO2: 4.3 TJ x 74,100 kg/TJ = 318,630 kg = 318.63 t
    assert row.by_gas_t["CO2"] == approx(318.63)
    # CH4: 4.3 x 3 kg/TJ = 12.9 kg x 28 = 361.2 kg CO2e; N2O: 4.3 x 0.6 = 2.58 kg x 265 = 683.7 kg
    assert row.by_gas_t["CH4"] == approx(0.3612)
    assert row.by_gas_t["N2O"] == approx(0.6837)
    assert row.scope1_t == approx(318.63 + 0.3612 + 0.6837)  # 319.6749
    assert row.combustion_by_fuel_t == {"energy.fuel.diesel": approx(319.6749)}
    # scope 2: (500 - 100 self-consumed solar) MWh x 0.6766 = 270.64 t
    assert row.solar_self_consumed_mwh == approx(100)
    assert row.grid_electricity_mwh == approx(400)
    assert row.scope2_t == approx(270.64)
    assert row.grid_factor_year == 2022
    assert row.total_t == approx(319.6749 + 270.64)
    assert row.complete and row.biogenic_co2_t == 0


def test_exported_solar_is_not_subtracted_twice():
    recs = [
        R("E1", "energy.electricity.grid", "in", 500_000, "kWh", 2022),
        R("E1", "energy.electricity.solar", "generated", 150, "MWh", 2022),
        R("E1", "energy.electricity.solar", "out", 50, "MWh", 2022),
    ]
    row = compute_inventory(recs).get("E1", 2022)
    # self-consumed = 150 generated - 50 exported = 100 MWh; grid = 500 - 100 = 400 MWh
    # (subtracting the export again would give 350 MWh)
    assert row.solar_self_consumed_mwh == approx(100)
    assert row.solar_exported_mwh == approx(50)
    assert row.scope2_t == approx(400 * 0.6766)


def test_grid_import_basis_does_not_subtract_solar():
    recs = [
        R("E1", "energy.electricity.grid", "in", 400, "MWh", 2022),
        R("E1", "energy.electricity.solar", "in", 100, "MWh", 2022),
    ]
    row = compute_inventory(recs, electricity_basis="grid_import").get("E1", 2022)
    # meter reading 400 MWh already excludes solar: 400 x 0.6766 = 270.64
    assert row.scope2_t == approx(270.64)


def fuel_mix_records(entity="E2", year=2021):
    return [
        R(entity, "energy.fuel.coal.anthracite", "in", 1000, "t", year),
        R(entity, "energy.fuel.diesel", "in", 20_000, "lít", year),
        R(entity, "energy.fuel.biomass.rice_husk", "in", 500, "t", year),
        R(entity, "energy.fuel.natural_gas", "in", 100_000, "m3", year),
        R(entity, "energy.electricity", "in", 1_000_000, "kWh", year),
        R(entity, "emission.co2", "out", 50, "t", year),
        R(entity, "emission.ch4", "out", 2, "t", year),
        R(entity, "emission.so2", "out", 10, "t", year),  # not a GHG
        R(entity, "energy.fuel.diesel", "out", 5, "t", year),  # sold, not burnt
        R(entity, "water.fresh", "in", 9999, "m3", year),  # not an emission source
    ]


def test_fuel_mix_manufacturing_2021():
    row = compute_inventory(fuel_mix_records()).get("E2", 2021)
    # anthracite: 1000 t x 26.7 = 26.7 TJ; CO2 26.7 x 98,300 = 2,624,610 kg;
    #   CH4 26.7 x 10 = 267 kg x 28 = 7,476 kg; N2O 26.7 x 1.5 = 40.05 kg x 265 = 10,613.25 kg
    anthracite = 2624.61 + 7.476 + 10.61325
    # diesel: 20,000 L = 20 m3 x 840 kg/m3 = 16.8 t x 43 = 722.4 GJ = 0.7224 TJ;
    #   CO2 0.7224 x 74,100 = 53,529.84 kg; CH4 2.1672 kg x 28 = 60.6816 kg;
    #   N2O 0.43344 kg x 265 = 114.8616 kg
    diesel = 53.52984 + 0.0606816 + 0.1148616
    # rice husk: 500 t x 11.6 = 5.8 TJ; biogenic CO2 5.8 x 100,000 = 580 t (apart);
    #   CH4 5.8 x 30 = 174 kg x 28 = 4,872 kg; N2O 5.8 x 4 = 23.2 kg x 265 = 6,148 kg
    husk = 4.872 + 6.148
    # natural gas: 100,000 m3 x 0.75 kg/m3 = 75 t x 48 = 3.6 TJ; CO2 3.6 x 56,100 = 201,960 kg;
    #   CH4 3.6 kg x 28 = 100.8 kg; N2O 0.36 kg x 265 = 95.4 kg
    gas = 201.96 + 0.1008 + 0.0954
    assert row.combustion_by_fuel_t == {
        "energy.fuel.coal.anthracite": approx(anthracite),
        "energy.fuel.diesel": approx(diesel),
        "energy.fuel.biomass.rice_husk": approx(husk),
        "energy.fuel.natural_gas": approx(gas),
    }
    assert row.biogenic_co2_t == approx(580)
    assert row.fuel_energy_gj == approx(26700 + 722.4 + 5800 + 3600)
    # process: 50 t CO2 + 2 t CH4 x 28 = 106 t CO2e; SO2 ignored
    assert row.process_t == approx(106)
    assert row.by_gas_t["CO2"] == approx(2624.61 + 53.52984 + 201.96 + 50)
    assert row.by_gas_t["CH4"] == approx(7.476 + 0.0606816 + 4.872 + 0.1008 + 56)
    assert row.scope1_t == approx(anthracite + diesel + husk + gas + 106)
    # scope 2: 1,000,000 kWh = 1,000 MWh x 0.7221 = 722.1 t
    assert row.scope2_t == approx(722.1)
    assert row.complete


def test_energy_industry_sector_uses_table_2_2():
    recs = [R("PP", "energy.fuel.coal.anthracite", "in", 1000, "t", 2021)]
    row = compute_inventory(recs, sectors={"PP": "energy"}).get("PP", 2021)
    # CH4 for energy industries is 1 kg/TJ: 26.7 kg x 28 = 747.6 kg
    assert row.by_gas_t["CH4"] == approx(0.7476)


def test_fuel_in_energy_units_skips_lhv():
    recs = [R("E", "energy.fuel.diesel", "in", 1, "TJ", 2022)]
    row = compute_inventory(recs).get("E", 2022)
    assert row.by_gas_t["CO2"] == approx(74.1)


def test_missing_2024_grid_factor_is_a_gap_not_zero():
    inv = compute_inventory(e1_records(2024))
    row = inv.get("E1", 2024)
    assert not row.complete
    [gap] = row.gaps
    assert gap.code == "missing_grid_factor"
    assert gap.year == 2024 and gap.entity_id == "E1"
    assert gap.records == ["r2", "r3"]
    assert inv.gaps == [gap]
    assert row.grid_factor is None
    # the fuel part is still computed
    assert row.scope1_t == approx(319.6749)


def test_latest_available_grid_factor_is_opt_in_and_named():
    row = compute_inventory(e1_records(2024), latest_grid=True).get("E1", 2024)
    assert row.complete
    assert row.grid_factor_year == 2023
    assert row.scope2_t == approx(400 * 0.6592)
    assert any("used 2023" in n for n in row.notes)


def test_gaps_for_bad_records(tmp_path):
    recs = [
        R("E", "energy.fuel.unobtainium", "in", 1, "t", 2022, record_id="a"),
        R("E", "energy.fuel.diesel", "in", 1, "m2", 2022, record_id="b"),
        R("E", "energy.fuel.diesel", "sideways", 1, "t", 2022, record_id="c"),
        R("E", "energy.fuel.diesel", "in", 1, "t", 2022, kind="electricity", record_id="d"),
        R("E", "energy.electricity.grid", "in", 1, "t", 2022, record_id="e"),
        R("E", "energy.fuel.diesel", "in", 1, "t", 2022, record_id="ok"),
    ]
    row = compute_inventory(recs).get("E", 2022)
    assert [(g.code, g.records) for g in row.gaps] == [
        ("unknown_resource", ["a"]),
        ("unit_error", ["b"]),
        ("bad_direction", ["c"]),
        ("kind_mismatch", ["d"]),
        ("unit_error", ["e"]),
    ]
    assert row.by_gas_t["CO2"] == approx(43.0 / 1000 * 74.1)  # only the good record


def test_missing_lhv_is_a_gap(tmp_path):
    p = tmp_path / "cat.yaml"
    p.write_text(
        "version: '1'\nsource: t\nresources:\n"
        "  - {code: energy, vi: NL, en: Energy}\n"
        "  - {code: energy.fuel, vi: NL, en: Fuels}\n"
        "  - {code: energy.fuel.peat, vi: Than bùn, en: Peat, unit: t}\n",
        encoding="utf-8",
    )
    cat = load_catalogue(p)
    inv = compute_inventory([R("E", "energy.fuel.peat", "in", 1, "t", 2022)], catalogue=cat)
    assert [g.code for g in inv.gaps] == ["missing_lhv"]


def test_missing_fuel_factor_is_a_gap(tmp_path):
    p = tmp_path / "cat.yaml"
    p.write_text(
        "version: '1'\nsource: t\nresources:\n"
        "  - {code: energy, vi: NL, en: Energy}\n"
        "  - {code: energy.fuel, vi: NL, en: Fuels}\n"
        "  - {code: energy.fuel.peat, vi: Than bùn, en: Peat, unit: t, lhv_gj_per_t: 9.76}\n",
        encoding="utf-8",
    )
    inv = compute_inventory(
        [R("E", "energy.fuel.peat", "in", 1, "t", 2022)], catalogue=load_catalogue(p)
    )
    [gap] = inv.gaps
    assert gap.code == "missing_fuel_factor" and gap.resource_code == "energy.fuel.peat"
    assert inv.get("E", 2022).scope1_t == 0 and not inv.get("E", 2022).complete


def test_solar_exceeding_use_is_flagged():
    recs = [
        R("E", "energy.electricity.grid", "in", 50, "MWh", 2022),
        R("E", "energy.electricity.solar", "in", 80, "MWh", 2022),
    ]
    row = compute_inventory(recs).get("E", 2022)
    assert [g.code for g in row.gaps] == ["solar_exceeds_consumption"]
    assert row.scope2_t == 0


def test_aggregation_park_province_nation():
    recs = e1_records() + fuel_mix_records("E2", 2022) + [
        R("E3", "energy.electricity.grid", "in", 100, "MWh", 2022),
        R("E4", "energy.electricity.grid", "in", 200, "MWh", 2022),
    ]  # fmt: skip
    inv = compute_inventory(recs)
    parks = {"E1": "KhanhPhu", "E2": "KhanhPhu", "E3": "TraNoc", "E4": "DEEPC"}
    provinces = {"KhanhPhu": "Ninh Binh", "TraNoc": "Can Tho"}  # DEEPC province unknown
    e1, e2 = inv.get("E1", 2022), inv.get("E2", 2022)
    park = inv.aggregate("park", parks, provinces)
    kp = park[("KhanhPhu", 2022)]
    assert kp.scope1_t == approx(e1.scope1_t + e2.scope1_t)
    assert kp.scope2_t == approx(e1.scope2_t + e2.scope2_t)
    assert kp.biogenic_co2_t == approx(580)
    assert sorted(kp.entities) == ["E1", "E2"]
    assert park[("TraNoc", 2022)].scope2_t == approx(67.66)  # 100 MWh x 0.6766
    prov = inv.aggregate("province", parks, provinces)
    assert set(prov) == {("Ninh Binh", 2022), ("Can Tho", 2022), (None, 2022)}
    assert prov[(None, 2022)].scope2_t == approx(200 * 0.6766)
    nation = inv.aggregate("nation")
    total = sum(r.total_t for r in inv.rows.values())
    assert nation[("VN", 2022)].total_t == approx(total)


def test_intensities_and_missing_denominators():
    row = compute_inventory(e1_records()).get("E1", 2022)
    out = intensities(row, revenue_bn_vnd=50, product_t=0)
    # (319.6749 + 270.64) t / 50 billion VND
    assert out["revenue"].value == approx((319.6749 + 270.64) / 50)
    assert out["value_added"].value is None and "not reported" in out["value_added"].reason
    assert out["product"].value is None and "not positive" in out["product"].reason
    s2 = intensities(row, product_t=1000, basis="scope2")["product"]
    assert s2.value == approx(0.27064) and s2.unit == "tCO2e/t product"


def test_avoided_emissions_are_apart():
    recs = e1_records()
    before = compute_inventory(recs).get("E1", 2022).total_t
    av = avoided_emissions(
        [
            ("energy.electricity.grid", 100, "MWh"),
            ("energy.fuel.diesel", 10, "t"),
            ("water.fresh", 1000, "m3"),
        ],
        2022,
    )
    # 100 MWh x 0.6766 = 67.66 t; diesel 10 t x 43 = 0.43 TJ: CO2 31.863 t,
    # CH4 1.29 kg x 28 = 36.12 kg, N2O 0.258 kg x 265 = 68.37 kg
    assert av.by_resource_t["energy.electricity.grid"] == approx(67.66)
    assert av.by_resource_t["energy.fuel.diesel"] == approx(31.863 + 0.03612 + 0.06837)
    assert av.co2e_t == approx(67.66 + 31.863 + 0.03612 + 0.06837)
    assert av.not_counted == ["water.fresh"]
    assert compute_inventory(recs).get("E1", 2022).total_t == before
    gap = avoided_emissions([("energy.electricity.grid", 1, "MWh")], 2030)
    assert gap.co2e_t == 0 and [g.code for g in gap.gaps] == ["missing_grid_factor"]


@settings(max_examples=60, deadline=None)
@given(
    use=st.floats(min_value=0, max_value=1e6),
    generated=st.floats(min_value=0, max_value=1e5),
    export_share=st.floats(min_value=0, max_value=1),
)
def test_scope2_rule_property(use, generated, export_share):
    exported = generated * export_share
    recs = [
        R("E", "energy.electricity.grid", "in", use, "MWh", 2023),
        R("E", "energy.electricity.solar", "generated", generated, "MWh", 2023),
        R("E", "energy.electricity.solar", "out", exported, "MWh", 2023),
    ]
    row = compute_inventory(recs).get("E", 2023)
    self_used = generated - exported
    if use >= self_used:
        assert row.complete
        assert row.scope2_t == pytest.approx((use - self_used) * 0.6592, rel=1e-9, abs=1e-6)
    else:
        assert [g.code for g in row.gaps] == ["solar_exceeds_consumption"]
        assert row.scope2_t == 0
