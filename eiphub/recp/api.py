"""RECP measures, programme roll-up and park GHG inventory in the JSON API."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema
from ninja import Status as Reply
from ninja.errors import HttpError

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import (
    enterprise_records_for,
    enterprises_for,
    enterprises_writable_by,
    parks_for,
    role_of,
)
from eiphub.core import bounds
from eiphub.core.catalogue import default_catalogue
from eiphub.core.rollup import rollup_sentence
from eiphub.web.validation import message

from . import services
from .models import Measure, Practice, Status

router = Router(tags=["recp"])


class MeasureOut(Schema):
    id: int
    enterprise_id: int
    park: str
    title: str
    practice: str
    status: str
    identified_on: date | None
    implemented_on: date | None
    investment_vnd: float
    savings: dict[str, float]
    savings_vnd_per_year: float
    simple_payback_years: float | None
    co2e_t_per_year: float | None
    assessed_by: str


class MeasureIn(Schema):
    enterprise_id: int
    title: str
    practice: str
    status: str = "identified"
    identified_on: date | None = None
    implemented_on: date | None = None
    investment_vnd: float = 0
    savings: dict[str, float] = {}
    savings_vnd_per_year: float = 0
    co2e_t_per_year: float | None = None
    assessed_by: str = ""
    notes: str = ""


class ErrorOut(Schema):
    field: str
    detail: str


class RollupOut(Schema):
    sentence_vi: str
    sentence_en: str
    enterprises_in_scope: int
    enterprises_engaged: int
    enterprises_implementing: int
    recp_share: float | None
    measures_identified: int
    measures_implemented: int
    measures_by_status: dict[str, int]
    investment_vnd: float
    savings_vnd_per_year: float
    savings_by_resource: dict[str, float]
    energy_saved_gj: float
    water_saved_m3: float
    materials_saved_t: float
    waste_reduced_t: float
    co2e_t_per_year: float
    symbioses_operating: int
    symbiosis_benefits_vnd_per_year: float
    parks: list[dict]
    records: dict[str, list[str]]
    warnings: list[str]


class GapOut(Schema):
    code: str
    message: str
    entity_id: str | None
    resource_code: str | None


class GhgOut(Schema):
    park: str
    year: int
    scope1_t: float
    scope2_t: float
    total_t: float
    process_t: float
    biogenic_co2_t: float
    combustion_by_fuel_t: dict[str, float]
    by_gas_t: dict[str, float]
    grid_electricity_mwh: float
    solar_self_consumed_mwh: float
    shared_solar_mwh: float
    grid_factor: float | None
    grid_factor_year: int | None
    complete: bool
    gaps: list[GapOut]
    factor_version: str
    gwp_set: str


def _out(m: Measure) -> dict:
    return {
        "id": m.pk,
        "enterprise_id": m.enterprise_id,
        "park": m.enterprise.park.code,
        "title": m.title,
        "practice": m.practice,
        "status": m.status,
        "identified_on": m.identified_on,
        "implemented_on": m.implemented_on,
        "investment_vnd": float(m.investment_vnd),
        "savings": m.savings or {},
        "savings_vnd_per_year": float(m.savings_vnd_per_year),
        "simple_payback_years": m.simple_payback_years,
        "co2e_t_per_year": m.co2e_t_per_year,
        "assessed_by": m.assessed_by,
    }


def _visible(user):
    return Measure.objects.filter(
        enterprise__in=enterprise_records_for(user).values("pk")
    ).select_related("enterprise__park")


@router.get("/recp/measures", response=list[MeasureOut])
def list_measures(
    request,
    park: str | None = None,
    status: str | None = None,
    practice: str | None = None,
    limit: int = Query(500, ge=1, le=10000),
    offset: int = Query(0, ge=0, le=10**9),
):
    """RECP measures of the enterprises the caller may see."""
    qs = _visible(request.user).order_by("id")
    if park:
        qs = qs.filter(enterprise__park__code=park)
    if status:
        qs = qs.filter(status=status)
    if practice:
        qs = qs.filter(practice=practice)
    return [_out(m) for m in qs[offset : offset + limit]]


@router.get("/recp/measures/{measure_id}", response=MeasureOut)
def get_measure(request, measure_id: int = Path(..., ge=1, le=2**62)):
    return _out(get_object_or_404(_visible(request.user), pk=measure_id))


@router.post("/recp/measures", response={201: MeasureOut, 400: ErrorOut, 403: ErrorOut})
def create_measure(request, body: MeasureIn):
    """Record a measure for an enterprise the caller may write for.  ``savings`` maps
    resource codes to yearly quantities in the catalogue unit of each resource."""
    ent = enterprises_writable_by(request.user).filter(pk=body.enterprise_id).first()
    if ent is None:
        return Reply(403, {"field": "enterprise_id", "detail": "not writable by you"})
    if body.practice not in Practice.values:
        return Reply(400, {"field": "practice", "detail": f"one of {Practice.values}"})
    if body.status not in Status.values:
        return Reply(400, {"field": "status", "detail": f"one of {Status.values}"})
    if body.status in ("implemented", "verified") and body.implemented_on is None:
        return Reply(400, {"field": "implemented_on", "detail": "required when implemented"})
    cat = default_catalogue()
    for code, qty in body.savings.items():
        res = cat.get(code)
        if res is None or res.is_group:
            return Reply(400, {"field": "savings", "detail": f"unknown or group resource {code}"})
        if qty <= 0:
            return Reply(400, {"field": "savings", "detail": f"{code}: saving must be positive"})
    if body.investment_vnd < 0 or body.savings_vnd_per_year < 0:
        return Reply(400, {"field": "investment_vnd", "detail": "must not be negative"})
    for field in ("investment_vnd", "savings_vnd_per_year", "co2e_t_per_year"):
        code = bounds.number_error(getattr(body, field) or 0, -bounds.MAX_VND, bounds.MAX_VND)
        if code:
            return Reply(400, {"field": field, "detail": message(code)})
    for field, d in (
        ("identified_on", body.identified_on),
        ("implemented_on", body.implemented_on),
    ):
        if d is not None and not bounds.MIN_DATE_YEAR <= d.year <= bounds.MAX_YEAR:
            return Reply(400, {"field": field, "detail": message("year_out_of_range")})
    for code, qty in body.savings.items():
        if bounds.number_error(qty, 0, bounds.MAX_QUANTITY):
            return Reply(400, {"field": "savings", "detail": f"{code}: {message('out_of_range')}"})
    m = Measure.objects.create(enterprise=ent, **body.dict(exclude={"enterprise_id"}))
    return Reply(201, _out(Measure.objects.select_related("enterprise__park").get(pk=m.pk)))


@router.get("/recp/rollup", response=RollupOut)
def rollup(
    request,
    park: list[str] = Query([]),
    province: list[str] = Query([]),
    year: list[int] = Query([]),
):
    """Programme results over the caller's parks, narrowed by park codes, province codes and
    years (repeat a parameter for several values)."""
    if any(y < 1990 or y > 2100 for y in year):
        raise HttpError(422, "year out of range")
    res = services.rollup_for(request.user, park or None, province or None, year or None)
    r = res.rollup
    records, warnings, parks = r.records, r.warnings, res.parks
    if role_of(request.user) == Role.ENTERPRISE:
        records, warnings, parks = _enterprise_projection(request.user, r, res.parks)
    return {
        "sentence_vi": rollup_sentence(r, "vi"),
        "sentence_en": rollup_sentence(r, "en"),
        **{
            k: getattr(r, k)
            for k in (
                "enterprises_in_scope",
                "enterprises_engaged",
                "enterprises_implementing",
                "recp_share",
                "measures_identified",
                "measures_implemented",
                "measures_by_status",
                "investment_vnd",
                "savings_vnd_per_year",
                "savings_by_resource",
                "energy_saved_gj",
                "water_saved_m3",
                "materials_saved_t",
                "waste_reduced_t",
                "co2e_t_per_year",
                "symbioses_operating",
                "symbiosis_benefits_vnd_per_year",
            )  # fmt: skip
        },
        "records": records,
        "warnings": warnings,
        "parks": parks,
    }


def _enterprise_projection(user, r, parks):
    """What an enterprise may see of a roll-up: drill-down ids of its own enterprises,
    measures and agreements only; per-park rows only over at least MIN_GROUP enterprises."""
    from django.db.models import Q

    from eiphub.exchange.models import Agreement
    from eiphub.exchange.services import MIN_GROUP, owner_enterprises

    own = {str(pk) for pk in owner_enterprises(user).values_list("pk", flat=True)}
    own_measures = {
        str(pk) for pk in Measure.objects.filter(enterprise__in=own).values_list("pk", flat=True)
    }
    own_agreements = {
        str(pk)
        for pk in Agreement.objects.filter(Q(supplier__in=own) | Q(receiver__in=own)).values_list(
            "pk", flat=True
        )
    }
    records = {}
    for key, ids in r.records.items():
        allowed = (
            own
            if key.startswith("enterprises_")
            else own_agreements
            if key.startswith("symbioses")
            else own_measures
        )
        records[key] = [i for i in ids if i in allowed]

    def own_warning(w: str) -> bool:
        head = w.split(":", 1)[0].removeprefix("measure ").strip()
        return not head.isdigit() or head in own_measures

    warnings = [w for w in r.warnings if own_warning(w)]
    return records, warnings, [p for p in parks if p["enterprises"] >= MIN_GROUP]


@router.get("/recp/ghg/{code}", response=list[GhgOut])
def park_ghg(
    request,
    code: str,
    year: int | None = Query(None, ge=1990, le=2100),
    strict: bool = False,
):
    """GHG inventory of one park per year (all years with flows, or ``year``).  ``strict``:
    a year without a published grid factor is a gap instead of using the latest one."""
    park = get_object_or_404(parks_for(request.user), code=code)
    years = [year] if year else services.flow_years([park.pk])
    if not years:
        return []
    inv = services.inventory_for([park.pk], years, strict=strict)
    visible = {
        str(pk)
        for pk in enterprises_for(request.user).filter(park=park).values_list("pk", flat=True)
    }
    out = []
    for (_k, y), row in sorted(inv.rows("park").items()):
        out.append(
            {
                "park": park.code,
                "year": y,
                "scope1_t": row.scope1_t,
                "scope2_t": row.scope2_t,
                "total_t": row.total_t,
                "process_t": row.process_t,
                "biogenic_co2_t": row.biogenic_co2_t,
                "combustion_by_fuel_t": row.combustion_by_fuel_t,
                "by_gas_t": row.by_gas_t,
                "grid_electricity_mwh": row.grid_electricity_mwh,
                "solar_self_consumed_mwh": row.solar_self_consumed_mwh,
                "shared_solar_mwh": inv.solar_supplied_mwh.get((park.code, y), 0.0),
                "grid_factor": row.grid_factor,
                "grid_factor_year": row.grid_factor_year,
                "complete": row.complete,
                "gaps": [
                    {
                        "code": g.code,
                        "message": g.message,
                        "entity_id": g.entity_id if g.entity_id in visible else None,
                        "resource_code": g.resource_code,
                    }
                    for g in row.gaps
                ],
                "factor_version": inv.inventory.factor_version,
                "gwp_set": inv.inventory.gwp_set,
            }
        )
    return out
