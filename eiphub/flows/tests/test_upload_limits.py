"""Upload limits (issue 18, finding 3): oversized files, too many rows and zip bombs are
refused with a clear message before they are parsed; nothing is written."""

import io
import zipfile

import pytest
from django.test import override_settings

from eiphub.flows.importer import OPERATOR, import_file
from eiphub.flows.models import FlowRecord

pytestmark = pytest.mark.django_db

HEADER = "tax_code;period;resource;direction;quantity;unit\n"


def _messages(result):
    return " ".join(e.message for e in result.errors)


@override_settings(EIPHUB_UPLOAD_MAX_BYTES=1000)
def test_too_large_file_is_refused():
    data = io.BytesIO((HEADER + "0100000001;01/2024;water.fresh;in;1;m3\n" * 100).encode())
    data.name = "big.csv"
    result = import_file(data, "big.csv", OPERATOR)
    assert not result.ok and "too large" in _messages(result)
    assert FlowRecord.objects.count() == 0


@override_settings(EIPHUB_UPLOAD_MAX_ROWS=10)
def test_too_many_rows_are_refused():
    data = io.BytesIO((HEADER + "0100000001;01/2024;water.fresh;in;1;m3\n" * 11).encode())
    result = import_file(data, "rows.csv", OPERATOR)
    assert not result.ok and "too many rows" in _messages(result)


def test_zip_bomb_is_refused_before_openpyxl_reads_it(monkeypatch):
    import openpyxl

    def boom(*a, **k):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * 50_000_000 + b"</a>")
    buf.seek(0)
    assert len(buf.getvalue()) < 200_000  # 50 MB of zeros compress to < 0.2 MB
    result = import_file(buf, "bomb.xlsx", OPERATOR)
    assert not result.ok and "expands" in _messages(result)


def test_vietnamese_message():
    from django.utils import translation

    with translation.override("vi"), override_settings(EIPHUB_UPLOAD_MAX_BYTES=10):
        result = import_file(io.BytesIO(b"x" * 100), "a.csv", OPERATOR, lang="vi")
    assert "quá lớn" in _messages(result)
