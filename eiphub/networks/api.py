"""Network scenarios and park water/heat studies in the JSON API (/api/v1/networks/...).

Responses are the same projections as the pages (``services.ScenarioView``): enterprise
users get totals and their own links only."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema, Status
from ninja.errors import HttpError

from eiphub.accounts.scoping import parks_for
from eiphub.registry.models import Park

from . import services as S
from . import studies as ST
from .models import HeatStudy, WaterStudy

router = Router(tags=["networks"])
ID = Path(..., ge=1, le=2**62)


class ScenarioIn(Schema):
    name: str
    park: str | None = None
    province: str | None = None
    objective: str = "benefit"
    carbon_price_vnd_per_t: float = 0.0
    pareto_points: int = 0
    sensitivity: bool = False
    fixed_cost_vnd_per_year: float | None = None
    max_distance_km: float | None = None


class ErrorOut(Schema):
    detail: str


class ProposeIn(Schema):
    link: str


class ProposeOut(Schema):
    match_id: int
    status: str


def _scenario(request, pk):
    return get_object_or_404(S.scenarios_for(request.user), pk=pk)


@router.get("/scenarios", response=list[dict[str, Any]])
def list_scenarios(request, park: str | None = None):
    qs = S.scenarios_for(request.user)
    if park:
        qs = qs.filter(park__code=park)
    return [S.ScenarioView(request.user, s).to_dict() for s in qs[:200]]


@router.get("/scenarios/{scenario_id}", response=dict[str, Any])
def get_scenario(request, scenario_id: int = ID):
    return S.ScenarioView(request.user, _scenario(request, scenario_id)).to_dict()


class QueuedOut(Schema):
    job: int
    status: str
    job_url: str  # GET it (the job's status; its result names the scenario when done)
    page: str  # the job's page in the browser


@router.post(
    "/scenarios",
    response={202: QueuedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def create_scenario(request, body: ScenarioIn):
    """Queue a network scenario (solved as a background job: up to 9 Pareto points and the
    sensitivity runs take minutes).  202 with the job; ``GET /api/v1/jobs/{job}`` follows it
    and its result holds ``scenario`` (the id for ``GET /api/v1/networks/scenarios/{id}``)."""
    from eiphub.jobs.api import url_of

    from .jobs import enqueue_scenario

    user = request.user
    if not S.can_create(user):
        raise HttpError(403, "Only boards, developers and consultants create scenarios.")
    park = province = None
    if body.park:
        park = S.creatable_parks(user).filter(code=body.park).first()
        if park is None:
            raise HttpError(404, "Park not found in your scope.")
    if body.province:
        province = S.creatable_provinces(user).filter(code=body.province).first()
        if province is None:
            raise HttpError(404, "Province not found in your scope.")
    params = {
        k: v
        for k, v in (
            ("fixed_cost_vnd_per_year", body.fixed_cost_vnd_per_year),
            ("max_distance_km", body.max_distance_km),
        )
        if v is not None
    }
    try:
        S.check_scenario_request(
            user, park, province, body.objective, body.carbon_price_vnd_per_t, body.pareto_points
        )
    except S.ScenarioError as exc:
        raise HttpError(exc.status, exc.message) from exc
    job = enqueue_scenario(
        user,
        park=park,
        province=province,
        name=body.name,
        objective=body.objective,
        carbon_price_vnd_per_t=body.carbon_price_vnd_per_t,
        pareto_points=body.pareto_points,
        with_sensitivity=body.sensitivity,
        params=params,
    )
    return Status(
        202,
        {
            "job": job.pk,
            "status": job.status,
            "job_url": f"/api/v1/jobs/{job.pk}",
            "page": url_of(job),
        },
    )


@router.post("/scenarios/{scenario_id}/propose", response=ProposeOut)
def propose(request, body: ProposeIn, scenario_id: int = ID):
    scenario = _scenario(request, scenario_id)
    try:
        match = S.propose_link(request.user, scenario, body.link)
    except S.ScenarioError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return {"match_id": match.pk, "status": match.status}


def _park(request, code) -> Park:
    return get_object_or_404(parks_for(request.user), code=code)


@router.get("/parks/{code}/water", response=dict[str, Any])
def park_water(request, code: str, year: int | None = None):
    park = _park(request, code)
    current = ST.current_water(park, year)
    current.pop("by_enterprise", None)
    study = WaterStudy.objects.filter(park=park).first()
    page = ST.water_page(study, current)
    out = {"park": park.code, "current": current, "study": None}
    if study is not None:
        out["study"] = {
            "id": study.pk,
            "name": study.name,
            "source": study.source,
            "inter_plant": study.inter_plant,
            "freshwater_t_per_h": study.result["freshwater_t_per_h"],
            "no_reuse_freshwater_t_per_h": study.result["no_reuse_freshwater_t_per_h"],
            "pinch_ppm": study.result["pinch_ppm"],
            "target_freshwater_t_per_h": page["target_freshwater_t_per_h"],
            "target_wastewater_t_per_h": page["target_wastewater_t_per_h"],
        }
        if not S.is_redacted(request.user):
            out["study"]["exchanges"] = page["exchanges"]
            out["study"]["flows"] = study.result["flows"]
    return out


@router.get("/parks/{code}/heat", response=dict[str, Any])
def park_heat(request, code: str):
    park = _park(request, code)
    study = HeatStudy.objects.filter(park=park).first()
    if study is None:
        return {"park": park.code, "study": None}
    r = study.result
    out = {
        "id": study.pk,
        "name": study.name,
        "parameters": study.parameters,
        "recovered_kw": r["recovered_kw"],
        "hot_utility_kw": r["hot_utility_kw"],
        "cold_utility_kw": r["cold_utility_kw"],
        "mwh_per_year": r["mwh_per_year"],
        "co2e_t_per_year": r["co2e_t_per_year"],
    }
    if not S.is_redacted(request.user):
        out["matches"] = r["matches"]
    return {"park": park.code, "study": out}
