"""File types read from a file's own bytes, never from its name (issue 14: one home for
the rule; used by listing attachments and annual-report evidence).

Plain Python: ``sniff(data)`` names the type of a complete file, ``MIME`` its content type.
"""

from __future__ import annotations

import io
import zipfile

MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff(data: bytes) -> str | None:
    """'pdf', 'png', 'jpeg', 'docx' or 'xlsx' from the file's content, or None.

    A PDF must be complete (its ``%%EOF`` marker near the end); an Office file must be a
    readable zip with the package's content types and its main part."""
    if data.startswith(b"%PDF-"):
        return "pdf" if b"%%EOF" in data[-2048:] else None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None
