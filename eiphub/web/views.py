from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from eiphub.accounts.scoping import parks_for, role_of


def home(request):
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    return redirect("registry:park_list")


@login_required
def dashboard(request):
    """Role dashboard: the parks in the user's scope at a glance."""
    parks = (
        parks_for(request.user)
        .select_related("province")
        .annotate(n_enterprises=Count("enterprises", distinct=True))
    )
    return render(
        request,
        "web/dashboard.html",
        {"parks": parks, "role": role_of(request.user)},
    )
