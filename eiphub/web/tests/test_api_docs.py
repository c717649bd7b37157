"""The API docs page (/api/v1/docs) works offline: vendored Swagger UI, no inline script."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders

from eiphub.testing.browser import SHOTS, chromium, new_page

DOCS = "/api/v1/docs"


@pytest.mark.django_db
def test_docs_html_references_only_static_urls(client):
    resp = client.get(DOCS)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert re.findall(r"https?://", html) == []
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(ref.startswith("/static/") for ref in refs), refs
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in refs
    assert "/static/vendor/swagger-ui/swagger-ui.css" in refs
    for ref in refs:
        assert finders.find(ref.removeprefix("/static/")), ref
    # The UI settings point at this API's schema and switch off the online validator badge.
    assert '"url": "/api/v1/openapi.json"' in html and '"validatorUrl": null' in html


@pytest.mark.django_db
def test_docs_scripts_carry_the_request_nonce(client):
    resp = client.get(DOCS)
    html = resp.content.decode()
    nonce = resp["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    scripts = re.findall(r"<script\b[^>]*>", html)
    executable = [tag for tag in scripts if "application/json" not in tag]
    assert len(executable) == 2
    assert all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in executable)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_docs_show_operations_with_the_network_cut_off(live_server):
    local = urlsplit(live_server.url).hostname
    blocked = []

    def only_local(route):
        host = urlsplit(route.request.url).hostname
        if host == local:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with chromium() as browser:
        page = new_page(browser)
        page.route("**/*", only_local)
        page.goto(f"{live_server.url}{DOCS}")
        page.wait_for_selector(".opblock-summary", timeout=20000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/v1/me" in [p.replace("\u200b", "") for p in paths]
        assert page.locator(".opblock").count() >= 20
        assert "EIP Hub API" in page.locator(".info .title").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "api_docs_offline.png"))
        assert blocked == []
        assert page.console_errors == []
