"""Report transitions notify: the board of a filing, the developer of a return/acceptance."""

import pytest

from eiphub.notices.models import Notice
from eiphub.reports import workflow
from eiphub.reports.tests.test_workflow import a5
from eiphub.reports.tests.test_workflow import w as _w  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

w = _w


def test_submit_notifies_board_and_return_notifies_developer(w, django_capture_on_commit_callbacks):
    rep = a5(w)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.transition(w.users["developer"], rep, "submit")
    assert not Notice.objects.exists()  # nothing inside the transition's transaction
    for fn in callbacks:
        fn()
    (n,) = Notice.objects.filter(event="report_submitted")
    assert n.user == w.users["board"]  # not the other province's board
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(w.users["board"], rep, "return", "Thiếu số liệu")
    (r,) = Notice.objects.filter(event="report_returned")
    assert r.user == w.users["developer"] and r.params["comment"] == "Thiếu số liệu"
