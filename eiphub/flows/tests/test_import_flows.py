"""Importing monthly flows: all-or-nothing validation, scoping, replace rule, formats."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils.translation import trans_real

from eiphub.flows import io_schema as S
from eiphub.flows.batches import apply_batch, undo_batch
from eiphub.flows.importer import OPERATOR, import_file, parse_decimal, parse_period
from eiphub.flows.models import FlowRecord, FlowRevision, ImportBatch, ImportRow
from eiphub.registry.models import Enterprise

from . import io_factories as F

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 15)
RESOURCES = [
    ("energy.electricity.grid", "kWh"),
    ("water.fresh", "m3"),
    ("energy.fuel.diesel", "t"),
    ("waste.ash.fly", "t"),
    ("material.metal.steel", "t"),
]


@pytest.fixture
def w():
    return F.world()


def run(rows, user, fmt="csv", lang="en", **kw):
    if fmt == "csv":
        f, name = F.csv_file(rows), "flows.csv"
    else:
        f, name = F.xlsx_file({"Data": rows}), "flows.xlsx"
    return import_file(f, name, user, lang=lang, today=kw.pop("today", TODAY), **kw)


def many_rows(enterprises, n):
    """n distinct valid rows spread over enterprises, months of 2024 and resources."""
    rows = []
    for i in range(n):
        ent = enterprises[i % len(enterprises)]
        res, unit = RESOURCES[(i // len(enterprises)) % len(RESOURCES)]
        month = (i // (len(enterprises) * len(RESOURCES))) % 12 + 1
        year = 2024 - i // (len(enterprises) * len(RESOURCES) * 12)
        rows.append(F.flow_row(ent.tax_code, res, "in", f"{month:02d}/{year}", i + 1, unit))
    return rows


def test_one_bad_row_among_1000_writes_nothing_and_names_row_and_column(w):
    ents = [w.e1, w.e2] + [F.enterprise(w.k1, 5000 + i) for i in range(8)]
    rows = many_rows(ents, 1000)
    rows[636]["quantity"] = -5  # the 637th data row, row 638 in the sheet
    for fmt in ("csv", "xlsx"):
        result = run(F.table("flows", rows), w.dev_user, fmt=fmt)
        assert not result.ok
        assert result.rows == 1000
        assert [(e.row, e.column) for e in result.errors] == [(638, "Quantity")]
        assert "negative" in result.errors[0].message
        assert FlowRecord.objects.count() == 0
        assert ImportBatch.objects.count() == 0
    rows[636]["quantity"] = 5
    result = run(F.table("flows", rows), w.dev_user, fmt="xlsx")
    assert result.ok and result.created == 1000
    assert FlowRecord.objects.count() == 1000
    assert FlowRecord.objects.filter(batch_id=result.batch_id).count() == 1000


@pytest.mark.parametrize(
    "change, column, fragment",
    [
        ({"resource": "unobtainium"}, "Resource", "Unknown resource"),
        ({"resource": "energy.fuel"}, "Resource", "is a group"),
        ({"unit": "kg"}, "Unit", "cannot measure"),
        ({"unit": "bananas"}, "Unit", "Unknown unit"),
        ({"quantity": -1}, "Quantity", "must not be negative"),
        ({"quantity": "lots"}, "Quantity", "not a number"),
        ({"tax_code": "0000000000"}, "Tax code", "not a valid"),
        ({"period": "07/2025"}, "Period (month/year)", "in the future"),
        ({"period": "13/2024"}, "Period (month/year)", "not a month"),
        ({"direction": "sideways"}, "Direction (in/out)", "is not one of"),
        ({"fate": "landfill"}, "Fate", "outputs only"),
        ({"data_quality": "guess"}, "Data quality", "is not one of"),
    ],
)
def test_each_error_names_its_column(w, change, column, fragment):
    good = F.flow_row(w.e1.tax_code, period="02/2024")
    bad = {**F.flow_row(w.e1.tax_code, period="03/2024"), **change}
    result = run(F.table("flows", [good, bad]), w.ent_user)
    assert not result.ok
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("flows.csv", 3, column)]
    assert fragment in result.errors[0].message
    assert FlowRecord.objects.count() == 0


def test_out_of_scope_tax_code_is_reported_exactly_like_an_unknown_one(w):
    unknown = F.enterprise(w.k1, 9999).tax_code
    Enterprise.objects.filter(tax_code=unknown).delete()  # a valid MST that does not exist
    for tax in (w.e2.tax_code, w.e3.tax_code, unknown):  # same park, other park, nowhere
        result = run(F.table("flows", [F.flow_row(tax)]), w.ent_user)
        assert [(e.row, e.column) for e in result.errors] == [(2, "Tax code")]
        assert result.errors[0].message == f"Unknown tax code “{tax}”."
    # the counterparty column follows the same rule for enterprises the user cannot see
    row = F.flow_row(w.e1.tax_code, counterparty=w.e3.tax_code)
    result = run(F.table("flows", [row]), w.ent_user)
    assert [(e.column, e.message) for e in result.errors] == [
        ("Counterparty tax code", f"Unknown tax code “{w.e3.tax_code}”.")
    ]
    assert FlowRecord.objects.count() == 0


def test_duplicate_row_names_the_first_one(w):
    rows = [
        F.flow_row(w.e1.tax_code),
        F.flow_row(w.e1.tax_code, resource="water.fresh", unit="m3"),
        F.flow_row(w.e1.tax_code, resource="Điện lưới", quantity=7),  # same resource by name
    ]
    result = run(F.table("flows", rows), w.ent_user)
    assert [(e.row, e.column) for e in result.errors] == [(4, "Resource")]
    assert "as row 2" in result.errors[0].message


def test_all_errors_are_collected_not_only_the_first(w):
    rows = [F.flow_row(w.e1.tax_code, period=f"{m:02d}/2024", quantity=-m) for m in range(1, 13)]
    result = run(F.table("flows", rows), w.ent_user)
    assert [e.row for e in result.errors] == list(range(2, 14))


def _three_records(w):
    first = [
        F.flow_row(w.e1.tax_code, period="01/2024", quantity=10),
        F.flow_row(w.e1.tax_code, "water.fresh", period="01/2024", quantity=5, unit="m3"),
        F.flow_row(w.e1.tax_code, period="02/2024", quantity=20),
    ]
    assert run(F.table("flows", first), w.ent_user).created == 3


def test_reimport_replaces_only_the_record_it_names(w):
    """Issue 11 regression: a one-row file of a month left the month's other records alone."""
    _three_records(w)
    again = [F.flow_row(w.e1.tax_code, period="01/2024", quantity=11, unit="MWh")]
    result = run(F.table("flows", again), w.ent_user)
    assert (result.created, result.updated, result.unchanged, result.replaced) == (0, 1, 0, 0)
    got = {(f.period.month, f.resource_code): f for f in FlowRecord.objects.all()}
    assert set(got) == {
        (1, "energy.electricity.grid"), (1, "water.fresh"), (2, "energy.electricity.grid")
    }  # fmt: skip
    jan = got[(1, "energy.electricity.grid")]
    assert (jan.quantity, jan.unit, jan.quantity_canonical) == (Decimal(11), "MWh", 11000.0)
    assert jan.entered_by == w.ent_user and jan.version == 2
    assert got[(1, "water.fresh")].quantity == 5
    assert got[(2, "energy.electricity.grid")].quantity == 20


