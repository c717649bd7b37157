"""Browser test: the station page draws a day of readings with the limit line, zooms in to the
5-minute readings and shows the exceedance; no console errors."""

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
