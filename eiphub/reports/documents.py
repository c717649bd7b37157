"""Official documents of annual reports: forms A.5/B.5 (and the eco-enterprise report) as DOCX,
XLSX and PDF; the annual environmental and social report as PDF with server-drawn SVG charts.

Documents are produced in Vietnamese or English (``lang``) with that language activated.  The
headings of the official forms are bilingual data below (not gettext) so that a Vietnamese
document carries Vietnamese text whatever the state of the .po files; indicator names come
from the pack YAML (``name_vi``/``name_en``).  PDFs use DejaVu Sans for the diacritics.
"""

from __future__ import annotations

import io
from html import escape

from django.template.loader import render_to_string
from django.utils import translation

from .models import AnnualReport, ReportKind
from .services import format_value, report_rows

L = {
    "motto1": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIETNAM"),
    "motto2": ("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
    "A5": (
        "MẪU A.5 — BÁO CÁO BỘ CHỈ SỐ KHU CÔNG NGHIỆP SINH THÁI",
        "FORM A.5 — PARK-LEVEL ECO-INDUSTRIAL PARK INDICATORS",
    ),
    "B5": (
        "MẪU B.5 — BÁO CÁO BỘ CHỈ SỐ DOANH NGHIỆP SINH THÁI",
        "FORM B.5 — ECO-ENTERPRISE INDICATORS",
    ),
    "eco_enterprise": (
        "BÁO CÁO HẰNG NĂM CỦA DOANH NGHIỆP SINH THÁI",
        "ANNUAL REPORT OF AN ECO-ENTERPRISE",
    ),
    "env_social": (
        "BÁO CÁO HẰNG NĂM VỀ BẢO VỆ MÔI TRƯỜNG VÀ TRÁCH NHIỆM XÃ HỘI",
        "ANNUAL ENVIRONMENTAL AND SOCIAL RESPONSIBILITY REPORT",
    ),
    "year": ("Năm báo cáo", "Reporting year"),
    "park": ("Khu công nghiệp", "Industrial park"),
    "province": ("Tỉnh/thành phố", "Province"),
    "developer": ("Nhà đầu tư hạ tầng", "Infrastructure developer"),
    "enterprise": ("Doanh nghiệp", "Enterprise"),
    "status": ("Trạng thái", "Status"),
    "legal": ("Căn cứ", "Legal basis"),
    "code": ("Mã", "Code"),
    "indicator": ("Chỉ số", "Indicator"),
    "computed": ("Giá trị tính toán", "Computed value"),
    "reported": ("Giá trị báo cáo", "Reported value"),
    "unit": ("Đơn vị", "Unit"),
    "range": ("Khoảng chấp nhận", "Accepted range"),
    "result": ("Đánh giá", "Assessment"),
    "justification": ("Giải trình", "Justification"),
    "sign_dev": ("ĐẠI DIỆN NHÀ ĐẦU TƯ HẠ TẦNG", "FOR THE INFRASTRUCTURE DEVELOPER"),
    "sign_ent": ("ĐẠI DIỆN DOANH NGHIỆP", "FOR THE ENTERPRISE"),
    "sign_hint": ("(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, full name, seal)"),
    "place_date": (
        "..........., ngày ..... tháng ..... năm .....",
        "..........., date ...........",
    ),
    "source_note": (
        "Giá trị tính toán do EIP Hub tính từ dữ liệu dòng vật chất, giải pháp RECP, "
        "cộng sinh và hồ sơ kê khai; giá trị báo cáo khác giá trị tính toán phải có giải trình.",
        "Computed values are calculated by EIP Hub from flow, RECP, symbiosis and declaration "
        "data; a reported value that differs from the computed one carries a justification.",
    ),
    "evidence": ("Tài liệu minh chứng", "Evidence files"),
    "no_evidence": ("Không có tệp minh chứng.", "No evidence files."),
    "file": ("Tệp", "File"),
    "size": ("Dung lượng", "Size"),
    "version": ("Phiên bản", "Version"),
    "out_of_range": (
        "Ngoài khoảng chấp nhận: đánh giá là không đạt (giá trị khác giá trị tính toán có "
        "giải trình).",
        "Outside the accepted range: assessed as not met (a value that differs from the "
        "computed one carries its justification).",
    ),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
}
STATUS = {
    "meets": ("Đạt", "Meets"),
    "not_met": ("Không đạt", "Not met"),
    "insufficient_data": ("Thiếu dữ liệu", "Insufficient data"),
    "declared_with_evidence": ("Kê khai, có minh chứng", "Declared, with evidence"),
    "declared_without_evidence": ("Kê khai, chưa có minh chứng", "Declared, no evidence"),
    "reported": ("Báo cáo", "Reported"),
    "draft": ("Bản nháp", "Draft"),
    "submitted": ("Đã nộp", "Submitted"),
    "accepted": ("Đã chấp nhận", "Accepted"),
    "returned": ("Trả lại", "Returned"),
    "approval": ("Chờ phê duyệt", "Awaiting approval"),
}
UNITS = {"yes/no": ("có/không", "yes/no"), "count": ("số lượng", "count")}
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def t(key: str, lang: str) -> str:
    vi, en = L[key]
    return vi if lang == "vi" else en


def status_text(code: str, lang: str) -> str:
    vi, en = STATUS.get(code, (code, code))
    return vi if lang == "vi" else en


def _unit(unit: str, lang: str) -> str:
    vi, en = UNITS.get(unit, (unit, unit))
    return vi if lang == "vi" else en


def _range(row, lang) -> str:
    if row["range"]:
        lo, hi = row["range"]
        return f"{format_value(lo, '', lang)}–{format_value(hi, '', lang)}"
    if row["threshold"] is not None:
        op = {">=": "≥", "<=": "≤"}.get(row["comparison"], row["comparison"])
        if row["unit"] == "yes/no":
            return t("yes" if row["threshold"] else "no", lang)
        return f"{op} {format_value(row['threshold'], '', lang)}"
    return "—"


def header(report: AnnualReport, lang: str) -> dict:
    park = report.park
    facts = [
        (t("year", lang), str(report.year)),
        (t("park", lang), park.name_vi if lang == "vi" else (park.name_en or park.name_vi)),
        (t("province", lang), park.province.name),
        (t("developer", lang), park.developer.name if park.developer else "—"),
    ]
    if report.enterprise_id:
        facts.append((t("enterprise", lang), report.enterprise.name_vi))
    facts.append((t("status", lang), status_text(report.status, lang)))
    number = report.revisions.order_by("-number").values_list("number", flat=True).first()
    if number:
        facts.append((t("version", lang), str(number)))
    return {
        "title": t(report.kind, lang),
        "facts": facts,
        "legal": "Thông tư 05/2025/TT-BKHĐT; Nghị định 35/2022/NĐ-CP"
        if report.kind != ReportKind.ECO_ENTERPRISE
        else "Nghị định 35/2022/NĐ-CP, Điều 42, 43",
        "signature": t("sign_ent" if report.enterprise_id else "sign_dev", lang),
    }


def table(report: AnnualReport, lang: str) -> list[dict]:
    """Rows as printed: every cell is text in the document's language."""
    out = []
    for row in report_rows(report):
        other = row["name_en"] if lang == "vi" else row["name_vi"]
        out.append(
            {
                "code": row["code"],
                "name": row["name_vi"] if lang == "vi" else row["name_en"],
                "other": other,
                "computed": format_value(row["computed"], row["unit"], lang),
                "reported": format_value(row["value"], row["unit"], lang),
                "unit": _unit(row["unit"], lang),
                "range": _range(row, lang),
                "status": status_text(row["status"], lang),
                "status_code": row["status"],
                "justification": row["justification"],
                "overridden": row["override"] is not None,
                "out_of_range": row["out_of_range"],
                "evidence": [ev.name for ev in row["evidence"]],
            }
        )
    return out


def size_text(n: int, lang: str) -> str:
    if n < 1024:
        return f"{format_value(n, '', lang)} B"
    kb = n / 1024
    text = format_value(round(kb, 1) if kb < 1024 else round(kb / 1024, 1), "", lang)
    return f"{text} {'KB' if kb < 1024 else 'MB'}"


def evidence_list(report: AnnualReport, lang: str) -> list[tuple[str, str, str]]:
    """(code, file name, size) of every evidence file, as printed."""
    return [(ev.code, ev.name, size_text(ev.size, lang)) for ev in report.evidence.all()]


def stamp(report: AnnualReport) -> str:
    """A generated document is fresh while the report's stamp (its version) is unchanged."""
    from .workflow import stamp as report_stamp

    return report_stamp(report)


COLUMNS = ("code", "indicator", "computed", "reported", "unit", "range", "result", "justification")


def report_docx(report: AnnualReport, lang: str = "vi") -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    with translation.override(lang):
        head, rows = header(report, lang), table(report, lang)
        doc = Document()
        sec = doc.sections[0]
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Cm(1.8))
        style = doc.styles["Normal"]
        style.font.name, style.font.size = "Times New Roman", Pt(11)

        def centred(text, bold=False, size=None, italic=False):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
            return p

        centred(t("motto1", lang), bold=True)
        centred(t("motto2", lang), bold=True, italic=True)
        centred(head["title"], bold=True, size=14)
        centred(f"{t('legal', lang)}: {head['legal']}", italic=True, size=10)
        info = doc.add_table(rows=0, cols=2)
        for label, value in head["facts"]:
            cells = info.add_row().cells
            cells[0].text, cells[1].text = label, value
            cells[0].paragraphs[0].runs[0].bold = True
        doc.add_paragraph()
        grid = doc.add_table(rows=1, cols=len(COLUMNS))
        grid.style = "Table Grid"
        for cell, key in zip(grid.rows[0].cells, COLUMNS, strict=True):
            cell.text = t(key, lang)
            cell.paragraphs[0].runs[0].bold = True
        for r in rows:
            cells = grid.add_row().cells
            values = (r["code"], r["name"], r["computed"], r["reported"], r["unit"], r["range"])
            for cell, value in zip(cells, values, strict=False):
                cell.text = value
            cells[1].add_paragraph().add_run(r["other"]).italic = True
            cells[6].text, cells[7].text = r["status"], r["justification"]
            if r["out_of_range"]:
                cells[6].add_paragraph().add_run("*").bold = True
        widths = (1.6, 8.5, 2.4, 2.4, 1.8, 2.3, 2.8, 4.2)
        for row in grid.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
        note = doc.add_paragraph()
        note.add_run(t("source_note", lang)).italic = True
        if any(r["out_of_range"] for r in rows):
            doc.add_paragraph().add_run("* " + t("out_of_range", lang)).italic = True
        doc.add_paragraph().add_run(t("evidence", lang)).bold = True
        files = evidence_list(report, lang)
        if files:
            ev = doc.add_table(rows=1, cols=3)
            ev.style = "Table Grid"
            for cell, key in zip(ev.rows[0].cells, ("code", "file", "size"), strict=True):
                cell.text = t(key, lang)
                cell.paragraphs[0].runs[0].bold = True
            for code, name, size in files:
                cells = ev.add_row().cells
                cells[0].text, cells[1].text, cells[2].text = code, name, size
        else:
            doc.add_paragraph(t("no_evidence", lang))
        sign = doc.add_table(rows=1, cols=2)
        right = sign.rows[0].cells[1]
        right.text = t("place_date", lang)
        for text, bold in ((head["signature"], True), (t("sign_hint", lang), False)):
            p = right.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.bold, run.italic = bold, not bold
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()


