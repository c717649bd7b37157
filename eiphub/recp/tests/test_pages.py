"""RECP/GHG pages render for the right roles with the computed figures; forms validate; the
API keeps to the caller's scope."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from eiphub.accounts.models import ApiToken, Role
from eiphub.recp.models import Measure
from eiphub.testing import make_world

from .factories import flow, ghg_world, months, programme


@pytest.fixture
def world(db):
    w = make_world(with_flows=False)
    ghg_world(w)
    w.m = programme(w)
    return w


def client_for(w, role, lang="en"):
    c = Client()
    c.force_login(w.users[role])
    c.cookies["django_language"] = lang
    return c


def html(resp):
    assert resp.status_code == 200, resp.status_code
    return resp.content.decode()


def test_measure_list_is_scoped_and_filtered(world):
    page = html(client_for(world, Role.BOARD).get("/recp/"))
    assert "LED lighting" in page and "Boiler tuning" in page
    assert "Scrap sorting" not in page  # park K3, other province
    page = html(client_for(world, Role.BOARD).get("/recp/?park=K2"))
    assert "Boiler tuning" in page and "LED lighting" not in page
    page = html(client_for(world, Role.BOARD).get("/recp/?status=identified"))
    assert "Insulate steam pipes" in page and "LED lighting" not in page
    page = html(client_for(world, Role.ENTERPRISE).get("/recp/"))
    assert "LED lighting" in page and "Rinse water recycling" not in page  # e2 is a neighbour


def test_ghg_page_shows_the_inventory(world):
    page = html(client_for(world, Role.DEVELOPER).get("/recp/ghg/?park=K1&year=2022"))
    # scope 2 = (80 + 10) MWh x 0.6766 = 60.894 -> "60.9" in English
    assert "60.9" in page
    assert "Công ty Thủy tinh Một" in page and "Công ty Nhựa Hai" in page
    # the enterprise user sees the park totals but only its own row in the table
    page = html(client_for(world, Role.ENTERPRISE).get("/recp/ghg/?park=K1&year=2022"))
    table = page.split('id="ghg-enterprises"')[1]
    assert "Công ty Thủy tinh Một" in table and "Công ty Nhựa Hai" not in table
    strict = html(client_for(world, Role.DEVELOPER).get("/recp/ghg/?park=K1&year=2024&strict=1"))
    assert 'id="ghg-gaps"' in strict and "missing_grid_factor" in strict
    latest = html(client_for(world, Role.DEVELOPER).get("/recp/ghg/?park=K1&year=2024"))
    assert "missing_grid_factor" not in latest and "2023" in latest
    assert "1/12" in latest  # months reported / expected (the fixture reports one month)
    assert client_for(world, Role.DEVELOPER).get("/recp/ghg/?park=K3").status_code == 404


def test_enterprise_ghg_page(world):
    page = html(client_for(world, Role.ENTERPRISE).get(f"/recp/ghg/enterprises/{world.e1.pk}/"))
    assert "54.13" in page  # 80 MWh x 0.6766
    assert (
        client_for(world, Role.ENTERPRISE).get(f"/recp/ghg/enterprises/{world.e2.pk}/").status_code
        == 404
    )


def test_rollup_page_regenerates_the_sentence_in_each_language(world):
    en = html(client_for(world, Role.BOARD).get("/recp/results/?year=2023"))
    assert "In 2023, 2 enterprises carried out 2 RECP solutions" in en
    assert "Scrap sorting" not in en
    with translation.override("vi"):
        vi = html(client_for(world, Role.BOARD, "vi").get("/recp/results/?year=2023"))
    assert "Năm 2023, 2 doanh nghiệp đã thực hiện 2 giải pháp" in vi
    k2 = html(client_for(world, Role.BOARD).get("/recp/results/?park=K2"))
    assert "1 enterprises carried out 1 RECP solutions" in k2


def test_decoupling_page(world):
    for year, product, kwh in ((2021, 1000, 100_000), (2022, 1200, 105_000)):
        for m in range(1, 13):
            flow(world.e4, "material.product", year, m, product / 12, "t", "out")
            flow(world.e4, "energy.electricity.grid", year, m, kwh / 12, "kWh")
    page = html(client_for(world, Role.BOARD).get("/recp/decoupling/?park=K2"))
    assert 'data-flag="relative"' in page  # energy +5% while output +20%
    assert "chart-index" in page


def test_measure_detail_shows_claimed_vs_observed(world):
    for y, m in months((2022, 3), 12):
        flow(world.e1, "energy.electricity.grid", y, m, 10_000, "kWh")
    for y, m in months((2023, 4), 12):
        flow(world.e1, "energy.electricity.grid", y, m, 8_000, "kWh")
    # claimed 50,000 kWh/yr, observed 24,000 -> overclaimed (ratio 0.48)
    page = html(client_for(world, Role.DEVELOPER).get(f"/recp/{world.m['e1_impl'].pk}/"))
    assert 'data-status="overclaimed"' in page
    assert "24,000" in page and "50,000" in page and "0.48" in page
    assert "chart-check-0" in page


def _post(c, url, ent, **extra):
    data = {
        "enterprise": ent.pk,
        "title": "Condensate return",
        "practice": "onsite_recovery",
        "status": "implemented",
        "identified_on": "2023-01-01",
        "implemented_on": "2023-05-01",
        "investment_vnd": "150000000",
        "savings_vnd_per_year": "60000000",
        "co2e_t_per_year": "",
        "assessed_by": "",
        "notes": "",
        "s-TOTAL_FORMS": "3",
        "s-INITIAL_FORMS": "0",
        "s-0-resource": "điện lưới",
        "s-0-quantity": "12",
        "s-0-unit": "MWh",
        "s-1-resource": "",
        "s-1-quantity": "",
        "s-1-unit": "",
        "s-2-resource": "",
        "s-2-quantity": "",
        "s-2-unit": "",
    }
    data.update(extra)
    return c.post(url, data)


def test_create_measure_with_savings_rows(world):
    c = client_for(world, Role.ENTERPRISE)
    resp = _post(c, "/recp/new/", world.e1)
    assert resp.status_code == 302
    m = Measure.objects.get(title="Condensate return")
    assert m.enterprise == world.e1
    assert m.savings == {"energy.electricity.grid": 12000.0}  # MWh -> kWh
    # the detail page shows the payback 150/60 = 2.5 years
    assert "2.5" in html(c.get(f"/recp/{m.pk}/"))


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"implemented_on": ""}, "An implemented or verified measure needs its date."),
        ({"s-0-resource": "unobtainium"}, "Unknown resource"),
        ({"s-0-unit": "m3"}, "cannot measure"),
        ({"s-0-resource": "energy"}, "is a group"),
        ({"s-0-quantity": "-1"}, "Enter a positive yearly saving."),
        ({"implemented_on": "2022-01-01"}, "Implemented before it was identified."),
    ],
)
def test_measure_form_errors(world, extra, field):
    resp = _post(client_for(world, Role.ENTERPRISE), "/recp/new/", world.e1, **extra)
    assert resp.status_code == 200
    assert field in resp.content.decode()
    assert not Measure.objects.filter(title="Condensate return").exists()


def test_enterprise_cannot_create_or_edit_for_another_enterprise(world):
    c = client_for(world, Role.ENTERPRISE)
    resp = _post(c, "/recp/new/", world.e2)
    assert resp.status_code == 200 and "Select a valid choice" in resp.content.decode()
    assert not Measure.objects.filter(title="Condensate return").exists()
    assert c.get(f"/recp/{world.m['e2_verified'].pk}/edit/").status_code == 404
    # the ministry reads everything but writes nothing
    ministry = client_for(world, Role.MINISTRY)
    assert ministry.get(f"/recp/{world.m['e1_impl'].pk}/").status_code == 200
    assert ministry.get(f"/recp/{world.m['e1_impl'].pk}/edit/").status_code == 403


def test_edit_keeps_savings_rows(world):
    c = client_for(world, Role.DEVELOPER)
    m = world.m["e1_impl"]
    page = html(c.get(f"/recp/{m.pk}/edit/"))
    assert (
        'value="energy.electricity.grid"' in page and 'value="50,000"' in page
    )  # locale input (en)
    resp = _post(c, f"/recp/{m.pk}/edit/", world.e1, title="LED lighting v2", **{
        "s-0-resource": "energy.electricity.grid", "s-0-quantity": "40000", "s-0-unit": "kWh",
        "s-1-resource": "water.fresh", "s-1-quantity": "500", "s-1-unit": "m3"})  # fmt: skip
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.title == "LED lighting v2"
    assert m.savings == {"energy.electricity.grid": 40000.0, "water.fresh": 500.0}


def _token(w, role):
    _t, key = ApiToken.issue(w.users[role])
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_api_measures_scoped_and_create(world):
    c = Client()
    h = _token(world, Role.ENTERPRISE)
    titles = {m["title"] for m in c.get("/api/v1/recp/measures", **h).json()}
    assert titles == {"LED lighting", "Insulate steam pipes"}
    body = {
        "enterprise_id": world.e1.pk,
        "title": "Heat recovery",
        "practice": "onsite_recovery",
        "status": "implemented",
        "implemented_on": "2023-02-01",
        "savings": {"energy.fuel.coal": 12.5},
        "investment_vnd": 3e8,
        "savings_vnd_per_year": 1e8,
    }
    ok = c.post("/api/v1/recp/measures", body, content_type="application/json", **h)
    assert ok.status_code == 201 and ok.json()["simple_payback_years"] == pytest.approx(3.0)
    other = c.post(
        "/api/v1/recp/measures",
        {**body, "enterprise_id": world.e2.pk},
        content_type="application/json",
        **h,
    )
    assert other.status_code == 403
    bad = c.post(
        "/api/v1/recp/measures",
        {**body, "savings": {"energy": 1}},
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 400 and bad.json()["field"] == "savings"
    undated = c.post(
        "/api/v1/recp/measures",
        {**body, "implemented_on": None},
        content_type="application/json",
        **h,
    )
    assert undated.status_code == 400 and undated.json()["field"] == "implemented_on"


def test_api_rollup_and_ghg(world):
    c = Client()
    h = _token(world, Role.BOARD)
    r = c.get("/api/v1/recp/rollup?year=2023", **h).json()
    assert (r["measures_implemented"], r["symbioses_operating"]) == (2, 1)
    assert r["sentence_en"].startswith("In 2023, 2 enterprises")
    rows = c.get("/api/v1/recp/ghg/K1?year=2022", **h).json()
    assert rows[0]["scope2_t"] == pytest.approx(90 * 0.6766)
    assert rows[0]["shared_solar_mwh"] == pytest.approx(30)
    assert c.get("/api/v1/recp/ghg/K3", **h).status_code == 404
    strict = c.get("/api/v1/recp/ghg/K1?year=2024&strict=true", **h).json()[0]
    assert not strict["complete"] and strict["gaps"][0]["code"] == "missing_grid_factor"
