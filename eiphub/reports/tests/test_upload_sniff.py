"""Both upload paths (exchange attachments, report evidence) sniff with core/filetypes.py.

Moved out of core/tests (issue 14: the core's tests import no Django app)."""

import io
import zipfile


def _zip(*names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return buf.getvalue()


def test_both_upload_paths_use_it():
    from eiphub.exchange import attachments
    from eiphub.reports import evidence

    pdf = b"%PDF-1.4\n%%EOF\n"
    assert attachments.sniff(pdf) == "application/pdf" and evidence.sniff(pdf[:16], pdf) == "pdf"
    docx = _zip("[Content_Types].xml", "word/document.xml")
    assert attachments.sniff(docx) is None  # not an accepted attachment type
    assert evidence.sniff(docx[:16], docx) == "docx"
