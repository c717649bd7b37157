"""`eiphub import` and `eiphub export` from the command line."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from eiphub.flows.models import FlowRecord

from . import io_factories as F

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return F.world()


def write(tmp_path, name, rows, fmt="csv"):
    path = tmp_path / name
    f = F.csv_file(rows) if fmt == "csv" else F.xlsx_file({"Data": rows})
    path.write_bytes(f.getvalue())
    return str(path)


def test_import_then_export_round_trip(w, tmp_path):
    rows = F.table("flows", [F.flow_row(w.e1.tax_code, period=f"{m:02d}/2024") for m in (1, 2, 3)])
    path = write(tmp_path, "flows.xlsx", rows, fmt="xlsx")
    out = io.StringIO()
    call_command("import", path, "--user", "dev", "--every", "1", stdout=out)
    assert "Imported 3 rows" in out.getvalue() and "write: 3/3 rows" in out.getvalue()
    assert FlowRecord.objects.filter(enterprise=w.e1).count() == 3

    target = tmp_path / "out.xlsx"
    call_command("export", "--what", "flows", "--park", "K1", "--year", "2024", "--format",
                 "xlsx", "--lang", "en", "--user", "ent1", "--out", str(target), stdout=io.StringIO())  # fmt: skip
    ws = load_workbook(target, read_only=True).worksheets[0]
    got = [r for r in ws.iter_rows(values_only=True)][1:]
    assert [(r[0], r[7]) for r in got] == [(w.e1.tax_code, f"{m:02d}/2024") for m in (1, 2, 3)]


def test_import_errors_exit_non_zero_and_write_nothing(w, tmp_path):
    rows = F.table(
        "flows", [F.flow_row(w.e1.tax_code), F.flow_row(w.e3.tax_code, period="02/2024")]
    )
    path = write(tmp_path, "bad.csv", rows)
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import", path, "--user", "ent1", "--lang", "en", stderr=err)
    assert exc.value.returncode == 1
    assert err.getvalue().strip() == (
        f"Sheet bad.csv, row 3, column Tax code: Unknown tax code “{w.e3.tax_code}”."
    )
    assert FlowRecord.objects.count() == 0
    # the operator (no --user) has full scope
    call_command("import", path, stdout=io.StringIO())
    assert FlowRecord.objects.count() == 2


def test_export_template_default_name(w, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("export", "--what", "template", "--kind", "parks", "--format", "csv",
                 stdout=io.StringIO())  # fmt: skip
    assert (tmp_path / "eiphub-template-parks-vi.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(CommandError):
        call_command("export", "--park", "NOPE", stdout=io.StringIO())


def test_cli_one_exported_row_leaves_the_month_alone_dry_run_replace_and_undo(w, tmp_path):
    """Issue 11 regression: importing one exported row had replaced 16 records."""
    month = [F.flow_row(w.e1.tax_code, r, period="03/2024", quantity=q, unit=u)
             for r, q, u in (("energy.electricity.grid", 100, "kWh"), ("water.fresh", 5, "m3"),
                             ("energy.fuel.coal", 42, "t"))]  # fmt: skip
    call_command("import", write(tmp_path, "m.csv", F.table("flows", month)), stdout=io.StringIO())
    one = write(tmp_path, "one.csv", F.table("flows", [{**month[0], "quantity": 120}]))
    out = io.StringIO()
    call_command("import", one, "--dry-run", "--replace-months", stdout=out)
    assert "Dry run, nothing written" in out.getvalue() and "1 updated" in out.getvalue()
    assert "2 other records of the months deleted" in out.getvalue()
    assert FlowRecord.objects.get(resource_code="energy.electricity.grid").quantity == 100
    out = io.StringIO()
    call_command("import", one, stdout=out)
    assert "1 updated" in out.getvalue() and "0 other records" in out.getvalue()
    assert FlowRecord.objects.filter(enterprise=w.e1).count() == 3
    batch = out.getvalue().split("--undo ")[1].split("`")[0]
    call_command("import", "--undo", batch, stdout=io.StringIO())
    assert FlowRecord.objects.get(resource_code="energy.electricity.grid").quantity == 100
    call_command("import", one, "--replace-months", stdout=io.StringIO())
    assert FlowRecord.objects.filter(enterprise=w.e1).count() == 1