def report_xlsx(report: AnnualReport, lang: str = "vi") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from eiphub.core.spreadsheet import xlsx_row

    with translation.override(lang):
        head, rows = header(report, lang), table(report, lang)
        wb = Workbook()
        ws = wb.active
        ws.title = report.kind
        ws.append([head["title"]])
        ws["A1"].font = Font(bold=True, size=13)
        for label, value in head["facts"]:
            ws.append(xlsx_row(ws, [label, value]))
        ws.append([])
        ws.append([t(k, lang) for k in COLUMNS] + ["(computed)", "(reported)"])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        raw = {r["code"]: r for r in report_rows(report)}
        for r in rows:
            src = raw[r["code"]]
            ws.append(
                xlsx_row(
                    ws,
                    [
                        r["code"],
                        r["name"],
                        r["computed"],
                        r["reported"],
                        r["unit"],
                        r["range"],
                        r["status"],
                        r["justification"],
                        _cell(src["computed"]),
                        _cell(src["value"]),
                    ],
                )
            )
            ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        for col, width in zip("ABCDEFGHIJ", (9, 70, 16, 16, 12, 16, 22, 40, 12, 12), strict=True):
            ws.column_dimensions[col].width = width
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()


def _cell(v):
    """Raw numbers for spreadsheet formulas (booleans as they are)."""
    return v


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def report_pdf(report: AnnualReport, lang: str = "vi") -> bytes:
    if report.kind == ReportKind.ENV_SOCIAL:
        return env_social_pdf(report, lang)
    with translation.override(lang):
        rows = table(report, lang)
        return _pdf(
            "reports/doc/form_pdf.html",
            {
                "lang": lang,
                "head": header(report, lang),
                "rows": rows,
                "any_out_of_range": any(r["out_of_range"] for r in rows),
                "cols": [t(k, lang) for k in COLUMNS],
                "L": {k: t(k, lang) for k in L},
                "report": report,
                "evidence": evidence_list(report, lang),
            },
        )


