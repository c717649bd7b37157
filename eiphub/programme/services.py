"""Programme services: gather each park's data for the readiness ranking and the investor
opportunities, run the core (``core/readiness.py``, ``symbiosis/investment.py``) and read the
stored result back for pages.

The computation runs as the job ``programme.readiness`` (``jobs.py``); its result (the
ranking, the peer groups, each park's industry opportunities and the per-park open supply and
demand used by the prospective-investor form) is stored on the Job row.  Pages read the
latest succeeded job with its freshness and never compute in the request.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict

from django.db.models import Max, Q
from django.utils import timezone

from eiphub.core import readiness as core
from eiphub.symbiosis import investment as inv

log = logging.getLogger("eiphub.programme")

JOB_KIND = "programme.readiness"
ART37_PACK = "decree35_art37_eip"
# Pipeline stages that count as "financing or later" (issue 15 item 4's stage names)
ADVANCED_STAGES = ("financing", "built", "operating")
RESULT_VERSION = 1


# ------------------------------------------------------------------ finance adapter


def finance_pipeline(park_ids) -> dict[int, core.FinanceState] | None:
    """The finance pipeline per park through ``eiphub.finance.services.pipeline_summary``,
    or None when that app is not installed or fails (the component then reads "no data").

    ``pipeline_summary`` gives ``{park id: totals}`` for the parks with a project; a park
    without one has an empty pipeline (0 projects), not "no data".  This is the only place
    that knows the finance app's shape (``_finance_state``)."""
    try:
        from eiphub.finance.services import pipeline_summary
    except ImportError:
        return None
    try:
        data = pipeline_summary(park_ids=list(park_ids))
    except Exception:  # noqa: BLE001 - a broken pipeline must not stop the ranking
        log.exception("finance pipeline_summary failed; readiness without finance")
        return None
    return {int(pk): _finance_state(row) for pk, row in (data or {}).items()}


OPEN_STAGES = ("identified", "screened", "feasibility", *ADVANCED_STAGES)


def _finance_state(row: dict) -> core.FinanceState:
    """One park's row of ``pipeline_summary``: ``counts`` per stage (plus ``total`` and
    ``active``) and ``claimed_vnd_per_year`` (the active projects' claimed benefits)."""
    counts = row.get("counts") or {}
    advanced = sum(int(counts.get(s) or 0) for s in ADVANCED_STAGES)
    total = sum(int(counts.get(s) or 0) for s in OPEN_STAGES)
    benefit = row.get("claimed_vnd_per_year")
    benefit = float(benefit) if isinstance(benefit, (int, float)) else 0.0
    return core.FinanceState(advanced=advanced, total=total, benefit_vnd_per_year=benefit)


# ------------------------------------------------------------------ gathering


def _criteria(card) -> list[core.CriterionState] | None:
    if card is None:
        return None
    return [
        core.CriterionState(r.code, r.status, r.value, None, ">=", r.unit)
        for r in card.results
        if r.mandatory
    ]


def _thresholds() -> dict:
    from eiphub.indicators.packs import get_pack

    pack = get_pack(ART37_PACK)
    return {c.code: (c.threshold, c.comparison) for c in pack.criteria}


def open_listings():
    """(core listings, leftovers) of every published listing after matching them."""
    from eiphub.exchange import services as ex
    from eiphub.exchange.models import Listing
    from eiphub.symbiosis import matching

    qs = ex._listing_qs().filter(status=Listing.Status.PUBLISHED)
    listings = ex.core_listings(qs)
    rest = inv.leftovers(listings, matching.match(listings)) if listings else []
    return listings, rest


def gather(parks, year: int | None, rest, opportunities) -> list[core.ParkData]:
    """One :class:`~eiphub.core.readiness.ParkData` per park, with a fixed number of queries."""
    from eiphub.networks.models import Scenario
    from eiphub.recp.services import recp_share_by_park
    from eiphub.registry.models import Enterprise
    from eiphub.reports import stored

    parks = list(parks)
    ids = [p.pk for p in parks]
    cards, years = {}, {}
    if year:
        cards, _f = stored.scorecards(ids, ART37_PACK, year)
        years, _f = stored.park_years(ids, year)
    limits = _thresholds()
    shares = recp_share_by_park(parks)
    vsic: dict = defaultdict(lambda: defaultdict(int))
    for pk, code in Enterprise.objects.filter(park_id__in=ids).values_list("park_id", "vsic"):
        vsic[pk][code or ""] += 1
    scen = dict(
        Scenario.objects.filter(park_id__in=ids, status=Scenario.Status.DONE)
        .values("park_id")
        .annotate(best=Max("benefit_vnd_per_year"))
        .values_list("park_id", "best")
    )
    counts: dict = defaultdict(lambda: {"offer": 0, "want": 0})
    for x in rest:
        counts[x.park][x.kind] += 1
    fin = finance_pipeline(ids)
    ref = year or timezone.localdate().year
    out = []
    for p in parks:
        crit = _criteria(cards.get(p.pk))
        for c in crit or ():
            c.threshold, c.comparison = limits.get(c.code, (None, ">="))
        share = shares.get(p.pk, {})
        best_by_res: dict = {}
        for o in opportunities.get(p.code, []):
            for f in o.flows:
                key = (f.side, f.resource)
                best_by_res[key] = max(best_by_res.get(key, 0.0), f.benefit_park_vnd_per_year)
        out.append(
            core.ParkData(
                code=p.code,
                status=p.status,
                region=p.province.region or p.province.name,
                age_years=(ref - p.established_on.year) if p.established_on else None,
                occupancy_pct=float(p.occupancy_pct) if p.occupancy_pct is not None else None,
                vsic_counts=dict(vsic[p.pk]),
                criteria=crit,
                completeness=(years.get(p.pk) or {}).get("completeness"),
                unmatched_offers=counts[p.code]["offer"],
                unmatched_wants=counts[p.code]["want"],
                potential_vnd_per_year=sum(best_by_res.values()),
                scenario_vnd_per_year=scen.get(p.pk),
                enterprises=share.get("enterprises", 0),
                implementing=share.get("implementing", 0),
                finance=None if fin is None else fin.get(p.pk, core.FinanceState(0)),
            )
        )
    return out


