"""Benchmark: import a 100,000-row flows file for a park of 500 enterprises.

Runs inside a transaction on the configured database and rolls it back (or,
when that database has no tables yet, on a temporary test database).  Times
the whole import of the CSV (read, validate, stage, classify, apply with undo
information) and, in the same run, a PostgreSQL ``COPY`` of the same rows into
the flows table (rolled back): the import's
``copy_ratio`` is its speed over COPY's.  Then the CSV again (every row
unchanged) and the xlsx (every row updated).  Prints figures; asserts nothing
about speed.
"""

from __future__ import annotations

import io
import time
from contextlib import contextmanager

from django.db import DatabaseError, transaction

NAME = "import"
SCALES = {"small": (50, 10_000), "full": (500, 100_000)}
RESOURCES = [
    ("energy.electricity.grid", "kWh"), ("water.fresh", "m3"), ("energy.fuel.diesel", "L"),
    ("energy.fuel.coal", "t"), ("material.metal.steel", "kg"), ("waste.ash.fly", "t"),
    ("water.wastewater", "m3"), ("energy.steam", "t"), ("material.cement", "t"),
    ("energy.fuel.lpg", "kg"),
]  # fmt: skip


class _Rollback(Exception):
    pass


def _migrated() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return False


@contextmanager
def _scratch_database():
    """The configured database when it is fully migrated, else a temporary test database."""
    if _migrated():
        yield "configured database, rolled back"
        return
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield "temporary test database"
    finally:
        teardown_databases(old, verbosity=0)


def _world(n_enterprises: int):
    from eiphub.registry.models import Enterprise, Park, Province
    from eiphub.registry.validators import make_tax_code

    province = Province.objects.create(code="BENCH", name="Bench province")
    park = Park.objects.create(code="BENCH-PARK", name_vi="KCN Bench", province=province,
                               total_area_ha=500)  # fmt: skip
    ents = [
        Enterprise(
            tax_code=make_tax_code(987_000_000 + 10 * i),
            name_vi=f"Bench {i}",
            park=park,
            vsic="2220",
        )  # fmt: skip
        for i in range(n_enterprises)
    ]
    Enterprise.objects.bulk_create(ents, batch_size=1000)
    return [e.tax_code for e in ents]


def _rows(tax_codes: list[str], n_rows: int):
    """Distinct (enterprise, resource, month) rows, months going back from 12/2024."""
    i = 0
    months = 0
    while True:
        year, month = divmod(2024 * 12 + 11 - months, 12)
        for res, unit in RESOURCES:
            for tax in tax_codes:
                if i == n_rows:
                    return
                yield [tax, res, "in", f"{month + 1:02d}/{year}", 100 + i % 997, unit]
                i += 1
        months += 1


def _files(tax_codes, n_rows):
    from openpyxl import Workbook

    from . import io_schema as S

    header = [S.FLOWS.column(k).header("vi") for k in
              ("tax_code", "resource", "direction", "period", "quantity", "unit")]  # fmt: skip
    text = io.StringIO()
    text.write(";".join(header) + "\n")
    for r in _rows(tax_codes, n_rows):
        text.write(";".join(str(v) for v in r) + "\n")
    csv_bytes = text.getvalue().encode("utf-8-sig")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(S.FLOWS.sheet_name("vi"))
    ws.append(header)
    for r in _rows(tax_codes, n_rows):
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return csv_bytes, buf.getvalue()


def _timed_import(data: bytes, name: str):
    from .importer import OPERATOR, import_file

    marks = {}

    def progress(stage, done, total):
        if stage == "validate" and done == total:
            marks["validated"] = time.perf_counter()

    t0 = time.perf_counter()
    result = import_file(io.BytesIO(data), name, OPERATOR, progress=progress)
    t1 = time.perf_counter()
    if not result.ok:
        raise RuntimeError(f"benchmark file rejected: {result.errors[:3]}")
    return result, marks["validated"] - t0, t1 - marks["validated"]


