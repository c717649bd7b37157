"""Exchange pages.  Every listing, match and agreement shown goes through the
projections of services.py (blind unless the viewer may know the party)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import parks_for
from eiphub.core.catalogue import default_catalogue
from eiphub.jobs.api import redirect_to
from eiphub.registry.models import Park, Province
from eiphub.web.concurrency import StaleEdit
from eiphub.web.forms import VersionForm

from . import services as S
from .contract import contract_docx
from .forms import AgreementForm, InvestorForm, ListingForm, NoteForm, RecordForm, RunMatchingForm
from .jobs import enqueue_matching
from .models import Listing, Match
from .negotiation import removed_message
from .pagectx import page_context as _ctx
from .trust import review_context, trust_cards

MATCH_ACTIONS = {
    "interest": S.express_interest,
    "accept": S.accept,
    "decline": S.decline,
}
AGREEMENT_ACTIONS = {
    "confirm": S.confirm_agreement,
    "operating": S.mark_operating,
    "end": S.end_agreement,
}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _own_enterprise(request):
    ent = S.owner_enterprises(request.user).first()
    if ent is None:
        raise PermissionDenied(_("Only enterprise users can publish listings."))
    return ent


@login_required
def listings(request):
    """My listings and the marketplace (published listings, blind unless disclosed)."""
    viewer = S.Viewer(request.user)
    qs = S.listings_visible_to(request.user).select_related("enterprise__park")
    group = request.GET.get("group") or ""
    park = request.GET.get("park") or ""
    kind = request.GET.get("kind") or ""
    tab = request.GET.get("tab") or ("mine" if viewer.own_ids else "market")
    if group:
        qs = qs.filter(resource_code__startswith=group + ".")
    if park:
        qs = qs.filter(enterprise__park__code=park)
    if kind in Listing.Kind.values:
        qs = qs.filter(kind=kind)
    if tab == "mine":
        qs = qs.filter(enterprise__in=viewer.own_ids)
    else:
        qs = qs.exclude(enterprise__in=viewer.own_ids)
    page = Paginator(qs.order_by("-updated", "-pk"), 50).get_page(request.GET.get("page"))
    views = [S.listing_view(viewer, x) for x in page.object_list]
    park_choices = Park.objects.filter(
        enterprises__listings__in=S.listings_visible_to(request.user)
    ).distinct()
    return render(
        request,
        "exchange/listings.html",
        _ctx(
            request,
            views=views,
            page_obj=page,
            tab=tab,
            group=group,
            park=park,
            kind=kind,
            groups=[(k, _(v)) for k, v in S.GROUP_LABELS.items()],
            parks=park_choices,
            is_owner=bool(viewer.own_ids),
        ),
    )


def _listing_form(request, instance):
    form = ListingForm(request.POST or None, instance=instance)
    read_version = (
        VersionForm(request.POST).read() if request.method == "POST" else instance.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            obj = S.save_listing(request.user, form, read_version)
        except StaleEdit as exc:  # changed meanwhile: say so, keep what was typed
            form.add_error(None, exc.message)
            current = Listing.objects.get(pk=instance.pk)
            form.add_error(
                None,
                _(
                    "Your values are kept below. Saving again replaces the other change "
                    "(version %(version)s); the listing's history keeps both."
                )
                % {"version": current.version},
            )
            return render(
                request,
                "exchange/listing_form.html",
                _ctx(request, form=form, obj=instance, version=current.version),
                status=409,
            )
        if obj.status == Listing.Status.PUBLISHED:  # matching runs as a job (eiphub/jobs)
            job = enqueue_matching(obj.enterprise.park, owner=request.user, listing_id=obj.pk)
            return redirect_to(job, request)
        else:
            messages.success(request, _("Saved."))
        return redirect("exchange:listing_detail", pk=obj.pk)
    return render(
        request,
        "exchange/listing_form.html",
        _ctx(request, form=form, obj=instance, version=read_version),
    )


@login_required
def listing_create(request):
    ent = _own_enterprise(request)
    return _listing_form(request, Listing(enterprise=ent))


@login_required
def listing_edit(request, pk):
    obj = get_object_or_404(
        Listing.objects.filter(enterprise__in=S.owner_enterprises(request.user)), pk=pk
    )
    return _listing_form(request, obj)


@login_required
def listing_detail(request, pk):
    viewer = S.Viewer(request.user)
    obj = get_object_or_404(
        S.listings_visible_to(request.user).select_related("enterprise__park"), pk=pk
    )
    view = S.listing_view(viewer, obj)
    matches = []
    if view.level in (S.OWNER, S.FULL):
        qs = S.matches_visible_to(request.user).filter(
            pk__in=(obj.matches_as_offer.all() | obj.matches_as_want.all()).values("pk")
        )
        listed = S.prefetch_latest_agreements(S.match_qs().filter(pk__in=qs.values("pk")))
        matches = [S.match_view(viewer, m) for m in listed]
    revisions = _revision_rows(obj) if view.is_mine else []
    return render(
        request,
        "exchange/listing_detail.html",
        _ctx(request, v=view, matches=matches, revisions=revisions),
    )


_FORM_FIELD = {"resource_code": "resource", "resource_text": "resource", "quality": "quality_spec"}


def _revision_rows(listing, limit: int = 20) -> list[dict]:
    """The owner's view of a listing's edit history: field labels and displayed values."""
    from eiphub.web.templatetags.eip import num

    def shown(field, value):
        if value is None or value == "":
            return "—"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, float):
            return num(value)
        if isinstance(value, (dict, list)):
            return S.quality_text(value) if isinstance(value, dict) else ", ".join(map(str, value))
        return str(value)

    rows: list[dict] = []
    edits = listing.events.filter(action="edit").select_related("user").order_by("-at", "-pk")
    for ev in edits[: limit * 10]:
        try:
            field = next(f for f in Listing._meta.concrete_fields if f.attname == ev.field)
        except StopIteration:
            continue
        form_field = ListingForm.base_fields.get(_FORM_FIELD.get(ev.field, ev.field))
        label = form_field.label if form_field is not None and form_field.label else None
        change = {
            "label": str(label or field.verbose_name).capitalize(),
            "before": shown(field, ev.before),
            "after": shown(field, ev.after),
        }
        if rows and rows[-1]["rev"].version == ev.version and rows[-1]["rev"].at == ev.at:
            rows[-1]["changes"].append(change)
            continue
        if len(rows) == limit:
            break
        rows.append({"rev": ev, "who": ev.user.get_username() if ev.user else "—",
                     "changes": [change]})  # fmt: skip
    return rows


@login_required
def resolve_preview(request):
    """HTMX: the catalogue resource a free-text description resolves to, with
    the resolver's confidence and the alternatives."""
    text = request.GET.get("resource", "")
    cat = default_catalogue()
    found = cat.resolve_candidates(text, unit=request.GET.get("unit") or None)
    res = cat.resolve(text, unit=request.GET.get("unit") or None) if text.strip() else None
    lang = translation.get_language() or "vi"
    alts = [
        {"name": cat.label(c.code, lang), "code": c.code, "pct": round(c.score * 100)}
        for c in found.candidates[1:4]
        if res is None or c.code != res.code
    ]
    return render(
        request,
        "exchange/_resolve.html",
        {
            "res": res,
            "name": res.name(lang) if res else "",
            "text": text,
            "pct": round(found.confidence * 100) if res else None,
            "uncertain": found.uncertain,
            "alts": alts,
        },
    )


