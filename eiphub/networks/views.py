"""Network planning pages: scenarios (list, new, detail, compare, propose), the park
overview, the park water page and the heat study page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eiphub.accounts.scoping import parks_for
from eiphub.jobs.api import redirect_to

from . import services as S
from . import studies as ST
from .forms import HeatStudyForm, ProposeLinkForm, ScenarioForm, WaterStudyForm
from .jobs import enqueue_heat_study, enqueue_scenario, enqueue_water_study
from .models import HeatStudy, WaterStudy


def _park(request, code):
    return get_object_or_404(parks_for(request.user).select_related("province"), code=code)


def _int(value, default=None):
    """An id or a year from a query parameter; a bad one is ``default`` (web/params.py)."""
    from eiphub.web.params import int_param

    return int_param(value, default, 0, 2**62)


@login_required
def index(request):
    qs = S.scenarios_for(request.user)
    parks = parks_for(request.user).order_by("code")
    code = request.GET.get("park") or ""
    if code:
        qs = qs.filter(park__code=code)
    return render(
        request,
        "networks/index.html",
        {
            "scenarios": qs[:200],
            "parks": parks,
            "park_code": code,
            "can_create": S.can_create(request.user),
        },
    )


@login_required
def scenario_create(request):
    if not S.can_create(request.user):
        raise PermissionDenied(_("Only boards, developers and consultants create scenarios."))
    initial = {"name": _("Network plan"), "objective": "benefit"}
    if request.GET.get("park"):
        initial["scope"] = f"park:{request.GET['park']}"
    form = ScenarioForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        park, province = form.scope_objects()
        d = form.cleaned_data
        try:  # solved by a background job (eiphub/jobs); the page shows its progress
            S.check_scenario_scope(request.user, park, province)
            job = enqueue_scenario(
                request.user,
                name=d["name"],
                park=park,
                province=province,
                objective=d["objective"],
                carbon_price_vnd_per_t=d["carbon_price"] or 0.0,
                pareto_points=d["pareto_points"],
                with_sensitivity=d["sensitivity"],
                params={
                    "fixed_cost_vnd_per_year": d["fixed_cost"],
                    "max_distance_km": d["max_distance_km"],
                },
            )
        except S.ScenarioError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            form.add_error(None, exc.message)
        else:
            return redirect_to(job, request)
    return render(request, "networks/scenario_form.html", {"form": form})


@login_required
def scenario_detail(request, pk):
    scenario = get_object_or_404(S.scenarios_for(request.user), pk=pk)
    view = S.ScenarioView(request.user, scenario)
    return render(
        request,
        "networks/scenario_detail.html",
        {
            "s": scenario,
            "v": view,
            "graph": view.graph_spec() if view.links else None,
            "sankey": view.sankey_spec() if view.links else None,
            "pareto": None if view.redacted else view.pareto_spec(),
            "sens": [] if view.redacted else view.sensitivity_rows(),
            "greedy": (scenario.summary or {}).get("greedy"),
        },
    )


@require_POST
@login_required
def scenario_propose(request, pk):
    scenario = get_object_or_404(S.scenarios_for(request.user), pk=pk)
    try:
        form = ProposeLinkForm(request.POST)
        form.is_valid()  # the service resolves the link and refuses unknown keys
        match = S.propose_link(request.user, scenario, form.cleaned_data["link"])
    except S.ScenarioError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("networks:scenario_detail", pk=pk)
    messages.success(
        request, _("Proposed in the exchange workflow as match #%(n)d.") % {"n": match.pk}
    )
    return redirect(reverse("networks:scenario_detail", args=[pk]) + "#links")


@login_required
def compare(request):
    ids = [i for i in (_int(x) for x in request.GET.getlist("id")) if i][:4]
    scenarios = list(S.scenarios_for(request.user).filter(pk__in=ids))
    scenarios.sort(key=lambda s: ids.index(s.pk))
    data = S.compare(request.user, scenarios) if len(scenarios) >= 2 else None
    return render(
        request,
        "networks/compare.html",
        {
            "scenarios": scenarios,
            "data": data,
            "choices": S.scenarios_for(request.user)[:100],
            "ids": ids,
        },
    )


def _latest(qs, request, key):
    pk = _int(request.GET.get(key))
    return (qs.filter(pk=pk).first() if pk else None) or qs.first()


@login_required
def park(request, code):
    park = _park(request, code)
    scenario = S.scenarios_for(request.user).filter(park=park, status="done").first()
    view = S.ScenarioView(request.user, scenario) if scenario else None
    water = WaterStudy.objects.filter(park=park).first()
    current = ST.current_water(park)
    heat = HeatStudy.objects.filter(park=park).first()
    return render(
        request,
        "networks/park.html",
        {
            "park": park,
            "s": scenario,
            "v": view,
            "graph": view.graph_spec() if view and view.links else None,
            "water": water,
            "current": current,
            "w": ST.water_page(water, current),
            "heat": heat,
            "can_create": S.creatable_parks(request.user).filter(pk=park.pk).exists(),
        },
    )


@login_required
def water(request, code):
    park = _park(request, code)
    can_edit = S.creatable_parks(request.user).filter(pk=park.pk).exists()
    form = WaterStudyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only boards, developers and consultants create studies."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d["file"]:
                    procs, source = ST.read_water_upload(d["file"]), WaterStudy.Source.UPLOAD
                else:
                    procs, source = ST.demo_processes(park), WaterStudy.Source.DEMO
                if not procs:
                    raise ST.StudyError(_("The park has no reported freshwater use to build on."))
                job = enqueue_water_study(
                    park,
                    request.user,
                    procs,
                    name=d["name"],
                    inter_plant=d["inter_plant"],
                    freshwater_ppm=d["freshwater_ppm"],
                    source=source,
                )
            except ST.StudyError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect_to(job, request)
    studies = WaterStudy.objects.filter(park=park)
    study = _latest(studies, request, "study")
    years = ST.water_years(park)
    year = _int(request.GET.get("year"))
    current = ST.current_water(park, year if year in years else None)
    return render(
        request,
        "networks/water.html",
        {
            "park": park,
            "form": form,
            "can_edit": can_edit,
            "studies": studies[:30],
            "study": study,
            "current": current,
            "years": years,
            "w": ST.water_page(study, current),
            "redacted": S.is_redacted(request.user),
        },
    )


@login_required
def heat(request, code):
    park = _park(request, code)
    can_edit = S.creatable_parks(request.user).filter(pk=park.pk).exists()
    form = HeatStudyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only boards, developers and consultants create studies."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d["file"]:
                    streams = ST.read_heat_upload(d["file"])
                else:
                    with open(ST.example_path("heat"), "rb") as fh:
                        streams = ST.read_heat_upload(fh)
                job = enqueue_heat_study(
                    park,
                    request.user,
                    streams,
                    name=d["name"],
                    dt_min=d["dt_min"],
                    hours_per_year=d["hours_per_year"],
                    displaced=d["displaced"],
                    efficiency=d["efficiency"],
                )
            except ST.StudyError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect_to(job, request)
    studies = HeatStudy.objects.filter(park=park)
    study = _latest(studies, request, "study")
    return render(
        request,
        "networks/heat.html",
        {
            "park": park,
            "form": form,
            "can_edit": can_edit,
            "studies": studies[:30],
            "study": study,
            "chart": ST.heat_chart(study) if study and study.result.get("matches") else None,
            "redacted": S.is_redacted(request.user),
        },
    )


@login_required
def example(request, kind):
    if kind not in ("water", "heat"):
        raise Http404
    path = ST.example_path(kind)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)
