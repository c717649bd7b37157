"""`eiphub createuser`: users with a role and a scope, clear errors otherwise."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from eiphub.accounts.scoping import enterprises_for, parks_for
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("createuser", *args, stdout=out)
    return out.getvalue()


def test_board_user_sees_its_province_parks():
    w = make_world(with_flows=False)
    assert "board1" in run("board1", "--role", "board", "--province", "P1", "--password", "s3cret")
    user = authenticate(username="board1", password="s3cret")
    assert user is not None and user.profile.role == "board"
    assert set(parks_for(user)) == {w.k1, w.k2}


def test_enterprise_developer_and_consultant_scopes():
    w = make_world(with_flows=False)
    run("ent1", "--role", "enterprise", "--enterprise", w.e1.tax_code, "--password", "x")
    run("dev1", "--role", "developer", "--organization", "dev one", "--password", "x")
    run("cons1", "--role", "consultant", "--park", "K2", "--park", "K3", "--password", "x")
    ent = authenticate(username="ent1", password="x")
    assert list(enterprises_for(ent)) == [w.e1]
    assert set(parks_for(authenticate(username="dev1", password="x"))) == {w.k1}
    assert set(parks_for(authenticate(username="cons1", password="x"))) == {w.k2, w.k3}


def test_superuser_flag_gives_admin_access():
    make_world(with_flows=False)
    run("root", "--role", "ministry", "--password", "x", "--superuser")
    user = authenticate(username="root", password="x")
    assert user.is_superuser and user.is_staff and user.profile.role == "ministry"


@pytest.mark.parametrize(
    "args, message",
    [
        (["b", "--role", "board"], "--province"),
        (["b", "--role", "board", "--province", "XX"], "No province with code “XX”"),
        (["d", "--role", "developer"], "--organization"),
        (["d", "--role", "developer", "--organization", "Nobody"], "No organisation named"),
        (["e", "--role", "enterprise"], "--enterprise"),
        (
            ["e", "--role", "enterprise", "--enterprise", "0000000000"],
            "No enterprise with tax code",
        ),
        (["c", "--role", "consultant"], "--park"),
        (["c", "--role", "consultant", "--park", "NOPE"], "No park with code “NOPE”"),
        (["u_board", "--role", "board", "--province", "P1"], "already exists"),
    ],
)
def test_clear_errors(args, message):
    make_world(with_flows=False)
    with pytest.raises(CommandError, match=message):
        run(*args, "--password", "x")


def test_developer_must_name_a_developer_organisation():
    w = make_world(with_flows=False)
    w.d1.kind = "consultant"
    w.d1.save()
    with pytest.raises(CommandError, match="not a park developer"):
        run("d", "--role", "developer", "--organization", "Dev One", "--password", "x")


def test_unknown_role_is_rejected():
    make_world(with_flows=False)
    with pytest.raises(CommandError, match="invalid choice"):
        run("z", "--role", "king", "--password", "x")


def test_missing_password_without_terminal_is_an_error(monkeypatch):
    make_world(with_flows=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--password"):
        run("m", "--role", "ministry")
