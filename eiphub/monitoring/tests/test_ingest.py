"""Ingestion: idempotent on (series, ts), late data, flags kept, hourly sums, exceedances and
alerts (in-app and e-mail)."""

import pytest
from django.core import mail

from eiphub.core import monitoring as M
from eiphub.monitoring import services as S
from eiphub.monitoring.models import Alert, Exceedance, HourlyAverage, Reading
from eiphub.testing import make_world

from .helpers import T0, make_station

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def world(db):
    return make_world(with_flows=False)


def _hour(t):
    return HourlyAverage.objects.get(series__parameter="cod", hour=t)


def test_idempotent_and_late_readings(world):
    st = make_station(world)
    batch = [("cod", T0 + i * 300, 40.0 + i, 0) for i in range(12)]
    r1 = S.ingest(st, batch)
    assert (r1.received, r1.new, r1.flagged) == (12, 12, 0)
    r2 = S.ingest(st, batch[::-1])  # the same readings again, out of order
    assert (r2.received, r2.new) == (12, 0)
    assert Reading.objects.count() == 12
    h = _hour(T0)
    assert (h.n_total, h.n_valid, h.total) == (12, 12, sum(40.0 + i for i in range(12)))
    # a corrected value replaces the stored one; a late reading of an earlier hour lands there
    S.ingest(st, [("cod", T0, 100.0, 0), ("cod", T0 - 300, 50.0, 0)])
    assert Reading.objects.get(series__parameter="cod", ts=T0).value == 100.0
    assert _hour(T0).total == sum(40.0 + i for i in range(12)) - 40 + 100
    assert _hour(T0 - 3600).n_total == 1
    st.refresh_from_db()
    assert st.last_ts == T0 + 11 * 300  # the late reading does not move the latest time


def test_unknown_parameter_rejected_without_losing_the_batch(world):
    st = make_station(world)
    r = S.ingest(st, [("cod", T0, 10.0, 0), ("xyz", T0, 1.0, 0)])
    assert r.new == 1 and r.rejected == [
        {"index": 1, "code": "unknown_parameter", "parameter": "xyz"}
    ]


def test_bad_readings_are_kept_and_flagged_not_averaged(world):
    st = make_station(world)
    readings = [("ph", T0 + i * 300, 7.0 + i / 10, 0) for i in range(6)]
    readings += [("ph", T0 + 6 * 300, 15.2, 0)]  # above the 0–14 instrument range
    readings += [("ph", T0 + 7 * 300, 7.5, M.FLAG_CALIBRATION)]
    r = S.ingest(st, readings)
    assert r.flagged == 2
    stored = dict(Reading.objects.filter(series__parameter="ph").values_list("ts", "flags"))
    assert stored[T0 + 6 * 300] == M.FLAG_OUT_OF_RANGE
    assert stored[T0 + 7 * 300] == M.FLAG_CALIBRATION
    h = HourlyAverage.objects.get(series__parameter="ph", hour=T0)
    assert (h.n_total, h.n_valid) == (8, 6)
    assert h.total == pytest.approx(sum(7.0 + i / 10 for i in range(6)))


def test_stuck_values_across_batches(world):
    st = make_station(world)
    s = st.series.get(parameter="tss")
    s.stuck_run = 4
    s.save()
    S.ingest(st, [("tss", T0 + i * 300, 20.0, 0) for i in range(3)])
    S.ingest(st, [("tss", T0 + 3 * 300, 20.0, 0), ("tss", T0 + 4 * 300, 21.0, 0)])
    flags = list(Reading.objects.filter(series=s).order_by("ts").values_list("flags", flat=True))
    assert flags == [0, 0, 0, M.FLAG_STUCK, 0]


