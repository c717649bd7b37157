"""Match -> interest -> both accept -> agreement -> confirmed -> operating -> monthly
records (which write both parties' flows) -> ended; illegal steps refused per role."""

import datetime as dt

import pytest
from django.test import Client

from eiphub.accounts.models import ApiToken, Role
from eiphub.exchange import services as S
from eiphub.exchange.models import Agreement, ExchangeRecord, Match, MatchNote
from eiphub.exchange.tests.factories import seed_examples
from eiphub.flows.models import FlowRecord
from eiphub.notices.models import Notice
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    w = make_world()
    ents, users, L = seed_examples(w)
    S.run_matching(w.k1)
    m = Match.objects.get(offer=L["scrap"], want=L["resin"])
    return w, ents, users, L, m


def _month(n_back: int) -> dt.date:
    today = dt.date.today().replace(day=1)
    y, mo = divmod(today.year * 12 + today.month - 1 - n_back, 12)
    return dt.date(y, mo + 1, 1)


def test_full_path(setup, django_capture_on_commit_callbacks):
    w, ents, users, L, m = setup
    supplier, receiver = users["collector"], users["recycler"]
    with django_capture_on_commit_callbacks(execute=True):
        S.express_interest(receiver, m)
    m.refresh_from_db()
    assert m.status == Match.Status.INTERESTED and not m.revealed
    (n,) = Notice.objects.filter(user=supplier, event="match_interest")
    assert n.params["resource_code"] == L["scrap"].resource_code
    assert "interested" in n.text
    with pytest.raises(S.TransitionError) as e:
        S.create_agreement(receiver, m)
    assert e.value.status == 409
    S.accept(receiver, m)
    m.refresh_from_db()
    assert m.want_accepted and not m.revealed and m.status == Match.Status.INTERESTED
    S.accept(supplier, m)
    m.refresh_from_db()
    assert m.revealed and m.status == Match.Status.NEGOTIATING
    note = S.add_note(supplier, m, "Giá 5,5 triệu đồng/tấn, giao hàng tuần")
    assert note.side == "offer"
    a = S.create_agreement(
        receiver, m, quantity_per_year=300, price_vnd_per_unit=5_500_000, starts_on=_month(4)
    )
    assert (a.supplier, a.receiver) == (ents["collector"], ents["recycler"])
    assert a.status == Agreement.Status.PROPOSED and a.receiver_confirmed
    assert a.benefit_vnd_per_year == pytest.approx(
        m.benefit_vnd_per_year * 300 / m.matched_quantity
    )
    with pytest.raises(S.TransitionError):  # the proposer cannot confirm twice
        S.confirm_agreement(receiver, a)
    with pytest.raises(S.TransitionError):  # not agreed yet
        S.mark_operating(supplier, a)
    S.confirm_agreement(supplier, a)
    a.refresh_from_db()
    m.refresh_from_db()
    assert a.status == Agreement.Status.AGREED and m.status == Match.Status.AGREED
    with pytest.raises(S.TransitionError):  # not operating yet
        S.record_exchange(supplier, a, _month(2), 20)
    S.mark_operating(supplier, a)
    months = [_month(3), _month(2), _month(1)]
    for i, p in enumerate(months):
        S.record_exchange(receiver if i % 2 else supplier, a, p, 20 + i)
    assert list(a.records.values_list("quantity", flat=True)) == [20, 21, 22]
    out = FlowRecord.objects.get(
        enterprise=ents["collector"],
        resource_code="waste.plastic",
        direction="out",
        period=months[0],
    )
    assert out.fate == "sold" and out.counterparty == ents["recycler"]
    assert out.quantity_canonical == pytest.approx(20)
    inn = FlowRecord.objects.get(
        enterprise=ents["recycler"], resource_code="waste.plastic", direction="in", period=months[0]
    )
    assert inn.origin == "other_enterprise" and inn.counterparty == ents["collector"]
    # correcting a month replaces, never duplicates
    S.record_exchange(supplier, a, months[0], 25)
    assert ExchangeRecord.objects.filter(agreement=a).count() == 3
    out.refresh_from_db()
    assert out.quantity_canonical == pytest.approx(25)
    assert FlowRecord.objects.filter(enterprise=ents["collector"], direction="out").count() == 3
    S.end_agreement(receiver, a)
    a.refresh_from_db()
    assert a.status == Agreement.Status.ENDED and a.ends_on == dt.date.today()
    with pytest.raises(S.TransitionError):
        S.end_agreement(receiver, a)
    kinds = list(m.notes.values_list("kind", flat=True))
    assert kinds == ["interest", "accept", "accept", "note", "agreement"]


