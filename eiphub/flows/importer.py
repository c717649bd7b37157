"""Import parks, enterprises and monthly flows from Excel (.xlsx) or CSV files.

The importer validates the whole file first and collects every error (sheet,
row, column, message in the active language).  A file with any error writes
nothing.  A clean file is written in one transaction with set-based queries:

- the user's writable enterprises, facilities and parks are loaded once into
  dictionaries (never a query per row);
- flows of every (owner, month) present in the file are deleted, then the
  file's rows are bulk-inserted (the replace rule: re-importing a month
  replaces it instead of duplicating it);
- parks and enterprises are upserted by park code / tax code.

Who may write what is asked of ``eiphub.accounts.scoping`` only.  A tax code
outside the user's scope is reported exactly like an unknown one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _

from eiphub.accounts.scoping import (
    enterprises_for,
    enterprises_writable_by,
    parks_for,
    parks_writable_by,
)
from eiphub.core.catalogue import default_catalogue, fold
from eiphub.core.numbers import NumberError, parse_number
from eiphub.core.units import UnitError
from eiphub.registry.models import Enterprise, Park, Province, SharedFacility
from eiphub.registry.validators import is_valid_tax_code, validate_vsic
from eiphub.web.numbers import number_message

from . import io_schema as S
from .models import BatchStatus, ImportBatch

MAX_ERRORS = 1000
BATCH_SIZE = 2000
PROGRESS_EVERY = 5000
ID_CHUNK = 500

Progress = Callable[[str, int, int], None]  # (stage "validate" | "write", done, total)


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:  # a problem with the whole file or sheet
            return _("%(sheet)s: %(message)s") % {"sheet": self.sheet, "message": self.message}
        return _("Sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column or "—",
            "message": self.message,
        }

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    ok: bool
    rows: int = 0
    created: int = 0
    replaced: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rows_by_kind: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    unchanged: int = 0
    warnings: int = 0
    status: str = ""

    @property
    def truncated(self) -> bool:
        return self.error_count > len(self.errors)


class Operator:
    """The command-line operator: full scope, like a superuser, no user row."""

    is_authenticated = True
    is_superuser = True
    is_active = True
    pk = id = None
    profile = None
    username = "operator"


OPERATOR = Operator()


# --------------------------------------------------------------------------- reading


@dataclass
class _Sheet:
    name: str
    header_row: int
    headers: list
    rows: Callable[[], Iterator[tuple[int, tuple]]]  # (row number, values) after the header
    size: int  # estimated number of data rows (for progress)
    kind: S.Kind | None = None


class FileError(ValueError):
    pass


def _clean(v):
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _is_comment(values) -> bool:
    first = next((v for v in values if v not in (None, "")), None)
    return isinstance(first, str) and first.lstrip().startswith("#")


def _read_xlsx(data) -> list[_Sheet]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(data, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileError(_("The file is not a readable Excel (.xlsx) workbook.")) from exc
    sheets = []
    for ws in wb.worksheets:
        if S.is_instructions_sheet(ws.title):
            continue
        header_row, headers = 0, None
        for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if not _is_blank(values) and not _is_comment(values):
                header_row, headers = i, [_clean(v) for v in values]
                break
        if headers is None:
            continue

        def rows(ws=ws, start=header_row):
            yield from enumerate(ws.iter_rows(min_row=start + 1, values_only=True), start + 1)

        size = max((ws.max_row or header_row) - header_row, 0)
        sheets.append(_Sheet(ws.title, header_row, headers, rows, size))
    return sheets


def _read_csv(data: bytes, filename: str) -> list[_Sheet]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(_("The CSV file is not UTF-8 encoded; save it as “CSV UTF-8”.")) from exc
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header_row, headers = 0, None
    for i, values in enumerate(records, start=1):
        if not _is_blank(values) and not _is_comment(values):
            header_row, headers = i, [_clean(v) for v in values]
            break
    if headers is None:
        return []

    def rows():
        for i in range(header_row, len(records)):
            yield i + 1, records[i]

    name = os.path.basename(filename)
    return [_Sheet(name, header_row, headers, rows, len(records) - header_row)]


def read_sheets(fileobj, filename: str) -> list[_Sheet]:
    from .limits import UploadLimitError, check_upload

    try:  # size, rows and zip-bomb limits before anything is parsed (flows/limits.py)
        check_upload(fileobj, filename)
    except UploadLimitError as exc:
        raise FileError(str(exc)) from exc
    ext = os.path.splitext(filename or "")[1].lower()
    if ext == ".csv":
        data = fileobj.read() if hasattr(fileobj, "read") else open(fileobj, "rb").read()
        return _read_csv(data, filename)
    if ext in (".xlsx", ".xlsm"):
        return _read_xlsx(fileobj)
    raise FileError(_("Unsupported file type “%(ext)s”; use .xlsx or .csv.") % {"ext": ext or "?"})


# --------------------------------------------------------------------------- value parsing


class _Bad(ValueError):
    """A cell value is invalid; the message is already translated."""


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _excel_serial(v) -> dt.date | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    if 1 <= v < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(v))
    return None


def parse_period(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date().replace(day=1)
    if isinstance(v, dt.date):
        return v.replace(day=1)
    serial = _excel_serial(v)
    if serial is not None and v > 9999:
        return serial.replace(day=1)
    s = re.sub(r"^(thang|tháng|month|t)\s*", "", str(v).strip(), flags=re.I)
    try:
        if m := re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{4})", s):
            return dt.date(int(m[2]), int(m[1]), 1)
        if m := re.fullmatch(r"(\d{4})\s*[/.-]\s*(\d{1,2})", s):
            return dt.date(int(m[1]), int(m[2]), 1)
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?", s):
            return dt.date(int(m[1]), int(m[2]), int(m[3])).replace(day=1)
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s):
            return dt.date(int(m[3]), int(m[2]), int(m[1])).replace(day=1)
    except ValueError:
        pass
    raise _Bad(_("“%(value)s” is not a month; write mm/yyyy (for example 03/2024).") % {"value": v})


def parse_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    serial = _excel_serial(v)
    if serial is not None:
        return serial
    s = str(v).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise _Bad(_("“%(value)s” is not a date; write dd/mm/yyyy.") % {"value": v})


def parse_decimal(v, lang: str | None = None) -> Decimal:
    """Numbers as typed in the user's language (one parser: ``eiphub.core.numbers``):
    vi 1.234,5 / en 1,234.5; ambiguous text such as "1,234" in Vietnamese is refused."""
    lang = lang or translation.get_language() or "vi"
    try:
        return parse_number(v, lang)
    except NumberError as exc:
        raise _Bad(number_message(exc, lang)) from None


def _fit(d: Decimal, max_digits: int, places: int) -> Decimal:
    q = d.quantize(Decimal(1).scaleb(-places)) if places else d.quantize(Decimal(1))
    if abs(q) >= Decimal(10) ** (max_digits - places):
        raise _Bad(_("The number %(value)s is too large.") % {"value": d})
    return q


def parse_tax_code(v) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer():
        s = str(int(v)).zfill(10)  # Excel drops leading zeros of numeric cells
    else:
        s = re.sub(r"\s", "", str(v))
    if not is_valid_tax_code(s):
        raise _Bad(_("%(value)s is not a valid Vietnamese tax code (MST).") % {"value": s})
    return s


# --------------------------------------------------------------------------- validation

_BAD = object()  # marks a cell whose error is already recorded
_MISS = object()
# Types with few distinct values in a file: parse each distinct cell once.
_MEMO_TYPES = frozenset({S.CHOICE, S.BOOL, S.PERIOD, S.TAX_CODE, S.STR})


class _Validator:
    """Checks rows one by one against dictionaries loaded once; collects errors."""

    def __init__(self, user, today: dt.date):
        self.user = user
        self.today = today
        self.lang = translation.get_language() or "vi"
        self.cat = default_catalogue()
        self.errors: list[RowError] = []
        self.error_count = 0
        self.rows_by_kind: dict[str, int] = defaultdict(int)
        self.parks: list[dict] = []
        self.enterprises: list[dict] = []
        self.flows: list[tuple] = []
        self.pending_parks: set[str] = set()  # lower-case codes of parks created by this file
        self.pending_ents: set[str] = set()  # tax codes of enterprises created by this file
        self.unit_cache: dict[tuple[str, str], tuple] = {}
        self.resource_cache: dict[str, tuple] = {}
        self._tax_codes: set[str] | None = None
        self.memo: dict[tuple[str, object], object] = {}
        self.fast_memo: dict[tuple, object] = {}  # flow_fast: (column, type, cell) -> parsed
        self._columns: dict[str, list] = {}
        # the row being checked
        self.sheet_name, self.row, self.cells = "", 0, {}

    # -- errors
    def error(self, sheet, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(sheet, row, column or "", str(message)))

    def header(self, kind: S.Kind, key: str) -> str:
        """The column's header as written in the file (or in the user's language)."""
        hit = self.cells.get(key)
        return hit[1] if hit else kind.column(key).header(self.lang)

    def fail(self, kind: S.Kind, key: str, message) -> None:
        self.error(self.sheet_name, self.row, self.header(kind, key), message)

    # -- one query each for what the user may write or refer to
    def load(self):
        u = self.user
        self.ent_writable = {
            tax: (pk, park_id)
            for tax, pk, park_id in enterprises_writable_by(u).values_list(
                "tax_code", "pk", "park_id"
            )
        }
        # Counterparties: enterprises of the parks the user sees, or that it may read.
        self.ent_visible = dict(
            Enterprise.objects.filter(park__in=parks_for(u)).values_list("tax_code", "pk")
        )
        self.ent_visible.update(enterprises_for(u).values_list("tax_code", "pk"))
        self.ent_visible.update({t: v[0] for t, v in self.ent_writable.items()})
        self.park_ids, self.park_codes = {}, {}
        for code, pk in Park.objects.values_list("code", "pk"):
            self.park_ids[code.lower()] = pk
            self.park_codes[pk] = code.lower()
        self.parks_writable = set(parks_writable_by(u).values_list("pk", flat=True))
        self.facilities = {
            (code.lower(), fold(name)): pk
            for pk, code, name in SharedFacility.objects.filter(
                park__in=parks_writable_by(u)
            ).values_list("pk", "park__code", "name")
        }
        self.provinces: dict[str, int] = {}
        for pk, code, name in Province.objects.values_list("pk", "code", "name"):
            self.provinces.setdefault(fold(code), pk)
            self.provinces.setdefault(fold(name), pk)

    def all_tax_codes(self) -> set[str]:
        if self._tax_codes is None:
            self._tax_codes = set(Enterprise.objects.values_list("tax_code", flat=True))
        return self._tax_codes

    # -- sheets
    def sheet(self, sh: _Sheet, progress: Progress | None, done: int, total: int) -> int:
        kind = sh.kind
        cols: list[tuple[int, S.Column, str]] = []
        seen: dict[str, str] = {}
        ok = True
        for i, h in enumerate(sh.headers):
            if h is None:
                continue
            col = kind.match_header(h)
            if col is None:
                label = {"flows": _("monthly flows"), "parks": _("parks")}.get(
                    kind.key, _("enterprises")
                )
                msg = _("Unknown column in a file of %(kind)s.") % {"kind": label}
            elif col.key in seen:
                msg = _("Column given twice (also “%(other)s”).") % {"other": seen[col.key]}
            else:
                seen[col.key] = str(h)
                if not col.info:
                    cols.append((i, col, str(h)))
                continue
            self.error(sh.name, sh.header_row, h, msg)
            ok = False
        for col in kind.columns:
            if col.required and col.key not in seen:
                self.error(
                    sh.name, sh.header_row, col.header(self.lang), _("Required column is missing.")
                )
                ok = False
        if not ok:
            return done
        check = {"flows": self.flow_row, "parks": self.park_row}.get(kind.key, self.enterprise_row)
        present = {col.key for _i, col, _h in cols}
        dup: dict = {}
        self.sheet_name = sh.name
        fast = self.flow_fast if kind.key == "flows" else None
        for rownum, values in sh.rows():
            if _is_blank(values) or _is_comment(values):
                continue
            self.row = rownum
            if fast is not None and fast(values, cols, dup):
                self.rows_by_kind[kind.key] += 1
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress("validate", done, total)
                continue
            self.cells = {
                col.key: (_clean(values[i]) if i < len(values) else None, header)
                for i, col, header in cols
            }
            check(dup, present)
            self.rows_by_kind[kind.key] += 1
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress("validate", done, total)
        return done

    def values(self, kind: S.Kind, keys=None) -> dict:
        if keys is None:  # flows: every column, absent ones None without parsing
            cells = self.cells
            return {
                c.key: (self.value(kind, c) if c.key in cells or c.required else None)
                for c in self._data_columns(kind)
            }
        return {
            c.key: self.value(kind, c)
            for c in kind.columns
            if not c.info and (c.key in keys or c.required)
        }

    def _data_columns(self, kind: S.Kind) -> list:
        cols = self._columns.get(kind.key)
        if cols is None:
            cols = self._columns[kind.key] = [c for c in kind.columns if not c.info]
        return cols

    def value(self, kind: S.Kind, col: S.Column):
        """The parsed cell of ``col``: None when empty, _BAD after recording an error."""
        v = self.cells.get(col.key, (None, ""))[0]
        if v is None:
            if col.required:
                self.fail(kind, col.key, _("A value is required."))
                return _BAD
            return None
        memo = col.type in _MEMO_TYPES and isinstance(v, str | int)
        hit = self.memo.get((col.key, v), _MISS) if memo else _MISS
        if hit is _MISS:
            try:
                hit = _parse(col, v, self.lang)
            except _Bad as exc:
                hit = exc
            if memo:
                self.memo[(col.key, v)] = hit
        if isinstance(hit, _Bad):
            self.fail(kind, col.key, str(hit))
            return _BAD
        return hit

    def in_range(self, kind, val, key, lo=None, hi=None, digits=None, places=0) -> bool:
        v = val.get(key)
        if v in (None, _BAD):
            return True
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            if hi is None:
                msg = _("The value must not be negative.")
            else:
                msg = _("The value must be between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi}
            self.fail(kind, key, msg)
            return False
        if digits:
            try:
                val[key] = _fit(v, digits, places)
            except _Bad as exc:
                self.fail(kind, key, str(exc))
                return False
        return True

    # -- flows
    def fast_cell(self, col: S.Column, v):
        """The parsed value of a non-empty cell through the same parser as :meth:`value`
        (quantities also fitted to the column like :meth:`in_range`); _BAD when parsing or
        fitting fails (the slow path then reports it).  One parse per distinct cell value."""
        key = (col.key, type(v), v)
        hit = self.fast_memo.get(key, _MISS)
        if hit is _MISS:
            try:
                hit = _parse(col, v, self.lang)
                if col.key == "quantity":
                    hit = _BAD if hit < 0 else _fit(hit, 20, 6)
            except _Bad:
                hit = _BAD
            self.fast_memo[key] = hit
        return hit

    def flow_fast(self, values, cols, dup) -> bool:
        """Accept a clean enterprise flow row in one pass over cached parses and look-ups.

        Returns False, having recorded nothing, when the row is empty where a value is required,
        has a value that does not parse, belongs to a shared facility, or fails any check of
        :meth:`flow_row`: that row then goes through :meth:`flow_row`, which reports its
        errors exactly as before.  The rules are those of :meth:`flow_row` (same parsers,
        same resource and unit caches)."""
        val = {}
        n = len(values)
        for i, col, _header in cols:
            v = _clean(values[i]) if i < n else None
            if v is None:
                if col.required:
                    return False
                continue
            parsed = self.fast_cell(col, v)
            if parsed is _BAD:
                return False
            val[col.key] = parsed
        tax, park = val.get("tax_code"), val.get("park")
        if not tax or val.get("facility"):
            return False
        if tax not in self.pending_ents:
            hit = self.ent_writable.get(tax)
            if hit is None or (park and park.lower() != self.park_codes.get(hit[1])):
                return False
        owner = ("e", tax)
        code, msg = self.resource_hit(val["resource"])
        if msg:
            return False
        unit = val["unit"]
        factor, cunit, msg = self.unit_factor(code, unit)
        if msg:
            return False
        period = val["period"]
        if period > self.today.replace(day=1):
            return False
        direction, origin, fate = val["direction"], val.get("origin") or "", val.get("fate") or ""
        if (direction == "out" and origin) or (direction == "in" and fate):
            return False
        cp = val.get("counterparty")
        if cp is not None and (
            owner == ("e", cp) or (cp not in self.ent_visible and cp not in self.pending_ents)
        ):
            return False
        key = (owner, code, direction, period, origin, fate)
        if key in dup:
            return False
        dup[key] = self.row
        qty = val["quantity"]
        dq = val.get("data_quality") or "measured"
        self.flows.append((owner, code, direction, period, qty, unit, float(qty) * factor, cunit,
                           origin, fate, cp, dq, self.row))  # fmt: skip
        return True

    def flow_row(self, dup, present):
        K = S.FLOWS
        val = self.values(K)
        bad = any(v is _BAD for v in val.values())
        owner = self.flow_owner(val)
        code = self.flow_resource(val["resource"])
        factor = cunit = None
        unit = val["unit"]
        if code and unit not in (None, _BAD):
            factor, cunit, msg = self.unit_factor(code, unit)
            if msg:
                self.fail(K, "unit", msg)
        qty = val["quantity"]
        if qty not in (None, _BAD):
            if qty < 0:
                self.fail(K, "quantity", _("Quantity must not be negative."))
                bad = True
            else:
                bad |= not self.in_range(K, val, "quantity", digits=20, places=6)
                qty = val["quantity"]
        period = val["period"]
        if period not in (None, _BAD) and period > self.today.replace(day=1):
            self.fail(
                K,
                "period",
                _("Period %(period)s is in the future.") % {"period": period.strftime("%m/%Y")},
            )
            bad = True
        direction, origin, fate = val["direction"], val["origin"] or "", val["fate"] or ""
        if direction == "out" and origin not in ("", _BAD):
            self.fail(K, "origin", _("Origin applies to inputs only."))
            bad = True
        if direction == "in" and fate not in ("", _BAD):
            self.fail(K, "fate", _("Fate applies to outputs only."))
            bad = True
        cp = val["counterparty"]
        if cp not in (None, _BAD):
            if owner == ("e", cp):
                self.fail(K, "counterparty", _("The counterparty cannot be the enterprise itself."))
                bad = True
            elif cp not in self.ent_visible and cp not in self.pending_ents:
                self.fail(K, "counterparty", _("Unknown tax code “%(value)s”.") % {"value": cp})
                bad = True
        if bad or owner is None or code is None or factor is None:
            return
        key = (owner, code, direction, period, origin, fate)
        first = dup.get(key)
        if first is not None:
            self.fail(
                K,
                "resource",
                _(
                    "Duplicate row: same owner, resource, direction, period, origin and fate "
                    "as row %(row)s."
                )
                % {"row": first},
            )
            return
        dup[key] = self.row
        canonical = float(qty) * factor
        dq = val["data_quality"] or "measured"
        self.flows.append((owner, code, direction, period, qty, unit, canonical, cunit,
                           origin, fate, cp, dq, self.row))  # fmt: skip

    def flow_owner(self, val):
        """("e", tax code) for an enterprise row, ("f", facility id) for a shared facility."""
        K = S.FLOWS
        tax, park, facility = val["tax_code"], val["park"], val["facility"]
        if _BAD in (tax, park, facility):
            return None
        if tax and facility:
            self.fail(K, "facility", _("Give either a tax code or a shared facility, not both."))
        elif tax:
            if tax in self.pending_ents:
                return ("e", tax)
            hit = self.ent_writable.get(tax)
            if hit is None:  # unknown, or outside the user's scope: the same answer
                self.fail(K, "tax_code", _("Unknown tax code “%(value)s”.") % {"value": tax})
            elif park and park.lower() != self.park_codes.get(hit[1]):
                self.fail(
                    K,
                    "park",
                    _("The enterprise with tax code %(tax)s is not in park “%(park)s”.")
                    % {"tax": tax, "park": park},
                )
            else:
                return ("e", tax)
        elif facility:
            pk = self.facilities.get(((park or "").lower(), fold(facility)))
            if pk is not None:
                return ("f", pk)
            self.fail(
                K,
                "facility",
                _("Unknown shared facility “%(name)s” in park “%(park)s”.")
                % {"name": facility, "park": park or ""},
            )
        else:
            self.fail(
                K,
                "tax_code",
                _(
                    "A tax code is required (or a park code and a shared "
                    "facility for shared infrastructure)."
                ),
            )
        return None

    def flow_resource(self, text) -> str | None:
        if text in (None, _BAD):
            return None
        hit = self.resource_hit(text)
        if hit[1]:
            self.fail(S.FLOWS, "resource", hit[1])
        return hit[0]

    def resource_hit(self, text) -> tuple:
        """(resource code, None) or (None, error message) for a resource cell (cached)."""
        hit = self.resource_cache.get(text)
        if hit is None:
            res = self.cat.resolve(text)
            if res is None:
                hit = (None, _("Unknown resource “%(code)s”.") % {"code": text})
            elif res.is_group:
                hit = (
                    None,
                    _("“%(code)s” is a group; choose a specific resource.") % {"code": text},
                )
            else:
                hit = (res.code, None)
            self.resource_cache[text] = hit
        return hit

    def unit_factor(self, code: str, unit: str) -> tuple:
        """(factor to the canonical unit, canonical unit, error message or None)."""
        key = (code, unit)
        if key not in self.unit_cache:
            res = self.cat[code]
            try:
                hit = (self.cat.to_canonical(code, 1.0, unit), res.unit, None)
                if len(unit) > 20:
                    hit = (None, None, _("The unit is too long (at most 20 characters)."))
            except UnitError as exc:
                if exc.code == "unknown_unit":
                    msg = _("Unknown unit “%(unit)s”.") % {"unit": unit}
                else:
                    msg = _("Unit “%(unit)s” cannot measure %(resource)s (expected a unit like "
                            "%(expected)s).") % {"unit": unit, "resource": res.name(self.lang),
                                                 "expected": res.unit}  # fmt: skip
                hit = (None, None, msg)
            self.unit_cache[key] = hit
        return self.unit_cache[key]

    # -- parks
    def park_row(self, dup, present):
        K = S.PARKS
        val = self.values(K, present)
        ok = _BAD not in val.values()
        code = val["code"]
        if code is not _BAD:
            low = code.lower()
            pk = self.park_ids.get(low)
            if len(code) > 20:
                self.fail(K, "code", _("The park code is too long (at most 20 characters)."))
            elif low in dup:
                self.fail(
                    K,
                    "code",
                    _("Duplicate row: same park code as row %(row)s.") % {"row": dup[low]},
                )
            elif pk is not None and pk not in self.parks_writable:
                self.fail(K, "code", _("You may not change park “%(code)s”.") % {"code": code})
            elif pk is None and not getattr(self.user, "is_superuser", False):
                self.fail(
                    K,
                    "code",
                    _("Unknown park “%(code)s”; only an operator can add parks.") % {"code": code},
                )
            else:
                dup[low] = self.row
            ok &= dup.get(low) == self.row
        prov = val["province"]
        if prov not in (None, _BAD):
            val["province"] = self.provinces.get(fold(prov))
            if val["province"] is None:
                self.fail(K, "province", _("Unknown province “%(value)s”.") % {"value": prov})
                ok = False
        for key in ("total_area_ha", "industrial_land_ha", "green_area_ha"):
            ok &= self.in_range(K, val, key, lo=0, digits=10, places=2)
        ok &= self.in_range(K, val, "occupancy_pct", lo=0, hi=100, digits=5, places=2)
        ok &= self.in_range(K, val, "latitude", lo=-90, hi=90)
        ok &= self.in_range(K, val, "longitude", lo=-180, hi=180)
        if ok:
            if code.lower() not in self.park_ids:
                self.pending_parks.add(code.lower())
            self.parks.append(val)

    # -- enterprises
    def enterprise_row(self, dup, present):
        K = S.ENTERPRISES
        val = self.values(K, present)
        ok = _BAD not in val.values()
        tax, park = val["tax_code"], val["park"]
        park_id = None
        if park is not _BAD:
            park_id = self.park_ids.get(park.lower())
            if park_id is None and park.lower() not in self.pending_parks:
                self.fail(K, "park", _("Unknown park “%(code)s”.") % {"code": park})
                ok = False
        if tax is not _BAD and tax in dup:
            self.fail(
                K, "tax_code", _("Duplicate row: same tax code as row %(row)s.") % {"row": dup[tax]}
            )
            ok = False
        elif tax is not _BAD and ok:
            dup[tax] = self.row
            # New enterprises go into parks the user may edit; an existing one may also stay
            # in its park.  A tax code registered outside the user's scope gets the same answer
            # as a forbidden new one.
            in_writable_park = park_id in self.parks_writable or park.lower() in self.pending_parks
            own = self.ent_writable.get(tax)
            if own is not None:
                allowed = own[1] == park_id or in_writable_park
            else:
                allowed = in_writable_park and tax not in self.all_tax_codes()
            if not allowed:
                self.fail(K, "tax_code", _(
                    "You may not register or change the enterprise with tax code “%(value)s” in "
                    "park “%(park)s”.") % {"value": tax, "park": park})  # fmt: skip
                ok = False
        vsic = val["vsic"]
        if vsic is not _BAD:
            try:
                validate_vsic(vsic)
            except ValidationError as exc:
                self.fail(K, "vsic", exc.messages[0])
                ok = False
        for key in ("name_vi", "name_en", "plot"):
            limit = 40 if key == "plot" else 255
            if val.get(key) not in (None, _BAD) and len(val[key]) > limit:
                self.fail(
                    K, key, _("The text is too long (at most %(n)s characters).") % {"n": limit}
                )
                ok = False
        ok &= self.in_range(K, val, "revenue_vnd", lo=0, digits=20)
        ok &= self.in_range(K, val, "value_added_vnd", digits=20)
        ok &= self.in_range(K, val, "latitude", lo=-90, hi=90)
        ok &= self.in_range(K, val, "longitude", lo=-180, hi=180)
        wt, wf = val.get("workers_total"), val.get("workers_female")
        if isinstance(wt, int) and isinstance(wf, int) and wf > wt:
            self.fail(
                K, "workers_female", _("Female workers cannot exceed the total number of workers.")
            )
            ok = False
        if ok:
            if tax not in self.ent_writable:
                self.pending_ents.add(tax)
            self.enterprises.append(val)


def _parse(col: S.Column, v, lang: str):
    t = col.type
    if t == S.STR:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()
    if t in (S.CHOICE, S.BOOL):
        hit = col.choice_map().get(fold(v))
        if hit is None:
            allowed = ", ".join(c.label(lang) for c in col.choices)
            raise _Bad(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": v, "allowed": allowed}
            )
        return hit == "yes" if t == S.BOOL else hit
    if t == S.DECIMAL:
        return parse_decimal(v, lang)
    if t == S.FLOAT:
        return float(parse_decimal(v, lang))
    if t == S.INT:
        d = parse_decimal(v, lang)
        if d != d.to_integral_value() or d < 0:
            raise _Bad(_("“%(value)s” is not a whole number.") % {"value": v})
        return int(d)
    if t == S.DATE:
        return parse_date(v)
    if t == S.PERIOD:
        return parse_period(v)
    if t == S.TAX_CODE:
        return parse_tax_code(v)
    raise AssertionError(f"unknown column type {t}")


# --------------------------------------------------------------------------- writing


def _chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


_BLANK_TEXT = ("name_en", "plot")  # stored as "" rather than NULL
_KEEP_DEFAULT = ("status", "eco_status", "size", "ownership", "publish_flows")


def _upsert(model, key: str, rows: list[dict], pk_of, prepare) -> tuple[int, int]:
    """Create new rows and update existing ones (only the columns present in the file)."""
    existing = model.objects.in_bulk([pk for r in rows if (pk := pk_of(r)) is not None])
    new, changed, fields = [], [], set()
    for r in rows:
        data = prepare({k: v for k, v in r.items() if k != key})
        for k in _BLANK_TEXT:
            if k in data and data[k] is None:
                data[k] = ""
        for k in _KEEP_DEFAULT:
            if k in data and data[k] is None:
                del data[k]
        pk = pk_of(r)
        if pk is None:
            new.append(model(**{key: r[key]}, **data))
        else:
            obj = existing[pk]
            for k, v in data.items():
                setattr(obj, k, v)
            fields.update(data)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=BATCH_SIZE)
    if changed and fields:
        model.objects.bulk_update(changed, sorted(fields), batch_size=500)
    return len(new), len(changed)


def _write_parks(v: _Validator) -> tuple[int, int]:
    def prepare(d):
        if "province" in d:
            d["province_id"] = d.pop("province")
        return d

    counts = _upsert(Park, "code", v.parks, lambda r: v.park_ids.get(r["code"].lower()), prepare)
    for code, pk in Park.objects.filter(code__in=[r["code"] for r in v.parks]).values_list(
        "code", "pk"
    ):
        v.park_ids[code.lower()] = pk
    return counts


def _write_enterprises(v: _Validator) -> tuple[int, int]:
    def prepare(d):
        d["park_id"] = v.park_ids[d.pop("park").lower()]
        return d

    def pk_of(r):
        hit = v.ent_writable.get(r["tax_code"])
        return hit[0] if hit else None

    return _upsert(Enterprise, "tax_code", v.enterprises, pk_of, prepare)


def _staged_rows(v: _Validator, batch_id: int) -> list[tuple]:
    """The file's flow rows for the staging table, each with its plausibility warnings."""
    from .plausibility import load_history, phrase, value_warning

    ent_ids = {t: pk for t, (pk, _p) in v.ent_writable.items()}
    hist = load_history(
        ent_ids[ref] for (kind, ref), *_r in v.flows if kind == "e" and ref in ent_ids
    )
    out = []
    for (
        kind,
        ref,
    ), code, direction, period, qty, unit, qc, cu, origin, fate, cp, dq, line in v.flows:
        ent_id = ent_ids.get(ref) if kind == "e" else None
        warnings = []
        w = ent_id is not None and value_warning(
            hist, ent_id, code, direction, period, qc, origin, fate
        )
        if w:
            warnings.append(phrase(w, v.lang))
        cp_id = v.ent_visible.get(cp) if cp else None
        out.append((
            batch_id, line, ent_id, ref if kind == "e" and ent_id is None else "",
            ref if kind == "f" else None, code, direction, period, qty, unit, qc, cu, origin,
            fate, cp_id, cp if cp and cp_id is None else "", dq, "", warnings,
        ))  # fmt: skip
    return out


