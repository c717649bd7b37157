"""Which parks to convert first: a readiness score per park, with its reasons, and peer
groups (development stage x region x pillar industries) with targets and benchmarks.

Plain data in, plain results out (no Django).  The weights, stages, pillar groups and
targets are data (``data/readiness.yaml``), validated on load.  Reasons are codes with
parameters; the web layer phrases them.

Components (each 0..1):

- ``criteria``: distance to the Decree 35 Art. 37 criteria, the mean over the pack's
  mandatory criteria of 1 (met, or declared with evidence), 0.5 (declared without
  evidence), value / threshold for a numeric criterion not yet met (``>=``), else 0;
- ``completeness``: the share of enterprise-months with reported flows;
- ``symbiosis``: the estimated value of the park's unmatched offers and wants plus the
  best network scenario's benefit, relative to the park with the most;
- ``recp``: the share of enterprises applying RECP over the full share (20%, capped at 1);
- ``finance``: projects at financing stage or later over ``finance_full_projects``
  (capped at 1); 0 with a "no data" reason when no pipeline is available.

The score is the weighted sum; parks are ranked by score (ties by code).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from eiphub.core.errors import CodedError

DEFAULT_PATH = Path(__file__).parent / "data" / "readiness.yaml"
COMPONENTS = ("criteria", "completeness", "symbiosis", "recp", "finance")
SATISFIED = ("meets", "declared_with_evidence")
ANY = "*"


class ReadinessError(CodedError, ValueError):
    """The readiness file is malformed (``code``, ``params``) or an input is invalid."""


@dataclass(frozen=True)
class Stage:
    code: str
    status: str | None = None
    max_age_years: float | None = None
    max_occupancy_pct: float | None = None

    def applies(self, status: str, age: float | None, occupancy: float | None) -> bool:
        if self.status is not None and status != self.status:
            return False
        if self.max_age_years is not None and (age is None or age >= self.max_age_years):
            return False
        if self.max_occupancy_pct is not None and (
            occupancy is None or occupancy >= self.max_occupancy_pct
        ):
            return False
        return True


@dataclass
class ReadinessConfig:
    version: str
    weights: dict[str, float]
    recp_full_share: float
    finance_full_projects: int
    stages: list[Stage]
    pillars: dict[str, tuple[str, ...]]
    pillar_min_share: float
    min_group_size: int
    targets: dict[str, dict[str, float]]
    references: dict[str, str]
    verify: bool = True

    def stage_of(self, status: str, age: float | None, occupancy: float | None) -> str:
        for s in self.stages:
            if s.applies(status, age, occupancy):
                return s.code
        return self.stages[-1].code

    def pillar_of(self, vsic_counts: dict[str, int]) -> str:
        """The pillar group with the most enterprises (``mixed`` below the minimum share)."""
        by_group: dict[str, int] = {}
        total = 0
        for vsic, n in vsic_counts.items():
            total += n
            div = str(vsic)[:2]
            for g, divs in self.pillars.items():
                if div in divs:
                    by_group[g] = by_group.get(g, 0) + n
                    break
        if not total or not by_group:
            return "mixed"
        best = max(sorted(by_group), key=lambda g: by_group[g])
        return best if by_group[best] / total >= self.pillar_min_share else "mixed"


def _fail(code, message, **params):
    raise ReadinessError(code, message, **params)


def _share(value, where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail("bad_value", f"{where}: expected a number", where=where)
    if not 0 <= value <= 1:
        _fail("out_of_range", f"{where}: {value} is not within 0..1", where=where)
    return float(value)


def load_config(path: str | Path | None = None) -> ReadinessConfig:
    path = Path(path or DEFAULT_PATH)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReadinessError("bad_yaml", f"{path.name}: not valid YAML: {exc}") from exc
    need = {"version", "references", "components", "stages", "pillars", "targets"}
    if not isinstance(doc, dict) or not need <= set(doc):
        _fail("bad_file", f"{path.name}: needs {sorted(need)}")
    refs = {str(k): str(v) for k, v in (doc["references"] or {}).items()}

    def cite(entry, where):
        src = entry.get("source") if isinstance(entry, dict) else None
        if not src:
            _fail("missing_source", f"{where}: every entry needs a 'source'", where=where)
        if src not in refs:
            _fail("unknown_source", f"{where}: source {src!r} not in 'references'", where=where)

    comps = doc["components"] or {}
    if set(comps) != set(COMPONENTS):
        _fail("bad_components", f"{path.name}: components must be {list(COMPONENTS)}")
    weights = {}
    for c in COMPONENTS:
        cite(comps[c], f"components.{c}")
        weights[c] = _share(comps[c].get("weight"), f"components.{c}.weight")
    if abs(sum(weights.values()) - 1.0) > 1e-9:
        _fail("bad_weights", f"{path.name}: weights sum to {sum(weights.values())}, not 1")
    stages = []
    for i, s in enumerate(doc["stages"] or [], start=1):
        where = f"stages[{i}]"
        if not isinstance(s, dict) or not s.get("code"):
            _fail("bad_entry", f"{where}: needs a code", where=where)
        cite(s, where)
        when = s.get("when") or {}
        extra = set(when) - {"status", "max_age_years", "max_occupancy_pct"}
        if extra:
            _fail("unknown_field", f"{where}: unknown condition(s) {sorted(extra)}", where=where)
        stages.append(
            Stage(
                str(s["code"]),
                when.get("status"),
                when.get("max_age_years"),
                when.get("max_occupancy_pct"),
            )
        )
    if not stages:
        _fail("bad_file", f"{path.name}: at least one stage")
    codes = [s.code for s in stages]
    pillars = {}
    seen: set[str] = set()
    for g, e in (doc["pillars"] or {}).items():
        cite(e, f"pillars.{g}")
        divs = tuple(str(d) for d in e.get("vsic") or ())
        for d in divs:
            if len(d) != 2 or not d.isdigit() or d in seen:
                _fail("bad_vsic", f"pillars.{g}: VSIC division {d!r} invalid or repeated")
            seen.add(d)
        pillars[str(g)] = divs
    targets = {}
    for code in codes:
        t = (doc["targets"] or {}).get(code)
        if not isinstance(t, dict):
            _fail("missing_target", f"targets: stage {code!r} has no targets", stage=code)
        cite(t, f"targets.{code}")
        targets[code] = {c: _share(t.get(c), f"targets.{code}.{c}") for c in COMPONENTS}
    full = doc.get("recp_full_share", 0.2)
    n_full = doc.get("finance_full_projects", 3)
    if not isinstance(n_full, int) or n_full < 1:
        _fail("bad_value", "finance_full_projects: a positive integer")
    size = doc.get("min_group_size", 2)
    if not isinstance(size, int) or size < 1:
        _fail("bad_value", "min_group_size: a positive integer")
    return ReadinessConfig(
        version=str(doc["version"]),
        weights=weights,
        recp_full_share=_share(full, "recp_full_share") or 0.2,
        finance_full_projects=n_full,
        stages=stages,
        pillars=pillars,
        pillar_min_share=_share(doc.get("pillar_min_share", 0.25), "pillar_min_share"),
        min_group_size=size,
        targets=targets,
        references=refs,
        verify=bool(doc.get("verify", True)),
    )


@lru_cache(maxsize=1)
def default_config() -> ReadinessConfig:
    return load_config()


# ------------------------------------------------------------------ inputs and outputs


@dataclass
class CriterionState:
    code: str
    status: str
    value: float | bool | None = None
    threshold: float | bool | None = None
    comparison: str = ">="
    unit: str = ""


@dataclass
class FinanceState:
    advanced: int  # projects at financing stage or later (financing, built, operating)
    total: int = 0
    benefit_vnd_per_year: float = 0.0


@dataclass
class ParkData:
    code: str
    status: str = "operating"
    region: str = ""
    age_years: float | None = None
    occupancy_pct: float | None = None
    vsic_counts: dict[str, int] = field(default_factory=dict)
    criteria: list[CriterionState] | None = None  # mandatory Art. 37 criteria; None: no card
    completeness: float | None = None
    unmatched_offers: int = 0
    unmatched_wants: int = 0
    potential_vnd_per_year: float = 0.0  # estimated value of the unmatched offers and wants
    scenario_vnd_per_year: float | None = None  # best network scenario's benefit
    enterprises: int = 0
    implementing: int = 0  # enterprises with an implemented RECP measure
    finance: FinanceState | None = None  # None: no pipeline data


@dataclass
class Reason:
    code: str
    kind: str  # "plus" | "minus" | "info"
    params: dict = field(default_factory=dict)


@dataclass
class ParkScore:
    code: str
    score: float
    rank: int
    components: dict[str, float]
    reasons: list[Reason]
    stage: str
    region: str
    pillar: str
    group: str  # key of the peer group the park is compared with
    group_rank: int = 0


@dataclass
class PeerGroup:
    key: str
    stage: str
    region: str  # "*" when the group spans regions
    pillar: str  # "*" when the group spans pillars
    parks: list[str]
    targets: dict[str, float]
    median: dict[str, float]
    top_quartile: dict[str, float]


@dataclass
class Ranking:
    parks: list[ParkScore]
    groups: list[PeerGroup]
    version: str
    weights: dict[str, float]


# ------------------------------------------------------------------ components


def criterion_credit(c: CriterionState) -> float:
    """1 met (or declared with evidence), 0.5 declared without evidence, value/threshold
    for a numeric ``>=``/``>`` criterion not yet met, else 0."""
    if c.status in SATISFIED:
        return 1.0
    if c.status == "declared_without_evidence":
        return 0.5
    num = (int, float)
    if (
        c.comparison in (">=", ">")
        and isinstance(c.value, num)
        and not isinstance(c.value, bool)
        and isinstance(c.threshold, num)
        and not isinstance(c.threshold, bool)
        and c.threshold > 0
    ):
        return max(0.0, min(1.0, float(c.value) / float(c.threshold)))
    return 0.0


def _components(p: ParkData, cfg: ReadinessConfig, best_potential: float):
    comps: dict[str, float] = {}
    reasons: list[Reason] = []
    # criteria
    if not p.criteria:
        comps["criteria"] = 0.0
        reasons.append(Reason("criteria_no_data", "minus"))
    else:
        credits = [criterion_credit(c) for c in p.criteria]
        comps["criteria"] = sum(credits) / len(credits)
        met = sum(1 for x in credits if x >= 1.0)
        reasons.append(
            Reason("criteria_met", "plus" if met else "info", {"met": met, "of": len(credits)})
        )
        for c, x in zip(p.criteria, credits, strict=True):
            if x < 1.0:
                reasons.append(
                    Reason(
                        "criterion_open",
                        "minus",
                        {
                            "criterion": c.code,
                            "status": c.status,
                            "value": c.value,
                            "threshold": c.threshold,
                            "unit": c.unit,
                        },
                    )
                )
    # completeness
    if p.completeness is None:
        comps["completeness"] = 0.0
        reasons.append(Reason("completeness_no_data", "minus"))
    else:
        comps["completeness"] = max(0.0, min(1.0, p.completeness))
    # symbiosis potential
    raw = p.potential_vnd_per_year + (p.scenario_vnd_per_year or 0.0)
    comps["symbiosis"] = raw / best_potential if best_potential > 0 else 0.0
    reasons.append(
        Reason(
            "symbiosis_potential",
            "plus" if raw > 0 else "minus",
            {
                "offers": p.unmatched_offers,
                "wants": p.unmatched_wants,
                "potential_vnd": p.potential_vnd_per_year,
                "scenario_vnd": p.scenario_vnd_per_year,
            },
        )
    )
    # RECP uptake
    if not p.enterprises:
        comps["recp"] = 0.0
        reasons.append(Reason("recp_no_enterprises", "minus"))
    else:
        share = p.implementing / p.enterprises
        comps["recp"] = min(1.0, share / cfg.recp_full_share)
        needed = max(0, math.ceil(cfg.recp_full_share * p.enterprises - 1e-9) - p.implementing)
        reasons.append(
            Reason(
                "recp_share",
                "plus" if needed == 0 else "minus",
                {"share": share, "target": cfg.recp_full_share, "needed": needed},
            )
        )
    # finance pipeline
    if p.finance is None:
        comps["finance"] = 0.0
        reasons.append(Reason("finance_no_data", "info"))
    else:
        comps["finance"] = min(1.0, p.finance.advanced / cfg.finance_full_projects)
        reasons.append(
            Reason(
                "finance_pipeline",
                "plus" if p.finance.advanced else "minus",
                {
                    "advanced": p.finance.advanced,
                    "total": p.finance.total,
                    "benefit_vnd": p.finance.benefit_vnd_per_year,
                },
            )
        )
    return comps, reasons


def quartiles(values: list[float]) -> tuple[float, float]:
    """(median, upper quartile) with linear interpolation between order statistics
    (position (n - 1) q, as numpy's default); one value: that value twice."""
    xs = sorted(values)
    if not xs:
        return 0.0, 0.0

    def q(frac):
        pos = (len(xs) - 1) * frac
        lo = math.floor(pos)
        hi = min(lo + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

    return q(0.5), q(0.75)


def rank_parks(parks: list[ParkData], cfg: ReadinessConfig | None = None) -> Ranking:
    """Score, rank and group ``parks`` (see the module docstring)."""
    cfg = cfg or default_config()
    best = max(
        (p.potential_vnd_per_year + (p.scenario_vnd_per_year or 0.0) for p in parks), default=0.0
    )
    scored: list[ParkScore] = []
    for p in parks:
        comps, reasons = _components(p, cfg, best)
        total = sum(cfg.weights[c] * comps[c] for c in COMPONENTS)
        scored.append(
            ParkScore(
                code=p.code,
                score=round(total, 6),
                rank=0,
                components={c: round(v, 6) for c, v in comps.items()},
                reasons=reasons,
                stage=cfg.stage_of(p.status, p.age_years, p.occupancy_pct),
                region=p.region or "",
                pillar=cfg.pillar_of(p.vsic_counts),
                group="",
            )
        )
    scored.sort(key=lambda s: (-s.score, s.code))
    for i, s in enumerate(scored, start=1):
        s.rank = i
    # peer groups: the narrowest level with enough parks
    levels = (
        lambda s: (s.stage, s.region, s.pillar),
        lambda s: (s.stage, s.region, ANY),
        lambda s: (s.stage, ANY, ANY),
    )
    members: dict[tuple, list[ParkScore]] = {}
    for s in scored:
        for lv in levels:
            members.setdefault(lv(s), []).append(s)
    chosen: dict[tuple, list[ParkScore]] = {}
    for s in scored:
        key = next(
            (lv(s) for lv in levels if len(members[lv(s)]) >= cfg.min_group_size),
            levels[-1](s),
        )
        s.group = "|".join(key)
        chosen[key] = members[key]
    groups = []
    for key, ms in sorted(chosen.items()):
        stage = key[0]
        med, top = {}, {}
        for c in (*COMPONENTS, "score"):
            vals = [m.score if c == "score" else m.components[c] for m in ms]
            med[c], top[c] = (round(x, 6) for x in quartiles(vals))
        groups.append(
            PeerGroup(
                key="|".join(key),
                stage=stage,
                region=key[1],
                pillar=key[2],
                parks=[m.code for m in ms],
                targets=dict(cfg.targets[stage]),
                median=med,
                top_quartile=top,
            )
        )
    by_key = {g.key: g for g in groups}
    for s in scored:
        g = by_key[s.group]
        order = [m for m in scored if m.code in set(g.parks)]
        s.group_rank = next(i for i, m in enumerate(order, start=1) if m.code == s.code)
        for c in COMPONENTS:
            v, target = s.components[c], g.targets[c]
            if v + 1e-9 < target:
                s.reasons.append(
                    Reason("below_target", "minus", {"component": c, "value": v, "target": target})
                )
            elif len(g.parks) > 1 and v > 0 and v >= g.top_quartile[c] - 1e-9:
                s.reasons.append(Reason("group_leader", "plus", {"component": c, "value": v}))
    return Ranking(scored, groups, cfg.version, dict(cfg.weights))