def test_same_values_again_are_unchanged(w):
    _three_records(w)
    same = [F.flow_row(w.e1.tax_code, period="02/2024", quantity=20)]
    result = run(F.table("flows", same), w.ent_user)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert FlowRecord.objects.get(period=dt.date(2024, 2, 1)).version == 1


def test_replace_months_is_an_explicit_choice(w):
    _three_records(w)
    again = [F.flow_row(w.e1.tax_code, period="01/2024", quantity=11, unit="MWh")]
    result = run(F.table("flows", again), w.ent_user, replace_months=True)
    assert (result.created, result.updated, result.replaced) == (0, 1, 1)
    assert not FlowRecord.objects.filter(resource_code="water.fresh").exists()
    assert FlowRecord.objects.filter(period=dt.date(2024, 2, 1)).count() == 1


def test_dry_run_counts_and_writes_nothing(w):
    _three_records(w)
    rows = [
        F.flow_row(w.e1.tax_code, period="01/2024", quantity=12),
        F.flow_row(w.e1.tax_code, period="03/2024", quantity=30),
    ]
    batches = ImportBatch.objects.count()
    result = run(F.table("flows", rows), w.ent_user, dry_run=True, replace_months=True)
    assert (result.created, result.updated, result.replaced, result.batch_id) == (1, 1, 1, None)
    assert FlowRecord.objects.count() == 3
    assert (
        FlowRecord.objects.get(
            period=dt.date(2024, 1, 1), resource_code="energy.electricity.grid"
        ).quantity
        == 10
    )
    assert ImportBatch.objects.count() == batches


