"""Stored results (eiphub/reports/stored.py): batched snapshots equal per-park ones, the park of a
flow record follows its owner, writes mark the right rows stale, pages read stored rows."""

import dataclasses
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eiphub.accounts.models import Role
from eiphub.flows.models import FlowRecord
from eiphub.flows.services import save_flow
from eiphub.recp.models import Measure
from eiphub.recp.services import inventory_for
from eiphub.registry.models import Enterprise
from eiphub.reports import stored
from eiphub.reports.models import StoredResult
from eiphub.reports.services import park_scorecard
from eiphub.reports.snapshots import build_park_snapshot, build_park_snapshots
from eiphub.testing import PASSWORD, make_world

from .builders import YEAR, agreement, build_park

pytestmark = pytest.mark.django_db


def _norm(snap):
    """A snapshot as plain data with its unordered lists sorted (flows come from a GROUP BY)."""
    data = dataclasses.asdict(snap)

    def fix(d):
        d["flows"] = sorted(d["flows"], key=repr)
        for h in (d.get("history") or {}).values():
            fix(h)

    fix(data)
    return data


def test_batched_snapshots_equal_per_park_ones():
    a = build_park()
    b = build_park(province=a.province, code="KS2", serial=6000)
    # an agreement across the two parks belongs to both
    agreement(a.e[0], b.e[1], "waste.paper", records=[(dt.date(YEAR, 2, 1), 7)])
    w = make_world()
    parks = [a.park, b.park, w.k1, w.k2, w.k3]
    batch = build_park_snapshots(parks, YEAR)
    for park in parks:
        assert _norm(batch[park.pk]) == _norm(build_park_snapshot(park, YEAR))
    # hand check: each park has its own 3 agreements plus the shared one
    assert len(batch[a.park.pk].symbioses) == len(batch[b.park.pk].symbioses) == 4


def test_batched_snapshots_take_a_fixed_number_of_queries():
    a = build_park()
    with CaptureQueriesContext(connection) as one:
        build_park_snapshots([a.park], YEAR)
    b = build_park(province=a.province, code="KS2", serial=6000)
    c = build_park(province=a.province, code="KS3", serial=7000)
    with CaptureQueriesContext(connection) as three:
        build_park_snapshots([a.park, b.park, c.park], YEAR)
    assert len(three.captured_queries) == len(one.captured_queries)


def test_flow_park_follows_every_write_path():
    w = make_world()
    assert {f.park_id for f in FlowRecord.objects.filter(enterprise=w.e1)} == {w.k1.pk}
    assert FlowRecord.objects.get(facility=w.wwtp).park_id == w.k1.pk
    # bulk insert without a park
    FlowRecord.objects.bulk_create(
        [
            FlowRecord(
                enterprise=w.e3,
                resource_code="water.fresh",
                direction="in",
                period=dt.date(2024, 5, 1),
                quantity=1,
                unit="m3",
                quantity_canonical=1,
                canonical_unit="m3",
            )
        ]
    )
    assert FlowRecord.objects.get(enterprise=w.e3, period=dt.date(2024, 5, 1)).park_id == w.k3.pk
    # tenancy change through save(): every flow row of e1 moves to K2
    w.e1.park = w.k2
    w.e1.save()
    assert set(FlowRecord.objects.filter(enterprise=w.e1).values_list("park_id", flat=True)) == {
        w.k2.pk
    }
    # ... and through bulk_update (the registry import)
    w.e3.park = w.k1
    Enterprise.objects.bulk_update([w.e3], ["park"])
    assert set(FlowRecord.objects.filter(enterprise=w.e3).values_list("park_id", flat=True)) == {
        w.k1.pk
    }
    # a shared facility moved
    w.wwtp.park = w.k2
    w.wwtp.save()
    assert FlowRecord.objects.get(facility=w.wwtp).park_id == w.k2.pk
    # raw writes are repaired by sync_parks()
    FlowRecord.objects.filter(enterprise=w.e2).update(park=None)
    assert FlowRecord.objects.filter(enterprise=w.e2).sync_parks() == 1
    assert FlowRecord.objects.get(enterprise=w.e2).park_id == w.k1.pk


