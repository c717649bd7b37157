"""Running the matcher on the published listings and saving its matches; offers
generated from reported flows."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from eiphub.core.catalogue import default_catalogue
from eiphub.core.licences import (
    HAZARDOUS_WASTE,
    licences_from_text,
    needs_hazardous_licence,
    offer_requires,
)
from eiphub.core.units import UnitError
from eiphub.registry.models import Enterprise, Park, Province
from eiphub.symbiosis import matching as core

from .listings import _listing_qs, licence_code
from .models import Listing, Match
from .notices import resource_params, users_of_many

# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _canonical_factor(cat, code: str, unit: str) -> float | None:
    """Canonical units of ``code`` per ``unit`` (None: not convertible); one unit
    conversion per distinct (resource, unit), not per listing."""
    try:
        return cat.to_canonical(code, 1.0, unit)
    except UnitError:
        return None


def _listing_resource(cat, listing: Listing):
    res = cat.get(listing.resource_code) if listing.resource_code else None
    if res is None and listing.resource_text:
        res = cat.resolve(listing.resource_text, unit=listing.unit or None)
    return res


def to_core_listing(
    listing: Listing, cat=None, directory: dict | None = None, ctnh: dict | None = None
) -> core.Listing | None:
    """A published DB listing as the matcher's Listing (quantity per year, canonical unit).
    Returns None when the quantity cannot be expressed in the resource's unit.

    Issue 17: the receiver of a hazardous waste must be in the directory of licensed
    handlers with a valid licence covering the waste's code (core/licences.py); a want
    holds what its enterprise's directory licences allow (``directory``: enterprise id
    -> licences, from :func:`handlers.held_licences`; looked up when not given)."""
    from .handlers import held_licences, waste_code_of

    cat = cat or default_catalogue()
    res = _listing_resource(cat, listing)
    per_year = 12.0 if listing.period == Listing.Period.MONTH else 1.0
    qty, unit, factor, code = listing.quantity * per_year, listing.unit, 1.0, ""
    if res is not None and res.unit:
        factor = _canonical_factor(cat, res.code, listing.unit)
        if factor is None:
            return None
        qty, unit, code = qty * factor, res.unit, res.code
    ent = listing.enterprise
    lat, lon = ent.latitude, ent.longitude
    if lat is None or lon is None:
        lat, lon = ent.park.latitude, ent.park.longitude
    quality = dict(listing.quality or {})
    if listing.pressure_bar is not None:
        key = "pressure_bar" if listing.kind == Listing.Kind.OFFER else "pressure_bar_min"
        quality.setdefault(key, listing.pressure_bar)
    lic = licence_code(listing.licence_required)
    held = licences_from_text(listing.resource_text)
    if listing.kind == Listing.Kind.OFFER:
        if needs_hazardous_licence(res, listing.hazardous):
            own = None if ctnh is None else ctnh.get(listing.pk, "")
            held |= offer_requires(waste_code_of(listing, res, own), True)
    else:
        if directory is None:
            directory = held_licences([listing.enterprise_id])
        held |= directory.get(listing.enterprise_id, frozenset())
    price = listing.price_vnd_per_unit
    return core.Listing(
        id=str(listing.pk),
        enterprise=str(listing.enterprise_id),
        park=ent.park.code,
        kind=listing.kind,
        resource=code,
        resource_text=listing.resource_text or code,
        quantity=qty,
        unit=unit,
        lat=lat,
        lon=lon,
        hazardous=listing.hazardous,
        temperature_c=listing.temperature_c,
        price_vnd_per_unit=None if price is None else price / factor,
        available_from=listing.available_from,
        available_to=listing.available_to,
        licences=frozenset({lic} if lic else ()) | held,
        quality=quality,
        recurring=listing.recurring and listing.period != Listing.Period.ONCE,
        industry=ent.vsic,
    )


def core_listings(qs) -> list[core.Listing]:
    from .handlers import evidence_codes, held_licences, waste_code_of

    cat = default_catalogue()
    qs = list(qs)
    # every free text of the run in one batch (the text model asked once); the per-listing
    # lookups below then find the resolutions in the resolver's cache
    cat.resolve_many(
        [
            (lst.resource_text, lst.unit or None)
            for lst in qs
            if lst.resource_text and not (lst.resource_code and lst.resource_code in cat)
        ]
    )
    haz, want_ents = [], set()
    for lst in qs:
        if lst.kind == Listing.Kind.OFFER:
            res = _listing_resource(cat, lst)
            if needs_hazardous_licence(res, lst.hazardous):
                haz.append((lst, res))
        else:
            want_ents.add(lst.enterprise_id)
    ctnh = evidence_codes([lst.pk for lst, _res in haz]) if haz else {}  # one query
    codes = {waste_code_of(lst, res, ctnh.get(lst.pk, "")) for lst, res in haz} - {""}
    directory = held_licences(want_ents, codes)  # one query for every want's licences
    return [x for x in (to_core_listing(lst, cat, directory, ctnh) for lst in qs) if x is not None]


@dataclass
class MatchRun:
    listings: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    notified: int = 0
    match_ids: list[int] = field(default_factory=list)


def _scope_listings(scope) -> QuerySet[Listing]:
    """Published listings considered for a park (its province, so neighbours match),
    a province, or everything (scope None)."""
    qs = _listing_qs().filter(status=Listing.Status.PUBLISHED)
    if isinstance(scope, Park):
        return qs.filter(enterprise__park__province_id=scope.province_id)
    if isinstance(scope, Province):
        return qs.filter(enterprise__park__province=scope)
    return qs


# Output fates that make a flow worth offering to others.
OFFER_FATES = ("landfill", "treatment", "discharge")
OFFER_PREFIXES = ("waste.", "byproduct.", "energy.heat", "energy.steam", "water.treated")
OFFER_EXCLUDE = ("waste.domestic",)


MATCH_VALUE_FIELDS = (
    "score",
    "distance_km",
    "matched_quantity",
    "unit",
    "pathway",
    "benefit_vnd_per_year",
    "co2e_t_per_year",
    "facts",
)


# what decides whether a stored match changed: its figures, unit and pathway (the texts
# and facts are formatted from these and the catalogue, so they are only rebuilt for new
# or changed matches; a renamed resource shows in a match's text when its figures change)
DIFF_FIELDS = (
    "score",
    "distance_km",
    "matched_quantity",
    "unit",
    "pathway",
    "benefit_vnd_per_year",
    "co2e_t_per_year",
)


def _match_key(m: core.Match) -> tuple:
    return (
        m.score,
        m.distance_km,
        m.matched_quantity,
        m.unit[:20],
        m.pathway[:20],
        m.benefit_vnd_per_year,
        m.co2e_t_per_year,
    )


def _match_values(m: core.Match) -> tuple:
    return (
        m.score,
        m.distance_km,
        m.matched_quantity,
        m.unit[:20],
        m.pathway[:20],
        m.benefit_vnd_per_year,
        m.co2e_t_per_year,
        [{"code": f.code, **f.params} for f in m.facts],
    )


# the columns matching reads (to_core_listing, notifications): fewer values to convert
MATCHING_FIELDS = (
    "enterprise_id",
    "kind",
    "resource_code",
    "resource_text",
    "quantity",
    "unit",
    "period",
    "recurring",
    "available_from",
    "available_to",
    "quality",
    "temperature_c",
    "pressure_bar",
    "hazardous",
    "licence_required",
    "price_vnd_per_unit",
    "enterprise__latitude",
    "enterprise__longitude",
    "enterprise__vsic",
    "enterprise__park_id",
    "enterprise__park__code",
    "enterprise__park__latitude",
    "enterprise__park__longitude",
)


@transaction.atomic
def run_matching(scope=None, params: core.MatchParams | None = None) -> MatchRun:
    """Match the published listings of a park (with its province's other parks), a
    province, or everything, and upsert Match rows: new pairs are created (and
    their owners notified once), known pairs keep their workflow state and get
    fresh scores, pairs no longer found are deleted only while still 'identified'.

    Set-based: existing matches are read in one query and diffed in memory; new
    rows go in with bulk_create, changed rows (only those whose figures moved)
    with bulk_update, stale rows in one delete, notifications with bulk_create."""
    listings = list(_scope_listings(scope).only(*MATCHING_FIELDS))
    by_id = {lst.pk: lst for lst in listings}
    if isinstance(scope, Park):
        focus = {lst.pk for lst in listings if lst.enterprise.park_id == scope.pk}
    else:
        focus = set(by_id)
    result = core.match(core_listings(listings), params=params)
    run = MatchRun(listings=len(listings))
    found = {}
    for m in result:
        key = (int(m.offer_id), int(m.want_id))
        if key[0] in focus or key[1] in focus:
            found[key] = m
    # existing matches between the scope's listings: one indexed IN on the offer
    # (a subquery on both sides makes PostgreSQL nest loops), the want checked here
    existing = {}
    ids = list(by_id)
    for i in range(0, len(ids), 5000):
        rows = Match.objects.filter(offer_id__in=ids[i : i + 5000]).values_list(
            "pk", "offer_id", "want_id", "status", *DIFF_FIELDS
        )
        existing.update({(r[1], r[2]): r for r in rows if r[2] in by_id})
    new, changed, kept = [], [], []
    for key, m in found.items():
        row = existing.get(key)
        if row is None:
            new.append((key[0], key[1], _match_values(m)))
        else:
            kept.append(row[0])
            if tuple(row[4:]) != _match_key(m):
                values = _match_values(m)
                changed.append(
                    Match(pk=row[0], **dict(zip(MATCH_VALUE_FIELDS, values, strict=True)))
                )
    stale = [
        row[0]
        for key, row in existing.items()
        if key not in found
        and row[3] == Match.Status.IDENTIFIED
        and (key[0] in focus or key[1] in focus)
    ]
    for i in range(0, len(stale), 900):
        Match.objects.filter(pk__in=stale[i : i + 900]).delete()
    if changed:
        Match.objects.bulk_update(changed, MATCH_VALUE_FIELDS, batch_size=500)
    created = _insert_matches(new)
    run.notified = _notify_new_matches(created, by_id)
    run.created, run.updated, run.removed = len(created), len(kept), len(stale)
    run.match_ids = [x.pk for x in created] + kept
    return run


def _insert_matches(new: list[tuple]) -> list:
    """Insert new matches ((offer id, want id, values) each); returns objects with
    pk, offer_id, want_id and score.  PostgreSQL: one COPY, then one query for the
    ids (COPY is several times faster than a multi-row INSERT built by the ORM);
    other databases: bulk_create, which returns the ids."""
    if not new:
        return []
    conn = transaction.get_connection()
    if conn.vendor != "postgresql":
        objs = [
            Match(offer_id=o, want_id=w, **dict(zip(MATCH_VALUE_FIELDS, v, strict=True)))
            for o, w, v in new
        ]
        return Match.objects.bulk_create(objs, batch_size=1000)
    meta = Match._meta
    names = ["offer", "want", *MATCH_VALUE_FIELDS, "offer_accepted", "want_accepted", "status"]
    cols = [meta.get_field(n).column for n in names] + [meta.get_field("created").column]
    now = timezone.now()
    with conn.cursor() as cur:
        sql = f"COPY {conn.ops.quote_name(meta.db_table)} ({', '.join(map(conn.ops.quote_name, cols))}) FROM STDIN"
        with cur.cursor.copy(sql) as copy:
            for o, w, v in new:
                row = (*v[:-1], json.dumps(v[-1], ensure_ascii=False))  # facts: JSON text
                copy.write_row((o, w, *row, False, False, Match.Status.IDENTIFIED, now))
    wanted = {(o, w): v[0] for o, w, v in new}
    offers = sorted({o for o, _w, _v in new})
    out = []
    for i in range(0, len(offers), 5000):
        for pk, o, w in Match.objects.filter(offer_id__in=offers[i : i + 5000]).values_list(
            "pk", "offer_id", "want_id"
        ):
            if (o, w) in wanted:
                out.append(SimpleNamespace(pk=pk, offer_id=o, want_id=w, score=wanted[o, w]))
    return out


def _notify_new_matches(created: list[Match], by_id: dict) -> int:
    """One ``match_new`` notice per user of each side's enterprise about its own listing:
    users read in one query, the notices written in bulk and one e-mail job for the run
    (notices.services.notify_many; the run is already a background job)."""
    from eiphub.notices.services import notify_many

    if not created:
        return 0
    ents = {by_id[x].enterprise_id for obj in created for x in (obj.offer_id, obj.want_id)}
    users = defaultdict(list)
    for u in users_of_many(ents).values_list("pk", "profile__enterprise_id"):
        users[u[1]].append(u[0])
    if not users:
        return 0
    marker = 987654321  # the match URL differs only by the id: reverse once
    url_pattern = reverse("exchange:match_detail", args=[marker])
    items, n = [], 0
    for obj in created:
        url = url_pattern.replace(str(marker), str(obj.pk))
        for lst in (by_id[obj.offer_id], by_id[obj.want_id]):
            ids = users.get(lst.enterprise_id)
            if not ids:
                continue
            params = {
                "listing_kind": lst.kind,
                **resource_params(lst),
                "score": round(float(obj.score), 4),
            }
            items.append((ids, params, url))
            n += len(ids)
    notify_many("match_new", items)
    return n


# --------------------------------------------------------------------------
# Offers from reported flows
# --------------------------------------------------------------------------


def _offerable(code: str) -> bool:
    return code.startswith(OFFER_PREFIXES) and code not in OFFER_EXCLUDE


@dataclass
class FlowOffers:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    months: int = 0
    listing_ids: list[int] = field(default_factory=list)


@transaction.atomic
def offers_from_flows(enterprise: Enterprise) -> FlowOffers:
    """Create or refresh draft offers from the enterprise's output flows of the last
    12 reported months whose fate is landfill, treatment or discharge (wastes,
    by-products, waste heat, treated water).  Quantities are per year (scaled up
    when fewer months are reported).  Listings are keyed by ``source_flow_key``
    ("flows:<resource>") so re-running updates instead of duplicating; closed
    listings are left alone, and the owner's edits other than quantity are kept."""
    from eiphub.flows.models import FlowRecord

    out = FlowOffers()
    flows = FlowRecord.objects.filter(enterprise=enterprise, direction="out")
    last = flows.order_by("-period").values_list("period", flat=True).first()
    if last is None:
        return out
    y, m = divmod(last.year * 12 + last.month - 1 - 11, 12)
    first = dt.date(y, m + 1, 1)
    rows = flows.filter(period__gte=first, period__lte=last, fate__in=OFFER_FATES)
    totals: dict[str, float] = defaultdict(float)
    units: dict[str, str] = {}
    months: dict[str, set] = defaultdict(set)
    for code, qty, unit, period in rows.values_list(
        "resource_code", "quantity_canonical", "canonical_unit", "period"
    ):
        if _offerable(code):
            totals[code] += qty
            units[code] = unit
            months[code].add(period)
    out.months = len(set().union(*months.values())) if months else 0
    cat = default_catalogue()
    for code, total in sorted(totals.items()):
        n = len(months[code])
        qty = round(total * 12 / n, 3) if n else 0.0
        if qty <= 0:
            continue
        key = f"flows:{code}"
        res = cat.get(code)
        lst = Listing.objects.filter(enterprise=enterprise, source_flow_key=key).first()
        if lst is None:
            lst = Listing.objects.create(
                enterprise=enterprise,
                kind=Listing.Kind.OFFER,
                resource_code=code,
                resource_text=res.name_vi if res else code,
                quantity=qty,
                unit=units[code],
                period=Listing.Period.YEAR,
                recurring=True,
                hazardous=bool(res and res.hazardous),
                licence_required=HAZARDOUS_WASTE if res and res.hazardous else "",
                status=Listing.Status.DRAFT,
                source_flow_key=key,
            )
            out.created += 1
        elif lst.status == Listing.Status.CLOSED:
            continue
        elif lst.quantity == qty and lst.unit == units[code] and lst.period == "year":
            out.unchanged += 1
        else:
            lst.quantity, lst.unit, lst.period = qty, units[code], Listing.Period.YEAR
            lst.save(update_fields=["quantity", "unit", "period", "updated"])
            out.updated += 1
        out.listing_ids.append(lst.pk)
    return out
