"""Exchange-network scenarios: who may see and create them, building the optimisation
problem from a park's or province's published listings, solving and storing it,
comparing scenarios, the charts, and turning a chosen link into a match proposal.

Who sees what (all scopes come from ``eiphub.accounts.scoping``):
- park scenarios: every user whose ``parks_for`` holds the park;
- province scenarios: board and ministry users whose parks lie in that province;
- boards, developers and consultants create scenarios for their parks (boards also
  for their province); the ministry only reads;
- enterprise users see a scenario's totals and the links their own enterprise takes
  part in; the counterpart is named only when the exchange's blind rules name its
  listing to them (``exchange.services.Viewer``).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_for, parks_for, role_of
from eiphub.core.catalogue import default_catalogue
from eiphub.exchange import services as xs
from eiphub.exchange.listings import note_facts
from eiphub.exchange.models import Listing, Match, MatchNote
from eiphub.registry.models import Park, Province
from eiphub.symbiosis import matching as core
from eiphub.symbiosis.network import (
    DEFAULT_MATCH_PARAMS,
    NetworkError,
    greedy_baseline,
    pareto_front,
    problem_from_matches,
    sensitivity,
    solve_network,
)

from .models import Objective, Scenario

CREATOR_ROLES = {Role.BOARD, Role.DEVELOPER, Role.CONSULTANT}
PROVINCE_ROLES = {Role.BOARD, Role.MINISTRY}
DEFAULT_TIME_LIMIT_S = 30.0
MAX_PARETO_POINTS = 9
FAMILY_LABELS = xs.GROUP_LABELS  # top-level resource code -> English label


class ScenarioError(Exception):
    """A refused request (translated message; ``status`` 400, 403 or 409)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


# --------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------


def can_create(user) -> bool:
    return role_of(user) in CREATOR_ROLES or bool(getattr(user, "is_superuser", False))


def creatable_parks(user) -> QuerySet[Park]:
    return parks_for(user) if can_create(user) else Park.objects.none()


def readable_provinces(user) -> QuerySet[Province]:
    """Provinces whose province-wide scenarios the user may read."""
    if role_of(user) not in PROVINCE_ROLES:
        return Province.objects.none()
    return Province.objects.filter(parks__in=parks_for(user)).distinct()


def creatable_provinces(user) -> QuerySet[Province]:
    if not can_create(user) or role_of(user) not in PROVINCE_ROLES:
        return Province.objects.none()
    return readable_provinces(user)


def scenarios_for(user) -> QuerySet[Scenario]:
    q = Q(park__in=parks_for(user)) | Q(province__in=readable_provinces(user))
    return Scenario.objects.filter(q).select_related("park", "province", "created_by")


def is_redacted(user) -> bool:
    """Enterprise users see totals and their own links only."""
    return role_of(user) == Role.ENTERPRISE


# --------------------------------------------------------------------------
# Problem building and solving
# --------------------------------------------------------------------------


@dataclass
class Inputs:
    listings: list  # core.Listing
    matches: list  # core.Match
    problem: object  # NetworkProblem
    db: dict  # listing pk (str) -> Listing


def _scope_listings(park: Park | None, province: Province | None) -> QuerySet[Listing]:
    """Published listings of the province (a park's neighbours in its province too)."""
    prov_id = park.province_id if park is not None else province.pk
    return Listing.objects.filter(
        status=Listing.Status.PUBLISHED, enterprise__park__province_id=prov_id
    ).select_related("enterprise__park")


def build_inputs(park: Park | None = None, province: Province | None = None, params=None):
    """Listings, all candidate matches (core matcher) and the network problem.

    For a park, listings of its whole province are matched (neighbours can trade)
    and the links touching the park are kept."""
    params = {**DEFAULT_MATCH_PARAMS, **(params or {})}
    db = {str(x.pk): x for x in _scope_listings(park, province)}
    items = xs.core_listings(db.values())
    mp = core.MatchParams(
        max_distance_km=float(params["max_distance_km"]) if params.get("max_distance_km") else None,
        max_matches_per_offer=None,
    )
    matches = core.match(items, params=mp)
    if park is not None:
        matches = [m for m in matches if park.code in (m.offer_park, m.want_park)]
    prob_params = {
        k: params[k]
        for k in ("fixed_cost_vnd_per_year", "min_flow_fraction", "discount_rate", "lifetime_years")
        if k in params
    }
    problem = problem_from_matches(items, matches, prob_params)
    return Inputs(items, matches, problem, db)


