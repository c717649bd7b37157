"""List pages run a fixed number of queries, however many rows they show (no N+1).

Each page is requested twice: on the test world plus a batch of rows, then after a
second batch of the same size. The query count must not grow with the rows.
"""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eiphub.accounts.models import Role
from eiphub.exchange.models import Agreement, Listing, Match
from eiphub.flows.models import ImportBatch
from eiphub.flows.services import save_flow
from eiphub.networks.models import Scenario
from eiphub.recp.models import Measure
from eiphub.registry.models import Certificate, Park
from eiphub.testing import PASSWORD, make_enterprise, make_world

BATCH = 30
_serial = itertools.count(5000)


def add_rows(w, n=BATCH, new_parks=True):
    """Add n enterprises with flows, listings, matches, agreements, measures, certificates,
    scenarios and import batches; with new_parks, spread them over n // 6 new parks too."""
    batch = next(_serial) * 100
    if not hasattr(w, "hub"):  # one offer of e1 matched by every added want
        w.hub = Listing.objects.create(
            enterprise=w.e1,
            kind="offer",
            resource_code="waste.ash.fly",
            quantity=500,
            unit="t",
            status="published",
            disclosure="public",
        )
    parks = [w.k1, w.k2]
    for j in range(n // 6 if new_parks else 0):
        parks.append(
            Park.objects.create(
                code=f"N{batch + j}",
                name_vi=f"KCN {batch + j}",
                province=w.p1,
                developer=w.d1,
                total_area_ha=50 + j,
                latitude=21.0,
                longitude=105.0 + j / 100,
            )
        )
    for i in range(n):
        park = parks[i % len(parks)]
        ent = make_enterprise(park, batch + i, vsic="2220")
        for code, unit in (("water.fresh", "m3"), ("energy.electricity", "kWh")):
            save_flow(
                owner=ent,
                resource_code=code,
                direction="in",
                period=dt.date(2024, 3, 1),
                quantity=50 + i,
                unit=unit,
            )
        offer = Listing.objects.create(
            enterprise=ent,
            kind="offer",
            resource_code="waste.ash.fly",
            quantity=100 + i,
            unit="t",
            status="published",
            disclosure="public",
        )
        want = Listing.objects.create(
            enterprise=w.e1,
            kind="want",
            resource_code="waste.ash.fly",
            quantity=80 + i,
            unit="t",
            status="published",
            disclosure="public",
        )
        match = Match.objects.create(
            offer=offer, want=want, score=0.5 + i / 1000, matched_quantity=80, unit="t"
        )
        Match.objects.create(offer=w.hub, want=want, score=0.4, matched_quantity=80, unit="t")
        Agreement.objects.create(
            match=match,
            supplier=ent,
            receiver=w.e1,
            resource_code="waste.ash.fly",
            quantity_per_year=80,
            unit="t",
        )
        Measure.objects.create(
            enterprise=ent,
            title=f"Measure {batch + i}",
            practice="housekeeping",
            status="implemented",
            implemented_on=dt.date(2024, 1, 1),
            investment_vnd=1000,
            savings={"water.fresh": 10},
            savings_vnd_per_year=100,
        )
        Certificate.objects.create(
            enterprise=w.e1,
            standard="ISO 14001",
            valid_from=dt.date(2023, 1, 1),
            valid_to=dt.date(2027, 1, 1),
        )
        # e1's own monthly flows: one more resource per row for its detail page
        save_flow(
            owner=w.e1,
            resource_code="water.fresh",
            direction="in",
            period=dt.date(2020 + i // 12, i % 12 + 1, 1),
            quantity=10 + i,
            unit="m3",
        )
        Scenario.objects.create(
            name=f"S{batch + i}",
            park=w.k1,
            created_by=w.users[Role.MINISTRY],
            objective="benefit",
        )
        ImportBatch.objects.create(
            filename=f"f{batch + i}.xlsx", user=w.users[Role.ENTERPRISE], rows=1
        )


PAGES = [
    # (id, role, url name, args, query string[, add parks: default True])
    ("park_list", Role.MINISTRY, "registry:park_list", [], ""),
    ("park_detail", Role.MINISTRY, "registry:park_detail", ["K1"], "?year=2024"),
    ("enterprise_detail", Role.MINISTRY, "registry:enterprise_detail", ["e1"], ""),
    ("listings", Role.MINISTRY, "exchange:listings", [], ""),
    ("listings_ent", Role.ENTERPRISE, "exchange:listings", [], ""),
    ("listing_detail", Role.ENTERPRISE, "exchange:listing_detail", ["hub"], ""),
    ("matches", Role.MINISTRY, "exchange:matches", [], ""),
    ("matches_ent", Role.ENTERPRISE, "exchange:matches", [], ""),
    ("agreements", Role.MINISTRY, "exchange:agreements", [], ""),
    ("agreements_ent", Role.ENTERPRISE, "exchange:agreements", [], ""),
    ("scorecards", Role.MINISTRY, "reports:scorecards", [], ""),
    # One full scorecard per park (a fixed number of queries per park, see the report):
    # checked against growing enterprises and flows at a constant number of parks.
    ("benchmark", Role.MINISTRY, "reports:benchmark", [], "", False),
    ("measures", Role.MINISTRY, "recp:measures", [], ""),
    ("ghg_park", Role.MINISTRY, "recp:ghg", [], "?park=K1&year=2024"),
    ("ghg_enterprise", Role.MINISTRY, "recp:ghg_enterprise", ["e1"], "?year=2024"),
    ("networks", Role.MINISTRY, "networks:index", [], ""),
    ("flow_entry", Role.ENTERPRISE, "flows:entry", [], ""),
    ("flow_import", Role.ENTERPRISE, "flows:import", [], ""),
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,name,args,query,new_parks",
    [(p + (True,))[1:6] for p in PAGES],
    ids=[p[0] for p in PAGES],
)
def test_query_count_does_not_grow_with_rows(role, name, args, query, new_parks):
    w = make_world()
    client = Client()
    assert client.login(username=w.users[role].username, password=PASSWORD)
    add_rows(w, new_parks=new_parks)
    ids = {"e1": w.e1.pk, "hub": w.hub.pk}
    url = reverse(name, args=[ids.get(a, a) for a in args]) + query
    client.get(url)  # warm caches (catalogue, packs, translations)
    small = count_queries(client, url)
    add_rows(w, new_parks=new_parks)
    # The new rows made the page's stored results stale (eiphub/reports/stored.py): the next
    # read recomputes them (a fixed number of queries, see reports/tests/test_stored.py);
    # compare reads of fresh stored results.
    client.get(url)
    large = count_queries(client, url)
    print(f"QC {name} {small} {large}")
    assert large <= small, f"{url}: {small} queries, then {large} after {BATCH} more rows"
