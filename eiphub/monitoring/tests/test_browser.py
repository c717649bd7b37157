"""Browser test: the station page draws a day of readings with the limit line, zooms in to the
5-minute readings and shows the exceedance; no console errors."""

import re

import pytest

from eiphub.accounts.models import Role
from eiphub.monitoring import services as S
from eiphub.testing import make_world
from eiphub.testing.browser import SHOTS, chromium, login, new_page

from .helpers import T0, make_station

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_station_page_chart_zooms_to_readings(live_server):
    world = make_world(with_flows=False)
    st = make_station(world)
    readings = [("cod", T0 + i * 300, 60.0 + i % 7, 0) for i in range(288)]
    readings += [("cod", T0 + 288 * 300 + i * 300, 190.0 + i % 3, 0) for i in range(24)]
    S.ingest(st, readings, notify=False)
    with chromium() as browser:
        page = new_page(browser)
        login(page, live_server.url, world.users[Role.BOARD].username)
        page.goto(f"{live_server.url}/monitoring/stations/{st.code}/?p=cod")
        page.wait_for_function(
            "() => window.EIPMonitoringChart"
            " && document.querySelector('#mon-resolution').textContent.length > 0",
            timeout=15000,
        )
        series = page.evaluate(
            "window.EIPMonitoringChart.getOption().series.map(s => s.data.length)"
        )
        assert series[0] == 26 and series[1] > 0  # 26 hourly averages; the limit line drawn
        page.evaluate(
            "window.EIPMonitoringChart.dispatchAction({type: 'dataZoom', start: 99.99, end: 100})"
        )
        page.wait_for_function(
            "() => document.querySelector('#mon-resolution').dataset.raw"
            " === document.querySelector('#mon-resolution').textContent",
            timeout=15000,
        )
        assert page.evaluate("window.EIPMonitoringChart.getOption().series[0].data.length") > 26
        # two hours at 190, 191, 192 repeating: the worst hourly mean is 191 (vi number format)
        assert "191,00 mg/L" in page.locator("#mon-exceedances").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "monitoring_station.png"), full_page=True)
        assert page.console_errors == []


ENGLISH_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
ENGLISH_MONTH = re.compile(r"\b(" + "|".join(ENGLISH_MONTHS) + r")\b")
# the texts the chart drew on its canvas (zrender's display list: axis ticks, legend, slider)
DRAWN_TEXTS = (
    "() => window.EIPMonitoringChart.getZr().storage.getDisplayList(true)"
    ".map(el => el.style && el.style.text).filter(t => typeof t === 'string' && t.trim())"
)
X_TICKS = (
    "() => window.EIPMonitoringChart.getModel().getComponent('xAxis', 0).axis"
    ".getViewLabels().map(l => l.formattedLabel)"
)


def _open_chart(page, base, st):
    page.goto(f"{base}/monitoring/stations/{st.code}/?p=cod")
    page.wait_for_function(
        "() => window.EIPMonitoringChart"
        " && document.querySelector('#mon-resolution').textContent.length > 0",
        timeout=15000,
    )


def _zoom_to(page, start_ms, end_ms):
    page.evaluate(
        f"window.EIPMonitoringChart.dispatchAction({{type: 'dataZoom', startValue: {start_ms},"
        f" endValue: {end_ms}}})"
    )
    page.wait_for_timeout(600)  # the page re-fetches the window after 250 ms


@pytest.mark.django_db(transaction=True)
def test_station_chart_time_axis_speaks_the_page_language(live_server):
    world = make_world(with_flows=False)
    st = make_station(world)
    S.ingest(st, [("cod", T0 + i * 300, 60.0 + i % 7, 0) for i in range(600)], notify=False)
    with chromium() as browser:
        page = new_page(browser)
        login(page, live_server.url, world.users[Role.BOARD].username)
        _open_chart(page, live_server.url, st)
        # the year: month ticks "T3", never ECharts' English "Mar"
        year_ticks = page.evaluate(X_TICKS)
        assert year_ticks and any(re.fullmatch(r"T([1-9]|1[0-2])", t) for t in year_ticks), (
            year_ticks
        )
        views = {"year": page.evaluate(DRAWN_TEXTS)}
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "monitoring_station_axis_vi.png"), full_page=True)
        # two days: day ticks dd/M; then a few hours: HH:mm
        _zoom_to(page, (T0 - 86400) * 1000, (T0 + 2 * 86400) * 1000)
        day_ticks = page.evaluate(X_TICKS)
        assert any(re.fullmatch(r"\d\d/\d{1,2}", t) for t in day_ticks), day_ticks
        views["days"] = page.evaluate(DRAWN_TEXTS)
        page.locator("#mon-chart").screenshot(
            path=str(SHOTS / "monitoring_station_axis_vi_days.png")
        )
        _zoom_to(page, T0 * 1000, (T0 + 6 * 3600) * 1000)
        hour_ticks = page.evaluate(X_TICKS)
        assert any(re.fullmatch(r"\d\d:\d\d", t) for t in hour_ticks), hour_ticks
        views["hours"] = page.evaluate(DRAWN_TEXTS)
        for view, texts in views.items():
            english = [t for t in texts if ENGLISH_MONTH.search(t)]
            assert not english, (view, english)
        assert page.console_errors == []

        # English pages keep ECharts' English month names
        en = new_page(browser)
        login(en, live_server.url, world.users[Role.BOARD].username, language="en")
        _open_chart(en, live_server.url, st)
        en_ticks = en.evaluate(X_TICKS)
        assert any(t in ENGLISH_MONTHS for t in en_ticks), en_ticks
        assert not any(re.fullmatch(r"T\d+", t) for t in en_ticks), en_ticks