def _open_supply(rest, parks) -> list[dict]:
    """The open supply and demand per park and resource (sums; park coordinates), what the
    prospective-investor form ranks parks from."""
    site = {p.code: (p.latitude, p.longitude) for p in parks}
    agg: dict = defaultdict(lambda: [0.0, 0, ""])
    for x in rest:
        if x.park not in site:
            continue
        a = agg[(x.park, x.kind, x.resource)]
        a[0] += x.quantity
        a[1] += 1
        a[2] = x.unit
    return [
        {
            "park": k[0],
            "kind": k[1],
            "resource": k[2],
            "quantity": v[0],
            "listings": v[1],
            "unit": v[2],
            "lat": site[k[0]][0],
            "lon": site[k[0]][1],
        }
        for k, v in sorted(agg.items())
    ]


def compute(progress=None) -> dict:
    """The whole programme result as JSON (the job's ``result``)."""
    from eiphub.recp.dashboards import reference_year
    from eiphub.registry.models import Park

    parks = list(Park.objects.select_related("province").order_by("code"))
    year = reference_year(Park.objects.all())
    _listings, rest = open_listings()
    kit = inv._Kit(None, None, None, None)
    index = inv.OpenIndex(rest)
    opportunities = {}
    for i, p in enumerate(parks):
        site = inv.Site(p.code, p.latitude, p.longitude)
        opportunities[p.code] = inv.park_opportunities(site, index, kit=kit, limit=10)
        if progress:
            progress(i + 1, len(parks) + 1)
    data = gather(parks, year, rest, opportunities)
    ranking = core.rank_parks(data)
    return {
        "version": RESULT_VERSION,
        "year": year,
        "config_version": ranking.version,
        "weights": ranking.weights,
        "finance_available": finance_pipeline([]) is not None,
        "parks": [dataclasses.asdict(s) for s in ranking.parks],
        "groups": [dataclasses.asdict(g) for g in ranking.groups],
        "inputs": {d.code: _inputs_json(d) for d in data},
        "opportunities": {
            code: [dataclasses.asdict(o) for o in ops] for code, ops in opportunities.items()
        },
        "open_supply": _open_supply(rest, parks),
    }


def _inputs_json(d: core.ParkData) -> dict:
    return {
        "enterprises": d.enterprises,
        "implementing": d.implementing,
        "completeness": d.completeness,
        "unmatched_offers": d.unmatched_offers,
        "unmatched_wants": d.unmatched_wants,
        "potential_vnd_per_year": d.potential_vnd_per_year,
        "scenario_vnd_per_year": d.scenario_vnd_per_year,
        "age_years": d.age_years,
        "occupancy_pct": d.occupancy_pct,
    }


# ------------------------------------------------------------------ reading


def latest_job():
    from eiphub.jobs.models import Job

    return (
        Job.objects.filter(kind=JOB_KIND, status=Job.Status.SUCCEEDED)
        .exclude(finished__isnull=True)
        .order_by("-finished", "-pk")
        .first()
    )


def active_job():
    from eiphub.jobs.models import Job

    return Job.objects.filter(kind=JOB_KIND, status__in=Job.ACTIVE).order_by("-pk").first()


def is_stale(since) -> bool:
    """Something the ranking reads changed after ``since``: a stored scorecard or park-year
    marked stale or recomputed (RECP measures, flows, agreements... mark them), a listing, a
    network scenario, or a finance project (moved through the pipeline)."""
    from eiphub.exchange.models import Listing
    from eiphub.networks.models import Scenario
    from eiphub.reports.models import StoredResult

    kinds = ("scorecard", "park_year")
    if StoredResult.objects.filter(
        Q(stale=True) | Q(computed_at__gt=since), kind__in=kinds
    ).exists():
        return True
    if Listing.objects.filter(updated__gt=since).exists():
        return True
    if Scenario.objects.filter(created__gt=since).exists():
        return True
    try:  # the finance pipeline, when that app is installed
        from eiphub.finance.models import Project
    except ImportError:
        return False
    return Project.objects.filter(updated__gt=since).exists()


def stored_result() -> tuple[dict | None, dict]:
    """(result, freshness) of the latest ranking; (None, {}) before the first run."""
    job = latest_job()
    if job is None or job.result.get("version") != RESULT_VERSION:
        return None, {}
    return job.result, {"computed_at": job.finished, "stale": is_stale(job.finished)}


def enqueue_readiness(user=None):
    from eiphub.jobs.api import enqueue

    return enqueue(JOB_KIND, owner=user, dedupe_key=JOB_KIND)


def run_now() -> object:
    """Compute and store a succeeded job at once (demo loading, CLI, tests)."""
    from eiphub.jobs.models import Job

    started = timezone.now()
    result = compute()
    result.setdefault("message", "")
    return Job.objects.create(
        kind=JOB_KIND,
        status=Job.Status.SUCCEEDED,
        result=result,
        started=started,
        finished=timezone.now(),
        progress_done=1,
        progress_total=1,
    )
