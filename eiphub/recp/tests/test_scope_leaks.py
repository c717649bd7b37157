"""The programme-results page lists measures and symbioses only as the viewer may see them:
measures of readable enterprises (scoping.enterprises_for), symbiosis parties as the blind
exchange names them (exchange.services.party_names)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange.models import Agreement, Match
from eiphub.exchange.tests.factories import listing
from eiphub.testing import make_world

from .factories import ghg_world, programme


@pytest.fixture
def world(db):
    w = make_world(with_flows=False)
    ghg_world(w)
    w.m = programme(w)
    return w


def _page(w, role, url="/recp/results/"):
    c = Client()
    c.force_login(w.users[role])
    c.cookies["django_language"] = "vi"
    resp = c.get(url)
    assert resp.status_code == 200
    return resp.content.decode()


def _matched_agreement(supplier, receiver):
    offer = listing(supplier, "offer", "waste.ash.fly", 500, "t")
    want = listing(receiver, "want", "waste.ash.fly", 500, "t")
    match = Match.objects.create(offer=offer, want=want, score=0.9, matched_quantity=500, unit="t")
    return Agreement.objects.create(
        match=match,
        supplier=supplier,
        receiver=receiver,
        resource_code="waste.ash.fly",
        quantity_per_year=500,
        unit="t",
        status="operating",
        starts_on=dt.date(2022, 1, 1),
        benefit_vnd_per_year=123_000_000,
    )


def test_enterprise_sees_only_its_own_measures_in_the_results(world):
    other = world.m["e2_verified"]
    assert other.title in _page(world, Role.BOARD)  # the board may see e2's measure
    page = _page(world, Role.ENTERPRISE)
    assert world.m["e1_impl"].title in page
    assert other.title not in page
    assert f"/recp/{other.pk}/" not in page


def test_symbiosis_parties_stay_blind_in_the_results(world):
    _matched_agreement(world.e2, world.e4)  # K1 -> K2, both in the board's province
    assert world.e4.name_vi in _page(world, Role.BOARD)
    page = _page(world, Role.ENTERPRISE)  # e1: neither party
    assert world.e4.name_vi not in page


def test_board_does_not_see_the_other_province_party_of_a_symbiosis(world):
    _matched_agreement(world.e1, world.e3)  # K1 (P1) -> K3 (P2)
    page = _page(world, Role.BOARD)
    assert world.e1.name_vi in page
    assert world.e3.name_vi not in page


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.BOARD])
def test_other_tenants_measure_by_id_is_404_without_name(world, role):
    c = Client()
    c.force_login(world.users[role])
    m = world.m["e3_impl"]  # K3, other province
    for url in (f"/recp/{m.pk}/", f"/recp/{m.pk}/edit/", f"/api/v1/recp/measures/{m.pk}"):
        resp = c.get(url)
        assert resp.status_code == 404, url
        body = resp.content.decode()
        assert world.e3.name_vi not in body and m.title not in body
