from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .models import ApiToken

DEMO_LOGINS = ["ministry", "board", "developer", "enterprise", "consultant"]


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if getattr(settings, "EIPHUB_SHOW_DEMO_LOGINS", settings.DEBUG):
            ctx["demo_logins"] = DEMO_LOGINS
            ctx["demo_password"] = "demo"
        return ctx


@login_required
def tokens(request):
    """Issue and revoke API tokens for machine clients."""
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            ApiToken.objects.filter(user=request.user, pk=request.POST["revoke"]).delete()
            messages.info(request, _("Token revoked."))
            return redirect("accounts:tokens")
        _token, new_key = ApiToken.issue(request.user, request.POST.get("name") or "api")
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": request.user.api_tokens.all(), "new_key": new_key},
    )
