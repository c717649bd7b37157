"""Symbiosis exchange network optimisation (MILP, HiGHS).

The matcher lists candidate exchanges one pair at a time; this module chooses the
*set* of exchanges, links (pipes, contracts, pre-treatment) and shared facilities
that is best for a whole park or province.

Model (one column block per family, one row block per constraint family)::

    x_l >= 0        flow on candidate link l (units of the supply per year)
    y_l in {0,1}    link l is built/contracted (only for links with a fixed cost,
                    a minimum economic flow or a facility)
    z_f in {0,1}    shared facility f is built

    sum_{l from i} x_l <= S_i                     supply_balance
    D_j^min <= sum_{l to j} r_l x_l <= D_j         demand_balance (r_l: yield ratio)
    x_l <= U_l y_l,   x_l >= m_l y_l               link_capacity, link_minimum_flow
    y_l <= z_f(l),    sum_{l via f} x_l <= K_f z_f  facility_links, facility_capacity

Each family is one ``define_<family>`` function adding one named block of columns
(``flow``, ``link_build``, ``facility``) or rows, with one label per row such as
``supply_balance[S1]``; the CO2 stage adds ``co2_floor`` (``define_co2_floor``).

with U_l = min(link capacity, S_i, D_j) (the tightest big-M).  Links that break a
quality (``compatible=False`` without a pre-treatment facility) or hazardous-licence
rule are removed before the model is built and listed with the reason.

Objectives: ``benefit`` (net VND/yr = margin*flow - annualised fixed costs),
``co2`` (tCO2e/yr avoided, ties broken by benefit) or ``weighted``
(``weights["benefit"] * VND + weights["co2"] * tCO2e``, i.e. the CO2 weight is a
shadow carbon price in VND/tCO2e).  :func:`pareto_front` traces cost versus CO2 by
the epsilon-constraint method, :func:`sensitivity` re-solves under scaled prices,
distances and fixed costs.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from eiphub.core.errors import CodedError
from eiphub.symbiosis import lp

OBJ_SCALE = 1e-6  # the solver sees millions of VND: better conditioned

# HiGHS's root reduced-cost heuristic (a sub-MIP over the variables with small reduced
# costs) took most of the solve time on these fixed-charge exchange networks without
# finding better networks than RINS/RENS: turning it off halved the median time to
# proven optimality on 20 synthetic parks (bench_network, CPU 0.72 s -> 0.45 s median).
MIP_OPTIONS = {"mip_heuristic_run_root_reduced_cost": False}


class NetworkError(CodedError, ValueError):
    """Bad network input.  ``code``: duplicate_id, unknown_ref, negative_value, bad_objective."""


@dataclass(frozen=True)
class Supply:
    id: str
    quantity: float  # per year, in ``unit``
    resource: str = ""
    unit: str = "t"
    enterprise: str = ""
    park: str = ""
    hazardous: bool = False
    required_licence: str = "hazardous_waste"


@dataclass(frozen=True)
class Demand:
    id: str
    quantity: float  # per year
    resource: str = ""
    unit: str = "t"
    enterprise: str = ""
    park: str = ""
    min_quantity: float = 0.0  # must be delivered (contract); infeasible otherwise
    licences: frozenset = frozenset()


@dataclass(frozen=True)
class Link:
    id: str
    supply: str
    demand: str
    unit_benefit: float  # VND per unit delivered (avoided purchase + avoided disposal)
    distance_km: float = 0.0
    transport_cost_per_unit_km: float = 0.0  # VND per t.km (or per unit.km)
    fixed_cost: float = 0.0  # VND/yr (contract, O&M of a pipe)
    capex: float = 0.0  # VND, annualised with the problem's discount rate and lifetime
    capacity: float = math.inf
    min_flow: float = 0.0  # minimum economic flow when the link is active
    co2_per_unit: float = 0.0  # tCO2e avoided per unit delivered (before transport)
    facility: str | None = None  # shared facility the link needs (hub, regeneration...)
    compatible: bool = True  # quality check; False needs a pre-treatment facility
    yield_ratio: float = 1.0  # demand units covered per supply unit sent (pathway ratio)


@dataclass(frozen=True)
class Facility:
    id: str
    fixed_cost: float = 0.0  # VND/yr
    capex: float = 0.0  # VND, annualised
    capacity: float = math.inf  # total flow through the facility per year
    co2_per_year: float = 0.0  # tCO2e/yr emitted by running it
    kind: str = ""


@dataclass
class NetworkProblem:
    supplies: list[Supply]
    demands: list[Demand]
    links: list[Link]
    facilities: list[Facility] = field(default_factory=list)
    discount_rate: float = 0.10
    lifetime_years: float = 10.0
    transport_co2_per_unit_km: float = 0.0  # tCO2e per t.km, subtracted from CO2 avoided
    name: str = ""


@dataclass
class LinkFlow:
    link: str
    supply: str
    demand: str
    flow: float
    unit: str
    net_benefit_vnd_per_year: float  # margin*flow - fixed costs of the link
    co2e_t_per_year: float
    fixed_cost_vnd_per_year: float


@dataclass
class NetworkResult:
    status: str  # optimal, time_limit, infeasible, greedy, ...
    objective_name: str
    objective: float | None
    gap: float
    build_s: float
    solve_s: float
    links: list[LinkFlow]
    facilities: list[str]
    benefit_vnd_per_year: float  # net: gross - transport - fixed costs
    gross_benefit_vnd_per_year: float
    transport_cost_vnd_per_year: float
    fixed_cost_vnd_per_year: float
    co2e_t_per_year: float
    n_candidate_links: int
    excluded: list[dict]
    message: str = ""

    @property
    def feasible(self) -> bool:
        return self.objective is not None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["gap"] = None if not math.isfinite(self.gap) else self.gap
        return out


def crf(rate: float, years: float) -> float:
    """Capital recovery factor: annual payment per unit of capital."""
    if years <= 0:
        raise NetworkError("negative_value", "lifetime must be positive", lifetime=years)
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


# ---------------------------------------------------------------------------
# Arrays


@dataclass
class _Arrays:
    problem: NetworkProblem
    links: list[Link]  # allowed links only
    excluded: list[dict]
    S: np.ndarray
    D: np.ndarray
    Dmin: np.ndarray
    si: np.ndarray
    di: np.ndarray
    gross: np.ndarray  # VND per unit
    transport: np.ndarray  # VND per unit
    co2: np.ndarray  # tCO2e per unit, net of transport emissions
    cap: np.ndarray  # effective upper bound U_l
    minf: np.ndarray
    fixed: np.ndarray  # VND/yr
    ratio: np.ndarray  # demand units per supply unit
    fi: np.ndarray  # facility index or -1
    needs_y: np.ndarray  # bool
    fac_fixed: np.ndarray
    fac_cap: np.ndarray
    fac_co2: np.ndarray
    # ids (object arrays) naming the model's rows and columns
    link_ids: np.ndarray
    supply_ids: np.ndarray
    demand_ids: np.ndarray
    facility_ids: np.ndarray

    @property
    def margin(self) -> np.ndarray:
        return self.gross - self.transport


def _check_ids(items, kind):
    seen = set()
    for it in items:
        if it.id in seen:
            raise NetworkError(
                "duplicate_id", f"duplicate {kind} id {it.id!r}", kind=kind, id=it.id
            )
        seen.add(it.id)


def _arrays(p: NetworkProblem) -> _Arrays:
    _check_ids(p.supplies, "supply")
    _check_ids(p.demands, "demand")
    _check_ids(p.links, "link")
    _check_ids(p.facilities, "facility")
    s_idx = {s.id: k for k, s in enumerate(p.supplies)}
    d_idx = {d.id: k for k, d in enumerate(p.demands)}
    f_idx = {f.id: k for k, f in enumerate(p.facilities)}
    for s in p.supplies:
        if not s.quantity >= 0:
            raise NetworkError("negative_value", f"supply {s.id!r}: quantity must be >= 0", id=s.id)
    for d in p.demands:
        if not (d.quantity >= 0 and 0 <= d.min_quantity <= d.quantity):
            raise NetworkError(
                "negative_value",
                f"demand {d.id!r}: need 0 <= min_quantity <= quantity",
                id=d.id,
            )
    annual = crf(p.discount_rate, p.lifetime_years)
    allowed, excluded = [], []
    for link in p.links:
        for ref, table, kind in (
            (link.supply, s_idx, "supply"),
            (link.demand, d_idx, "demand"),
        ):
            if ref not in table:
                raise NetworkError(
                    "unknown_ref", f"link {link.id!r}: unknown {kind} {ref!r}", link=link.id
                )
        if link.facility is not None and link.facility not in f_idx:
            raise NetworkError(
                "unknown_ref",
                f"link {link.id!r}: unknown facility {link.facility!r}",
                link=link.id,
            )
        for name in ("distance_km", "transport_cost_per_unit_km", "fixed_cost", "capex"):
            if not getattr(link, name) >= 0:
                raise NetworkError(
                    "negative_value", f"link {link.id!r}: {name} must be >= 0", link=link.id
                )
        if not (link.capacity >= 0 and link.min_flow >= 0 and link.yield_ratio > 0):
            raise NetworkError(
                "negative_value",
                f"link {link.id!r}: capacity/min_flow must be >= 0, yield_ratio > 0",
                link=link.id,
            )
        sup = p.supplies[s_idx[link.supply]]
        dem = p.demands[d_idx[link.demand]]
        if sup.hazardous and sup.required_licence not in dem.licences:
            excluded.append({"link": link.id, "reason": "licence", "licence": sup.required_licence})
        elif not link.compatible and link.facility is None:
            excluded.append({"link": link.id, "reason": "quality"})
        elif link.min_flow > min(link.capacity, sup.quantity, dem.quantity / link.yield_ratio):
            excluded.append({"link": link.id, "reason": "min_flow_unreachable"})
        else:
            allowed.append(link)
    n = len(allowed)

    def col(name, dtype=float):
        return np.fromiter((getattr(link, name) for link in allowed), dtype=dtype, count=n)

    S = np.array([s.quantity for s in p.supplies], float)
    D = np.array([d.quantity for d in p.demands], float)
    si = np.fromiter((s_idx[link.supply] for link in allowed), np.int64, n)
    di = np.fromiter((d_idx[link.demand] for link in allowed), np.int64, n)
    fi = np.fromiter(
        (-1 if link.facility is None else f_idx[link.facility] for link in allowed), np.int64, n
    )
    dist = col("distance_km")
    fixed = col("fixed_cost") + annual * col("capex")
    minf = col("min_flow")
    ratio = col("yield_ratio")
    fac_cap = np.array([f.capacity for f in p.facilities], float)
    # tightest big-M: a link carries no more than its supply, its demand and its facility
    cap = np.minimum(np.minimum(col("capacity"), S[si]), D[di] / ratio)
    cap = np.where(fi >= 0, np.minimum(cap, fac_cap[np.maximum(fi, 0)] if len(fac_cap) else 0), cap)
    fac_fixed = np.array([f.fixed_cost + annual * f.capex for f in p.facilities], float)
    return _Arrays(
        problem=p,
        links=allowed,
        excluded=excluded,
        S=S,
        D=D,
        Dmin=np.array([d.min_quantity for d in p.demands], float),
        si=si,
        di=di,
        gross=col("unit_benefit"),
        transport=col("transport_cost_per_unit_km") * dist,
        co2=col("co2_per_unit") - p.transport_co2_per_unit_km * dist,
        cap=cap,
        minf=minf,
        fixed=fixed,
        ratio=ratio,
        fi=fi,
        needs_y=(fixed > 0) | (minf > 0) | (fi >= 0),
        fac_fixed=fac_fixed,
        fac_cap=fac_cap,
        fac_co2=np.array([f.co2_per_year for f in p.facilities], float),
        link_ids=_ids(allowed),
        supply_ids=_ids(p.supplies),
        demand_ids=_ids(p.demands),
        facility_ids=_ids(p.facilities),
    )


def _ids(items) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = [it.id for it in items]
    return out


# ---------------------------------------------------------------------------
# Model


@dataclass
class _Built:
    model: lp.Model
    x: np.ndarray
    y: np.ndarray  # column of y for each link, -1 if none
    z: np.ndarray
    ylinks: np.ndarray  # link indices that have a y


# One ``define_*`` function per variable or constraint family (as PyPSA/linopy do):
# each adds one named block to the model, one label per column or row
# ("supply_balance[S1]", "link_capacity[S1->D2]"), so a row can be named when a
# result is explained.  A new family is a new ``define_*`` function called from
# :func:`_build` (or from the solve step that needs it, like the CO2 floor).


def define_flow_variables(m: lp.Model, a: _Arrays) -> np.ndarray:
    """x_l >= 0, flow on link l, bounded by the tightest big-M U_l."""
    return m.add_cols(len(a.links), upper=a.cap, name="flow", labels=a.link_ids)


def define_link_build_variables(m: lp.Model, a: _Arrays) -> tuple[np.ndarray, np.ndarray]:
    """y_l in {0,1} for the links with a fixed cost, a minimum flow or a facility.

    Returns (y, ylinks): the column of y for each link (-1 if none) and the links that
    have one."""
    ylinks = np.flatnonzero(a.needs_y)
    ycols = m.add_cols(
        len(ylinks),
        upper=1.0,
        integer=True,
        name="link_build",
        labels=lp.KeysAt(a.link_ids, ylinks),
    )
    y = np.full(len(a.links), -1, np.int64)
    y[ylinks] = ycols
    return y, ylinks


def define_facility_variables(m: lp.Model, a: _Arrays) -> np.ndarray:
    """z_f in {0,1}; a facility is worth opening only if some allowed link uses it."""
    used = np.zeros(len(a.fac_fixed), bool)
    used[a.fi[a.fi >= 0]] = True
    return m.add_cols(
        len(a.fac_fixed),
        upper=used.astype(float),
        integer=True,
        name="facility",
        labels=a.facility_ids,
    )


def define_supply_balance(
    m: lp.Model, a: _Arrays, x: np.ndarray, links: np.ndarray | None = None
) -> np.ndarray:
    """sum_{l from i} x_l <= S_i, one row per supply.  ``links``: the links whose flow
    columns are ``x`` (default all)."""
    si = a.si if links is None else a.si[links]
    return m.add_rows(
        len(a.S), si, x, np.ones(len(si)), hi=a.S, name="supply_balance", labels=a.supply_ids
    )


def define_demand_balance(
    m: lp.Model, a: _Arrays, x: np.ndarray, links: np.ndarray | None = None
) -> np.ndarray:
    """D_j^min <= sum_{l to j} r_l x_l <= D_j, one row per demand (r_l: yield ratio)."""
    di, ratio = (a.di, a.ratio) if links is None else (a.di[links], a.ratio[links])
    return m.add_rows(
        len(a.D), di, x, ratio, lo=a.Dmin, hi=a.D, name="demand_balance", labels=a.demand_ids
    )


def define_link_capacity(
    m: lp.Model, a: _Arrays, x: np.ndarray, y: np.ndarray, ylinks: np.ndarray
) -> np.ndarray:
    """x_l - U_l y_l <= 0 for every link with a y."""
    k = len(ylinks)
    return m.add_rows(
        k,
        np.repeat(np.arange(k), 2),
        np.column_stack([x[ylinks], y[ylinks]]).ravel(),
        np.column_stack([np.ones(k), -a.cap[ylinks]]).ravel(),
        hi=0.0,
        name="link_capacity",
        labels=lp.KeysAt(a.link_ids, ylinks),
    )


def define_link_minimum_flow(
    m: lp.Model, a: _Arrays, x: np.ndarray, y: np.ndarray, ylinks: np.ndarray
) -> np.ndarray:
    """x_l - m_l y_l >= 0 for the links with a minimum economic flow."""
    has_min = ylinks[a.minf[ylinks] > 0]
    kk = len(has_min)
    return m.add_rows(
        kk,
        np.repeat(np.arange(kk), 2),
        np.column_stack([x[has_min], y[has_min]]).ravel(),
        np.column_stack([np.ones(kk), -a.minf[has_min]]).ravel(),
        lo=0.0,
        name="link_minimum_flow",
        labels=lp.KeysAt(a.link_ids, has_min),
    )


def define_facility_links(m: lp.Model, a: _Arrays, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """y_l <= z_f(l): a link through a facility needs the facility."""
    via = np.flatnonzero(a.fi >= 0)
    kv = len(via)
    return m.add_rows(
        kv,
        np.repeat(np.arange(kv), 2),
        np.column_stack([y[via], z[a.fi[via]]]).ravel(),
        np.tile([1.0, -1.0], kv),
        hi=0.0,
        name="facility_links",
        labels=lp.KeysAt(a.link_ids, via),
    )


def define_facility_capacity(m: lp.Model, a: _Arrays, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """sum_{l via f} x_l - K_f z_f <= 0, K_f = min(capacity, what its links can carry).

    No rows when no allowed link uses a facility (every z is then fixed at 0)."""
    via = np.flatnonzero(a.fi >= 0)
    nf = len(a.fac_fixed) if len(via) else 0
    through = np.bincount(a.fi[via], weights=a.cap[via], minlength=nf)
    kcap = np.minimum(a.fac_cap[:nf], through)
    return m.add_rows(
        nf,
        np.concatenate([a.fi[via], np.arange(nf)]),
        np.concatenate([x[via], z[:nf]]),
        np.concatenate([np.ones(len(via)), -kcap]),
        hi=0.0,
        name="facility_capacity",
        labels=a.facility_ids[:nf],
    )


def define_facility_throughput(
    m: lp.Model, a: _Arrays, x: np.ndarray, links: np.ndarray
) -> np.ndarray:
    """sum_{l via f} x_l <= K_f without facility variables (the heuristics' flow LP,
    where every kept link is paid for).  No rows when no kept link uses a facility."""
    via = a.fi[links] >= 0
    nf = len(a.fac_cap) if via.any() else 0
    return m.add_rows(
        nf,
        a.fi[links][via],
        x[via],
        np.ones(int(via.sum())),
        hi=a.fac_cap[:nf],
        name="facility_throughput",
        labels=a.facility_ids[:nf],
    )


def define_co2_floor(m: lp.Model, a: _Arrays, b: _Built, co2_at_least: float) -> np.ndarray:
    """Total CO2 avoided >= ``co2_at_least`` (epsilon constraint, lexicographic CO2)."""
    co2_vec = _vectors(a, b)[1]
    every = np.arange(m.n_cols)
    return m.add_rows(
        1,
        np.zeros(m.n_cols, np.int64),
        every,
        co2_vec,
        lo=co2_at_least,
        name="co2_floor",
        labels=["total"],
    )


def _build(a: _Arrays) -> _Built:
    """The exchange-network MILP, one family at a time (see the module docstring)."""
    m = lp.Model()
    x = define_flow_variables(m, a)
    y, ylinks = define_link_build_variables(m, a)
    z = define_facility_variables(m, a)
    define_supply_balance(m, a, x)
    define_demand_balance(m, a, x)
    define_link_capacity(m, a, x, y, ylinks)
    define_link_minimum_flow(m, a, x, y, ylinks)
    define_facility_links(m, a, y, z)
    define_facility_capacity(m, a, x, z)
    return _Built(model=m, x=x, y=y, z=z, ylinks=ylinks)


def _coefficients(a: _Arrays, objective: str, weights: dict | None):
    """Solver objective per unit of link flow, per link built and per facility opened."""
    benefit = (a.margin * OBJ_SCALE, -a.fixed * OBJ_SCALE, -a.fac_fixed * OBJ_SCALE)
    co2 = (a.co2, np.zeros(len(a.links)), -a.fac_co2)
    if objective == "benefit":
        return benefit
    if objective == "co2":
        return co2
    if objective == "weighted":
        w = {"benefit": 1.0, "co2": 0.0, **(weights or {})}
        return tuple(
            w["benefit"] * b_ + w["co2"] * OBJ_SCALE * c_
            for b_, c_ in zip(benefit, co2, strict=True)
        )
    raise NetworkError("bad_objective", f"unknown objective {objective!r}", objective=objective)


def _objective(a: _Arrays, b: _Built, objective: str, weights: dict | None) -> np.ndarray:
    cx, cy, cz = _coefficients(a, objective, weights)
    cost = np.zeros(b.model.n_cols)
    cost[b.x] = cx
    cost[b.y[b.ylinks]] = cy[b.ylinks]
    cost[b.z] = cz
    return cost


def _dominated(a: _Arrays, objective: str, weights: dict | None) -> np.ndarray:
    """Links that no optimal network needs: their best possible contribution is <= 0.

    A built link adds ``cx * flow + cy`` with flow in [min_flow, U] (plus a share of its
    facility, which only costs).  If that is never positive, dropping the link from any
    solution keeps it feasible (less flow never breaks a supply, demand or facility
    capacity) and no worse, unless the link's demand has a contractual minimum.  Only
    valid for the plain objectives, not under an extra CO2 constraint.
    """
    cx, cy, _ = _coefficients(a, objective, weights)
    cy = np.where(a.needs_y, cy, 0.0)
    best = np.where(cx > 0, cx * a.cap, cx * a.minf) + cy
    return (best <= 0) & (a.Dmin[a.di] <= 0)


def _vectors(a: _Arrays, b: _Built) -> tuple[np.ndarray, np.ndarray]:
    """(benefit VND, tCO2e) objective vectors over all columns, unscaled."""
    benefit = _objective(a, b, "benefit", None) / OBJ_SCALE
    return benefit, _objective(a, b, "co2", None)


def _result(
    a: _Arrays,
    flow: np.ndarray | None,
    active: np.ndarray | None,
    opened: np.ndarray | None,
    *,
    status: str,
    objective_name: str,
    objective: float | None,
    gap: float,
    build_s: float,
    solve_s: float,
    message: str = "",
) -> NetworkResult:
    p = a.problem
    if flow is None:
        return NetworkResult(
            status=status,
            objective_name=objective_name,
            objective=None,
            gap=math.inf,
            build_s=build_s,
            solve_s=solve_s,
            links=[],
            facilities=[],
            benefit_vnd_per_year=0.0,
            gross_benefit_vnd_per_year=0.0,
            transport_cost_vnd_per_year=0.0,
            fixed_cost_vnd_per_year=0.0,
            co2e_t_per_year=0.0,
            n_candidate_links=len(p.links),
            excluded=a.excluded,
            message=message,
        )
    tol = 1e-6 * max(1.0, float(a.cap[np.isfinite(a.cap)].max(initial=1.0)))
    flow = np.where(flow > tol, flow, 0.0)
    active = active & (flow > 0) if active is not None else flow > 0
    link_fixed = np.where(active & a.needs_y, a.fixed, 0.0)
    chosen = np.flatnonzero(flow > 0)
    links = [
        LinkFlow(
            link=a.links[k].id,
            supply=a.links[k].supply,
            demand=a.links[k].demand,
            flow=float(flow[k]),
            unit=p.supplies[a.si[k]].unit,
            net_benefit_vnd_per_year=float(a.margin[k] * flow[k] - link_fixed[k]),
            co2e_t_per_year=float(a.co2[k] * flow[k]),
            fixed_cost_vnd_per_year=float(link_fixed[k]),
        )
        for k in chosen
    ]
    fac = np.asarray(opened, bool) if opened is not None else np.zeros(len(a.fac_fixed), bool)
    gross = float(a.gross @ flow)
    transport = float(a.transport @ flow)
    fixed_total = float(link_fixed.sum() + a.fac_fixed[fac].sum())
    return NetworkResult(
        status=status,
        objective_name=objective_name,
        objective=objective,
        gap=gap,
        build_s=build_s,
        solve_s=solve_s,
        links=links,
        facilities=[p.facilities[k].id for k in np.flatnonzero(fac)],
        benefit_vnd_per_year=gross - transport - fixed_total,
        gross_benefit_vnd_per_year=gross,
        transport_cost_vnd_per_year=transport,
        fixed_cost_vnd_per_year=fixed_total,
        co2e_t_per_year=float(a.co2 @ flow - a.fac_co2[fac].sum()),
        n_candidate_links=len(p.links),
        excluded=a.excluded,
        message=message,
    )


def _greedy_point(a: _Arrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy: take links in order of attainable value, fill as much as possible."""
    n = len(a.links)
    flow = np.zeros(n)
    active = np.zeros(n, bool)
    opened = np.zeros(len(a.fac_fixed), bool)
    rs, rd = a.S.copy(), a.D.copy()
    rf = a.fac_cap.copy()
    margin = a.margin
    potential = margin * a.cap - a.fixed
    order = np.argsort(-potential, kind="stable")
    for k in order:
        if margin[k] <= 0 or potential[k] <= 0:
            break
        f = a.fi[k]
        q = min(rs[a.si[k]], rd[a.di[k]] / a.ratio[k], a.cap[k], rf[f] if f >= 0 else math.inf)
        if q <= 0 or q < a.minf[k]:
            continue
        value = margin[k] * q - a.fixed[k] - (a.fac_fixed[f] if f >= 0 and not opened[f] else 0)
        if value <= 0:
            continue
        flow[k] = q
        active[k] = True
        rs[a.si[k]] -= q
        rd[a.di[k]] -= q * a.ratio[k]
        if f >= 0:
            rf[f] -= q
            opened[f] = True
    return flow, active, opened


