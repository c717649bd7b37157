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
