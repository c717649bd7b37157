"""Exchange JSON API (/api/v1/exchange/...).  Responses are the same projections
as the pages (services.ListingView / MatchView): blind fields are null."""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from eiphub.accounts.scoping import parks_for
from eiphub.registry.models import Park

from . import services as S
from .forms import ListingForm
from .jobs import enqueue_matching
from .models import Agreement, Listing

router = Router(tags=["exchange"])
ID = Path(..., ge=1, le=2**62)


class ListingOut(Schema):
    id: int
    kind: str
    status: str
    level: str
    blind: bool
    resource_code: str
    resource_name: str
    resource_group: str
    park_code: str
    park_name: str
    period: str
    recurring: bool
    available_from: date | None
    available_to: date | None
    hazardous: bool
    licence_required: str
    temperature_c: float | None
    pressure_bar: float | None
    quantity_band: str
    enterprise_id: int | None
    enterprise_name: str | None
    quantity: float | None
    unit: str | None
    price_vnd_per_unit: float | None
    quality: dict | None
    site: str | None
    disclosure: str | None
    version: int | None = None  # the owner's only; send it back with an edit


class ListingIn(Schema):
    kind: str
    resource: str
    quantity: float
    unit: str
    period: str = "year"
    recurring: bool = True
    available_from: date | None = None
    available_to: date | None = None
    quality: str = ""
    temperature_c: float | None = None
    pressure_bar: float | None = None
    hazardous: bool = False
    licence_required: str = ""
    price_vnd_per_unit: float | None = None
    site: str = ""
    disclosure: str = "blind"
    status: str = "draft"


class ListingUpdate(ListingIn):
    # The version you read (GET as the owner): when the listing changed since, 409.
    version: int


class MatchOut(Schema):
    id: int
    status: str
    score: float
    distance_km: float | None
    pathway: str
    benefit_vnd_per_year: float | None = None  # None before the reveal (blind)
    benefit_band: str = "—"
    co2e_t_per_year: float | None = None  # None before the reveal (blind): see co2e_band
    co2e_band: str = "—"
    explanation: str
    side: str
    revealed: bool
    offer_accepted: bool
    want_accepted: bool
    offer: ListingOut
    want: ListingOut
    matched_band: str
    matched_quantity: float | None
    unit: str | None
    agreement_id: int | None


class ErrorOut(Schema):
    detail: str
    errors: dict | None = None


class NoteIn(Schema):
    text: str = ""


class AgreementIn(Schema):
    quantity_per_year: float | None = None
    price_vnd_per_unit: float | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    notes: str = ""


class AgreementOut(Schema):
    id: int
    match_id: int | None
    supplier: str
    receiver: str
    resource_code: str
    quantity_per_year: float
    unit: str
    price_vnd_per_unit: float | None
    starts_on: date | None
    ends_on: date | None
    status: str
    supplier_confirmed: bool
    receiver_confirmed: bool
    version: int


class RecordIn(Schema):
    period: date
    quantity: float
    # The agreement's version you read: a correction of a month changed since is a 409.
    version: int | None = None


class FunnelOut(Schema):
    identified: int
    proposed: int
    agreed: int
    operating: int
    ended: int
    declined: int


def _agreement_out(viewer, a: Agreement) -> dict:
    sup, rec = S.party_names(viewer, a)
    return {
        "id": a.pk,
        "match_id": a.match_id,
        "supplier": sup,
        "receiver": rec,
        "resource_code": a.resource_code,
        "quantity_per_year": a.quantity_per_year,
        "unit": a.unit,
        "price_vnd_per_unit": a.price_vnd_per_unit,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "status": a.status,
        "supplier_confirmed": a.supplier_confirmed,
        "version": a.version,
        "receiver_confirmed": a.receiver_confirmed,
    }


@router.get("/listings", response=list[ListingOut])
def list_listings(
    request,
    kind: str | None = None,
    park: str | None = None,
    group: str | None = None,
    mine: bool = False,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
):
    viewer = S.Viewer(request.user)
    qs = S.listings_visible_to(request.user).select_related("enterprise__park").order_by("pk")
    if kind:
        qs = qs.filter(kind=kind)
    if park:
        qs = qs.filter(enterprise__park__code=park)
    if group:
        qs = qs.filter(resource_code__startswith=group + ".")
    if mine:
        qs = qs.filter(enterprise__in=viewer.own_ids)
    return [S.listing_view(viewer, x).to_dict() for x in qs[offset : offset + limit]]


@router.get("/listings/{listing_id}", response=ListingOut)
def get_listing(request, listing_id: int = ID):
    obj = get_object_or_404(
        S.listings_visible_to(request.user).select_related("enterprise__park"), pk=listing_id
    )
    return S.listing_view(S.Viewer(request.user), obj).to_dict()


@router.post("/listings", response={201: ListingOut, 400: ErrorOut, 403: ErrorOut})
def create_listing(request, payload: ListingIn):
    ent = S.owner_enterprises(request.user).first()
    if ent is None:
        raise HttpError(403, "Only enterprise users can publish listings.")
    data = payload.dict()
    data["quality_spec"] = data.pop("quality")
    form = ListingForm(
        data={k: v for k, v in data.items() if v is not None}, instance=Listing(enterprise=ent)
    )
    if not form.is_valid():
        errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
        return Status(400, {"detail": "invalid listing", "errors": errors})
    obj = form.save()
    if obj.status == Listing.Status.PUBLISHED:
        enqueue_matching(ent.park, owner=request.user, listing_id=obj.pk)
    obj = S._listing_qs().get(pk=obj.pk)
    return Status(201, S.listing_view(S.Viewer(request.user), obj).to_dict())


