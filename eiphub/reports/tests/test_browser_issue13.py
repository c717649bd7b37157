"""Browser test of issue 13 from the demo data, in Vietnamese and English: the developer
types a failing value with its justification, attaches evidence and submits after the
confirmation page; the board returns the report with a comment on one indicator; the
developer sees the comment, corrects and resubmits; the board sees version 2 with the
differences; each step's pending item is on the to-do list of the dashboard."""

import datetime as dt

import pytest

from eiphub.registry.demo import DEMO_PASSWORD, load_demo
from eiphub.registry.management.commands.demo import run_extensions
from eiphub.reports.models import AnnualReport, IndicatorComment, ReportEvidence
from eiphub.testing.browser import SHOTS, chromium, login, new_page

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = {
    "vi": {
        "submit": "Lưu và nộp…",
        "confirm": "Xác nhận: nộp cho Ban quản lý",
        "review": "chờ bạn xem xét",
        "returned": "Ban quản lý trả lại",
        "warning": "SOC.4: 70 nằm ngoài khoảng chấp nhận 75–100; giá trị được báo cáo",
        "version2": "Phiên bản 2",
        "not_met": "Chưa đạt",
        "first": "70",
        "second": "72,5",
        "second_shown": "72,5",
    },
    "en": {
        "submit": "Save and submit…",
        "confirm": "Confirm: file with the board",
        "review": "your review",
        "returned": "Returned by the board",
        "warning": "SOC.4: 70 is outside the accepted range 75–100; it is reported",
        "version2": "Version 2",
        "not_met": "Not met",
        "first": "70",
        "second": "72.5",
        "second_shown": "72.5",
    },
}


def _todo(page, base):
    page.goto(f"{base}/dashboard/")
    return page.locator("#todo").inner_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_cycle_with_evidence_comments_versions_and_todo(live_server, lang, tmp_path):
    load_demo(months=2, today=dt.date(2025, 12, 15))
    run_extensions(None)
    t = TEXT[lang]
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    evidence = tmp_path / "bien-ban-khao-sat-SOC4.pdf"
    evidence.write_bytes(PDF)
    with chromium() as browser:
        dev = new_page(browser)
        login(dev, base, "developer", DEMO_PASSWORD, language=lang)
        # a B.5 draft from the computed values
        dev.goto(f"{base}/reports/annual/")
        dev.select_option("form[action$='/annual/new/'] select[name=kind]", "B5")
        dev.select_option("form[action$='/annual/new/'] select[name=year]", "2025")
        dev.click("form[action$='/annual/new/'] button[type=submit]")
        dev.wait_for_url("**/reports/annual/*/")
        rep = AnnualReport.objects.get(kind="B5")
        # a failing value (outside the accepted range 75–100), its justification, evidence
        dev.fill("input[name='value-SOC.4']", t["first"])
        dev.fill("input[name='justification-SOC.4']", "Khảo sát lại 31 doanh nghiệp, 2 chưa đạt")
        dev.set_input_files("input[name='evidence-SOC.4']", str(evidence))
        dev.click("#submit-button")
        dev.wait_for_url("**/confirm/")
        row = dev.locator("#confirm-SOC\\.4").inner_text()
        assert t["not_met"] in row and "bien-ban-khao-sat-SOC4.pdf" in row
        assert t["warning"] in dev.content()  # the warning after saving
        dev.screenshot(path=str(SHOTS / f"issue13_confirm_{lang}.png"), full_page=True)
        rep.refresh_from_db()
        assert rep.status == "draft" and rep.values["SOC.4"] == 70.0  # saved, not yet filed
        dev.click("#confirm-button")
        dev.wait_for_url(f"**/reports/annual/{rep.pk}/")
        rep.refresh_from_db()
        assert rep.status == "submitted"
        assert ReportEvidence.objects.filter(report=rep, code="SOC.4").count() == 1

        board = new_page(browser)
        login(board, base, "board", DEMO_PASSWORD, language=lang)
        todo = _todo(board, base)
        assert t["review"] in todo
        board.screenshot(path=str(SHOTS / f"issue13_todo_board_{lang}.png"))
        board.goto(f"{base}/reports/annual/{rep.pk}/")
        assert "bien-ban-khao-sat-SOC4.pdf" in board.locator("#row-SOC\\.4").inner_text()
        board.fill("textarea[name='comment-SOC.4']", "Đề nghị nêu tên 2 doanh nghiệp chưa đạt")
        board.click("#review-form button[value=return]")
        board.wait_for_url(f"**/reports/annual/{rep.pk}/")
        rep.refresh_from_db()
        assert rep.status == "returned"
        assert IndicatorComment.objects.get(report=rep).code == "SOC.4"
        assert t["review"] not in _todo(board, base)

        todo = _todo(dev, base)
        assert t["returned"] in todo
        dev.screenshot(path=str(SHOTS / f"issue13_todo_developer_{lang}.png"))
        dev.click(f"#todo a[href$='/reports/annual/{rep.pk}/']")
        comment = dev.locator("#row-SOC\\.4 .indicator-comment").inner_text()
        assert "Đề nghị nêu tên 2 doanh nghiệp chưa đạt" in comment
        dev.locator("#row-SOC\\.4").scroll_into_view_if_needed()
        dev.screenshot(path=str(SHOTS / f"issue13_returned_{lang}.png"))
        dev.fill("input[name='value-SOC.4']", t["second"])
        dev.fill("input[name='justification-SOC.4']", "Công ty A và B chưa đạt; đã bổ sung")
        dev.click("#submit-button")
        dev.wait_for_url("**/confirm/")
        assert dev.locator("#pending-diffs").count() == 1
        dev.click("#confirm-button")
        dev.wait_for_url(f"**/reports/annual/{rep.pk}/")
        rep.refresh_from_db()
        assert rep.status == "submitted" and rep.values["SOC.4"] == 72.5
        assert t["returned"] not in _todo(dev, base)

        assert t["review"] in _todo(board, base)
        board.goto(f"{base}/reports/annual/{rep.pk}/")
        assert t["version2"] in board.locator("#version-badge").inner_text()
        diff = board.locator("#diff-SOC\\.4").inner_text()
        assert "70" in diff and t["second_shown"] in diff
        board.screenshot(path=str(SHOTS / f"issue13_version2_{lang}.png"), full_page=True)
        # the documents: generated by the job, listed with their freshness
        doc_row = f"tr.doc-row[data-fmt=pdf][data-lang={lang}]"
        board.click(f"{doc_row} form button")
        board.wait_for_url(f"**/reports/annual/{rep.pk}/*")
        cell = board.locator(doc_row).inner_text()
        assert {"vi": "mới nhất", "en": "up to date"}[lang] in cell
        with board.expect_download() as dl:
            board.click(f"{doc_row} a")
        dl.value.save_as(str(SHOTS / f"issue13_report_{lang}.pdf"))
        assert not dev.console_errors and not board.console_errors
