"""The importer's fast path for clean flow rows gives exactly what the slow path gives.

Each test imports the same file twice, once with the fast path switched off (every row
through ``_Validator.flow_row``) and once as shipped, and compares the stored rows, the
staged rows with their plausibility warnings, and the errors (sheet, row, column, message)
in their order.  Runs on SQLite and PostgreSQL (whichever DATABASE_URL names).
"""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from eiphub.flows import batches
from eiphub.flows.importer import _Validator, import_file
from eiphub.flows.models import FlowRecord, FlowRecordQuerySet, ImportBatch, ImportRow
from eiphub.reports import stored

from . import io_factories as F

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 15)
RECORD_COLS = ("enterprise_id", "facility_id", "park_id", "resource_code", "direction", "period",
               "quantity", "unit", "quantity_canonical", "canonical_unit", "origin", "fate",
               "counterparty_id", "data_quality", "version")  # fmt: skip
STAGED_COLS = ("line", "enterprise_id", "tax_code", "facility_id", "resource_code", "direction",
               "period", "quantity", "unit", "quantity_canonical", "canonical_unit", "origin",
               "fate", "counterparty_id", "counterparty_tax", "data_quality", "warnings")  # fmt: skip


@pytest.fixture
def w():
    w = F.world()
    # history for the plausibility warnings: 420 t of coal a month in early 2024
    hist = [F.flow_row(w.e1.tax_code, "energy.fuel.coal", period=f"{m:02d}/2024", quantity=420,
                       unit="t") for m in range(1, 6)]  # fmt: skip
    assert _import(F.table("flows", hist), w.admin, "en").created == 5
    w.history = set(FlowRecord.objects.values_list("pk", flat=True))
    return w


def _import(rows, user, lang, fmt="csv", **kw):
    if fmt == "csv":
        f, name = F.csv_file(rows, delimiter=";"), "mixed.csv"
    else:
        f, name = F.xlsx_file({"Data": rows}), "mixed.xlsx"
    return import_file(f, name, user, lang=lang, today=TODAY, **kw)


class _Counted:
    """Wraps flow_fast, counting the rows it accepted."""

    def __init__(self):
        self.accepted = 0
        self.real = _Validator.flow_fast

    def __call__(self, validator, *args):
        ok = self.real(validator, *args)
        self.accepted += ok
        return ok


def _both(rows, user, lang, fmt="csv", **kw):
    """(slow result, fast result, rows the fast path accepted), with the stored state after each."""
    with mock.patch.object(_Validator, "flow_fast", lambda self, *a: False):
        slow = _import(rows, user, lang, fmt, **kw)
        slow_state = _state(slow)
    _reset()
    counted = _Counted()
    with mock.patch.object(_Validator, "flow_fast", lambda self, *a: counted(self, *a)):
        fast = _import(rows, user, lang, fmt, **kw)
        fast_state = _state(fast)
    return (slow, slow_state), (fast, fast_state), counted.accepted


def _state(result):
    records = sorted(
        FlowRecord.objects.filter(batch_id=result.batch_id).values_list(*RECORD_COLS), key=repr
    )
    staged = sorted(
        tuple(map(str, r))
        for r in ImportRow.objects.filter(batch_id=result.batch_id).values_list(*STAGED_COLS)
    )
    errors = [(e.sheet, e.row, e.column, e.message) for e in result.errors]
    counts = (result.ok, result.rows, result.created, result.updated, result.unchanged,
              result.warnings, result.error_count)  # fmt: skip
    return records, staged, errors, counts


def _reset():
    FlowRecord.objects.filter(batch__isnull=False).exclude(batch__in=_history_batches()).delete()
    ImportBatch.objects.exclude(pk__in=_history_batches()).delete()


def _history_batches():
    return ImportBatch.objects.order_by("pk").values_list("pk", flat=True)[:1]


