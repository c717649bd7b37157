"""Browser test of the park map (issue 13 point 6) in Vietnamese and English: the offline base
map is drawn with every request to another host blocked (and none attempted), markers take
the colour of their park's stored verdict as the legend shows it, the legend is in the page
language and the popup gives the number with its unit. Screenshots: var/screenshots/."""

from urllib.parse import urlsplit

import pytest

from eiphub.accounts.models import Role
from eiphub.testing.browser import SHOTS, chromium, login, new_page
from eiphub.web.tests.test_park_map import verdict_world

pytestmark = pytest.mark.browser

LOCAL = {"127.0.0.1", "localhost"}

EXPECTED = {
    "vi": {
        "legend": "Đánh giá KCN sinh thái (Nghị định 35)",
        "labels": {"meets": "Đạt", "not_met": "Chưa đạt", "": "Chưa có kết luận"},
        "popup": ["Kết luận 2024: Chưa đạt", "2 doanh nghiệp"],
    },
    "en": {
        "legend": "EIP verdict (Decree 35)",
        "labels": {"meets": "Meets", "not_met": "Not met", "": "No verdict shown"},
        "popup": ["Verdict 2024: Not met", "2 enterprises"],
    },
}

MARKERS_JS = """() => Array.from(document.querySelectorAll('.park-map path.map-marker')).map(p => ({
  status: (Array.from(p.classList).find(c => c.startsWith('map-marker--')) || '')
    .replace('map-marker--', '').replace(/^none$/, ''),
  fill: getComputedStyle(p).fill }))"""
LEGEND_JS = """() => Array.from(document.querySelectorAll('.park-map .map-legend__row')).map(r => ({
  status: r.dataset.status, text: r.textContent.trim(),
  colour: getComputedStyle(r.querySelector('.map-legend__swatch')).backgroundColor }))"""
OPEN_K1_JS = """([lat, lon]) => {
  const map = document.querySelector('.park-map')._eipMap;
  let found = null;
  map.eachLayer(l => { if (l.getLatLng && l.options.className && l.options.className
      .indexOf('map-marker') >= 0 && l.getLatLng().lat === lat && l.getLatLng().lng === lon)
    { found = l; } });
  found.openPopup();
  return document.querySelector('.park-map .leaflet-popup-content').innerText; }"""


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.django_db(transaction=True)
def test_park_map_offline_base_map_verdict_colours_legend_and_units(live_server, language):
    world = verdict_world()
    expected = EXPECTED[language]
    with chromium() as browser:
        page = new_page(browser)
        attempted, local = [], []

        def guard(route):
            host = urlsplit(route.request.url).hostname
            if host in LOCAL:
                local.append(route.request.url)
                route.continue_()
            else:
                attempted.append(route.request.url)
                route.abort()

        page.context.route("**/*", guard)
        login(page, live_server.url, world.users[Role.MINISTRY].username, language=language)
        page.goto(f"{live_server.url}/parks/")
        page.wait_for_selector(".park-map[data-basemap='1']", timeout=15000)
        assert f'<html lang="{language}"' in page.content()

        # base map: 34 provincial units, the two island groups with Vietnamese labels
        assert page.locator(".park-map path.map-base--province").count() == 34
        assert page.locator(".park-map path.map-base--islands").count() == 2
        assert page.locator(".park-map path.map-base--neighbour").count() >= 5
        labels = page.locator(".park-map .map-islands-label").all_inner_texts()
        assert sorted(labels) == ["Quần đảo Hoàng Sa", "Quần đảo Trường Sa"]
        assert any(u.endswith("/static/eiphub/basemap/vietnam.geojson") for u in local)

        # markers coloured as the legend says, in the page language
        markers = page.evaluate(MARKERS_JS)
        assert sorted(m["status"] for m in markers) == ["", "meets", "not_met", "not_met"]
        assert len({m["fill"] for m in markers}) == 3
        legend = page.evaluate(LEGEND_JS)
        assert {r["status"]: r["text"] for r in legend} == expected["labels"]
        colours = {r["status"]: r["colour"] for r in legend}
        for m in markers:
            assert m["fill"] == colours[m["status"]], m
        title = page.locator(".park-map .map-legend__title").inner_text()
        assert title == expected["legend"]

        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".park-map").screenshot(path=str(SHOTS / f"park_map_{language}.png"))
        popup = page.evaluate(OPEN_K1_JS, [world.k1.latitude, world.k1.longitude])
        for text in expected["popup"]:
            assert text in popup, popup
        assert world.k1.name(language) in popup

        page.wait_for_timeout(400)
        page.locator(".park-map").screenshot(path=str(SHOTS / f"park_map_popup_{language}.png"))
        page.screenshot(path=str(SHOTS / f"park_list_{language}.png"), full_page=True)

        assert attempted == [], f"requests to other hosts: {attempted}"
        assert page.console_errors == []
