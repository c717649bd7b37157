"""Marketplace pages of issue 17: search (list and map), saved searches, a listing's
evidence (waste codes, logistics, expiry, attachments) and its completion by a
facilitator.  Listings are shown through the blind projection of services.py; who may
see attachments is decided in attachments.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from eiphub.accounts.models import Role
from eiphub.core.quality import parse_quality, quality_text
from eiphub.web.numbers import LocaleFloatField
from eiphub.web.validation import validate_quantity

from . import attachments as A
from . import search as Q
from . import services as S
from .forms import EvidencePageForm
from .models import Listing, ListingAttachment, ListingEvidence, SavedSearch
from .pagectx import page_context as _ctx

MAX_SAVED = 50


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_l("Name of the search"), max_length=100)
    alerts = forms.BooleanField(label=_l("Alert me when a new listing fits"), required=False)


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = ListingEvidence
        fields = [
            "ctnh_code",
            "ewc_code",
            "logistics",
            "expires_on",
            "partial",
            "facilitator_may_edit",
        ]
        labels = {
            "ctnh_code": _l("Hazardous-waste code (mã CTNH)"),
            "ewc_code": _l("European Waste Catalogue code (EWC)"),
            "logistics": _l("Logistics"),
            "expires_on": _l("Listing expires on"),
            "partial": _l("Partial listing (details still missing)"),
            "facilitator_may_edit": _l("The park's board or consultant may complete it"),
        }
        help_texts = {
            "ctnh_code": _l(
                "Circular 02/2022/TT-BTNMT, Appendix III; only codes the platform's catalogue "
                "cites are accepted."
            ),
            "ewc_code": _l("Filled from the CTNH code when left empty."),
        }
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, facilitator=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logistics"].choices = [("", _("Not stated"))] + list(
            ListingEvidence.Logistics.choices
        )
        if facilitator:  # the permission is the owner's to give
            del self.fields["facilitator_may_edit"]


class CompletionForm(forms.Form):
    """What a facilitator may fill in on a partial listing besides its evidence."""

    quantity = LocaleFloatField(
        label=_l("Quantity"), required=False, validators=[validate_quantity], min_value=0.000001
    )
    available_from = forms.DateField(
        label=_l("Available from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    available_to = forms.DateField(
        label=_l("Available until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    quality_spec = forms.CharField(
        label=_l("Quality specifications"), required=False, max_length=500
    )

    def __init__(self, *args, listing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.listing = listing
        if listing is not None and not self.is_bound:
            self.initial = {
                "quantity": listing.quantity,
                "available_from": listing.available_from,
                "available_to": listing.available_to,
                "quality_spec": quality_text(listing.quality or {}),
            }

    def clean(self):
        data = super().clean()
        a, b = data.get("available_from"), data.get("available_to")
        if a and b and b < a:
            self.add_error("available_to", _("The end of availability is before its start."))
        try:
            data["quality"] = parse_quality(data.get("quality_spec", ""), self.listing.kind)
        except ValueError as exc:
            self.add_error(
                "quality_spec",
                _("Cannot read “%(part)s”; write e.g. “moisture_pct<=15”.")
                % {"part": getattr(exc, "part", str(exc))},
            )
        return data


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_l("Kind"), choices=ListingAttachment.Kind.choices)
    file = forms.FileField(
        label=_l("File"),
        help_text=_l("JPEG or PNG photo, or a PDF; at most 5 MB. Photo metadata is removed."),
    )


# --------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------


@login_required
def search_page(request):
    form = Q.SearchForm(request.GET or None)
    outcome = None
    points = []
    if form.is_bound and form.is_valid():
        outcome = Q.run_search(request.user, form.cleaned_data)
        points = Q.map_points(outcome.results)
    elif not form.is_bound:
        outcome = Q.run_search(request.user, {})
        points = Q.map_points(outcome.results)
    params = Q.params_of(form) if form.is_bound and form.is_valid() else {}
    return render(
        request,
        "exchange/search.html",
        _ctx(
            request,
            form=form,
            outcome=outcome,
            points=points,
            save_form=SaveSearchForm(initial={"name": params.get("q", ""), "alerts": True}),
            query=urlencode(params),
            has_params=bool(params),
        ),
    )


@login_required
def saved_searches(request):
    mine = SavedSearch.objects.filter(user=request.user)
    if request.method == "POST":
        if S.role_of(request.user) == Role.PUBLIC:
            raise PermissionDenied
        search_form = Q.SearchForm(request.POST)
        save_form = SaveSearchForm(request.POST)
        if search_form.is_valid() and save_form.is_valid():
            if mine.count() >= MAX_SAVED:
                messages.error(
                    request,
                    _("You have %(n)d saved searches; delete one first.") % {"n": MAX_SAVED},
                )
            else:
                SavedSearch.objects.create(
                    user=request.user,
                    name=save_form.cleaned_data["name"],
                    params=Q.params_of(search_form),
                    alerts=save_form.cleaned_data["alerts"],
                )
                messages.success(request, _("Search saved."))
            return redirect("exchange:saved_searches")
        messages.error(request, _("The search could not be saved; check the filters."))
    rows = [
        {
            "s": s,
            "url": reverse("exchange:search") + "?" + urlencode(s.params),
            "summary": _summary(s.params),
        }
        for s in mine
    ]
    return render(request, "exchange/saved_searches.html", _ctx(request, rows=rows))


def _summary(params: dict) -> str:
    """The saved filters in words (labels of the search form)."""
    form = Q.form_of(params)
    parts = []
    if not form.is_valid():
        return ""
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        field = form.fields[name]
        shown = value
        if hasattr(field, "choices"):
            shown = dict((str(k), v) for k, v in field.choices).get(str(value), value)
        elif hasattr(value, "isoformat"):
            from django.utils.formats import date_format

            shown = date_format(value, "SHORT_DATE_FORMAT")
        parts.append(f"{field.label}: {shown}")
    return " · ".join(str(p) for p in parts)


@login_required
@require_POST
def saved_search_delete(request, pk):
    s = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    s.delete()
    messages.success(request, _("Saved search deleted."))
    return redirect("exchange:saved_searches")


# --------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------


def _listing_for_evidence(request, pk):
    """The owner's listing, or (for a facilitator) a listing of a park in scope."""
    obj = get_object_or_404(Listing.objects.select_related("enterprise__park"), pk=pk)
    if A.is_owner(request.user, obj):
        return obj, False
    if A.may_facilitate(request.user, obj):
        ev = A.evidence_of(obj)
        if ev.pk and ev.partial and ev.facilitator_may_edit:
            return obj, True
        raise PermissionDenied(
            _("The owner has not allowed facilitators to complete this listing.")
        )
    raise Http404


