"""Quantitative green-park pack and intl framework computations on a hand-built
park whose figures are worked out by hand in each docstring."""

from __future__ import annotations

import pytest

from eiphub.indicators.data import FacilityTotal, FlowTotal
from eiphub.indicators.engine import evaluate_pack
from eiphub.indicators.packs import get_pack

from .builders import eip_park

Q = get_pack("quantitative_green_park")
INTL = get_pack("intl_eip_framework_v2")


def flows_park(year=2023):
    """E1: 100 MWh electricity (incl. 20 MWh own rooftop solar), 10 t diesel,
    9,000 m3 fresh water + 3,000 m3 reclaimed water, value added 10 billion VND;
    solid waste 40 t recycled, 10 t landfilled, 10 t with no fate recorded.
    E2: no value added (left out of intensities).  Park solar facility 50 MWh."""
    park = eip_park(year)
    park.enterprise("E1").value_added_vnd = 10e9
    park.flows = [
        FlowTotal("E1", "energy.electricity.grid", "in", 100_000.0, "kWh", year),
        FlowTotal("E1", "energy.electricity.solar", "in", 20_000.0, "kWh", year),
        FlowTotal("E1", "energy.fuel.diesel", "in", 10.0, "t", year),
        FlowTotal("E1", "water.fresh", "in", 9_000.0, "m3", year),
        FlowTotal("E1", "water.reclaimed", "in", 3_000.0, "m3", year),
        FlowTotal("E1", "waste.plastic", "out", 40.0, "t", year, fate="recycled"),
        FlowTotal("E1", "waste.general", "out", 10.0, "t", year, fate="landfill"),
        FlowTotal("E1", "waste.paper", "out", 10.0, "t", year),
        FlowTotal("E2", "water.fresh", "in", 5_000.0, "m3", year),
    ]
    park.facilities = [FacilityTotal("PV1", "solar", year, generation_kwh=50_000.0)]
    return park


def test_energy_and_water_productivity():
    card = evaluate_pack(Q, flows_park())
    # energy: 100 MWh = 360 GJ (solar in-flow already inside it) + 10 t x 43 GJ/t = 790 GJ
    # productivity = 10,000 million VND / 790 GJ
    assert card.result("Q.1").value == pytest.approx(10_000 / 790, rel=1e-6)
    assert card.result("Q.1").status == "meets"
    # water: 10,000 million VND / 9,000 m3 fresh (reclaimed water is not fresh intake)
    assert card.result("Q.2").value == pytest.approx(10_000 / 9_000, rel=1e-6)
    assert card.result("Q.2").status == "not_met"
    assert card.result("Q.2").evidence.missing_data[:1] == ["E2"]


def test_water_reuse_solid_waste_and_renewables():
    card = evaluate_pack(Q, flows_park())
    # reuse rate over all enterprises: 3,000 / (3,000 + 9,000 + 5,000)
    assert card.result("Q.3").value == pytest.approx(100 * 3_000 / 17_000, abs=1e-5)
    # solid waste: 40 of 60 t utilised; 10 t unknown fate -> between 66.7% and 83.3%
    q5 = card.result("Q.5")
    assert q5.value == pytest.approx(66.666667, abs=1e-5) and q5.status == "not_met"
    # renewables: solar 20 MWh (72 GJ) + park PV 50 MWh (180 GJ) over 790 + 180 GJ
    assert card.result("Q.6").value == pytest.approx(100 * 252 / 970, abs=1e-5)


def test_ghg_intensity_from_the_core_inventory():
    """Scope 2: (100 - 20) MWh x 0.6592 (2023) = 52.736 t; diesel 430 GJ at the
    core factor file's values; the engine divides by 10 billion VND."""
    from eiphub.core.ghg import ActivityRecord, compute_inventory

    inv = compute_inventory(
        [
            ActivityRecord("E1", "energy.electricity.grid", "in", 100_000.0, "kWh", 2023),
            ActivityRecord("E1", "energy.electricity.solar", "in", 20_000.0, "kWh", 2023),
            ActivityRecord("E1", "energy.fuel.diesel", "in", 10.0, "t", 2023),
        ]
    )
    expected_total = inv.get("E1", 2023).total_t
    assert inv.get("E1", 2023).scope2_t == pytest.approx(80 * 0.6592)
    r = evaluate_pack(Q, flows_park()).result("Q.7")
    assert r.value == pytest.approx(expected_total / 10, rel=1e-6)
    assert r.status == "reported"
    park = flows_park()
    park.ghg_tco2e = 500.0
    assert evaluate_pack(Q, park).result("Q.7").value == 50.0


def test_intl_framework_green_area_and_wastewater():
    card = evaluate_pack(INTL, flows_park())
    assert (card.result("IF.ENV.5").value, card.result("IF.ENV.5").status) == (10.0, "meets")
    assert card.result("IF.ENV.3").status == "insufficient_data"  # no wastewater flows
    assert any("to be verified" in w for w in card.warnings)
