"""Benchmark: import a 100,000-row flows file for a park of 500 enterprises.

Runs inside a transaction on the configured database and rolls it back (or,
when that database has no tables yet, on a temporary test database).  Times
validation and writing separately, for CSV and then xlsx (the second import
replaces the first: the replace rule at full size).  Prints figures; asserts
nothing about speed.
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


def run(scale: str = "full", stdout=None) -> dict:
    n_ent, n_rows = SCALES.get(scale, SCALES["full"])
    out = {}

    def say(text):
        if stdout is not None:
            stdout.write(text)

    with _scratch_database() as where:
        say(f"import benchmark on the {where}: {n_ent} enterprises, {n_rows:,} rows")
        try:
            with transaction.atomic():
                tax_codes = _world(n_ent)
                t = time.perf_counter()
                csv_bytes, xlsx_bytes = _files(tax_codes, n_rows)
                say(f"  files built in {time.perf_counter() - t:.1f} s "
                    f"(csv {len(csv_bytes) / 1e6:.1f} MB, xlsx {len(xlsx_bytes) / 1e6:.1f} MB)")  # fmt: skip
                for fmt, data in (("csv", csv_bytes), ("xlsx", xlsx_bytes)):
                    result, validate_s, write_s = _timed_import(data, f"bench.{fmt}")
                    total = validate_s + write_s
                    out[fmt] = {
                        "rows": result.rows, "created": result.created,
                        "replaced": result.replaced, "validate_s": round(validate_s, 2),
                        "write_s": round(write_s, 2), "total_s": round(total, 2),
                        "rows_per_s": round(result.rows / total),
                    }  # fmt: skip
                    say(f"  {fmt}: validate {validate_s:.2f} s, write {write_s:.2f} s "
                        f"(created {result.created:,}, replaced {result.replaced:,}) "
                        f"-> {result.rows / total:,.0f} rows/s")  # fmt: skip
                raise _Rollback
        except _Rollback:
            pass
    return out
