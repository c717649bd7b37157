"""TOTP two-factor authentication for ministry and board users (issue 18, finding 7).

The suite runs with EIPHUB_REQUIRE_2FA False (conftest); these tests switch it on."""

import base64
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from eiphub.accounts import totp
from eiphub.accounts.models import ApiToken, Profile, Role
from eiphub.testing import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_require_2fa")]
SECRET = totp.DEMO_SECRET


@pytest.fixture
def _require_2fa():
    cache.clear()
    with override_settings(EIPHUB_REQUIRE_2FA=True):
        yield
    cache.clear()


def _user(name, role, secret=SECRET):
    user = make_user(name, role)
    Profile.objects.filter(user=user).update(totp_secret=secret)
    return user


def _password_login(name):
    c = Client()
    resp = c.post("/accounts/login/", {"username": name, "password": PASSWORD, "next": "/parks/"})
    assert resp.status_code == 302
    return c, resp


# --- the algorithm (RFC 6238 appendix B, SHA-1 vectors; 8 digits there, 6 here) ---


def test_rfc6238_vectors():
    secret = base64.b32encode(b"12345678901234567890").decode()
    for t, expected in [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ]:
        assert totp.hotp(secret, totp.step_at(t), digits=8) == expected
    assert totp.code_at(secret, 59) == "287082"  # 6 digits: the last six


def test_window_is_one_step_either_side():
    t = 1_000_000_020.0
    now = totp.step_at(t)
    assert totp.match_step(SECRET, totp.hotp(SECRET, now - 1), t) == now - 1
    assert totp.match_step(SECRET, totp.hotp(SECRET, now + 1), t) == now + 1
    assert totp.match_step(SECRET, totp.hotp(SECRET, now + 2), t) is None
    assert totp.match_step(SECRET, totp.hotp(SECRET, now - 2), t) is None
    assert totp.match_step(SECRET, "12a456", t) is None


# --- the web flow ---