def greedy_baseline(problem: NetworkProblem) -> NetworkResult:
    """The obvious heuristic a broker would apply: best pairs first, no look-ahead."""
    t0 = time.perf_counter()
    a = _arrays(problem)
    flow, active, opened = _greedy_point(a)
    res = _result(
        a,
        flow,
        active,
        opened,
        status="greedy",
        objective_name="benefit",
        objective=None,
        gap=math.inf,
        build_s=0.0,
        solve_s=time.perf_counter() - t0,
    )
    res.objective = res.benefit_vnd_per_year
    delivered = np.bincount(a.di, weights=flow * a.ratio, minlength=len(a.D))
    if np.any(delivered < a.Dmin - 1e-9):
        res.status = "greedy_infeasible"
        res.message = "greedy delivery leaves some minimum demands unmet"
    return res


def _support_lp(a: _Arrays, cx: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
    """Best flows using only the links in ``keep`` (all of them paid for): an LP."""
    idx = np.flatnonzero(keep)
    m = lp.Model()
    x = m.add_cols(
        len(idx), cost=cx[idx], upper=a.cap[idx], name="flow", labels=lp.KeysAt(a.link_ids, idx)
    )
    define_supply_balance(m, a, x, idx)
    define_demand_balance(m, a, x, idx)
    define_facility_throughput(m, a, x, idx)
    sol = lp.solve(m, maximise=True)
    if sol.x is None:
        return None
    flow = np.zeros(len(a.links))
    flow[idx] = sol.x
    return flow


def _prune(a: _Arrays, cx, cy, cz, keep: np.ndarray, tol: float, max_iter: int = 12):
    """Re-solve the flow LP on ``keep`` and drop links that do not pay, until stable."""
    for _ in range(max_iter):
        flow = _support_lp(a, cx, keep)
        if flow is None:
            return None
        used = flow > tol
        contrib = cx * flow + cy
        bad = used & ((contrib < 0) | (flow < a.minf * (1 - 1e-9)))
        via = used & (a.fi >= 0)
        if via.any():
            fac_total = np.bincount(a.fi[via], weights=contrib[via], minlength=len(cz)) + cz
            losing = (np.bincount(a.fi[via], minlength=len(cz)) > 0) & (fac_total < 0)
            bad |= via & losing[np.maximum(a.fi, 0)]
        if not bad.any():
            opened = np.zeros(len(cz), bool)
            opened[a.fi[via]] = True
            return np.where(used, flow, 0.0), used, opened
        keep = used & ~bad
    return None


def _lp_heuristics(a: _Arrays, b: _Built, cost: np.ndarray, rounds: int = 6) -> list:
    """Primal heuristics: LP-relaxation support and slope scaling, each pruned.

    Slope scaling (Kim & Pardalos 1999) re-solves the flow LP with each fixed cost
    spread over the link's previous flow, so links converge to open or closed;
    pruning then keeps only links whose flow pays for their fixed cost, reaches the
    minimum economic flow and pays for its facility.  Measured on 20 synthetic parks
    with HiGHS's root reduced-cost heuristic off, the slope-scaling start shortened the
    slowest solves (max 1.5 s -> 1.2 s CPU) although it costs ~0.1 s per 1,000 links.
    """
    cx = cost[b.x]
    cy = np.zeros(len(a.links))
    cy[b.ylinks] = cost[b.y[b.ylinks]]
    cz = cost[b.z]
    tol = 1e-7 * max(1.0, float(a.cap[np.isfinite(a.cap)].max(initial=1.0)))
    relaxed = lp.solve(b.model, maximise=True, relax=True)
    if relaxed.x is None:
        return []
    found = [_prune(a, cx, cy, cz, relaxed.x[b.x] > tol, tol)]
    every = np.ones(len(a.links), bool)
    level = np.maximum(relaxed.x[b.x], tol)
    seen = set()
    for _ in range(rounds):
        spread = np.where(level > tol, level, a.cap)
        flow = _support_lp(a, cx + cy / np.maximum(spread, tol), every)
        if flow is None:
            break
        support = flow > tol
        key = support.tobytes()
        if key in seen:
            break
        seen.add(key)
        found.append(_prune(a, cx, cy, cz, support, tol))
        level = np.where(support, flow, 0.0)
    return [f for f in found if f is not None]


def _start_vector(a: _Arrays, b: _Built, cost: np.ndarray) -> np.ndarray | None:
    """A feasible MIP start: the better of the greedy and the LP-pruning heuristics."""
    best, best_value = None, -math.inf
    candidates = _lp_heuristics(a, b, cost)
    if np.all(a.Dmin == 0):
        candidates.append(_greedy_point(a))
    for cand in candidates:
        if cand is None:
            continue
        flow, active, opened = cand
        v = np.zeros(b.model.n_cols)
        v[b.x] = flow
        v[b.y[b.ylinks]] = active[b.ylinks]
        v[b.z] = opened
        value = float(cost @ v)
        if value > best_value:
            best, best_value = v, value
    return best


_STATUS = {
    "Optimal": "optimal",
    "Infeasible": "infeasible",
    "Time limit reached": "time_limit",
    "Unbounded": "unbounded",
    "Primal infeasible or unbounded": "infeasible",
}
_WORST = ["optimal", "time_limit", "unbounded", "infeasible"]  # aggregate: worst wins


@dataclass
class _Raw:
    status: str
    flow: np.ndarray | None
    active: np.ndarray | None
    opened: np.ndarray | None
    objective: float  # in solver units
    bound: float
    build_s: float
    solve_s: float


def _subset(a: _Arrays, links: np.ndarray, sups: np.ndarray, dems: np.ndarray, facs: np.ndarray):
    """The sub-network made of ``links`` (indices), re-indexed."""
    remap = lambda ids, n: np.cumsum(np.isin(np.arange(n), ids)) - 1  # noqa: E731
    rs, rd = remap(sups, len(a.S)), remap(dems, len(a.D))
    rf = remap(facs, len(a.fac_fixed))
    fi = a.fi[links]
    return replace(
        a,
        links=[a.links[k] for k in links],
        S=a.S[sups],
        D=a.D[dems],
        Dmin=a.Dmin[dems],
        si=rs[a.si[links]],
        di=rd[a.di[links]],
        gross=a.gross[links],
        transport=a.transport[links],
        co2=a.co2[links],
        cap=a.cap[links],
        ratio=a.ratio[links],
        minf=a.minf[links],
        fixed=a.fixed[links],
        fi=np.where(fi >= 0, rf[np.maximum(fi, 0)], -1) if len(rf) else fi,
        needs_y=a.needs_y[links],
        fac_fixed=a.fac_fixed[facs],
        fac_cap=a.fac_cap[facs],
        fac_co2=a.fac_co2[facs],
        link_ids=a.link_ids[links],
        supply_ids=a.supply_ids[sups],
        demand_ids=a.demand_ids[dems],
        facility_ids=a.facility_ids[facs],
    )


def _components(a: _Arrays) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Independent sub-networks: connected components of supplies, demands, facilities."""
    ns, nd = len(a.S), len(a.D)
    parent = list(range(ns + nd + len(a.fac_fixed)))

    def find(u):
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for s_, d_, f_ in zip(a.si.tolist(), a.di.tolist(), a.fi.tolist(), strict=True):
        ru, rv = find(s_), find(ns + d_)
        if ru != rv:
            parent[ru] = rv
        if f_ >= 0:
            rw, rv = find(ns + nd + f_), find(rv)
            if rw != rv:
                parent[rw] = rv
    root = np.array([find(u) for u in range(len(parent))])
    link_root = root[a.si]
    comps = []
    for r in np.unique(link_root):
        nodes = np.flatnonzero(root == r)
        comps.append(
            (
                np.flatnonzero(link_root == r),
                nodes[nodes < ns],
                nodes[(nodes >= ns) & (nodes < ns + nd)] - ns,
                nodes[nodes >= ns + nd] - ns - nd,
            )
        )
    return comps


def _solve_raw(
    a: _Arrays,
    objective: str,
    weights: dict | None,
    mip_gap: float,
    time_limit: float | None,
    co2_at_least: float | None = None,
) -> _Raw:
    t0 = time.perf_counter()
    b = _build(a)
    cost = _objective(a, b, objective, weights)
    b.model.set_cost(cost)
    start = None
    if co2_at_least is not None:
        define_co2_floor(b.model, a, b, co2_at_least)
    t_arr = time.perf_counter() - t0
    if co2_at_least is None and (len(b.ylinks) or len(b.z)):
        start = _start_vector(a, b, cost)  # heuristics count as solve time
    t_heur = time.perf_counter() - t0 - t_arr
    if time_limit is not None:
        time_limit = max(0.05, time_limit - t_heur)
    sol = lp.solve(
        b.model,
        maximise=True,
        mip_gap=mip_gap,
        time_limit=time_limit,
        start=start,
        options=MIP_OPTIONS,
    )
    status = _STATUS.get(sol.status, sol.status.lower().replace(" ", "_"))
    if sol.x is None:
        return _Raw(
            status, None, None, None, math.nan, math.nan, t_arr + sol.build_s, t_heur + sol.solve_s
        )
    xv = sol.x
    active = np.zeros(len(a.links), bool)
    active[b.ylinks] = xv[b.y[b.ylinks]] > 0.5
    active[~a.needs_y] = True
    return _Raw(
        status,
        xv[b.x],
        active,
        xv[b.z] > 0.5,
        sol.objective,
        sol.bound,
        t_arr + sol.build_s,
        t_heur + sol.solve_s,
    )


def _solve(
    a: _Arrays,
    objective: str,
    weights: dict | None,
    mip_gap: float,
    time_limit: float | None,
    co2_at_least: float | None = None,
) -> NetworkResult:
    """Solve, splitting into independent sub-networks when nothing couples them."""
    t0 = time.perf_counter()
    unmet = [
        a.problem.demands[j].id
        for j in np.flatnonzero(
            a.Dmin > np.bincount(a.di, weights=a.cap * a.ratio, minlength=len(a.D))
        )
    ]
    if unmet:
        return _result(
            a,
            None,
            None,
            None,
            status="infeasible",
            objective_name=objective,
            objective=None,
            gap=math.inf,
            build_s=time.perf_counter() - t0,
            solve_s=0.0,
            message="minimum demand cannot be met by the allowed links: " + ", ".join(unmet[:10]),
        )
    kept, reduced = np.arange(len(a.links)), a
    if co2_at_least is not None:
        parts = [(kept, None, None, None)]
    else:
        # Dominated links can never improve the objective: dropping them shrinks the
        # model and can split it further into independent sub-networks.
        dominated = _dominated(a, objective, weights)
        if dominated.any():
            kept = np.flatnonzero(~dominated)
            every = (np.arange(len(a.S)), np.arange(len(a.D)), np.arange(len(a.fac_fixed)))
            reduced = _subset(a, kept, *every)
        parts = _components(reduced)
    parts.sort(key=lambda c: -len(c[0]))
    flow, active = np.zeros(len(a.links)), np.zeros(len(a.links), bool)
    opened = np.zeros(len(a.fac_fixed), bool)
    obj = bound = solve_s = 0.0
    build_s = time.perf_counter() - t0  # reduction and decomposition
    statuses = []
    remaining_links = max(1, len(kept))
    for links, sups, dems, facs in parts:
        sub = reduced if sups is None else _subset(reduced, links, sups, dems, facs)
        share = None
        if time_limit is not None:
            left = time_limit - (time.perf_counter() - t0)
            share = max(0.05, left * len(links) / remaining_links)
        remaining_links -= len(links)
        raw = _solve_raw(sub, objective, weights, mip_gap, share, co2_at_least)
        statuses.append(raw.status)
        build_s += raw.build_s
        solve_s += raw.solve_s
        if raw.flow is None:
            break
        flow[kept[links]], active[kept[links]] = raw.flow, raw.active
        if facs is None:
            opened = raw.opened
        else:
            opened[facs] = raw.opened
        obj += raw.objective
        bound += raw.bound
    status = (
        max(statuses, key=lambda s: _WORST.index(s) if s in _WORST else 1)
        if statuses
        else "optimal"
    )
    if statuses and statuses[-1] not in ("optimal", "time_limit"):
        msg = {
            "infeasible": "no network satisfies the minimum demands with the allowed links",
        }.get(status, f"solver stopped without a solution: {status}")
        return _result(
            a,
            None,
            None,
            None,
            status=status,
            objective_name=objective,
            objective=None,
            gap=math.inf,
            build_s=build_s,
            solve_s=solve_s,
            message=msg,
        )
    gap = abs(bound - obj) / max(abs(obj), 1e-9) if obj or bound else 0.0
    unit = 1.0 if objective == "co2" else OBJ_SCALE
    return _result(
        a,
        flow,
        active,
        opened,
        status=status,
        objective_name=objective,
        objective=obj / unit,
        gap=gap,
        build_s=build_s,
        solve_s=solve_s,
    )


def solve_network(
    problem: NetworkProblem,
    objective: str = "benefit",
    weights: dict | None = None,
    mip_gap: float = 1e-4,
    time_limit: float | None = None,
) -> NetworkResult:
    """Choose the best set of exchanges, links and facilities.

    ``objective``: "benefit" (net VND/yr), "co2" (tCO2e/yr, ties broken by benefit) or
    "weighted" (``weights={"benefit": 1.0, "co2": VND_per_tCO2e}``).  Independent
    sub-networks are solved one by one; ``gap`` is the relative gap of the whole.
    """
    if objective not in ("benefit", "co2", "weighted"):
        raise NetworkError("bad_objective", f"unknown objective {objective!r}", objective=objective)
    t0 = time.perf_counter()
    a = _arrays(problem)
    arrays_s = time.perf_counter() - t0  # validation and arrays: part of the model build
    res = _solve(a, objective, weights, mip_gap, time_limit)
    res.build_s += arrays_s
    if objective == "co2" and res.feasible:
        # lexicographic: best benefit among (near-)CO2-optimal networks
        target = res.co2e_t_per_year - 1e-7 * max(1.0, abs(res.co2e_t_per_year))
        second = _solve(a, "benefit", None, mip_gap, time_limit, co2_at_least=target)
        if second.feasible:
            second.objective_name = "co2"
            second.objective = second.co2e_t_per_year
            second.build_s += res.build_s
            second.solve_s += res.solve_s
            return second
    return res


def pareto_front(
    problem: NetworkProblem,
    n_points: int = 5,
    mip_gap: float = 1e-4,
    time_limit: float | None = None,
) -> list[dict]:
    """Benefit versus CO2 trade-off by the epsilon-constraint method.

    The ends are the benefit optimum and the (lexicographic) CO2 optimum; in between,
    benefit is maximised subject to CO2 avoided >= epsilon on an even grid.
    Returns points sorted by CO2, each {epsilon_co2, benefit_vnd_per_year,
    co2e_t_per_year, n_links, status, gap, links}.
    """
    n_points = max(2, int(n_points))
    a = _arrays(problem)
    best_b = _solve(a, "benefit", None, mip_gap, time_limit)
    best_c = solve_network(problem, "co2", mip_gap=mip_gap, time_limit=time_limit)
    if not (best_b.feasible and best_c.feasible):
        status = best_b.status if not best_b.feasible else best_c.status
        return [{"status": status, "message": best_b.message or best_c.message}]
    lo, hi = best_b.co2e_t_per_year, best_c.co2e_t_per_year
    results = [(lo, best_b)]
    for k in range(1, n_points - 1):
        eps = lo + (hi - lo) * k / (n_points - 1)
        results.append((eps, _solve(a, "benefit", None, mip_gap, time_limit, co2_at_least=eps)))
    results.append((hi, best_c))
    return [
        {
            "epsilon_co2": eps,
            "benefit_vnd_per_year": r.benefit_vnd_per_year,
            "co2e_t_per_year": r.co2e_t_per_year,
            "n_links": len(r.links),
            "status": r.status,
            "gap": None if not math.isfinite(r.gap) else r.gap,
            "links": [lf.link for lf in r.links],
        }
        for eps, r in results
    ]


SENSITIVITY_FACTORS = {
    "price": (0.8, 1.2),
    "distance": (0.8, 1.2),
    "fixed_cost": (0.5, 1.5),
}


def _scaled(problem: NetworkProblem, factor: str, value: float) -> NetworkProblem:
    if factor == "price":
        links = [replace(lk, unit_benefit=lk.unit_benefit * value) for lk in problem.links]
    elif factor == "distance":
        links = [replace(lk, distance_km=lk.distance_km * value) for lk in problem.links]
    elif factor == "transport_cost":
        links = [
            replace(lk, transport_cost_per_unit_km=lk.transport_cost_per_unit_km * value)
            for lk in problem.links
        ]
    elif factor == "fixed_cost":
        links = [
            replace(lk, fixed_cost=lk.fixed_cost * value, capex=lk.capex * value)
            for lk in problem.links
        ]
    else:
        raise NetworkError("bad_objective", f"unknown sensitivity factor {factor!r}", factor=factor)
    return replace(problem, links=links)


def sensitivity(
    problem: NetworkProblem,
    factors: dict[str, tuple] | None = None,
    objective: str = "benefit",
    mip_gap: float = 1e-4,
    time_limit: float | None = None,
) -> dict:
    """Re-solve with prices, distances, transport or fixed costs scaled.

    Returns {"base": {...}, "cases": [{factor, value, benefit_vnd_per_year,
    co2e_t_per_year, n_links, added, removed, jaccard}]}; ``jaccard`` is the overlap
    of the chosen link set with the base network (1 = unchanged).
    """
    factors = SENSITIVITY_FACTORS if factors is None else factors
    base = solve_network(problem, objective, mip_gap=mip_gap, time_limit=time_limit)
    base_set = {lf.link for lf in base.links}
    cases = []
    for factor, values in factors.items():
        for value in values:
            r = solve_network(
                _scaled(problem, factor, value), objective, mip_gap=mip_gap, time_limit=time_limit
            )
            chosen = {lf.link for lf in r.links}
            union = base_set | chosen
            cases.append(
                {
                    "factor": factor,
                    "value": value,
                    "status": r.status,
                    "benefit_vnd_per_year": r.benefit_vnd_per_year,
                    "co2e_t_per_year": r.co2e_t_per_year,
                    "n_links": len(chosen),
                    "added": sorted(chosen - base_set),
                    "removed": sorted(base_set - chosen),
                    "jaccard": len(base_set & chosen) / len(union) if union else 1.0,
                }
            )
    return {
        "base": {
            "status": base.status,
            "benefit_vnd_per_year": base.benefit_vnd_per_year,
            "co2e_t_per_year": base.co2e_t_per_year,
            "n_links": len(base.links),
        },
        "cases": cases,
    }


# ---------------------------------------------------------------------------
# From the matcher

DEFAULT_MATCH_PARAMS = {
    "fixed_cost_vnd_per_year": 20e6,  # contract, weighing, paperwork per exchange
    "hazardous_fixed_cost_vnd_per_year": 60e6,  # manifests, licensed transport
    "min_flow_fraction": 0.0,  # of the smaller of offer and want
    "discount_rate": 0.10,
    "lifetime_years": 10.0,
    "facilities": [],  # [{id, fixed_cost_vnd_per_year, capex_vnd, capacity, resources: [...]}]
}


def problem_from_matches(listings, matches, params: dict | None = None) -> NetworkProblem:
    """Build a :class:`NetworkProblem` from the matcher's listings and matches.

    Offers become supplies, wants demands (each in its own unit); every match a link
    whose flow is in offer units and covers ``yield_ratio`` want units per offer
    unit.  The match's yearly figures are turned into unit values: ``unit_benefit``
    = (benefit + transport) / matched quantity, transport per unit.km from the
    match's transport cost and distance, CO2 per unit.  Licence and quality rules
    were applied by the matcher, so links are taken as compatible.  ``params``
    (see ``DEFAULT_MATCH_PARAMS``) adds fixed costs, minimum flows and optional
    shared facilities; a facility serves links whose offer resource code starts
    with one of its ``resources``.
    """
    prm = {**DEFAULT_MATCH_PARAMS, **(params or {})}
    by_id = {x.id: x for x in listings}
    used_offers = {m.offer_id for m in matches}
    used_wants = {m.want_id for m in matches}
    supplies = [
        Supply(
            x.id,
            float(x.quantity),
            resource=x.resource,
            unit=x.unit,
            enterprise=x.enterprise,
            park=x.park,
            hazardous=False,
        )
        for x in listings
        if x.kind == "offer" and x.id in used_offers
    ]
    demands = [
        Demand(
            x.id,
            float(x.quantity),
            resource=x.resource,
            unit=x.unit,
            enterprise=x.enterprise,
            park=x.park,
            licences=frozenset(x.licences),
        )
        for x in listings
        if x.kind == "want" and x.id in used_wants
    ]
    facilities = [
        Facility(
            str(f["id"]),
            fixed_cost=float(f.get("fixed_cost_vnd_per_year", 0.0)),
            capex=float(f.get("capex_vnd", 0.0)),
            capacity=float(f.get("capacity", math.inf)),
            kind=str(f.get("kind", "")),
        )
        for f in prm["facilities"]
    ]
    links = []
    for m in matches:
        q = float(m.matched_quantity)
        if q <= 0:
            continue
        offer, want = by_id[m.offer_id], by_id[m.want_id]
        dist = float(m.distance_km) if m.distance_km is not None else 0.0
        transport = float(m.transport_cost_vnd_per_year)
        covered = float(m.coverage) * float(want.quantity) if m.coverage else q
        fac = next(
            (
                str(f["id"])
                for f in prm["facilities"]
                if any(m.offer_resource.startswith(r) for r in f.get("resources", []))
            ),
            None,
        )
        links.append(
            Link(
                f"{m.offer_id}->{m.want_id}",
                m.offer_id,
                m.want_id,
                unit_benefit=(float(m.benefit_vnd_per_year) + transport) / q,
                distance_km=dist,
                transport_cost_per_unit_km=transport / (q * dist) if dist > 0 else 0.0,
                fixed_cost=prm["fixed_cost_vnd_per_year"]
                + (prm["hazardous_fixed_cost_vnd_per_year"] if offer.hazardous else 0.0),
                capacity=q,
                min_flow=prm["min_flow_fraction"] * q,
                co2_per_unit=float(m.co2e_t_per_year) / q,
                facility=fac,
                yield_ratio=covered / q if covered > 0 else 1.0,
            )
        )
    return NetworkProblem(
        supplies,
        demands,
        links,
        facilities,
        discount_rate=prm["discount_rate"],
        lifetime_years=prm["lifetime_years"],
    )
