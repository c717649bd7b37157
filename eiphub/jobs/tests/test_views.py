"""Job pages: the progress block polls while active and stops when done; cancel and
retry are for the owner only; /healthz reports the database and the broker."""

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.jobs import api
from eiphub.jobs.models import Job
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_active_job_polls_and_shows_progress(world):
    board = world.users[Role.BOARD]
    job = Job.objects.create(
        kind="jobs.probe",
        owner=board,
        park=world.k1,
        status="running",
        progress_done=30,
        progress_total=120,
    )
    c = _client(board)
    html = c.get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and f"/jobs/{job.pk}/status/" in html
    assert 'value="25"' in html and "30 of 120 steps" in html
    assert "Queue check" in html and "Cancel" in html
    part = c.get(f"/jobs/{job.pk}/status/")
    assert part.status_code == 200 and b"<html" not in part.content


def test_finished_job_stops_polling_and_links_the_result(world):
    ent = world.users[Role.ENTERPRISE]
    job = Job.objects.create(
        kind="jobs.probe",
        owner=ent,
        status="succeeded",
        result={"message": "All good.", "url": "/exchange/matches/"},
    )
    html = _client(ent).get(f"/jobs/{job.pk}/status/").content.decode()
    assert "hx-trigger" not in html
    assert "All good." in html and 'href="/exchange/matches/"' in html


def test_vietnamese_job_page(world):
    ent = world.users[Role.ENTERPRISE]
    job = Job.objects.create(
        kind="jobs.probe",
        owner=ent,
        status="failed",
        error_code="worker_lost",
        error_params={"attempts": 5},
    )
    c = _client(ent)
    c.cookies["django_language"] = "vi"
    html = c.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Kiểm tra hàng đợi" in html and "Thất bại" in html and "Chạy lại" in html
    assert "Queue check" not in html and "worker_lost" not in html


def test_cancel_and_retry_are_for_the_owner(world):
    board, ministry = world.users[Role.BOARD], world.users[Role.MINISTRY]
    job = Job.objects.create(kind="jobs.probe", owner=board, park=world.k1)
    # the ministry sees it (every park) but cannot act on it
    assert _client(ministry).get(f"/jobs/{job.pk}/").status_code == 200
    assert _client(ministry).post(f"/jobs/{job.pk}/cancel/").status_code == 403
    assert _client(world.users[Role.ENTERPRISE]).post(f"/jobs/{job.pk}/cancel/").status_code == 404
    c = _client(board)
    assert c.post(f"/jobs/{job.pk}/cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert _client(ministry).post(f"/jobs/{job.pk}/retry/").status_code == 403
    resp = c.post(f"/jobs/{job.pk}/retry/", follow=True)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["steps"] == 1  # eager: ran at once
    assert b"Queue check done." in resp.content


def test_running_job_cancel_asks_the_function_to_stop(world):
    board = world.users[Role.BOARD]
    job = Job.objects.create(kind="jobs.probe", owner=board, status="running")
    _client(board).post(f"/jobs/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == "running" and job.cancel_requested
    assert job.should_stop()


def test_list_shows_own_jobs_and_in_scope_jobs(world):
    board, dev = world.users[Role.BOARD], world.users[Role.DEVELOPER]
    Job.objects.create(kind="jobs.probe", owner=board, park=world.k1)
    Job.objects.create(kind="mail.send", owner=world.users[Role.ENTERPRISE])
    mine = _client(dev).get("/jobs/").content.decode()
    assert "No jobs yet." in mine
    scope = _client(dev).get("/jobs/?mine=0").content.decode()
    assert "Queue check" in scope and "E-mail sending" not in scope


def test_redirect_to_result_or_job_page(world):
    done = api.enqueue("jobs.probe", params={"steps": 1})
    assert api.redirect_to(done)["Location"] == f"/jobs/{done.pk}/"  # no url in its result
    queued = Job.objects.create(kind="jobs.probe")
    assert api.redirect_to(queued)["Location"] == f"/jobs/{queued.pk}/"
    Job.objects.filter(pk=queued.pk).update(status="succeeded", result={"url": "/parks/"})
    assert api.redirect_to(queued)["Location"] == "/parks/"


def test_healthz_ok_and_broker_down(settings):
    resp = Client().get("/healthz")
    body = resp.json()
    assert resp.status_code == 200 and body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"]
    from eiphub.jobs.celery_app import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        resp = Client().get("/healthz")
    finally:
        app.conf.broker_url = old
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "unavailable" and body["database"]["ok"]
    assert body["broker"] == {"ok": False, "error": body["broker"]["error"]}
