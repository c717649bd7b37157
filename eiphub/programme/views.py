"""Programme pages: the readiness ranking (ministry, provincial boards), a park's investor
opportunities and its investment-promotion sheet, and the prospective-investor form.

Every figure comes from the stored result of the ``programme.readiness`` job
(``services.stored_result``); nothing is computed in the request but the ranking of
parks for a prospective investor from the stored open supply and demand (a few hundred
rows per park)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eiphub.accounts.scoping import can_run_readiness, can_see_readiness, parks_for
from eiphub.core.readiness import COMPONENTS
from eiphub.jobs.api import redirect_to
from eiphub.registry.models import Park

from . import phrases
from . import services as S
from .forms import ProspectForm
from .prospect import rank_prospect


def _lang() -> str:
    return (translation.get_language() or "vi").split("-")[0]


@login_required
def readiness(request):
    if not can_see_readiness(request.user):
        raise PermissionDenied
    result, fresh = S.stored_result()
    visible = {p.code: p for p in parks_for(request.user).select_related("province")}
    rows, groups = [], []
    group_filter = request.GET.get("group", "")
    if result:
        for s in result["parks"]:
            park = visible.get(s["code"])
            if park is None:
                continue
            if group_filter and s["group"] != group_filter:
                continue
            rows.append({**s, "park": park, "inputs": result["inputs"].get(s["code"], {})})
        shown = {s["group"] for s in result["parks"] if s["code"] in visible}
        groups = [g for g in result["groups"] if g["key"] in shown]
    chart = None
    if rows:
        weights = result["weights"]
        chart = {
            "kind": "stacked",
            "title": _("Readiness score by component (points of 100)"),
            "unit": "",
            "labels": [f"{r['rank']}. {r['code']}" for r in rows],
            "series": [
                {
                    "name": phrases.component(c),
                    "data": [round(weights[c] * r["components"][c] * 100, 1) for r in rows],
                }
                for c in COMPONENTS
            ],
            "horizontal": True,
        }
    return render(
        request,
        "programme/readiness.html",
        {
            "chart": chart,
            "chart_height": 120 + 34 * len(rows),
            "result": result,
            "fresh": fresh,
            "rows": rows,
            "groups": groups,
            "group_filter": group_filter,
            "components": COMPONENTS,
            "can_run": can_run_readiness(request.user),
            "running": S.active_job(),
            "lang": _lang(),
        },
    )


@login_required
@require_POST
def recompute(request):
    if not can_run_readiness(request.user):
        raise PermissionDenied
    return redirect_to(S.enqueue_readiness(request.user), request)


def _park_context(request, code):
    park = get_object_or_404(parks_for(request.user).select_related("province"), code=code)
    result, fresh = S.stored_result()
    score = None
    opps = []
    group = None
    if result:
        score = next((s for s in result["parks"] if s["code"] == code), None)
        opps = result["opportunities"].get(code, [])
        if score:
            group = next((g for g in result["groups"] if g["key"] == score["group"]), None)
    return park, result, fresh, score, opps, group


@login_required
def park_investors(request, code):
    park, result, fresh, score, opps, group = _park_context(request, code)
    return render(
        request,
        "programme/park_investors.html",
        {
            "park": park,
            "result": result,
            "fresh": fresh,
            "score": score,
            "opportunities": opps,
            "group": group,
            "show_readiness": can_see_readiness(request.user),
            "components": COMPONENTS,
            "lang": _lang(),
        },
    )


@login_required
def sheet(request, code, fmt):
    if fmt not in ("pdf", "docx"):
        raise Http404
    from .documents import CONTENT_TYPES, promotion_docx, promotion_pdf

    park, result, fresh, score, opps, group = _park_context(request, code)
    lang = request.GET.get("lang") or _lang()
    if lang not in ("vi", "en"):
        lang = "vi"
    maker = promotion_pdf if fmt == "pdf" else promotion_docx
    data = maker(park, result, fresh, opps, lang)
    resp = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="investment-{park.code}-{lang}.{fmt}"'
    return resp


@login_required
def prospect(request):
    form = ProspectForm(request.GET or None)
    ranking = None
    result, fresh = S.stored_result()
    if form.is_bound and form.is_valid() and result:
        visible = set(parks_for(request.user).values_list("code", flat=True))
        names = {p.code: p.name(_lang()) for p in Park.objects.all()}
        ranking = rank_prospect(result, form.cleaned_data["inputs"], form.cleaned_data["outputs"])[
            :20
        ]
        for r in ranking:
            r["name"] = names.get(r["park"], r["park"])
            r["visible"] = r["park"] in visible
    return render(
        request,
        "programme/prospect.html",
        {"form": form, "ranking": ranking, "result": result, "fresh": fresh},
    )