def _family(code: str) -> str:
    return (code or "").split(".")[0] or "other"


def _snapshot(inp: Inputs) -> dict:
    used = {s.id for s in inp.problem.supplies} | {d.id for d in inp.problem.demands}
    by_match = {f"{m.offer_id}->{m.want_id}": m for m in inp.matches}
    listings = []
    for x in inp.listings:
        if x.id not in used:
            continue
        ent = inp.db[x.id].enterprise
        listings.append(
            {
                "id": x.id,
                "kind": x.kind,
                "enterprise_id": ent.pk,
                "enterprise": ent.name_vi,
                "enterprise_en": ent.name_en or ent.name_vi,
                "park": x.park,
                "resource": x.resource,
                "quantity": x.quantity,
                "unit": x.unit,
            }
        )
    links = []
    for lk in inp.problem.links:
        m = by_match[lk.id]
        links.append(
            {
                "id": lk.id,
                "supply": lk.supply,
                "demand": lk.demand,
                "unit_benefit": lk.unit_benefit,
                "distance_km": lk.distance_km,
                "capacity": lk.capacity,
                "fixed_cost": lk.fixed_cost,
                "co2_per_unit": lk.co2_per_unit,
                "score": m.score,
                "pathway": m.pathway,
                "facts": [{"code": f.code, **f.params} for f in m.facts],
            }
        )
    return {
        "listings_considered": len(inp.listings),
        "candidate_links": len(links),
        "listings": listings,
        "links": links,
    }


def _chosen(result, snap: dict) -> list[dict]:
    lst = {x["id"]: x for x in snap["listings"]}
    links = {x["id"]: x for x in snap["links"]}
    out = []
    for lf in result.links:
        offer, want, link = lst[lf.supply], lst[lf.demand], links[lf.link]
        gross = link["unit_benefit"] * lf.flow
        out.append(
            {
                "link": lf.link,
                "offer_id": int(lf.supply),
                "want_id": int(lf.demand),
                "supplier_id": offer["enterprise_id"],
                "receiver_id": want["enterprise_id"],
                "supplier_park": offer["park"],
                "receiver_park": want["park"],
                "resource": offer["resource"],
                "want_resource": want["resource"],
                "family": _family(offer["resource"]),
                "flow": lf.flow,
                "unit": lf.unit,
                "distance_km": link["distance_km"],
                "gross_vnd_per_year": gross,
                "net_benefit_vnd_per_year": lf.net_benefit_vnd_per_year,
                "fixed_cost_vnd_per_year": lf.fixed_cost_vnd_per_year,
                "co2e_t_per_year": lf.co2e_t_per_year,
                "pathway": link["pathway"],
                "match_id": None,
            }
        )
    out.sort(key=lambda r: -r["net_benefit_vnd_per_year"])
    return out


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def check_scenario_scope(user, park: Park | None, province: Province | None) -> None:
    """Raise ScenarioError unless the user may create a scenario for exactly one of
    the park or the province (pages check before queueing the job)."""
    if (park is None) == (province is None):
        raise ScenarioError(_("Choose either a park or a province."))
    if park is not None and not creatable_parks(user).filter(pk=park.pk).exists():
        raise ScenarioError(_("You cannot create scenarios for this park."), 403)
    if province is not None and not creatable_provinces(user).filter(pk=province.pk).exists():
        raise ScenarioError(_("You cannot create scenarios for this province."), 403)


