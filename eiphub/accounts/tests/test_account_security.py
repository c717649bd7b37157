"""Accounts (issue 18, finding 7): throttling and lockout, password reset by e-mail, idle
session timeout, demo credentials only in the demo."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings

from eiphub.accounts.models import Role
from eiphub.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _login(c, username, password):
    return c.post("/accounts/login/", {"username": username, "password": password})


def test_wrong_passwords_lock_the_account_even_for_the_right_one():
    make_user("alice", Role.BOARD)
    c = Client()
    for _ in range(settings.EIPHUB_LOGIN_MAX_FAILURES):
        assert _login(c, "alice", "wrong").status_code == 200
    resp = _login(c, "alice", PASSWORD)
    assert resp.status_code == 200 and "_auth_user_id" not in c.session
    assert "Too many failed logins" in resp.content.decode()
    cache.clear()  # the window has passed
    assert _login(Client(), "alice", PASSWORD).status_code == 302


def test_a_success_resets_the_counter():
    make_user("bob", Role.BOARD)
    c = Client()
    for _ in range(settings.EIPHUB_LOGIN_MAX_FAILURES - 1):
        _login(c, "bob", "wrong")
    assert _login(c, "bob", PASSWORD).status_code == 302
    c.logout()
    assert _login(c, "bob", "wrong").status_code == 200
    assert _login(c, "bob", PASSWORD).status_code == 302


def test_password_reset_by_email():
    user = make_user("carol", Role.ENTERPRISE)
    user.email = "carol@example.vn"
    user.save()
    resp = Client().post("/accounts/password-reset/", {"email": "carol@example.vn"})
    assert resp.status_code == 302 and len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    c = Client()
    form = c.get(link, follow=True)
    assert form.status_code == 200
    done = c.post(form.redirect_chain[-1][0], {"new_password1": "N3w-pass-phrase!",
                                                "new_password2": "N3w-pass-phrase!"})  # fmt: skip
    assert done.status_code == 302
    assert _login(Client(), "carol", "N3w-pass-phrase!").status_code == 302


def test_reset_pages_in_vietnamese():
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "Đặt lại mật khẩu" in c.get("/accounts/password-reset/").content.decode()


def test_idle_timeout_and_renewal(monkeypatch):
    """A session idle for longer than SESSION_COOKIE_AGE is ended; activity renews it, with
    a session write at most once per EIPHUB_SESSION_TOUCH_S (not on every request)."""
    from django.contrib.sessions.models import Session

    from eiphub.accounts import idle

    assert settings.SESSION_COOKIE_AGE <= 60 * 60 and not settings.SESSION_SAVE_EVERY_REQUEST
    clock = [1_800_000_000]
    monkeypatch.setattr(idle.time, "time", lambda: clock[0])
    user = make_user("idle_dev", Role.DEVELOPER)
    c = Client()
    c.force_login(user)

    def expiry():
        return Session.objects.get(session_key=c.session.session_key).expire_date

    assert c.get("/dashboard/").status_code == 200  # first view: "seen" recorded (one write)
    first = expiry()
    clock[0] += 20
    assert c.get("/dashboard/").status_code == 200
    assert expiry() == first  # 20 s later: no session write
    clock[0] += settings.EIPHUB_SESSION_TOUCH_S
    assert c.get("/dashboard/").status_code == 200
    assert expiry() > first  # a minute later: renewed
    assert c.session[idle.SEEN] == clock[0]
    # 29 minutes idle: still signed in
    clock[0] += settings.SESSION_COOKIE_AGE - 60
    assert c.get("/dashboard/").status_code == 200 and c.session.get("_auth_user_id")
    # then more than the idle limit without a request: signed out
    clock[0] += settings.SESSION_COOKIE_AGE + 1
    resp = c.get("/dashboard/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_a_failed_write_writes_nothing_and_reads_need_no_transaction(monkeypatch):
    """Writes run in one transaction per request (an exception rolls everything back);
    reads run outside a transaction (issue 9)."""
    from django.db import connection
    from django.test import RequestFactory

    from eiphub.registry.models import Province
    from eiphub.web.middleware import WriteTransactionMiddleware

    mw = WriteTransactionMiddleware(lambda r: None)
    outside = len(connection.savepoint_ids)  # the test's own transaction may be open
    seen = {}

    def writing_view(request):
        Province.objects.create(code="ZZ", name="Tỉnh thử")
        seen["depth"] = len(connection.savepoint_ids) if connection.in_atomic_block else 0
        raise RuntimeError("boom after the write")

    rf = RequestFactory()
    with pytest.raises(RuntimeError):
        mw.process_view(rf.post("/x/"), writing_view, (), {})
    assert not Province.objects.filter(code="ZZ").exists()  # rolled back
    assert seen["depth"] == outside + 1  # the view ran inside its own transaction (savepoint)
    # a read is not wrapped: the middleware lets Django call the view as is
    assert mw.process_view(rf.get("/x/"), writing_view, (), {}) is None
    assert settings.MIDDLEWARE[-1] == "eiphub.web.middleware.WriteTransactionMiddleware"
    assert not settings.DATABASES["default"]["ATOMIC_REQUESTS"]


def test_demo_credentials_only_in_the_demo():
    with override_settings(EIPHUB_DEMO=False, DEBUG=True):
        assert "Demo accounts" not in Client().get("/accounts/login/?lang=en").content.decode()
    with override_settings(EIPHUB_DEMO=True):
        c = Client()
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        assert "Demo accounts" in c.get("/accounts/login/").content.decode()
