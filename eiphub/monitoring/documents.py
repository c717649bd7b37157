"""The monthly monitoring report of a park (DOCX, XLSX, PDF): per station and parameter the
limit in force, the month's mean, the highest hourly average, the share of complete hours, the
exceedances (count, hours, worst) and the daily completeness.  Headings are bilingual data (as in
reports/documents.py) so a Vietnamese document is Vietnamese whatever the .po state; the PDF goes
through the reports app's WeasyPrint helper."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import translation

from eiphub.core import monitoring as M
from eiphub.core.numbers import format_number
from eiphub.reports.documents import _pdf

from . import services as S
from .models import Exceedance

L = {
    "title": (
        "BÁO CÁO KẾT QUẢ QUAN TRẮC TỰ ĐỘNG, LIÊN TỤC THÁNG",
        "MONTHLY CONTINUOUS MONITORING REPORT",
    ),
    "park": ("Khu công nghiệp", "Industrial park"),
    "province": ("Tỉnh/thành phố", "Province"),
    "month": ("Tháng", "Month"),
    "station": ("Trạm", "Station"),
    "parameter": ("Thông số", "Parameter"),
    "unit": ("Đơn vị", "Unit"),
    "limit": ("Giới hạn", "Limit"),
    "mean": ("Trung bình tháng", "Monthly mean"),
    "max_hour": ("TB giờ cao nhất", "Highest hourly mean"),
    "complete": ("Giờ đủ số liệu", "Complete hours"),
    "exc": ("Số lần vượt", "Exceedances"),
    "exc_hours": ("Số giờ vượt", "Hours exceeded"),
    "worst": ("Vượt cao nhất", "Worst excess"),
    "days": ("Mức đầy đủ số liệu theo ngày", "Daily data completeness"),
    "day": ("Ngày", "Day"),
    "valid": ("Hợp lệ", "Valid"),
    "received": ("Đã nhận", "Received"),
    "regulation": ("Quy chuẩn áp dụng", "Regulation applied"),
    "note": (
        "Giá trị giới hạn lấy từ gói quy chuẩn đang đánh dấu cần kiểm tra với văn bản gốc; "
        "trung bình giờ hợp lệ khi có ít nhất 75% số liệu (cần kiểm tra).",
        "Limits come from a regulation pack still marked to verify against the gazetted text; an "
        "hourly mean is complete with at least 75% of its readings (to verify).",
    ),
}


def t(key, lang):
    return L[key][0 if lang == "vi" else 1]


def _month_bounds(month: dt.date) -> tuple[int, int]:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return M.day_start(month.replace(day=1)), M.day_start(nxt)


def context(park, stations, month: dt.date, lang: str) -> dict:
    lo, hi = _month_bounds(month)
    blocks = []
    with translation.override(lang):
        for st in stations:
            rows, regs = [], set()
            for s in st.series.all():
                hours = S.hourly(s, lo, hi)
                periods = S.limit_periods(s)
                lim = M.limit_at(periods, lo)
                if lim:
                    regs.add(M.installed_packs()[lim.pack].document)
                valid = [h.mean for h in hours if h.complete and h.mean is not None]
                exc = list(Exceedance.objects.filter(series=s, start__lt=hi, end__gt=lo))
                expected = (hi - lo) // M.HOUR
                rows.append(
                    {
                        "parameter": S.parameter_label(s.parameter),
                        "unit": s.unit,
                        "limit": _limit_text(lim, lang),
                        "mean": sum(valid) / len(valid) if valid else None,
                        "max_hour": max(valid) if valid else None,
                        "complete": sum(1 for h in hours if h.complete) / expected,
                        "exc": len(exc),
                        "exc_hours": sum(e.periods for e in exc),
                        "worst": max((e.magnitude for e in exc), default=None),
                    }
                )
            days = S.day_completeness(st, lo, hi)
            blocks.append({"station": st, "rows": rows, "days": days, "regulations": sorted(regs)})
    return {
        "park": park,
        "month": month,
        "month_text": f"{month:%m/%Y}",
        "blocks": blocks,
        "L": {k: t(k, lang) for k in L},
        "lang": lang,
    }


def _limit_text(lim, lang="vi"):
    if lim is None:
        return "—"

    def g(v):
        return format_number(v, lang, decimals=3)

    if lim.low is not None and lim.high is not None:
        return f"{g(lim.low)}–{g(lim.high)}"
    if lim.high is not None:
        return f"≤ {g(lim.high)}"
    return f"≥ {g(lim.low)}"


def _n(v, places=2, lang="vi"):
    if v is None:
        return "—"
    return format_number(v, lang, decimals=places, trim=False)


def _pct(v, lang):
    return "—" if v is None else _n(v * 100, 1, lang) + " %"


def docx(ctx) -> bytes:
    from docx import Document

    lang = ctx["lang"]
    doc = Document()
    doc.add_heading(ctx["L"]["title"] + " " + ctx["month_text"], level=1)
    p = ctx["park"]
    doc.add_paragraph(f"{ctx['L']['park']}: {p.code} — {p.name_vi}")
    doc.add_paragraph(f"{ctx['L']['province']}: {p.province.name}")
    cols = [
        "parameter",
        "unit",
        "limit",
        "mean",
        "max_hour",
        "complete",
        "exc",
        "exc_hours",
        "worst",
    ]
    for b in ctx["blocks"]:
        doc.add_heading(f"{ctx['L']['station']} {b['station'].code} — {b['station'].name}", level=2)
        if b["regulations"]:
            doc.add_paragraph(f"{ctx['L']['regulation']}: {', '.join(b['regulations'])}")
        table = doc.add_table(rows=1, cols=len(cols))
        table.style = "Table Grid"
        for i, c in enumerate(cols):
            table.rows[0].cells[i].text = ctx["L"][c]
        for r in b["rows"]:
            cells = table.add_row().cells
            for i, c in enumerate(cols):
                cells[i].text = _fmt(c, r[c], lang)
        if b["days"]:
            doc.add_paragraph(ctx["L"]["days"])
            days = doc.add_table(rows=1, cols=3)
            days.style = "Table Grid"
            for i, c in enumerate(("day", "received", "valid")):
                days.rows[0].cells[i].text = ctx["L"][c]
            for d in b["days"]:
                cells = days.add_row().cells
                cells[0].text = f"{d['day']:%d/%m/%Y}"
                cells[1].text = _pct(d["received"], lang)
                cells[2].text = _pct(d["valid"], lang)
    doc.add_paragraph(ctx["L"]["note"])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _fmt(col, v, lang):
    if col in ("complete", "worst"):
        return _pct(v, lang)
    if col in ("mean", "max_hour"):
        return _n(v, 2, lang)
    return str(v)


def xlsx(ctx) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = ctx["L"]["month"]
    ws.append([ctx["L"]["title"], ctx["month_text"]])
    ws.append([ctx["L"]["park"], f"{ctx['park'].code} — {ctx['park'].name_vi}"])
    cols = [
        "parameter",
        "unit",
        "limit",
        "mean",
        "max_hour",
        "complete",
        "exc",
        "exc_hours",
        "worst",
    ]
    ws.append([])
    ws.append([ctx["L"]["station"]] + [ctx["L"][c] for c in cols])
    for b in ctx["blocks"]:
        for r in b["rows"]:
            ws.append([b["station"].code] + [r[c] for c in cols])
    days = wb.create_sheet(ctx["L"]["days"][:31])
    days.append([ctx["L"]["station"], ctx["L"]["day"], ctx["L"]["received"], ctx["L"]["valid"]])
    for b in ctx["blocks"]:
        for d in b["days"]:
            days.append([b["station"].code, d["day"], d["received"], d["valid"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pdf(ctx) -> bytes:
    lang = ctx["lang"]
    for b in ctx["blocks"]:
        for r in b["rows"]:
            r["cells"] = [
                _fmt(c, r[c], lang)
                for c in (
                    "parameter",
                    "unit",
                    "limit",
                    "mean",
                    "max_hour",
                    "complete",
                    "exc",
                    "exc_hours",
                    "worst",
                )
            ]
        # days in rows of 16 columns: date, then received and valid shares (%)
        cells = [
            (f"{d['day']:%d/%m}", _n(d["received"] * 100, 1, lang), _n(d["valid"] * 100, 1, lang))
            for d in b["days"]
        ]
        b["day_rows"] = [cells[i : i + 16] for i in range(0, len(cells), 16)]
    with translation.override(lang):
        return _pdf("monitoring/report_pdf.html", ctx)


TYPES = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx),
    "pdf": ("application/pdf", pdf),
}


def monthly(park, stations, month: dt.date, fmt: str, lang: str):
    from django.http import Http404

    if fmt not in TYPES:
        raise Http404
    ctype, fn = TYPES[fmt]
    data = fn(context(park, stations, month, lang))
    return data, ctype, f"quan-trac-{park.code}-{month:%Y-%m}.{fmt}"
