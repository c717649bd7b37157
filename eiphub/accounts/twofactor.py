"""TOTP two-factor authentication for the ministry and board roles (issue 18, finding 7).

After a password login, a user of a role in ``REQUIRED_ROLES`` must enter a code from an
authenticator app (``accounts/totp.py``) before any page is served: the middleware sends
an unverified session to the verify page (or to the enrolment page when the user has no
secret yet) and treats it as anonymous on the API, so only API tokens work there.  The
session records the verified user's id; login and logout clear it.  Wrong codes count
towards the login throttle (``accounts/throttle.py``) under a separate key.  The whole
requirement is switched by ``EIPHUB_REQUIRE_2FA`` (default True).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import throttle, totp
from .models import Profile, Role

REQUIRED_ROLES = {Role.MINISTRY, Role.BOARD}
SESSION_KEY = "eiphub_2fa_user"
EXEMPT_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/2fa/", "/i18n/")


def required() -> bool:
    return bool(getattr(settings, "EIPHUB_REQUIRE_2FA", True))


def _profile(user):
    return Profile.objects.filter(user=user).first()


def needs_verification(request) -> bool:
    """A session-authenticated user of a required role whose session is not verified."""
    user = getattr(request, "user", None)
    if not required() or user is None or not user.is_authenticated:
        return False
    if request.session.get(SESSION_KEY) == user.pk:
        return False
    profile = _profile(user)
    return profile is not None and profile.role in REQUIRED_ROLES


@receiver(user_logged_in)
def _clear_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


class TwoFactorMiddleware:
    """Every page redirects an unverified ministry/board session to the verify step."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        static = getattr(settings, "STATIC_URL", "/static/") or "/static/"
        if path.startswith(EXEMPT_PREFIXES) or path.startswith(static):
            return self.get_response(request)
        if needs_verification(request):
            if path.startswith("/api/"):
                # the session does not count; API tokens (Bearer / X-API-Key) still do
                request.user = AnonymousUser()
                return self.get_response(request)
            if request.headers.get("HX-Request"):
                # a page fragment (the notification badge): nothing to swap in (htmx
                # leaves the target alone on 204), never the verify page inside a page
                return HttpResponse(status=204)
            return redirect(f"/accounts/2fa/verify/?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class NextForm(forms.Form):
    """Where to go after the code is accepted (checked to stay on this site)."""

    next = forms.CharField(required=False, strip=False)


def _next(request) -> str:
    posted = NextForm(request.POST)
    posted.is_valid()
    nxt = posted.cleaned_data["next"] or request.GET.get("next") or "/"
    ok = url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure())
    return nxt if ok else "/"


def check_code(request, profile, code: str) -> str | None:
    """None when ``code`` is accepted (and its step consumed), else an error message."""
    user_key = f"totp:{request.user.username}"
    address = throttle.client_address(request)
    if throttle.locked(user_key, address):
        return _("Too many failed logins. Try again in %(minutes)s minutes.") % {
            "minutes": max(1, throttle._window() // 60)
        }
    step = totp.match_step(profile.totp_secret, code)
    # consume the step atomically: a code (or an earlier one) is never accepted twice
    if step is not None and Profile.objects.filter(pk=profile.pk, totp_last_step__lt=step).update(
        totp_last_step=step
    ):
        throttle.record_success(user_key, address)
        return None
    throttle.record_failure(user_key, address)
    return _("The code is wrong or was already used.")


@login_required
def verify(request):
    profile = _profile(request.user)
    if profile is None or profile.role not in REQUIRED_ROLES or not required():
        return redirect(_next(request))
    if not profile.totp_secret:
        return redirect(f"/accounts/2fa/setup/?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = check_code(request, profile, form.cleaned_data["code"])
        if error is None:
            request.session.cycle_key()
            request.session[SESSION_KEY] = request.user.pk
            return redirect(_next(request))
        form.add_error("code", error)
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": _next(request)})


@login_required
def setup(request):
    """Enrolment: show the secret and its otpauth:// URI; a correct code confirms it.

    A user who is already enrolled must verify first (the middleware sends an unverified
    session to the verify page instead, see ``verify``), so enrolment cannot replace a
    secret without the old one."""
    profile = _profile(request.user)
    if profile is None or profile.role not in REQUIRED_ROLES:
        raise PermissionDenied  # the other roles are never asked for a code
    if profile.totp_secret and needs_verification(request):
        return redirect(f"/accounts/2fa/verify/?{urlencode({'next': _next(request)})}")
    pending = request.session.get("eiphub_2fa_pending") or totp.new_secret()
    request.session["eiphub_2fa_pending"] = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.match_step(pending, form.cleaned_data["code"]) is not None:
            step = totp.match_step(pending, form.cleaned_data["code"])
            Profile.objects.filter(pk=profile.pk).update(totp_secret=pending, totp_last_step=step)
            request.session.pop("eiphub_2fa_pending", None)
            request.session.cycle_key()
            request.session[SESSION_KEY] = request.user.pk
            return redirect(_next(request))
        form.add_error("code", _("The code is wrong or was already used."))
    return render(
        request,
        "accounts/2fa_setup.html",
        {
            "form": form,
            "secret": pending,
            "uri": totp.otpauth_uri(pending, request.user.username),
            "enrolled": bool(profile.totp_secret),
            "next": _next(request),
        },
    )
