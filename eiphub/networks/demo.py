"""Demo network plans: one optimised scenario and one water study per demo park (codes
``DH-*``), a province-wide scenario and an illustrative heat study for the glass park.

``create_demo_scenarios`` is idempotent: earlier demo records (made by no user, with the
demo names or the demo source) are replaced."""

from __future__ import annotations

import time

from django.db import transaction

from eiphub.registry.models import Park

from . import services as S
from . import studies as ST
from .models import HeatStudy, Scenario, WaterStudy

DEMO_PREFIX = "DH-"
SCENARIO_NAME = "Mạng cộng sinh tối ưu (minh họa) / Optimised network (illustrative)"
PROVINCE_NAME = "Mạng cộng sinh toàn tỉnh (minh họa) / Province-wide network (illustrative)"
WATER_NAME = "Mục tiêu nước (minh họa) / Water target (illustrative)"
HEAT_NAME = "Thu hồi nhiệt thải (minh họa) / Waste-heat recovery (illustrative)"
HEAT_PARK = "DH-PK"


@transaction.atomic
def create_demo_scenarios(stdout=None) -> dict:
    """Create the demo network records; returns counts and the seconds it took."""
    t0 = time.perf_counter()
    parks = list(Park.objects.filter(code__startswith=DEMO_PREFIX).select_related("province"))
    Scenario.objects.filter(
        created_by=None, name__in=[SCENARIO_NAME, PROVINCE_NAME], park__in=parks
    ).delete()
    provinces = {p.province for p in parks}
    Scenario.objects.filter(created_by=None, name=PROVINCE_NAME, province__in=provinces).delete()
    WaterStudy.objects.filter(park__in=parks, created_by=None, name=WATER_NAME).delete()
    HeatStudy.objects.filter(park__in=parks, created_by=None, name=HEAT_NAME).delete()
    out = {"scenarios": 0, "water_studies": 0, "heat_studies": 0}
    for park in parks:
        s = S.run_scenario(
            None,
            name=SCENARIO_NAME,
            park=park,
            pareto_points=5,
            with_sensitivity=True,
            check_scope=False,
        )
        out["scenarios"] += 1
        procs = ST.demo_processes(park)
        if procs:
            ST.run_water_study(park, None, procs, name=WATER_NAME, source=WaterStudy.Source.DEMO)
            out["water_studies"] += 1
        if park.code == HEAT_PARK:
            with open(ST.example_path("heat"), "rb") as fh:
                streams = ST.read_heat_upload(fh)
            ST.run_heat_study(
                park, None, streams, name=HEAT_NAME, efficiency=0.85, displaced="energy.fuel.coal"
            )
            out["heat_studies"] += 1
        if stdout is not None:
            stdout.write(
                f"{park.code}: {s.solver_status}, {len(s.chosen_links)} links, "
                f"{s.benefit_vnd_per_year / 1e6:,.0f} million VND/yr, "
                f"{s.co2e_t_per_year:,.0f} tCO2e/yr"
            )
    for prov in provinces:
        S.run_scenario(None, name=PROVINCE_NAME, province=prov, pareto_points=5, check_scope=False)
        out["scenarios"] += 1
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out