@pytest.mark.parametrize("role", [Role.MINISTRY, Role.BOARD])
def test_password_login_leads_to_the_verify_step_and_a_code_opens_the_pages(role):
    _user("mina", role)
    c, resp = _password_login("mina")
    # the login redirects to /parks/, which sends the unverified session to the verify step
    page = c.get(resp["Location"])
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/verify/")
    for url in ("/", "/dashboard/", "/accounts/tokens/"):
        assert c.get(url)["Location"].startswith("/accounts/2fa/verify/?next="), url
    assert c.get("/api/v1/me").status_code == 401  # the session does not count on the API
    # a page fragment (htmx: the notification badge) gets no page, not the verify form
    fragment = c.get("/accounts/tokens/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 204 and fragment.content == b""
    form = c.get(page["Location"])
    assert form.status_code == 200 and b'name="code"' in form.content
    resp = c.post(page["Location"], {"code": totp.code_at(SECRET), "next": "/parks/"})
    assert resp.status_code == 302 and resp["Location"] == "/parks/"
    assert c.get("/parks/").status_code == 200
    assert c.get("/api/v1/me").status_code == 200


def test_wrong_code_is_refused():
    _user("mina", Role.MINISTRY)
    c, _resp = _password_login("mina")
    good = totp.code_at(SECRET)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    resp = c.post("/accounts/2fa/verify/", {"code": wrong})
    assert resp.status_code == 200 and b"The code is wrong" in resp.content
    assert c.get("/parks/").status_code == 302


def test_a_code_is_not_accepted_twice():
    _user("mina", Role.BOARD)
    code = totp.code_at(SECRET)
    c1, _ = _password_login("mina")
    assert c1.post("/accounts/2fa/verify/", {"code": code}).status_code == 302
    assert c1.get("/parks/").status_code == 200
    # another session replays the same code within the same step: refused
    c2, _ = _password_login("mina")
    resp = c2.post("/accounts/2fa/verify/", {"code": code})
    assert resp.status_code == 200 and b"already used" in resp.content
    assert c2.get("/parks/").status_code == 302


def test_wrong_codes_are_throttled():
    _user("mina", Role.MINISTRY)
    c, _ = _password_login("mina")
    good = totp.code_at(SECRET)
    wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        c.post("/accounts/2fa/verify/", {"code": wrong})
    resp = c.post("/accounts/2fa/verify/", {"code": good})
    assert resp.status_code == 200 and b"Too many failed" in resp.content
    assert c.get("/parks/").status_code == 302


def test_logout_and_a_new_login_clear_the_verification():
    _user("mina", Role.MINISTRY)
    c, _ = _password_login("mina")
    c.post("/accounts/2fa/verify/", {"code": totp.code_at(SECRET)})
    assert c.get("/parks/").status_code == 200
    c.post("/accounts/logout/")
    c.post("/accounts/login/", {"username": "mina", "password": PASSWORD})
    assert c.get("/parks/").status_code == 302  # verify again


@pytest.mark.parametrize("role", [Role.DEVELOPER, Role.ENTERPRISE, Role.CONSULTANT, Role.PUBLIC])
def test_other_roles_are_not_asked(role):
    make_user("ed", role)
    c, _ = _password_login("ed")
    assert c.get("/accounts/tokens/").status_code == 200


def test_api_tokens_are_unaffected():
    user = _user("mina", Role.MINISTRY)
    _token, key = ApiToken.issue(user)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # a token works even alongside an unverified session
    c, _ = _password_login("mina")
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_requirement_off_lets_sessions_through():
    _user("mina", Role.MINISTRY)
    with override_settings(EIPHUB_REQUIRE_2FA=False):
        c, _ = _password_login("mina")
        assert c.get("/parks/").status_code == 200


def test_enrolment_shows_the_secret_and_uri_and_a_code_confirms_it():
    user = _user("newb", Role.BOARD, secret="")
    c, _ = _password_login("newb")
    resp = c.get("/parks/", follow=True)
    assert resp.redirect_chain[-1][0].startswith("/accounts/2fa/setup/")
    secret = c.session["eiphub_2fa_pending"]
    body = resp.content.decode()
    assert secret in body and f"otpauth://totp/EIP%20Hub%3Anewb?secret={secret}" in body
    wrong = f"{(int(totp.code_at(secret)) + 1) % 1_000_000:06d}"
    assert c.post("/accounts/2fa/setup/", {"code": wrong}).status_code == 200
    assert Profile.objects.get(user=user).totp_secret == ""
    assert c.post("/accounts/2fa/setup/", {"code": totp.code_at(secret)}).status_code == 302
    assert Profile.objects.get(user=user).totp_secret == secret
    assert c.get("/parks/").status_code == 200


def test_an_enrolled_unverified_session_cannot_replace_the_secret():
    _user("mina", Role.MINISTRY)
    c, _ = _password_login("mina")
    resp = c.get("/accounts/2fa/setup/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/2fa/verify/")


def test_totp_code_command_only_in_the_demo(capsys):
    _user("mina", Role.MINISTRY)
    with override_settings(EIPHUB_DEMO=False, DEBUG=False):
        with pytest.raises(CommandError):
            call_command("totp_code", "mina")
    with override_settings(EIPHUB_DEMO=True):
        before = totp.code_at(SECRET)
        call_command("totp_code", "mina")
        printed = capsys.readouterr().out.strip()
        assert printed in {before, totp.code_at(SECRET, time.time())}


def test_demo_ministry_and_board_are_enrolled_with_the_documented_secret(capsys):
    import datetime as dt

    from eiphub.registry.demo import DEMO_PASSWORD, load_demo

    load_demo(months=2, today=dt.date(2025, 7, 15))
    secrets = dict(Profile.objects.values_list("user__username", "totp_secret"))
    assert secrets["ministry"] == secrets["board"] == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert not any(secrets[n] for n in ("developer", "enterprise", "consultant"))
    c = Client()
    c.post("/accounts/login/", {"username": "ministry", "password": DEMO_PASSWORD})
    assert c.get("/parks/").status_code == 302
    with override_settings(EIPHUB_DEMO=True):
        call_command("totp_code", "ministry")
    code = capsys.readouterr().out.strip()
    assert c.post("/accounts/2fa/verify/", {"code": code}).status_code == 302
    assert c.get("/parks/").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_login_asks_for_the_code_in_vietnamese(live_server):
    from eiphub.testing.browser import SHOTS, chromium, new_page

    _user("mina", Role.MINISTRY)
    Profile.objects.filter(user__username="mina").update(language="vi")
    with chromium() as browser:
        page = new_page(browser)
        page.context.add_cookies(
            [{"name": "django_language", "value": "vi", "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "mina")
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url("**/accounts/2fa/verify/**")
        assert "Xác thực hai lớp" in page.content()
        page.wait_for_timeout(500)  # the notification badge has loaded by now
        assert page.locator("h1.auth__title").count() == 1  # no page inside the page
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "totp_verify.png"))
        page.fill("input[name=code]", totp.code_at(SECRET))
        page.press("input[name=code]", "Enter")
        page.wait_for_url(lambda url: "/accounts/" not in url)
        assert not page.console_errors, page.console_errors
