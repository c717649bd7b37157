"""Issue 18 item 4: concurrent imports of the same owners are serialised (PostgreSQL advisory
locks taken in id order) instead of failing with "deadlock detected"."""

import threading

import pytest
from django.db import connection

from eiphub.flows.importer import OPERATOR, import_file
from eiphub.flows.models import FlowRecord, ImportBatch

from . import io_factories as F


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_enterprises_all_succeed():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises writers itself")
    w = F.world()
    taxes = [w.e1.tax_code, w.e2.tax_code]
    files = []
    for i in range(6):
        order = taxes if i % 2 else taxes[::-1]  # opposite orders: the classic deadlock
        rows = [F.flow_row(t, period=f"{m:02d}/2024", quantity=100 + i) for t in order
                for m in range(1, 13)]  # fmt: skip
        files.append(F.csv_file(F.table("flows", rows)).getvalue())
    results, errors = [], []
    start = threading.Barrier(len(files))

    def run(data):
        import io

        from django.db import connections

        try:
            start.wait()
            results.append(import_file(io.BytesIO(data), "c.csv", OPERATOR, lang="en"))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(d,)) for d in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and len(results) == 6 and all(r.ok for r in results)
    assert FlowRecord.objects.count() == 24  # one record per key, whoever wrote last
    assert ImportBatch.objects.filter(status="done").count() == 6
    assert sum(r.created for r in results) == 24