@login_required
def listing_evidence(request, pk):
    obj, facilitator = _listing_for_evidence(request, pk)
    ev = A.evidence_of(obj)
    sent = EvidencePageForm(request.POST if request.method == "POST" else None)
    form = EvidenceForm(
        request.POST if sent.sent("evidence") else None,
        # a detached copy: the form's validation must not touch the listing's evidence
        instance=ListingEvidence(
            **{f: getattr(ev, f) for f in A.EVIDENCE_FIELDS + ("facilitator_may_edit",)}
        ),
        facilitator=facilitator,
    )
    upload = AttachmentForm(
        request.POST if sent.sent("upload") else None,
        request.FILES or None,
    )
    completion = None
    if facilitator:
        completion = CompletionForm(
            request.POST if sent.sent("evidence") else None,
            listing=obj,
        )
    complete_ok = completion is None or not completion.is_bound or completion.is_valid()
    if request.method == "POST" and form.is_bound and form.is_valid() and complete_ok:
        try:
            if completion is not None:  # before the evidence: that may end "partial"
                A.complete_listing(
                    request.user,
                    obj,
                    {k: completion.cleaned_data.get(k) for k in A.COMPLETION_FIELDS},
                )
            A.update_evidence(
                request.user, obj, dict(form.cleaned_data), as_facilitator=facilitator
            )
        except A.EvidenceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            if facilitator:  # a completed listing is no longer theirs to edit
                return redirect("exchange:listing_detail", pk=obj.pk)
            return redirect("exchange:listing_evidence", pk=obj.pk)
    if request.method == "POST" and upload.is_bound and not facilitator:
        if upload.is_valid():
            try:
                A.add_attachment(
                    request.user, obj, upload.cleaned_data["kind"], upload.cleaned_data["file"]
                )
            except A.EvidenceError as exc:
                upload.add_error("file", exc.message)
            else:
                messages.success(request, _("Attachment added."))
                return redirect("exchange:listing_evidence", pk=obj.pk)
    v = S.listing_view(S.Viewer(request.user), obj)
    return render(
        request,
        "exchange/listing_evidence.html",
        _ctx(
            request,
            v=v,
            form=form,
            completion=completion,
            upload=None if facilitator else upload,
            facilitator=facilitator,
            attachments=list(obj.attachments.all()) if not facilitator else [],
            events=_events(obj),
        ),
    )


