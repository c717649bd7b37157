"""Export parks, enterprises and monthly flows, and build empty import templates.

Exports use the column definitions of :mod:`eiphub.flows.io_schema`, so an
exported file imports back unchanged.  What a user may export is what
``eiphub.accounts.scoping`` lets it read (parks_for, enterprises_for,
flows_for); nothing is filtered by role here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from eiphub.accounts.scoping import (
    enterprise_records_for,
    enterprises_for,
    enterprises_writable_by,
    flows_for,
    parks_for,
)
from eiphub.core.catalogue import default_catalogue
from eiphub.core.spreadsheet import csv_value, xlsx_row
from eiphub.registry.models import Park
from eiphub.registry.validators import make_tax_code

from . import io_schema as S

WHATS = ("flows", "parks", "enterprises")
FORMATS = ("xlsx", "csv")


class ExportError(ValueError):
    """Bad export parameters; the message is translated."""


# --------------------------------------------------------------------------- cell values


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _num(value):
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _cell(col: S.Column, value, lang: str):
    """The value to write for ``col`` (labels in ``lang``; numbers stay numbers)."""
    if value is None or value == "":
        return None
    if col.type == S.BOOL:
        return col.choice_label("yes" if value else "no", lang)
    if col.type == S.CHOICE:
        return col.choice_label(value, lang)
    if col.type in (S.DECIMAL, S.INT, S.FLOAT):
        return _num(value)
    return value


# --------------------------------------------------------------------------- rows


def _check_park(park: str | None) -> str | None:
    if not park:
        return None
    code = Park.objects.filter(code__iexact=park).values_list("code", flat=True).first()
    if code is None:
        raise ExportError(_("Unknown park “%(code)s”.") % {"code": park})
    return code


def flow_rows(user, park=None, year=None, lang="vi"):
    cat = default_catalogue()
    # A counterparty's tax code only where the user may read that enterprise, or on the
    # user's own flows (it entered the counterparty itself): never a third party's.
    readable = enterprises_for(user).filter(pk=OuterRef("counterparty_id"))
    own = set(enterprises_writable_by(user).values_list("pk", flat=True))
    qs = (
        flows_for(user)
        .select_related("enterprise__park", "facility__park", "counterparty")
        .annotate(cp_readable=Exists(readable))
    )
    if park:
        qs = qs.filter(park__code=park)
    if year:
        qs = qs.filter(period__year=year)
    qs = qs.order_by(
        "enterprise__tax_code", "facility__name", "period", "resource_code", "direction"
    )
    for f in qs.iterator(chunk_size=2000):
        ent, fac = f.enterprise, f.facility
        res = cat.get(f.resource_code)
        yield {
            "tax_code": ent.tax_code if ent else None,
            "enterprise_name": ent.name(lang) if ent else None,
            "park": (ent.park if ent else fac.park).code,
            "facility": fac.name if fac else None,
            "resource": f.resource_code,
            "resource_name": res.name(lang) if res else None,
            "direction": f.direction,
            "period": f.period.strftime("%m/%Y"),
            "quantity": f.quantity,
            "unit": f.unit,
            "origin": f.origin,
            "fate": f.fate,
            "counterparty": f.counterparty.tax_code
            if f.counterparty and (f.cp_readable or f.enterprise_id in own)
            else None,
            "data_quality": f.data_quality,
        }


def park_rows(user, park=None, year=None, lang="vi"):
    qs = parks_for(user).select_related("province").order_by("code")
    if park:
        qs = qs.filter(code=park)
    for p in qs:
        row = {c.key: getattr(p, c.key, None) for c in S.PARKS.columns}
        row["province"] = p.province.code
        yield row


def enterprise_rows(user, park=None, year=None, lang="vi"):
    # Registry records (finance, coordinates, workforce): not published by "publish flows".
    qs = enterprise_records_for(user).select_related("park").order_by("park__code", "tax_code")
    if park:
        qs = qs.filter(park__code=park)
    for e in qs:
        row = {c.key: getattr(e, c.key, None) for c in S.ENTERPRISES.columns}
        row["park"] = e.park.code
        yield row


ROWS = {"flows": flow_rows, "parks": park_rows, "enterprises": enterprise_rows}


# --------------------------------------------------------------------------- writers


def _write_csv(kind: S.Kind, rows, lang: str) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=";" if lang.startswith("vi") else ",", lineterminator="\r\n")
    w.writerow(kind.headers(lang))
    for row in rows:
        w.writerow([_text(csv_value(_cell(c, row.get(c.key), lang))) for c in kind.columns])
    return buf.getvalue().encode("utf-8-sig")


def _header_cells(ws, kind: S.Kind, lang: str):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    out = []
    for c in kind.columns:
        cell = WriteOnlyCell(ws, value=c.header(lang))
        cell.font = Font(bold=True, italic=c.info)
        cell.fill = PatternFill("solid", fgColor="DDEBF7" if c.required else "F2F2F2")
        if c.help(lang):
            cell.comment = Comment(c.help(lang), "EIP Hub")
        out.append(cell)
    return out


def _data_sheet(wb, kind: S.Kind, lang: str, rows):
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(kind.sheet_name(lang)[:31])
    ws.freeze_panes = "A2"
    for i, c in enumerate(kind.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(len(c.header(lang)) + 4, 40))
    ws.append(_header_cells(ws, kind, lang))
    for row in rows:
        ws.append(xlsx_row(ws, [_cell(c, row.get(c.key), lang) for c in kind.columns]))
    return ws


def _xlsx_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export(what: str, user, park: str | None = None, year: int | None = None, fmt: str = "xlsx",
           lang: str = "vi") -> bytes:  # fmt: skip
    """The file of ``what`` (flows, parks, enterprises) the user may read, as xlsx or csv."""
    if what not in WHATS:
        raise ExportError(_("Unknown export “%(what)s”.") % {"what": what})
    if fmt not in FORMATS:
        raise ExportError(_("Unknown format “%(fmt)s”; use xlsx or csv.") % {"fmt": fmt})
    lang = "en" if (lang or "vi").startswith("en") else "vi"
    with translation.override(lang):
        park = _check_park(park)
        kind = S.KINDS[what]
        rows = ROWS[what](user, park=park, year=year, lang=lang)
        if fmt == "csv":
            return _write_csv(kind, rows, lang)
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        _data_sheet(wb, kind, lang, rows)
        return _xlsx_bytes(wb)


def export_filename(what: str, park: str | None, year: int | None, fmt: str, lang="vi") -> str:
    parts = ["eiphub", what, park or "all", str(year) if year else ""]
    if what == "template":
        parts = ["eiphub", "template", park or "flows", lang]
    return "-".join(p for p in parts if p) + f".{fmt}"


# --------------------------------------------------------------------------- templates


def example_rows(kind: str) -> list[dict]:
    """Illustrative rows shown in the instructions (never in the data sheet)."""
    tax = make_tax_code(123456)
    if kind == "flows":
        return [
            {"tax_code": tax, "resource": "energy.electricity.grid", "direction": "in",
             "period": "03/2024", "quantity": Decimal("125000"), "unit": "kWh",
             "origin": "purchased", "data_quality": "invoice"},
            {"tax_code": tax, "resource": "waste.ash.fly", "direction": "out",
             "period": "03/2024", "quantity": Decimal("42.5"), "unit": "t", "fate": "sold",
             "data_quality": "measured"},
            {"park": "KCN-01", "facility": "Trạm XLNT tập trung", "resource": "water.treated",
             "direction": "out", "period": "03/2024", "quantity": Decimal("18000"), "unit": "m3",
             "fate": "discharge", "data_quality": "measured"},
        ]  # fmt: skip
    if kind == "parks":
        return [
            {"code": "KCN-01", "name_vi": "KCN Ví dụ", "name_en": "Example Industrial Park",
             "province": "31", "total_area_ha": Decimal("350"), "green_area_ha": Decimal("35"),
             "occupancy_pct": Decimal("72.5"), "status": "operating", "eco_status": "transforming"},
        ]  # fmt: skip
    return [
        {"tax_code": tax, "name_vi": "Công ty TNHH Ví dụ", "name_en": "Example Co., Ltd",
         "park": "KCN-01", "vsic": "2310", "size": "sme", "ownership": "domestic",
         "workers_total": 250, "workers_female": 110, "publish_flows": False},
    ]  # fmt: skip


def template(kind: str, fmt: str = "xlsx", lang: str = "vi") -> bytes:
    """An empty import file for ``kind`` with headers in ``lang``.

    xlsx: the data sheet has only the header row (help in cell comments); a second
    sheet "Hướng dẫn"/"Instructions" lists the columns, example rows and, for flows,
    the resource codes and their units.  csv: the header and commented example rows.
    """
    if kind not in S.KINDS:
        raise ExportError(_("Unknown kind “%(kind)s”.") % {"kind": kind})
    if fmt not in FORMATS:
        raise ExportError(_("Unknown format “%(fmt)s”; use xlsx or csv.") % {"fmt": fmt})
    lang = "en" if (lang or "vi").startswith("en") else "vi"
    k = S.KINDS[kind]
    examples = example_rows(kind)
    if fmt == "csv":
        text = _write_csv(k, [], lang).decode("utf-8-sig")
        lines = _write_csv(k, examples, lang).decode("utf-8-sig").splitlines()[1:]
        return (text + "".join(f"# {ln}\r\n" for ln in lines)).encode("utf-8-sig")
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _data_sheet(wb, k, lang, [])
    _instructions(wb, k, lang, examples)
    return _xlsx_bytes(wb)


def _instructions(wb, kind: S.Kind, lang: str, examples: list[dict]):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    en = lang == "en"
    ws = wb.create_sheet(S.INSTRUCTIONS_SHEET[lang])
    for letter, width in zip("ABCDEF", (30, 12, 60, 40, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width

    def title(text):
        c = WriteOnlyCell(ws, value=text)
        c.font = Font(bold=True, size=12)
        ws.append([c])

    def bold(values):
        cells = []
        for v in values:
            c = WriteOnlyCell(ws, value=v)
            c.font = Font(bold=True)
            cells.append(c)
        ws.append(cells)

    title(kind.sheet_name(lang))
    ws.append([
        "Fill in the first sheet, one row per line; headers may be in Vietnamese or English. "
        "A file with any error writes nothing; re-importing a month replaces it."
        if en else
        "Điền số liệu vào trang đầu, mỗi dòng một bản ghi; tiêu đề cột có thể bằng tiếng Việt "
        "hoặc tiếng Anh. Tệp có bất kỳ lỗi nào sẽ không được ghi; nhập lại một tháng sẽ thay "
        "thế số liệu cũ của tháng đó."
    ])  # fmt: skip
    ws.append([])
    bold(["Column", "Required", "Description", "Accepted values"] if en
         else ["Cột", "Bắt buộc", "Mô tả", "Giá trị hợp lệ"])  # fmt: skip
    for c in kind.columns:
        required = ("yes" if en else "có") if c.required else ""
        accepted = ", ".join(ch.label(lang) for ch in c.choices)
        ws.append([c.header(lang), required, c.help(lang), accepted])
    ws.append([])
    title("Examples (not imported)" if en else "Ví dụ (không được nhập)")
    bold(kind.headers(lang))
    for row in examples:
        ws.append(xlsx_row(ws, [_cell(c, row.get(c.key), lang) for c in kind.columns]))
    if kind.key != "flows":
        return
    ws.append([])
    title("Resource catalogue" if en else "Danh mục tài nguyên")
    bold(["Code", "Name", "Name (Vietnamese)", "Synonyms", "Unit", "Hazardous"] if en
         else ["Mã", "Tên", "Tên tiếng Anh", "Tên gọi khác", "Đơn vị", "Nguy hại"])  # fmt: skip
    for r in default_catalogue().leaves():
        ws.append([r.code, r.name(lang), r.name_vi if en else r.name_en, ", ".join(r.synonyms),
                   r.unit, ("yes" if en else "có") if r.hazardous else ""])  # fmt: skip
