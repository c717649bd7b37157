"""The issue-17 demo: both sides of the exchange can be tried from the demo logins."""

import pytest
from django.contrib.auth import get_user_model

from eiphub.exchange import demo as exchange_demo
from eiphub.exchange.demo_nego import AGREEMENT_NOTE, LOGINS, demo_listings
from eiphub.exchange.models import Agreement, HandlerLicence, Match, MatchNote
from eiphub.exchange.trust import firm_record
from eiphub.registry.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_for_both_sides():
    load_demo(months=2)
    exchange_demo.load()
    users = (
        get_user_model().objects.filter(username__in=LOGINS).select_related("profile__enterprise")
    )
    ents = [u.profile.enterprise for u in users]
    assert len(ents) == 4 and all(u.profile.role == "enterprise" for u in users)
    assert len({e.park_id for e in ents}) == 3 and len({e.vsic for e in ents}) == 4
    lst = demo_listings()
    m = Match.objects.get(offer=lst["film"], want=lst["plastic"])
    assert m.status == "interested" and not m.revealed  # a negotiation in progress
    first = MatchNote.objects.filter(match=m, kind="note").order_by("pk").first()
    assert first.removed == ["phone"] and "0912" not in first.text
    # the hazardous flow: routed to the licensed handler only, never to the expired licence
    oil = Match.objects.filter(offer=lst["used_oil"])
    assert [x.want_id for x in oil] == [lst["used_oil_treat"].pk]
    assert (
        HandlerLicence.objects.get(enterprise=lst["used_oil_collect"].enterprise).state()
        == "expired"
    )
    a = Agreement.objects.get(notes=AGREEMENT_NOTE)
    assert a.status == "ended" and a.records.count() == 12 and a.reviews.count() == 2
    rec = firm_record(lst["used_oil"].enterprise_id)
    assert rec.reviewed == 1 and rec.on_time == 0 and rec.as_specified == 1
    # idempotent
    notes = MatchNote.objects.count()
    exchange_demo.load()
    assert (
        MatchNote.objects.count() == notes
        and Agreement.objects.filter(notes=AGREEMENT_NOTE).count() == 1
    )
    assert HandlerLicence.objects.count() == 3
