"""Deadlines (issue 13 point 2): computation per province, reminders once, the calendar."""

import datetime as dt

import pytest
from django.utils.formats import date_format
from django.utils.translation import override

from eiphub.accounts.models import Role
from eiphub.core import deadlines as core
from eiphub.notices.deadlines import deadlines_for
from eiphub.notices.jobs import deadline_reminders
from eiphub.notices.models import DeadlineOverride, DeadlineReminder, Notice
from eiphub.reports.models import AnnualReport
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 25)


def _by_code(items):
    return {i["code"]: i for i in items}


def test_board_deadlines_count_what_is_missing_and_follow_the_province_override():
    w = make_world(with_flows=False)
    board = w.users[Role.BOARD]
    items = _by_code(deadlines_for(board, TODAY))
    a5 = items["annual_A5"]
    assert (a5["period"], a5["due"], a5["state"], a5["pending"]) == (
        "2025",
        dt.date(2026, 3, 31),
        "near",
        2,  # K1 and K2 of P1, not K3 of P2
    )
    flows = items["monthly_flows"]
    assert (flows["period"], flows["due"], flows["state"], flows["pending"]) == (
        "2026-02",
        dt.date(2026, 3, 15),
        "passed",
        3,  # e1, e2, e4 in P1
    )
    AnnualReport.objects.create(kind="A5", park=w.k1, year=2025, status="submitted")
    assert _by_code(deadlines_for(board, TODAY))["annual_A5"]["pending"] == 1
    AnnualReport.objects.create(kind="A5", park=w.k2, year=2025, status="accepted")
    assert "annual_A5" not in _by_code(deadlines_for(board, TODAY))  # all filed
    DeadlineOverride.objects.create(province=w.p1, deadline="annual_B5", month=4, day=30)
    b5 = _by_code(deadlines_for(board, TODAY))["annual_B5"]
    assert (b5["due"], b5["state"]) == (dt.date(2026, 4, 30), "later")
    # the other province keeps the default
    DeadlineOverride.objects.create(province=w.p2, deadline="monthly_flows", day=28)
    assert _by_code(deadlines_for(board, TODAY))["monthly_flows"]["due"] == dt.date(2026, 3, 15)


def test_reminders_are_sent_once_per_user_deadline_and_kind(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    w = make_world(with_flows=False)
    board = w.users[Role.BOARD]
    deadline_reminders(None, today=TODAY)
    near = Notice.objects.filter(user=board, event="deadline_near")
    passed = Notice.objects.filter(user=board, event="deadline_passed")
    assert sorted(n.params["deadline"] for n in near) == [
        "annual_A5",
        "annual_B5",
        "annual_eco_enterprise",
    ]
    assert [n.params["deadline"] for n in passed] == ["monthly_flows"]
    with override("en"):
        a5 = next(n for n in near if n.params["deadline"] == "annual_A5")
        assert a5.text == "Form A.5 (park indicators) 2025 is due on 31/03/2026."
    with override("vi"):
        assert a5.text == "Mẫu A.5 (chỉ tiêu cấp KCN) năm 2025 đến hạn vào ngày 31/03/2026."
    count = Notice.objects.count()
    deadline_reminders(None, today=TODAY)
    deadline_reminders(None, today=TODAY + dt.timedelta(days=1))
    assert Notice.objects.count() == count  # nothing twice
    deadline_reminders(None, today=dt.date(2026, 4, 1))  # A5 is now passed: one more
    assert passed.filter(params__deadline="annual_A5").count() == 1
    assert DeadlineReminder.objects.filter(user=board, deadline="annual_A5").count() == 2
    assert not Notice.objects.filter(user=w.users[Role.PUBLIC]).exists()


def test_calendar_shows_on_the_board_dashboard_in_vietnamese(client):
    w = make_world(with_flows=False)
    board = w.users[Role.BOARD]
    board.profile.language = "vi"
    board.profile.save()
    client.force_login(board)
    client.cookies["django_language"] = "vi"
    html = client.get("/dashboard/").content.decode()
    assert 'id="calendar"' in html
    flows = core.load()["monthly_flows"]
    today = dt.date.today()
    due = core.due_date(flows, core.current_period(flows, today))
    with override("vi"):
        assert date_format(due, "SHORT_DATE_FORMAT") in html  # the user's locale
    assert due.strftime("%d/%m/%Y") in html
    assert 'data-code="monthly_flows"' in html and 'data-code="annual_A5"' in html
    section = html[html.index('id="calendar"') :]
    section = section[: section.index("</section>")]
    for english in ("Deadlines", "due on", "overdue since", "still missing", "Flow data"):
        assert english not in section