def test_writes_mark_the_affected_park_years_stale():
    w = make_world()
    stored.store_park_year([w.k1.pk, w.k2.pk], 2024)
    stored.store_park_year([w.k1.pk], 2026)
    stored.store_areas(2024)
    assert not StoredResult.objects.filter(stale=True).exists()
    n_cards = len(stored.compute_scorecards([w.k1], 2024))
    save_flow(
        owner=w.e1,
        resource_code="water.fresh",
        direction="in",
        period=dt.date(2024, 6, 1),
        quantity=5,
        unit="m3",
    )
    stale = set(
        StoredResult.objects.filter(stale=True).values_list("kind", "park_id", "year", "key")
    )
    cards = {(stored.SCORECARD, w.k1.pk, y) for y in (2024, 2026)}
    assert {(k, p, y) for k, p, y, _key in stale if k == stored.SCORECARD} == cards
    assert len([s for s in stale if s[0] == stored.SCORECARD]) == 2 * n_cards
    assert (stored.PARK_YEAR, w.k1.pk, 2024, "") in stale
    assert (stored.AREA, None, 2024, "national") in stale
    assert (stored.AREA, None, 2024, "province:P1") in stale
    # K2 and K3's province are untouched
    assert not any(p == w.k2.pk for _k, p, _y, _key in stale)
    assert (stored.AREA, None, 2024, "province:P2") not in stale


def test_measures_mark_every_year_of_their_park():
    a = build_park()
    stored.store_park_year([a.park.pk], YEAR, kinds=(stored.SCORECARD,))
    stored.store_park_year([a.park.pk], YEAR - 1, kinds=(stored.SCORECARD,))
    m = Measure.objects.filter(enterprise__park=a.park).first()
    m.title = "changed"
    m.save()
    assert StoredResult.objects.filter(park=a.park, stale=True).count() == 2 * len(
        stored.compute_scorecards([a.park], YEAR)
    )


def test_sync_mode_recomputes_after_commit(django_capture_on_commit_callbacks, settings):
    w = make_world()
    stored.store_park_year([w.k1.pk], 2024, kinds=(stored.PARK_YEAR,))
    before = StoredResult.objects.get(kind=stored.PARK_YEAR, park=w.k1)
    march = [m for m in before.result["monthly"] if m["month"] == 3 and m["direction"] == "in"]
    # e1 100 m3 + e2 101 m3 + WWTP 104 m3 of fresh water in March 2024 (make_world)
    assert march == [
        {"month": 3, "group": "water.fresh", "direction": "in", "unit": "m3", "quantity": 305.0}
    ]
    settings.EIPHUB_RECOMPUTE = "sync"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        save_flow(
            owner=w.e2,
            resource_code="water.fresh",
            direction="in",
            period=dt.date(2024, 3, 1),
            quantity=201,
            unit="m3",
        )
    assert len(callbacks) == 1
    after = StoredResult.objects.get(kind=stored.PARK_YEAR, park=w.k1)
    assert not after.stale and after.version == before.version + 1
    march = [m for m in after.result["monthly"] if m["month"] == 3 and m["direction"] == "in"]
    assert march[0]["quantity"] == 405.0  # 101 replaced by 201


def test_a_change_during_the_computation_keeps_the_row_stale():
    w = make_world()
    stored.store_park_year([w.k1.pk], 2024, kinds=(stored.PARK_YEAR,))
    versions = stored._versions(stored.PARK_YEAR, 2024, [w.k1.pk])
    stored.mark_stale({(w.k1.pk, 2024)})  # a write lands while a worker computes
    result = stored.compute_park_years([w.k1], 2024)[w.k1.pk]
    stored._save(stored.PARK_YEAR, 2024, {(w.k1.pk, ""): (result, "h")}, versions)
    assert StoredResult.objects.get(kind=stored.PARK_YEAR, park=w.k1).stale


def test_stored_ghg_and_scorecards_equal_live_ones():
    a = build_park()
    aggr = stored.compute_park_years([a.park], YEAR)[a.park.pk]
    live = inventory_for([a.park.pk], [YEAR], group_by_park=True)
    row = live.inventory.rows.get((a.park.code, YEAR))
    if row is None:
        assert aggr["ghg"] is None
    else:
        assert aggr["ghg"]["total_t"] == row.total_t
    cards = stored.compute_scorecards([a.park], YEAR)
    card, _snap = park_scorecard(a.park, "decree35_art37_eip", YEAR)
    summary, _h = cards[(a.park.pk, "decree35_art37_eip")]
    assert summary["verdict"] == card.verdict
    assert {r["code"]: r["status"] for r in summary["results"]} == {
        r.code: r.status for r in card.results
    }


def test_recompute_command_and_area_totals():
    w = make_world()
    call_command("recompute", "--year", "2024")
    n_packs = len(stored.compute_scorecards([w.k1], 2024))
    assert StoredResult.objects.filter(kind=stored.SCORECARD, year=2024).count() == 3 * n_packs
    national = StoredResult.objects.get(kind=stored.AREA, key="national", year=2024).result
    p1 = StoredResult.objects.get(kind=stored.AREA, key="province:P1", year=2024).result
    assert national["parks"] == 3 and p1["parks"] == 2
    fresh_in = [m for m in national["monthly"] if m["group"] == "water.fresh"]
    # 100 + 101 + 102 + 103 (enterprises) + 104 (WWTP), all in March 2024
    assert fresh_in == [
        {"month": 3, "group": "water.fresh", "direction": "in", "unit": "m3", "quantity": 510.0}
    ]
    call_command("recompute", "--park", "K1")
    with pytest.raises(Exception, match="unknown park"):
        call_command("recompute", "--park", "NOPE")