def test_two_agreements_of_one_supplier_sum_in_flows(setup):
    w, ents, users, L, m = setup
    from eiphub.exchange.tests.factories import listing

    want2 = listing(ents["dryer"], "want", "waste.plastic", 100, "t")
    m2 = Match.objects.create(
        offer=L["scrap"], want=want2, score=0.5, matched_quantity=100, unit="t"
    )
    period = _month(1)
    agreements = []
    for match, rec_user in ((m, users["recycler"]), (m2, users["dryer"])):
        S.accept(users["collector"], match)
        S.accept(rec_user, match)
        a = S.create_agreement(users["collector"], match, starts_on=_month(3))
        S.confirm_agreement(rec_user, a)
        S.mark_operating(rec_user, a)
        agreements.append(a)
    S.record_exchange(users["collector"], agreements[0], period, 10)
    S.record_exchange(users["collector"], agreements[1], period, 4)
    out = FlowRecord.objects.get(
        enterprise=ents["collector"], resource_code="waste.plastic", direction="out", period=period
    )
    assert out.quantity_canonical == pytest.approx(14)
    assert out.counterparty is None  # two receivers
    dryer_in = FlowRecord.objects.get(enterprise=ents["dryer"], direction="in", period=period)
    assert dryer_in.quantity_canonical == pytest.approx(4)


@pytest.mark.parametrize(
    "role", [Role.MINISTRY, Role.BOARD, Role.DEVELOPER, Role.CONSULTANT, Role.PUBLIC]
)
def test_non_parties_cannot_act(setup, role):
    w, ents, users, L, m = setup
    user = w.users[role]
    for fn in (S.express_interest, S.accept, S.decline):
        with pytest.raises(S.TransitionError) as e:
            fn(user, m)
        assert e.value.status == 403
    with pytest.raises(S.TransitionError):
        S.add_note(user, m, "x")
    S.accept(users["collector"], m)
    S.accept(users["recycler"], m)
    with pytest.raises(S.TransitionError):
        S.create_agreement(user, m)
    a = S.create_agreement(users["collector"], m)
    for fn in (S.confirm_agreement, S.mark_operating, S.end_agreement):
        with pytest.raises(S.TransitionError) as e:
            fn(user, a)
        assert e.value.status == 403


def test_declined_match_is_closed(setup, django_capture_on_commit_callbacks):
    w, ents, users, L, m = setup
    with django_capture_on_commit_callbacks(execute=True):
        S.decline(users["recycler"], m, "too far")
    for fn in (S.accept, S.express_interest, S.decline):
        with pytest.raises(S.TransitionError):
            fn(users["collector"], m)
    with pytest.raises(S.TransitionError):
        S.add_note(users["collector"], m, "hello")
    (n,) = Notice.objects.filter(user=users["collector"], event="match_declined")
    assert "declined" in n.text


def test_record_checks(setup):
    w, ents, users, L, m = setup
    S.accept(users["collector"], m)
    S.accept(users["recycler"], m)
    a = S.create_agreement(users["collector"], m, starts_on=_month(2))
    S.confirm_agreement(users["recycler"], a)
    S.mark_operating(users["recycler"], a)
    future = _month(-2)
    for period, qty in ((future, 1), (_month(5), 1), (_month(1), -3), (_month(1), "x")):
        with pytest.raises(S.TransitionError) as e:
            S.record_exchange(users["collector"], a, period, qty)
        assert e.value.status == 400
    assert not ExchangeRecord.objects.exists()


