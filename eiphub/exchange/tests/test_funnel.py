"""Cumulative funnel per park and province: identified -> proposed -> agreed -> operating -> ended."""

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.models import Agreement, Match
from eiphub.exchange.tests.factories import listing
from eiphub.registry.models import Park
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def _match(offer_ent, want_ent, status, **kw):
    o = listing(offer_ent, "offer", "waste.plastic", 10, "t")
    wnt = listing(want_ent, "want", "waste.plastic", 10, "t")
    return Match.objects.create(offer=o, want=wnt, score=0.5, status=status, **kw)


def _agreement(m, status, supplier=None, receiver=None):
    return Agreement.objects.create(
        match=m,
        supplier=supplier or m.offer.enterprise,
        receiver=receiver or m.want.enterprise,
        resource_code="waste.plastic",
        quantity_per_year=10,
        unit="t",
        status=status,
    )


@pytest.fixture
def world():
    w = make_world(with_flows=False)
    # K1: 6 matches at every stage, one declined after interest; one direct agreement
    _match(w.e1, w.e2, "identified")
    _match(w.e1, w.e2, "interested")
    _match(w.e2, w.e1, "declined")
    _agreement(_match(w.e1, w.e2, "negotiating"), "proposed")
    _agreement(_match(w.e2, w.e1, "agreed"), "operating")
    _agreement(_match(w.e1, w.e2, "agreed"), "ended")
    _agreement(None, "agreed", supplier=w.e1, receiver=w.e2)
    # K2 <-> K1 cross-park match (counts in both parks, once in the province)
    _match(w.e4, w.e1, "identified")
    # K3, other province
    _match(w.e3, w.e3, "interested")
    return w


def test_funnel_counts(world):
    w = world
    k1 = S.funnel(Park.objects.filter(pk=w.k1.pk))
    assert k1 == {
        "identified": 8,  # 7 matches + 1 direct agreement
        "proposed": 5,  # interested, negotiating, 2 agreed + direct agreement
        "agreed": 3,
        "operating": 2,
        "ended": 1,
        "declined": 1,
    }
    assert S.funnel(Park.objects.filter(pk=w.k2.pk))["identified"] == 1
    p1 = S.funnel(Park.objects.filter(province=w.p1))
    assert p1["identified"] == 8  # the cross-park match counts once
    assert S.funnel(Park.objects.filter(province=w.p2)) == {
        "identified": 1,
        "proposed": 1,
        "agreed": 0,
        "operating": 0,
        "ended": 0,
        "declined": 0,
    }
    # a match declined after an expression of interest counts as proposed
    m = Match.objects.filter(status="identified", offer__enterprise=w.e1).first()
    S.express_interest(w.users[Role.ENTERPRISE], m)
    S.decline(w.users[Role.ENTERPRISE], m)
    k1b = S.funnel(Park.objects.filter(pk=w.k1.pk))
    assert k1b["proposed"] == 6 and k1b["declined"] == 2
    for stage_a, stage_b in zip(S.FUNNEL_STAGES, S.FUNNEL_STAGES[1:], strict=False):
        assert k1b[stage_a] >= k1b[stage_b]


def test_funnel_rows_and_page(world):
    w = world
    rows = {r["key"]: r for r in S.funnel_rows(Park.objects.all(), "province")}
    assert rows["P1"]["identified"] == 8 and rows["P2"]["identified"] == 1
    c = Client()
    c.force_login(w.users[Role.BOARD])
    page = c.get("/exchange/funnel/?park=K1")
    assert page.status_code == 200 and 'data-chart-src="funnel-chart"' in page.content.decode()
    assert page.context["counts"]["agreed"] == 3
    assert c.get("/exchange/funnel/?park=K3").status_code == 404  # not the board's park
    api = c.get("/api/v1/exchange/funnel?province=P1").json()
    assert api["identified"] == 8
    c.force_login(w.users[Role.CONSULTANT])  # K2 only
    assert c.get("/api/v1/exchange/funnel").json()["identified"] == 1
    c.force_login(w.users[Role.PUBLIC])
    assert c.get("/api/v1/exchange/funnel").json()["identified"] == 0
