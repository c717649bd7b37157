"""Import batches: stage, preview, apply (set-based, idempotent), undo.

Every state of an import lives in database rows, never in a process:

1. ``stage_batch`` (called by the importer after a clean validation) creates an
   :class:`ImportBatch` in status ``preview`` and writes the file's flow rows into
   the staging table :class:`ImportRow` (PostgreSQL: ``COPY``; SQLite: bulk insert);
   it classifies each row against the stored records — created / updated /
   unchanged — counts what ``replace_months`` would delete, and keeps the first rows
   with their plausibility warnings for the preview page.
2. ``apply_batch(batch_id, progress=None)`` writes a staged batch: set-based SQL
   (UPDATE … FROM, INSERT … SELECT … WHERE NOT EXISTS), keeping in
   :class:`FlowRevision` the previous values of every record it changed or deleted;
   the records it created carry the batch (``FlowRecord.batch``).  It is idempotent (a batch that is not in
   ``preview`` is returned as it is) and safe to run from a job worker.  Imports
   touching the same owners are serialised by PostgreSQL advisory locks taken in
   id order (no deadlock).
3. ``undo_batch(batch_id, user)`` restores the previous values, re-inserts the
   deleted records and deletes the created ones.

A row replaces the record of the same owner, month, resource, direction and route
(origin of an input, fate of an output: the unique key of :class:`FlowRecord`);
other records of the month stay unless the batch was staged with ``replace_months``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from eiphub.core.errors import CodedError

from .models import BatchStatus, FlowRecord, FlowRevision, ImportBatch, ImportRow

Progress = Callable[[str, int, int], None]
PREVIEW_ROWS = 200
LOCK_NAMESPACE = {"enterprise_id": 711_001, "facility_id": 711_002}

_STAGE_COLS = (
    "batch_id", "line", "enterprise_id", "tax_code", "facility_id", "resource_code", "direction",
    "period", "quantity", "unit", "quantity_canonical", "canonical_unit", "origin", "fate",
    "counterparty_id", "counterparty_tax", "data_quality", "action", "warnings",
)  # fmt: skip
_VALUE_COLS = ("quantity", "unit", "quantity_canonical", "canonical_unit", "origin", "fate",
               "counterparty_id", "data_quality")  # fmt: skip
_OWNERS = ("enterprise_id", "facility_id")

T_FLOW = FlowRecord._meta.db_table
T_ROW = ImportRow._meta.db_table
T_REV = FlowRevision._meta.db_table
_OWNER_TABLE = {
    "enterprise_id": FlowRecord._meta.get_field("enterprise").related_model._meta.db_table,
    "facility_id": FlowRecord._meta.get_field("facility").related_model._meta.db_table,
}


def _key(owner: str, f: str = "f", r: str = "r") -> str:
    """The unique key of a flow record: owner, month, resource, direction and route."""
    return (
        f"{f}.{owner} = {r}.{owner} AND {f}.period = {r}.period AND "
        f"{f}.resource_code = {r}.resource_code AND {f}.direction = {r}.direction AND "
        f"{f}.origin = {r}.origin AND {f}.fate = {r}.fate"
    )


def _same(f: str = "f", r: str = "r") -> str:
    return (
        f"{f}.quantity = {r}.quantity AND {f}.unit = {r}.unit AND "
        f"{f}.data_quality = {r}.data_quality AND "
        f"COALESCE({f}.counterparty_id, 0) = COALESCE({r}.counterparty_id, 0)"
    )


def _exec(sql: str, params=()) -> int:
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.rowcount


def _scalar(sql: str, params=()):
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchone()[0]


# --------------------------------------------------------------------------- staging


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_CHUNK = 20_000  # rows per write to the COPY stream


def _copy_text(rows: list[tuple]) -> str:
    """The staged tuples (``_STAGE_COLS`` order) as COPY text-format lines, built directly:
    NULL as \\N, every text value escaped, the warnings as JSON."""
    esc, n = _COPY_ESCAPES, "\\N"
    lines = []
    add = lines.append
    for (bid, line, ent, tax, fac, code, direction, period, qty, unit, qc, cu, origin, fate,
         cp, cp_tax, dq, action, warnings) in rows:  # fmt: skip
        warn = json.dumps(warnings, cls=DjangoJSONEncoder).translate(esc) if warnings else "[]"
        add(f"{bid}\t{line}\t{n if ent is None else ent}\t{tax.translate(esc)}\t"
            f"{n if fac is None else fac}\t{code.translate(esc)}\t{direction.translate(esc)}\t"
            f"{period.isoformat()}\t{qty}\t{unit.translate(esc)}\t{qc!r}\t{cu.translate(esc)}\t"
            f"{origin.translate(esc)}\t{fate.translate(esc)}\t{n if cp is None else cp}\t"
            f"{cp_tax.translate(esc)}\t{dq.translate(esc)}\t{action.translate(esc)}\t{warn}\n")  # fmt: skip
    return "".join(lines)


def _write_staged(rows: list[tuple], table: str = T_ROW) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            cols = ", ".join(_STAGE_COLS)
            with c.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for i in range(0, len(rows), _COPY_CHUNK):
                    copy.write(_copy_text(rows[i : i + _COPY_CHUNK]))
        return
    objs = [ImportRow(**dict(zip(_STAGE_COLS, r, strict=True))) for r in rows]
    ImportRow.objects.bulk_create(objs, batch_size=2000)


def stage_batch(batch: ImportBatch, rows: list[tuple], classify_rows: bool = True) -> ImportBatch:
    """Stage the validated rows (tuples in _STAGE_COLS order, batch id first, warnings a
    list of phrased texts last) and classify them; returns the batch with its preview counts."""
    _write_staged(rows)
    if connection.vendor == "postgresql":
        _exec(f"ANALYZE {T_ROW}")  # fresh statistics for the merge's join plans
    if classify_rows:  # the preview's counts; apply_batch counts for itself
        classify(batch)
    return batch


def stage_temporary(batch: ImportBatch, rows: list[tuple]) -> str | None:
    """PostgreSQL, an import applied at once: COPY the rows into a temporary staging table
    (no WAL, no index to maintain, dropped after the merge); its name for apply_batch."""
    if connection.vendor != "postgresql":
        return None
    table = f"flows_stage_{batch.pk}"
    cols = ", ".join(_STAGE_COLS)
    _exec(f"CREATE TEMP TABLE {table} AS SELECT {cols} FROM {T_ROW} WITH NO DATA")
    _write_staged(rows, table)
    _exec(f"ANALYZE {table}")
    return table


def classify(batch: ImportBatch) -> None:
    """Mark each staged row c (created) / u (updated) / = (unchanged); count replacements."""
    bid = batch.pk
    for owner in _OWNERS:
        _exec(
            f"UPDATE {T_ROW} SET action = CASE "
            f"WHEN EXISTS (SELECT 1 FROM {T_FLOW} f WHERE {_key(owner, r=T_ROW)} "
            f"AND {_same(r=T_ROW)}) THEN '=' "
            f"WHEN EXISTS (SELECT 1 FROM {T_FLOW} f WHERE {_key(owner, r=T_ROW)}) THEN 'u' "
            f"ELSE 'c' END WHERE batch_id = %s AND {owner} IS NOT NULL",
            [bid],
        )
    _exec(f"UPDATE {T_ROW} SET action = 'c' WHERE batch_id = %s AND action = ''", [bid])
    counts = dict(
        ImportRow.objects.filter(batch=batch).values_list("action").annotate(n=Count("pk"))
    )
    replaced = _replaced_count(batch) if batch.replace_months else 0
    sample = list(
        ImportRow.objects.filter(batch=batch)
        .order_by("line")
        .values("line", "enterprise_id", "tax_code", "facility_id", "resource_code",
                "direction", "period", "quantity", "unit", "action", "warnings")[:PREVIEW_ROWS]
    )  # fmt: skip
    warned = list(
        ImportRow.objects.filter(batch=batch)
        .exclude(warnings=[])
        .order_by("line")
        .values("line", "enterprise_id", "tax_code", "resource_code", "direction", "period",
                "quantity", "unit", "action", "warnings")[:PREVIEW_ROWS]
    )  # fmt: skip
    batch.created_count = counts.get("c", 0)
    batch.updated_count = counts.get("u", 0)
    batch.unchanged_count = counts.get("=", 0)
    batch.replaced = replaced
    batch.warning_count = ImportRow.objects.filter(batch=batch).exclude(warnings=[]).count()
    batch.preview = json.loads(
        json.dumps({"rows": sample, "warned": warned}, cls=DjangoJSONEncoder)
    )
    batch.save(
        update_fields=["created_count", "updated_count", "unchanged_count", "replaced",
                       "warning_count", "preview"]
    )  # fmt: skip


def _months_not_named(owner: str, src: str = T_ROW) -> str:
    """Records of the staged (owner, month) pairs that no staged row names."""
    return (
        f"EXISTS (SELECT 1 FROM {src} r WHERE r.batch_id = %s AND r.{owner} = f.{owner} "
        f"AND r.period = f.period) AND NOT EXISTS (SELECT 1 FROM {src} r "
        f"WHERE r.batch_id = %s AND {_key(owner)})"
    )


def _replaced_count(batch: ImportBatch) -> int:
    return sum(
        _scalar(
            f"SELECT COUNT(*) FROM {T_FLOW} f WHERE f.{o} IS NOT NULL AND {_months_not_named(o)}",
            [batch.pk, batch.pk],
        )
        for o in _OWNERS
    )


# --------------------------------------------------------------------------- applying

_OLD = (
    "old_quantity, old_unit, old_quantity_canonical, old_canonical_unit, old_origin, old_fate, "
    "old_counterparty_id, old_data_quality, old_entered_by_id, old_batch_id, old_version"
)
_OLD_FROM_F = (
    "f.quantity, f.unit, f.quantity_canonical, f.canonical_unit, f.origin, f.fate, "
    "f.counterparty_id, f.data_quality, f.entered_by_id, f.batch_id, f.version"
)
_REV_HEAD = (
    f"INSERT INTO {T_REV} (flow_id, action, at, user_id, batch_id, enterprise_id, facility_id, "
    f"resource_code, direction, period, {_OLD}, new_quantity, new_unit)"
)


def _lock_owners(bid: int, src: str = T_ROW) -> None:
    """Serialise imports of the same owners (PostgreSQL): advisory locks in id order."""
    if connection.vendor != "postgresql":
        return
    for owner in _OWNERS:
        _exec(
            f"SELECT pg_advisory_xact_lock(%s, x) FROM (SELECT DISTINCT {owner} AS x FROM {src} "
            f"WHERE batch_id = %s AND {owner} IS NOT NULL ORDER BY 1) s",
            [LOCK_NAMESPACE[owner], bid],
        )


def apply_batch(
    batch_id: int, progress: Progress | None = None, staged_in: str | None = None
) -> ImportBatch:
    """Write a staged batch; idempotent (only a batch in ``preview`` is written).

    ``staged_in`` names the temporary table of :func:`stage_temporary` (same transaction);
    by default the rows are read from the ImportRow staging table."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.PREVIEW:
            return batch
        _apply(batch, progress, staged_in or T_ROW)
    return batch


