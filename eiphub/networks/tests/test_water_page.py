"""Park water page: current use from reported flows, target from limiting data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.flows.services import save_flow
from eiphub.networks import studies as ST
from eiphub.networks.models import WaterStudy
from eiphub.testing import make_world

YEAR = 2023


@pytest.fixture
def world(db):
    """K1 in 2023: e1 and e2 report freshwater (municipal and ground), reclaimed water and
    wastewater every month; e2 reports in litres once; the WWTP's intake, another park's
    enterprise and another year must not count."""
    w = make_world(with_flows=False)
    w.expect = {"fresh_m3": 0.0, "reused_m3": 0.0, "ww_m3": 0.0}
    for m in range(1, 13):
        period = dt.date(YEAR, m, 1)
        for owner, code, direction, qty, unit in (
            (w.e1, "water.fresh", "in", 100_000 + 10 * m, "m3"),
            (w.e1, "water.ground", "in", 20_000, "m3"),
            (w.e1, "water.reclaimed", "in", 50, "m3"),
            (w.e1, "water.wastewater.process", "out", 900, "m3"),
            (w.e2, "water.fresh", "in", 300_000 if m == 5 else 400, "L" if m == 5 else "m3"),
            (w.e2, "water.wastewater", "out", 250, "m3"),
            (w.wwtp, "water.wastewater", "in", 5000, "m3"),
            (w.e3, "water.fresh", "in", 9999, "m3"),
        ):
            save_flow(
                owner=owner,
                resource_code=code,
                direction=direction,
                period=period,
                quantity=qty,
                unit=unit,
            )
            if owner in (w.e1, w.e2):
                m3 = qty / 1000 if unit == "L" else qty
                key = {"in": "fresh_m3", "out": "ww_m3"}[direction]
                if code == "water.reclaimed":
                    key = "reused_m3"
                w.expect[key] += m3
    save_flow(
        owner=w.e1,
        resource_code="water.fresh",
        direction="in",
        period=dt.date(YEAR + 1, 1, 1),
        quantity=77777,
        unit="m3",
    )
    return w


def test_current_use_from_flows(world):
    cur = ST.current_water(world.k1, YEAR)
    hours = 8760.0  # 2023 is not a leap year: 365 days
    assert cur["months"] == 12 and cur["hours"] == hours
    assert cur["freshwater_t_per_h"] == pytest.approx(world.expect["fresh_m3"] / hours)
    assert cur["reused_t_per_h"] == pytest.approx(world.expect["reused_m3"] / hours)
    assert cur["wastewater_t_per_h"] == pytest.approx(world.expect["ww_m3"] / hours)
    # the default year is the last one with 12 reported months, not the one-month 2024
    assert ST.default_year(world.k1) == YEAR
    partial = ST.current_water(world.k1, YEAR + 1)
    assert partial["hours"] == 31 * 24
    assert partial["freshwater_t_per_h"] == pytest.approx(77777 / (31 * 24))


def _upload(text: str, name="limiting.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_wang_smith_target_on_the_page(world):
    c = Client()
    c.force_login(world.users[Role.BOARD])
    csv = ST.example_path("water").read_text(encoding="utf-8")
    resp = c.post(
        f"/networks/parks/{world.k1.code}/water/",
        {"name": "W&S", "file": _upload(csv), "inter_plant": "on", "freshwater_ppm": "0"},
    )
    assert resp.status_code == 302
    study = WaterStudy.objects.get(park=world.k1, name="W&S")
    assert study.source == "upload"
    assert study.result["freshwater_t_per_h"] == pytest.approx(90.0, rel=1e-6)
    assert study.result["pinch_ppm"] == pytest.approx(100.0)
    no_reuse = 1000 * (2 / 100 + 5 / 100 + 30 / 800 + 4 / 800)  # 112.5 t/h
    assert study.result["no_reuse_freshwater_t_per_h"] == pytest.approx(no_reuse)
    page = c.get(resp["Location"] + f"&year={YEAR}")
    body = page.content.decode()
    assert page.status_code == 200
    cur = ST.current_water(world.k1, YEAR)
    figures = ST.water_page(study, cur)
    assert figures["target_freshwater_t_per_h"] == pytest.approx(
        cur["freshwater_t_per_h"] - (no_reuse - 90.0)
    )
    assert 'id="water-exchanges"' in body and 'id="study-target"' in body
    # the plants exchange water: P1 of Plant A feeds Plant B's processes
    assert {(f["from_plant"], f["to_plant"]) for f in figures["exchanges"]} == {
        ("Plant A", "Plant B")
    }
    assert sum(f["t_per_h"] for f in figures["exchanges"]) > 0


def test_bad_csv_names_row_and_column(world):
    c = Client()
    c.force_login(world.users[Role.DEVELOPER])
    bad = "process,plant,load_kg_per_h,cin_max_ppm,cout_max_ppm\nP1,A,2,0,100\nP2,A,five,50,100\n"
    resp = c.post(
        f"/networks/parks/{world.k1.code}/water/",
        {"file": _upload(bad, "bad.csv"), "freshwater_ppm": "0"},
    )
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "bad.csv" in body and "row 3" in body and "load_kg_per_h" in body
    assert not WaterStudy.objects.filter(park=world.k1).exists()


def test_demo_default_and_enterprise_view(world):
    procs = ST.demo_processes(world.k1, YEAR)
    cur = ST.current_water(world.k1, YEAR)
    assert [p.plant for p in procs] == [world.e1.name_vi, world.e2.name_vi]  # by use
    no_reuse = sum(1000 * p.load_kg_per_h / p.cout_max_ppm for p in procs)
    assert no_reuse == pytest.approx(ST.DEMO_SHARE * cur["freshwater_t_per_h"], rel=1e-3)
    ST.run_water_study(world.k1, None, procs, source=WaterStudy.Source.DEMO)
    c = Client()
    c.force_login(world.users[Role.ENTERPRISE])
    body = c.get(f"/networks/parks/{world.k1.code}/water/").content.decode()
    assert 'id="water-kpis"' in body and 'id="water-exchanges"' not in body
    assert world.e2.name_vi not in body
    assert c.post(f"/networks/parks/{world.k1.code}/water/", {}).status_code == 403
    api = c.get(f"/api/v1/networks/parks/{world.k1.code}/water?year={YEAR}").json()
    assert api["current"]["freshwater_t_per_h"] == pytest.approx(cur["freshwater_t_per_h"])
    assert "exchanges" not in api["study"]