def check_scenario_request(
    user,
    park: Park | None,
    province: Province | None,
    objective: str,
    carbon_price_vnd_per_t: float,
    pareto_points: int,
    *,
    check_scope: bool = True,
) -> None:
    """Refuse (``ScenarioError``) a scenario that may not or cannot be run, before it is
    queued as a job or solved."""
    if check_scope:
        check_scenario_scope(user, park, province)
    elif (park is None) == (province is None):
        raise ScenarioError(_("Choose either a park or a province."))
    if objective not in Objective.values:
        raise ScenarioError(_("Unknown objective."))
    if carbon_price_vnd_per_t < 0 or not 0 <= pareto_points <= MAX_PARETO_POINTS:
        raise ScenarioError(
            _("The carbon price must be ≥ 0 and the Pareto points between 0 and %(n)d.")
            % {"n": MAX_PARETO_POINTS}
        )


def run_scenario(
    user,
    *,
    name: str,
    park: Park | None = None,
    province: Province | None = None,
    objective: str = Objective.BENEFIT,
    carbon_price_vnd_per_t: float = 0.0,
    pareto_points: int = 0,
    with_sensitivity: bool = False,
    params: dict | None = None,
    check_scope: bool = True,
) -> Scenario:
    """Build, solve and store a scenario (synchronously).  ``check_scope=False`` is for
    commands run by the operator (demo data), not for requests."""
    check_scenario_request(
        user,
        park,
        province,
        objective,
        carbon_price_vnd_per_t,
        pareto_points,
        check_scope=check_scope,
    )
    params = {"time_limit_s": DEFAULT_TIME_LIMIT_S, "mip_gap": 1e-4, **(params or {})}
    parameters = {
        "carbon_price_vnd_per_t": carbon_price_vnd_per_t,
        "pareto_points": pareto_points,
        "sensitivity": with_sensitivity,
        **params,
    }
    scenario = Scenario(
        name=name[:200],
        park=park,
        province=province,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        objective=objective,
        parameters=parameters,
    )
    tl, gap = float(params["time_limit_s"]), float(params["mip_gap"])
    try:
        inp = build_inputs(park, province, params)
        snap = _snapshot(inp)
        scenario.inputs = snap
        weights = {"benefit": 1.0, "co2": carbon_price_vnd_per_t}
        res = solve_network(inp.problem, objective, weights=weights, mip_gap=gap, time_limit=tl)
        greedy = greedy_baseline(inp.problem)
        scenario.solver_status = res.status
        scenario.message = res.message
        scenario.gap = res.to_dict()["gap"]
        scenario.build_s, scenario.solve_s = res.build_s, res.solve_s
        scenario.objective_value = res.objective
        scenario.benefit_vnd_per_year = res.benefit_vnd_per_year
        scenario.co2e_t_per_year = res.co2e_t_per_year
        scenario.summary = _finite(
            {
                "gross_benefit_vnd_per_year": res.gross_benefit_vnd_per_year,
                "transport_cost_vnd_per_year": res.transport_cost_vnd_per_year,
                "fixed_cost_vnd_per_year": res.fixed_cost_vnd_per_year,
                "n_candidate_links": res.n_candidate_links,
                "excluded": res.excluded,
                "facilities": res.facilities,
                "greedy": {
                    "benefit_vnd_per_year": greedy.benefit_vnd_per_year,
                    "co2e_t_per_year": greedy.co2e_t_per_year,
                    "n_links": len(greedy.links),
                },
            }
        )
        scenario.chosen_links = _finite(_chosen(res, snap))
        scenario.status = Scenario.Status.DONE if res.feasible else Scenario.Status.FAILED
        if res.feasible and pareto_points >= 2:
            scenario.pareto = _finite(pareto_front(inp.problem, pareto_points, gap, tl))
        if res.feasible and with_sensitivity:
            scenario.sensitivity = _finite(
                sensitivity(inp.problem, objective="benefit", mip_gap=gap, time_limit=tl)
            )
    except NetworkError as exc:
        scenario.status = Scenario.Status.FAILED
        scenario.solver_status = exc.code
        scenario.message = str(exc)
    scenario.save()
    return scenario


# --------------------------------------------------------------------------
# Projection for one user
# --------------------------------------------------------------------------


def _lang() -> str:
    return translation.get_language() or "vi"


def family_label(code: str) -> str:
    label = FAMILY_LABELS.get(code)
    return _(label) if label else code


def resource_label(code: str) -> str:
    res = default_catalogue().get(code) if code else None
    return res.name(_lang()) if res else (code or "—")


