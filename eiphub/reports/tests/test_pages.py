"""Pages: scorecard drill-down names the evidence, benchmarking exports, checklists, report
forms and workflow buttons through HTTP, API transitions."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from eiphub.accounts.models import ApiToken, Role
from eiphub.reports.models import AnnualReport, AuditEvent, ContextTarget, Declaration
from eiphub.testing import make_user

from .builders import YEAR, build_park

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = build_park()
    w.dev = make_user("dev", Role.DEVELOPER, organization=w.developer)
    w.board = make_user("board", Role.BOARD, province=w.province)
    w.ent = make_user("ent", Role.ENTERPRISE, enterprise=w.e[4])
    return w


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_scorecard_drilldown_names_the_evidence(w):
    html = client(w.board).get(f"/reports/park/{w.park.code}/decree35_art37_eip/{YEAR}/")
    assert html.status_code == 200
    text = html.content.decode()
    assert 'data-status="meets"' in text
    # 37.2.c: the counted enterprises, the qualifying measure, the one lacking data
    assert "Công ty Số 1" in text and "Thu hồi nhiệt lò hơi" in text
    assert "Tuần hoàn nước làm mát" in text and "no savings figures reported" in text
    assert "2/10 doanh nghiệp" in text or "2 of 10 enterprises" in text
    # 37.2.b: the qualifying symbiosis and the one whose receiver lacks ISO
    assert "Công ty Số 5 → Công ty Số 6 (energy.heat.waste_heat)" in text
    assert "Công ty Số 8: no ISO 14001" in text
    assert "QĐ-37.1.a.pdf" in text  # declared evidence
    a5 = client(w.board).get(f"/reports/park/{w.park.code}/circular05_a5/{YEAR}/").content
    assert b'data-chart-src="trend-' in a5  # ENV.3 has 2023 and 2024 values


def test_context_targets_page_and_scorecard(w):
    url = f"/reports/targets/{w.park.code}/"
    body = {
        "pack_id": "decree35_art37_eip",
        "code": "37.2.c",
        "comparison": ">=",
        "threshold": "40",
        "rationale": "Dệt may chiếm tỷ trọng lớn",
    }
    assert client(w.dev).post(url, body).status_code == 403
    assert client(w.board).post(url, body).status_code == 302
    assert ContextTarget.objects.get(park=w.park).threshold == 40
    text = client(w.board).get(f"/reports/park/{w.park.code}/decree35_art37_eip/{YEAR}/")
    text = text.content.decode()
    assert "Dệt may chiếm tỷ trọng lớn" in text and "37.2.c (&gt;= 40)" in text


def test_benchmark_exports(w):
    c = client(w.board)
    resp = c.get(f"/reports/benchmark/?pack=circular05_b5&year={YEAR}&format=csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["park", "name", "province", "verdict"]
    [row] = [r for r in rows[1:] if r[0] == w.park.code]
    assert row[3] == "not_met" and row[4:6] == ["20.0", "meets"]
    assert row[rows[0].index("SOC.4 value")] == "25.0"
    resp = c.get(f"/reports/benchmark/?pack=circular05_b5&year={YEAR}&format=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert [cell.value for cell in ws[2]][:5] == [
        w.park.code,
        "KCN Sinh Thái Đồng Nai",
        "Tỉnh Sinh Thái",
        "not_met",
        20.0,
    ]
    url = f"/reports/park/{w.park.code}/circular05_b5/{YEAR}/"
    assert url in c.get(f"/reports/benchmark/?pack=circular05_b5&year={YEAR}").content.decode()
    filtered = c.get(f"/reports/benchmark/?pack=circular05_b5&year={YEAR}&verdict=meets")
    assert url not in filtered.content.decode()


def test_checklists(w):
    c = client(w.dev)
    text = c.get(f"/reports/checklist/park/{w.park.code}/{YEAR}/").content.decode()
    assert "Registration letter" in text or "Văn bản đăng ký" in text
    assert text.count("badge--not_met") >= 2  # two dossier items missing, no A.5 report
    Declaration.objects.create(
        park=w.park, year=YEAR, code="dossier.registration_letter", evidence="CV-12/2025"
    )
    text = c.get(f"/reports/checklist/park/{w.park.code}/{YEAR}/").content.decode()
    assert "CV-12/2025" in text
    ent = client(w.ent).get(f"/reports/checklist/enterprise/{w.e[4].pk}/{YEAR}/")
    assert ent.status_code == 200 and "DNST.3" in ent.content.decode()
    assert (
        client(w.ent).get(f"/reports/checklist/enterprise/{w.e[0].pk}/{YEAR}/").status_code == 404
    )


def test_declarations_form(w):
    url = f"/reports/declarations/park/{w.park.code}/{YEAR}/"
    post = {"value-PM.1": "true", "evidence-PM.1": "QĐ 45/2024\nbiên bản.pdf", "note-PM.1": ""}
    assert client(w.board).post(url, post).status_code == 403
    assert client(w.dev).post(url, post).status_code == 302
    d = Declaration.objects.get(park=w.park, year=YEAR, code="PM.1")
    assert (d.value, d.documents) == (True, ["QĐ 45/2024", "biên bản.pdf"])


def test_report_forms_and_buttons(w):
    dev, board = client(w.dev), client(w.board)
    assert (
        board.post(
            "/reports/annual/new/", {"kind": "A5", "park": w.park.code, "year": YEAR}
        ).status_code
        == 302
    )
    assert not AnnualReport.objects.exists()  # refused with a message
    resp = dev.post("/reports/annual/new/", {"kind": "A5", "park": w.park.code, "year": YEAR})
    rep = AnnualReport.objects.get()
    assert resp["Location"] == f"/reports/annual/{rep.pk}/"
    page = dev.get(f"/reports/annual/{rep.pk}/").content.decode()
    assert 'value="submit"' in page and 'name="value-ENV.3"' in page
    assert 'value="accept"' not in board.get(f"/reports/annual/{rep.pk}/").content.decode()
    dev.post(f"/reports/annual/{rep.pk}/values/", {"value-ENV.3": "55", "justification-ENV.3": ""})
    rep.refresh_from_db()
    assert rep.values["ENV.3"] == 50.0  # refused: no justification
    dev.post(
        f"/reports/annual/{rep.pk}/values/",
        {"value-ENV.3": "55", "justification-ENV.3": "Số liệu trạm XLNT đã kiểm toán"},
    )
    rep.refresh_from_db()
    assert rep.values["ENV.3"] == 55.0
    board.post(f"/reports/annual/{rep.pk}/transition/", {"action": "accept"})
    rep.refresh_from_db()
    assert rep.status == "draft"
    dev.post(f"/reports/annual/{rep.pk}/transition/", {"action": "submit"})
    rep.refresh_from_db()
    assert rep.status == "submitted"
    queue = board.get("/reports/review/").content.decode()
    assert f"/reports/annual/{rep.pk}/" in queue
    board_page = board.get(f"/reports/annual/{rep.pk}/").content.decode()
    assert 'value="accept"' in board_page and 'value="return"' in board_page
    assert 'name="value-ENV.3"' not in board_page  # read only once submitted
    board.post(f"/reports/annual/{rep.pk}/transition/", {"action": "return", "comment": "Bổ sung"})
    rep.refresh_from_db()
    assert rep.status == "returned"
    page = dev.get(f"/reports/annual/{rep.pk}/").content.decode()
    assert "Bổ sung" in page and "Số liệu trạm XLNT đã kiểm toán" in page  # audit trail
    assert AuditEvent.objects.filter(report=rep).count() == 4
    # DOCX/PDF are generated by a background job (eager in tests): the first request queues
    # it and comes back to the page, which then offers the generated file as up to date
    first = dev.get(f"/reports/annual/{rep.pk}/export.docx?lang=vi")
    assert first.status_code == 302 and first["Location"].endswith("#documents")
    from eiphub.jobs.models import Job

    assert Job.objects.get(kind="reports.document").status == "succeeded"
    docx = dev.get(f"/reports/annual/{rep.pk}/export.docx?lang=vi")
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    page = dev.get(f"/reports/annual/{rep.pk}/").content.decode()
    row = page.split('data-fmt="docx" data-lang="vi"')[1].split("</tr>")[0]
    assert "badge--meets" in row  # up to date
    assert dev.get(f"/reports/annual/{rep.pk}/export.odt").status_code == 404


def test_eco_enterprise_report_by_enterprise_user(w):
    c = client(w.ent)
    c.post(
        "/reports/annual/new/", {"kind": "eco_enterprise", "enterprise": w.e[4].pk, "year": YEAR}
    )
    rep = AnnualReport.objects.get(kind="eco_enterprise")
    assert rep.enterprise == w.e[4]
    c.post(f"/reports/annual/{rep.pk}/transition/", {"action": "submit"})
    rep.refresh_from_db()
    assert rep.status == "submitted"
    # the enterprise user sees its own report only, never the park's reports
    park_rep = AnnualReport.objects.create(
        kind="A5", park=w.park, year=YEAR, pack_id="circular05_a5"
    )
    listed = c.get("/reports/annual/").content.decode()
    assert f'href="/reports/annual/{rep.pk}/"' in listed
    assert f'href="/reports/annual/{park_rep.pk}/"' not in listed
    assert c.get(f"/reports/annual/{park_rep.pk}/").status_code == 404


def test_api_scorecard_and_transition(w):
    _t, key = ApiToken.issue(w.dev)
    h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    c = Client()
    data = c.get(f"/api/v1/reports/scorecard/{w.park.code}/decree35_art37_eip/{YEAR}", **h).json()
    assert data["verdict"] == "meets"
    res = {r["code"]: r for r in data["results"]}
    assert res["37.2.c"]["counted"] == [w.e[0].pk, w.e[1].pk]
    assert c.get(f"/api/v1/reports/scorecard/{w.park.code}/nope/{YEAR}", **h).status_code == 404
    client(w.dev).post("/reports/annual/new/", {"kind": "B5", "park": w.park.code, "year": YEAR})
    rep = AnnualReport.objects.get()
    url = f"/api/v1/reports/annual/{rep.pk}/transition"
    ok = c.post(url, {"action": "submit"}, content_type="application/json", **h)
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    again = c.post(url, {"action": "submit"}, content_type="application/json", **h)
    assert again.status_code == 409
    _t, bkey = ApiToken.issue(w.board)
    bh = {"HTTP_AUTHORIZATION": f"Bearer {bkey}"}
    no_comment = c.post(url, {"action": "return"}, content_type="application/json", **bh)
    assert no_comment.status_code == 409
    dev_accept = c.post(url, {"action": "accept"}, content_type="application/json", **h)
    assert dev_accept.status_code == 403
    acc = c.post(url, {"action": "accept"}, content_type="application/json", **bh)
    assert acc.json()["status"] == "accepted"
    assert c.get(f"/api/v1/reports/annual/{rep.pk}", **bh).json()["values"]["ENV.2"] == 20.0


def test_report_editor_keeps_typed_values_when_a_value_is_refused(w):
    dev = client(w.dev)
    dev.post("/reports/annual/new/", {"kind": "A5", "park": w.park.code, "year": YEAR})
    rep = AnnualReport.objects.get()
    url = f"/reports/annual/{rep.pk}/values/"
    typed = {
        "value-ENV.1": "3",  # valid override of the computed 2
        "justification-ENV.1": "Đếm lại tại hiện trường",
        "value-ENV.3": "120",  # outside the accepted range 0–100, no justification: refused
        "justification-ENV.3": "",
        "value-ENV.5": "true",  # yes/no typed against the computed "no"
        "justification-ENV.5": "Đã lắp công tơ điện mặt trời",
    }
    resp = dev.post(url, typed)
    assert resp.status_code == 400
    page = resp.content.decode()
    assert 'name="value-ENV.1" value="3"' in page
    assert 'name="value-ENV.3" value="120"' in page and 'aria-invalid="true"' in page
    assert 'id="error-ENV.3"' in page and "ENV.3: 120" in page
    assert (
        '<option value="true" selected>'
        in page.split('name="value-ENV.5"')[1].split("</select>")[0]
    )
    for key in ("justification-ENV.1", "justification-ENV.3", "justification-ENV.5"):
        assert f'name="{key}" value="{typed[key]}"' in page
    rep.refresh_from_db()  # all or nothing: the valid rows are not half-saved
    assert rep.values["ENV.1"] == 2 and rep.values["ENV.3"] == 50.0 and rep.values["ENV.5"] is False
    assert not AuditEvent.objects.filter(report=rep, action="edit").exists()

    # a number the parser cannot read is kept as typed too
    resp = dev.post(url, {"value-ENV.3": "5x", "justification-ENV.3": "Ghi chú"})
    page = resp.content.decode()
    assert resp.status_code == 400 and 'name="value-ENV.3" value="5x"' in page
    assert 'name="justification-ENV.3" value="Ghi chú"' in page

    # corrected, the same post saves and redirects
    resp = dev.post(url, {**typed, "value-ENV.3": "60", "justification-ENV.3": "Đo lại tại trạm"})
    assert resp.status_code == 302
    rep.refresh_from_db()
    assert rep.values["ENV.1"] == 3 and rep.values["ENV.3"] == 60.0 and rep.values["ENV.5"] is True