def test_undo_restores_values_reinserts_deleted_and_removes_created(w):
    _three_records(w)
    before = sorted(
        FlowRecord.objects.values_list("pk", "resource_code", "period", "quantity", "unit")
    )
    rows = [
        F.flow_row(w.e1.tax_code, period="01/2024", quantity=11, unit="MWh"),
        F.flow_row(w.e1.tax_code, period="03/2024", quantity=30),
    ]
    result = run(F.table("flows", rows), w.ent_user, replace_months=True)
    assert (result.created, result.updated, result.replaced) == (1, 1, 1)
    revs = FlowRevision.objects.filter(batch_id=result.batch_id)
    assert sorted(revs.values_list("action", flat=True)) == ["delete", "update"]
    upd = revs.get(action="update")
    assert (upd.old_quantity, upd.old_unit, upd.new_quantity, upd.new_unit) == (
        10,
        "kWh",
        11,
        "MWh",
    )
    undo_batch(result.batch_id, w.ent_user)
    after = sorted(
        FlowRecord.objects.values_list("pk", "resource_code", "period", "quantity", "unit")
    )
    assert after == before
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert batch.status == "undone" and batch.undone_by == w.ent_user
    undo_batch(result.batch_id, w.ent_user)  # twice: nothing more happens
    assert FlowRecord.objects.count() == 3


def test_preview_writes_nothing_until_applied_and_apply_is_idempotent(w):
    _three_records(w)
    rows = [F.flow_row(w.e1.tax_code, period="01/2024", quantity=12),
            F.flow_row(w.e1.tax_code, period="04/2024", quantity=40)]  # fmt: skip
    result = run(F.table("flows", rows), w.ent_user, preview=True)
    assert result.status == "preview" and (result.created, result.updated) == (1, 1)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert [r["action"] for r in batch.preview["rows"]] == ["u", "c"]
    assert FlowRecord.objects.count() == 3
    apply_batch(batch.pk)
    apply_batch(batch.pk)
    assert FlowRecord.objects.count() == 4
    assert (
        FlowRecord.objects.get(
            period=dt.date(2024, 1, 1), resource_code="energy.electricity.grid"
        ).quantity
        == 12
    )
    assert not ImportRow.objects.exists()


def test_far_from_history_is_a_warning_in_the_preview(w):
    rows = [F.flow_row(w.e1.tax_code, "energy.fuel.coal", period=f"{m:02d}/2024", quantity=420, unit="t")
            for m in range(1, 6)]  # fmt: skip
    assert run(F.table("flows", rows), w.ent_user).created == 5
    odd = [
        F.flow_row(w.e1.tax_code, "energy.fuel.coal", period="06/2024", quantity="1.234", unit="t")
    ]
    result = run(F.table("flows", odd), w.ent_user, preview=True)  # English: 1.234 is ambiguous
    assert not result.ok and "1.234" in result.errors[0].message
    odd[0]["quantity"] = "1,2345"  # vi: 1.2345 t, far below the usual 420 t
    result = run(F.table("flows", odd), w.ent_user, preview=True, lang="vi")
    assert result.ok and result.warnings == 1
    text = ImportBatch.objects.get(pk=result.batch_id).preview["warned"][0]["warnings"][0]
    assert "420" in text


def test_vietnamese_headers_values_and_xlsx_dates(w):
    header = ["Mã số thuế", "mã tài nguyên", "CHIEU (VAO/RA)", "Kỳ (tháng/năm)", "Số lượng",
              "Đơn vị", "Hướng xử lý", "Chất lượng dữ liệu"]  # fmt: skip
    rows = [
        header,
        [
            w.e1.tax_code,
            "tro bay",
            "ra",
            dt.datetime(2024, 3, 1),
            "1.234,5",
            "kg",
            "Bán",
            "Ước tính",
        ],
        [int(w.e1.tax_code), "Nước sạch", "vào", "2024-03", 12.5, "m³", None, "hóa đơn"],
    ]
    result = run(rows, w.ent_user, fmt="xlsx", lang="vi")
    assert result.ok, result.errors
    ash = FlowRecord.objects.get(resource_code="waste.ash.fly")
    assert (ash.direction, ash.period, ash.fate, ash.data_quality) == (
        "out", dt.date(2024, 3, 1), "sold", "estimated",
    )  # fmt: skip
    assert ash.quantity == Decimal("1234.5") and ash.quantity_canonical == pytest.approx(1.2345)
    water = FlowRecord.objects.get(resource_code="water.fresh")
    assert water.enterprise == w.e1 and water.quantity_canonical == 12.5


def test_csv_with_bom_and_semicolons_and_english_headers(w):
    rows = F.table("flows", [F.flow_row(w.e1.tax_code, quantity="2,5", unit="MWh")])
    f = F.csv_file(rows, delimiter=";", bom=True)
    result = import_file(f, "data.csv", w.ent_user, today=TODAY)
    assert result.ok, result.errors
    assert FlowRecord.objects.get().quantity_canonical == 2500.0


