from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


def home(request):
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    return redirect("registry:park_list")


@login_required
def dashboard(request):
    """Role dashboard (ministry/board: territory, developer: its park, enterprise: own
    performance against anonymised peers, consultant: assigned parks); built in
    eiphub.recp.dashboards with a fixed number of queries."""
    from eiphub.recp.dashboards import for_request

    template, context = for_request(request)
    return render(request, template, context)