@login_required
@require_POST
def from_flows(request):
    ent = _own_enterprise(request)
    out = S.offers_from_flows(ent)
    if not out.listing_ids:
        messages.warning(
            request,
            _("No output flows sent to landfill, treatment or discharge in the last 12 months."),
        )
    else:
        messages.success(
            request,
            _(
                "Offers from your flows: %(c)d created, %(u)d updated, %(n)d unchanged (drafts until "
                "you publish them)."
            )
            % {"c": out.created, "u": out.updated, "n": out.unchanged},
        )
    return redirect(reverse("exchange:listings") + "?tab=mine")


@login_required
def matches(request):
    viewer = S.Viewer(request.user)
    qs = S.match_qs().filter(pk__in=S.matches_visible_to(request.user).values("pk"))
    status = request.GET.get("status") or ""
    if status in Match.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(S.prefetch_latest_agreements(qs.order_by("-score", "pk")), 50).get_page(
        request.GET.get("page")
    )
    views = [S.match_view(viewer, m) for m in page.object_list]
    can_run = S.role_of(request.user) in (Role.BOARD, Role.DEVELOPER, Role.MINISTRY)
    return render(
        request,
        "exchange/matches.html",
        _ctx(
            request,
            views=views,
            page_obj=page,
            status=status,
            statuses=Match.Status.choices,
            can_run=can_run,
            run_parks=parks_for(request.user) if can_run else [],
        ),
    )