def test_pages_and_htmx_actions(setup):
    w, ents, users, L, m = setup
    c_sup, c_rec = Client(), Client()
    c_sup.force_login(users["collector"])
    c_rec.force_login(users["recycler"])
    url = f"/exchange/matches/{m.pk}/do/"
    r = c_rec.post(url + "interest/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-status="interested"' in r.content.decode()
    # an error is shown in the panel (HTMX) without a 500
    r = c_rec.post(url + "note/", {"text": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    assert c_rec.post(url + "accept/").status_code == 302
    assert c_sup.post(url + "accept/", HTTP_HX_REQUEST="true").status_code == 200
    m.refresh_from_db()
    assert m.revealed
    assert c_sup.post(url + "bogus/").status_code == 404
    r = c_sup.post(
        f"/exchange/matches/{m.pk}/agreement/",
        {"quantity_per_year": 100, "price_vnd_per_unit": 5000000, "starts_on": _month(3)},
    )
    a = Agreement.objects.get(match=m)
    assert r.status_code == 302 and r["Location"] == f"/exchange/agreements/{a.pk}/"
    assert c_rec.post(f"/exchange/agreements/{a.pk}/do/confirm/").status_code == 302
    assert c_rec.post(f"/exchange/agreements/{a.pk}/do/operating/").status_code == 302
    r = c_rec.post(
        f"/exchange/agreements/{a.pk}/", {"period": _month(1).strftime("%Y-%m"), "quantity": 8}
    )
    assert r.status_code == 302
    assert a.records.get().quantity == 8
    docx = c_rec.get(f"/exchange/agreements/{a.pk}/contract.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    board = Client()
    board.force_login(w.users[Role.BOARD])
    assert (
        board.post(
            f"/exchange/agreements/{a.pk}/", {"period": "2024-01", "quantity": 1}
        ).status_code
        == 403
    )


def test_api_transitions(setup):
    w, ents, users, L, m = setup
    h = {}
    for k in ("collector", "recycler"):
        _t, key = ApiToken.issue(users[k])
        h[k] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    c = Client()
    base = f"/api/v1/exchange/matches/{m.pk}"
    assert c.post(base + "/accept", **h["collector"]).json()["offer_accepted"] is True
    assert c.post(base + "/accept", **h["collector"]).status_code == 409
    r = c.post(base + "/agreement", {}, content_type="application/json", **h["recycler"])
    assert r.status_code == 409
    body = c.post(base + "/accept", **h["recycler"]).json()
    assert body["revealed"] and body["offer"]["enterprise_name"] == ents["collector"].name_vi
    r = c.post(base + "/notes", {"text": "OK"}, content_type="application/json", **h["recycler"])
    assert r.status_code == 201
    r = c.post(
        base + "/agreement",
        {"quantity_per_year": 50},
        content_type="application/json",
        **h["recycler"],
    )
    assert r.status_code == 201
    aid = r.json()["id"]
    assert (
        c.post(f"/api/v1/exchange/agreements/{aid}/confirm", **h["collector"]).json()["status"]
        == "agreed"
    )
    assert (
        c.post(f"/api/v1/exchange/agreements/{aid}/operating", **h["collector"]).status_code == 200
    )
    r = c.post(
        f"/api/v1/exchange/agreements/{aid}/records",
        {"period": str(_month(0)), "quantity": 3},
        content_type="application/json",
        **h["collector"],
    )
    assert r.status_code == 201
    assert c.post(f"/api/v1/exchange/agreements/{aid}/nope", **h["collector"]).status_code == 404
    assert (
        c.post(f"/api/v1/exchange/agreements/{aid}/end", **h["recycler"]).json()["status"]
        == "ended"
    )
    assert MatchNote.objects.filter(match=m, kind="note").count() == 1