def test_shared_facility_rows_need_park_scope(w):
    row = {"park": "K1", "facility": "trạm xlnt k1", "resource": "water.treated",
           "direction": "out", "period": "01/2024", "quantity": 900, "unit": "m3",
           "fate": "discharge"}  # fmt: skip
    rows = F.table("flows", [row])
    denied = run(rows, w.ent_user)
    assert [e.column for e in denied.errors] == ["Shared facility"]
    assert run(rows, w.dev_user).ok
    assert FlowRecord.objects.get().facility == w.wwtp


def test_missing_and_unknown_columns_are_reported_on_the_header_row(w):
    rows = [["Tax code", "Resource", "Direction", "Period", "Quantity", "Colour"],
            [w.e1.tax_code, "water.fresh", "in", "01/2024", 1, "blue"]]  # fmt: skip
    result = run(rows, w.ent_user)
    assert {(e.row, e.column) for e in result.errors} == {(1, "Colour"), (1, "Unit")}


def test_vietnamese_messages_when_vi_is_active(w, monkeypatch):
    catalog = trans_real.translation("vi")._catalog._catalogs[0]
    monkeypatch.setitem(catalog, "Quantity must not be negative.", "Số lượng không được âm.")
    rows = F.table("flows", [F.flow_row(w.e1.tax_code, quantity=-3)], lang="vi")
    vi = run(rows, w.ent_user, lang="vi").errors
    en = run(rows, w.ent_user, lang="en").errors
    assert [(e.column, e.message) for e in vi] == [("Số lượng", "Số lượng không được âm.")]
    assert [e.message for e in en] == ["Quantity must not be negative."]
    # a header missing from a Vietnamese run is named in Vietnamese
    rows = [r[:-1] for r in F.table("flows", [F.flow_row(w.e1.tax_code)], lang="vi",
                                    keys=["tax_code", "resource", "direction", "period", "quantity", "unit"])]  # fmt: skip
    assert [e.column for e in run(rows, w.ent_user, lang="vi").errors] == ["Đơn vị"]


def test_operator_imports_enterprises_and_their_flows_in_one_workbook(w):
    new_tax = F.enterprise(w.k2, 7777).tax_code
    Enterprise.objects.filter(tax_code=new_tax).delete()
    ents = F.table("enterprises", [{"tax_code": new_tax, "name_vi": "Công ty Mới", "park": "K2",
                                    "vsic": "2410", "size": "Lớn"}])  # fmt: skip
    flows = F.table("flows", [F.flow_row(new_tax, counterparty=w.e1.tax_code)])
    f = F.xlsx_file({"Monthly flows": flows, "Enterprises": ents})
    result = import_file(f, "all.xlsx", OPERATOR, today=TODAY)
    assert result.ok, result.errors
    assert result.rows_by_kind == {"enterprises": 1, "flows": 1}
    rec = FlowRecord.objects.get()
    assert rec.enterprise.tax_code == new_tax and rec.enterprise.size == "large"
    assert rec.counterparty == w.e1 and rec.entered_by is None


def test_progress_is_reported(w):
    calls = []
    rows = F.table("flows", many_rows([w.e1, w.e2], 30))
    result = run(rows, w.dev_user, progress=lambda *a: calls.append(a))
    assert result.ok
    assert calls[0] == ("validate", 0, 30) and calls[-1] == ("write", 30, 30)


def test_number_and_period_parsing():
    assert parse_decimal("1.234,5") == Decimal("1234.5")
    assert parse_decimal("1,234.5") == Decimal("1234.5")
    assert parse_decimal("12,5") == Decimal("12.5")
    assert parse_decimal("1 000 000") == Decimal(1000000)
    assert parse_period("3/2024") == parse_period("2024-03") == dt.date(2024, 3, 1)
    assert parse_period(45352) == dt.date(2024, 3, 1)  # Excel serial for 2024-03-01
    assert parse_period("Tháng 12/2023") == dt.date(2023, 12, 1)
    assert S.FLOWS.match_header("ma so thue (MST)").key == "tax_code"
    assert S.kind_for_headers(["MST", "Tài nguyên", "Chiều", "Tháng", "Số lượng", "ĐVT"]) is S.FLOWS


def test_unreadable_file_is_one_error():
    result = import_file(io.BytesIO(b"not a zip"), "x.xlsx", OPERATOR)
    assert not result.ok and result.errors[0].row == 0 and "Excel" in result.errors[0].message
    result = import_file(io.BytesIO(b"\xff\xfe\x00bad"), "x.csv", OPERATOR)
    assert "UTF-8" in result.errors[0].message
