"""Concurrent exchange records for one receiver never lose months (issue 18, finding 4).

Four suppliers record, at the same time, three months each of deliveries to one receiver;
afterwards the receiver's input flow of every month is the sum of the four records.  Runs
on PostgreSQL (real concurrent transactions; SQLite serialises writers)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.models import Agreement
from eiphub.flows.models import FlowRecord
from eiphub.testing import make_enterprise, make_user, make_world


@pytest.mark.django_db(transaction=True)
def test_parallel_records_for_one_receiver_keep_every_month():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    w = make_world(with_flows=False)
    jobs = []
    for i in range(4):
        sup = make_enterprise(w.k1, 5000 + i, f"Supplier {i}")
        user = make_user(f"u_sup{i}", Role.ENTERPRISE, enterprise=sup)
        a = Agreement.objects.create(supplier=sup, receiver=w.e1, resource_code="waste.plastic",
                                     quantity_per_year=100, unit="t",
                                     status=Agreement.Status.OPERATING)  # fmt: skip
        jobs.append((user, a, 10 * (i + 1)))
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(user, agreement, qty):
        try:
            barrier.wait()
            for month in (1, 2, 3):
                S.record_exchange(user, agreement, dt.date(2024, month, 1), qty)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=j) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = FlowRecord.objects.filter(enterprise=w.e1, direction="in", resource_code="waste.plastic")
    assert sorted((r.period.month, float(r.quantity)) for r in rows) == [
        (1, 100.0),
        (2, 100.0),
        (3, 100.0),
    ]
