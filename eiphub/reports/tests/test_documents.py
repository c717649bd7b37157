"""DOCX / XLSX / PDF documents contain the values and Vietnamese diacritics (text extracted)."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from eiphub.accounts.models import Role
from eiphub.reports import documents, workflow
from eiphub.testing import make_user

from .builders import YEAR, build_park

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    w = build_park()
    dev = make_user("dev", Role.DEVELOPER, organization=w.developer)
    rep = workflow.create_report(dev, "A5", YEAR, park=w.park)
    workflow.set_value(dev, rep, "ENV.3", 62.5, "Đồng hồ trạm XLNT được thay; số liệu kiểm toán")
    rep.refresh_from_db()
    return rep


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def test_docx_vi_and_en(report):
    text = docx_text(documents.report_docx(report, "vi"))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Số lượng liên kết cộng sinh công nghiệp trong KCN" in text  # ENV.1 name_vi
    assert "KCN Sinh Thái Đồng Nai" in text and "Tỉnh Sinh Thái" in text
    assert "Công ty Hạ tầng Sinh Thái" in text
    assert "62,5" in text and "50" in text  # reported (override) and computed ENV.3
    assert "Đồng hồ trạm XLNT được thay" in text  # justification
    assert "Không đạt" in text and "Kê khai, chưa có minh chứng" in text
    en = docx_text(documents.report_docx(report, "en"))
    assert "FORM A.5" in en and "Number of industrial symbioses in the park" in en
    assert "62.5" in en and "Reported value" in en
    assert "Số lượng liên kết cộng sinh" in en  # the Vietnamese name stays beside it


def test_xlsx(report):
    wb = load_workbook(io.BytesIO(documents.report_xlsx(report, "vi")))
    ws = wb.active
    cells = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert "Tỉnh Sinh Thái" in cells and "Giá trị báo cáo" in cells
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value in ("ENV.1", "ENV.3")}
    assert rows["ENV.3"][8].value == 50.0 and rows["ENV.3"][9].value == 62.5
    assert rows["ENV.1"][9].value == 2 and rows["ENV.1"][6].value == "Đạt"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_vi_and_en(report, tmp_path):
    text = flat(pdf_text(documents.report_pdf(report, "vi"), tmp_path))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "KCN Sinh Thái Đồng Nai" in text
    assert "62,5" in text and "Đồng hồ trạm XLNT" in text
    assert "Giá trị tính toán" in text
    en = flat(pdf_text(documents.report_pdf(report, "en"), tmp_path))
    assert "Computed value" in en and "62.5" in en


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_env_social_pdf(tmp_path):
    w = build_park()
    dev = make_user("dev", Role.DEVELOPER, organization=w.developer)
    from eiphub.core import monitoring as M
    from eiphub.monitoring import services as S
    from eiphub.monitoring.models import Station

    st = Station.objects.create(
        park=w.park, code="P-WWTP", name="XLNT", kind="wastewater", column="B"
    )
    S.add_series(st, "cod")
    t0 = M.day_start(dt.date(YEAR, 3, 1))
    # one hour at 300 mg/L (over any COD limit of column B), one at 50, and one in the next year
    S.ingest(
        st, [("cod", t0 + i * 300, 300.0 if i < 12 else 50.0, 0) for i in range(24)], notify=False
    )
    S.ingest(
        st,
        [("cod", M.day_start(dt.date(YEAR + 1, 1, 2)), 300.0, 0)],
        notify=False,
    )
    rep = workflow.create_report(dev, "env_social", YEAR, park=w.park)
    c = rep.computed
    assert {k: c["monitoring"][k] for k in ("stations", "readings", "exceedances")} == {
        "stations": 1,
        "readings": 24,
        "exceedances": 1,
    }
    assert c["years"] == [2021, 2022, 2023, 2024]
    assert c["recp"]["measures_implemented"] == 3  # E1, E2 (verified), E4
    assert c["recp"]["by_year_count"] == [0, 0, 0, 3]
    assert c["symbiosis"]["operating"] == 2
    assert c["water"]["fresh_m3_by_year"] == [0, 0, 0, 2000.0]
    assert c["emissions"]["ghg_tco2e_by_year"][-1] == 65.9  # 100 MWh x 0.6592 (latest grid)
    pdf = documents.report_pdf(rep, "vi")
    text = flat(pdf_text(pdf, tmp_path))
    assert "TRÁCH NHIỆM XÃ HỘI" in text and "Cộng sinh công nghiệp" in text
    assert "Tỷ lệ doanh nghiệp công bố thông tin" in text  # SOC.2
    assert "2.000" in text  # fresh water bar label, Vietnamese grouping
    assert "<svg" not in text
    assert (
        "quan trắc môi trường tự động, liên tục" in text.lower() and "Số lần vượt giới hạn" in text
    )
    en = flat(pdf_text(documents.report_pdf(rep, "en"), tmp_path))
    assert "Industrial symbiosis" in en and "2,000" in en
