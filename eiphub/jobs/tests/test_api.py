"""The job engine in eager mode: status, progress, results and errors on the row,
dedupe, retry with back-off on transient errors, cancel, idempotent redelivery."""

import pytest
from django.core import mail
from django.db.utils import OperationalError

from eiphub.jobs import api, tasks
from eiphub.jobs.models import Job

pytestmark = pytest.mark.django_db

CALLS = {"flaky": 0}


@api.job_kind("test.sum", label="Sum")
def _sum(job, *, values):
    total = 0
    for i, v in enumerate(values):
        total += v
        job.report(i + 1, len(values))
    return {"total": total, "url": "/parks/", "message": f"total {total}"}


@api.job_kind("test.flaky", label="Flaky", max_attempts=3)
def _flaky(job, *, fail_times):
    CALLS["flaky"] += 1
    if CALLS["flaky"] <= fail_times:
        raise OperationalError("database went away")
    return {"calls": CALLS["flaky"]}


@api.job_kind("test.refuses", label="Refuses", errors={"too_big": "Too big: %(n)s rows"})
def _refuses(job, *, n):
    raise api.JobError("too_big", n=n)


@api.job_kind("test.crashes", label="Crashes")
def _crashes(job):
    raise ZeroDivisionError("boom")


@api.job_kind("test.stops", label="Stops")
def _stops(job, *, steps):
    for i in range(steps):
        if i == 2:
            Job.objects.filter(pk=job.pk).update(cancel_requested=True)  # a user clicks Cancel
        if job.should_stop():
            return {"stopped_at": i}
        job.report(i + 1, steps)
    return {"stopped_at": None}


@pytest.fixture(autouse=True)
def _fast_backoff(settings):
    settings.EIPHUB_JOBS_RETRY_BASE_SECONDS = 0
    CALLS["flaky"] = 0


def test_result_and_progress_kept_on_the_row(django_user_model):
    u = django_user_model.objects.create_user("u1")
    job = api.enqueue("test.sum", params={"values": [2, 3, 5]}, owner=u)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["total"] == 10
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.owner == u and job.attempts == 1
    assert job.started and job.finished and job.finished >= job.started


def test_transient_errors_are_retried_then_succeed():
    job = api.enqueue("test.flaky", params={"fail_times": 2})
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 3 and job.result == {"calls": 3}
    assert job.error_code == ""


def test_transient_errors_give_up_after_max_attempts():
    job = api.enqueue("test.flaky", params={"fail_times": 10})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 3 and CALLS["flaky"] == 3
    assert job.error_code == "transient"
    assert api.error_text(job) == "The job failed 3 times on a temporary error (OperationalError)."


def test_expected_error_is_phrased_from_its_code():
    job = api.enqueue("test.refuses", params={"n": 12})
    job.refresh_from_db()
    assert (job.status, job.error_code, job.error_params) == ("failed", "too_big", {"n": 12})
    assert api.error_text(job) == "Too big: 12 rows"
    assert job.attempts == 1  # not retried


def test_unexpected_error_fails_without_leaking_the_exception_text():
    job = api.enqueue("test.crashes")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error_code == "unexpected"
    assert "boom" not in api.error_text(job)


def test_should_stop_cancels_a_running_job():
    job = api.enqueue("test.stops", params={"steps": 5})
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.result == {"stopped_at": 2} and job.progress_done == 2