@router.put(
    "/listings/{listing_id}",
    response={200: ListingOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def update_listing(request, payload: ListingUpdate, listing_id: int = ID):
    """Edit one of your listings.  Send the ``version`` you read: when someone changed the
    listing since, 409 and nothing is written (the listing's history keeps every edit)."""
    from eiphub.web.concurrency import StaleEdit

    obj = get_object_or_404(
        Listing.objects.filter(enterprise__in=S.owner_enterprises(request.user)), pk=listing_id
    )
    data = payload.dict()
    data["quality_spec"] = data.pop("quality")
    version = data.pop("version")
    form = ListingForm(data={k: v for k, v in data.items() if v is not None}, instance=obj)
    if not form.is_valid():
        errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
        return Status(400, {"detail": "invalid listing", "errors": errors})
    try:
        obj = S.save_listing(request.user, form, version)
    except StaleEdit as exc:
        return Status(409, {"detail": exc.message})
    if obj.status == Listing.Status.PUBLISHED:
        enqueue_matching(obj.enterprise.park, owner=request.user, listing_id=obj.pk)
    obj = S._listing_qs().get(pk=obj.pk)
    return Status(200, S.listing_view(S.Viewer(request.user), obj).to_dict())


def _match(request, match_id):
    return get_object_or_404(
        S.match_qs().filter(pk__in=S.matches_visible_to(request.user).values("pk")), pk=match_id
    )


@router.get("/matches", response=list[MatchOut])
def list_matches(
    request,
    status: str | None = None,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
):
    viewer = S.Viewer(request.user)
    qs = S.match_qs().filter(pk__in=S.matches_visible_to(request.user).values("pk"))
    if status:
        qs = qs.filter(status=status)
    return [
        S.match_view(viewer, m).to_dict()
        for m in S.prefetch_latest_agreements(qs.order_by("-score", "pk"))[offset : offset + limit]
    ]


@router.get("/matches/{match_id}", response=MatchOut)
def get_match(request, match_id: int = ID):
    return S.match_view(S.Viewer(request.user), _match(request, match_id)).to_dict()


def _transition(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except S.TransitionError as exc:
        raise HttpError(exc.status, exc.message)


@router.post("/matches/{match_id}/interest", response={200: MatchOut, 403: ErrorOut, 409: ErrorOut})
def match_interest(request, match_id: int = ID):
    m = _transition(S.express_interest, request.user, _match(request, match_id))
    return S.match_view(S.Viewer(request.user), _match(request, m.pk)).to_dict()


@router.post("/matches/{match_id}/accept", response={200: MatchOut, 403: ErrorOut, 409: ErrorOut})
def match_accept(request, match_id: int = ID):
    m = _transition(S.accept, request.user, _match(request, match_id))
    return S.match_view(S.Viewer(request.user), _match(request, m.pk)).to_dict()


@router.post("/matches/{match_id}/decline", response={200: MatchOut, 403: ErrorOut, 409: ErrorOut})
def match_decline(request, match_id: int = ID):
    m = _transition(S.decline, request.user, _match(request, match_id))
    return S.match_view(S.Viewer(request.user), _match(request, m.pk)).to_dict()


@router.post(
    "/matches/{match_id}/notes",
    response={201: MatchOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
)
def match_note(request, payload: NoteIn, match_id: int = ID):
    _transition(S.add_note, request.user, _match(request, match_id), payload.text)
    return Status(201, S.match_view(S.Viewer(request.user), _match(request, match_id)).to_dict())


@router.post(
    "/matches/{match_id}/agreement",
    response={201: AgreementOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
)
def match_agreement(request, payload: AgreementIn, match_id: int = ID):
    a = _transition(S.create_agreement, request.user, _match(request, match_id), **payload.dict())
    return Status(201, _agreement_out(S.Viewer(request.user), a))


def _agreement(request, agreement_id):
    return get_object_or_404(
        S.agreements_visible_to(request.user).select_related("supplier", "receiver", "match"),
        pk=agreement_id,
    )


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def get_agreement(request, agreement_id: int = ID):
    return _agreement_out(S.Viewer(request.user), _agreement(request, agreement_id))


@router.post(
    "/agreements/{agreement_id}/records",
    response={201: AgreementOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
)
def agreement_record(request, payload: RecordIn, agreement_id: int = ID):
    a = _agreement(request, agreement_id)
    _transition(
        S.record_exchange,
        request.user,
        a,
        payload.period,
        payload.quantity,
        read_version=payload.version,
    )
    return Status(201, _agreement_out(S.Viewer(request.user), a))


_AGREEMENT_ACTIONS = {
    "confirm": S.confirm_agreement,
    "operating": S.mark_operating,
    "end": S.end_agreement,
}


@router.post(
    "/agreements/{agreement_id}/{action}",
    response={200: AgreementOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def agreement_action(
    request,
    action: str,
    agreement_id: int = ID,
    version: int | None = Query(None, ge=1, le=2**62),
):
    """Confirm, start or end an agreement.  ``version``: the one you read; when the
    agreement changed since, 409 and nothing is written."""
    if action not in _AGREEMENT_ACTIONS:
        raise HttpError(404, "Unknown action.")
    a = _transition(
        _AGREEMENT_ACTIONS[action],
        request.user,
        _agreement(request, agreement_id),
        read_version=version,
    )
    return _agreement_out(S.Viewer(request.user), _agreement(request, a.pk))


@router.get("/funnel", response=FunnelOut)
def get_funnel(request, park: str | None = None, province: str | None = None):
    """Cumulative symbiosis funnel over the parks in the user's scope."""
    parks = parks_for(request.user)
    if park:
        parks = parks.filter(code=park)
    if province:
        parks = parks.filter(province__code=province)
    return S.funnel(Park.objects.filter(pk__in=parks.values("pk")))
