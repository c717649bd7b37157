"""Browser test: a refused save of the annual-report editor keeps what was typed."""

import pytest

from eiphub.accounts.models import Role
from eiphub.reports.models import AnnualReport
from eiphub.testing import make_user
from eiphub.testing.browser import SHOTS, chromium, login, new_page

from .builders import YEAR, build_park

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_refused_values_stay_in_the_editor(live_server):
    w = build_park()
    dev = make_user("dev", Role.DEVELOPER, organization=w.developer)
    with chromium() as browser:
        page = new_page(browser)
        login(page, live_server.url, dev.username)
        page.goto(f"{live_server.url}/reports/annual/")
        csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        page.context.request.post(
            f"{live_server.url}/reports/annual/new/",
            form={"kind": "A5", "park": w.park.code, "year": str(YEAR)},
            headers={"X-CSRFToken": csrf, "Referer": live_server.url},
        )
        rep = AnnualReport.objects.get()
        page.goto(f"{live_server.url}/reports/annual/{rep.pk}/")
        page.fill("input[name='value-ENV.1']", "3")
        page.fill("input[name='justification-ENV.1']", "Đếm lại tại hiện trường")
        page.fill("input[name='value-ENV.3']", "120")
        # outside the accepted range 0–100 without a justification: refused (issue 13)
        page.fill("input[name='justification-ENV.3']", "")
        page.click("form[action$='/values/'] button[type=submit]")
        page.wait_for_selector("#error-ENV\\.3")
        assert page.input_value("input[name='value-ENV.1']") == "3"
        assert page.input_value("input[name='value-ENV.3']") == "120"
        assert page.input_value("input[name='justification-ENV.1']") == "Đếm lại tại hiện trường"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#row-ENV\\.3").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "report_editor_refused.png"))
        rep.refresh_from_db()
        assert rep.values["ENV.1"] == 2 and rep.values["ENV.3"] == 50.0
