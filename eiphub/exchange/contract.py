"""Draft exchange contract as DOCX (Vietnamese), built with python-docx.

Parties are named only as the viewer may see them (``services.party_names``);
the document is a starting point for the parties' lawyers, not a legal form."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt

from eiphub.web.templatetags.eip import num

from .models import Agreement
from .services import Viewer, party_names, resource_name


def _d(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "…/…/……"


def contract_docx(viewer: Viewer, agreement: Agreement) -> bytes:
    from django.utils import translation

    with translation.override("vi"):
        supplier, receiver = party_names(viewer, agreement, "vi")
        res = resource_name(agreement.resource_code, lang="vi")
        qty = num(agreement.quantity_per_year)
        price = (
            "thỏa thuận sau"
            if agreement.price_vnd_per_unit is None
            else f"{num(agreement.price_vnd_per_unit, 0)} đồng/{agreement.unit}"
        )
    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(12)
    head = doc.add_paragraph()
    head.alignment = 1
    head.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n").bold = True
    head.add_run("Độc lập - Tự do - Hạnh phúc")
    title = doc.add_paragraph()
    title.alignment = 1
    r = title.add_run("HỢP ĐỒNG TRAO ĐỔI CHẤT THẢI, PHỤ PHẨM (DỰ THẢO)")
    r.bold = True
    r.font.size = Pt(14)
    doc.add_paragraph(f"Số: {agreement.pk}/HĐ-CSCN")
    doc.add_paragraph(
        "Căn cứ Luật Bảo vệ môi trường năm 2020; Nghị định số 35/2022/NĐ-CP ngày 28/5/2022 "
        "của Chính phủ quy định về quản lý khu công nghiệp và khu kinh tế; nhu cầu và khả năng "
        "của hai bên, hai bên thống nhất ký kết hợp đồng với các điều khoản sau:"
    )
    doc.add_heading("Các bên", level=2)
    doc.add_paragraph(f"Bên A (bên cung cấp): {supplier}")
    doc.add_paragraph(f"Bên B (bên nhận): {receiver}")
    doc.add_heading("Điều 1. Đối tượng hợp đồng", level=2)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for k, v in (
        ("Loại tài nguyên", f"{res} ({agreement.resource_code})"),
        ("Khối lượng", f"{qty} {agreement.unit}/năm"),
        ("Đơn giá", price),
        ("Thời hạn", f"từ {_d(agreement.starts_on)} đến {_d(agreement.ends_on)}"),
        ("Lộ trình cộng sinh", agreement.pathway or "—"),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = k, v
    doc.add_heading("Điều 2. Chất lượng, giao nhận", level=2)
    doc.add_paragraph(
        "Bên A giao tài nguyên đạt các chỉ tiêu chất lượng hai bên thống nhất tại phụ lục; "
        "khối lượng giao nhận hằng tháng được hai bên xác nhận và ghi nhận trên hệ thống EIP Hub."
    )
    doc.add_heading("Điều 3. Trách nhiệm môi trường", level=2)
    doc.add_paragraph(
        "Mỗi bên chịu trách nhiệm tuân thủ quy định về quản lý chất thải; chất thải nguy hại chỉ "
        "được chuyển giao cho tổ chức có giấy phép môi trường phù hợp."
    )
    doc.add_heading("Điều 4. Điều khoản khác", level=2)
    doc.add_paragraph(agreement.notes or "…")
    sign = doc.add_table(rows=1, cols=2)
    sign.cell(0, 0).text = "ĐẠI DIỆN BÊN A\n(Ký, ghi rõ họ tên, đóng dấu)"
    sign.cell(0, 1).text = "ĐẠI DIỆN BÊN B\n(Ký, ghi rõ họ tên, đóng dấu)"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
