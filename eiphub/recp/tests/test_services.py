"""Services through the database: GHG inventory, programme roll-up, claimed vs observed,
decoupling and peer percentiles on hand-built data with hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest

from eiphub.accounts.models import Role
from eiphub.recp import services
from eiphub.recp.models import Measure
from eiphub.registry.models import Park
from eiphub.testing import make_enterprise, make_world

from .factories import flow, ghg_world, months, programme

# IPCC 2006 default factors (kg/TJ, manufacturing), AR5 GWP, LHV of the catalogue (GJ/t).
GWP_CH4, GWP_N2O = 28, 265
DIESEL_TJ = 10 * 43.0 / 1000
COAL_TJ = 20 * 25.8 / 1000
HUSK_TJ = 10 * 11.6 / 1000
DIESEL = DIESEL_TJ * (74100 + 3 * GWP_CH4 + 0.6 * GWP_N2O) / 1000
COAL = COAL_TJ * (94600 + 10 * GWP_CH4 + 1.5 * GWP_N2O) / 1000
HUSK_NON_CO2 = HUSK_TJ * (30 * GWP_CH4 + 4 * GWP_N2O) / 1000
GRID = {2022: 0.6766, 2023: 0.6592}


@pytest.fixture
def world(db):
    w = make_world(with_flows=False)
    w.solar = ghg_world(w)
    return w


def test_enterprise_inventory_fuel_mix_grid_year_and_solar(world):
    inv = services.inventory_for(Park.objects.filter(pk=world.k1.pk), [2022, 2023])
    e1 = inv.inventory.get(str(world.e1.pk), 2022)
    assert e1.combustion_by_fuel_t["energy.fuel.diesel"] == pytest.approx(31.96749)
    assert e1.combustion_by_fuel_t["energy.fuel.coal"] == pytest.approx(COAL)
    assert e1.scope1_t == pytest.approx(DIESEL + COAL)
    assert e1.by_gas_t["CO2"] == pytest.approx(DIESEL_TJ * 74.1 + COAL_TJ * 94.6)
    # 100 MWh used, 20 MWh of it own rooftop solar: 80 MWh from the grid at the 2022 factor
    assert e1.solar_self_consumed_mwh == pytest.approx(20)
    assert e1.grid_electricity_mwh == pytest.approx(80)
    assert e1.scope2_t == pytest.approx(80 * GRID[2022])
    assert e1.grid_factor_year == 2022
    e1_2023 = inv.inventory.get(str(world.e1.pk), 2023)
    assert e1_2023.scope2_t == pytest.approx(50 * GRID[2023])
    assert e1_2023.scope1_t == 0
    # biomass: CO2 biogenic and apart, CH4/N2O in scope 1; process CH4 x GWP
    e2 = inv.inventory.get(str(world.e2.pk), 2022)
    assert e2.biogenic_co2_t == pytest.approx(HUSK_TJ * 100)
    assert e2.process_t == pytest.approx(28.0)
    assert e2.scope1_t == pytest.approx(HUSK_NON_CO2 + 28.0)
    # product output and intensities
    assert inv.product_t[(str(world.e1.pk), 2022)] == pytest.approx(500)


def test_park_inventory_adds_facilities_and_reports_shared_solar(world):
    inv = services.inventory_for(Park.objects.filter(pk=world.k1.pk), [2022])
    park = inv.rows("park")[("K1", 2022)]
    assert park.scope1_t == pytest.approx(DIESEL + COAL + HUSK_NON_CO2 + 28.0)
    assert park.scope2_t == pytest.approx((80 + 10) * GRID[2022])  # e1 net of solar + WWTP
    assert park.solar_generated_mwh == pytest.approx(30)  # the shared roof
    assert inv.solar_supplied_mwh[("K1", 2022)] == pytest.approx(30)
    # the fixture reports each year's figures in one or two months: fewer than 12 expected per
    # enterprise is a gap (issue 12), nothing else is
    assert {g.code for g in park.gaps} == {"missing_months"}
    assert inv.inventory.get(str(world.e1.pk), 2022).months_label == "2/12"  # two months
    national = inv.rows("nation")[("VN", 2022)]
    assert national.total_t == pytest.approx(park.total_t)
    # grouped by park directly: same figures, one entity per park
    grouped = services.inventory_for(Park.objects.all(), [2022], group_by_park=True)
    assert grouped.inventory.get("K1", 2022).total_t == pytest.approx(park.total_t)


def test_missing_grid_factor_is_a_gap_or_named_year(world):
    parks = Park.objects.filter(pk=world.k1.pk)
    strict = services.inventory_for(parks, [2024], strict=True)
    row = strict.inventory.get(str(world.e1.pk), 2024)
    assert not row.complete and row.scope2_t == 0
    assert [g.code for g in row.gaps] == ["missing_grid_factor", "missing_months"]
    latest = services.inventory_for(parks, [2024]).inventory.get(str(world.e1.pk), 2024)
    assert [g.code for g in latest.gaps] == ["missing_months"]  # one month of 12 reported
    assert latest.grid_factor_year == 2023
    assert latest.scope2_t == pytest.approx(10 * GRID[2023])


def test_rollup_of_hand_built_programme(world):
    programme(world)
    ministry = services.rollup_for(world.users[Role.MINISTRY], years=[2023]).rollup
    assert ministry.enterprises_in_scope == 4
    assert ministry.measures_identified == 4  # e4's measure is a 2022 one
    assert ministry.measures_implemented == 3
    assert ministry.enterprises_implementing == 3
    assert ministry.investment_vnd == pytest.approx(1.5e9)
    board = services.rollup_for(world.users[Role.BOARD], years=[2023])
    r = board.rollup
    assert r.enterprises_in_scope == 3  # K1 and K2 of province P1
    assert (r.enterprises_engaged, r.enterprises_implementing) == (2, 2)
    assert r.measures_by_status == {"implemented": 1, "identified": 1, "verified": 1}
    assert r.investment_vnd == pytest.approx(1.2e9)
    assert r.savings_vnd_per_year == pytest.approx(5e8)
    assert r.electricity_saved_mwh == pytest.approx(50)
    assert r.water_saved_m3 == pytest.approx(1000)
    # computed for the LED measure (50 MWh x 2023 grid factor) + the assessor's 5 t
    assert r.co2e_t_per_year == pytest.approx(50 * GRID[2023] + 5.0)
    assert (r.symbioses_operating, r.symbiosis_benefits_vnd_per_year) == (1, 3e8)
    assert r.recp_share == pytest.approx(2 / 3)
    k1 = next(p for p in board.parks if p["code"] == "K1")
    assert (k1["implemented"], k1["implementing"], k1["enterprises"]) == (2, 2, 2)
    from eiphub.core.rollup import rollup_sentence

    assert rollup_sentence(r, "en").startswith(
        "In 2023, 2 enterprises carried out 2 RECP solutions, saving 0.5 billion VND a year, "
        "mobilising 1.2 billion VND"
    )
    only_k2 = services.rollup_for(world.users[Role.BOARD], parks=["K2"]).rollup
    assert (only_k2.measures_implemented, only_k2.co2e_t_per_year) == (1, 1.0)
    # the consultant (park K2) never sees K1's measures
    consultant = services.rollup_for(world.users[Role.CONSULTANT]).rollup
    assert consultant.enterprises_in_scope == 1 and consultant.measures_identified == 1


def _monthly(ent, code, start, n, value, unit, direction="in"):
    for y, m in months(start, n):
        flow(ent, code, y, m, value, unit, direction)


def _led(world, claimed_kwh):
    return Measure.objects.create(
        enterprise=world.e2,
        title="VSD on pumps",
        practice="equipment",
        status="implemented",
        implemented_on=dt.date(2023, 3, 1),
        savings={"energy.electricity.grid": claimed_kwh},
    )


def test_claimed_vs_observed_without_production(world):
    _monthly(world.e2, "energy.electricity.grid", (2022, 3), 12, 10_000, "kWh")
    flow(world.e2, "energy.electricity.grid", 2023, 3, 99_999, "kWh")  # transition month
    _monthly(world.e2, "energy.electricity.grid", (2023, 4), 12, 8_000, "kWh")
    ok = services.claimed_vs_observed_for(_led(world, 24_000))[0]
    assert (ok.status, ok.observed, ok.ratio, ok.normalised) == ("consistent", 24_000, 1.0, False)
    over = services.claimed_vs_observed_for(_led(world, 60_000))[0]
    assert over.status == "overclaimed" and over.ratio == pytest.approx(0.4)
    assert len(over.baseline_months) == 12 and len(over.reporting_months) == 12


def test_claimed_vs_observed_normalised_by_production(world):
    _monthly(world.e2, "energy.electricity.grid", (2022, 3), 12, 10_000, "kWh")
    _monthly(world.e2, "energy.electricity.grid", (2023, 4), 12, 8_000, "kWh")
    _monthly(world.e2, "material.product", (2022, 3), 12, 100, "t", "out")
    _monthly(world.e2, "material.product", (2023, 4), 12, 80, "t", "out")
    check = services.claimed_vs_observed_for(_led(world, 24_000))[0]
    # the fall in use is all lower output: 100 kWh/t before and after -> nothing saved
    assert check.normalised and check.observed == pytest.approx(0)
    assert check.status == "overclaimed"


def test_claimed_vs_observed_not_enough_data(world):
    _monthly(world.e2, "energy.electricity.grid", (2022, 3), 5, 10_000, "kWh")
    check = services.claimed_vs_observed_for(_led(world, 24_000))[0]
    assert check.status == "insufficient_data" and check.observed is None


def test_decoupling_series_and_flags(world):
    park = world.k2
    for year, product, kwh in ((2021, 1000, 100_000), (2022, 1200, 105_000), (2023, 1500, 90_000)):
        for m in range(1, 13):
            flow(world.e4, "material.product", year, m, product / 12, "t", "out")
            flow(world.e4, "energy.electricity.grid", year, m, kwh / 12, "kWh")
    series, dec = services.decoupling_for(park)
    assert sorted(series) == [2021, 2022, 2023]
    assert series[2022]["energy_gj"] == pytest.approx(105_000 * 0.0036)
    assert dec.flags("energy_gj") == {2022: "relative", 2023: "absolute"}
    assert dec.flags("emissions_t")[2023] == "absolute"
    assert services.index_series(series, "output") == [100.0, 120.0, 150.0]


def test_decoupling_annualises_partial_years(world):
    for m in range(1, 13):
        flow(world.e4, "material.product", 2022, m, 10, "t", "out")
    for m in range(1, 7):  # half a year reported at the same monthly rate
        flow(world.e4, "material.product", 2023, m, 10, "t", "out")
    series, _dec = services.decoupling_for(world.k2)
    assert series[2023]["output"] == pytest.approx(series[2022]["output"]) == pytest.approx(120)


def test_peer_percentiles_are_anonymous_and_need_three_peers(world):
    # e1 (VSIC 2310) and four peers of division 23 in K1, energy per tonne of product
    peers = [
        make_enterprise(world.k1, 2000 + i, f"Peer {i}", vsic=vsic)
        for i, vsic in enumerate(("2392", "2394", "2310", "2399"))
    ]
    for ent, gj_per_t in zip(peers, (1.0, 2.0, 3.0, 5.0), strict=True):
        flow(ent, "material.product", 2022, 1, 100, "t", "out")
        flow(ent, "energy.heat.process", 2022, 1, 100 * gj_per_t, "GJ")
        flow(ent, "water.fresh", 2022, 1, 300, "m3")
    # e1 already has 500 t product; its energy: diesel + coal + 100 MWh electricity
    e1_gj = 430 + 516 + 100 * 3.6
    stats = {s.metric: s for s in services.peer_percentiles(world.e1, 2022)}
    energy = stats["energy"]
    assert energy.unit == "GJ/t" and energy.value == pytest.approx(e1_gj / 500)  # 2.612
    assert energy.peers == 4 and energy.median == pytest.approx(2.5)
    assert energy.percentile == pytest.approx(50.0)  # 2 of 4 peers are less intensive
    assert stats["water"].message == "no_own_data"
    lonely = {s.metric: s for s in services.peer_percentiles(world.e2, 2022)}
    assert lonely["energy"].message in ("too_few_peers", "no_own_data")
    assert lonely["energy"].percentile is None and lonely["energy"].median is None


def test_recp_share_and_completeness_by_park(world):
    programme(world)
    shares = services.recp_share_by_park(Park.objects.all())
    assert shares[world.k1.pk] == {"enterprises": 2, "implementing": 2, "share": 1.0}
    assert shares[world.k3.pk]["share"] == 1.0
    done = services.completeness_by_park(Park.objects.all(), 2022, today=dt.date(2025, 1, 1))
    # e1 reported Jan and Feb 2022, e2 Jan: 3 of 24 enterprise-months in K1
    assert done[world.k1.pk] == pytest.approx(3 / 24)
    assert done[world.k2.pk] == 0
