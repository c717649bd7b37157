"""Role dashboards: each shows its own tenant's data, never another's; the enterprise
dashboard never names peers; the number of SQL queries does not grow with parks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from eiphub.accounts.models import Role
from eiphub.exchange.models import Agreement
from eiphub.recp.models import Measure
from eiphub.registry.models import Park
from eiphub.testing import make_enterprise, make_world

from .factories import flow, ghg_world, programme

PEERS = ["Peer Glass Alpha", "Peer Cement Beta", "Peer Brick Gamma", "Peer Tile Delta"]


@pytest.fixture
def world(db):
    w = make_world(with_flows=False)
    ghg_world(w)
    w.m = programme(w)
    for i, name in enumerate(PEERS):
        ent = make_enterprise(w.k1, 3000 + i, name, vsic="2392")
        flow(ent, "material.product", 2022, 1, 100, "t", "out")
        flow(ent, "energy.heat.process", 2022, 1, 100 * (i + 1), "GJ")
        flow(ent, "water.fresh", 2022, 1, 50 * (i + 1), "m3")
    flow(w.e1, "water.fresh", 2022, 1, 900, "m3")
    flow(w.e4, "energy.electricity.grid", 2022, 1, 5, "MWh")
    Measure.objects.create(
        enterprise=w.e4,
        title="Consultant audit idea",
        practice="housekeeping",
        status="planned",
        identified_on=dt.date(2024, 2, 1),
        assessed_by="u_consultant",
    )
    return w


def dashboard(w, role, url="/dashboard/"):
    c = Client()
    c.force_login(w.users[role])
    c.cookies["django_language"] = "en"
    resp = c.get(url)
    assert resp.status_code == 200
    return resp.content.decode()


def test_ministry_sees_the_nation(world):
    page = dashboard(world, Role.MINISTRY)
    assert "National dashboard" in page
    for name in ("Park One", "KCN Hai", "KCN Ba"):  # K1 has an English name
        assert name in page
    assert "4 enterprises carried out 4 RECP solutions" in page  # all years, all parks
    assert 'class="park-map' in page and "chart-province-ghg" in page


def test_board_sees_its_province_only(world):
    page = dashboard(world, Role.BOARD)
    assert "Province dashboard" in page and "Tỉnh Một" in page
    assert "Park One" in page and "KCN Hai" in page
    assert "KCN Ba" not in page and "Scrap sorting" not in page
    assert "3 enterprises carried out 3 RECP solutions" in page  # e1, e2 and e4 (2022)
    assert "4 enterprises carried out" not in page


def test_developer_sees_its_park(world):
    page = dashboard(world, Role.DEVELOPER)
    assert "Park dashboard" in page and "KCN Một" in page
    assert "KCN Hai" not in page and "KCN Ba" not in page
    assert 'id="scorecard"' in page and "chart-pipeline" in page and "chart-ghg" in page
    # K1: 6 enterprises (e1, e2 and four peers), 2 implementing -> 33.3%
    assert "33.3%" in page


def test_enterprise_dashboard_never_names_peers(world):
    page = dashboard(world, Role.ENTERPRISE)
    assert "Công ty Thủy tinh Một" in page
    for name in PEERS + ["Công ty Nhựa Hai", "Công ty Giấy Bốn", "Công ty Thép Ba"]:
        assert name not in page
    # e1 (2022): (430 + 516 + 360) GJ / 500 t = 2.612 GJ/t against peers 1, 2, 3, 4 GJ/t:
    # median 2.5, two of four peers less intensive -> percentile 50
    peers = page.split('id="peers"')[1].split("</section>")[0]
    assert "2.612" in peers and "2.5" in peers and ">50<" in peers
    # water: 900/500 = 1.8 m3/t against 0.5, 1, 1.5, 2 -> three less intensive -> 75
    assert "1.8" in peers and ">75<" in peers


def test_enterprise_with_too_few_peers_is_told_so(world):
    world.users[Role.ENTERPRISE].profile.enterprise = world.e2
    world.users[Role.ENTERPRISE].profile.save()
    flow(world.e2, "material.product", 2022, 1, 10, "t", "out")
    flow(world.e2, "water.fresh", 2022, 1, 10, "m3")
    page = dashboard(world, Role.ENTERPRISE)
    assert "at least 3 are needed" in page


def test_consultant_sees_assigned_parks_and_its_assessments(world):
    page = dashboard(world, Role.CONSULTANT)
    assert "KCN Hai" in page and "Consultant audit idea" in page
    assert "KCN Một" not in page and "Park One" not in page
    assert "Insulate steam pipes" not in page


def test_public_user_gets_the_public_dashboard(world):
    page = dashboard(world, Role.PUBLIC)
    assert "no role with detailed data" in page and "KCN Một" not in page


def _grow(w, n_parks: int):
    """Add parks (developer d1, province P1, consultant's assignment) with enterprises, flows,
    measures and an operating agreement each."""
    for i in range(n_parks):
        park = Park.objects.create(
            code=f"Z{i}", name_vi=f"KCN Z{i}", province=w.p1, developer=w.d1,
            total_area_ha=50, latitude=21.0, longitude=106.0,
        )  # fmt: skip
        w.users[Role.CONSULTANT].profile.assigned_parks.add(park)
        ents = [make_enterprise(park, 5000 + 10 * i + j, f"Z{i} Co {j}") for j in range(3)]
        for e in ents:
            flow(e, "energy.electricity.grid", 2022, 1, 10, "MWh")
            flow(e, "energy.fuel.diesel", 2022, 2, 1, "t")
            flow(e, "material.product", 2022, 1, 50, "t", "out")
            Measure.objects.create(
                enterprise=e, title="m", practice="housekeeping", status="implemented",
                implemented_on=dt.date(2022, 6, 1), savings={"energy.electricity.grid": 500},
            )  # fmt: skip
        Agreement.objects.create(
            supplier=ents[0], receiver=ents[1], resource_code="waste.paper",
            quantity_per_year=1, unit="t", status="operating",
        )  # fmt: skip


def _count(w, role):
    c = Client()
    c.force_login(w.users[role])
    c.get("/dashboard/")  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/dashboard/").status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "role", [Role.MINISTRY, Role.BOARD, Role.DEVELOPER, Role.CONSULTANT, Role.ENTERPRISE]
)
def test_query_count_does_not_grow_with_parks(world, role):
    before = _count(world, role)
    _grow(world, 4)
    after = _count(world, role)
    assert after == before, (role, before, after)