# ------------------------------------------------------------------ env & social report


def svg_bars(labels, values, title: str, unit: str, lang: str, color="#2e7d5b") -> str:
    """A simple vertical bar chart as inline SVG (WeasyPrint does not run JavaScript)."""
    w, h, left, bottom, top = 460, 230, 56, 34, 34
    vals = [v or 0 for v in values]
    vmax = max(vals) if vals and max(vals) > 0 else 1
    n = max(1, len(vals))
    slot = (w - left - 10) / n
    bar = slot * 0.6
    plot_h = h - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="DejaVu Sans" font-size="10">',
        f'<text x="{left}" y="14" font-size="11" font-weight="bold">{escape(title)}</text>',
        f'<text x="{left}" y="27" fill="#555">{escape(unit)}</text>',
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - 10}" y2="{h - bottom}" stroke="#333"/>',
    ]
    for frac in (0.5, 1.0):
        y = h - bottom - plot_h * frac
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{w - 10}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#555">'
            f"{escape(format_value(vmax * frac, '', lang))}</text>"
        )
    for i, (label, v) in enumerate(zip(labels, vals, strict=True)):
        bh = plot_h * v / vmax
        x = left + i * slot + (slot - bar) / 2
        y = h - bottom - bh
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{bh:.1f}" fill="{color}"/>'
            f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
            f"{escape(format_value(round(v, 1), '', lang))}</text>"
            f'<text x="{x + bar / 2:.1f}" y="{h - bottom + 14}" text-anchor="middle">'
            f"{escape(str(label))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


