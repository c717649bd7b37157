"""Report workflow: legal and illegal transitions per role, immutability, audit trail."""

import datetime as dt

import pytest

from eiphub.accounts.models import Role
from eiphub.registry.models import Organization, Province
from eiphub.reports import workflow
from eiphub.reports.models import AnnualReport, AuditEvent, ReportOverride
from eiphub.reports.workflow import WorkflowError
from eiphub.testing import make_user

from .builders import YEAR, build_park

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = build_park()
    other = Province.objects.create(code="OTH", name="Tỉnh Khác")
    w.users = {
        "developer": make_user("dev", Role.DEVELOPER, organization=w.developer),
        "other_developer": make_user(
            "dev2",
            Role.DEVELOPER,
            organization=Organization.objects.create(kind="developer", name="Other"),
        ),
        "board": make_user("board", Role.BOARD, province=w.province),
        "other_board": make_user("board2", Role.BOARD, province=other),
        "ministry": make_user("min", Role.MINISTRY),
        "consultant": make_user("cons", Role.CONSULTANT, assigned_parks=[w.park]),
        "enterprise": make_user("ent", Role.ENTERPRISE, enterprise=w.e[4]),
        "public": make_user("pub", Role.PUBLIC),
    }
    return w


def a5(w):
    return workflow.create_report(w.users["developer"], "A5", YEAR, park=w.park)


def test_create_from_computed_values(w):
    rep = a5(w)
    assert rep.status == "draft" and rep.pack_id == "circular05_a5"
    assert rep.values["ENV.3"] == 50.0 and rep.computed["criteria"]["ENV.3"]["value"] == 50.0
    assert rep.values["ENV.5"] is False
    with pytest.raises(WorkflowError) as exc:
        a5(w)
    assert exc.value.code == "duplicate"
    for who in ("board", "ministry", "consultant", "enterprise", "other_developer", "public"):
        with pytest.raises(WorkflowError):
            workflow.create_report(w.users[who], "B5", YEAR, park=w.park)
    ent = workflow.create_report(w.users["enterprise"], "eco_enterprise", YEAR, enterprise=w.e[4])
    assert ent.park == w.park and ent.values["DNST.3"] is True
    with pytest.raises(WorkflowError):
        workflow.create_report(w.users["enterprise"], "eco_enterprise", YEAR, enterprise=w.e[0])


def test_override_needs_justification_and_range(w):
    rep = a5(w)
    dev = w.users["developer"]
    with pytest.raises(WorkflowError, match="justification"):
        workflow.set_value(dev, rep, "ENV.3", 60)
    # issue 13: outside the accepted range needs a justification (and is then accepted)
    with pytest.raises(WorkflowError) as exc:
        workflow.set_value(dev, rep, "ENV.3", 130)
    assert exc.value.code == "invalid" and "0" in str(exc.value) and "100" in str(exc.value)
    workflow.set_value(dev, rep, "ENV.3", "60", "WWTP meter replaced; audited figure")
    rep.refresh_from_db()
    assert rep.values["ENV.3"] == 60.0
    ov = ReportOverride.objects.get(report=rep, code="ENV.3")
    assert (ov.computed_value, ov.value) == (50.0, 60.0)
    ev = AuditEvent.objects.filter(report=rep, action="edit").last()
    assert (ev.field, ev.before, ev.after, ev.user) == ("ENV.3", 50.0, 60.0, dev)
    # back to the computed value: the override disappears
    workflow.set_value(dev, rep, "ENV.3", 50)
    assert not ReportOverride.objects.filter(report=rep).exists()
    with pytest.raises(WorkflowError):
        workflow.set_value(w.users["board"], rep, "ENV.4", "yes", "x")


def test_full_cycle_and_illegal_transitions(w):
    rep = a5(w)
    dev, board = w.users["developer"], w.users["board"]
    for who, action in [
        ("board", "accept"),  # draft cannot be accepted
        ("developer", "accept"),
        ("developer", "return"),
        ("developer", "reopen"),  # only a returned report reopens
        ("board", "submit"),  # the board does not file
        ("ministry", "submit"),
        ("consultant", "submit"),
        ("other_developer", "submit"),
    ]:
        with pytest.raises(WorkflowError):
            workflow.transition(w.users[who], rep, action)
    assert workflow.allowed_actions(dev, rep) == ["submit"]
    assert workflow.allowed_actions(board, rep) == []
    rep = workflow.transition(dev, rep, "submit")
    assert rep.status == "submitted" and rep.submitted_at
    # immutable once submitted
    with pytest.raises(WorkflowError) as exc:
        workflow.set_value(dev, rep, "ENV.4", False, "changed my mind")
    assert exc.value.code == "locked"
    with pytest.raises(WorkflowError):
        workflow.recompute(dev, rep)
    for who, action in [
        ("developer", "submit"),
        ("developer", "accept"),
        ("other_board", "accept"),  # board of another province
        ("ministry", "accept"),
        ("consultant", "return"),
        ("enterprise", "accept"),
    ]:
        with pytest.raises(WorkflowError):
            workflow.transition(w.users[who], rep, action, "comment")
    assert workflow.allowed_actions(board, rep) == ["accept", "return"]
    with pytest.raises(WorkflowError, match="comment"):
        workflow.transition(board, rep, "return", "  ")
    rep = workflow.transition(board, rep, "return", "ENV.5: attach the monitoring plan")
    assert rep.status == "returned" and rep.review_comment.startswith("ENV.5")
    assert workflow.allowed_actions(dev, rep) == ["submit", "reopen"]
    workflow.set_value(dev, rep, "ENV.5", "có", "Plan adopted in June, minutes attached")
    rep = workflow.transition(dev, rep, "submit")
    rep = workflow.transition(board, rep, "accept")
    assert rep.status == "accepted"
    for who in ("developer", "board", "ministry"):
        for action in workflow.TRANSITIONS:
            with pytest.raises(WorkflowError):
                workflow.transition(w.users[who], rep, action, "x")
    with pytest.raises(WorkflowError):
        workflow.set_value(dev, rep, "ENV.4", False, "x")
    trail = list(AuditEvent.objects.filter(report=rep).values_list("action", "before", "after"))
    assert trail == [
        ("create", None, {"status": "draft"}),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("edit", False, True),
        ("submit", "returned", "submitted"),
        ("accept", "submitted", "accepted"),
    ]
    assert AuditEvent.objects.get(report=rep, action="return").user == board


def test_reopen_then_recompute_keeps_overrides(w):
    rep = a5(w)
    dev, board = w.users["developer"], w.users["board"]
    workflow.set_value(dev, rep, "ENV.1", 3, "a third exchange is not yet in the platform")
    rep = workflow.transition(dev, rep, "submit")
    rep = workflow.transition(board, rep, "return", "check ENV.1")
    rep = workflow.transition(dev, rep, "reopen")
    assert rep.status == "draft"
    # ending it today would not change 2024 (status history); a correction dating its end
    # before 2024 does
    w.slag.status = "ended"
    w.slag.ends_on = dt.date(2023, 12, 31)
    w.slag.save()
    rep = workflow.recompute(dev, rep)
    assert rep.computed["criteria"]["ENV.1"]["value"] == 1
    assert rep.values["ENV.1"] == 3  # the override stays
    assert ReportOverride.objects.get(report=rep, code="ENV.1").computed_value == 1
    assert AnnualReport.objects.get(pk=rep.pk).status == "draft"
