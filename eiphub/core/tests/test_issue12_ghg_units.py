"""Issue 12, cases 3, 5 and 9 (units side): hand-worked figures.

Steam energies use IAPWS-IF97 values checked against the published steam tables:
h''(1.0 MPa) = 2777.12 kJ/kg, h'(25 °C) = 104.84 kJ/kg -> 2672.28 kJ/kg = 2.67228 GJ/t."""

import pytest

from eiphub.core.ghg import ActivityRecord, GapError, ThermalSupply, compute_inventory
from eiphub.core.units import (
    UnitError,
    convert,
    dimension_of,
    steam_energy_gj,
    steam_enthalpy_kj_per_kg,
)

# coal (other bituminous), energy industries: CO2 94,600, CH4 1, N2O 1.5 kg/TJ; AR5 GWPs
COAL_ENERGY_T_PER_TJ = (94600 + 1 * 28 + 1.5 * 265) / 1000.0  # 95.0255 tCO2e/TJ


def test_gap_error_is_public():
    from eiphub.core import ghg

    assert issubclass(GapError, Exception) and not hasattr(ghg, "_GapError")


# -- case 9: units as industry uses them ----------------------------------------------------


def test_mmbtu_gcal_and_gas_reference_conditions():
    assert convert(1000, "MMBtu", "GJ") == pytest.approx(1055.056)  # 1 Btu(IT) = 1055.056 J
    assert convert(1, "mmbtu", "MMBtu") == pytest.approx(1.0)
    assert convert(1, "Gcal", "GJ") == pytest.approx(4.1868)  # International Table calorie
    assert convert(1, "kcal", "kJ") == pytest.approx(4.1868)
    # 1 Nm3 (0 °C) = 288.15/273.15 Sm3 (15 °C) at 101.325 kPa; plain m3 of gas = Sm3
    assert convert(1000, "Nm3", "Sm3") == pytest.approx(1054.9149, rel=1e-7)
    assert convert(1000, "Sm3", "m3") == pytest.approx(1000.0)
    # mass of 1000 Nm3 natural gas with the catalogue density 0.75 kg/Sm3
    assert convert(1000, "Nm3", "kg", density_kg_per_m3=0.75) == pytest.approx(791.186, rel=1e-6)


def test_dimension_of_for_the_resolver():
    assert dimension_of("MMBtu") == "energy"
    assert dimension_of("Gcal") == "energy"
    assert dimension_of("Nm3") == "volume"
    assert dimension_of("tấn") == "mass"
    assert dimension_of("kW") == "power"
    with pytest.raises(UnitError):
        dimension_of("bogus-unit")


def test_steam_enthalpy_from_the_steam_tables():
    assert steam_enthalpy_kj_per_kg(10) == pytest.approx(2777.12, abs=0.01)  # saturated
    assert steam_enthalpy_kj_per_kg(10, 250) == pytest.approx(2943.22, abs=0.05)  # superheated
    assert steam_energy_gj(1, 10) == pytest.approx(2.67228, abs=1e-4)
    with pytest.raises(UnitError) as e:
        steam_enthalpy_kj_per_kg(10, 150)  # below saturation (179.9 °C): water, not steam
    assert e.value.code == "steam_state"


def test_gas_billed_in_mmbtu_has_scope1():
    # 1000 MMBtu = 1055.056 GJ natural gas; 56,100 + 1x28 + 0.1x265 kg/TJ (manufacturing)
    inv = compute_inventory(
        [ActivityRecord("e", "energy.fuel.natural_gas", "in", 1000, "MMBtu", 2023)]
    )
    row = inv.get("e", 2023)
    assert row.complete
    assert row.scope1_t == pytest.approx(1.055056 * (56100 + 28 + 26.5) / 1000, rel=1e-9)


# -- case 5: purchased steam and heat --------------------------------------------------------


def test_purchased_steam_and_heat_have_scope2_with_defaults():
    # 5,000 t saturated steam (10 bar(a), feedwater 25 °C) + 3,000 GJ heat
    steam_gj = 5000 * (2777.1195 - 104.8384) / 1000  # 13,361.41 GJ
    fuel_tj = (steam_gj + 3000) / 0.80 / 1000  # coal boiler 80 %: 20.4518 TJ
    inv = compute_inventory(
        [
            ActivityRecord("e", "energy.steam", "in", 5000, "t", 2023),
            ActivityRecord("e", "energy.heat", "in", 3000, "GJ", 2023),
        ]
    )
    row = inv.get("e", 2023)
    assert row.thermal_purchased_gj == pytest.approx(steam_gj + 3000, rel=1e-5)
    assert row.scope2_t == pytest.approx(fuel_tj * COAL_ENERGY_T_PER_TJ, rel=1e-5)  # 1,943.4 t
    assert row.scope2_t == pytest.approx(1943.4, abs=0.1)
    assert row.complete and row.notes  # the default's source is named