def _copy_rows_per_second(tax_codes: list[str], n_rows: int) -> float | None:
    """COPY of the same rows (resolved ids, canonical values) into the flows table."""
    from django.db import connection

    from eiphub.core.catalogue import default_catalogue
    from eiphub.registry.models import Enterprise

    if connection.vendor != "postgresql":
        return None
    cat = default_catalogue()
    ids = dict(Enterprise.objects.filter(tax_code__in=tax_codes).values_list("tax_code", "pk"))
    lines = []
    for tax, res, direction, period, qty, unit in _rows(tax_codes, n_rows):
        m, y = period.split("/")
        canonical = cat.to_canonical(res, float(qty), unit)
        lines.append(f"{ids[tax]},{res},{direction},{y}-{m}-01,{qty},{unit},{canonical},"
                     f'{cat[res].unit},"","",measured,2024-12-31 00:00:00+00,1\n')  # fmt: skip
    data = "".join(lines).encode()
    cols = ("enterprise_id, resource_code, direction, period, quantity, unit, quantity_canonical, "
            "canonical_unit, origin, fate, data_quality, entered_at, version")  # fmt: skip
    # Into the flows table itself (its constraints, indexes, foreign keys and WAL), in a
    # savepoint rolled back afterwards: the fastest way to put these rows where imports do.
    elapsed = 0.0
    try:
        with transaction.atomic(), connection.cursor() as c:
            ent_ids = list(ids.values())
            c.execute("DELETE FROM flows_flowrecord WHERE enterprise_id = ANY(%s)", [ent_ids])
            t = time.perf_counter()
            with c.cursor.copy(f"COPY flows_flowrecord ({cols}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(data)
            elapsed = time.perf_counter() - t
            raise _Rollback
    except _Rollback:
        pass
    return n_rows / elapsed


def run(scale: str = "full", stdout=None) -> dict:
    from django.db import connection

    n_ent, n_rows = SCALES.get(scale, SCALES["full"])
    out = {"rows": n_rows, "database": connection.vendor}

    def say(text):
        if stdout is not None:
            stdout.write(text)

    with _scratch_database() as where:
        say(f"import benchmark on the {where} ({connection.vendor}): {n_ent} enterprises, "
            f"{n_rows:,} rows")  # fmt: skip
        try:
            with transaction.atomic():
                tax_codes = _world(n_ent)
                t = time.perf_counter()
                csv_bytes, xlsx_bytes = _files(tax_codes, n_rows)
                say(f"  files built in {time.perf_counter() - t:.1f} s "
                    f"(csv {len(csv_bytes) / 1e6:.1f} MB, xlsx {len(xlsx_bytes) / 1e6:.1f} MB)")  # fmt: skip
                # COPY right before and right after the import (the machine's load changes):
                # the ratio uses their mean.
                copies = [_copy_rows_per_second(tax_codes, n_rows)]
                runs = (("csv", "csv", csv_bytes), ("csv_again", "csv", csv_bytes),
                        ("xlsx", "xlsx", xlsx_bytes))  # fmt: skip
                for label, fmt, data in runs:
                    if label == "xlsx":  # every row changes: the update path at full size
                        data = _files_scaled(tax_codes, n_rows)
                    result, validate_s, write_s = _timed_import(data, f"bench.{fmt}")
                    total = validate_s + write_s
                    out[label] = {
                        "rows": result.rows, "created": result.created,
                        "updated": result.updated, "unchanged": result.unchanged,
                        "validate_s": round(validate_s, 2), "write_s": round(write_s, 2),
                        "total_s": round(total, 2), "rows_per_s": round(result.rows / total),
                    }  # fmt: skip
                    if label == "csv":
                        copies.append(_copy_rows_per_second(tax_codes, n_rows))
                    say(f"  {label}: validate {validate_s:.2f} s, write {write_s:.2f} s "
                        f"(created {result.created:,}, updated {result.updated:,}, unchanged "
                        f"{result.unchanged:,}) -> {result.rows / total:,.0f} rows/s")  # fmt: skip
                raise _Rollback
        except _Rollback:
            pass
    out["rows_per_second"] = out["csv"]["rows_per_s"]
    copy_rps = sum(copies) / len(copies) if copies[0] else None
    if copy_rps:
        out["copy_rows_per_second_before_after"] = [round(c) for c in copies]
        out["copy_rows_per_second"] = round(copy_rps)
        out["copy_ratio"] = round(out["rows_per_second"] / copy_rps, 3)
        say(f"  COPY of the same rows: {copy_rps:,.0f} rows/s; import/COPY = {out['copy_ratio']}")
    else:
        out["copy_rows_per_second"] = out["copy_ratio"] = None
        say("  COPY baseline: PostgreSQL only (set DATABASE_URL)")
    return out


def _files_scaled(tax_codes, n_rows) -> bytes:
    """The xlsx file with every quantity changed (so that every row is an update)."""
    from openpyxl import Workbook

    from . import io_schema as S

    header = [S.FLOWS.column(k).header("vi") for k in
              ("tax_code", "resource", "direction", "period", "quantity", "unit")]  # fmt: skip
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(S.FLOWS.sheet_name("vi"))
    ws.append(header)
    for r in _rows(tax_codes, n_rows):
        r[4] += 1
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
