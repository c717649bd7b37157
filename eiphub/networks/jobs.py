"""Network planning work done by the background workers: optimised scenarios (up to
9 Pareto points and sensitivity runs, each with a solver time limit) and water/heat
studies.  The request validates the form and parses the upload; the job solves and
stores, and its result links to the scenario or study page."""

from __future__ import annotations

from dataclasses import asdict

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.jobs.api import JobError, enqueue, job_kind
from eiphub.registry.models import Park, Province
from eiphub.symbiosis.heat import HeatStream
from eiphub.symbiosis.water import WaterProcess

from . import services as S
from . import studies as ST
from .models import Scenario


def enqueue_scenario(user, *, park=None, province=None, **fields):
    """``fields``: run_scenario's keywords (name, objective, carbon_price_vnd_per_t,
    pareto_points, with_sensitivity, params)."""
    params = {
        "park_id": park.pk if park else None,
        "province_id": province.pk if province else None,
        **fields,
    }
    return enqueue("networks.scenario", params=params, owner=user, park=park)


@job_kind("networks.scenario", label=gettext_lazy("Network scenario"))
def scenario(job, *, park_id=None, province_id=None, **fields):
    park = Park.objects.get(pk=park_id) if park_id else None
    province = Province.objects.get(pk=province_id) if province_id else None
    job.report(0, 1)
    try:
        sc = S.run_scenario(job.owner, park=park, province=province, **fields)
    except S.ScenarioError as exc:
        raise JobError("message", message=str(exc.message)) from exc
    job.report(1, 1)
    url = reverse("networks:scenario_detail", args=[sc.pk])
    if sc.status == Scenario.Status.DONE:
        return {"scenario": sc.pk, "url": url, "message": _("Scenario solved.")}
    return {
        "scenario": sc.pk,
        "url": url,
        "level": "error",
        "message": _("No feasible network: %(m)s") % {"m": sc.message},
    }


def enqueue_water_study(park, user, processes: list[WaterProcess], **fields):
    params = {"park_id": park.pk, "processes": [asdict(p) for p in processes], **fields}
    return enqueue("networks.water_study", params=params, owner=user, park=park)


@job_kind("networks.water_study", label=gettext_lazy("Water study"))
def water_study(job, *, park_id, processes, **fields):
    park = Park.objects.get(pk=park_id)
    try:
        study = ST.run_water_study(
            park, job.owner, [WaterProcess(**p) for p in processes], **fields
        )
    except ST.StudyError as exc:
        raise JobError("message", message=str(exc.message)) from exc
    return {
        "study": study.pk,
        "url": reverse("networks:water", args=[park.code]) + f"?study={study.pk}",
        "message": _("Water study computed."),
    }


def enqueue_heat_study(park, user, streams: list[HeatStream], **fields):
    params = {"park_id": park.pk, "streams": [asdict(s) for s in streams], **fields}
    return enqueue("networks.heat_study", params=params, owner=user, park=park)


@job_kind("networks.heat_study", label=gettext_lazy("Heat study"))
def heat_study(job, *, park_id, streams, **fields):
    park = Park.objects.get(pk=park_id)
    try:
        study = ST.run_heat_study(park, job.owner, [HeatStream(**s) for s in streams], **fields)
    except ST.StudyError as exc:
        raise JobError("message", message=str(exc.message)) from exc
    return {
        "study": study.pk,
        "url": reverse("networks:heat", args=[park.code]) + f"?study={study.pk}",
        "message": _("Heat study computed."),
    }