def test_exceedance_alert_and_email(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dev = world.users["developer"]
    dev.email = "dev@example.vn"
    dev.save()
    board = world.users["board"]
    board.email = "board@example.vn"
    board.save()
    st = make_station(world)
    # hour 0: 12 readings at 100 mg/L (COD limit column B, QCVN 40:2025: 150) -> no exceedance
    S.ingest(st, [("cod", T0 + i * 300, 100.0, 0) for i in range(12)])
    assert not Exceedance.objects.exists()
    # hour 1: one reading of 300 arrives: the running hourly average 300 > 150 -> alert now
    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            r = S.ingest(st, [("cod", T0 + 3600, 300.0, 0)])
    assert len(r.exceedances) == 1
    e = Exceedance.objects.get()
    assert (e.start, e.end, e.peak, e.limit, e.confirmed) == (T0 + 3600, T0 + 7200, 300, 150, False)
    assert e.magnitude == pytest.approx(1.0)
    alert = Alert.objects.get()
    assert (alert.parameter, alert.value, alert.limit, alert.emailed) == ("cod", 300, 150, 2)
    assert len(mail.outbox) == 1 and sorted(mail.outbox[0].to) == [
        "board@example.vn",
        "dev@example.vn",
    ]
    assert "COD" in mail.outbox[0].body and "KCN Một" in mail.outbox[0].subject
    # the rest of hour 1 (200 mg/L) and hour 2 (180): one episode grows, no second alert
    more = [("cod", T0 + 3600 + i * 300, 200.0, 0) for i in range(1, 12)]
    more += [("cod", T0 + 7200 + i * 300, 180.0, 0) for i in range(12)]
    r = S.ingest(st, more)
    assert r.exceedances == [] and Alert.objects.count() == 1
    e.refresh_from_db()
    assert (e.start, e.end, e.periods, e.confirmed) == (T0 + 3600, T0 + 3 * 3600, 2, True)
    assert e.peak == pytest.approx((300 + 11 * 200) / 12)
    # back within the limit in hour 3; a corrected hour 1 (late data) splits nothing
    S.ingest(st, [("cod", T0 + 3 * 3600 + i * 300, 90.0, 0) for i in range(12)])
    statuses = S.station_statuses([st], now=T0 + 4 * 3600)
    assert statuses[st.pk]["status"] == "ok"


def test_alert_email_writes_numbers_the_vietnamese_way(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dev = world.users["developer"]
    dev.email = "dev@example.vn"
    dev.save()
    st = make_station(world)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        S.ingest(st, [("cod", T0 + i * 300, 1234.5, 0) for i in range(3)])
    body = mail.outbox[0].body
    # 1,234.5 mg/L against 150: Vietnamese grouping and decimal comma, never Python's repr
    assert "1.234,5 mg/L" in body and "150 mg/L" in body and "1234.5" not in body


def test_open_exceedance_sets_station_status(world):
    st = make_station(world)
    S.ingest(st, [("ph", T0 + i * 300, 4.8, 0) for i in range(12)], notify=False)
    e = Exceedance.objects.get()
    assert (e.bound, e.limit) == ("low", 5.5) and e.peak == pytest.approx(4.8)
    status = S.station_statuses([st], now=T0 + 3600)[st.pk]
    assert status["status"] == "exceeding" and status["open"][0]["parameter"] == "ph"
    assert S.station_statuses([st], now=T0 + 5 * 3600)[st.pk]["status"] == "exceeding"


def test_sql_hourly_sums_agree_with_the_core_rule(world):
    st = make_station(world)
    ts = [T0 + i * 300 for i in range(30) if i not in (4, 5, 17)]
    vals = [10.0 + (i * 7) % 13 for i in range(len(ts))]
    vals[3] = 9999.0  # out of range
    S.ingest(st, [("cod", t, v, 0) for t, v in zip(ts, vals, strict=True)])
    flags = M.flag_readings(vals, low=0, high=2000, stuck_run=12)
    ref = M.hourly_averages(ts, vals, flags, interval_s=300)
    got = S.hourly(st.series.get(parameter="cod"))
    assert [(a.start, a.n_valid, a.n_total, a.complete) for a in got] == [
        (a.start, a.n_valid, a.n_total, a.complete) for a in ref
    ]
    assert [a.mean for a in got] == pytest.approx([a.mean for a in ref])


def test_logger_files():
    txt = b"COD 45.2 mg/L 20260101001000 00\nPH 7.1 - 20260101001000 01\n"
    rows = S.parse_logger_file("K1_XLNT_20260101001000.txt", txt)
    assert rows == [("cod", T0 + 600, 45.2, 0), ("ph", T0 + 600, 7.1, M.FLAG_CALIBRATION)]
    csv = "time;cod;ph;ph_status\n01/01/2026 00:05;44,5;7.2;00\n01/01/2026 00:10;;7.3;02\n"
    rows = S.parse_logger_file("logger.csv", csv.encode())
    assert rows == [
        ("cod", T0 + 300, 44.5, 0),
        ("ph", T0 + 300, 7.2, 0),
        ("ph", T0 + 600, 7.3, M.FLAG_FAULT),
    ]
    with pytest.raises(S.FileError) as err:
        S.parse_logger_file("x.csv", b"cod,ph\n1,2\n")
    assert err.value.code == "bad_header"
