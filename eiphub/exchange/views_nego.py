"""Pages of issue 17: the licensed-handler directory and its import, and the trust
records of agreements.  Negotiation messages go through the match pages
(views.match_action -> services.add_note -> negotiation.relay)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eiphub.accounts.scoping import may_import_handler_lists, may_read_handler_directory
from eiphub.core import licences as lic
from eiphub.jobs.api import redirect_to

from . import services as S
from . import trust
from .forms_nego import HandlerImportForm, HandlerSearchForm, ReviewForm
from .handlers import ACTIVITY_LABELS, STATE_LABELS, read_handler_file
from .jobs_nego import enqueue_handler_import
from .models import AgreementReview, HandlerLicence
from .pagectx import page_context as _ctx


def _row(h: HandlerLicence, today: dt.date) -> dict:
    state = h.state(today)
    return {
        "h": h,
        "state": state,
        "state_label": STATE_LABELS[state],
        "activities": ", ".join(
            str(ACTIVITY_LABELS[a]) for a in h.activities if a in ACTIVITY_LABELS
        ),
        "codes": ", ".join(h.waste_codes),
    }


@login_required
def handlers(request):
    """The directory of licensed collectors, transporters and treatment or recycling firms."""
    if not may_read_handler_directory(request.user):
        raise PermissionDenied
    form = HandlerSearchForm(request.GET or None)
    qs = HandlerLicence.objects.all()
    today = dt.date.today()
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            cond = Q(holder_name__icontains=q) | Q(licence_number__icontains=q)
            code = lic.normalise_waste_code(q)
            if code:  # a licence of a chapter or group covers the codes under it
                ids = [
                    pk
                    for pk, codes in HandlerLicence.objects.values_list("pk", "waste_codes")
                    if lic.covers(codes or (), code)
                ]
                cond |= Q(pk__in=ids)
            qs = qs.filter(cond)
        state = form.cleaned_data["state"]
        if state == lic.EXPIRED:
            qs = qs.filter(valid_to__lt=today)
        elif state == lic.NOT_YET:
            qs = qs.filter(valid_from__gt=today)
        elif state == lic.VALID:
            qs = qs.filter(valid_to__gte=today).filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=today)
            )
    page = Paginator(qs.order_by("holder_name", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/handlers.html",
        _ctx(
            request,
            form=form,
            page_obj=page,
            rows=[_row(h, today) for h in page.object_list],
            can_import=may_import_handler_lists(request.user),
        ),
    )


@login_required
def handlers_import(request):
    """Board or ministry loads the authority's published list: the file is read here
    (errors name the file, row and field), the rows are written by a job."""
    if not may_import_handler_lists(request.user):
        raise PermissionDenied(_("Only the park's board or the ministry can import licence lists."))
    form = HandlerImportForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        rows, issues = read_handler_file(upload, upload.name)
        if rows and not issues:
            return redirect_to(
                enqueue_handler_import(rows, upload.name, owner=request.user), request
            )
        if rows:
            messages.warning(
                request,
                _("%(n)d rows are valid; correct the rows below and upload the file again.")
                % {"n": len(rows)},
            )
    return render(
        request,
        "exchange/handlers_import.html",
        _ctx(request, form=form, issues=[str(i) for i in issues]),
    )


@login_required
@require_POST
def agreement_review(request, pk):
    a = get_object_or_404(S.agreements_visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The record could not be saved."))
        return redirect("exchange:agreement_detail", pk=pk)
    try:
        trust.record_review(request.user, a, **form.cleaned_data)
    except S.TransitionError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your record of this agreement is saved."))
    return redirect("exchange:agreement_detail", pk=pk)


__all__ = ["AgreementReview", "agreement_review", "handlers", "handlers_import"]
