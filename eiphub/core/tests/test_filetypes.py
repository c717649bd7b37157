"""One content sniffer for uploads (core/filetypes.py)."""

import io
import zipfile

from eiphub.core.filetypes import MIME, sniff


def _zip(*names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return buf.getvalue()


def test_types_come_from_content():
    assert sniff(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n") == "pdf"
    assert sniff(b"%PDF-1.7\n1 0 obj<<>>endobj\n") is None  # truncated
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff(b"\xff\xd8\xff\xe0....") == "jpeg"
    assert sniff(_zip("[Content_Types].xml", "word/document.xml")) == "docx"
    assert sniff(_zip("[Content_Types].xml", "xl/workbook.xml")) == "xlsx"
    assert sniff(_zip("readme.txt")) is None
    assert sniff(b"PK\x03\x04 not a zip") is None
    assert sniff(b"<html><script>") is None
    assert set(MIME) == {"pdf", "png", "jpeg", "docx", "xlsx"}