def _clean_rows(w):
    e1, e2 = w.e1.tax_code, w.e2.tax_code
    return [
        F.flow_row(e1, "energy.electricity.grid", period="01/2024", quantity="1.234,5"),
        F.flow_row(e1, "electricity", period="02/2024", quantity="12,75", unit="MWh"),
        F.flow_row(
            e2, "water.fresh", period="2024-03", quantity=12, unit="m³", data_quality="ước tính"
        ),  # fmt: skip
        F.flow_row(
            e2,
            "waste.ash.fly",
            direction="ra",
            period="03/2024",
            quantity="0,5",
            unit="kg",
            fate="bán",
            counterparty=e1,
        ),  # fmt: skip
        F.flow_row(e1, "energy.fuel.coal", period="06/2024", quantity="1,2345", unit="t"),
        F.flow_row(
            e1, "energy.electricity.grid", period="03/2024", quantity="1.234,5", park="K1"
        ),  # fmt: skip
        {
            "park": "K1",
            "facility": "Trạm XLNT K1",
            "resource": "water.treated",
            "direction": "out",
            "period": "01/2024",
            "quantity": 5,
            "unit": "m3",
        },  # fmt: skip
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_clean_file_stores_the_same_rows_and_warnings(w, fmt):
    rows = F.table("flows", _clean_rows(w), lang="vi")
    (slow, s_state), (fast, f_state), accepted = _both(rows, w.admin, "vi", fmt)
    assert slow.ok and fast.ok, (slow.errors, fast.errors)
    assert accepted == 6  # every enterprise row; the shared-facility row takes the slow path
    assert f_state == s_state
    records = s_state[0]
    assert len(records) == 7 and fast.warnings == 1  # 1,2345 t of coal against 420 t
    assert sorted(str(r[6]) for r in records)[:2] == ["0.500000", "1.234500"]
    # and previewed: the staged rows with their phrased warnings
    _reset()
    (_s, s_state), (_f, f_state), _n = _both(rows, w.admin, "vi", fmt, preview=True)
    assert f_state == s_state and len(s_state[1]) == 7
    assert sum(r[-1] != "[]" for r in s_state[1]) == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_mixed_file_reports_the_same_errors_in_the_same_order(w, fmt):
    e1, e2 = w.e1.tax_code, w.e2.tax_code
    rows = _clean_rows(w) + [
        F.flow_row(e1, period="04/2024", quantity="1,234"),  # ambiguous in Vietnamese
        F.flow_row(e1, period="05/2024", quantity="12abc"),  # not a number
        F.flow_row(e1, period="07/2024", quantity=3, unit="furlong"),  # unknown unit
        F.flow_row(e1, period="08/2024", quantity=3, unit="kg"),  # wrong dimension
        F.flow_row(e1, "unobtainium", period="08/2024"),  # unknown resource
        F.flow_row(e1, "energy.electricity.grid", period="01/2024", quantity=7),  # duplicate
        F.flow_row(e1, period="09/2024", quantity="-4"),  # negative
        F.flow_row(e1, period="07/2025", quantity=4),  # future
        F.flow_row("0000000000", period="09/2024"),  # bad tax code
        F.flow_row(e2, period="10/2024", quantity=None),  # required value missing
        F.flow_row(e2, period="10/2024", park="K3"),  # not the enterprise's park
        F.flow_row(e2, period="11/2024", origin="mua"),  # origin with an input: fine
        F.flow_row(e2, direction="ra", period="11/2024", origin="mua"),  # origin on an output
        F.flow_row(e2, period="12/2024", counterparty=e2),  # counterparty is itself
        F.flow_row(e2, period="12/2023", quantity="1.234.567,891"),  # clean, after the errors
    ]
    table = F.table("flows", rows, lang="vi")
    (slow, s_state), (fast, f_state), accepted = _both(table, w.admin, "vi", fmt)
    assert not slow.ok and not fast.ok
    assert f_state == s_state
    errors = s_state[2]
    assert len(errors) >= 11, errors
    # the duplicate (sheet row 14: header row 1, seven clean rows, then the sixth bad one)
    # names the first row, sheet row 2
    dups = [e for e in errors if e[1] == 14]
    assert len(dups) == 1 and dups[0][2] == "Mã tài nguyên" and " 2" in dups[0][3], errors
    assert {e[1] for e in errors} == set(range(9, 23)) - {20}, errors  # row 20 is clean
    assert [e[1] for e in errors] == sorted(e[1] for e in errors)  # file order
    assert accepted == 6 + 2  # the clean enterprise rows went through the fast path
    assert FlowRecord.objects.exclude(pk__in=w.history).count() == 0  # nothing written


def test_applying_marks_stored_results_stale_once_and_writes_the_parks(w):
    rows = F.table("flows", _clean_rows(w), lang="vi")
    with (
        mock.patch.object(stored, "mark_stale", wraps=stored.mark_stale) as stale,
        mock.patch.object(FlowRecordQuerySet, "sync_parks") as sync,
    ):  # fmt: skip
        result = _import(rows, w.admin, "vi")
    assert result.ok and result.created == 7
    assert stale.call_count == 1
    (keys,), _kw = stale.call_args
    assert {p for p, _y in keys} == {w.k1.pk}
    assert not sync.called
    written = FlowRecord.objects.filter(batch_id=result.batch_id)
    assert written.count() == 7 and not written.filter(park__isnull=True).exists()
    assert set(written.values_list("park_id", flat=True)) == {w.k1.pk}
    # undo still repairs the re-inserted rows' parks (nothing was deleted here)
    batches.undo_batch(result.batch_id)
    assert not FlowRecord.objects.filter(batch_id=result.batch_id).exists()


def test_staged_rows_round_trip_through_the_copy_text(w):
    """Text with tabs, newlines and backslashes, NULLs and the warnings' JSON arrive intact."""
    batch = ImportBatch.objects.create(filename="x.csv", kind="flows", rows=2, total=2)
    odd = ["tab\there", "back\\slash \\N", "new\nline\r", "“quoted” ưu"]
    rows = [
        (batch.pk, 2, w.e1.pk, "", None, "water.fresh", "in", dt.date(2024, 1, 1),
         Decimal("1234.500000"), "m3", 1234.5, "m3", "", "", None, "", "measured", "", []),
        (batch.pk, 3, None, "a\\b\tc", None, "energy.electricity.grid", "out",
         dt.date(2023, 12, 1), Decimal("0.000001"), "kWh", 1e-06, "kWh", "", "sold", w.e2.pk,
         "", "estimated", "", odd),
    ]  # fmt: skip
    batches.stage_batch(batch, rows, classify_rows=False)
    got = list(ImportRow.objects.filter(batch=batch).order_by("line").values_list(*STAGED_COLS))
    assert got == [r[1:-3] + r[-3:-2] + r[-1:] for r in rows]
