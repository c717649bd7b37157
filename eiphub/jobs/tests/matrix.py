"""Job pages in the permission matrix.  The fixture adds a job of the board user about
park K1, and a job of the enterprise user without a park."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, LOGIN, NOT_FOUND, OK, all_roles


def jobs_fixture(w):
    if getattr(w, "board_job", None) is not None:
        return w
    from eiphub.jobs.models import Job

    w.board_job = Job.objects.create(
        kind="jobs.probe", owner=w.users[Role.BOARD], park=w.k1, status="succeeded"
    )
    w.ent_job = Job.objects.create(kind="jobs.probe", owner=w.users[Role.ENTERPRISE])
    return w


# Board's job about K1: the board (owner), the ministry (every park) and K1's developer
# see it; the enterprise, the consultant (not assigned to K1) and public users do not.
_K1_JOB = {
    Role.MINISTRY: OK,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: NOT_FOUND,
    Role.CONSULTANT: NOT_FOUND,
    Role.PUBLIC: NOT_FOUND,
    ANON: LOGIN,
}
# The enterprise's own job without a park: only its owner.
_OWN_JOB = {r: NOT_FOUND for r in _K1_JOB} | {Role.ENTERPRISE: OK, ANON: LOGIN}

PAGES = {
    "jobs:list": (lambda w: "/jobs/", all_roles(OK)),
    "jobs:detail": (lambda w: f"/jobs/{jobs_fixture(w).board_job.pk}/", _K1_JOB),
    "jobs:status": (lambda w: f"/jobs/{jobs_fixture(w).ent_job.pk}/status/", _OWN_JOB),
    "jobs:cancel": (lambda w: None, {}),  # POST only; covered by test_views
    "jobs:retry": (lambda w: None, {}),  # POST only; covered by test_views
    "healthz": (lambda w: "/healthz", all_roles(OK, anon=OK)),
}

_API_K1_JOB = {r: (200 if v == OK else 404) for r, v in _K1_JOB.items() if r != ANON} | {ANON: 401}

API = {
    ("get", "/api/v1/jobs/{job_id}"): (
        lambda w: f"/api/v1/jobs/{jobs_fixture(w).board_job.pk}",
        _API_K1_JOB,
    ),
}
