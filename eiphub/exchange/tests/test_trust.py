"""Trust records (issue 17): after an agreement has run, each side records the other's
performance; a firm's record is shown exact and named to those who may know it, as
bands and without identity before the reveal."""

import datetime as dt

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange import trust
from eiphub.exchange.models import Agreement, AgreementReview, Match
from eiphub.exchange.tests.factories import seed_examples
from eiphub.testing import make_enterprise, make_user, make_world

pytestmark = pytest.mark.django_db


def _ended(supplier_ent, receiver_ent, code="waste.plastic"):
    return Agreement.objects.create(
        supplier=supplier_ent,
        receiver=receiver_ent,
        resource_code=code,
        quantity_per_year=100,
        unit="t",
        status=Agreement.Status.ENDED,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 1),
    )


@pytest.fixture
def setup():
    w = make_world()
    ents, users, L = seed_examples(w)
    S.run_matching(w.k1)
    m = Match.objects.get(offer=L["scrap"], want=L["resin"])
    return w, ents, users, L, m


def test_review_only_after_the_agreement_has_run_and_only_by_parties(setup):
    w, ents, users, L, m = setup
    S.accept(users["collector"], m)
    S.accept(users["recycler"], m)
    a = S.create_agreement(users["recycler"], m, quantity_per_year=300)
    with pytest.raises(S.TransitionError) as e:
        trust.record_review(
            users["recycler"], a, quantity_as_promised=True, quality_as_promised=True, on_time=True
        )
    assert e.value.status == 409
    S.confirm_agreement(users["collector"], a)
    S.mark_operating(users["collector"], a)
    S.end_agreement(users["collector"], a)
    a.refresh_from_db()
    with pytest.raises(S.TransitionError) as e:
        trust.record_review(
            users["dryer"], a, quantity_as_promised=True, quality_as_promised=True, on_time=True
        )
    assert e.value.status == 403
    trust.record_review(
        users["recycler"], a, quantity_as_promised=True, quality_as_promised=False, on_time=True
    )
    # a second record by the same side replaces the first
    trust.record_review(
        users["recycler"], a, quantity_as_promised=True, quality_as_promised=True, on_time=False
    )
    r = AgreementReview.objects.get(agreement=a)
    assert r.side == "receiver" and r.quality_as_promised and not r.on_time
    rec = trust.firm_record(ents["collector"].pk)
    assert rec == trust.FirmRecord(completed=1, reviewed=1, on_time=0, as_specified=1)
    # the receiver is not judged by its own record
    assert trust.firm_record(ents["recycler"].pk) == trust.FirmRecord(completed=1)


def test_record_counts_by_hand(setup):
    w, ents, users, L, m = setup
    col, rec = ents["collector"], ents["recycler"]
    a1, a2, a3 = _ended(col, rec), _ended(col, ents["dryer"]), _ended(ents["wwtp"], col)
    AgreementReview.objects.create(
        agreement=a1,
        side="receiver",
        quantity_as_promised=True,
        quality_as_promised=True,
        on_time=True,
    )
    AgreementReview.objects.create(
        agreement=a2,
        side="receiver",
        quantity_as_promised=False,
        quality_as_promised=True,
        on_time=True,
    )
    AgreementReview.objects.create(
        agreement=a3,
        side="supplier",
        quantity_as_promised=True,
        quality_as_promised=True,
        on_time=False,
    )
    # about col: a1 (receiver's record), a2 (receiver's record), a3 (supplier's record)
    assert trust.firm_record(col.pk) == trust.FirmRecord(
        completed=3, reviewed=3, on_time=2, as_specified=2
    )
    named = trust.record_text(trust.firm_record(col.pk), named=True)
    assert named["completed"] == "3" and named["on_time"] == "2 of 3"
    blind = trust.record_text(trust.firm_record(col.pk), named=False)
    assert blind["completed"] == "3–9" and blind["on_time"] == "≈ 70 %"  # 66.7 % -> 70 %


def test_blind_match_page_shows_the_record_without_identity(setup):
    w, ents, users, L, m = setup
    col = ents["collector"]
    for other in (ents["dryer"], ents["wwtp"]):
        a = _ended(col, other)
        AgreementReview.objects.create(
            agreement=a,
            side="receiver",
            quantity_as_promised=True,
            quality_as_promised=True,
            on_time=True,
        )
    c = Client()
    c.force_login(users["recycler"])
    html = c.get(f"/exchange/matches/{m.pk}/").content.decode()
    assert 'id="trust-records"' in html
    assert "agreements completed: 1–2" in html and "on time: ≈ 100 %" in html
    assert col.name_vi not in html and "2 of 2" not in html
    S.accept(users["collector"], m)
    S.accept(users["recycler"], m)
    html = c.get(f"/exchange/matches/{m.pk}/").content.decode()
    assert col.name_vi in html and "on time: 2 of 2" in html


def test_review_form_on_agreement_page(setup):
    w, ents, users, L, m = setup
    a = _ended(ents["collector"], ents["recycler"])
    c = Client()
    c.force_login(users["collector"])
    assert 'id="review-form"' in c.get(f"/exchange/agreements/{a.pk}/").content.decode()
    r = c.post(
        f"/exchange/agreements/{a.pk}/review/", {"quantity_as_promised": "on", "on_time": "on"}
    )
    assert r.status_code == 302
    rv = AgreementReview.objects.get(agreement=a, side="supplier")
    assert rv.quantity_as_promised and rv.on_time and not rv.quality_as_promised
    outsider = make_user(
        "outsider", Role.ENTERPRISE, enterprise=make_enterprise(w.k1, 4001, "Công ty Ngoài")
    )
    c.force_login(outsider)
    assert c.post(f"/exchange/agreements/{a.pk}/review/", {"on_time": "on"}).status_code == 404
