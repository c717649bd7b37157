"""Monitoring pages and API: station-token ingestion, scoping of enterprise stations, upload,
token renewal, the monthly report and the page contents."""

import io
import json

import pytest
from django.core import mail
from django.test import Client, TestCase

from eiphub.accounts.models import Role
from eiphub.monitoring import services as S
from eiphub.monitoring.models import Alert, Reading, Station
from eiphub.testing import make_world

from .helpers import T0, make_station


@pytest.fixture
def world(db):
    return make_world(with_flows=False)


def _client(world, role):
    c = Client()
    c.force_login(world.users[role])
    return c


def _post(c, body, token):
    return c.post(
        "/api/v1/monitoring/ingest",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_STATION_TOKEN=token,
    )


def test_api_ingest_with_station_token_raises_an_alert(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dev = world.users[Role.DEVELOPER]
    dev.email = "dev@example.vn"
    dev.save()
    st = make_station(world)
    token = st.new_token()
    body = {
        "readings": [
            {"parameter": "cod", "time": "2026-01-01T00:05:00+07:00", "value": 320.5},
            {"parameter": "COD", "time": T0 + 600, "value": 310.0, "status": "00"},
            {"parameter": "ph", "time": "2026-01-01T00:05:00", "value": 7.1},
        ]
    }
    c = Client()
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = _post(c, body, token)
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["received"], out["new"], out["new_exceedances"]) == (3, 3, 1)
    # naive times are Vietnam local time: 00:05 local = T0 + 300
    assert Reading.objects.filter(series__parameter="ph", ts=T0 + 300).exists()
    assert Alert.objects.get().value == pytest.approx((320.5 + 310.0) / 2)
    assert mail.outbox[0].to == ["dev@example.vn"]
    # the same batch again: nothing new, no second alert
    r = _post(c, body, token)
    assert (r.json()["new"], r.json()["replaced"], Alert.objects.count()) == (0, 3, 1)
    assert _post(c, body, "st_wrong").status_code == 401


def test_enterprise_sees_park_stations_and_its_own_only(world):
    make_station(world)
    Station.objects.create(
        park=world.k1, enterprise=world.e2, code="E2-STACK", name="Lò e2", kind="stack"
    )
    Station.objects.create(
        park=world.k1, enterprise=world.e1, code="E1-STACK", name="Lò e1", kind="stack"
    )
    c = _client(world, Role.ENTERPRISE)
    codes = {s["code"] for s in c.get("/api/v1/monitoring/stations").json()}
    assert codes == {"K1-WWTP", "E1-STACK"}
    assert c.get("/monitoring/stations/E2-STACK/").status_code == 404
    board = _client(world, Role.BOARD)
    got = {s["code"] for s in board.get("/api/v1/monitoring/stations").json()}
    assert got == {"K1-WWTP", "E1-STACK", "E2-STACK"}


def test_upload_and_token_renewal_permissions(world):
    st = make_station(world)
    csv = "time,cod,ph\n2026-01-01 00:05,40.5,7.2\n2026-01-01 00:10,41,15.5\n"
    for role, expected in ((Role.MINISTRY, 403), (Role.ENTERPRISE, 403), (Role.DEVELOPER, 302)):
        c = _client(world, role)
        f = io.BytesIO(csv.encode())
        f.name = "logger.csv"
        r = c.post(f"/monitoring/stations/{st.code}/upload/", {"file": f})
        assert r.status_code == expected, role
    assert Reading.objects.count() == 4
    assert Reading.objects.get(series__parameter="ph", ts=T0 + 600).flags == 1  # out of range
    c = _client(world, Role.CONSULTANT)  # does not see K1 at all
    assert c.post(f"/monitoring/stations/{st.code}/token/").status_code == 404
    c = _client(world, Role.BOARD)
    assert c.post(f"/monitoring/stations/{st.code}/token/").status_code == 302
    page = c.get(f"/monitoring/stations/{st.code}/").content.decode()
    assert 'id="mon-token"' in page
    st.refresh_from_db()
    token = page.split("<code>")[1].split("</code>")[0]
    assert Station.hash(token) == st.token_hash
    assert 'id="mon-token"' not in c.get(f"/monitoring/stations/{st.code}/").content.decode()