ENV_LABELS = {
    "recp": (
        "1. Kết quả sử dụng hiệu quả tài nguyên và sản xuất sạch hơn (RECP)",
        "1. Resource efficiency and cleaner production (RECP) results",
    ),
    "emissions": ("2. Giám sát phát thải khí nhà kính", "2. Greenhouse-gas emission monitoring"),
    "water": ("3. Nước và tái sử dụng nước", "3. Water use and reuse"),
    "symbiosis": ("4. Cộng sinh công nghiệp", "4. Industrial symbiosis"),
    "social": ("5. Trách nhiệm xã hội", "5. Social responsibility"),
    "monitoring": (
        "6. Quan trắc môi trường tự động, liên tục",
        "6. Automatic continuous environmental monitoring",
    ),
    "stations": ("Số trạm quan trắc", "Monitoring stations"),
    "readings": ("Số liệu đã nhận", "Readings received"),
    "valid_share": ("Số liệu hợp lệ / dự kiến", "Valid readings / expected"),
    "exceedances": ("Số lần vượt giới hạn", "Limit exceedances"),
    "no_station": (
        "KCN chưa có trạm quan trắc tự động nối với EIP Hub.",
        "The park has no automatic monitoring station connected to EIP Hub.",
    ),
    "measures": ("Giải pháp RECP đã thực hiện", "RECP measures implemented"),
    "applying": ("Doanh nghiệp áp dụng RECP", "Enterprises applying RECP"),
    "savings": ("Tiết kiệm hằng năm (VNĐ)", "Annual savings (VND)"),
    "recp_chart": ("Số giải pháp RECP hoàn thành theo năm", "RECP measures completed per year"),
    "ghg_chart": ("Phát thải KNK phạm vi 1+2 theo năm", "Scope 1+2 GHG emissions per year"),
    "fresh_chart": (
        "Nước cấp của doanh nghiệp theo năm",
        "Enterprises' fresh water intake per year",
    ),
    "reclaimed_chart": (
        "Nước tái sử dụng cấp cho doanh nghiệp",
        "Reclaimed water supplied to enterprises",
    ),
    "operating": ("Liên kết cộng sinh đang vận hành", "Operating symbioses"),
    "benefit": ("Lợi ích kinh tế (VNĐ/năm)", "Economic benefit (VND/year)"),
    "co2": ("Giảm phát thải (tCO2e/năm)", "Emission reduction (tCO2e/year)"),
    "resource": ("Tài nguyên trao đổi", "Exchanged resource"),
    "count": ("Số liên kết", "Links"),
    "quantity": ("Khối lượng thực hiện", "Realised quantity"),
    "workers": ("Tổng số lao động", "Workers"),
    "female": ("Tỷ lệ lao động nữ (%)", "Female workers (%)"),
    "enterprises": ("Số doanh nghiệp", "Enterprises"),
    "summary": ("Tóm tắt", "Summary"),
    "no_data": ("Chưa có dữ liệu", "No data"),
}