def _events(listing):
    """The listing's history in words: field labels, choice labels, dates in the locale."""
    labels = {
        "edit": _("changed by the owner"),
        "facilitate": _("completed by a facilitator"),
        "attach": _("attachment added"),
        "detach": _("attachment removed"),
        "expire": _("closed at expiry"),
    }
    fields = dict(EvidenceForm.Meta.labels) | {
        "quantity": _("Quantity"),
        "available_from": _("Available from"),
        "available_to": _("Available until"),
        "quality": _("Quality specifications"),
        "attachment": _("Attachments"),
        "status": _("Status"),
    }
    return [
        {
            "at": e.at,
            "what": labels.get(e.action, e.action),
            "field": str(fields.get(e.field, e.field)),
            "before": _shown(e.field, e.before),
            "after": _shown(e.field, e.after),
        }
        for e in listing.events.all()
    ]


def _shown(field: str, value) -> str:
    import datetime as dt

    from django.utils.formats import date_format

    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "quality" and isinstance(value, dict):
        return quality_text(value) or "—"
    if field in ("available_from", "available_to"):
        field = "expires_on"  # a date
    if field == "quantity" and isinstance(value, int | float):
        from eiphub.web.templatetags.eip import num

        return num(value)
    if isinstance(value, dict):  # an attachment: its kind
        return str(dict(ListingAttachment.Kind.choices).get(value.get("kind"), "—"))
    if field == "logistics":
        return str(dict(ListingEvidence.Logistics.choices).get(value, value))
    if field == "status":
        return str(dict(Listing.Status.choices).get(value, value))
    if field == "expires_on":
        try:
            return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


@login_required
@require_POST
def listing_renew(request, pk):
    obj = get_object_or_404(
        Listing.objects.filter(enterprise__in=S.owner_enterprises(request.user)), pk=pk
    )
    ev = A.renew(request.user, obj)
    from django.utils.formats import date_format

    messages.success(
        request,
        _("Listing renewed until %(date)s.")
        % {"date": date_format(ev.expires_on, "SHORT_DATE_FORMAT")},
    )
    return redirect("exchange:listing_detail", pk=obj.pk)


@login_required
def attachment(request, pk):
    """The file, to viewers who may know the firm; 404 to everyone else (a blind viewer
    cannot tell a hidden attachment from a missing one)."""
    att = get_object_or_404(
        ListingAttachment.objects.select_related("listing__enterprise__park"), pk=pk
    )
    visible = S.listings_visible_to(request.user).filter(pk=att.listing_id).exists()
    if not visible or not A.may_see_files(S.Viewer(request.user), att.listing):
        raise Http404
    resp = FileResponse(att.file.open("rb"), content_type=att.content_type)
    # a neutral name: the uploaded one may carry the firm's name
    resp["Content-Disposition"] = (
        f'inline; filename="{att.kind}-{att.pk}{A.EXTENSIONS[att.content_type]}"'
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
@require_POST
def attachment_delete(request, pk):
    att = get_object_or_404(
        ListingAttachment.objects.filter(listing__enterprise__in=S.owner_enterprises(request.user)),
        pk=pk,
    )
    listing_pk = att.listing_id
    A.delete_attachment(request.user, att)
    messages.success(request, _("Attachment removed."))
    return redirect("exchange:listing_evidence", pk=listing_pk)
