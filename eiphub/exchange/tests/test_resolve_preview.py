"""The listing form's HTMX preview: resolved resource, confidence, alternatives (vi/en)."""

import pytest
from django.test import Client

from eiphub.exchange.tests.factories import seed_examples
from eiphub.testing import make_world


@pytest.fixture
def user():
    w = make_world()
    _ents, users, _L = seed_examples(w)
    return users["dryer"]


@pytest.mark.django_db
def test_preview_shows_confidence_and_alternatives_in_vietnamese(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="vi")
    c.force_login(user)
    c.cookies["django_language"] = "vi"
    html = c.get(
        "/exchange/listings/resolve/", {"resource": "gypsum from FGD", "unit": "t"}
    ).content.decode()
    assert "waste.gypsum.fgd" in html and "độ tin cậy" in html
    assert 'id="resolved-alternatives"' in html and "material.mineral.gypsum" in html
    # make-up water is water even though "giải nhiệt" contains "nhiệt"
    html = c.get(
        "/exchange/listings/resolve/",
        {"resource": "nước bổ sung cho tháp giải nhiệt", "unit": "m3"},
    ).content.decode()
    assert "water.makeup" in html and "energy.heat" not in html.split("Phương án khác")[0]


@pytest.mark.django_db
def test_preview_in_english_and_unknown_text(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    html = c.get(
        "/exchange/listings/resolve/",
        {"resource": "coal fly ash", "unit": "tấn"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "waste.ash.fly" in html and "confidence" in html
    html = c.get("/exchange/listings/resolve/", {"resource": "qwzx plorf"}).content.decode()
    assert "waste." not in html.split("Alternatives")[0] or "resolved-uncertain" in html
