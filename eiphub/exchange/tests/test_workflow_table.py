"""The exchange workflow is driven by one transition table (``workflow.TRANSITIONS``):
a step not in the table is refused with a code and writes nothing, every step applied
writes a WorkflowEvent audit row with its from/to states, versions conflict as before."""

import ast
import datetime as dt
import inspect

import pytest

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange import workflow as W
from eiphub.exchange.models import Agreement, Match, WorkflowEvent
from eiphub.exchange.tests.factories import seed_examples
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    w = make_world()
    ents, users, L = seed_examples(w)
    S.run_matching(w.k1)
    m = Match.objects.get(offer=L["scrap"], want=L["resin"])
    return w, users, m


def _proposed(users, m):
    S.accept(users["collector"], m)
    S.accept(users["recycler"], m)
    return S.create_agreement(users["recycler"], m, starts_on=dt.date(2025, 1, 1))


def test_the_table_names_only_real_states_and_actions():
    actions = set(WorkflowEvent.Action.values)
    for (kind, state, action), (after, who, required) in W.TRANSITIONS.items():
        states = (Match if kind == "match" else Agreement).Status.values
        assert state in states and after in states
        assert action in actions and who in ("party", "system")
        fields = {f.name for f in Agreement._meta.fields}
        assert set(required) <= fields


def test_states_are_set_only_in_apply():
    """No other function of the workflow module assigns a status or updates one."""
    tree = ast.parse(inspect.getsource(W))
    offenders = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef) or fn.name == "apply":
            continue
        for node in ast.walk(fn):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(
                isinstance(t, ast.Attribute)
                and t.attr == "status"
                and not (isinstance(t.value, ast.Name) and t.value.id == "self")  # HTTP status
                for t in targets
            ):
                offenders.append(fn.name)
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr == "update":
                if any(k.arg == "status" for k in node.keywords):
                    offenders.append(fn.name)
            if isinstance(node.func, ast.Name) and node.func.id == "setattr":
                if any(isinstance(x, ast.Constant) and x.value == "status" for x in node.args):
                    offenders.append(fn.name)
    assert offenders == []


def test_an_action_not_in_the_table_is_refused_with_its_code_and_writes_nothing(setup):
    w, users, m = setup
    a = _proposed(users, m)
    a.refresh_from_db()
    version, events = a.version, WorkflowEvent.objects.count()
    with pytest.raises(S.TransitionError) as e:
        S.mark_operating(users["collector"], a)
    assert (e.value.status, e.value.code) == (409, "wrong_state")
    with pytest.raises(S.TransitionError) as e:
        W.apply(a, "end", users["collector"], ends_on=dt.date.today())
    assert (e.value.status, e.value.code) == (409, "wrong_state")
    a.refresh_from_db()
    assert (a.status, a.version, a.ends_on) == (Agreement.Status.PROPOSED, version, None)
    assert WorkflowEvent.objects.count() == events
    # a declined match refuses every further step, with the message it always gave
    S.decline(users["collector"], m)
    with pytest.raises(S.TransitionError) as e:
        S.accept(users["recycler"], m)
    assert e.value.code == "wrong_state" and "declined" in e.value.message


def test_non_parties_are_refused_before_the_table(setup):
    w, users, m = setup
    with pytest.raises(S.TransitionError) as e:
        W.apply(m, "decline", w.users[Role.BOARD])
    assert (e.value.status, e.value.code) == (403, "forbidden")
    m.refresh_from_db()
    assert m.status == Match.Status.IDENTIFIED and not m.events.exists()


def test_a_required_param_is_refused_when_missing(setup):
    w, users, m = setup
    a = _proposed(users, m)
    S.confirm_agreement(users["collector"], a)
    a.refresh_from_db()
    with pytest.raises(S.TransitionError) as e:
        W.apply(a, "operate", users["collector"])
    assert (e.value.status, e.value.code) == (400, "missing_param")
    a.refresh_from_db()
    assert a.status == Agreement.Status.AGREED


def test_every_step_writes_its_audit_row(setup):
    w, users, m = setup
    supplier, receiver = users["collector"], users["recycler"]
    S.express_interest(receiver, m)
    S.accept(receiver, m)
    S.accept(supplier, m)
    a = S.create_agreement(receiver, m, starts_on=dt.date(2025, 1, 1))
    S.confirm_agreement(supplier, a)
    S.mark_operating(supplier, a, starts_on=dt.date(2025, 2, 1))
    S.end_agreement(receiver, a, ends_on=dt.date(2025, 12, 31))
    rows = [
        (e.action, e.from_state, e.to_state, e.user_id, e.params)
        for e in WorkflowEvent.objects.filter(match=m)
    ]
    assert rows == [
        ("interest", "identified", "interested", receiver.pk, {}),
        ("accept", "interested", "interested", receiver.pk, {}),
        ("reveal", "interested", "negotiating", supplier.pk, {}),
        ("agree", "proposed", "agreed", supplier.pk, {}),
        ("agree_match", "negotiating", "agreed", supplier.pk, {}),
        ("operate", "agreed", "operating", supplier.pk, {"starts_on": "2025-02-01"}),
        ("end", "operating", "ended", receiver.pk, {"ends_on": "2025-12-31"}),
    ]
    assert list(a.events.values_list("action", flat=True)) == [
        "agree",
        "agree_match",
        "operate",
        "end",
    ]
    m.refresh_from_db()
    a.refresh_from_db()
    assert m.status == Match.Status.AGREED and a.status == Agreement.Status.ENDED
    assert (a.starts_on, a.ends_on) == (dt.date(2025, 2, 1), dt.date(2025, 12, 31))


def test_a_stale_version_still_conflicts_and_writes_nothing(setup):
    w, users, m = setup
    a = _proposed(users, m)
    a.refresh_from_db()
    read = a.version
    S.confirm_agreement(users["collector"], a, read_version=read)
    events = WorkflowEvent.objects.count()
    for call in (
        lambda: S.end_agreement(users["recycler"], a, read_version=read),
        lambda: S.mark_operating(users["recycler"], a, read_version=read),
        lambda: W.apply(
            Agreement.objects.get(pk=a.pk),
            "end",
            users["recycler"],
            version=read,
            ends_on=dt.date.today(),
        ),
    ):
        with pytest.raises(S.TransitionError) as e:
            call()
        assert (e.value.status, e.value.code) == (409, "stale")
        assert e.value.message == W._stale_message()
    a.refresh_from_db()
    assert a.status == Agreement.Status.AGREED and a.version == read + 1
    assert WorkflowEvent.objects.count() == events
    S.end_agreement(users["recycler"], a, read_version=a.version)
    a.refresh_from_db()
    assert a.status == Agreement.Status.ENDED and a.version == read + 2