def test_pages_in_vietnamese_show_limits_and_exceedances(world):
    st = make_station(world)
    S.ingest(st, [("cod", T0 + i * 300, 180.0 + i, 0) for i in range(12)], notify=False)
    board_user = world.users[Role.BOARD]
    board_user.profile.language = "vi"
    board_user.profile.save()
    c = _client(world, Role.BOARD)
    c.cookies["django_language"] = "vi"
    page = c.get(f"/monitoring/stations/{st.code}/?p=cod").content.decode()
    assert "QCVN 40:2025/BTNMT" in page and "Giới hạn áp dụng" in page
    assert "cần kiểm tra với văn bản gốc" in page
    board = c.get("/monitoring/").content.decode()
    assert "Đang vượt" in board and st.name in board
    park = c.get(f"/monitoring/parks/{world.k1.code}/").content.decode()
    assert "ENV.5" in park
    assert "mon-station--exceeding" in park
    url = f"/api/v1/monitoring/stations/{st.code}/series/cod"
    api = c.get(url, {"start": "2026-01-01T00:00:00+07:00", "end": "2026-01-01T01:00:00+07:00"})
    data = api.json()
    assert data["resolution"] == "raw" and len(data["points"]) == 12
    assert data["points"][0] == [T0 * 1000, 180.0]
    assert data["limits"][-1]["high"] == 150


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_monthly_report(world, fmt):
    st = make_station(world)
    S.ingest(st, [("cod", T0 + i * 300, 60.0 + i % 5, 0) for i in range(48)], notify=False)
    c = _client(world, Role.DEVELOPER)
    r = c.get(f"/monitoring/parks/{world.k1.code}/report.{fmt}?month=2026-01")
    assert r.status_code == 200
    assert r["Content-Disposition"].endswith(f'quan-trac-K1-2026-01.{fmt}"')
    if fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(r.content)).active
        rows = list(ws.iter_rows(values_only=True))
        cod = next(row for row in rows if row[0] == st.code and row[1] == "COD")
        # 4 complete hours of 60, 61, ..., 64 repeating: hourly sums 741, 745, 744, 743 of 12
        # readings each -> monthly mean of the hourly means 2973 / 48; limit 150; no exceedance
        assert cod[3] == "≤ 150" and cod[4] == pytest.approx(2973 / 48) and cod[7] == 0
        assert cod[5] == pytest.approx(745 / 12)  # the highest hourly mean
        assert cod[6] == pytest.approx(4 / 744)  # 4 complete hours of the 744 in January
    if fmt == "docx":
        from docx import Document

        doc = Document(io.BytesIO(r.content))
        days = doc.tables[-1]  # the daily completeness: a header and the 31 days of January
        assert [c.text for c in days.rows[0].cells] in (
            ["Ngày", "Đã nhận", "Hợp lệ"],
            ["Day", "Received", "Valid"],
        )
        assert len(days.rows) == 32 and days.rows[1].cells[0].text == "01/01/2026"
        assert days.rows[2].cells[1].text in ("0,0 %", "0.0 %")  # nothing arrived on 2 January


def test_report_limits_use_the_one_number_format():
    from eiphub.core.monitoring import Limit
    from eiphub.monitoring.documents import _limit_text, _n

    assert _limit_text(Limit(high=1000.0), "vi") == "≤ 1.000"
    assert _limit_text(Limit(high=1000.0), "en") == "≤ 1,000"
    assert _limit_text(Limit(low=5.5, high=9.0), "vi") == "5,5–9"
    assert _n(1234.5, 2, "vi") == "1.234,50" and _n(None) == "—"


def test_api_columnar_batch_is_idempotent_and_flags_status(world):
    st = make_station(world)
    token = st.new_token()
    body = {
        "series": [
            {"parameter": "tss", "times": [T0, T0 + 300, T0 + 600], "values": [30, 31, 32],
             "status": ["00", "01", "00"]},
        ]
    }  # fmt: skip
    c = Client()
    r = _post(c, body, token)
    assert (r.json()["new"], r.json()["flagged"]) == (3, 1), r.json()
    assert _post(c, body, token).json()["new"] == 0
    assert Reading.objects.get(series__parameter="tss", ts=T0 + 300).flags == 4
    bad = {"series": [{"parameter": "tss", "times": [T0], "values": [1, 2]}]}
    assert _post(c, bad, token).status_code == 422
