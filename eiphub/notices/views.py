from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .events import PREFERENCE_EVENTS
from .forms import PreferencesForm
from .models import Notice, NoticePreference
from .services import unread_count


@login_required
def notice_list(request):
    qs = Notice.objects.filter(user=request.user)
    if request.method == "POST":
        qs.filter(read=False).update(read=True)
        return redirect("notices:list")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "notices/list.html", {"page_obj": page, "unread": unread_count(request.user)}
    )


@login_required
def badge(request):
    """HTMX polling target: the unread count."""
    return render(request, "exchange/_badge.html", {"unread": unread_count(request.user)})


@login_required
def preferences(request):
    current = {
        p.event: (p.in_app, p.email)
        for p in NoticePreference.objects.filter(user=request.user, event__in=PREFERENCE_EVENTS)
    }
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        for event, (in_app, email) in form.values().items():
            NoticePreference.objects.update_or_create(
                user=request.user, event=event, defaults={"in_app": in_app, "email": email}
            )
        messages.success(request, _("Your notice preferences were saved."))
        return redirect("notices:preferences")
    return render(request, "notices/preferences.html", {"form": form})