_LEGAL = re.compile(
    r"^(tổng công ty|công ty tnhh mtv|công ty tnhh|công ty cổ phần|công ty cp|công ty)\s+"
    r"|\s*(,?\s*co\.,? ltd\.?|,?\s*jsc|joint stock company|company limited|"
    r"\(minh họa\)|\(illustrative\))$",
    re.IGNORECASE,
)


def short_name(name: str | None) -> str | None:
    """An enterprise name without its legal form, for chart labels."""
    if not name:
        return name
    prev = None
    while prev != name:
        prev, name = name, _LEGAL.sub("", name).strip()
    return name or prev


def _clip(text: str, n: int = 18) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class ScenarioView:
    """A scenario as one user may see it: ``links`` are the visible chosen links with
    display names (``supplier``/``receiver`` None when hidden)."""

    def __init__(self, user, scenario: Scenario):
        self.user = user
        self.s = scenario
        self.redacted = is_redacted(user)
        names = {x["enterprise_id"]: x for x in (scenario.inputs or {}).get("listings", [])}
        lang = _lang()
        ids = {r["supplier_id"] for r in scenario.chosen_links} | {
            r["receiver_id"] for r in scenario.chosen_links
        }
        if self.redacted:
            viewer = xs.Viewer(user)
            own = viewer.own_ids
            listings = Listing.objects.select_related("enterprise__park").in_bulk(
                {r["offer_id"] for r in scenario.chosen_links}
                | {r["want_id"] for r in scenario.chosen_links}
            )
            rows = []
            for r in scenario.chosen_links:
                if r["supplier_id"] not in own and r["receiver_id"] not in own:
                    continue
                other = r["want_id"] if r["supplier_id"] in own else r["offer_id"]
                lst = listings.get(other)
                named = lst is not None and viewer.level(lst) != xs.BLIND
                row = self._row(r, names, lang, own | ({lst.enterprise_id} if named else set()))
                if not named:  # the one blind projection of exchange (ids, distance, flow)
                    row = xs.blind_link(row, "receiver" if r["supplier_id"] in own else "supplier")
                rows.append(row)
            self.links = rows
        else:
            visible = set(enterprises_for(user).filter(pk__in=ids).values_list("pk", flat=True))
            if getattr(user, "is_superuser", False):
                visible = ids
            self.links = [self._row(r, names, lang, visible) for r in scenario.chosen_links]

    def _row(self, r, names, lang, visible) -> dict:
        def name(eid):
            if eid not in visible:
                return None
            x = names.get(eid, {})
            return x.get("enterprise_en") if lang.startswith("en") else x.get("enterprise")

        supplier, receiver = name(r["supplier_id"]), name(r["receiver_id"])
        return {
            **r,
            "supplier": supplier,
            "receiver": receiver,
            "supplier_short": short_name(supplier),
            "receiver_short": short_name(receiver),
            "resource_name": resource_label(r["resource"]),
            "family_name": family_label(r["family"]),
        }

    @property
    def can_propose(self) -> bool:
        return can_propose(self.user, self.s)

    def graph_spec(self) -> dict:
        """The chosen network: enterprises (category = park), links weighted by net benefit."""
        nodes, links = {}, []
        hidden = _("[hidden enterprise]")
        for r in self.links:
            a = short_name(r["supplier"]) or f"{hidden} {r['supplier_park']}"
            b = short_name(r["receiver"]) or f"{hidden} {r['receiver_park']}"
            for n, park in ((a, r["supplier_park"]), (b, r["receiver_park"])):
                node = nodes.setdefault(n, {"name": n, "category": park, "value": 0.0})
                node["value"] = round(node["value"] + (r["net_benefit_vnd_per_year"] or 0) / 1e6, 1)
            links.append(
                {
                    "source": a,
                    "target": b,
                    "value": round((r["net_benefit_vnd_per_year"] or 0) / 1e6, 1),
                }
            )
        return {
            "kind": "graph",
            "title": _("Chosen exchange network"),
            "unit": _("million VND/yr"),
            "decimals": 1,
            "nodes": list(nodes.values()),
            "links": links,
        }

    def sankey_spec(self) -> dict:
        """Suppliers -> resource family -> receivers, valued at the exchanged resources'
        gross value (avoided purchase and disposal), million VND/yr."""
        flows: dict[tuple, float] = defaultdict(float)
        hidden = _("[hidden enterprise]")
        for r in self.links:
            fam = family_label(r["family"])
            a = _clip(short_name(r["supplier"]) or f"{hidden} {r['supplier_park']}")
            b = "→ " + _clip(short_name(r["receiver"]) or f"{hidden} {r['receiver_park']}")
            v = max(r["gross_vnd_per_year"] or 0.0, 0.0) / 1e6  # None: banded (blind)
            flows[(a, fam)] += v
            flows[(fam, b)] += v
        names = list(dict.fromkeys(n for pair in flows for n in pair))
        return {
            "kind": "sankey",
            "title": _("Exchanged value by resource family"),
            "unit": _("million VND/yr"),
            "decimals": 1,
            "nodes": [{"name": n} for n in names],
            "links": [
                {"source": a, "target": b, "value": round(v, 2)}
                for (a, b), v in flows.items()
                if v > 0
            ],
        }

    def pareto_spec(self) -> dict | None:
        pts = [p for p in (self.s.pareto or []) if "co2e_t_per_year" in p]
        if len(pts) < 2:
            return None
        return {
            "kind": "line",
            "title": _("Pareto front: net benefit versus CO2 avoided (ε-constraint)"),
            "unit": _("million VND/yr"),
            "decimals": 0,
            "labels": [f"{p['co2e_t_per_year']:,.0f} tCO2e" for p in pts],
            "series": [
                {
                    "name": _("Net benefit"),
                    "data": [round(p["benefit_vnd_per_year"] / 1e6, 1) for p in pts],
                }
            ],
        }

    def sensitivity_rows(self) -> list[dict]:
        sens = self.s.sensitivity or {}
        labels = {
            "price": _("Prices"),
            "distance": _("Distances"),
            "fixed_cost": _("Fixed costs"),
            "transport_cost": _("Transport cost"),
        }
        return [{**c, "label": labels.get(c["factor"], c["factor"])} for c in sens.get("cases", [])]

    def to_dict(self) -> dict:
        s = self.s
        out = {
            "id": s.pk,
            "name": s.name,
            "park": s.park.code if s.park_id else None,
            "province": s.province.code if s.province_id else None,
            "created": s.created.isoformat() if s.created else None,
            "objective": s.objective,
            "parameters": s.parameters,
            "status": s.status,
            "solver_status": s.solver_status,
            "message": s.message,
            "gap": s.gap,
            "build_s": s.build_s,
            "solve_s": s.solve_s,
            "objective_value": s.objective_value,
            "benefit_vnd_per_year": s.benefit_vnd_per_year,
            "co2e_t_per_year": s.co2e_t_per_year,
            "n_links": len(s.chosen_links),
            "summary": s.summary,
            "links": [
                {
                    k: v
                    for k, v in r.items()
                    if k not in ("resource_name", "family_name", "supplier_short", "receiver_short")
                }
                for r in self.links
            ],
            "pareto": None if self.redacted else s.pareto,
            "sensitivity": None if self.redacted else s.sensitivity,
        }
        if self.redacted:
            out["summary"] = {k: v for k, v in (s.summary or {}).items() if k != "excluded"}
        return out


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


