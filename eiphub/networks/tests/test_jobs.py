"""Scenarios and water/heat studies are solved by background jobs: the page queues a
job (run inline here, eager mode) and lands on the result; the job keeps the link."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange.models import Listing
from eiphub.jobs.models import Job
from eiphub.networks import studies as ST
from eiphub.networks.models import HeatStudy, Scenario, WaterStudy
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world(with_flows=False)
    for ent, kind in ((w.e2, "offer"), (w.e1, "want")):
        Listing.objects.create(
            enterprise=ent,
            kind=kind,
            resource_code="waste.plastic",
            quantity=120 if kind == "offer" else 90,
            unit="t",
            status="published",
        )
    return w


def _board(w):
    c = Client()
    c.force_login(w.users[Role.BOARD])
    return c


def test_scenario_job(world):
    resp = _board(world).post(
        "/networks/scenarios/new/",
        {
            "name": "Plan J",
            "scope": f"park:{world.k1.code}",
            "objective": "benefit",
            "carbon_price": "0",
            "fixed_cost": "20000000",
            "max_distance_km": "150",
            "pareto_points": "2",
        },
    )
    s = Scenario.objects.get(name="Plan J")
    job = Job.objects.get(kind="networks.scenario")
    assert resp["Location"] == f"/networks/scenarios/{s.pk}/"
    assert job.status == "succeeded" and job.result["scenario"] == s.pk
    assert (job.owner, job.park, job.params["pareto_points"]) == (
        world.users[Role.BOARD],
        world.k1,
        2,
    )
    assert s.created_by == world.users[Role.BOARD] and s.solver_status == "optimal"


def test_water_and_heat_study_jobs(world):
    c = _board(world)
    csv = ST.example_path("water").read_bytes()
    resp = c.post(
        f"/networks/parks/{world.k1.code}/water/",
        {
            "name": "WJ",
            "file": SimpleUploadedFile("w.csv", csv, "text/csv"),
            "inter_plant": "on",
            "freshwater_ppm": "0",
        },
    )
    study = WaterStudy.objects.get(name="WJ")
    assert resp["Location"] == f"/networks/parks/{world.k1.code}/water/?study={study.pk}"
    assert study.result["freshwater_t_per_h"] == pytest.approx(90.0, rel=1e-6)
    job = Job.objects.get(kind="networks.water_study")
    assert job.status == "succeeded" and len(job.params["processes"]) == 4
    resp = c.post(
        f"/networks/parks/{world.k1.code}/heat/",
        {
            "name": "HJ",
            "dt_min": "10",
            "hours_per_year": "8000",
            "displaced": "grid",
            "efficiency": "1",
        },
    )
    heat = HeatStudy.objects.get(name="HJ")
    assert resp["Location"] == f"/networks/parks/{world.k1.code}/heat/?study={heat.pk}"
    assert Job.objects.get(kind="networks.heat_study").result["study"] == heat.pk
