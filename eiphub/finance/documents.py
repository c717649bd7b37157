"""The one-page project sheet a bank or fund can read, as PDF (WeasyPrint), XLSX and DOCX,
in Vietnamese or English.  All three are written from the same rows (``sheet_rows``)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eiphub.core.finance import FinanceError
from eiphub.web.templatetags.eip import num, pct, resource_name, vnd

from . import services as S
from .models import Project

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
VERDICT = {
    "may_qualify": lambda: _("May qualify"),
    "evidence_missing": lambda: _("Evidence missing"),
    "not_eligible": lambda: _("Not eligible"),
    "insufficient_data": lambda: _("Insufficient data"),
}


def _years(v):
    return "—" if v is None else f"{num(v, 1)} " + _("years")


def sheet_context(p: Project, lang: str) -> dict:
    """What the project page and its exported sheet show: appraisal, eligibility, history."""
    try:
        a = S.appraise(p)
        error = None
    except FinanceError as exc:
        a, error = None, exc.code
    elig = S.eligibility(p, a) if a else []
    return {
        "p": p,
        "a": a,
        "appraisal_error": error,
        "eligibility": [
            {
                "e": e,
                "title": e.pack.title(lang),
                "rows": [
                    {
                        "r": r,
                        "name": r.criterion.name(lang),
                        "evidence": e.pack.evidence_label(r.value, lang)
                        if r.criterion.test == "evidence"
                        else "",
                    }
                    for r in e.results
                ],
                "missing": [e.pack.evidence_label(c, lang) for c in e.missing_evidence],
            }
            for e in elig
        ],  # fmt: skip
        "observed": S.observed(p),
        "history": list(p.history.select_related("by")),
        "years": list(range(len(a.cashflows))) if a else [],
    }


def sheet_rows(p: Project, lang: str) -> dict:
    """Sections of the sheet as (label, text) pairs, and the sensitivity and eligibility
    tables, in the active language."""
    ctx = sheet_context(p, lang)
    a = ctx["a"]
    project = [
        (_("Project"), p.title),
        (_("Park"), f"{p.park.name_vi} ({p.park.code})"),
        (_("Province"), p.park.province.name),
        (_("Enterprise"), p.enterprise.name(lang) if p.enterprise_id else "—"),
        (_("Category"), str(p.get_category_display())),
        (_("Origin"), str(p.get_source_display())),
        (_("Stage"), str(p.get_stage_display())),
        (_("Owner"), p.owner.get_full_name() or p.owner.username if p.owner_id else "—"),
    ]
    money = [
        (_("Capital cost"), vnd(p.capex_vnd)),
        (_("Operating cost per year"), vnd(p.opex_vnd_per_year)),
        (_("Savings per year"), vnd(p.savings_vnd_per_year)),
        (_("Lifetime"), _years(p.lifetime_years)),
        (_("Discount rate"), pct(p.discount_rate, 1)),
    ]
    if p.resource_code:
        money.append((
            _("Resource"),
            f"{resource_name(p.resource_code)}: {num(p.quantity_per_year)} {p.unit}"
            + (f" · {vnd(p.price_vnd_per_unit)}/{p.unit}" if p.price_vnd_per_unit else ""),
        ))  # fmt: skip
    results = []
    if a is not None:
        results = [
            (_("Net present value (NPV)"), vnd(a.npv)),
            (_("Internal rate of return (IRR)"), pct(a.irr, 1) if a.irr is not None else "—"),
            (_("Simple payback"), _years(a.simple_payback)),
            (_("Discounted payback"), _years(a.discounted_payback)),
            (_("Avoided emissions"), f"{num(p.co2e_t_per_year, 1)} tCO2e/" + _("year")),
            (_("Abatement cost"), f"{vnd(a.abatement_cost)}/tCO2e"
             if a.abatement_cost is not None else "—"),
        ]  # fmt: skip
    saved = [(resource_name(k), num(v)) for k, v in (p.resources_saved or {}).items()]
    sens = []
    if a is not None:
        for r in a.sensitivity:
            sens.append([
                f"{'+' if r.change > 0 else ''}{num(r.change * 100, 0)} %",
                vnd(r.npv_price), vnd(r.npv_quantity),
                vnd(r.abatement_cost_quantity) if r.abatement_cost_quantity is not None else "—",
            ])  # fmt: skip
    elig = [
        [e["title"], VERDICT[e["e"].status](), ", ".join(e["missing"]) or "—",
         "; ".join(f"{r['r'].criterion.code}: {r['r'].criterion.source.document}, "
                   f"{r['r'].criterion.source.article}" for r in e["rows"])]
        for e in ctx["eligibility"]
    ]  # fmt: skip
    return {
        "title": _("Project sheet"),
        "h": {
            "project": _("The project"),
            "money": _("Costs and savings"),
            "results": _("Appraisal"),
            "saved": _("Resources saved per year"),
            "sens": _("Sensitivity to price and quantity"),
            "elig": _("Green finance eligibility"),
        },
        "project": project,
        "money": money,
        "results": results,
        "saved": saved,
        "sens_head": [
            _("Change"),
            _("NPV, price"),
            _("NPV, quantity"),
            _("Abatement cost, quantity"),
        ],  # fmt: skip
        "sens": sens,
        "elig_head": [_("Programme"), _("Assessment"), _("Evidence missing"), _("Citations")],
        "elig": elig,
        "note": _(
            "Figures calculated by EIP Hub from the platform's data and the sheet's inputs. "
            "Eligibility is indicative: the criteria are to be verified against the legal "
            "texts, and lenders and confirming bodies decide."
        ),
        "printed": _("Printed on %(date)s") % {"date": timezone.localdate().strftime("%d/%m/%Y")},
        "error": ctx["appraisal_error"],
    }


def sheet_pdf(p: Project, lang: str) -> bytes:
    from weasyprint import HTML

    with translation.override(lang):
        html = render_to_string("finance/sheet_pdf.html", {"s": sheet_rows(p, lang), "lang": lang})
    return HTML(string=html).write_pdf()


def sheet_xlsx(p: Project, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from eiphub.core.spreadsheet import xlsx_row

    with translation.override(lang):
        s = sheet_rows(p, lang)
        wb = Workbook()
        ws = wb.active
        ws.title = "sheet"
        ws.append(xlsx_row(ws, [s["title"], p.title]))
        ws["A1"].font = Font(bold=True, size=13)
        for block in ("project", "money", "results", "saved"):
            ws.append([])
            for label, value in s[block]:
                ws.append(xlsx_row(ws, [label, value]))
        for head, rows in ((s["sens_head"], s["sens"]), (s["elig_head"], s["elig"])):
            ws.append([])
            ws.append(xlsx_row(ws, head))
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
            for r in rows:
                ws.append(xlsx_row(ws, r))
        ws.append([])
        ws.append(xlsx_row(ws, [s["note"]]))
        for col, width in zip("ABCD", (34, 40, 30, 60), strict=True):
            ws.column_dimensions[col].width = width
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()


def sheet_docx(p: Project, lang: str) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    with translation.override(lang):
        s = sheet_rows(p, lang)
        doc = Document()
        sec = doc.sections[0]
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Cm(1.5))
        doc.styles["Normal"].font.name = "Times New Roman"
        doc.styles["Normal"].font.size = Pt(10)
        doc.add_heading(f"{s['title']}: {p.title}", level=1)
        for block in ("project", "money", "results", "saved"):
            if not s[block]:
                continue
            t = doc.add_table(rows=0, cols=2)
            t.style = "Table Grid"
            for label, value in s[block]:
                cells = t.add_row().cells
                cells[0].text, cells[1].text = label, value
            doc.add_paragraph()
        for head, rows in ((s["sens_head"], s["sens"]), (s["elig_head"], s["elig"])):
            t = doc.add_table(rows=1, cols=len(head))
            t.style = "Table Grid"
            for cell, text in zip(t.rows[0].cells, head, strict=True):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
            for r in rows:
                for cell, text in zip(t.add_row().cells, r, strict=True):
                    cell.text = text
            doc.add_paragraph()
        doc.add_paragraph().add_run(s["note"]).italic = True
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()


MAKERS = {"pdf": sheet_pdf, "xlsx": sheet_xlsx, "docx": sheet_docx}


def export(p: Project, fmt: str, lang: str) -> tuple[bytes, str, str]:
    lang = "en" if lang == "en" else "vi"
    return MAKERS[fmt](p, lang), MIME[fmt], f"project_{p.park.code}_{p.pk}_{lang}.{fmt}"