def column_label(s: Scenario) -> str:
    return f"#{s.pk} {s.park.code if s.park_id else s.province.code}"


def compare(user, scenarios: list[Scenario]) -> dict:
    """Side-by-side KPIs and which chosen links each scenario shares."""
    views = [ScenarioView(user, s) for s in scenarios]
    kpis = [
        (_("Net benefit (VND/yr)"), "vnd", [s.benefit_vnd_per_year for s in scenarios]),
        (_("CO2 avoided (tCO2e/yr)"), "num", [s.co2e_t_per_year for s in scenarios]),
        (_("Chosen links"), "int", [len(s.chosen_links) for s in scenarios]),
        (
            _("Greedy baseline (VND/yr)"),
            "vnd",
            [(s.summary or {}).get("greedy", {}).get("benefit_vnd_per_year") for s in scenarios],
        ),
        (_("Gap"), "pct", [s.gap for s in scenarios]),
        (_("Solve time (s)"), "num", [s.build_s + s.solve_s for s in scenarios]),
    ]
    link_rows: dict[str, dict] = {}
    for k, v in enumerate(views):
        for r in v.links:
            row = link_rows.setdefault(r["link"], {"row": r, "in": [None] * len(views)})
            row["in"][k] = r["flow"]
    labels = [column_label(s) for s in scenarios]
    charts = [
        {
            "kind": "bar",
            "title": _("Net benefit (billion VND/yr)"),
            "decimals": 1,
            "labels": labels,
            "series": [
                {
                    "name": _("Net benefit"),
                    "data": [round(s.benefit_vnd_per_year / 1e9, 2) for s in scenarios],
                }
            ],
        },
        {
            "kind": "bar",
            "title": _("CO2 avoided (tCO2e/yr)"),
            "decimals": 0,
            "labels": labels,
            "series": [
                {"name": "tCO2e/yr", "data": [round(s.co2e_t_per_year, 1) for s in scenarios]}
            ],
        },
    ]
    return {
        "views": views,
        "kpis": kpis,
        "links": sorted(link_rows.values(), key=lambda x: x["row"]["link"]),
        "charts": charts,
        "labels": labels,
    }


