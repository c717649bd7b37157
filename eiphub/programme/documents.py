"""One-page investment-promotion sheet per park (PDF via WeasyPrint, DOCX), vi and en.

Built from the park's registry record and the stored programme result (industry
opportunities with quantity bands and rounded estimates, the readiness strengths)."""

from __future__ import annotations

import io
from collections import Counter

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from eiphub.core.catalogue import default_catalogue
from eiphub.core.sectors import default_sectors
from eiphub.exchange.services import quantity_band
from eiphub.web.templatetags.eip import num, pct

from . import phrases

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MAX_INDUSTRIES = 6


def sheet_context(park, result, fresh, opportunities, lang: str) -> dict:
    cat, sectors = default_catalogue(), default_sectors()
    vsics = Counter(park.enterprises.values_list("vsic", flat=True))
    pillars = []
    for code, n in vsics.most_common(5):
        s = sectors.typical(code)
        pillars.append(f"{code} {s.name(lang) if s else ''} ({n})".replace("  ", " "))
    facts = [
        (_("Province"), park.province.name),
        (_("Total area"), f"{num(park.total_area_ha, 0)} ha"),
        (_("Industrial land"), f"{num(park.industrial_land_ha, 0)} ha"),
        (_("Occupancy"), pct(float(park.occupancy_pct) / 100, 0) if park.occupancy_pct else "—"),
        (
            _("Established"),
            formats.date_format(park.established_on, "SHORT_DATE_FORMAT")
            if park.established_on
            else "—",
        ),
        (_("Eco status"), str(park.get_eco_status_display())),
        (_("Developer"), park.developer.name if park.developer else "—"),
        (
            _("Shared infrastructure"),
            ", ".join(f.name for f in park.facilities.all()) or "—",
        ),
        (_("Main industries (VSIC, enterprises)"), "; ".join(pillars) or "—"),
    ]
    rows = []
    for o in opportunities[:MAX_INDUSTRIES]:
        gets, gives = [], []
        for f in o["flows"]:
            text = (
                f"{cat.label(f['resource'], lang)} "
                f"({quantity_band(f['quantity_reachable'], f['unit'], 'year')})"
            )
            (gets if f["side"] == "supply" else gives).append(text)
        rows.append(
            {
                "vsic": o["vsic"],
                "name": o["name_en"] if lang == "en" else o["name_vi"],
                "gets": "; ".join(gets) or "—",
                "gives": "; ".join(gives) or "—",
                "benefit": phrases.money(o["benefit_vnd_per_year"]),
                "co2": num(phrases.approx(o["co2e_t_per_year"]), 0),
            }
        )
    score = None
    if result:
        score = next((s for s in result["parks"] if s["code"] == park.code), None)
    strengths = [phrases.reason(r) for r in (score or {}).get("reasons", []) if r["kind"] == "plus"]
    at = fresh.get("computed_at") if fresh else None
    return {
        "lang": lang,
        "title": _("Investment promotion sheet"),
        "park_name": park.name(lang),
        "facts": facts,
        "rows": rows,
        "strengths": strengths[:5],
        "L": {
            "industries": _("Industries we are looking for"),
            "industry": _("Industry (VSIC)"),
            "gets": _("Inputs the park can supply (within transport reach, per year)"),
            "gives": _("Outputs the park's firms need (per year)"),
            "benefit": _("Estimated benefit per year"),
            "co2": _("tCO2e avoided per year"),
            "strengths": _("Why this park"),
            "none": _("No industry opportunity computed yet."),
            "note": _(
                "Indicative: quantities are bands of the unmatched offers and wants published "
                "on EIP Hub; benefits use the knowledge base's default prices (to verify) and "
                "are rounded to one significant figure."
            ),
            "computed": _("Data computed at %(at)s")
            % {
                "at": formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")
                if at
                else "—"
            },
            "illustrative": _("Illustrative demo data") if park.illustrative else "",
        },
    }


def promotion_pdf(park, result, fresh, opportunities, lang: str = "vi") -> bytes:
    from weasyprint import HTML

    with translation.override(lang):
        html = render_to_string(
            "programme/doc/sheet_pdf.html", sheet_context(park, result, fresh, opportunities, lang)
        )
    return HTML(string=html).write_pdf()


def promotion_docx(park, result, fresh, opportunities, lang: str = "vi") -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    with translation.override(lang):
        ctx = sheet_context(park, result, fresh, opportunities, lang)
        doc = Document()
        sec = doc.sections[0]
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Cm(1.6))
        style = doc.styles["Normal"]
        style.font.name, style.font.size = "Times New Roman", Pt(10)
        doc.add_heading(ctx["title"], level=1)
        doc.add_heading(ctx["park_name"], level=2)
        facts = doc.add_table(rows=0, cols=2)
        facts.style = "Table Grid"
        for label, value in ctx["facts"]:
            cells = facts.add_row().cells
            cells[0].text, cells[1].text = str(label), str(value)
            cells[0].paragraphs[0].runs[0].bold = True
        doc.add_heading(ctx["L"]["industries"], level=2)
        if ctx["rows"]:
            grid = doc.add_table(rows=1, cols=5)
            grid.style = "Table Grid"
            heads = ("industry", "gets", "gives", "benefit", "co2")
            for cell, key in zip(grid.rows[0].cells, heads, strict=True):
                cell.text = ctx["L"][key]
                cell.paragraphs[0].runs[0].bold = True
            for r in ctx["rows"]:
                cells = grid.add_row().cells
                values = (f"{r['vsic']} {r['name']}", r["gets"], r["gives"], r["benefit"], r["co2"])
                for cell, value in zip(cells, values, strict=True):
                    cell.text = value
        else:
            doc.add_paragraph(ctx["L"]["none"])
        if ctx["strengths"]:
            doc.add_heading(ctx["L"]["strengths"], level=2)
            for s in ctx["strengths"]:
                doc.add_paragraph(s, style="List Bullet")
        note = doc.add_paragraph()
        note.add_run(ctx["L"]["note"]).italic = True
        doc.add_paragraph(
            f"{ctx['L']['computed']}{' · ' + ctx['L']['illustrative'] if ctx['L']['illustrative'] else ''}"
        )
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()