@login_required
@require_POST
def run(request):
    """Board, developer or ministry re-runs matching for a park in scope."""
    if S.role_of(request.user) not in (Role.BOARD, Role.DEVELOPER, Role.MINISTRY):
        raise PermissionDenied(_("Only the park's board or developer can run the matching."))
    form = RunMatchingForm(request.POST)
    form.is_valid()  # a park code; the scope lookup refuses anything else
    park = get_object_or_404(parks_for(request.user), code=form.cleaned_data["park"])
    return redirect_to(enqueue_matching(park, owner=request.user), request)


def _visible_match(request, pk):
    return get_object_or_404(
        S.match_qs().filter(pk__in=S.matches_visible_to(request.user).values("pk")), pk=pk
    )


def _match_context(request, m, **kw):
    viewer = S.Viewer(request.user)
    mv = S.match_view(viewer, m)
    hidden = [lst.enterprise for v, lst in ((mv.offer, m.offer), (mv.want, m.want)) if v.blind]
    notes = [
        {
            "side": n.side,
            "kind": n.get_kind_display(),
            "text": S.scrub(n.text, hidden),
            "created": n.created,
            "mine": n.side == mv.side and bool(mv.side),
            "redacted": bool(n.removed),
        }
        for n in m.notes.all()
    ]
    from eiphub.finance.services import match_projects

    finance = match_projects(request.user, m, exact=mv.matched_quantity is not None)
    return _ctx(request, m=mv, notes=notes, finance=finance, trust=trust_cards(viewer, m, mv), **kw)


@login_required
def match_detail(request, pk):
    m = _visible_match(request, pk)
    return render(request, "exchange/match_detail.html", _match_context(request, m))


@login_required
@require_POST
def match_action(request, pk, action):
    m = _visible_match(request, pk)
    error = notice = None
    try:
        if action == "note":
            form = NoteForm(request.POST)
            form.is_valid()  # free text; the service checks and scrubs it
            note = S.add_note(request.user, m, form.cleaned_data["text"])
            if note.redaction.changed:  # tell the sender what was not passed on
                notice = removed_message(note.redaction.kinds)
                if not _is_htmx(request):
                    messages.warning(request, notice)
        elif action in MATCH_ACTIONS:
            MATCH_ACTIONS[action](request.user, m)
        else:
            raise Http404
    except S.TransitionError as exc:
        error = exc.message
        if not _is_htmx(request):
            messages.error(request, exc.message)
    m = _visible_match(request, pk)
    if _is_htmx(request):
        resp = render(
            request,
            "exchange/_match_response.html",
            _match_context(request, m, error=error, notice=notice),
        )
        if error:
            resp.status_code = 200
        return resp
    return redirect("exchange:match_detail", pk=pk)


