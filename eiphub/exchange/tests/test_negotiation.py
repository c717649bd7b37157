"""Anonymous negotiation (issue 17): before both sides accept, messages are relayed
without the sender's identity or contact details and the sender is told what was
removed; the counterparty is notified from a job; after the reveal the conversation
is normal; no page, API answer or notification shows a hidden identity."""

import itertools
import re

import pytest
from django.test import Client

from eiphub.accounts.models import ApiToken
from eiphub.exchange import services as S
from eiphub.exchange.models import Match, MatchNote
from eiphub.exchange.tests.factories import seed_examples
from eiphub.jobs.models import Job
from eiphub.notices.models import Notice
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db

PHONE = "0912 345 678"


@pytest.fixture
def setup():
    w = make_world()
    ents, users, L = seed_examples(w)
    ents["collector"].plot = "Lô B7-12"
    ents["collector"].save()
    S.run_matching(w.k1)
    m = Match.objects.get(offer=L["scrap"], want=L["resin"])
    return w, ents, users, L, m


def _identity(ent) -> list[str]:
    return [s for s in (ent.name_vi, ent.name_en, ent.tax_code, "B7-12") if s]


def _digits(text):
    return re.sub(r"\D", "", text)


def test_message_before_reveal_is_relayed_without_contact_details(setup):
    w, ents, users, L, m = setup
    seller, buyer = users["collector"], users["recycler"]
    me = ents["collector"]
    text = (
        f"Chào anh, bên em là {me.name_vi} (MST {me.tax_code}), kho ở Lô B7-12. "
        f"Gọi {PHONE} hoặc +84 28 3823 4567, email kd@thugomnhua.vn, web thugomnhua.com.vn. "
        "Giá 5.500.000 đồng/tấn, 300 tấn/năm."
    )
    note = S.add_note(seller, m, text)
    stored = MatchNote.objects.get(pk=note.pk)
    assert stored.before_reveal
    assert set(stored.removed) == {"name", "tax_code", "address", "phone", "email", "url"}
    for secret in [*_identity(me), "thugomnhua", "3823"]:
        assert secret not in stored.text
    assert "345678" not in _digits(stored.text)
    # what is not contact detail goes through
    assert "5.500.000 đồng/tấn, 300 tấn/năm" in stored.text
    # the counterparty was told, from a job, without the sender's identity
    job = Job.objects.filter(kind="exchange.message_notice").get()
    assert job.status == "succeeded"
    notice = Notice.objects.get(user=buyer, event="message_new")
    assert "negotiation message" in notice.text
    assert not any(s in notice.text for s in _identity(me))
    # and reads the relayed text only, on the page and through the API
    c = Client()
    c.force_login(buyer)
    html = c.get(f"/exchange/matches/{m.pk}/").content.decode()
    assert "5.500.000 đồng/tấn" in html
    for secret in [*_identity(me), "thugomnhua", "912 345 678"]:
        assert secret not in html
    _t, key = ApiToken.issue(buyer)
    body = c.get(f"/api/v1/exchange/matches/{m.pk}", HTTP_AUTHORIZATION=f"Bearer {key}").content
    assert not any(s.encode() in body for s in _identity(me))


def test_sender_is_told_what_was_removed(setup):
    w, ents, users, L, m = setup
    c = Client()
    c.force_login(users["recycler"])
    r = c.post(
        f"/exchange/matches/{m.pk}/do/note/",
        {"text": f"Liên hệ {PHONE} nhé"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert 'id="redaction-notice"' in html and "phone number" in html
    assert "345 678" not in html
    c.post(
        f"/exchange/matches/{m.pk}/do/note/",
        {"text": "Xin chào, 300 tấn/năm"},
        HTTP_HX_REQUEST="true",
    )
    assert MatchNote.objects.filter(match=m, kind="note").order_by("-pk").first().removed == []


def test_sender_is_told_in_vietnamese(setup):
    w, ents, users, L, m = setup
    users["recycler"].profile.language = "vi"
    users["recycler"].profile.save()
    c = Client()
    c.force_login(users["recycler"])
    c.cookies["django_language"] = "vi"
    r = c.post(
        f"/exchange/matches/{m.pk}/do/note/",
        {"text": f"Liên hệ {PHONE} nhé"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    html = r.content.decode()
    assert "số điện thoại" in html and "phone number" not in html


def test_after_reveal_the_conversation_is_normal(setup):
    w, ents, users, L, m = setup
    S.accept(users["collector"], m)
    S.accept(users["recycler"], m)
    m.refresh_from_db()
    assert m.revealed
    note = S.add_note(users["collector"], m, f"Anh gọi em số {PHONE}, {ents['collector'].name_vi}")
    stored = MatchNote.objects.get(pk=note.pk)
    assert PHONE in stored.text and ents["collector"].name_vi in stored.text
    assert not stored.before_reveal and stored.removed == []
    # messages written before the reveal stay as they were relayed
    c = Client()
    c.force_login(users["recycler"])
    assert PHONE in c.get(f"/exchange/matches/{m.pk}/").content.decode()


def test_decline_reason_is_redacted_before_reveal(setup):
    w, ents, users, L, m = setup
    S.decline(users["collector"], m, reason=f"Đã bán cho bên khác, gọi {PHONE}")
    n = MatchNote.objects.get(match=m, kind="decline")
    assert "345 678" not in n.text


SHAPES = [
    "{name}",
    "{upper}",
    "{ascii}",
    "MST: {tax}",
    "mã số thuế {tax}-001",
    "ĐT {phone}",
    "+84 {phone9}",
    "{core} xin chào",
]


@pytest.mark.parametrize("a,b", list(itertools.combinations(SHAPES, 2)))
def test_no_message_reveals_a_hidden_identity(setup, a, b):
    """Every pair of ways of writing the sender's identity, in one message: none of it
    reaches the other side (stored text, page), while the match is not revealed."""
    import unicodedata

    w, ents, users, L, m = setup
    me = ents["collector"]
    ascii_name = "".join(
        c for c in unicodedata.normalize("NFD", me.name_vi) if unicodedata.category(c) != "Mn"
    ).replace("đ", "d")
    values = {
        "name": me.name_vi,
        "upper": me.name_vi.upper(),
        "ascii": ascii_name,
        "tax": me.tax_code,
        "phone": PHONE,
        "phone9": "912.345.678",
        "core": "Thu Gom Nhựa",
    }
    text = f"{a.format(**values)} — 600 tấn/năm — {b.format(**values)}"
    note = S.add_note(users["collector"], m, text)
    relayed = MatchNote.objects.get(pk=note.pk).text
    folded = unicodedata.normalize("NFD", relayed.lower())
    folded = "".join(c for c in folded if unicodedata.category(c) != "Mn").replace("đ", "d")
    assert "thu gom nhua" not in folded
    assert me.tax_code not in _digits(relayed)
    assert "912345678" not in _digits(relayed)
    assert "600 tấn/năm" in relayed
    c = Client()
    c.force_login(users["recycler"])
    html = c.get(f"/exchange/matches/{m.pk}/").content.decode()
    assert me.name_vi not in html and me.tax_code not in html
