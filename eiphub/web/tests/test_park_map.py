"""Park map data (issue 13 point 6): the offline base map ships with the site, and map points
carry the park's stored Decree 35 verdict (only where the viewer may see scorecards) and the
unit of their number."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eiphub.accounts.models import Role
from eiphub.registry.models import Park
from eiphub.reports import stored
from eiphub.reports.access import map_verdicts
from eiphub.reports.models import StoredResult
from eiphub.reports.services import DEFAULT_PARK_PACK
from eiphub.testing import PASSWORD, make_world

BASEMAP = Path(__file__).resolve().parents[1] / "static" / "eiphub" / "basemap"


def test_basemap_ships_34_units_islands_and_licence():
    path = BASEMAP / "vietnam.geojson"
    assert path.stat().st_size <= 300 * 1024
    data = json.loads(path.read_text(encoding="utf-8"))
    kinds: dict[str, list] = {}
    for f in data["features"]:
        kinds.setdefault(f["properties"]["kind"], []).append(f["properties"])
        assert f["geometry"]["type"] == "MultiPolygon" and f["geometry"]["coordinates"]
    units = kinds["province"]
    assert len(units) == 34
    assert len({u["name"] for u in units}) == 34
    assert sum(len(u["former"]) for u in units) == 63  # every former province, once
    by_name = {u["name"]: u for u in units}
    assert set(by_name["Ninh Bình"]["former"]) == {"Ninh Bình", "Hà Nam", "Nam Định"}
    islands = {i["name"]: i["province"] for i in kinds["islands"]}
    assert islands == {"Quần đảo Hoàng Sa": "Đà Nẵng", "Quần đảo Trường Sa": "Khánh Hòa"}
    # the islands are not drawn as a neighbour's: no neighbour polygon over Hoàng Sa
    for f in data["features"]:
        if f["properties"]["kind"] != "neighbour":
            continue
        for poly in f["geometry"]["coordinates"]:
            lon = sum(x for x, _y in poly[0]) / len(poly[0])
            lat = sum(y for _x, y in poly[0]) / len(poly[0])
            assert not (110.5 <= lon <= 113.2 and 15.4 <= lat <= 17.3), f["properties"]["name"]
    licence = (BASEMAP / "LICENSE").read_text(encoding="utf-8")
    assert "Natural Earth" in licence and "public domain" in licence
    assert "build.py" in (BASEMAP / "README.md").read_text(encoding="utf-8")


def _row(park, year, verdict):
    return StoredResult(
        kind=stored.SCORECARD,
        park=park,
        year=year,
        key=DEFAULT_PARK_PACK,
        result={"pack_id": DEFAULT_PARK_PACK, "year": year, "verdict": verdict, "results": []},
    )


def verdict_world():
    """make_world's parks with stored verdicts: K1 not met (2024, latest; met in 2023), K2 not
    met, K3 met (2025), K4 (new) none."""
    w = make_world(with_flows=False)
    # K1 and K2: the real stored scorecards of 2024 (the engine finds them not met)
    stored.store_park_year([w.k1.pk, w.k2.pk], 2024, kinds=(stored.SCORECARD,))
    # K1 also met in an older year; K3 met in 2025 (stored rows as a recomputation leaves them)
    StoredResult.objects.bulk_create([_row(w.k1, 2023, "meets"), _row(w.k3, 2025, "meets")])
    w.k4 = Park.objects.create(
        code="K4",
        name_vi="KCN Bốn",
        province=w.p1,
        developer=w.d1,
        total_area_ha=50,
        latitude=21.0,
        longitude=105.8,
    )  # no stored scorecard
    return w


@pytest.fixture
def world(db):
    return verdict_world()


def test_latest_stored_verdict_per_park_in_one_read(world):
    w = world
    with CaptureQueriesContext(connection) as q:
        got = stored.latest_verdicts([w.k1.pk, w.k2.pk, w.k3.pk, w.k4.pk], DEFAULT_PARK_PACK)
    assert len(q.captured_queries) == 1  # read only: nothing is computed for K4
    assert got == {w.k1.pk: (2024, "not_met"), w.k2.pk: (2024, "not_met"), w.k3.pk: (2025, "meets")}
    assert not StoredResult.objects.filter(park=w.k4).exists()


def test_verdicts_only_where_scorecards_may_be_seen(world, client):
    w = world
    ids = [w.k1.pk, w.k2.pk, w.k3.pk, w.k4.pk]
    assert set(map_verdicts(w.users[Role.MINISTRY], ids)) == {w.k1.pk, w.k2.pk, w.k3.pk}
    assert set(map_verdicts(w.users[Role.BOARD], ids)) == {w.k1.pk, w.k2.pk}  # province P1
    assert map_verdicts(w.users[Role.ENTERPRISE], ids) == {}
    assert map_verdicts(w.users[Role.PUBLIC], ids) == {}
    resp = client.get("/parks/")  # anonymous: the public list, neutral markers
    points = json.loads(resp.context["points_json"])
    assert len(points) == 4 and {p["status"] for p in points} == {""}


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [("vi", "doanh nghiệp", "doanh nghiệp"), ("en", "enterprise", "enterprises")],
)
def test_park_list_points_carry_verdict_and_unit(world, client, language, one, many):
    w = world
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert client.login(username=w.users[Role.MINISTRY].username, password=PASSWORD)
    resp = client.get("/parks/")
    points = {p["label"]: p for p in json.loads(resp.context["points_json"])}
    k1 = points[w.k1.name(language)]
    assert (k1["status"], k1["status_year"], k1["value"], k1["unit"]) == ("not_met", 2024, 2, many)
    k2 = points[w.k2.name(language)]
    assert (k2["value"], k2["unit"]) == (1, one)
    assert points[w.k3.name(language)]["status"] == "meets"
    assert (points["KCN Bốn"]["status"], points["KCN Bốn"]["status_year"]) == ("", None)
    html = resp.content.decode()
    assert 'name="eiphub-basemap" content="/static/eiphub/basemap/vietnam.geojson"' in html
