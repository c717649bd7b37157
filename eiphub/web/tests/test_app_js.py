"""static/eiphub/app.js in Debian chromium: charts, maps, sortable tables, HTMX re-init, offline.

The page is base.html rendered by Django into a temporary file whose static URLs point at the
source tree (file://), so no server is needed and any network request would be visible.
"""

import json
import os
import shutil

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import include, path
from django.utils import translation

from eiphub.web.tests.test_static_assets import STATIC

urlpatterns = [path("", include(([], "web")))]
pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--allow-file-access-from-files",  # app.js reads the base map next to it (file:// here)
]

SPECS = {
    "bar": {
        "kind": "bar",
        "title": "Điện năng",
        "unit": "MWh",
        "labels": ["2022", "2023"],
        "series": [{"name": "A", "data": [1234.5, 2000]}, {"name": "B", "data": [10, 20]}],
    },
    "stacked": {
        "kind": "stacked",
        "labels": ["x", "y"],
        "horizontal": True,
        "series": [{"name": "A", "data": [1, 2]}, {"name": "B", "data": [3, 4]}],
    },
    "line": {
        "kind": "line",
        "labels": ["2020", "2021"],
        "series": [{"name": "EF", "data": [0.8, 0.7]}],
    },
    "pie": {"kind": "pie", "labels": ["a", "b"], "series": [{"name": "mix", "data": [3, 1]}]},
    "sankey": {
        "kind": "sankey",
        "unit": "t",
        "nodes": [{"name": "Kính"}, {"name": "Nhiệt thải"}, {"name": "Giấy"}],
        "links": [
            {"source": "Kính", "target": "Nhiệt thải", "value": 5000},
            {"source": "Nhiệt thải", "target": "Giấy", "value": 4200.5},
        ],
    },
    "graph": {
        "kind": "graph",
        "nodes": [
            {"name": "A", "value": 5, "category": "Thép"},
            {"name": "B", "category": "Xi măng"},
        ],
        "links": [{"source": "A", "target": "B", "value": 3}],
    },
}
POINTS = [
    {"lat": 20.25, "lon": 105.97, "label": "KCN Khánh Phú", "url": "/parks/KP/", "value": 351},
    {"lat": 10.08, "lon": 105.72, "label": "KCN <Trà Nóc>", "url": "/parks/TN/", "value": 300},
    {"lat": None, "lon": 106.0, "label": "no coordinates"},
]
PAGE = """{% extends "base.html" %}{% load eip %}{% block content %}
{% for name, spec in specs %}<div class="chart" id="chart-{{ name }}" style="height:300px"
  data-chart="{{ spec|chart_spec }}"></div>{% endfor %}
{{ bar|json_script:"bar-spec" }}
<div class="chart" id="chart-src" style="height:300px" data-chart-src="bar-spec"></div>
<div class="chart" id="chart-bad" style="height:200px" data-chart='{"kind": "radar"}'></div>
<div class="park-map" id="map" data-points="{{ points }}"></div>
<table class="sortable" id="t"><thead><tr><th>Name</th><th class="num">Water</th><th>Date</th>
<th data-nosort>Status</th></tr></thead><tbody>
{% for name, water, date in rows %}<tr><td>{{ name }}</td><td class="num">{{ water|num:1 }}</td>
<td>{{ date }}</td><td>x</td></tr>{% endfor %}</tbody></table>
<div id="swap-target"></div>
{% endblock %}"""
ROWS = [
    ("Ắc quy", 980.5, "01/12/2023"),
    ("Bia", None, "15/01/2024"),
    ("Cao su", 1050000, "30/06/2022"),
    ("Dệt", 12345.67, "05/03/2024"),
]