@login_required
def agreement_create(request, pk):
    m = _visible_match(request, pk)
    viewer = S.Viewer(request.user)
    if not viewer.is_party(m):
        raise PermissionDenied(_("Only the owners of the two listings can act on a match."))
    if not m.revealed:  # the form would show the other side's figures
        messages.error(request, _("Both sides must accept the match before an agreement."))
        return redirect("exchange:match_detail", pk=pk)
    form = AgreementForm(
        request.POST or None,
        initial={
            "quantity_per_year": round(m.matched_quantity, 3),
            "price_vnd_per_unit": m.offer.price_vnd_per_unit if m.offer.unit == m.unit else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            a = S.create_agreement(request.user, m, **form.cleaned_data)
        except S.TransitionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Agreement proposed; the other party is asked to confirm."))
            return redirect("exchange:agreement_detail", pk=a.pk)
    return render(
        request,
        "exchange/agreement_form.html",
        _ctx(request, form=form, m=S.match_view(viewer, m)),
    )


@login_required
def agreements(request):
    viewer = S.Viewer(request.user)
    qs = S.agreements_visible_to(request.user).select_related("supplier", "receiver", "match")
    rows = []
    for a in qs.order_by("-created")[:500]:
        sup, rec = S.party_names(viewer, a)
        rows.append(
            {"a": a, "supplier": sup, "receiver": rec, "resource": S.resource_name(a.resource_code)}
        )
    return render(request, "exchange/agreements.html", _ctx(request, rows=rows))


def _visible_agreement(request, pk):
    return get_object_or_404(
        S.agreements_visible_to(request.user).select_related("supplier", "receiver", "match"),
        pk=pk,
    )


@login_required
def agreement_detail(request, pk):
    a = _visible_agreement(request, pk)
    viewer = S.Viewer(request.user)
    side = viewer.agreement_side(a)
    form = RecordForm(request.POST or None)
    if request.method == "POST":
        if not side:
            raise PermissionDenied(_("Only the two parties can change an agreement."))
        if form.is_valid():
            try:
                S.record_exchange(
                    request.user,
                    a,
                    form.cleaned_data["period"],
                    form.cleaned_data["quantity"],
                    read_version=VersionForm(request.POST).read(),
                )
            except S.TransitionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Exchange recorded; the flows of both parties are updated.")
                )
                return redirect("exchange:agreement_detail", pk=pk)
    sup, rec = S.party_names(viewer, a)
    records = list(a.records.all())
    chart = {
        "kind": "bar",
        "title": _("Realised exchanges"),
        "unit": a.unit,
        "labels": [r.period.strftime("%m/%Y") for r in records],
        "series": [
            {"name": S.resource_name(a.resource_code), "data": [r.quantity for r in records]}
        ],
    }
    return render(
        request,
        "exchange/agreement_detail.html",
        _ctx(
            request,
            a=a,
            side=side,
            supplier=sup,
            receiver=rec,
            resource=S.resource_name(a.resource_code),
            records=records,
            form=form,
            chart=chart,
            my_confirmed=getattr(a, f"{side}_confirmed", False) if side else False,
            **review_context(request.user, a),
        ),
    )


@login_required
@require_POST
def agreement_action(request, pk, action):
    a = _visible_agreement(request, pk)
    if action not in AGREEMENT_ACTIONS:
        raise Http404
    try:
        read_version = VersionForm(request.POST).read()
        AGREEMENT_ACTIONS[action](request.user, a, read_version=read_version)
    except S.TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("exchange:agreement_detail", pk=pk)


@login_required
def contract(request, pk):
    a = _visible_agreement(request, pk)
    data = contract_docx(S.Viewer(request.user), a)
    resp = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    resp["Content-Disposition"] = f'attachment; filename="hop-dong-{a.pk}.docx"'
    return resp


@login_required
def funnel_page(request):
    """Funnel per park and per province over the parks in the user's scope."""
    parks = parks_for(request.user)
    park_code = request.GET.get("park") or ""
    prov_code = request.GET.get("province") or ""
    sel = parks
    title = _("All parks in your scope")
    if park_code:
        p = get_object_or_404(parks, code=park_code)
        sel, title = parks.filter(pk=p.pk), p.name(translation.get_language() or "vi")
    elif prov_code:
        prov = get_object_or_404(
            Province.objects.filter(parks__in=parks).distinct(), code=prov_code
        )
        sel, title = parks.filter(province=prov), prov.name
    counts = S.funnel(sel)
    labels = S.funnel_labels()
    return render(
        request,
        "exchange/funnel.html",
        _ctx(
            request,
            counts=counts,
            stages=[(s, labels[s], counts[s]) for s in S.FUNNEL_STAGES],
            chart=S.funnel_chart(counts, title),
            title=title,
            park_rows=S.funnel_rows(parks, "park"),
            province_rows=S.funnel_rows(parks, "province"),
            parks=parks,
            provinces=Province.objects.filter(parks__in=parks).distinct(),
            park=park_code,
            province=prov_code,
            stage_keys=S.FUNNEL_STAGES,
        ),
    )


@login_required
def investors(request):
    """Unmatched offers by park with the industries that could use them, and a
    ranking of parks for a prospective investor's inputs and outputs."""
    parks = parks_for(request.user)
    unmatched = S.unmatched_offers(parks)
    form = InvestorForm(request.GET or None)
    ranking = None
    if form.is_bound and form.is_valid():
        try:
            ins = S.parse_resource_lines(form.cleaned_data["inputs"])
            outs = S.parse_resource_lines(form.cleaned_data["outputs"])
        except ValueError as exc:
            form.add_error(None, _("Cannot read the line “%(line)s”.") % {"line": str(exc)})
        else:
            if ins or outs:
                ranking = S.rank_parks(ins, outs, Park.objects.all())[:20]
    return render(
        request,
        "exchange/investors.html",
        _ctx(request, unmatched=unmatched, form=form, ranking=ranking),
    )


@login_required
def notifications(request):
    """The exchange's old notification page: its notices are on the notices page."""
    return HttpResponsePermanentRedirect(reverse("notices:list"))


@login_required
def notification_badge(request):
    """The old polling target of the unread count (now the notices app's)."""
    return HttpResponsePermanentRedirect(reverse("notices:badge"))
