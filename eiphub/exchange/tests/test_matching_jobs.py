"""Matching runs as background jobs: the board's button and a publish enqueue a job
(run inline in tests, eager mode) and land on its result; the nightly job matches every
province; new-match notices are written by the run and e-mailed (one notices.email job per
run) to users with an address."""

import pytest
from django.core import mail
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange.models import Listing, Match
from eiphub.exchange.tests.factories import seed_examples
from eiphub.jobs.models import Job
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    w = make_world()
    ents, users, L = seed_examples(w)
    return w, ents, users, L


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_board_button_runs_a_job_and_shows_its_result(seeded):
    w, ents, users, L = seeded
    users["dryer"].email = "dryer@example.vn"
    users["dryer"].save()
    board = w.users[Role.BOARD]
    resp = _client(board).post("/exchange/matches/run/", {"park": w.k1.code}, follow=True)
    assert resp.redirect_chain[-1][0] == "/exchange/matches/"
    assert b"Matching done for K1: 3 new, 0 updated, 0 no longer found." in resp.content
    job = Job.objects.get(kind="exchange.matching")
    assert (job.status, job.owner, job.park) == ("succeeded", board, w.k1)
    assert job.result["created"] == 3 and job.result["notified"] == 4
    assert Match.objects.count() == 3
    # one e-mail job for the run; one e-mail to the only notified user with an address
    (email_job,) = Job.objects.filter(kind="notices.email")
    assert email_job.status == "succeeded" and email_job.result["sent"] == [users["dryer"].pk]
    assert [m.to for m in mail.outbox] == [["dryer@example.vn"]]
    assert "New match for your" in mail.outbox[0].body or "Ghép nối mới" in mail.outbox[0].body


def test_queued_run_shows_the_job_page(seeded, settings):
    """Without eager execution (a real broker) the user lands on the progress page."""
    from eiphub.jobs.celery_app import app

    w, *_ = seeded
    app.conf.task_always_eager = False
    try:
        from unittest import mock

        with mock.patch("eiphub.jobs.tasks.run_job.apply_async") as send:
            with mock.patch("django.db.transaction.on_commit", lambda fn: fn()):
                resp = _client(w.users[Role.BOARD]).post(
                    "/exchange/matches/run/", {"park": w.k1.code}
                )
    finally:
        app.conf.task_always_eager = True
    job = Job.objects.get(kind="exchange.matching")
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "queued" and send.call_args.kwargs == {"args": [job.pk]}
    assert Match.objects.count() == 0


def test_publishing_a_listing_matches_in_a_job(seeded):
    w, ents, users, L = seeded
    L["drying"].status = Listing.Status.DRAFT
    L["drying"].save()
    c = _client(users["dryer"])
    resp = c.post(
        f"/exchange/listings/{L['drying'].pk}/edit/",
        {
            "kind": "want",
            "resource": "energy.heat.drying",
            "quantity": "15000",
            "unit": "GJ",
            "period": "year",
            "temperature_c": "90",
            "disclosure": L["drying"].disclosure,
            "status": "published",
        },
        follow=True,
    )
    job = Job.objects.get(kind="exchange.matching")
    assert job.params == {"park_id": w.k1.pk, "listing_id": L["drying"].pk}
    assert job.status == "succeeded" and job.dedupe_key == ""
    assert resp.redirect_chain[-1][0] == f"/exchange/listings/{L['drying'].pk}/"
    assert b"Saved and published; 3 new matches found." in resp.content


def test_nightly_rematching_covers_every_province(seeded):
    from eiphub.jobs import tasks

    w, *_ = seeded
    pk = tasks.periodic("exchange.rematch_all")
    job = Job.objects.get(pk=pk)
    assert job.status == "succeeded"
    assert job.result["provinces"] == 1 and job.result["created"] == 3
    assert (job.progress_done, job.progress_total) == (1, 1)