def test_cancel_queued_job_then_delivery_does_nothing():
    job = Job.objects.create(kind="test.sum", params={"values": [1]})
    api.cancel(job)
    assert job.status == Job.Status.CANCELLED and job.finished
    assert tasks.execute(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.result == {}


def test_redelivery_of_a_finished_job_is_ignored():
    job = api.enqueue("test.sum", params={"values": [4]})
    job.refresh_from_db()
    finished = job.finished
    assert tasks.execute(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1 and job.finished == finished


def test_running_job_with_fresh_heartbeat_is_not_run_twice_but_a_stale_one_is_taken_over(
    settings,
):
    from django.utils import timezone

    settings.EIPHUB_JOBS_STALE_SECONDS = 60
    now = timezone.now()
    job = Job.objects.create(
        kind="test.sum", params={"values": [1, 1]}, status="running", attempts=1, heartbeat=now
    )
    assert tasks.execute(job.pk, worker="w2") == "skipped"
    Job.objects.filter(pk=job.pk).update(heartbeat=now - timezone.timedelta(seconds=61))
    assert tasks.execute(job.pk, worker="w2") == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert (job.attempts, job.worker, job.result["total"]) == (2, "w2", 2)


def test_dedupe_key_returns_the_active_job():
    first = Job.objects.create(kind="test.sum", params={"values": [1]}, dedupe_key="k")
    again = api.enqueue("test.sum", params={"values": [9]}, dedupe_key="k")
    assert again.pk == first.pk and Job.objects.count() == 1
    api.cancel(first)
    third = api.enqueue("test.sum", params={"values": [9]}, dedupe_key="k")
    assert third.pk != first.pk
    assert third.status == "succeeded" and third.result["total"] == 9


def test_retry_runs_a_failed_job_again_on_the_same_row():
    job = api.enqueue("test.flaky", params={"fail_times": 3})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    job = api.retry(job)  # CALLS is now 3: the 4th call succeeds
    assert job.status == Job.Status.SUCCEEDED and job.result == {"calls": 4}
    assert job.attempts == 1 and job.error_code == ""


def test_params_must_be_json():
    with pytest.raises(TypeError):
        api.enqueue("test.sum", params={"values": {1, 2}})
    with pytest.raises(ValueError):
        api.enqueue("no.such.kind")


def test_unknown_kind_on_the_worker_fails_the_job():
    job = Job.objects.create(kind="gone.kind")
    assert tasks.execute(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error_code == "unknown_kind"


def test_hook_runs_registered_functions_and_is_fine_empty():
    seen = []
    job = api.enqueue("jobs.hook", params={"name": "nightly_recompute"})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["hook"] == "nightly_recompute"
    job = api.enqueue("jobs.hook", params={"name": "daily_reminders"})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["hook"] == "daily_reminders"
    base = list(job.result["ran"])  # the apps' own hooks (e.g. exchange expiry reminders)
    fn = api.hook("daily_reminders")(lambda job: seen.append(job.pk))
    try:
        job = api.enqueue("jobs.hook", params={"name": "daily_reminders"})
        job.refresh_from_db()
        assert seen == [job.pk] and len(job.result["ran"]) == len(base) + 1
    finally:
        api.HOOKS["daily_reminders"].remove(fn)


def test_periodic_entry_point_dedupes_per_kind_and_params():
    a = tasks.periodic("jobs.hook", {"name": "nightly_recompute"})
    assert Job.objects.get(pk=a).status == "succeeded"
    assert Job.objects.get(pk=a).dedupe_key == "periodic:jobs.hook:name=nightly_recompute"


def test_mail_job_sends_with_django_mail():
    job = api.send_email(
        [
            {"to": ["a@example.vn"], "subject": "S1", "body": "B1"},
            {"to": [], "subject": "nobody", "body": "-"},
            {"to": ["b@example.vn"], "subject": "S2", "body": "B2"},
        ]
    )
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["sent"] == [0, 1]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["a@example.vn"], "S1"),
        (["b@example.vn"], "S2"),
    ]


def test_sweeper_sends_lost_jobs_again(settings):
    from django.utils import timezone

    settings.EIPHUB_JOBS_STALE_SECONDS = 60
    old = timezone.now() - timezone.timedelta(hours=1)
    lost = Job.objects.create(
        kind="test.sum", params={"values": [7]}, status="running", attempts=1, heartbeat=old
    )
    waiting = Job.objects.create(kind="test.sum", params={"values": [8]}, dispatched=old)
    fresh = Job.objects.create(kind="test.sum", params={"values": [9]}, dispatched=timezone.now())
    assert tasks.sweep() == {"queued": 1, "lost": 1}
    for j, total in ((lost, 7), (waiting, 8)):
        j.refresh_from_db()
        assert j.status == "succeeded" and j.result["total"] == total
    fresh.refresh_from_db()
    assert fresh.status == "queued"