def _apply(batch: ImportBatch, progress: Progress | None, src: str) -> None:
    from .importer import write_registry  # parks and enterprises of the same file

    bid, now = batch.pk, timezone.now()
    user_id = batch.user_id
    total = _scalar(f"SELECT COUNT(*) FROM {src} WHERE batch_id = %s", [bid])
    if progress:
        progress("write", 0, total)
    reg_created, reg_updated = write_registry(batch)
    # Owners and counterparties created by this file get their ids now.
    for col, tax in (("enterprise_id", "tax_code"), ("counterparty_id", "counterparty_tax")):
        _exec(
            f"UPDATE {src} SET {col} = (SELECT e.id FROM registry_enterprise e "
            f"WHERE e.tax_code = {src}.{tax}) WHERE batch_id = %s AND {col} IS NULL "
            f"AND {tax} <> ''",
            [bid],
        )
    _lock_owners(bid, src)
    replaced = updated = created = 0
    for owner in _OWNERS:
        other = "facility_id" if owner == "enterprise_id" else "enterprise_id"
        if batch.replace_months:
            where = f"f.{owner} IS NOT NULL AND {_months_not_named(owner, src)}"
            _exec(
                f"{_REV_HEAD} SELECT f.id, 'delete', %s, %s, %s, f.enterprise_id, f.facility_id, "
                f"f.resource_code, f.direction, f.period, {_OLD_FROM_F}, NULL, '' "
                f"FROM {T_FLOW} f WHERE {where}",
                [now, user_id, bid, bid, bid],
            )
            replaced += _exec(
                f"DELETE FROM {T_FLOW} WHERE id IN (SELECT flow_id FROM {T_REV} "
                f"WHERE batch_id = %s AND action = 'delete' AND {owner} IS NOT NULL)",
                [bid],
            )
        # Updates: keep the old values, then write the new ones.
        _exec(
            f"{_REV_HEAD} SELECT f.id, 'update', %s, %s, %s, f.enterprise_id, f.facility_id, "
            f"f.resource_code, f.direction, f.period, {_OLD_FROM_F}, r.quantity, r.unit "
            f"FROM {T_FLOW} f JOIN {src} r ON {_key(owner)} "
            f"WHERE r.batch_id = %s AND NOT ({_same()})",
            [now, user_id, bid, bid],
        )
        sets = ", ".join(f"{c} = r.{c}" for c in _VALUE_COLS)
        updated += _exec(
            f"UPDATE {T_FLOW} AS f SET {sets}, entered_by_id = %s, entered_at = %s, "
            f"batch_id = %s, version = f.version + 1 FROM {src} AS r "
            f"WHERE r.batch_id = %s AND {_key(owner)} AND NOT ({_same()})",
            [user_id, now, bid, bid],
        )
        cols = ", ".join(_VALUE_COLS)
        # The owner's park is written with the row (no UPDATE over the batch's rows afterwards).
        created += _exec(
            f"INSERT INTO {T_FLOW} ({owner}, {other}, park_id, resource_code, direction, period, "
            f"{cols}, entered_by_id, entered_at, batch_id, version) "
            f"SELECT r.{owner}, NULL, o.park_id, r.resource_code, r.direction, r.period, "
            f"{', '.join('r.' + c for c in _VALUE_COLS)}, %s, %s, %s, 1 FROM {src} r "
            f"LEFT JOIN {_OWNER_TABLE[owner]} o ON o.id = r.{owner} "
            f"WHERE r.batch_id = %s AND r.{owner} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {T_FLOW} f WHERE {_key(owner)}) ORDER BY r.line",
            [user_id, now, bid, bid],
        )
        if progress:
            progress("write", total if owner == "facility_id" else total // 2, total)
    if src == T_ROW:
        ImportRow.objects.filter(batch=batch).delete()
    else:
        _exec(f"DROP TABLE {src}")
    batch.status = BatchStatus.DONE
    batch.finished = now
    batch.stage, batch.progress, batch.total = "write", total, total
    batch.created_count = created + reg_created
    batch.updated_count = updated + reg_updated
    batch.unchanged_count = max(total - created - updated, 0)
    batch.replaced = replaced
    batch.save()
    _after_raw_write(bid)


def _park_keys(bid: int) -> set[tuple[int, int]]:
    """(park id, year) pairs a batch touched: its rows and the rows it overwrote or deleted."""
    from eiphub.registry.models import Enterprise, SharedFacility
    from eiphub.reports.stored import flow_keys

    keys = flow_keys(FlowRecord.objects.filter(batch_id=bid))
    revs = list(
        FlowRevision.objects.filter(batch_id=bid)
        .values_list("enterprise_id", "facility_id", "period")
        .distinct()
    )
    ents = dict(
        Enterprise.objects.filter(pk__in={e for e, _f, _p in revs if e}).values_list(
            "pk", "park_id"
        )
    )
    facs = dict(
        SharedFacility.objects.filter(pk__in={f for _e, f, _p in revs if f}).values_list(
            "pk", "park_id"
        )
    )
    for e, f, period in revs:
        park = ents.get(e) if e else facs.get(f)
        if park is not None:
            keys.add((park, period.year))
    return keys


def _after_raw_write(bid: int, keys: set | None = None, *, undo: bool = False) -> None:
    """The raw SQL above bypasses ``FlowRecord.save``/``bulk_create``: mark the stored results
    of the touched parks and years stale, once.  Applying writes each new row's park in its
    INSERT; on undo the re-inserted rows get their denormalised park here."""
    from eiphub.reports.stored import mark_stale

    if undo:
        deleted = FlowRevision.objects.filter(batch_id=bid, action="delete").values("flow_id")
        FlowRecord.objects.filter(pk__in=deleted, park__isnull=True).sync_parks()
    mark_stale((keys or set()) | _park_keys(bid), bulk=True)


# --------------------------------------------------------------------------- undoing


class UndoError(CodedError, ValueError):
    """An undo that cannot be done; ``code`` names why."""


def undo_batch(batch_id: int, user=None) -> ImportBatch:
    """Restore what a batch overwrote, re-insert what it deleted, delete what it created."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == BatchStatus.UNDONE:
            return batch
        if batch.status != BatchStatus.DONE:
            raise UndoError("not_applied")
        bid = batch.pk
        touched = _park_keys(bid)  # before the batch's own rows are deleted
        if connection.vendor == "postgresql":
            for owner in _OWNERS:
                _exec(
                    f"SELECT pg_advisory_xact_lock(%s, x) FROM (SELECT DISTINCT {owner} AS x "
                    f"FROM {T_REV} WHERE batch_id = %s AND {owner} IS NOT NULL ORDER BY 1) s",
                    [LOCK_NAMESPACE[owner], bid],
                )
        # Created records: those still carrying the batch, not updated by it.
        _exec(
            f"DELETE FROM {T_FLOW} WHERE batch_id = %s AND id NOT IN (SELECT flow_id FROM {T_REV} "
            f"WHERE batch_id = %s AND action = 'update')",
            [bid, bid],
        )
        _exec(
            f"UPDATE {T_FLOW} AS f SET quantity = v.old_quantity, unit = v.old_unit, "
            f"quantity_canonical = v.old_quantity_canonical, canonical_unit = v.old_canonical_unit, "
            f"origin = v.old_origin, fate = v.old_fate, counterparty_id = v.old_counterparty_id, "
            f"data_quality = v.old_data_quality, entered_by_id = v.old_entered_by_id, "
            f"batch_id = v.old_batch_id, version = f.version + 1 FROM {T_REV} AS v "
            f"WHERE v.batch_id = %s AND v.action = 'update' AND v.flow_id = f.id "
            f"AND f.batch_id = v.batch_id",  # a later change (by hand, another batch) stays
            [bid],
        )
        _exec(
            f"INSERT INTO {T_FLOW} (id, enterprise_id, facility_id, resource_code, direction, "
            f"period, quantity, unit, quantity_canonical, canonical_unit, origin, fate, "
            f"counterparty_id, data_quality, entered_by_id, entered_at, batch_id, version) "
            f"SELECT v.flow_id, v.enterprise_id, v.facility_id, v.resource_code, v.direction, "
            f"v.period, v.old_quantity, v.old_unit, v.old_quantity_canonical, "
            f"v.old_canonical_unit, v.old_origin, v.old_fate, v.old_counterparty_id, "
            f"v.old_data_quality, v.old_entered_by_id, %s, v.old_batch_id, "
            f"COALESCE(v.old_version, 0) + 1 FROM {T_REV} v "
            f"WHERE v.batch_id = %s AND v.action = 'delete'",
            [timezone.now(), bid],
        )
        _after_raw_write(bid, touched, undo=True)
        batch.status = BatchStatus.UNDONE
        batch.undone_at = timezone.now()
        batch.undone_by = user if getattr(user, "pk", None) else None
        batch.save(update_fields=["status", "undone_at", "undone_by"])
    return batch


def discard_batch(batch_id: int) -> None:
    """Drop a batch that was previewed and not confirmed."""
    ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.PREVIEW).delete()


def stale_previews(older_than: dt.timedelta = dt.timedelta(days=1)):
    return ImportBatch.objects.filter(
        status=BatchStatus.PREVIEW, created__lt=timezone.now() - older_than
    )
