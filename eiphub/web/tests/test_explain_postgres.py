"""Park pages' queries use indexes on a national-size flows table (PostgreSQL only).

Builds 200 parks x 45 enterprises with 24 monthly flow rows each (216,000 flow rows, inserted
set-based with INSERT ... SELECT), runs ANALYZE, renders the park overview, the board's
dashboard, the GHG page, a scorecard and the benchmark page as a provincial board user while
capturing their SQL, and runs EXPLAIN (FORMAT JSON) on every SELECT: none may read the flows
table, or any table over ``BIG`` rows, with a sequential scan.
"""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q, Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eiphub.accounts.models import Role
from eiphub.flows.models import FlowRecord
from eiphub.registry.models import Enterprise, Organization, Park, Province
from eiphub.registry.validators import make_tax_code
from eiphub.testing import PASSWORD, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PARKS, PER_PARK, PROVINCES = 200, 45, 20
BIG = 20_000  # rows: a table this large must not be read sequentially by a park page
YEAR = 2024


def _world():
    provs = Province.objects.bulk_create(
        [Province(code=f"EX{i:02d}", name=f"Explain province {i}") for i in range(PROVINCES)]
    )
    dev = Organization.objects.create(kind="developer", name="Explain developer")
    parks = Park.objects.bulk_create(
        [
            Park(
                code=f"EXP{i:04d}",
                name_vi=f"KCN {i}",
                province=provs[i % PROVINCES],
                developer=dev,
                total_area_ha=Decimal(300),
            )
            for i in range(PARKS)
        ]
    )
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                tax_code=make_tax_code(80_000_000 + i * PER_PARK + j),
                name_vi=f"Công ty {i}-{j}",
                park=p,
                vsic=("2310", "1701", "2410")[j % 3],
            )
            for i, p in enumerate(parks)
            for j in range(PER_PARK)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO flows_flowrecord (enterprise_id, park_id, resource_code, direction,
                period, quantity, unit, quantity_canonical, canonical_unit, origin, fate,
                data_quality, entered_at, version)
            SELECT e.id, e.park_id, r.code, r.dir, make_date(%s, m, 1), 100, r.unit,
                   90 + (e.id %% 20), r.unit, '', '', 'measured', now(), 1
            FROM registry_enterprise e
            CROSS JOIN generate_series(1, 12) AS m
            CROSS JOIN (VALUES ('energy.electricity.grid', 'in', 'kWh'),
                               ('water.fresh', 'in', 'm3')) AS r(code, dir, unit)
            WHERE e.park_id = ANY(%s)
            """,
            [YEAR, [p.pk for p in parks]],
        )
        cur.execute("ANALYZE")
    return provs, parks


def _seq_scans(plan, big_tables, found):
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in big_tables:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        _seq_scans(child, big_tables, found)
    return found


def test_park_pages_use_indexes_on_the_national_set():
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    provs, parks = _world()
    with connection.cursor() as cur:
        cur.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [BIG])
        big = {r[0] for r in cur.fetchall()} | {"flows_flowrecord"}
    assert "flows_flowrecord" in big and "registry_enterprise" not in big
    user = make_user("explain_board", Role.BOARD, province=provs[3])
    park = parks[3]
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    urls = [
        reverse("registry:park_detail", args=[park.code]) + f"?year={YEAR}",
        reverse("web:dashboard"),
        reverse("recp:ghg") + f"?park={park.code}&year={YEAR}",
        reverse("reports:park_scorecard", args=[park.code, "circular05_a5", YEAR]),
        reverse("reports:benchmark") + f"?year={YEAR}",
    ]
    bad = {}
    checked = 0
    for url in urls:
        for attempt in ("first", "stored"):  # computing the stored results, then reading them
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200, url
            for q in ctx.captured_queries:
                sql = q["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (FORMAT JSON) " + sql)
                    plan = cur.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                checked += 1
                scans = _seq_scans(plan[0]["Plan"], big, [])
                if scans:
                    bad.setdefault(f"{url} ({attempt})", []).append((scans, sql[:300]))
    assert checked > 20
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)
    # The detector sees the plan the pages had before flow records stored their park.
    old = FlowRecord.objects.filter(Q(enterprise__park=park) | Q(facility__park=park))
    sql, params = old.values("period").annotate(q=Sum("quantity_canonical")).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    assert "flows_flowrecord" in _seq_scans(plan[0]["Plan"], big, [])
