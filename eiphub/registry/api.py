from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema

from eiphub.accounts.scoping import enterprises_for, parks_for
from eiphub.core.catalogue import default_catalogue

router = Router(tags=["registry"])


class ResourceOut(Schema):
    code: str
    parent: str | None
    group: str
    name_vi: str
    name_en: str
    unit: str | None
    hazardous: bool
    waste_code: str


class ParkOut(Schema):
    code: str
    name_vi: str
    name_en: str
    province: str
    developer: str | None
    total_area_ha: float
    industrial_land_ha: float | None
    green_area_ha: float | None
    occupancy_pct: float | None
    established_on: date | None
    status: str
    eco_status: str
    latitude: float | None
    longitude: float | None
    enterprise_count: int


class EnterpriseOut(Schema):
    id: int
    tax_code: str
    name_vi: str
    name_en: str
    park: str
    vsic: str
    size: str
    ownership: str
    workers_total: int | None
    workers_female: int | None


def _park_out(p, count):
    return {
        "code": p.code,
        "name_vi": p.name_vi,
        "name_en": p.name_en,
        "province": p.province.code,
        "developer": p.developer.name if p.developer else None,
        "total_area_ha": float(p.total_area_ha),
        "industrial_land_ha": float(p.industrial_land_ha)
        if p.industrial_land_ha is not None
        else None,
        "green_area_ha": float(p.green_area_ha) if p.green_area_ha is not None else None,
        "occupancy_pct": float(p.occupancy_pct) if p.occupancy_pct is not None else None,
        "established_on": p.established_on,
        "status": p.status,
        "eco_status": p.eco_status,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "enterprise_count": count,
    }


def _ent_out(e):
    return {
        "id": e.id,
        "tax_code": e.tax_code,
        "name_vi": e.name_vi,
        "name_en": e.name_en,
        "park": e.park.code,
        "vsic": e.vsic,
        "size": e.size,
        "ownership": e.ownership,
        "workers_total": e.workers_total,
        "workers_female": e.workers_female,
    }


@router.get("/resources", response=list[ResourceOut], auth=None)
def list_resources(request, group: str | None = None):
    """The resource catalogue (public)."""
    cat = default_catalogue()
    return [
        {
            "code": r.code,
            "parent": r.parent,
            "group": r.group,
            "name_vi": r.name_vi,
            "name_en": r.name_en,
            "unit": r.unit,
            "hazardous": r.hazardous,
            "waste_code": r.waste_code,
        }
        for r in cat
        if group is None or r.group == group
    ]


@router.get("/parks", response=list[ParkOut])
def list_parks(request, province: str | None = None):
    from django.db.models import Count

    qs = (
        parks_for(request.user)
        .select_related("province", "developer")
        .annotate(n=Count("enterprises"))
    )
    if province:
        qs = qs.filter(province__code=province)
    return [_park_out(p, p.n) for p in qs]


@router.get("/parks/{code}", response=ParkOut)
def get_park(request, code: str):
    p = get_object_or_404(
        parks_for(request.user).select_related("province", "developer"), code=code
    )
    return _park_out(p, p.enterprises.count())


@router.get("/enterprises", response=list[EnterpriseOut])
def list_enterprises(
    request,
    park: str | None = None,
    limit: int = Query(500, ge=1, le=10000),
    offset: int = Query(0, ge=0, le=10**9),
):
    qs = enterprises_for(request.user).select_related("park").order_by("id")
    if park:
        qs = qs.filter(park__code=park)
    return [_ent_out(e) for e in qs[offset : offset + limit]]


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut)
def get_enterprise(request, enterprise_id: int = Path(..., ge=1, le=2**62)):
    e = get_object_or_404(enterprises_for(request.user).select_related("park"), pk=enterprise_id)
    return _ent_out(e)
