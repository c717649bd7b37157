"""Hand-built data for the RECP/GHG tests (on top of eiphub.testing.make_world)."""

from __future__ import annotations

import datetime as dt

from eiphub.exchange.models import Agreement
from eiphub.flows.services import save_flow
from eiphub.recp.models import Measure
from eiphub.registry.models import SharedFacility


def flow(owner, code, year, month, qty, unit, direction="in"):
    return save_flow(
        owner=owner,
        resource_code=code,
        direction=direction,
        period=dt.date(year, month, 1),
        quantity=qty,
        unit=unit,
    )


def months(start: tuple[int, int], n: int):
    y, m = start
    for _ in range(n):
        yield y, m
        m += 1
        if m == 13:
            y, m = y + 1, 1


def ghg_world(w):
    """Fuel mix, grid electricity over two years, own rooftop solar, biomass, process CH4,
    a shared solar roof and a WWTP in park K1; see test_services for the hand figures."""
    e1, e2 = w.e1, w.e2
    flow(e1, "energy.fuel.diesel", 2022, 1, 10, "t")
    flow(e1, "energy.fuel.coal", 2022, 2, 20, "t")
    flow(e1, "energy.electricity.grid", 2022, 1, 100, "MWh")
    flow(e1, "energy.electricity.solar", 2022, 1, 20, "MWh")
    flow(e1, "material.product", 2022, 1, 500, "t", "out")
    flow(e1, "energy.electricity.grid", 2023, 1, 50, "MWh")
    flow(e1, "energy.electricity.grid", 2024, 1, 10, "MWh")
    flow(e2, "energy.fuel.biomass.rice_husk", 2022, 1, 10, "t")
    flow(e2, "emission.ch4", 2022, 1, 1, "t", "out")
    flow(w.wwtp, "energy.electricity.grid", 2022, 1, 10, "MWh")
    solar = SharedFacility.objects.create(park=w.k1, kind="solar", name="Roof", capacity=30)
    flow(solar, "energy.electricity.solar", 2022, 6, 30, "MWh", "out")
    e1.revenue_vnd = 10_000_000_000
    e1.save()
    return solar


def programme(w):
    """Measures in three parks and one operating symbiosis (see test_rollup_*)."""
    m = {}
    m["e1_impl"] = Measure.objects.create(
        enterprise=w.e1,
        title="LED lighting",
        practice="equipment",
        status="implemented",
        identified_on=dt.date(2022, 11, 1),
        implemented_on=dt.date(2023, 3, 1),
        investment_vnd=1_000_000_000,
        savings={"energy.electricity.grid": 50_000},
        savings_vnd_per_year=400_000_000,
        assessed_by="CP Centre",
    )
    m["e1_ident"] = Measure.objects.create(
        enterprise=w.e1,
        title="Insulate steam pipes",
        practice="housekeeping",
        status="identified",
        identified_on=dt.date(2023, 1, 10),
        investment_vnd=500_000_000,
        savings={"energy.fuel.coal": 5},
        savings_vnd_per_year=50_000_000,
        assessed_by="CP Centre",
    )
    m["e2_verified"] = Measure.objects.create(
        enterprise=w.e2,
        title="Rinse water recycling",
        practice="onsite_recovery",
        status="verified",
        identified_on=dt.date(2022, 12, 1),
        implemented_on=dt.date(2023, 6, 1),
        investment_vnd=200_000_000,
        savings={"water.fresh": 1000},
        savings_vnd_per_year=100_000_000,
        co2e_t_per_year=5.0,
    )
    m["e4_2022"] = Measure.objects.create(
        enterprise=w.e4,
        title="Boiler tuning",
        practice="process_control",
        status="implemented",
        implemented_on=dt.date(2022, 5, 1),
        investment_vnd=70_000_000,
        savings_vnd_per_year=30_000_000,
        co2e_t_per_year=1.0,
    )
    m["e3_impl"] = Measure.objects.create(
        enterprise=w.e3,
        title="Scrap sorting",
        practice="housekeeping",
        status="implemented",
        implemented_on=dt.date(2023, 9, 1),
        investment_vnd=300_000_000,
        savings_vnd_per_year=90_000_000,
        co2e_t_per_year=2.0,
    )
    Agreement.objects.create(
        supplier=w.e1,
        receiver=w.e2,
        resource_code="waste.glass",
        quantity_per_year=100,
        unit="t",
        status="operating",
        starts_on=dt.date(2022, 1, 1),
        benefit_vnd_per_year=300_000_000,
        co2e_t_per_year=12.0,
    )
    return m
