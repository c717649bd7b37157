"""The park overview's cached content (registry.views.park_detail): one entry per viewer scope,
language and stored-result version, so no viewer sees another's page and a change shows at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eiphub.accounts.models import Role
from eiphub.flows.services import save_flow
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db

URL = reverse("registry:park_detail", args=["K1"]) + "?year=2024"


def _client(user, lang="en"):
    c = Client()
    c.cookies["django_language"] = lang
    c.force_login(user)
    return c


def _page(c) -> str:
    r = c.get(URL)
    assert r.status_code == 200
    return r.content.decode()


def test_enterprise_and_board_users_of_a_park_get_their_own_content():
    w = make_world()
    board = _client(w.users[Role.BOARD])
    ent = _client(w.users[Role.ENTERPRISE])
    e2_link = reverse("registry:enterprise_detail", args=[w.e2.pk])
    tools = reverse("networks:park", args=["K1"])
    for _ in range(2):  # the second round is served from the cache
        page = _page(board)
        assert w.e2.name_vi in page and e2_link in page and tools in page
        page = _page(ent)
        # e1's user reads its own enterprise only (e2 does not publish its flows)
        assert reverse("registry:enterprise_detail", args=[w.e1.pk]) in page
        assert e2_link not in page and w.e2.name_vi not in page and tools not in page
    # another language, another entry
    assert "Monthly inputs and outputs" in _page(board)
    assert "Monthly inputs and outputs" not in _page(_client(w.users[Role.BOARD], "vi"))


def test_a_cached_read_recomputes_nothing_and_a_change_shows_on_the_next_read():
    w = make_world()
    c = _client(w.users[Role.MINISTRY])
    # K1 fresh water in 03/2024: e1 100 + e2 101 + the WWTP 104 = 305 m3
    assert "305.0" in _page(c)  # computes the stored year
    assert "305.0" in _page(c)  # reads it and keeps the content
    with CaptureQueriesContext(connection) as q:
        assert "305.0" in _page(c)
    sql = " ".join(x["sql"] for x in q.captured_queries)
    assert '"reports_storedresult"."result"' not in sql  # the stored JSON is not even read
    assert "DATE_TRUNC('MONTH'" not in sql.upper().replace('"', "'")  # nor completeness
    # e1 now reports 200 m3: the stored year goes stale, the next read shows 405 m3
    save_flow(
        owner=w.e1,
        resource_code="water.fresh",
        direction="in",
        period=dt.date(2024, 3, 1),
        quantity=200,
        unit="m3",
    )
    page = _page(c)
    assert "405.0" in page and "305.0" not in page
    # renaming an enterprise (a stale mark without new figures) shows too
    w.e2.name_vi = "Công ty Nhựa Hai Mới"
    w.e2.save()
    assert "Công ty Nhựa Hai Mới" in _page(c)
