"""Spreadsheet formula injection: one rule for every XLSX and CSV export.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
as a formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` in an enterprise
name would become a live link in the board's export).  Exports pass every value through
:func:`csv_value` (CSV: such text is prefixed with an apostrophe) or :func:`xlsx_row`
(XLSX: such text is written as a string cell, so it round-trips unchanged but never
evaluates).  Numbers stay numbers; a text that is just a signed number (``-12,5``) is left
alone.  No Django import: used by the web layer and by batch jobs alike.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d[\d.,\s]*(e[-+]?\d+)?\s*%?$", re.IGNORECASE)


def is_formula_like(value) -> bool:
    """True for a text that a spreadsheet would evaluate as a formula."""
    return isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.match(value)


def csv_value(value):
    """``value`` safe for a CSV cell: formula-like text gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def xlsx_row(ws, values) -> list:
    """``values`` for ``ws.append``: formula-like text becomes a string-typed cell.

    Works for normal and write-only worksheets; other values (and cells already built by
    the caller) pass through.
    """
    from openpyxl.cell import WriteOnlyCell

    out = []
    for v in values:
        if is_formula_like(v):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(v)
    return out
