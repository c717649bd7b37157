from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from eiphub.accounts.scoping import role_of
from eiphub.web.js_texts import JS_TEXTS

# (url name, label, roles that see it; None = every signed-in user)
NAV = [
    ("web:dashboard", _("Dashboard"), None),
    ("registry:park_list", _("Parks"), None),
    ("flows:entry", _("Data entry"), {"enterprise", "developer", "board", "consultant"}),
    ("flows:import", _("Import"), {"enterprise", "developer", "board", "consultant"}),
    ("flows:checks", _("Figures to check"), {"board", "developer", "ministry"}),
    ("exchange:listings", _("Exchange"), None),
    ("reports:scorecards", _("Eco-criteria"), None),
    ("recp:measures", _("RECP"), None),
    (
        "finance:pipeline",
        _("Projects"),
        {"board", "developer", "consultant", "ministry", "enterprise"},
    ),
    ("networks:index", _("Networks"), {"board", "developer", "consultant", "ministry"}),
    (
        "monitoring:board",
        _("Monitoring"),
        {"board", "developer", "consultant", "ministry", "enterprise"},
    ),
    ("programme:readiness", _("Programme"), {"board", "ministry"}),
]


def navigation(request):
    """Template context shared by every page: navigation, languages, the user's role and the
    texts of app.js (``js_texts``, rendered by base.html as the ``eiphub-i18n`` JSON block)."""
    user = getattr(request, "user", None)
    role = role_of(user)
    items = []
    if user is not None and user.is_authenticated:
        for name, label, roles in NAV:
            if roles is not None and role not in roles and not user.is_superuser:
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            items.append((url, label, request.path.startswith(url) and url != "/"))
    return {
        "LANGUAGES_AVAILABLE": settings.LANGUAGES,
        "user_role": role,
        "nav_items": items,
        "illustrative_data": getattr(settings, "EIPHUB_ILLUSTRATIVE", True),
        "js_texts": JS_TEXTS,
    }


def csp(request):
    """``csp_nonce``: this request's script nonce (ContentSecurityPolicyMiddleware)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