def test_benchmark_page_reads_stored_results_and_says_how_fresh(settings):
    w = make_world()
    c = Client()
    c.cookies["django_language"] = "vi"
    assert c.login(username=w.users[Role.MINISTRY].username, password=PASSWORD)
    url = reverse("reports:benchmark") + "?year=2024"
    r = c.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 200
    assert "Tính lúc" in r.content.decode()
    assert StoredResult.objects.filter(kind=stored.SCORECARD, year=2024).count() >= 3
    # with a job engine, a stale row is shown as such instead of being recomputed inline
    settings.EIPHUB_RECOMPUTE = "task"
    settings.EIPHUB_RECOMPUTE_TASK = "eiphub.reports.tests.test_stored._record"
    _QUEUED.clear()
    stored.mark_stale({(w.k1.pk, 2024)})
    with CaptureQueriesContext(connection) as ctx:
        body = c.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "đang cập nhật" in body
    assert not any("flows_flowrecord" in q["sql"] for q in ctx.captured_queries)


_QUEUED: list = []


def _record(keys):
    _QUEUED.append(keys)


def test_park_overview_reads_the_stored_year():
    w = make_world()
    c = Client()
    c.cookies["django_language"] = "vi"
    assert c.login(username=w.users[Role.MINISTRY].username, password=PASSWORD)
    r = c.get(reverse("registry:park_detail", args=["K1"]) + "?year=2024")
    assert r.status_code == 200
    row = StoredResult.objects.get(kind=stored.PARK_YEAR, park=w.k1, year=2024)
    assert row.result["sankey"]["water:1"]["links"]
    assert "Tính lúc" in r.content.decode()


def test_ministry_dashboard_stores_the_programme_rollup():
    a = build_park()
    user = a.users[Role.MINISTRY] if hasattr(a, "users") else None
    if user is None:
        from eiphub.testing import make_user

        user = make_user("rollup_ministry", Role.MINISTRY)
    c = Client()
    c.force_login(user)
    assert c.get(reverse("web:dashboard")).status_code == 200
    row = StoredResult.objects.get(kind=stored.AREA, key="rollup:national")
    # build_park: E1, E2 and E4 implemented (E3 planned) -> 3 measures implemented
    assert row.result["measures_implemented"] == 3 and not row.stale
    m = Measure.objects.filter(enterprise__park=a.park, status="planned").first()
    m.status = "implemented"
    m.implemented_on = dt.date(YEAR, 6, 1)
    m.save()
    row.refresh_from_db()
    assert row.stale
    assert c.get(reverse("web:dashboard")).status_code == 200
    row.refresh_from_db()
    assert row.result["measures_implemented"] == 4 and not row.stale


def test_benchmark_page_reads_only_the_shown_page(monkeypatch):
    """The national table is paged before the stored scorecards are read (issue 9): each
    page shows the same rows, in the same order, as the full table, and reads only its own
    parks' scorecards."""
    from eiphub.reports import views

    w = make_world()
    c = Client()
    c.cookies["django_language"] = "en"
    assert c.login(username=w.users[Role.MINISTRY].username, password=PASSWORD)
    url = reverse("reports:benchmark") + "?year=2024"
    full = c.get(url).content.decode()
    codes = sorted(p.code for p in (w.k1, w.k2, w.k3))
    # each park's link text ("K1" alone could also occur inside a random CSRF token or nonce)
    order = sorted(codes, key=lambda code: full.index(f">{code}</a>"))
    assert order == codes  # ordered by park code
    monkeypatch.setattr(views, "BENCHMARK_PAGE", 2)
    read = []
    real = stored.scorecards

    def spy(ids, *args):
        read.append(list(ids))
        return real(ids, *args)

    monkeypatch.setattr(stored, "scorecards", spy)
    p1 = c.get(url + "&page=1").content.decode()
    p2 = c.get(url + "&page=2").content.decode()
    assert [len(ids) for ids in read] == [2, len(codes) - 2]
    shown1 = [code for code in codes if f">{code}</a>" in p1]
    shown2 = [code for code in codes if f">{code}</a>" in p2]
    assert shown1 == codes[:2] and shown2 == codes[2:]
    # a verdict filter still sees every park
    read.clear()
    c.get(url + "&verdict=not_met")
    assert [len(ids) for ids in read] == [len(codes)]
