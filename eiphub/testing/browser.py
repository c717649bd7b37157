"""Playwright + Debian chromium for browser tests (one launcher, one login helper)."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from . import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@contextmanager
def chromium():
    """A headless Debian chromium; skips (or fails when EIPHUB_REQUIRE_BROWSER=1) without it."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("EIPHUB_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("Debian chromium not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser):
    """A page that records console errors and uncaught exceptions in ``page.console_errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


def login(page, base, username, password=PASSWORD, language="vi"):
    """Log in through the login form, in the product's default UI language."""
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
