"""The exchange's notices: written from a job after the request's transaction commits,
per-user preferences respected, each event's sentence in the viewer's language, the old
stored-text notifications carried over by the migration and the old pages redirected."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone, translation

from eiphub.exchange import services as S
from eiphub.exchange.models import Match
from eiphub.exchange.tests.factories import seed_examples
from eiphub.jobs.models import Job
from eiphub.notices.events import EVENTS, PREFERENCE_EVENTS, render
from eiphub.notices.models import Notice, NoticePreference
from eiphub.notices.services import notify_later
from eiphub.testing import make_world


@pytest.fixture
def seeded(db):
    w = make_world()
    ents, users, L = seed_examples(w)
    return w, ents, users, L


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_interest_writes_no_notice_in_the_request_but_one_from_the_job(
    seeded, django_capture_on_commit_callbacks
):
    w, ents, users, L = seeded
    S.run_matching(w.k1)
    m = Match.objects.get(offer=L["scrap"], want=L["resin"])
    before = Notice.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resp = _client(users["recycler"]).post(f"/exchange/matches/{m.pk}/do/interest/")
        assert resp.status_code == 302
        # inside the request: the step is saved, nobody is told yet, no job either
        assert Match.objects.get(pk=m.pk).status == Match.Status.INTERESTED
        assert Notice.objects.count() == before
        assert not Job.objects.filter(kind="notices.deliver").exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the delivery job is queued (and runs, eager in tests)
    (job,) = Job.objects.filter(kind="notices.deliver")
    assert job.status == "succeeded" and job.owner == users["recycler"]
    (n,) = Notice.objects.filter(event="match_interest")
    assert n.user == users["collector"] and n.url == f"/exchange/matches/{m.pk}/"
    assert n.params == {"resource_code": "waste.plastic", "resource_text": ""}
    with translation.override("en"):
        en = n.text
    with translation.override("vi"):
        vi = n.text
    assert en.startswith("Another enterprise is interested in a match for your listing “")
    assert vi.startswith("Một doanh nghiệp khác quan tâm đến ghép nối cho tin đăng “")
    assert en != vi and "nhựa" in vi.lower()


def test_notify_later_sends_nothing_when_the_transaction_rolls_back(
    seeded, django_capture_on_commit_callbacks
):
    w, ents, users, L = seeded
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify_later([users["dryer"]], "match_declined", {"resource_code": "energy.heat"})
                raise RuntimeError
    assert callbacks == [] and not Notice.objects.exists()
    with pytest.raises(ValueError):
        notify_later([users["dryer"]], "no_such_event")


def test_email_switched_off_for_new_matches_keeps_the_in_app_notice(seeded):
    w, ents, users, L = seeded
    for name in ("dryer", "collector"):
        users[name].email = f"{name}@example.vn"
        users[name].save()
    NoticePreference.objects.create(user=users["dryer"], event="match_new", email=False)
    run = S.run_matching(w.k1)
    assert run.created == 3
    (n,) = Notice.objects.filter(user=users["dryer"], event="match_new")
    assert n.params["listing_kind"] == "want" and n.emailed_at is None
    assert Notice.objects.get(user=users["collector"], event="match_new").emailed_at is not None
    # one e-mail job for the whole run; the collector is mailed, the dryer is not
    (job,) = Job.objects.filter(kind="notices.email")
    assert job.result["sent"] == [users["collector"].pk]
    assert [m.to for m in mail.outbox] == [["collector@example.vn"]]
    assert "New match for your offer" in mail.outbox[0].body or "Ghép nối mới" in (
        mail.outbox[0].body
    )
    # and switching the notice off in the app too: nothing at all for the next run
    NoticePreference.objects.filter(user=users["dryer"]).update(in_app=False)
    Match.objects.all().delete()
    S.run_matching(w.k1)
    assert Notice.objects.filter(user=users["dryer"], event="match_new").count() == 1


def test_every_exchange_event_reads_in_both_languages():
    params = {
        "resource_code": "waste.plastic",
        "resource_text": "",
        "listing_kind": "offer",
        "score": 0.8765,
        "expires_on": "2026-05-11",
        "name": "Slag",
        "band": [10, 50],
        "unit": "t",
        "period": "year",
        "park": "K1",
    }
    for event in EVENTS:
        if event in ("legacy",) or not event.startswith(
            ("match_", "agreement_", "listing_", "message_", "plan_", "search_")
        ):
            continue
        assert event in PREFERENCE_EVENTS
        with translation.override("en"):
            en = render(event, params)
        with translation.override("vi"):
            vi = render(event, params)
        assert en != vi, event
        assert "%(" not in en + vi and "waste.plastic" not in en + vi, event
    with translation.override("vi"):
        assert "0,88" in render("match_new", params)
        assert "10–50 t/năm" in render("search_alert", params)
        assert "11/05/2026" in render("listing_expiring", params)
    with translation.override("en"):
        assert "(score 0.88)" in render("match_new", params)
        assert "10–50 t/year" in render("search_alert", params)


def test_old_notification_pages_redirect_to_the_notices(seeded):
    w, ents, users, L = seeded
    c = _client(users["dryer"])
    resp = c.get("/exchange/notifications/")
    assert resp.status_code == 301 and resp["Location"] == "/notices/"
    resp = c.get("/exchange/notifications/badge/")
    assert resp.status_code == 301 and resp["Location"] == "/notices/badge/"
    Notice.objects.create(user=users["dryer"], event="legacy", params={"text": "old text"})
    assert c.get("/notices/badge/").content.decode().count(">1<") == 1
    assert "old text" in c.get("/notices/").content.decode()
    assert 'id="notif-badge"' in c.get("/notices/badge/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_migration_copies_the_old_notifications():
    w = make_world(with_flows=False)
    user = next(iter(w.users.values()))
    before, after = (
        ("exchange", "0008_workflow_event"),
        ("exchange", "0010_notifications_to_notices"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    Notification = old.get_model("exchange", "Notification")
    when = timezone.now() - dt.timedelta(days=30)
    read = Notification.objects.create(user_id=user.pk, text="Đã đọc", url="/a/", read=True)
    unread = Notification.objects.create(user_id=user.pk, text="Chưa đọc", url="", read=False)
    Notification.objects.filter(pk=read.pk).update(created=when)
    read.refresh_from_db()
    # a row that notices 0002 already copied is not copied twice
    copied = Notice.objects.create(
        user_id=user.pk, event="legacy", params={"text": "Đã đọc"}, url="/a/", read=True
    )
    Notice.objects.filter(pk=copied.pk).update(created=read.created)
    executor = MigrationExecutor(connection)
    executor.migrate([after])
    rows = sorted(
        Notice.objects.filter(user=user, event="legacy").values_list(
            "params", "url", "read", "created"
        ),
        key=lambda r: r[0]["text"],
    )
    assert [(p["text"], u, r) for p, u, r, _c in rows] == [
        ("Chưa đọc", "", False),
        ("Đã đọc", "/a/", True),
    ]
    assert rows[1][3] == read.created
    assert abs((rows[0][3] - unread.created).total_seconds()) < 1e-3
    with translation.override("vi"):
        assert Notice.objects.get(params__text="Chưa đọc").text == "Chưa đọc"
    assert "notification" not in {
        m._meta.model_name
        for m in executor.loader.project_state([after]).apps.get_models()
        if m._meta.app_label == "exchange"
    }


def test_many_notices_of_a_run_are_one_insert_and_one_email_job(seeded):
    from django.test.utils import CaptureQueriesContext

    from eiphub.notices.services import notify_many

    w, ents, users, L = seeded
    ids = [users[k].pk for k in ("dryer", "collector", "recycler")]
    items = [
        (ids, {"resource_code": "waste.plastic", "score": i / 300}, f"/m/{i}/") for i in range(300)
    ]
    with CaptureQueriesContext(connection) as ctx:
        written = notify_many("match_new", items)
    assert len(written) == 900 == Notice.objects.filter(event="match_new").count()
    inserts = [
        q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "notices_notice"')
    ]
    prefs = [q for q in ctx.captured_queries if "notices_noticepreference" in q["sql"]]
    # batches of at least 100 rows (SQLite caps the variables of one statement; 1 on PG)
    assert len(inserts) <= 9 and len(prefs) == 1
    (job,) = Job.objects.filter(kind="notices.email")
    assert len(job.params["items"]) == 300