def write_page(tmp_path, lang, template=PAGE, **extra):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    context = {
        "specs": list(SPECS.items()),
        "bar": SPECS["bar"],
        "points": json.dumps(POINTS),
        "rows": ROWS,
        "illustrative_data": True,
        **extra,
    }
    with translation.override(lang):
        html = engines["django"].from_string(template).render(context, request)
    html = html.replace('"/static/', f'"{STATIC.as_uri()}/')
    page = tmp_path / f"page_{lang}.html"
    page.write_text(html, encoding="utf-8")
    return page.as_uri()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        if os.environ.get("EIPHUB_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("Debian chromium not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def _open(url):
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.problems = []
        page.network = []
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.on(
            "request",
            lambda r: (
                page.network.append(r.url) if not r.url.startswith(("file:", "data:")) else None
            ),
        )
        page.goto(url)
        page.wait_for_function("document.querySelectorAll('[data-rendered]').length >= 10")
        pages.append(page)
        return page

    yield _open
    for page in pages:
        page.close()


def column(page, index):
    return page.eval_on_selector_all(
        f"#t tbody tr td:nth-child({index})", "cells => cells.map(c => c.textContent.trim())"
    )


def test_charts_map_and_table_render_offline_vi(tmp_path, open_page):
    page = open_page(write_page(tmp_path, "vi"))
    for name in [*SPECS, "src"]:
        el = page.locator(f"#chart-{name}")
        assert el.get_attribute("data-rendered") == "1", name
        assert el.locator("canvas").count() == 1, name
    bad = page.locator("#chart-bad")
    assert bad.get_attribute("data-rendered") == "error"
    assert "radar" in bad.inner_text()

    assert page.get_attribute("#map", "data-rendered") == "1"
    assert (
        page.locator("#map path.leaflet-interactive").count() == 2
    )  # the point without lat skipped
    assert page.locator("#map .leaflet-tile").count() == 0  # no tile layer offline
    page.wait_for_selector("#map[data-basemap='1']")  # the shipped base map, not a tile server
    assert page.locator("#map path.map-base--province").count() == 34
    page.locator("#map path.leaflet-interactive").first.click(force=True)
    popup = page.locator("#map .leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("a").get_attribute("href") in ("/parks/KP/", "/parks/TN/")
    assert "Mở trang" in popup.inner_text()

    assert page.evaluate("EIPHub.format(1234.5)") == "1.234,5"
    assert page.evaluate("EIPHub.parseNumber('1.050.000,5 ₫')") == 1050000.5
    assert page.problems == []
    assert page.network == []


def test_sortable_table_sorts_vi_numbers_dates_and_keeps_blanks_last(tmp_path, open_page):
    page = open_page(write_page(tmp_path, "vi"))
    assert column(page, 2) == ["980,5", "—", "1.050.000,0", "12.345,7"]
    page.click("#t th:nth-child(2) button")
    assert column(page, 2) == ["980,5", "12.345,7", "1.050.000,0", "—"]
    assert page.get_attribute("#t th:nth-child(2)", "aria-sort") == "ascending"
    page.click("#t th:nth-child(2) button")
    assert column(page, 2) == ["1.050.000,0", "12.345,7", "980,5", "—"]
    page.click("#t th:nth-child(3) button")
    assert column(page, 3) == ["30/06/2022", "01/12/2023", "15/01/2024", "05/03/2024"]
    page.click("#t th:nth-child(1) button")
    page.click("#t th:nth-child(1) button")
    assert column(page, 1) == ["Dệt", "Cao su", "Bia", "Ắc quy"]
    assert page.locator("#t th:nth-child(4) button").count() == 0


def test_english_page_formats_and_sorts_with_english_separators(tmp_path, open_page):
    page = open_page(write_page(tmp_path, "en"))
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("EIPHub.format(1234.5)") == "1,234.5"
    page.click("#t th:nth-child(2) button")
    assert column(page, 2) == ["980.5", "12,345.7", "1,050,000.0", "—"]
    assert page.problems == []


def test_htmx_swap_renders_new_charts(tmp_path, open_page):
    page = open_page(write_page(tmp_path, "vi"))
    spec = json.dumps(SPECS["pie"])
    page.evaluate(
        """spec => {
            const target = document.getElementById('swap-target');
            const el = document.createElement('div');
            el.id = 'swapped'; el.style.height = '200px'; el.dataset.chart = spec;
            target.appendChild(el);
            target.dispatchEvent(new CustomEvent('htmx:afterSwap', {bubbles: true,
              detail: {target: target}}));
        }""",
        spec,
    )
    assert page.get_attribute("#swapped", "data-rendered") == "1"
    assert page.locator("#swapped canvas").count() == 1


def test_page_without_charts_has_no_console_errors(tmp_path, browser):
    template = '{% extends "base.html" %}{% block content %}<p>Trống</p>{% endblock %}'
    url = write_page(tmp_path, "vi", template=template)
    page = browser.new_page()
    problems = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.EIPHub && document.documentElement.classList.contains('js')")
    assert page.evaluate("typeof htmx") == "object"
    assert problems == []
    page.close()