def test_steam_with_metered_conditions_and_supplier_fuel():
    # 100 t at 20 bar(a), 300 °C: h = 3024.25 kJ/kg; gas boiler 90 %
    rec = ActivityRecord("e", "energy.steam", "in", 100, "t", 2023, pressure_bar=20,
                         temperature_c=300)  # fmt: skip
    sup = {("e", "energy.steam"): ThermalSupply("energy.fuel.natural_gas", 0.9, "supplier")}
    row = compute_inventory([rec], thermal_supply=sup).get("e", 2023)
    gj = 100 * (steam_enthalpy_kj_per_kg(20, 300) - 104.8384) / 1000
    assert steam_enthalpy_kj_per_kg(20, 300) == pytest.approx(3024.25, abs=0.1)
    assert row.scope2_t == pytest.approx(gj / 0.9 / 1000 * (56100 + 28 + 26.5) / 1000, rel=1e-5)


def test_purchased_cooling_uses_cop_and_the_grid_factor():
    # 3,600 GJ chilled water / COP 4 = 900 GJ = 250 MWh electricity x 0.6592 (2023)
    row = compute_inventory([ActivityRecord("e", "energy.cooling", "in", 3600, "GJ", 2023)]).get(
        "e", 2023
    )
    assert row.scope2_t == pytest.approx(250 * 0.6592)


def test_steam_in_tonnes_needs_a_mass_or_energy_unit():
    row = compute_inventory([ActivityRecord("e", "energy.heat", "in", 10, "t", 2023)]).get(
        "e", 2023
    )
    assert not row.complete and row.gaps[0].code == "unit_error"


# -- case 3: a missing month is a gap --------------------------------------------------------


def test_ten_of_twelve_months_is_incomplete():
    recs = []
    for m in range(1, 11):  # coal and electricity for January to October only
        recs.append(ActivityRecord("e", "energy.fuel.coal", "in", 10, "t", 2023, m))
        recs.append(ActivityRecord("e", "energy.electricity.grid", "in", 100, "MWh", 2023, m))
    row = compute_inventory(recs, expected_months={("e", 2023): 12}).get("e", 2023)
    assert row.months_label == "10/12"
    assert not row.complete and row.gaps[0].code == "missing_months"
    # the figures are what was reported: 100 t coal x 25.8 GJ/t, 1,000 MWh x 0.6592
    assert row.scope2_t == pytest.approx(1000 * 0.6592)
    full = compute_inventory(
        recs + [ActivityRecord("e", "energy.fuel.coal", "in", 10, "t", 2023, m) for m in (11, 12)],
        expected_months={("e", 2023): 12},
    ).get("e", 2023)
    assert full.complete and full.months_label == "12/12"


def test_tenant_entering_in_july_is_expected_six_months():
    recs = [ActivityRecord("e", "energy.fuel.coal", "in", 1, "t", 2023, m) for m in range(7, 13)]
    row = compute_inventory(recs, expected_months={("e", 2023): 6}).get("e", 2023)
    assert row.complete and row.months_label == "6/6"


def test_expected_but_silent_entity_is_zero_of_twelve():
    inv = compute_inventory([], expected_months={("e", 2023): 12})
    row = inv.get("e", 2023)
    assert row.months_label == "0/12" and not row.complete


def test_steam_entered_in_energy_units_round_trips_through_the_inventory():
    from eiphub.core.catalogue import default_catalogue

    cat = default_catalogue()
    # 2,672.28 GJ of steam at the default conditions (10 bar(a) saturated, 25 °C feedwater)
    t = cat.to_canonical("energy.steam", 2672.2811, "GJ")
    assert t == pytest.approx(1000.0, rel=1e-6)
    assert cat.to_canonical("energy.steam", 1, "Gcal") == pytest.approx(4.1868 / 2.6722811)
    assert cat.to_canonical("energy.steam", 1, "MMBtu") == pytest.approx(1.055056 / 2.6722811)
    row = compute_inventory([ActivityRecord("e", "energy.steam", "in", t, "t", 2023)]).get(
        "e", 2023
    )
    assert row.thermal_purchased_gj == pytest.approx(2672.2811, rel=1e-6)
