"""Browser tests of data entry (issue 11): the monthly grid, the import preview and its undo,
in Vietnamese and English, and the export form submitting in Vietnamese.

Screenshots go to var/screenshots/ (grid_vi.png, import_preview_vi.png, ...)."""

import datetime as dt
from decimal import Decimal

import pytest

from eiphub.accounts.models import Role
from eiphub.flows.models import FlowRecord, ImportBatch
from eiphub.flows.services import save_flow
from eiphub.testing import make_world
from eiphub.testing.browser import SHOTS, chromium, login, new_page

from . import io_factories as F

pytestmark = pytest.mark.browser
TYPED = {"vi": ("120,5", "1.250"), "en": ("120.5", "1,250")}  # 120.5 kWh... and 1250 m3


@pytest.fixture
def browser_page():
    with chromium() as browser:
        yield new_page(browser)


def _history(w):
    for m in range(3, 9):
        p = dt.date(2024, m, 1)
        save_flow(owner=w.e1, resource_code="energy.electricity.grid", direction="in", period=p,
                  quantity=100, unit="kWh")  # fmt: skip
        save_flow(owner=w.e1, resource_code="water.fresh", direction="in", period=p,
                  quantity=1000, unit="m3")  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_monthly_grid_saves_locale_numbers(live_server, browser_page, lang):
    w = make_world()
    _history(w)
    page = browser_page
    login(page, live_server.url, w.users[Role.ENTERPRISE].username, language=lang)
    page.goto(f"{live_server.url}/flows/entry/?month=2024-09")
    assert "---------" not in page.content()
    assert page.locator("#grid tbody tr").count() == 2
    page.click("#grid-copy")  # last month's values as a choice
    elec = page.locator("tr[data-resource='energy.electricity.grid'] input[inputmode=decimal]")
    water = page.locator("tr[data-resource='water.fresh'] input[inputmode=decimal]")
    assert elec.input_value() == "100"
    assert water.input_value() == ("1.000" if lang == "vi" else "1,000")
    elec.fill(TYPED[lang][0])
    water.fill(TYPED[lang][1])
    page.select_option("tr[data-resource='energy.electricity.grid'] select", "kWh")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"grid_{lang}.png"), full_page=True)
    page.click("#grid-save")
    page.wait_for_load_state("networkidle")
    got = dict(FlowRecord.objects.filter(enterprise=w.e1, period=dt.date(2024, 9, 1))
               .values_list("resource_code", "quantity"))  # fmt: skip
    assert got == {"energy.electricity.grid": Decimal("120.5"), "water.fresh": Decimal("1250")}
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_import_preview_confirm_and_undo(live_server, browser_page, lang, tmp_path):
    w = make_world()
    _history(w)
    page = browser_page
    login(page, live_server.url, w.users[Role.ENTERPRISE].username, language=lang)
    rows = [F.flow_row(w.e1.tax_code, "energy.electricity.grid", period="08/2024", quantity=2500),
            F.flow_row(w.e1.tax_code, "waste.ash.fly", "out", period="08/2024", quantity=3,
                       unit="t")]  # fmt: skip
    path = tmp_path / "thang8.csv"
    path.write_bytes(F.csv_file(F.table("flows", rows, lang=lang)).getvalue())
    page.goto(f"{live_server.url}/flows/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-confirm")
    assert page.locator("[data-count=created]").inner_text() == "1"
    assert page.locator("[data-count=updated]").inner_text() == "1"
    assert page.locator("[data-count=replaced]").inner_text() == "0"
    assert page.locator("#import-warnings tbody tr").count() == 1  # 2500 kWh vs usual 100
    page.screenshot(path=str(SHOTS / f"import_preview_{lang}.png"), full_page=True)
    assert FlowRecord.objects.filter(enterprise=w.e1, period=dt.date(2024, 8, 1)).count() == 2
    page.click("#import-confirm")
    page.wait_for_selector("#import-undo")
    aug = FlowRecord.objects.filter(enterprise=w.e1, period=dt.date(2024, 8, 1))
    assert dict(aug.values_list("resource_code", "quantity")) == {
        "energy.electricity.grid": 2500, "water.fresh": 1000, "waste.ash.fly": 3}  # fmt: skip
    page.goto(f"{live_server.url}/flows/import/history/")
    page.screenshot(path=str(SHOTS / f"import_history_{lang}.png"), full_page=True)
    page.click("#import-history button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert dict(aug.values_list("resource_code", "quantity")) == {
        "energy.electricity.grid": 100, "water.fresh": 1000}  # fmt: skip
    assert ImportBatch.objects.get(filename="thang8.csv").status == "undone"
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_export_form_submits_in_vietnamese(live_server, browser_page):
    w = make_world()
    page = browser_page
    login(page, live_server.url, w.users[Role.BOARD].username, language="vi")
    page.goto(f"{live_server.url}/flows/import/")
    year = page.locator("#ex-year")
    assert year.get_attribute("value").isdigit() and year.get_attribute("max").isdigit()
    with page.expect_download(timeout=15000) as info:
        page.click("form[action$='/flows/export/'] button[type=submit]")
    assert f"-{dt.date.today().year - 1}." in info.value.suggested_filename
