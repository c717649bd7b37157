"""Network pages, the API create/propose operations and the demo records."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.core.factors import default_factors
from eiphub.exchange.models import Listing, Match
from eiphub.flows.services import save_flow
from eiphub.networks import services as S
from eiphub.networks.demo import SCENARIO_NAME, create_demo_scenarios
from eiphub.networks.models import HeatStudy, Scenario, WaterStudy
from eiphub.registry.models import Park
from eiphub.testing import make_enterprise, make_world


@pytest.fixture
def world(db):
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


def _client(w, role):
    c = Client()
    c.force_login(w.users[role])
    return c


def _chart(body: str, chart_id: str) -> dict:
    m = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', body, re.S)
    assert m, chart_id
    return json.loads(m.group(1))


def test_create_detail_propose_compare(world):
    c = _client(world, Role.BOARD)
    form = c.get(f"/networks/scenarios/new/?park={world.k1.code}").content.decode()
    assert f'value="park:{world.k1.code}"' in form and 'value="province:P1"' in form
    resp = c.post(
        "/networks/scenarios/new/",
        {
            "name": "Plan A",
            "scope": f"park:{world.k1.code}",
            "objective": "benefit",
            "carbon_price": "0",
            "fixed_cost": "20000000",
            "max_distance_km": "150",
            "pareto_points": "3",
            "sensitivity": "on",
        },
    )
    assert resp.status_code == 302
    s = Scenario.objects.get(name="Plan A")
    assert len(s.chosen_links) == 1 and s.solver_status == "optimal"
    body = c.get(resp["Location"]).content.decode()
    graph = _chart(body, "chart-graph")
    assert graph["kind"] == "graph" and len(graph["links"]) == 1
    sankey = _chart(body, "chart-sankey")
    assert sankey["kind"] == "sankey"
    assert sankey["links"][0]["value"] == pytest.approx(
        round(s.chosen_links[0]["gross_vnd_per_year"] / 1e6, 2)
    )
    assert _chart(body, "chart-pareto")["kind"] == "line"
    assert 'id="sensitivity"' in body and "Propose" in body
    link = s.chosen_links[0]["link"]
    resp = c.post(f"/networks/scenarios/{s.pk}/propose/", {"link": link})
    assert resp.status_code == 302
    match = Match.objects.get()
    assert (
        f"/exchange/matches/{match.pk}/" in c.get(f"/networks/scenarios/{s.pk}/").content.decode()
    )
    assert c.post(f"/networks/scenarios/{s.pk}/propose/", {"link": "9->9"}).status_code == 404
    # the enterprise may read but not propose
    e = _client(world, Role.ENTERPRISE)
    assert e.post(f"/networks/scenarios/{s.pk}/propose/", {"link": link}).status_code == 403
    # a bad Pareto count is a form error, not a solve
    bad = c.post(
        "/networks/scenarios/new/",
        {
            "name": "x",
            "scope": f"park:{world.k1.code}",
            "objective": "co2",
            "fixed_cost": "0",
            "max_distance_km": "150",
            "pareto_points": "1",
        },
    )
    assert bad.status_code == 200 and Scenario.objects.count() == 1
    # compare the plan with a CO2-weighted one
    t = S.run_scenario(
        world.users[Role.BOARD],
        name="Plan B",
        park=world.k1,
        objective="weighted",
        carbon_price_vnd_per_t=500_000,
    )
    page = c.get(f"/networks/compare/?id={s.pk}&id={t.pk}").content.decode()
    assert f"#{s.pk} K1" in page and f"#{t.pk} K1" in page and 'id="compare-links"' in page


def test_index_lists_scoped_scenarios(world):
    s = S.run_scenario(world.users[Role.BOARD], name="K1 only", park=world.k1)
    assert "K1 only" in _client(world, Role.DEVELOPER).get("/networks/").content.decode()
    assert "K1 only" not in _client(world, Role.CONSULTANT).get("/networks/").content.decode()
    park = _client(world, Role.DEVELOPER).get(f"/networks/parks/{world.k1.code}/")
    assert park.status_code == 200 and s.name in park.content.decode()


def ent_cannot_follow(world, url) -> bool:
    return _client(world, Role.ENTERPRISE).get(url).status_code == 404


def test_api_create_and_read(world):
    board = _client(world, Role.BOARD)
    resp = board.post(
        "/api/v1/networks/scenarios",
        {"name": "API plan", "park": world.k1.code, "pareto_points": 2},
        content_type="application/json",
    )
    assert resp.status_code == 202, resp.content  # queued as a job, not solved in the request
    queued = resp.json()
    job = board.get(queued["job_url"]).json()
    assert job["status"] == "succeeded" and job["kind"] == "networks.scenario"
    assert ent_cannot_follow(world, queued["job_url"])
    data = board.get(f"/api/v1/networks/scenarios/{job['result']['scenario']}").json()
    assert data["name"] == "API plan"
    assert data["n_links"] == 1 and data["links"][0]["flow"] == pytest.approx(90.0)
    ent = _client(world, Role.ENTERPRISE)
    denied = ent.post(
        "/api/v1/networks/scenarios",
        {"name": "x", "park": world.k1.code},
        content_type="application/json",
    )
    assert denied.status_code == 403
    other = board.post(
        "/api/v1/networks/scenarios",
        {"name": "x", "park": world.k3.code},
        content_type="application/json",
    )
    assert other.status_code == 404
    seen = ent.get(f"/api/v1/networks/scenarios/{data['id']}").json()
    assert seen["benefit_vnd_per_year"] == data["benefit_vnd_per_year"]
    assert seen["links"][0]["receiver_id"] == world.e1.pk and seen["pareto"] is None
    prop = board.post(
        f"/api/v1/networks/scenarios/{data['id']}/propose",
        {"link": data["links"][0]["link"]},
        content_type="application/json",
    )
    assert prop.status_code == 200 and prop.json()["status"] == "identified"


def test_heat_page_with_the_example(world):
    c = _client(world, Role.DEVELOPER)
    resp = c.post(
        f"/networks/parks/{world.k1.code}/heat/",
        {"dt_min": "10", "hours_per_year": "8000", "displaced": "grid", "efficiency": "1"},
    )
    assert resp.status_code == 302
    study = HeatStudy.objects.get(park=world.k1)
    r = study.result
    sinks = sum(s["duty_kw"] for s in study.inputs if s["kind"] == "sink")
    assert r["recovered_kw"] == pytest.approx(sinks - r["hot_utility_kw"])
    assert r["matched_kw"] == pytest.approx(r["recovered_kw"], rel=1e-6)
    factor = default_factors().grid_factor(dt.date.today().year, latest_available=True).value
    assert r["co2e_t_per_year"] == pytest.approx(r["mwh_per_year"] * factor)
    # every match respects dTmin: the source enters hotter than the sink's cold end + dTmin
    by = {s["name"]: s for s in study.inputs}
    for m in r["matches"]:
        assert by[m["source"]]["t_supply_c"] - 10 > by[m["sink"]]["t_supply_c"]
    body = c.get(resp["Location"]).content.decode()
    assert 'id="heat-matches"' in body and _chart(body, "chart-heat")["kind"] == "sankey"
    bad = c.post(
        f"/networks/parks/{world.k1.code}/heat/",
        {
            "file": SimpleUploadedFile(
                "s.csv", b"name,kind,t_supply_c,t_target_c,duty_kw\nA,hot,1,2,3\n"
            ),
            "dt_min": "10",
            "hours_per_year": "8000",
            "displaced": "energy.fuel.coal",
            "efficiency": "0.8",
        },
    )
    assert bad.status_code == 200 and "row 2" in bad.content.decode()
    assert HeatStudy.objects.count() == 1


def test_demo_records_for_dh_parks(world):
    dh = Park.objects.create(
        code="DH-T1",
        name_vi="KCN Thử",
        province=world.p1,
        total_area_ha=10,
        latitude=20.85,
        longitude=106.65,
    )
    a = make_enterprise(dh, 4001, "Công ty Dệt Thử", vsic="1311")
    for m in range(1, 13):
        save_flow(
            owner=a,
            resource_code="water.fresh",
            direction="in",
            period=dt.date(2023, m, 1),
            quantity=7300,
            unit="m3",
        )
    first = create_demo_scenarios()
    again = create_demo_scenarios()
    assert first["scenarios"] == again["scenarios"] == 2  # the park and its province
    assert Scenario.objects.filter(park=dh, name=SCENARIO_NAME).count() == 1
    assert Scenario.objects.filter(province=world.p1).count() == 1
    assert WaterStudy.objects.filter(park=dh).count() == 1
    # K1 is not a demo park: untouched
    assert not Scenario.objects.filter(park=world.k1).exists()
    # the province's only pair (in K1) does not touch the demo park; the province plan has it
    assert Scenario.objects.get(park=dh).chosen_links == []
    assert len(Scenario.objects.get(province=world.p1).chosen_links) == 1


def test_api_create_refuses_before_queueing(world):
    from eiphub.jobs.models import Job

    board = _client(world, Role.BOARD)
    bad = board.post(
        "/api/v1/networks/scenarios",
        {"name": "x", "park": world.k1.code, "objective": "nonsense"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and not Job.objects.filter(kind="networks.scenario").exists()
