from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import throttle
from .forms import TokenForm
from .models import ApiToken

DEMO_LOGINS = [
    "ministry",
    "board",
    "developer",
    "enterprise",
    "consultant",
    "preparer",
    "approver",
]


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing a username or address locked out by failed attempts."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request) if self.request else "?"
        if throttle.locked(username, address):
            raise ValidationError(
                _("Too many failed logins. Try again in %(minutes)s minutes.")
                % {"minutes": max(1, throttle._window() // 60)},
                code="locked",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.record_success(username, address)
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = ThrottledAuthenticationForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Demo credentials only in the demo (EIPHUB_DEMO=1, set by `eiphub demo`).
        if getattr(settings, "EIPHUB_DEMO", False):
            ctx["demo_logins"] = DEMO_LOGINS
            ctx["demo_password"] = "demo"
        return ctx


@login_required
def tokens(request):
    """Issue and revoke API tokens for machine clients."""
    new_key = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        form.is_valid()  # optional texts
        if form.cleaned_data["revoke"] is not None:
            ApiToken.objects.filter(user=request.user, pk=form.cleaned_data["revoke"]).delete()
            messages.info(request, _("Token revoked."))
            return redirect("accounts:tokens")
        _token, new_key = ApiToken.issue(request.user, form.cleaned_data["name"] or "api")
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": request.user.api_tokens.all(), "new_key": new_key},
    )
