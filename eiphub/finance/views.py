"""Pages: the programme pipeline, project sheets (create/edit, stage moves, verification,
exports) and the abatement curve per park or province."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import (
    can_verify_benefits,
    enterprises_writable_by,
    parks_for,
    project_parks_writable_by,
    projects_for,
    projects_writable_by,
    role_of,
)
from eiphub.registry.models import Province
from eiphub.web.concurrency import StaleEdit, claim_version
from eiphub.web.forms import VersionForm
from eiphub.web.params import id_param

from . import documents
from . import services as S
from .documents import sheet_context
from .forms import ProjectForm, SourceForm, StageForm, VerifyForm
from .models import FUNNEL, Project, Stage


def _lang() -> str:
    return "en" if (translation.get_language() or "vi").startswith("en") else "vi"


def _scope(request):
    """(projects, parks, province, park) of the page's filters within the user's scope."""
    parks = parks_for(request.user)
    projects = projects_for(request.user)
    province = park = None
    code = (request.GET.get("park") or "").strip()[:40]
    if code:
        park = parks.filter(code=code).first()
        if park is None:
            raise Http404
        projects = projects.filter(park=park)
    pcode = (request.GET.get("province") or "").strip()[:40]
    if pcode and park is None:
        province = Province.objects.filter(code=pcode, parks__in=parks).distinct().first()
        if province is None:
            raise Http404
        projects = projects.filter(park__province=province)
    return projects, parks, province, park


@login_required
def pipeline(request):
    projects, parks, province, park = _scope(request)
    summary = S.pipeline_summary(projects=projects)
    provinces_tot, nation = S.area_totals(summary)
    prov_names = dict(Province.objects.filter(pk__in=provinces_tot).values_list("pk", "name"))
    rows = sorted(summary.values(), key=lambda r: r["park_code"])
    for r in [*rows, *provinces_tot.values(), nation]:
        r["cells"] = [r["counts"][s] for s in FUNNEL]
    lst = projects.select_related("park", "enterprise").order_by("park__code", "stage", "title")
    return render(
        request,
        "finance/pipeline.html",
        {
            "rows": rows,
            "province_rows": [
                {"name": prov_names.get(k, "—"), **v} for k, v in sorted(provinces_tot.items())
            ],
            "nation": nation,
            "funnel": FUNNEL,
            "stages": [(s, Stage(s).label) for s in FUNNEL],
            "chart": S.funnel_chart(nation, _("Programme funnel")),
            "projects": lst,
            "province": province,
            "park": park,
            "provinces": Province.objects.filter(parks__in=parks).distinct().order_by("name"),
            "parks": parks.order_by("code"),
            "can_create": project_parks_writable_by(request.user).exists(),
        },
    )


def _project(request, pk):
    return get_object_or_404(
        projects_for(request.user).select_related("park__province", "enterprise"), pk=pk
    )


@login_required
def project_detail(request, pk):
    p = _project(request, pk)
    writable = projects_writable_by(request.user).filter(pk=p.pk).exists()
    ctx = sheet_context(p, _lang())
    ctx.update(
        writable=writable,
        stage_form=StageForm(stages=S.next_stages(p), initial={"on": timezone.localdate()})
        if writable
        else None,
        can_verify=can_verify_benefits(request.user) and not p.benefits_verified,
        verify_form=VerifyForm(),
        chart=_cash_chart(ctx),
    )
    return render(request, "finance/project_detail.html", ctx)


def _cash_chart(ctx) -> dict | None:
    a = ctx["a"]
    if a is None:
        return None
    cum, acc, rate = [], 0.0, ctx["p"].discount_rate
    for t, cf in enumerate(a.cashflows):
        acc += cf / (1 + rate) ** t
        cum.append(round(acc))
    return {
        "kind": "bar",
        "unit": "VND",
        "decimals": 0,
        "labels": [str(t) for t in range(len(a.cashflows))],
        "series": [
            {"name": _("Cash flow"), "data": [round(x) for x in a.cashflows]},
            {"name": _("Cumulative discounted cash flow"), "data": cum},
        ],
    }


SOURCES = {
    "match": ("exchange.Match", S.draft_from_match),
    "agreement": ("exchange.Agreement", S.draft_from_agreement),
    "measure": ("recp.Measure", S.draft_from_measure),
    "scenario": ("networks.Scenario", S.draft_from_scenario),
}


def _source_draft(request) -> dict:
    """The draft of a project built from the record named by ?from=kind&id=N, only when the
    user may see that record in full (a blind match gives no draft)."""
    posted_kind, posted_id = SourceForm(request.POST).source()
    kind = request.GET.get("from") or posted_kind or ""
    pk = id_param(request.GET.get("id") or posted_id or None)
    if kind not in SOURCES or pk is None:
        return {}
    if kind == "match":
        from eiphub.exchange import services as X

        m = get_object_or_404(X.matches_visible_to(request.user), pk=pk)
        if X.match_view(X.Viewer(request.user), m).matched_quantity is None:
            raise PermissionDenied(_("The match is still blind for you."))
        return S.draft_from_match(m)
    if kind == "agreement":
        from eiphub.exchange import services as X

        return S.draft_from_agreement(
            get_object_or_404(X.agreements_visible_to(request.user), pk=pk)
        )
    if kind == "measure":
        from eiphub.accounts.scoping import enterprise_records_for
        from eiphub.recp.models import Measure

        m = get_object_or_404(
            Measure.objects.filter(enterprise__in=enterprise_records_for(request.user)), pk=pk
        )
        return S.draft_from_measure(m)
    from eiphub.networks.services import scenarios_for

    s = get_object_or_404(scenarios_for(request.user).filter(park__isnull=False), pk=pk)
    return S.draft_from_scenario(s)


LINKS = ("source", "match", "agreement", "measure", "scenario", "resources_saved")


@login_required
def project_create(request):
    parks = project_parks_writable_by(request.user)
    if not parks.exists():
        raise PermissionDenied(_("You cannot open project sheets."))
    draft = _source_draft(request)
    mine = enterprises_writable_by(request.user).first()
    if draft and role_of(request.user) == Role.ENTERPRISE and mine is not None:
        # an enterprise's sheet is its own, whichever side of the exchange it is on
        draft = draft | {"enterprise": mine, "park": mine.park}
    if draft and not parks.filter(pk=draft["park"].pk).exists():
        raise PermissionDenied(_("You cannot open project sheets in this park."))
    return _form(request, None, parks, draft)


@login_required
def project_edit(request, pk):
    p = _project(request, pk)
    if not projects_writable_by(request.user).filter(pk=p.pk).exists():
        raise PermissionDenied(_("You cannot change this project."))
    return _form(request, p, project_parks_writable_by(request.user), {})


def _form(request, p, parks, draft):
    ents = enterprises_writable_by(request.user).filter(park__in=parks)
    own = role_of(request.user) == Role.ENTERPRISE
    kw = {"parks": parks, "enterprises": ents, "evidence_choices": S.evidence_choices(_lang())}
    links = {k: draft[k] for k in LINKS if k in draft}
    if request.method == "POST":
        form = ProjectForm(request.POST, instance=p, **kw)
        if own:
            form.fields["enterprise"].required = True
        if form.is_valid():
            try:
                with transaction.atomic():
                    if p is None:
                        obj = form.save(commit=False)
                        fields = {f.name: getattr(obj, f.name) for f in Project._meta.fields
                                  if f.name not in ("id", "created", "updated")}  # fmt: skip
                        fields.update(links)
                        fields.pop("owner", None)
                        obj = S.create_project(request.user, **fields)
                    else:
                        version = claim_version(Project, p.pk, VersionForm(request.POST).read())
                        obj = form.save(commit=False)
                        obj.version = version
                        obj.save()
            except StaleEdit as exc:
                form.add_error(None, exc.message)
                return render(request, "finance/project_form.html",
                              {"form": form, "p": p}, status=409)  # fmt: skip
            messages.success(request, _("Project sheet saved."))
            return redirect("finance:project_detail", obj.pk)
    else:
        initial = {k: v for k, v in draft.items() if k not in LINKS}
        form = ProjectForm(instance=p, initial=initial, **kw)
        if own:
            form.fields["enterprise"].required = True
    return render(
        request,
        "finance/project_form.html",
        {"form": form, "p": p, "from": request.GET.get("from", ""),
         "from_id": request.GET.get("id", ""), "draft": bool(draft)},
    )  # fmt: skip


@login_required
@require_POST
def project_stage(request, pk):
    p = _project(request, pk)
    if not projects_writable_by(request.user).filter(pk=p.pk).exists():
        raise PermissionDenied(_("You cannot change this project."))
    form = StageForm(request.POST, stages=S.next_stages(p))
    if not form.is_valid():
        messages.error(request, _("Choose a stage and a date."))
        return redirect("finance:project_detail", p.pk)
    try:
        S.move(p, form.cleaned_data["stage"], request.user, form.cleaned_data["on"],
               form.cleaned_data["reason"])  # fmt: skip
    except S.StageError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Stage changed."))
    return redirect("finance:project_detail", p.pk)


@login_required
@require_POST
def project_verify(request, pk):
    p = _project(request, pk)
    if not can_verify_benefits(request.user):
        raise PermissionDenied(_("Only a management board or a consultant verifies benefits."))
    form = VerifyForm(request.POST)
    if form.is_valid():
        S.verify_benefits(p, request.user, form.cleaned_data["note"])
        messages.success(request, _("Benefits marked verified."))
    else:
        messages.error(request, _("Say which records were checked."))
    return redirect("finance:project_detail", p.pk)


@login_required
def project_export(request, pk, fmt):
    p = _project(request, pk)
    if fmt not in documents.MAKERS:
        raise Http404
    lang = (
        "en" if request.GET.get("lang") == "en" else ("vi" if request.GET.get("lang") else _lang())
    )
    content, mime, name = documents.export(p, fmt, lang)
    resp = HttpResponse(content, content_type=mime)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@login_required
def macc_page(request):
    projects, parks, province, park = _scope(request)
    rows, unplaced = S.macc_rows(projects.select_related("park", "enterprise"))
    where = park.name_vi if park else (province.name if province else _("all parks you see"))
    return render(
        request,
        "finance/macc.html",
        {
            "rows": rows,
            "unplaced": unplaced,
            "chart": S.macc_chart(
                rows, _("Marginal abatement cost curve: %(where)s") % {"where": where}
            ),
            "total_abatement": sum(r["abatement"] for r in rows),
            "negative_abatement": sum(r["abatement"] for r in rows if r["cost"] < 0),
            "province": province,
            "park": park,
            "provinces": Province.objects.filter(parks__in=parks).distinct().order_by("name"),
            "parks": parks.order_by("code"),
        },
    )


@login_required
def programmes(request):
    from eiphub.core.green_finance import installed_packs

    lang = _lang()
    packs = [
        {"pack": p, "title": p.title(lang),
         "criteria": [{"c": c, "name": c.name(lang),
                       "evidence": p.evidence_label(c.params.get("evidence", ""), lang)}
                      for c in p.criteria]}
        for p in installed_packs().values()
    ]  # fmt: skip
    return render(request, "finance/programmes.html", {"packs": packs})
