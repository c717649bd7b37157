"""Blind exchange (issue 18): avoided emissions of a match or scenario link are banded
before mutual acceptance (with the pathway's factor an exact tCO2e gives the hidden
quantity away)."""

import pytest
from django.test import Client
from django.utils import translation

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.models import Listing, Match
from eiphub.networks.tests.test_services import park  # noqa: F401  (fixture)
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_co2_bands():
    with translation.override("en"):
        assert S.co2_band(37.25) == "10–50 tCO2e/year"
        assert S.co2_band(0.4) == "< 1 tCO2e/year"
        assert S.co2_band(0).startswith("≤ 0")
        assert S.co2_band(None) == "—"


@pytest.fixture
def match(db):
    w = make_world(with_flows=False)
    offer = Listing.objects.create(enterprise=w.e3, kind="offer", resource_code="waste.plastic",
                                   quantity=1250, unit="t", status="published")  # fmt: skip
    want = Listing.objects.create(enterprise=w.e1, kind="want", resource_code="waste.plastic",
                                  quantity=100, unit="t", status="published")  # fmt: skip
    w.match = Match.objects.create(offer=offer, want=want, score=0.7, distance_km=13.37,
                                   matched_quantity=100, unit="t",
                                   co2e_t_per_year=137.913)  # fmt: skip
    return w


def test_match_co2_is_a_band_before_the_reveal(match):
    w = match
    user = w.users[Role.ENTERPRISE]
    with translation.override("en"):
        view = S.match_view(S.Viewer(user), w.match, "en")
    assert view.co2e_t_per_year is None
    assert view.co2e_band == "100–500 tCO2e/year"
    api = _client(user).get(f"/api/v1/exchange/matches/{w.match.pk}").json()
    assert api["co2e_t_per_year"] is None and "137.9" not in str(api)
    listed = _client(user).get("/api/v1/exchange/matches").json()
    assert listed and all(m["co2e_t_per_year"] is None for m in listed)
    for url in (f"/exchange/matches/{w.match.pk}/", "/exchange/matches/"):
        page = _client(user).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "137,9" not in page and "137.9" not in page, url
    w.match.offer_accepted = w.match.want_accepted = True
    w.match.save()
    revealed = S.match_view(S.Viewer(user), w.match, "en")
    assert revealed.co2e_t_per_year == pytest.approx(137.913)


def test_scenario_link_co2_is_a_band_for_the_blind_side(park):  # noqa: F811
    from eiphub.networks import services as NS

    w = park
    s = NS.run_scenario(w.users[Role.BOARD], name="K1 plan", park=w.k1)
    board = _client(w.users[Role.BOARD]).get(f"/api/v1/networks/scenarios/{s.pk}").json()
    data = _client(w.users[Role.ENTERPRISE]).get(f"/api/v1/networks/scenarios/{s.pk}").json()
    row = data["links"][0]
    (full,) = [
        r
        for r in board["links"]
        if r["receiver_id"] == row["receiver_id"] and r["resource"] == row["resource"]
    ]
    assert full["co2e_t_per_year"] and full["co2e_t_per_year"] > 0
    assert row["supplier_id"] is None  # the blind side
    assert row["co2e_t_per_year"] is None
    with translation.override("en"):
        assert row["co2e_band"] == S.co2_band(full["co2e_t_per_year"]) != "—"
