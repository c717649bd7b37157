"""The UI is Vietnamese by default, whatever the browser asks for, and English on request."""

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _product_default_language(settings):
    settings.LANGUAGE_CODE = "vi"  # conftest sets English for the rest of the suite


@pytest.mark.django_db
def test_vietnamese_by_default_even_for_english_browsers(client):
    resp = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert resp.status_code == 200
    assert resp.headers["Content-Language"] == "vi"
    assert '<html lang="vi"' in resp.content.decode()


@pytest.mark.django_db
def test_language_switch_to_english(client):
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert resp.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    resp = client.get("/accounts/login/")
    assert resp.headers["Content-Language"] == "en"