def _registry_payload(v: _Validator) -> dict:
    if not (v.parks or v.enterprises):
        return {}
    from django.core.serializers.json import DjangoJSONEncoder

    data = {"parks": v.parks, "enterprises": v.enterprises}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def write_registry(batch: ImportBatch) -> tuple[int, int]:
    """Upsert the parks and enterprises a batch carries (at apply time); (created, updated)."""
    payload = batch.registry_rows or {}
    if not (payload.get("parks") or payload.get("enterprises")):
        return 0, 0
    user = batch.user or OPERATOR
    with translation.override(batch.lang or "vi"):
        v = _Validator(user, dt.date.today())
        v.load()
        v.parks, v.enterprises = payload.get("parks", []), payload.get("enterprises", [])
        p_created, p_updated = _write_parks(v)
        e_created, e_updated = _write_enterprises(v)
    return p_created + e_created, p_updated + e_updated


# --------------------------------------------------------------------------- entry point


def import_file(
    path_or_fileobj,
    filename: str | None = None,
    user=None,
    kind: str | None = None,
    progress: Progress | None = None,
    lang: str | None = None,
    today: dt.date | None = None,
    replace_months: bool = False,
    preview: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Validate a whole file, stage it as a batch, then (unless ``preview``) apply it.

    ``user`` is a Django user (scoped by eiphub.accounts.scoping) or
    :data:`OPERATOR` for full scope.  ``progress(stage, done, total)`` is called
    while validating and writing.  A row replaces the record of the same owner,
    month, resource and direction; ``replace_months`` also deletes the other
    records of the owners' months in the file.  ``preview`` leaves the batch
    awaiting confirmation (``flows.batches.apply_batch``); ``dry_run`` computes
    the same counts and writes nothing.
    """
    if filename is None:
        filename = os.path.basename(str(getattr(path_or_fileobj, "name", path_or_fileobj)))
    with translation.override(lang or translation.get_language() or "vi"):
        return _import(
            path_or_fileobj, filename, user, kind, progress, today or dt.date.today(),
            replace_months, preview, dry_run,
        )  # fmt: skip


class _DryRun(Exception):
    pass


def _import(src, filename, user, kind, progress, today, replace_months, preview, dry_run):
    v = _validate(src, filename, user, kind, progress, today)
    if v.error_count:
        return _result(v)
    result = None
    try:
        with transaction.atomic():
            result = _stage_and_apply(v, filename, user, progress, replace_months, preview, dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        result.batch_id = None
    return result


def _stage_and_apply(v, filename, user, progress, replace_months, preview, dry_run) -> ImportResult:
    from .batches import apply_batch, stage_batch, stage_temporary

    rows = sum(v.rows_by_kind.values())
    batch = ImportBatch.objects.create(
        filename=filename[:255],
        user=user if isinstance(user, Model) else None,
        kind=_batch_kind(v.rows_by_kind),
        lang=(v.lang or "vi")[:5],
        status=BatchStatus.PREVIEW,
        replace_months=replace_months,
        rows=rows,
        total=rows,
        registry_rows=_registry_payload(v),
    )
    staged = _staged_rows(v, batch.pk)
    temporary = None if (preview or dry_run) else stage_temporary(batch, staged)
    if temporary is None:
        stage_batch(batch, staged, classify_rows=preview or dry_run)
    if not preview:
        warnings = sum(1 for r in staged if r[-1])
        batch = apply_batch(batch.pk, progress, staged_in=temporary)
        batch.warning_count = warnings
    else:
        batch.created_count += len(v.parks) + len(v.enterprises)  # upserts counted at apply
    return ImportResult(
        ok=True,
        rows=rows,
        created=batch.created_count,
        replaced=batch.replaced,
        updated=batch.updated_count,
        unchanged=batch.unchanged_count,
        warnings=batch.warning_count,
        rows_by_kind=dict(v.rows_by_kind),
        batch_id=batch.pk,
        status=batch.status,
    )


def _validate(src, filename, user, kind, progress, today) -> _Validator:
    v = _Validator(user, today)
    close = None
    if isinstance(src, str | os.PathLike):
        close = src = open(src, "rb")
    try:
        try:
            sheets = read_sheets(src, filename)
        except FileError as exc:
            v.error(filename, 0, "", str(exc))
            return v
        forced = S.KINDS.get(kind) if kind else None
        if kind and forced is None:
            v.error(filename, 0, "", _("Unknown kind “%(kind)s”.") % {"kind": kind})
            return v
        for sh in sheets:
            sh.kind = forced or S.kind_for_sheet_name(sh.name) or S.kind_for_headers(sh.headers)
            if sh.kind is None:
                v.error(
                    sh.name,
                    sh.header_row,
                    "",
                    _(
                        "Cannot tell what this sheet contains: the headers match none of the templates "
                        "(parks, enterprises, monthly flows)."
                    ),
                )
        known = sorted((s for s in sheets if s.kind), key=lambda s: S.ORDER.index(s.kind.key))
        v.load()
        total = sum(s.size for s in known)
        done = 0
        if progress:
            progress("validate", 0, total)
        for sh in known:
            done = v.sheet(sh, progress, done, total)
        if progress:
            progress("validate", done, done)
        if not v.error_count and not (v.parks or v.enterprises or v.flows):
            v.error(filename, 0, "", _("The file contains no data rows."))
        return v
    finally:
        if close:
            close.close()


def _batch_kind(rows_by_kind: dict[str, int]) -> str:
    kinds = [k for k in S.ORDER if rows_by_kind.get(k)]
    return kinds[0] if len(kinds) == 1 else "mixed"


def _result(v: _Validator) -> ImportResult:
    return ImportResult(
        ok=False,
        rows=sum(v.rows_by_kind.values()),
        errors=v.errors,
        error_count=v.error_count,
        rows_by_kind=dict(v.rows_by_kind),
    )
