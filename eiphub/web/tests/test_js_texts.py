"""app.js takes its texts from the page (issue 14): base.html renders ``js_texts`` (gettext)
as the JSON data block #eiphub-i18n, and app.js keeps no language table of its own."""

import json
import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings

from eiphub.web.js_texts import JS_TEXTS

APP_JS = Path(__file__).resolve().parents[1] / "static" / "eiphub" / "app.js"
BLOCK = re.compile(r'<script id="eiphub-i18n" type="application/json">(.*?)</script>', re.S)
T_CALL = re.compile(r"""\bt\(\s*["']([^"']+)["']\s*\)""")

# The Vietnamese app.js showed before the texts moved into the catalogue.
VIETNAMESE = {
    "open": "Mở trang",
    "error": "Không vẽ được biểu đồ",
    "noData": "Chưa có dữ liệu",
    "sortAsc": "sắp xếp tăng dần",
    "sortDesc": "sắp xếp giảm dần",
    "mapLegend": "Đánh giá KCN sinh thái (Nghị định 35)",
    "mapVerdict": "Kết luận",
    "mapNoVerdict": "Chưa có kết luận",
    "verdict.meets": "Đạt",
    "verdict.not_met": "Chưa đạt",
    "verdict.incomplete": "Chưa đầy đủ",
    "verdict.not_applicable": "Không áp dụng",
}


def keys_used_by_app_js():
    keys = set(T_CALL.findall(APP_JS.read_text(encoding="utf-8")))
    assert {
        "open",
        "error",
        "noData",
        "mapLegend",
    } <= keys  # the parser finds the calls app.js makes
    return keys


def page_texts(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    resp = client.get("/accounts/login/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert f'<html lang="{language}"' in html
    blocks = BLOCK.findall(html)
    assert len(blocks) == 1, "base.html renders exactly one #eiphub-i18n block"
    return json.loads(blocks[0])


@pytest.mark.django_db
def test_page_block_has_every_app_js_key_in_vietnamese(client):
    texts = page_texts(client, "vi")
    missing = keys_used_by_app_js() - set(texts)
    assert not missing, f"app.js calls t() with keys the page does not render: {missing}"
    assert texts == VIETNAMESE


@pytest.mark.django_db
def test_page_block_has_every_app_js_key_in_english(client):
    texts = page_texts(client, "en")
    assert keys_used_by_app_js() <= set(texts)
    assert texts == {
        "open": "Open",
        "error": "The chart could not be drawn",
        "noData": "No data yet",
        "sortAsc": "sorted ascending",
        "sortDesc": "sorted descending",
        "mapLegend": "EIP verdict (Decree 35)",
        "mapVerdict": "Verdict",
        "mapNoVerdict": "No verdict shown",
        "verdict.meets": "Meets",
        "verdict.not_met": "Not met",
        "verdict.incomplete": "Incomplete",
        "verdict.not_applicable": "Not applicable",
    }
    vi = page_texts(client, "vi")
    assert all(vi[k] != texts[k] for k in texts)  # a missing translation would read English


def test_app_js_has_no_language_table():
    source = APP_JS.read_text(encoding="utf-8")
    letters = {c for c in source if ord(c) > 127 and unicodedata.category(c).startswith("L")}
    assert not letters, f"Vietnamese text in app.js: {sorted(letters)}"
    assert not re.search(r"\b(vi|en)\s*:\s*\{", source), "a per-language object in app.js"
    assert "TEXTS" not in source
    for text in JS_TEXTS.values():
        assert f'"{text}"' not in source and f"'{text}'" not in source, text
