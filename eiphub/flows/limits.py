"""Upload limits of the importer (issue 18): checked before a byte is parsed.

``check_upload(fileobj, filename)`` is called once at the importer's file-reading entry
point.  It refuses, with a translated message:
- a file larger than ``EIPHUB_UPLOAD_MAX_BYTES`` (default 20 MB);
- a CSV with more than ``EIPHUB_UPLOAD_MAX_ROWS`` lines (default 200,000);
- an .xlsx whose members decompress to more than ``EIPHUB_UPLOAD_MAX_UNZIPPED`` bytes
  (default 200 MB) or compress more than 200:1 (a zip bomb), read from the zip directory
  before openpyxl opens it, or whose sheets declare more rows than the row limit.
"""

from __future__ import annotations

import io
import os
import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

MAX_RATIO = 200
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:?[A-Z]*(\d*)"')


class UploadLimitError(ValueError):
    """An upload beyond a limit; the message is translated."""


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _size(fileobj) -> int:
    if isinstance(fileobj, str | os.PathLike):
        return os.path.getsize(fileobj)
    pos = fileobj.tell()
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(pos)
    return size


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f}"


def check_upload(fileobj, filename: str) -> None:
    max_bytes = limit("EIPHUB_UPLOAD_MAX_BYTES", 20_000_000)
    max_rows = limit("EIPHUB_UPLOAD_MAX_ROWS", 200_000)
    size = _size(fileobj)
    if size > max_bytes:
        raise UploadLimitError(
            _("The file is too large (%(size)s MB; at most %(max)s MB). Split it into parts.")
            % {"size": _mb(size), "max": _mb(max_bytes)}
        )
    ext = os.path.splitext(filename or "")[1].lower()
    src = open(fileobj, "rb") if isinstance(fileobj, str | os.PathLike) else fileobj
    pos = src.tell()
    try:
        if ext == ".csv":
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: src.read(1 << 20), b""))
            if lines > max_rows:
                raise UploadLimitError(_too_many_rows(lines, max_rows))
        elif ext in (".xlsx", ".xlsm"):
            _check_zip(src, max_rows)
    finally:
        if src is fileobj:
            src.seek(pos)
        else:
            src.close()


def _too_many_rows(rows: int, max_rows: int) -> str:
    return _("The file has too many rows (%(rows)s; at most %(max)s). Split it into parts.") % {
        "rows": f"{rows:,}",
        "max": f"{max_rows:,}",
    }


def _check_zip(src, max_rows: int) -> None:
    max_unzipped = limit("EIPHUB_UPLOAD_MAX_UNZIPPED", 200_000_000)
    try:
        zf = zipfile.ZipFile(src)
    except zipfile.BadZipFile:
        return  # the importer reports an unreadable workbook itself
    with zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > max_unzipped or (info.file_size > 1_000_000 and ratio > MAX_RATIO):
                raise UploadLimitError(
                    _(
                        "The workbook expands to more than %(max)s MB when opened (or is "
                        "compressed abnormally); it was not read."
                    )
                    % {"max": _mb(max_unzipped)}
                )
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with zf.open(name) as fh:
                    m = _DIMENSION.search(fh.read(4096))
                if m and m.group(1) and int(m.group(1)) > max_rows + 1:
                    raise UploadLimitError(_too_many_rows(int(m.group(1)) - 1, max_rows))
