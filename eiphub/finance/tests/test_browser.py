"""Browser (issue 15, done-when): from a fresh `eiphub demo`, the board opens a demo symbiosis
opportunity, creates its project sheet (NPV/IRR and eligibility visible), moves it through the
pipeline to operating, and sees it in the province's abatement curve and programme totals;
in Vietnamese and in English.  The exported PDF sheet is written to var/screenshots/."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command

from eiphub.finance.demo import demo_opportunities
from eiphub.finance.models import Project
from eiphub.registry.demo import PROVINCE_CODE
from eiphub.registry.models import Province
from eiphub.testing.browser import SHOTS, chromium, login, new_page

pytestmark = pytest.mark.browser

TEXT = {
    "vi": {"capex": "12.000.000.000", "opex": "500.000.000", "npv": "Giá trị hiện tại ròng (NPV)",
           "irr": "Tỷ suất hoàn vốn nội bộ (IRR)", "tax": "Danh mục phân loại xanh",
           "operating": "Đang vận hành"},
    "en": {"capex": "12,000,000,000", "opex": "500,000,000", "npv": "Net present value (NPV)",
           "irr": "Internal rate of return (IRR)", "tax": "Green taxonomy", "operating": "Operating"},
}  # fmt: skip
STAGES = ["screened", "feasibility", "financing", "built", "operating"]


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


@pytest.mark.django_db(transaction=True)
def test_opportunity_to_operating_project_in_the_curve_and_totals(live_server, browser):
    call_command("demo", "--no-serve", "--months", "3", stdout=StringIO())
    province = Province.objects.get(code=PROVINCE_CODE)
    assert Project.objects.filter(park__province=province).count() >= 6  # the demo's sheets
    sheeted = Project.objects.exclude(match=None).values("match")
    free = list(demo_opportunities(province).exclude(pk__in=sheeted)[:2])
    assert len(free) == 2
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang, match in zip(("vi", "en"), free, strict=True):
        tx = TEXT[lang]
        page = new_page(browser)
        login(page, base, "board", password="demo", language=lang)
        page.goto(f"{base}/exchange/matches/{match.pk}/")
        page.click("#create-project")
        page.wait_for_selector("#project-form")
        assert page.input_value("input[name=savings_vnd_per_year]")  # filled from the match
        page.fill("input[name=capex_vnd]", tx["capex"])
        page.fill("input[name=opex_vnd_per_year]", tx["opex"])
        page.check("input[name=evidence][value=feasibility_study]")
        page.click("#save-project")
        page.wait_for_selector("#appraisal")
        p = Project.objects.get(match=match)
        assert float(p.capex_vnd) == 12e9 and float(p.opex_vnd_per_year) == 5e8
        kpis = page.inner_text("#appraisal")
        assert tx["npv"] in kpis and tx["irr"] in kpis and re.search(r"\d", kpis)
        elig = page.locator("#eligibility [data-pack=vn_green_taxonomy_qd21_2025]")
        assert tx["tax"] in elig.inner_text() and "21/2025/QĐ-TTg" in elig.inner_text()
        assert elig.get_attribute("data-status") == "evidence_missing"
        page.wait_for_selector("#cash-chart ~ .chart[data-rendered='1']")
        page.screenshot(path=str(SHOTS / f"finance_sheet_{lang}.png"), full_page=True)
        with page.expect_download() as dl:
            page.click(f"#export-pdf-{lang}")
        dl.value.save_as(str(SHOTS / f"finance_sheet_{lang}.pdf"))

        today = dt.date.today().isoformat()
        for stage in STAGES:
            page.select_option("select[name=stage]", stage)
            page.fill("input[name=on]", today)
            page.click("#move-stage")
            page.wait_for_selector(f"#stage[data-stage='{stage}']")
        assert tx["operating"] in page.inner_text("#stage")
        p.refresh_from_db()
        assert p.stage == "operating" and p.starts_on == dt.date.today()
        assert [h.stage for h in p.history.all()] == ["identified", *STAGES]

        page.goto(f"{base}/finance/abatement/?province={PROVINCE_CODE}")
        page.wait_for_selector("#macc[data-rendered='1']")
        assert page.locator(f"#macc-table tr[data-project='{p.pk}']").count() == 1
        page.screenshot(path=str(SHOTS / f"finance_macc_{lang}.png"), full_page=True)

        page.goto(f"{base}/finance/?province={PROVINCE_CODE}")
        row = page.locator(f"#project-list tr[data-stage='operating']:has-text('{p.title}')")
        assert row.count() == 1
        park_row = page.locator(f"#pipeline-table tr[data-park='{p.park.code}']").inner_text()
        assert p.park.code in park_row
        totals = page.inner_text("#totals-table .province-total")
        assert province.name in totals
        page.screenshot(path=str(SHOTS / f"finance_pipeline_{lang}.png"), full_page=True)
        assert page.console_errors == []
        page.context.close()
