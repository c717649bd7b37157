from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from eiphub.accounts.scoping import enterprises_for, enterprises_writable_by

from . import plausibility as plaus
from .forms import EntryPageForm
from .grid import GridForm, build_rows, parse_month, previous_month, save_grid
from .models import FlowRevision


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@login_required
def entry(request):
    """The monthly grid: every resource of one enterprise and month, saved at once."""
    enterprises = enterprises_writable_by(request.user).order_by("name_vi")
    first = enterprises.first()
    if first is None:
        raise PermissionDenied(_("You may not enter data for any enterprise."))
    page = EntryPageForm(request.POST if request.method == "POST" else request.GET)
    page.is_valid()  # optional texts; unknown enterprises and months fall back below
    src = page.cleaned_data
    ent_id = _int(src["enterprise"])
    ent = enterprises.filter(pk=ent_id).first() if ent_id else None
    ent = ent or first
    period = parse_month(src["month"])
    extra = []
    add = src["add_resource"] if request.method == "POST" else None
    if add:
        extra = [(add, src["add_direction"] or "in", "", "")]
    rows = build_rows(ent, period, extra=extra)
    copy_last = request.GET.get("copy") == "1"
    form = GridForm(request.POST or None, rows=rows, copy_last=copy_last)
    warnings = []
    if request.method == "POST" and form.is_valid():
        hist = plaus.load_history([ent.pk])
        month = form.month_values()
        found = plaus.month_warnings(hist, ent.pk, period, month)
        warnings = [plaus.phrase(w) for w in found]
        by_key = {}
        for w in found:
            by_key.setdefault((w.resource_code, w.direction), []).append(plaus.phrase(w))
        for row in rows:
            row.warnings = by_key.get((row.resource_code, row.direction), [])
        if add and not form.changes():
            pass  # the new row is shown; nothing to save yet
        elif warnings and not form.cleaned_data.get("confirm_warnings"):
            messages.warning(request, _("Some figures look unusual. Check them, then confirm."))
        else:
            n = save_grid(form, ent, period, request.user)
            if not form.errors:
                messages.success(request, _("Saved: %(n)s records changed.") % {"n": n})
                return redirect(f"{request.path}?enterprise={ent.pk}&month={period:%Y-%m}")
    revisions = FlowRevision.objects.filter(enterprise_id=ent.pk, period=period).select_related(
        "user"
    )[:50]
    return render(
        request,
        "flows/entry.html",
        {
            "form": form,
            "rows": rows,
            "ent": ent,
            "enterprises": enterprises,
            "period": period,
            "last_period": previous_month(period),
            "warnings": warnings,
            "revisions": revisions,
            "copy_last": copy_last,
        },
    )


@login_required
def checks(request):
    """The board's list of unusual figures of a month (plausibility checks)."""
    from eiphub.accounts.scoping import parks_for

    if not enterprises_for(request.user).exists():
        raise PermissionDenied(_("You may not see enterprises' figures."))
    parks = parks_for(request.user).order_by("code")
    code = request.GET.get("park") or ""
    park = get_object_or_404(parks, code=code) if code else parks.first()
    if park is None:
        raise PermissionDenied(_("You may not see any park."))
    period = parse_month(request.GET.get("month"))
    ents = enterprises_for(request.user).filter(park=park)
    rows = plaus.board_checks(ents, period)
    return render(
        request,
        "flows/checks.html",
        {"parks": parks, "park": park, "period": period, "rows": rows},
    )
