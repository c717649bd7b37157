"""Project sheets, eligibility, abatement curves and the programme pipeline (issue 15).

The calculations live in the core (``eiphub.core.finance``: NPV, IRR, paybacks, abatement
cost, MACC ordering; ``eiphub.core.green_finance``: eligibility packs); this module turns
platform records into their inputs and their results into page data.

``pipeline_summary(park_ids=None)`` is the programme's read model (used by other apps, e.g.
the readiness ranking): see its docstring for the return shape.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from eiphub.core import finance as F
from eiphub.core import green_finance as G
from eiphub.core.errors import CodedError

from .models import FUNNEL, Category, Project, Source, Stage, StageChange

IMPLEMENTED = (Stage.BUILT, Stage.OPERATING, Stage.ENDED)
OBSERVABLE = (Stage.OPERATING, Stage.ENDED)
OBSERVE_MONTHS = 12
MIN_OBSERVED_MONTHS = 3


class StageError(CodedError):
    """A refused stage change: ``code`` and an English ``message``."""


# ------------------------------------------------------------------ drafts from platform data
def category_for_resource(code: str, default: str = Category.BYPRODUCT_EXCHANGE) -> str:
    code = code or ""
    if code.startswith(("energy.heat", "energy.waste_heat")):
        return Category.WASTE_HEAT_RECOVERY
    if code.startswith("energy.steam"):
        return Category.CENTRAL_STEAM
    if code.startswith("energy.electricity.solar"):
        return Category.ROOFTOP_SOLAR
    if code.startswith("water.wastewater"):
        return Category.WATER_REUSE
    if code.startswith("water."):
        return Category.WATER_REUSE
    return default


def draft_from_match(match) -> dict:
    """Initial sheet figures from a symbiosis match: the receiver's park and enterprise, the
    matched quantity, the offer's (else the want's) price and the match's benefit and tCO2e.
    Capital and operating costs are not in the match: the user types them."""
    from eiphub.core.catalogue import default_catalogue

    want, offer = match.want, match.offer
    code = offer.resource_code or want.resource_code
    price = offer.price_vnd_per_unit or want.price_vnd_per_unit
    from django.utils.translation import get_language

    name = default_catalogue().label(code, get_language() or "vi") if code else offer.resource_text
    return {
        "park": want.enterprise.park,
        "enterprise": want.enterprise,
        "title": _("Symbiosis: %(resource)s") % {"resource": name},
        "category": category_for_resource(code),
        "source": Source.MATCH,
        "match": match,
        "resource_code": code,
        "quantity_per_year": match.matched_quantity or None,
        "unit": match.unit,
        "price_vnd_per_unit": price,
        "savings_vnd_per_year": round(match.benefit_vnd_per_year or 0),
        "co2e_t_per_year": match.co2e_t_per_year or 0,
        "resources_saved": {code: match.matched_quantity}
        if code and match.matched_quantity
        else {},
    }


def draft_from_agreement(a) -> dict:
    return {
        "park": a.receiver.park,
        "enterprise": a.receiver,
        "title": _("Symbiosis agreement: %(resource)s") % {"resource": a.resource_code},
        "category": category_for_resource(a.resource_code),
        "source": Source.AGREEMENT,
        "agreement": a,
        "match": a.match,
        "resource_code": a.resource_code,
        "quantity_per_year": a.quantity_per_year,
        "unit": a.unit,
        "price_vnd_per_unit": a.price_vnd_per_unit,
        "savings_vnd_per_year": round(a.benefit_vnd_per_year or 0),
        "co2e_t_per_year": a.co2e_t_per_year or 0,
        "starts_on": a.starts_on,
        "resources_saved": {a.resource_code: a.quantity_per_year},
    }


def draft_from_measure(m) -> dict:
    return {
        "park": m.enterprise.park,
        "enterprise": m.enterprise,
        "title": m.title,
        "category": Category.CLEAN_PRODUCTION,
        "source": Source.RECP,
        "measure": m,
        "capex_vnd": m.investment_vnd,
        "savings_vnd_per_year": m.savings_vnd_per_year,
        "co2e_t_per_year": m.co2e_t_per_year or 0,
        "starts_on": m.implemented_on,
        "identified_on": m.identified_on,
        "resources_saved": dict(m.savings or {}),
    }


def draft_from_scenario(s) -> dict:
    return {
        "park": s.park,
        "title": s.name,
        "category": Category.BYPRODUCT_EXCHANGE,
        "source": Source.SCENARIO,
        "scenario": s,
        "savings_vnd_per_year": round(s.benefit_vnd_per_year or 0),
        "co2e_t_per_year": s.co2e_t_per_year or 0,
    }


@transaction.atomic
def create_project(user, **fields) -> Project:
    if not fields.get("identified_on"):
        fields["identified_on"] = dt.date.today()
    if not fields.get("owner"):
        fields["owner"] = user
    p = Project.objects.create(**fields)
    StageChange.objects.create(project=p, stage=p.stage, on=p.identified_on, by=user)
    return p


# ------------------------------------------------------------------ appraisal, eligibility
def case_for(p: Project) -> F.ProjectCase:
    return F.ProjectCase(
        capex=float(p.capex_vnd),
        savings_per_year=float(p.savings_vnd_per_year),
        opex_per_year=float(p.opex_vnd_per_year),
        lifetime=int(p.lifetime_years),
        rate=float(p.discount_rate),
        co2e_t_per_year=float(p.co2e_t_per_year or 0),
    )


def appraise(p: Project) -> F.Appraisal:
    return F.appraise(case_for(p))


def eligibility(p: Project, appraisal: F.Appraisal | None = None) -> list[G.Eligibility]:
    a = appraisal or appraise(p)
    facts = G.ProjectFacts(
        category=p.category,
        co2e_t_per_year=float(p.co2e_t_per_year or 0),
        npv_vnd=a.npv,
        irr=a.irr,
        capex_vnd=float(p.capex_vnd),
        abatement_cost_vnd_per_t=a.abatement_cost,
        evidence=frozenset(p.evidence or ()),
    )
    return G.check_all(facts)


def evidence_choices(lang: str = "vi") -> list[tuple[str, str]]:
    """Every evidence document named by an installed pack (code, label)."""
    seen: dict[str, str] = {}
    for pack in G.installed_packs().values():
        for code in pack.evidence:
            seen.setdefault(code, pack.evidence_label(code, lang))
    return sorted(seen.items(), key=lambda kv: kv[1])


# ------------------------------------------------------------------ the pipeline
def next_stages(p: Project) -> list[str]:
    """Stages a project may move to: any later funnel stage, or dropped; ended and dropped
    projects stay where they are."""
    if p.stage in (Stage.ENDED, Stage.DROPPED):
        return []
    i = FUNNEL.index(p.stage)
    return [*FUNNEL[i + 1 :], Stage.DROPPED]


@transaction.atomic
def move(p: Project, stage: str, user, on: dt.date | None = None, reason: str = "") -> Project:
    on = on or dt.date.today()
    if stage not in next_stages(p):
        raise StageError("bad_stage", _("This project cannot move to that stage."))
    reason = (reason or "").strip()
    if stage == Stage.DROPPED and not reason:
        raise StageError("reason_required", _("Give the reason why the project is dropped."))
    last = p.history.order_by("-on").values_list("on", flat=True).first()
    if last and on < last:
        raise StageError("date_before_last", _("The date is before the project's last move."))
    p.stage = stage
    if stage == Stage.DROPPED:
        p.dropped_reason = reason
    if stage == Stage.OPERATING and not p.starts_on:
        p.starts_on = on
    p.version += 1
    p.save()
    StageChange.objects.create(project=p, stage=stage, on=on, by=user, reason=reason)
    return p


@transaction.atomic
def verify_benefits(p: Project, user, note: str = "", on: dt.date | None = None) -> Project:
    p.benefits_verified, p.verified_by = True, user
    p.verified_on, p.verified_note = on or dt.date.today(), (note or "").strip()
    p.version += 1
    p.save()
    return p


# ------------------------------------------------------------------ observed benefits
@dataclass(frozen=True)
class Observed:
    vnd_per_year: float
    co2e_t_per_year: float
    ratio: float  # observed / claimed (quantity)
    months: int
    basis: str  # exchange_records | recp_check | flows


def _month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def observed(p: Project) -> Observed | None:
    """Benefits observed after the project started, scaled from the claimed ones by the
    ratio observed/claimed quantity: a linked agreement's monthly exchange records (which
    write both parties' flows; the latest 12 months on record since the start), a linked RECP measure's before/after check of its flows, or
    the enterprise's flows of the project resource 12 months before and after the start
    (a drop in use).  None without a start date, a claimed quantity or enough months."""
    if not p.starts_on or p.stage not in OBSERVABLE:
        return None
    ratio, months, basis = None, 0, ""
    agreement = p.agreement or (_latest_agreement(p.match) if p.match_id else None)
    if agreement is not None and agreement.quantity_per_year:
        start = p.starts_on.replace(day=1)
        after = agreement.records.filter(period__gte=start)
        latest = after.order_by("-period").values_list("period", flat=True).first()
        if latest is not None:  # the latest 12 months of operation on record
            start = max(start, _add_months(latest.replace(day=1), 1 - OBSERVE_MONTHS))
        recs = after.filter(period__gte=start)
        agg = recs.aggregate(q=Sum("quantity"))
        months = recs.values("period").distinct().count()
        if months >= MIN_OBSERVED_MONTHS and agg["q"] is not None:
            ratio = (agg["q"] * 12 / months) / agreement.quantity_per_year
            basis = "exchange_records"
    elif p.measure_id:
        from eiphub.recp.services import claimed_vs_observed_for

        checks = [
            c for c in claimed_vs_observed_for(p.measure) if c.claimed and c.observed is not None
        ]
        if checks:
            ratio = sum(c.observed for c in checks) / sum(c.claimed for c in checks)
            months = min(len(c.reporting_months) for c in checks)
            basis = "recp_check"
    elif p.enterprise_id and p.resource_code and p.quantity_per_year:
        from eiphub.recp.services import monthly_flows

        flows, _prod = monthly_flows(p.enterprise_id, [p.resource_code])
        series = flows.get(p.resource_code, {})
        s = _month_index(p.starts_on)
        before = [v for (y, m), v in series.items() if s - OBSERVE_MONTHS <= y * 12 + m - 1 < s]
        after = [v for (y, m), v in series.items() if s <= y * 12 + m - 1 < s + OBSERVE_MONTHS]
        if len(before) >= MIN_OBSERVED_MONTHS and len(after) >= MIN_OBSERVED_MONTHS:
            drop = (sum(before) / len(before) - sum(after) / len(after)) * 12
            ratio, months, basis = drop / p.quantity_per_year, len(after), "flows"
    if ratio is None:
        return None
    return Observed(
        vnd_per_year=float(p.savings_vnd_per_year) * ratio,
        co2e_t_per_year=float(p.co2e_t_per_year or 0) * ratio,
        ratio=ratio,
        months=months,
        basis=basis,
    )


def _add_months(d: dt.date, n: int) -> dt.date:
    i = _month_index(d) + n
    return dt.date(i // 12, i % 12 + 1, 1)


def _latest_agreement(match):
    from eiphub.exchange.services import latest_agreement

    return latest_agreement(match) if match else None


# ------------------------------------------------------------------ abatement curve
def macc_rows(projects) -> tuple[list[dict], list[Project]]:
    """The abatement curve of ``projects`` (dropped ones excluded): one row per bar, cheapest
    first, with the project, its cost (VND/tCO2e), abatement (tCO2e/yr) and the cumulative
    range; and the projects that cannot be placed (no tCO2e avoided or no appraisal)."""
    items, by_key, unplaceable = [], {}, []
    for p in projects:
        if p.stage == Stage.DROPPED:
            continue
        try:
            cost = appraise(p).abatement_cost
        except F.FinanceError:
            cost = None
        by_key[p.pk] = p
        items.append((p.pk, cost, float(p.co2e_t_per_year or 0)))
    bars, left_out = F.macc(items)
    rows = [
        {"project": by_key[b.key], "cost": b.cost, "abatement": b.abatement,
         "start": b.start, "end": b.end, "annual_cost": b.cost * b.abatement}
        for b in bars
    ]  # fmt: skip
    unplaceable = [by_key[k] for k in left_out]
    return rows, unplaceable


def macc_chart(rows, title: str = "") -> dict:
    return {
        "kind": "macc",
        "title": title,
        "unit": _("VND/tCO2e"),
        "xunit": _("tCO2e/yr"),
        "bars": [
            {"name": r["project"].title, "start": r["start"], "end": r["end"], "cost": r["cost"]}
            for r in rows
        ],
    }


# ------------------------------------------------------------------ programme totals
def _empty_totals() -> dict:
    return {
        "counts": {s: 0 for s in Stage.values},
        "reached": {s: 0 for s in FUNNEL},
        "total": 0,
        "active": 0,
        "capex_vnd": 0.0,
        "claimed_vnd_per_year": 0.0,
        "claimed_co2e_t_per_year": 0.0,
        "implemented": 0,
        "implemented_vnd_per_year": 0.0,
        "implemented_co2e_t_per_year": 0.0,
        "observed_projects": 0,
        "observed_vnd_per_year": 0.0,
        "observed_co2e_t_per_year": 0.0,
        "verified_projects": 0,
        "verified_vnd_per_year": 0.0,
        "verified_co2e_t_per_year": 0.0,
    }


def _reached(p: Project) -> int:
    """Index in ``FUNNEL`` of the furthest stage the project ever reached (its history)."""
    stages = {h.stage for h in p.history.all()} | {p.stage}
    return max(FUNNEL.index(s) for s in stages if s in FUNNEL) if stages - {Stage.DROPPED} else 0


def _add(t: dict, p: Project, obs: Observed | None) -> None:
    t["counts"][p.stage] += 1
    for s in FUNNEL[: _reached(p) + 1]:
        t["reached"][s] += 1
    t["total"] += 1
    if p.stage == Stage.DROPPED:
        return
    t["active"] += 1
    t["capex_vnd"] += float(p.capex_vnd)
    t["claimed_vnd_per_year"] += float(p.savings_vnd_per_year)
    t["claimed_co2e_t_per_year"] += float(p.co2e_t_per_year or 0)
    if p.stage in IMPLEMENTED:
        t["implemented"] += 1
        t["implemented_vnd_per_year"] += float(p.savings_vnd_per_year)
        t["implemented_co2e_t_per_year"] += float(p.co2e_t_per_year or 0)
    if obs is not None:
        t["observed_projects"] += 1
        t["observed_vnd_per_year"] += obs.vnd_per_year
        t["observed_co2e_t_per_year"] += obs.co2e_t_per_year
        if p.benefits_verified:
            t["verified_projects"] += 1
            t["verified_vnd_per_year"] += obs.vnd_per_year
            t["verified_co2e_t_per_year"] += obs.co2e_t_per_year


def pipeline_summary(park_ids=None, projects=None) -> dict:
    """Per-park programme figures: ``{park_id: totals}`` for every park with a project (of
    ``park_ids`` when given; ``projects`` restricts to a queryset, e.g. a user's scope).

    ``totals`` (all numbers are floats except the counts):

    - ``park_code``, ``park_name``, ``province_id``;
    - ``counts``: ``{stage: n}`` for every stage of ``finance.models.Stage`` (identified,
      screened, feasibility, financing, built, operating, ended, dropped), ``total`` (all),
      ``active`` (not dropped);
    - ``reached``: ``{funnel stage: n}`` projects that ever reached that stage or a later one
      (from the stage history, dropped projects included up to where they got: the KICOX-style
      cohort funnel, explored → implemented → commercialised);
    - ``capex_vnd``, ``claimed_vnd_per_year``, ``claimed_co2e_t_per_year``: sums over
      active projects of their sheets' figures;
    - ``implemented`` (built/operating/ended), ``implemented_vnd_per_year``,
      ``implemented_co2e_t_per_year``: the claimed benefits of implemented projects;
    - ``observed_projects``, ``observed_vnd_per_year``, ``observed_co2e_t_per_year``: benefits
      observed from records after the start (operating/ended projects, see ``observed``);
    - ``verified_projects``, ``verified_vnd_per_year``, ``verified_co2e_t_per_year``: the
      observed benefits of projects whose benefits a board or consultant verified.
    """
    qs = Project.objects.all() if projects is None else projects
    if park_ids is not None:
        qs = qs.filter(park_id__in=list(park_ids))
    qs = qs.select_related("park", "agreement", "match", "measure").prefetch_related("history")
    out: dict[int, dict] = {}
    for p in qs:
        t = out.get(p.park_id)
        if t is None:
            t = out[p.park_id] = _empty_totals() | {
                "park_code": p.park.code,
                "park_name": p.park.name_vi,
                "province_id": p.park.province_id,
            }
        _add(t, p, observed(p) if p.stage in OBSERVABLE else None)
    return out


def area_totals(summary: dict) -> tuple[dict, dict]:
    """Sums of ``pipeline_summary`` rows per province (``{province_id: totals}``) and over
    all rows (the nation, within the rows given)."""
    provinces: dict = defaultdict(_empty_totals)
    nation = _empty_totals()
    for row in summary.values():
        for target in (provinces[row["province_id"]], nation):
            for k, v in row.items():
                if k in ("counts", "reached"):
                    for s, n in v.items():
                        target[k][s] += n
                elif k in target and isinstance(v, (int, float)):
                    target[k] += v
    return dict(provinces), nation


def funnel_chart(totals: dict, title: str = "") -> dict:
    labels = [str(Stage(s).label) for s in FUNNEL] + [str(Stage.DROPPED.label)]
    data = [totals["counts"][s] for s in FUNNEL] + [totals["counts"][Stage.DROPPED]]
    reached = [totals["reached"][s] for s in FUNNEL] + [None]
    return {
        "kind": "bar",
        "title": title,
        "unit": _("projects"),
        "decimals": 0,
        "labels": labels,
        "series": [
            {"name": _("Reached the stage"), "data": reached},
            {"name": _("At the stage now"), "data": data},
        ],
    }


def match_projects(user, match, exact: bool) -> dict:
    """For the match page: the user's visible project sheets built from ``match`` and whether
    the user may open a new one (the match seen in full, its receiver's park writable)."""
    from eiphub.accounts.scoping import project_parks_writable_by, projects_for

    existing = list(projects_for(user).filter(match=match).order_by("pk")[:5])
    park_id = match.want.enterprise.park_id
    can = exact and project_parks_writable_by(user).filter(pk=park_id).exists()
    return {"projects": existing, "can_create": bool(can)}