# --------------------------------------------------------------------------
# Proposal in the exchange workflow
# --------------------------------------------------------------------------


def can_propose(user, scenario: Scenario) -> bool:
    if scenario.park_id:
        return creatable_parks(user).filter(pk=scenario.park_id).exists()
    return creatable_provinces(user).filter(pk=scenario.province_id).exists()


@transaction.atomic
def propose_link(user, scenario: Scenario, link_id: str) -> Match:
    """Turn a chosen link into a match of the exchange workflow.

    The exchange has no "propose from a plan" service yet, so the Match row is created
    here directly (status identified, figures from the scenario) with a note naming
    the scenario, and both enterprises are notified through the exchange's
    ``notify``; an existing match of the pair is reused and keeps its state."""
    if not can_propose(user, scenario):
        raise ScenarioError(_("You cannot propose exchanges from this scenario."), 403)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    rows = [r for r in scenario.chosen_links if r["link"] == link_id]
    if not rows:
        raise ScenarioError(_("This link is not part of the scenario's chosen network."), 404)
    row = rows[0]
    pair = Listing.objects.filter(
        pk__in=[row["offer_id"], row["want_id"]], status=Listing.Status.PUBLISHED
    ).in_bulk()
    if len(pair) != 2:
        raise ScenarioError(_("One of the two listings is no longer published."), 409)
    link = next((x for x in scenario.inputs.get("links", []) if x["id"] == link_id), {})
    match, created = Match.objects.get_or_create(
        offer_id=row["offer_id"],
        want_id=row["want_id"],
        defaults={
            "score": link.get("score", 0.0),
            "distance_km": row["distance_km"],
            "matched_quantity": row["flow"],
            "unit": row["unit"][:20],
            "pathway": (row.get("pathway") or "")[:20],
            "facts": link.get("facts")
            or note_facts(link.get("explanation", ""), link.get("explanation_vi", "")),
            "benefit_vnd_per_year": row["net_benefit_vnd_per_year"],
            "co2e_t_per_year": row["co2e_t_per_year"],
            "status": Match.Status.IDENTIFIED,
        },
    )
    with translation.override("en"):
        note = f"Proposed from network scenario “{scenario.name}” (#{scenario.pk})."
    MatchNote.objects.create(match=match, author=user, side="", kind=MatchNote.Kind.NOTE, text=note)
    if created:
        url = reverse("exchange:match_detail", args=[match.pk])
        for lst in pair.values():
            xs.notify_later(
                lst.enterprise_id, "plan_proposed", xs.resource_params(lst), url, owner=user
            )
    for r in scenario.chosen_links:
        if r["link"] == link_id:
            r["match_id"] = match.pk
    scenario.save(update_fields=["chosen_links"])
    return match
