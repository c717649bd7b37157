"""Stored results: computations kept in ``StoredResult`` rows and recomputed when their data
change, so that pages read a row instead of recomputing per request.

Kinds (``StoredResult.kind``):
- ``scorecard``: per park, year and park pack (``key`` = pack id): the verdict and each
  criterion's value and status (what the benchmark page, the national scorecard table and the
  developer dashboard show; the drill-down page still evaluates live, it needs the records);
- ``park_year``: per park and year: GHG inventory of the park (scope 1/2, total, complete),
  data completeness, monthly series per resource family, Sankey links per group;
- ``area``: national (``key`` = ``national``) and provincial (``province:<code>``) totals per
  year, summed from the ``park_year`` rows.

Staleness: writes call :func:`mark_stale` with the (park id, year) pairs they touch (year
``None`` = every year of the park).  It is set-based (a few UPDATEs whatever the number of rows)
and then calls :func:`queue_recompute`, the single hook a job engine replaces:
- ``settings.EIPHUB_RECOMPUTE = "on_read"`` (default): nothing is queued; a page that finds
  a stale row recomputes it before showing it;
- ``"sync"``: recompute right after the transaction commits (tests; small installations);
- ``"task"``: call ``settings.EIPHUB_RECOMPUTE_TASK`` (dotted path of a callable taking the
  list of keys, e.g. a Celery task's ``delay``); pages show stale rows as "updating".
Bulk paths (imports) pass ``bulk=True``: rows are marked, nothing is recomputed inline.

Every function a worker needs is here: :func:`recompute_keys` (what a task runs for queued
keys) and :func:`recompute_all` (``eiphub recompute``; in parallel with ``workers`` > 1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import threading
from collections import defaultdict
from types import SimpleNamespace

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import StoredResult

SCORECARD = "scorecard"
PARK_YEAR = "park_year"
AREA = "area"
NATIONAL = "national"
ROLLUP_YEAR = 0  # the RECP programme roll-up covers every year: one row per area
SANKEY_GROUPS = ("energy", "water", "material")
FAMILIES = (
    "energy.electricity",
    "energy.fuel",
    "water.fresh",
    "water.ground",
    "water.wastewater",
    "waste",
)


# ------------------------------------------------------------------ staleness


def flow_keys(flows) -> set[tuple[int, int]]:
    """(park id, year) pairs of a FlowRecord queryset (one DISTINCT query)."""
    return {
        (p, d.year)
        for p, d in flows.order_by().values_list("park_id", "period").distinct()
        if p is not None
    }


def _history() -> int:
    from .snapshots import HISTORY_YEARS

    return HISTORY_YEARS


def mark_stale(keys, *, bulk: bool = False) -> int:
    """Mark the stored results depending on the (park id, year) pairs ``keys`` stale and queue
    their recomputation.  A year's data feed the scorecards of that year and of the
    ``HISTORY_YEARS`` following ones (trends).  Returns the number of rows marked."""
    keys = {(p, y) for p, y in keys if p is not None}
    if not keys:
        return 0
    from eiphub.registry.models import Park

    by_year: dict = defaultdict(set)
    for p, y in keys:
        by_year[y].add(p)
    q = Q()
    for y, parks in by_year.items():
        if y is None:
            q |= Q(park_id__in=parks)
        else:
            q |= Q(park_id__in=parks, kind=PARK_YEAR, year=y)
            q |= Q(park_id__in=parks, kind=SCORECARD, year__gte=y, year__lte=y + _history())
    province_keys = (
        Park.objects.filter(pk__in={p for p, _y in keys})
        .annotate(k=Concat(Value("province:"), "province__code"))
        .values("k")
    )
    area = Q(kind=AREA) & (Q(key=NATIONAL) | Q(key__in=province_keys))
    if None not in by_year:
        area &= Q(year__in=list(by_year))
    # programme roll-ups (every year in one row) of the nation and the parks' provinces
    province_rollups = (
        Park.objects.filter(pk__in={p for p, _y in keys})
        .annotate(k=Concat(Value("rollup:province:"), "province__code"))
        .values("k")
    )
    area |= Q(kind=AREA, year=ROLLUP_YEAR) & (
        Q(key=f"rollup:{NATIONAL}") | Q(key__in=province_rollups)
    )
    # one UPDATE for the parks' rows and their areas' rows
    n = StoredResult.objects.filter(q | area).update(stale=True, version=F("version") + 1)
    queue_recompute(keys, bulk=bulk)
    return n


_pending = threading.local()


def queue_recompute(keys, *, bulk: bool = False) -> None:
    """The hook for recomputation of the (park id, year) ``keys`` (see the module docstring).
    Keys queued within one transaction are sent once, after it commits."""
    mode = getattr(settings, "EIPHUB_RECOMPUTE", "on_read")
    if mode not in ("task", "sync") or (bulk and mode == "sync"):
        return
    from django.db import connection

    pending = getattr(_pending, "keys", None)
    flush_queued = any(
        entry[1] is getattr(_pending, "flush", None) for entry in connection.run_on_commit
    )
    if pending is not None and flush_queued:
        pending.update(keys)
        return
    _pending.keys = set(keys)

    def flush():
        todo = sorted(_pending.keys, key=lambda k: (k[0], k[1] or 0))
        _pending.keys = None
        if mode == "task":
            import_string(settings.EIPHUB_RECOMPUTE_TASK)(todo)
        else:
            recompute_keys(todo)

    _pending.flush = flush
    transaction.on_commit(flush)


def _serve_stale() -> bool:
    """Pages show stale rows (flagged "updating") rather than recomputing them inline."""
    return getattr(settings, "EIPHUB_RECOMPUTE", "on_read") == "task"


# ------------------------------------------------------------------ computing


def _hash(data) -> str:
    text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def card_summary(card) -> dict:
    """What pages show of a scorecard (no evidence records; titles and criterion names come
    back from the pack in :func:`as_card`)."""
    return {
        "pack_id": card.pack_id,
        "year": card.year,
        "verdict": card.verdict,
        "results": [
            {
                "code": r.code,
                "value": r.value,
                "unit": r.unit,
                "status": r.status,
                "mandatory": r.mandatory,
            }
            for r in card.results
        ],
    }


def _targets_by_park(park_ids) -> dict:
    from .models import ContextTarget

    out: dict = defaultdict(list)
    for t in ContextTarget.objects.filter(park_id__in=park_ids).order_by("code", "pk"):
        out[(t.park_id, t.pack_id)].append(t)
    return out


def compute_scorecards(parks, year: int, pack_ids=None) -> dict:
    """{(park id, pack id): (summary, inputs hash)} for ``parks`` (Park instances with their
    province) in ``year``: one batched snapshot build, then every pack per park."""
    from eiphub.indicators.engine import evaluate_pack
    from eiphub.indicators.packs import get_pack

    from . import services
    from .snapshots import build_park_snapshots, context_targets

    packs = [get_pack(p) for p in pack_ids] if pack_ids else services.park_packs()
    parks = list(parks)
    snaps = build_park_snapshots(parks, year)
    targets = _targets_by_park([p.pk for p in parks])
    out = {}
    for park in parks:
        snap = snaps[park.pk]
        digest = _hash(snap)
        for pack in packs:
            snap.targets = context_targets(park, pack, targets.get((park.pk, pack.id), []))
            card = evaluate_pack(pack, snap)
            out[(park.pk, pack.id)] = (card_summary(card), digest)
    return out


def _sankey_rows(park_ids, year):
    from eiphub.flows.models import FlowRecord

    return (
        FlowRecord.objects.filter(park_id__in=park_ids, period__year=year)
        .filter(
            Q(resource_code__startswith=SANKEY_GROUPS[0])
            | Q(resource_code__startswith=SANKEY_GROUPS[1])
            | Q(resource_code__startswith=SANKEY_GROUPS[2])
        )
        .values(
            "park_id",
            "resource_code",
            "direction",
            "fate",
            "enterprise__vsic",
            "facility__kind",
            "canonical_unit",
        )
        .annotate(q=Sum("quantity_canonical"))
        .order_by()
    )


def compute_park_years(parks, year: int) -> dict:
    """{park id: aggregates of the park's year} for ``parks``, one query per table for all."""
    from eiphub.flows import queries
    from eiphub.flows.models import FlowRecord
    from eiphub.recp import services as recp
    from eiphub.registry.models import Enterprise

    parks = list(parks)
    ids = [p.pk for p in parks]
    code = {p.pk: p.code for p in parks}
    inv = recp.inventory_for(ids, [year], group_by_park=True)
    ghg = {k: r for (k, _y), r in inv.inventory.rows.items()}
    complete = recp.completeness_by_park(ids, year)
    monthly: dict = defaultdict(lambda: defaultdict(float))
    for r in (
        FlowRecord.objects.filter(park_id__in=ids, period__year=year)
        .values("park_id", "period", "resource_code", "direction", "canonical_unit")
        .annotate(q=Sum("quantity_canonical"))
        .order_by()
    ):
        family = ".".join(r["resource_code"].split(".")[:2])
        key = (r["period"].month, family, r["direction"], r["canonical_unit"])
        monthly[r["park_id"]][key] += r["q"] or 0.0
    sizes: dict = defaultdict(lambda: defaultdict(int))
    for pk, vsic in Enterprise.objects.filter(park_id__in=ids).values_list("park_id", "vsic"):
        sizes[pk][vsic[:2]] += 1
    sankey_rows: dict = defaultdict(list)
    for r in _sankey_rows(ids, year):
        sankey_rows[r["park_id"]].append(r)
    out = {}
    for pk in ids:
        row = ghg.get(code[pk])
        sankeys = {}
        for group in SANKEY_GROUPS:
            rows = [r for r in sankey_rows[pk] if r["resource_code"].startswith(group)]
            for min_size in (1, 3):
                sankeys[f"{group}:{min_size}"] = queries.sankey_from_rows(rows, sizes[pk], min_size)
        out[pk] = {
            "ghg": None
            if row is None
            else {
                "scope1_t": row.scope1_t,
                "scope2_t": row.scope2_t,
                "total_t": row.total_t,
                "complete": row.complete,
            },
            "completeness": complete.get(pk),
            "monthly": [
                {"month": k[0], "group": k[1], "direction": k[2], "unit": k[3], "quantity": v}
                for k, v in sorted(monthly[pk].items())
            ],
            "sankey": sankeys,
        }
    return out


def area_totals(rows: list[dict]) -> dict:
    """National or provincial totals of ``park_year`` results."""
    monthly: dict = defaultdict(float)
    sankey: dict = defaultdict(float)
    s1 = s2 = 0.0
    for r in rows:
        for m in r["monthly"]:
            monthly[(m["month"], m["group"], m["direction"], m["unit"])] += m["quantity"]
        for group in SANKEY_GROUPS:
            s = r["sankey"].get(f"{group}:1") or {}
            for link in s.get("links", []):
                sankey[(group, s["unit"], link["source"], link["target"])] += link["value"]
        if r["ghg"]:
            s1 += r["ghg"]["scope1_t"] or 0.0
            s2 += r["ghg"]["scope2_t"] or 0.0
    return {
        "parks": len(rows),
        "scope1_t": s1,
        "scope2_t": s2,
        "total_t": s1 + s2,
        "monthly": [
            {"month": k[0], "group": k[1], "direction": k[2], "unit": k[3], "quantity": v}
            for k, v in sorted(monthly.items())
        ],
        "sankey_totals": [
            {"group": k[0], "unit": k[1], "source": k[2], "target": k[3], "value": round(v, 3)}
            for k, v in sorted(sankey.items())
        ],
    }


# ------------------------------------------------------------------ storing


def _save(kind, year, items, versions) -> None:
    """Upsert ``items`` {(park id or None, key): (result, hash)}; a row whose version moved
    since ``versions`` was read (a change during the computation) stays stale."""
    now = timezone.now()
    existing = {
        (r.park_id, r.key): r
        for r in StoredResult.objects.filter(
            kind=kind, year=year, park_id__in=[p for p, _k in items if p is not None]
        )
        | StoredResult.objects.filter(
            kind=kind, year=year, park__isnull=True, key__in=[k for p, k in items if p is None]
        )
    }
    new, changed = [], []
    for (pk, key), (result, digest) in items.items():
        row = existing.get((pk, key))
        if row is None:
            new.append(
                StoredResult(
                    kind=kind,
                    park_id=pk,
                    year=year,
                    key=key,
                    result=result,
                    inputs_hash=digest,
                    computed_at=now,
                )
            )
            continue
        row.result, row.inputs_hash, row.computed_at = result, digest, now
        row.stale = row.version != versions.get((pk, key), row.version)
        changed.append(row)
    with transaction.atomic():
        StoredResult.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        if changed:
            StoredResult.objects.bulk_update(
                changed, ["result", "inputs_hash", "computed_at", "stale"], batch_size=1000
            )


def _versions(kind, year, park_ids) -> dict:
    return {
        (p, k): v
        for p, k, v in StoredResult.objects.filter(
            kind=kind, year=year, park_id__in=park_ids
        ).values_list("park_id", "key", "version")
    }


def _parks(park_ids):
    from eiphub.registry.models import Park

    return list(Park.objects.filter(pk__in=park_ids).select_related("province").order_by("pk"))


def store_park_year(park_ids, year: int, kinds=(SCORECARD, PARK_YEAR)) -> None:
    """Compute and store the scorecards (every park pack) and/or the aggregates of
    ``park_ids`` for ``year``."""
    parks = _parks(park_ids)
    ids = [p.pk for p in parks]
    if SCORECARD in kinds:
        versions = _versions(SCORECARD, year, ids)
        cards = compute_scorecards(parks, year)
        _save(SCORECARD, year, {(pk, pack): val for (pk, pack), val in cards.items()}, versions)
    if PARK_YEAR in kinds:
        versions = _versions(PARK_YEAR, year, ids)
        aggr = compute_park_years(parks, year)
        _save(PARK_YEAR, year, {(pk, ""): (r, _hash(r)) for pk, r in aggr.items()}, versions)


def store_areas(year: int) -> None:
    """Recompute the national and provincial rows of ``year`` from the park rows."""
    from eiphub.registry.models import Park

    province = dict(Park.objects.values_list("pk", "province__code"))
    rows = list(
        StoredResult.objects.filter(kind=PARK_YEAR, year=year).values_list("park_id", "result")
    )
    by_area: dict = defaultdict(list)
    for pk, result in rows:
        by_area[NATIONAL].append(result)
        by_area[f"province:{province.get(pk)}"].append(result)
    versions = {
        (None, k): v
        for k, v in StoredResult.objects.filter(kind=AREA, year=year).values_list("key", "version")
    }
    items = {(None, k): (area_totals(r), "") for k, r in by_area.items()}
    for key, (result, _h) in items.items():
        items[key] = (result, _hash(result))
    _save(AREA, year, items, versions)


def recompute_keys(keys) -> int:
    """Recompute the stored rows of the (park id, year or None) ``keys`` that exist and are
    stale, then the stale area rows (what a job engine's task runs for queued keys).
    Returns the number of (year, parks) batches computed."""
    q = Q(pk__in=[])
    for p, y in keys:
        q |= Q(park_id=p) if y is None else Q(park_id=p, year__gte=y, year__lte=y + _history())
    parks_of_year: dict = defaultdict(set)
    rows = StoredResult.objects.filter(q, stale=True).values_list("park_id", "year", "kind")
    for p, y, kind in rows.distinct():
        parks_of_year[(y, kind)].add(p)
    for (year, kind), ids in sorted(parks_of_year.items()):
        store_park_year(sorted(ids), year, kinds=(kind,))
    # (roll-up rows, year 0, are recomputed by the dashboard that reads them: they need its scope)
    stale_areas = StoredResult.objects.filter(kind=AREA, stale=True).exclude(year=ROLLUP_YEAR)
    for year in sorted(set(stale_areas.values_list("year", flat=True))):
        store_areas(year)
    return len(parks_of_year)


def flow_years_by_park(park_ids=None) -> dict[int, set[int]]:
    """{year: park ids with flows in that year} (one DISTINCT query)."""
    from eiphub.flows.models import FlowRecord

    qs = FlowRecord.objects.all()
    if park_ids is not None:
        qs = qs.filter(park_id__in=park_ids)
    out: dict = defaultdict(set)
    for p, d in qs.order_by().values_list("park_id", "period").distinct():
        if p is not None:
            out[d.year].add(p)
    return out


def _work(args) -> int:
    """One worker process: its own database connection, its share of parks, one year."""
    from django.db import connections

    park_ids, year, chunk = args
    connections.close_all()
    for i in range(0, len(park_ids), chunk):
        store_park_year(park_ids[i : i + chunk], year)
    connections.close_all()
    return len(park_ids)


def recompute_all(park_ids=None, years=None, workers: int = 1, chunk: int = 50) -> dict:
    """Rebuild every stored result (parks with flows in each year; ``years`` restricts,
    ``park_ids`` restricts).  With ``workers`` > 1 the parks of each year are split over
    processes (each with its own database connection).  Returns counts."""
    from eiphub.registry.models import Park

    by_year = flow_years_by_park(park_ids)
    if years:
        wanted = set(years)
        by_year = {y: (ids or set()) for y, ids in by_year.items() if y in wanted}
        for y in wanted - set(by_year):
            by_year[y] = set()
    if park_ids is None:
        # parks with no flow in a year still get a scorecard (declarations, RECP ...)
        every = set(Park.objects.values_list("pk", flat=True))
    else:
        every = set(park_ids)
    total = 0
    for year in sorted(by_year):
        ids = sorted(every)
        total += len(ids)
        if workers > 1 and len(ids) > chunk:
            import multiprocessing as mp

            from django.db import connections

            connections.close_all()
            shares = [ids[i::workers] for i in range(workers)]
            ctx = mp.get_context("fork")
            with ctx.Pool(workers) as pool:
                pool.map(_work, [(s, year, chunk) for s in shares if s])
        else:
            for i in range(0, len(ids), chunk):
                store_park_year(ids[i : i + chunk], year)
        store_areas(year)
    return {"years": sorted(by_year), "park_years": total}


# ------------------------------------------------------------------ reading


def _fresh(rows) -> dict:
    times = [r.computed_at for r in rows if r.computed_at]
    return {
        "computed_at": min(times) if times else None,
        "stale": any(r.stale for r in rows),
    }


def _read(kind, year, park_ids, key=None) -> dict:
    """{(park id, key): row} with the row's result, computed_at and stale (no model instances:
    a national read handles 600 rows)."""
    qs = StoredResult.objects.filter(kind=kind, year=year, park_id__in=park_ids)
    if key is not None:
        qs = qs.filter(key=key)
    fields = ("park_id", "key", "result", "computed_at", "stale")
    return {
        (r[0], r[1]): SimpleNamespace(**dict(zip(fields, r, strict=True)))
        for r in qs.values_list(*fields)
    }


def scorecards(park_ids, pack_id: str, year: int) -> tuple[dict, dict]:
    """({park id: card namespace}, freshness) of ``pack_id`` in ``year``, from stored rows;
    missing rows (and stale ones unless a job engine recomputes them) are computed now."""
    park_ids = list(park_ids)
    rows = _read(SCORECARD, year, park_ids, pack_id)
    todo = [p for p in park_ids if (p, pack_id) not in rows]
    if not _serve_stale():
        todo += [p for (p, _k), r in rows.items() if r.stale]
    if todo:
        for i in range(0, len(todo), 50):
            store_park_year(todo[i : i + 50], year, kinds=(SCORECARD,))
        rows = _read(SCORECARD, year, park_ids, pack_id)
    cards = {p: as_card(r.result) for (p, _k), r in rows.items()}
    return cards, _fresh(rows.values())


def latest_verdicts(park_ids, pack_id: str) -> dict[int, tuple[int, str]]:
    """{park id: (year, verdict)} of the latest stored scorecard of ``pack_id`` per park (one
    query; read only: a park without a stored row is left out, nothing is computed, so a
    national map of every park costs one read)."""
    out: dict[int, tuple[int, str]] = {}
    rows = (
        StoredResult.objects.filter(kind=SCORECARD, key=pack_id, park_id__in=park_ids)
        .order_by("park_id", "-year")
        .values_list("park_id", "year", "result__verdict")
    )
    for park_id, year, verdict in rows:
        if park_id not in out and verdict:
            out[park_id] = (year, verdict)
    return out


_NAMES: dict = {}


def _names(pack) -> dict:
    key = (pack.id, id(pack))
    if key not in _NAMES:
        _NAMES[key] = {c.code: (c.name_vi, c.name_en) for c in pack.criteria}
    return _NAMES[key]


def as_card(result: dict) -> SimpleNamespace:
    """A stored scorecard summary with attribute access (templates, exports)."""
    from eiphub.indicators.packs import get_pack

    pack = get_pack(result["pack_id"])
    card = SimpleNamespace(**{k: v for k, v in result.items() if k != "results"})
    card.title_vi, card.title_en = pack.title_vi, pack.title_en
    names = _names(pack)
    card.results = []
    for r in result["results"]:
        name_vi, name_en = names.get(r["code"], (r["code"], r["code"]))
        card.results.append(SimpleNamespace(**r, name_vi=name_vi, name_en=name_en))
    card.by_code = {r.code: r for r in card.results}
    card.result = lambda code: card.by_code[code]
    return card


def park_years(park_ids, year: int) -> tuple[dict, dict]:
    """({park id: park_year result}, freshness), computing missing (or stale) rows."""
    park_ids = list(park_ids)
    rows = _read(PARK_YEAR, year, park_ids)
    todo = [p for p in park_ids if (p, "") not in rows]
    if not _serve_stale():
        todo += [p for (p, _k), r in rows.items() if r.stale]
    if todo:
        for i in range(0, len(todo), 50):
            store_park_year(todo[i : i + 50], year, kinds=(PARK_YEAR,))
        rows = _read(PARK_YEAR, year, park_ids)
    return {p: r.result for (p, _k), r in rows.items()}, _fresh(rows.values())


def park_year_state(park_id) -> tuple:
    """(year, version, stale, computed_at) of every stored ``park_year`` row of a park, in one
    small query: any change that marks the park's results stale (flows, enterprises, agreements,
    declarations, measures...) bumps a version here, so a page cache keyed on it never serves
    content computed before the change."""
    return tuple(
        (y, v, s, at.isoformat() if at else "")
        for y, v, s, at in StoredResult.objects.filter(kind=PARK_YEAR, park_id=park_id)
        .order_by("year")
        .values_list("year", "version", "stale", "computed_at")
    )


def _rollup_to_json(rollup) -> dict:
    data = dataclasses.asdict(rollup)
    data.pop("_seen", None)
    data.pop("records", None)  # record ids behind each figure: the programme page's business
    data["selection"] = {
        k: sorted(v) if v is not None else None for k, v in data["selection"].items()
    }
    return data


def _rollup_from_json(data: dict):
    from eiphub.core.rollup import Rollup, Selection

    data = dict(data)
    selection = Selection(**data.pop("selection"))
    return Rollup(selection=selection, **data)


def area_rollup(key: str, compute) -> tuple:
    """(RECP programme :class:`~eiphub.core.rollup.Rollup`, freshness) of an area
    (``national`` or ``province:<code>``), stored in the ``area`` row ``rollup:<key>``;
    ``compute()`` gives the Rollup when the row is missing or stale."""
    key = f"rollup:{key}"
    row = StoredResult.objects.filter(kind=AREA, park__isnull=True, year=ROLLUP_YEAR, key=key)
    row = row.first()
    if row is not None and (not row.stale or _serve_stale()):
        return _rollup_from_json(row.result), _fresh([row])
    version = row.version if row is not None else 0
    data = _rollup_to_json(compute())
    _save(AREA, ROLLUP_YEAR, {(None, key): (data, _hash(data))}, {(None, key): version})
    row = StoredResult.objects.get(kind=AREA, park__isnull=True, year=ROLLUP_YEAR, key=key)
    return _rollup_from_json(row.result), _fresh([row])


def freshness_of(fresh: dict) -> dict:
    """Template context for reports/_freshness.html."""
    return {"computed_at": fresh.get("computed_at"), "stale": fresh.get("stale", False)}


def today() -> dt.date:
    return timezone.localdate()
