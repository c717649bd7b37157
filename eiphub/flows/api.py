from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from eiphub.accounts.scoping import enterprises_writable_by, flows_for, parks_for

from . import queries
from .services import FlowConflict, FlowInputError, save_flow

router = Router(tags=["flows"])


class FlowOut(Schema):
    id: int
    enterprise_id: int | None
    facility_id: int | None
    resource_code: str
    direction: str
    period: date
    quantity: float
    unit: str
    quantity_canonical: float
    canonical_unit: str
    origin: str
    fate: str
    data_quality: str
    version: int


class FlowIn(Schema):
    enterprise_id: int
    resource_code: str
    direction: str
    period: date
    # A number, or text in the request's language ("120,5" in Vietnamese, "120.5" in English).
    quantity: float | str
    unit: str
    origin: str = ""
    fate: str = ""
    data_quality: str = "measured"
    # The version you read: when the record changed since, 409 instead of an overwrite.
    version: int | None = None


class ErrorOut(Schema):
    field: str
    detail: str


class MonthlyOut(Schema):
    period: date
    group: str
    direction: str
    quantity: float
    unit: str


def _flow_out(f):
    return {
        "id": f.id,
        "enterprise_id": f.enterprise_id,
        "facility_id": f.facility_id,
        "resource_code": f.resource_code,
        "direction": f.direction,
        "period": f.period,
        "quantity": float(f.quantity),
        "unit": f.unit,
        "quantity_canonical": f.quantity_canonical,
        "canonical_unit": f.canonical_unit,
        "origin": f.origin,
        "fate": f.fate,
        "data_quality": f.data_quality,
        "version": f.version,
    }


@router.get("/flows", response=list[FlowOut])
def list_flows(
    request,
    enterprise_id: int | None = Query(None, ge=1, le=2**62),
    park: str | None = None,
    year: int | None = Query(None, ge=1990, le=2100),
    resource: str | None = None,
    limit: int = Query(1000, ge=1, le=10000),
    offset: int = Query(0, ge=0, le=10**9),
):
    qs = flows_for(request.user).order_by("id")
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    if park:
        qs = qs.filter(park__code=park)
    if year:
        qs = qs.filter(period__year=year)
    if resource:
        qs = qs.filter(resource_code__startswith=resource)
    return [_flow_out(f) for f in qs[offset : offset + limit]]


@router.get("/flows/{flow_id}", response=FlowOut)
def get_flow(request, flow_id: int = Path(..., ge=1, le=2**62)):
    return _flow_out(get_object_or_404(flows_for(request.user), pk=flow_id))


@router.post("/flows", response={201: FlowOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def create_flow(request, payload: FlowIn):
    """Create or update the record of this enterprise, month, resource and direction."""
    ent = enterprises_writable_by(request.user).filter(pk=payload.enterprise_id).first()
    if ent is None:
        raise HttpError(403, "You may not enter flows for this enterprise.")
    data = payload.dict()
    data.pop("enterprise_id")
    data["expected_version"] = data.pop("version")
    try:
        flow = save_flow(owner=ent, user=request.user, **data)
    except FlowConflict as exc:
        return Status(409, {"field": exc.field, "detail": exc.message})
    except FlowInputError as exc:
        return Status(400, {"field": exc.field, "detail": exc.message})
    return Status(201, _flow_out(flow))


@router.get("/parks/{code}/monthly", response=list[MonthlyOut])
def park_monthly(request, code: str, year: int | None = Query(None, ge=1990, le=2100)):
    """Monthly inputs and outputs of a park by resource group (canonical units)."""
    park = get_object_or_404(parks_for(request.user), code=code)
    return queries.park_monthly_by_group(park, year=year)
