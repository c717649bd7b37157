"""Blind exchange (issue 18): money figures of a match or scenario link are banded before
mutual acceptance (with a known price an exact benefit gives the hidden quantity away)."""

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


def test_money_bands():
    with translation.override("en"):
        assert S.money_band(123e6) == "100 million VND – 500 million VND/year"
        assert S.money_band(7.2e9) == "5 billion VND – 10 billion VND/year"
        assert S.money_band(-3e6).startswith("≤ 0")
        assert S.money_band(None) == "—"
    with translation.override("vi"):
        assert S.money_band(123e6) == "100 triệu VND – 500 triệu VND/năm"


@pytest.fixture
def match(db):
    w = make_world(with_flows=False)
    offer = Listing.objects.create(enterprise=w.e3, kind="offer", resource_code="waste.plastic",
                                   quantity=1250, unit="t", status="published")  # fmt: skip
    want = Listing.objects.create(enterprise=w.e1, kind="want", resource_code="waste.plastic",
                                  quantity=100, unit="t", status="published")  # fmt: skip
    w.match = Match.objects.create(offer=offer, want=want, score=0.7, distance_km=13.37,
                                   matched_quantity=100, unit="t",
                                   benefit_vnd_per_year=123_456_789)  # fmt: skip
    return w


def test_match_benefit_is_a_band_before_the_reveal(match):
    w = match
    with translation.override("en"):
        view = S.match_view(S.Viewer(w.users[Role.ENTERPRISE]), w.match, "en")
    assert view.benefit_vnd_per_year is None
    assert view.benefit_band == "100 million VND – 500 million VND/year"
    api = _client(w.users[Role.ENTERPRISE]).get(f"/api/v1/exchange/matches/{w.match.pk}").json()
    assert api["benefit_vnd_per_year"] is None and "123456789" not in str(api)
    w.match.offer_accepted = w.match.want_accepted = True
    w.match.save()
    revealed = S.match_view(S.Viewer(w.users[Role.ENTERPRISE]), w.match, "en")
    assert revealed.benefit_vnd_per_year == 123_456_789


def test_scenario_link_money_is_a_band_for_the_blind_side(park):  # noqa: F811
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
    exact = full["net_benefit_vnd_per_year"]
    assert exact and exact > 0
    assert row["supplier_id"] is None  # the blind side
    assert row["net_benefit_vnd_per_year"] is None and row["gross_vnd_per_year"] is None
    with translation.override("en"):
        assert row["net_benefit_band"] == S.money_band(exact) != "—"
    page = _client(w.users[Role.ENTERPRISE]).get(f"/networks/scenarios/{s.pk}/")
    assert page.status_code == 200
