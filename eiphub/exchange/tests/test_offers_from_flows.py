"""Offers generated from reported output flows: right resources and yearly quantities,
idempotent (keyed by source_flow_key), refreshed when flows change."""

import datetime as dt

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.models import Listing
from eiphub.flows.services import save_flow
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def _months(n):
    today = dt.date.today().replace(day=1)
    out = []
    for k in range(n, 0, -1):
        y, m = divmod(today.year * 12 + today.month - 1 - k, 12)
        out.append(dt.date(y, m + 1, 1))
    return out


@pytest.fixture
def world():
    w = make_world(with_flows=False)
    months = _months(15)
    for i, p in enumerate(months):
        f = dict(owner=w.e1, direction="out", period=p)
        save_flow(resource_code="waste.glass", quantity=10 + i, unit="t", fate="landfill", **f)
        save_flow(
            resource_code="energy.heat.waste_heat", quantity=1000, unit="GJ", fate="discharge", **f
        )
        save_flow(resource_code="water.treated", quantity=2, unit="ML", fate="discharge", **f)
        # not offered: already reused, an emission, domestic waste
        save_flow(resource_code="waste.metal", quantity=5, unit="t", fate="reused", **f)
        save_flow(resource_code="emission.co2", quantity=50, unit="t", **f)
        save_flow(resource_code="waste.domestic", quantity=3, unit="t", fate="landfill", **f)
    # sludge reported for 6 months only: scaled to a year
    for p in months[-6:]:
        save_flow(
            owner=w.e1,
            direction="out",
            period=p,
            resource_code="waste.sludge.wwtp",
            quantity=500,
            unit="kg",
            fate="treatment",
        )
    w.months = months
    return w


def _offers(w):
    return {x.resource_code: x for x in Listing.objects.filter(enterprise=w.e1)}


def test_generates_draft_offers_for_the_last_12_months(world):
    w = world
    out = S.offers_from_flows(w.e1)
    offers = _offers(w)
    assert set(offers) == {
        "waste.glass",
        "energy.heat.waste_heat",
        "water.treated",
        "waste.sludge.wwtp",
    }
    assert out.created == 4 and out.months == 12
    glass = offers["waste.glass"]
    # last 12 of the 15 months: quantities 13..24 t
    assert glass.quantity == pytest.approx(sum(range(13, 25)))
    assert glass.unit == "t" and glass.period == "year" and glass.kind == "offer"
    assert glass.status == "draft" and glass.source_flow_key == "flows:waste.glass"
    assert offers["water.treated"].quantity == pytest.approx(12 * 2000)  # ML -> m3
    assert offers["waste.sludge.wwtp"].quantity == pytest.approx(0.5 * 12)  # 6 months x 2


def test_idempotent_and_refreshing(world):
    w = world
    S.offers_from_flows(w.e1)
    first = {k: (v.pk, v.quantity) for k, v in _offers(w).items()}
    again = S.offers_from_flows(w.e1)
    assert again.created == 0 and again.updated == 0 and again.unchanged == 4
    assert {k: (v.pk, v.quantity) for k, v in _offers(w).items()} == first
    glass = _offers(w)["waste.glass"]
    glass.status, glass.disclosure, glass.price_vnd_per_unit = "published", "park", -300000
    glass.save()
    save_flow(
        owner=w.e1,
        direction="out",
        period=w.months[-1],
        resource_code="waste.glass",
        quantity=100,
        unit="t",
        fate="landfill",
    )
    out = S.offers_from_flows(w.e1)
    assert out.updated == 1 and out.created == 0
    glass.refresh_from_db()
    assert glass.quantity == pytest.approx(sum(range(13, 24)) + 100)
    assert (glass.status, glass.disclosure, glass.price_vnd_per_unit) == (
        "published",
        "park",
        -300000,
    )
    assert Listing.objects.filter(enterprise=w.e1).count() == 4
    glass.status = "closed"
    glass.save()
    S.offers_from_flows(w.e1)
    assert Listing.objects.filter(enterprise=w.e1).count() == 4  # closed: left alone, no new one


def test_button(world):
    w = world
    c = Client()
    c.force_login(w.users[Role.ENTERPRISE])
    r = c.post("/exchange/listings/from-flows/")
    assert r.status_code == 302 and Listing.objects.filter(enterprise=w.e1).count() == 4
    c.post("/exchange/listings/from-flows/")
    assert Listing.objects.filter(enterprise=w.e1).count() == 4
    board = Client()
    board.force_login(w.users[Role.BOARD])
    assert board.post("/exchange/listings/from-flows/").status_code == 403


def test_no_flows_no_offers(world):
    w = world
    assert S.offers_from_flows(w.e2).listing_ids == []