def env_social_context(report: AnnualReport, lang: str) -> dict:
    c = report.computed
    years = [str(y) for y in c.get("years", [])]
    lab = {k: (vi if lang == "vi" else en) for k, (vi, en) in ENV_LABELS.items()}
    charts = {
        "recp": svg_bars(years, c["recp"]["by_year_count"], lab["recp_chart"], "", lang),
        "ghg": svg_bars(
            years, c["emissions"]["ghg_tco2e_by_year"], lab["ghg_chart"], "tCO2e", lang, "#8a5a00"
        ),
        "fresh": svg_bars(
            years, c["water"]["fresh_m3_by_year"], lab["fresh_chart"], "m³", lang, "#1f5f8b"
        ),
        "reclaimed": svg_bars(
            years, c["water"]["reclaimed_m3_by_year"], lab["reclaimed_chart"], "m³", lang, "#2a9d8f"
        ),
    }
    social = [
        {
            "code": i["code"],
            "name": i["name_vi"] if lang == "vi" else i["name_en"],
            "value": format_value(i["value"], "%", lang),
            "status": status_text(i["status"], lang),
        }
        for i in c["social"]["indicators"]
    ]
    fv = lambda v: format_value(v, "", lang)  # noqa: E731
    mon = c.get("monitoring")  # reports computed before monitoring existed have none
    if mon:
        mon = {
            "stations": fv(mon["stations"]),
            "readings": fv(mon["readings"]),
            "valid": format_value(round(100 * mon["completeness"]["valid"], 1), "%", lang) + " %",
            "exceedances": fv(mon["exceedances"]),
            "any": mon["stations"] > 0,
        }
    return {
        "mon": mon,
        "lang": lang,
        "head": header(report, lang),
        "L": {k: t(k, lang) for k in L},
        "lab": lab,
        "charts": charts,
        "c": c,
        "fv": {
            "measures": fv(c["recp"]["measures_implemented"]),
            "applying": fv(c["recp"]["enterprises_applying"]),
            "enterprises": fv(c["enterprises"]),
            "savings": fv(c["recp"]["savings_vnd_per_year"]),
            "operating": fv(c["symbiosis"]["operating"]),
            "benefit": fv(c["symbiosis"]["benefit_vnd_per_year"]),
            "co2": fv(c["symbiosis"]["co2e_t_per_year"]),
            "workers": fv(c["social"]["workers"]),
            "female": fv(c["social"]["female_share"]),
        },
        "sym_rows": [{**r, "quantity": fv(r["quantity"])} for r in c["symbiosis"]["by_resource"]],
        "social": social,
        "report": report,
    }


def env_social_pdf(report: AnnualReport, lang: str = "vi") -> bytes:
    with translation.override(lang):
        return _pdf("reports/doc/env_social_pdf.html", env_social_context(report, lang))


def export(report: AnnualReport, fmt: str, lang: str) -> tuple[bytes, str, str]:
    """(content, mime type, file name) of a report document."""
    lang = "en" if lang == "en" else "vi"
    makers = {"docx": report_docx, "xlsx": report_xlsx, "pdf": report_pdf}
    if report.kind == ReportKind.ENV_SOCIAL and fmt != "pdf":
        raise ValueError("the environmental and social report is a PDF")
    subject = report.enterprise.tax_code if report.enterprise_id else report.park.code
    name = f"{report.kind}_{subject}_{report.year}_{lang}.{fmt}"
    return makers[fmt](report, lang), MIME[fmt], name
