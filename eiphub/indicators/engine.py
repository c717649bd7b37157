"""Evaluate a criteria pack against a snapshot of platform data.

``evaluate_pack(pack, snapshot, overrides=None) -> Scorecard``.  Each
criterion is computed from data (a named computation) or taken from a
declared fact; the result carries its value, status, gap to the threshold,
the evidence behind it and its trend over the years in ``snapshot.history``.
Park-specific context targets are evaluated beside the pack, never in its
verdict.
"""

from __future__ import annotations

import math
import operator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from eiphub.core.errors import CodedError

from .computations import REGISTRY, SCOPE_DATA, Computed, Evidence, resolve_params
from .data import ContextTarget, EnterpriseSnapshot, ParkSnapshot
from .schema import BOOL_UNIT, Criterion, Pack, Source

Snapshot = ParkSnapshot | EnterpriseSnapshot

MEETS = "meets"
NOT_MET = "not_met"
INSUFFICIENT = "insufficient_data"
DECLARED_WITH = "declared_with_evidence"
DECLARED_WITHOUT = "declared_without_evidence"
REPORTED = "reported"  # informational criterion without a threshold
STATUSES = (MEETS, NOT_MET, INSUFFICIENT, DECLARED_WITH, DECLARED_WITHOUT, REPORTED)
SATISFIED = (MEETS, DECLARED_WITH)

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
YES = {"yes", "true", "có", "co", "1", "đạt"}
NO = {"no", "false", "không", "khong", "0", "không đạt"}


class EngineError(CodedError, ValueError):
    """A problem with the engine's input: ``code`` is a machine code
    (out_of_range, invalid_value, wrong_scope, unknown_criterion), ``params``
    name the criterion and the accepted range."""


@dataclass
class CriterionResult:
    code: str
    name_vi: str
    name_en: str
    value: Any
    unit: str
    status: str
    threshold: Any
    comparison: str
    gap: float | None
    mandatory: bool
    evidence: Evidence
    trend: list[tuple[int, Any]]
    source: str
    origin: str = "computed"  # computed | declared | override
    verify: bool = False
    additional_needed: int | None = None  # e.g. enterprises still needed to reach a share


@dataclass
class Scorecard:
    pack_id: str
    pack_version: str
    title_vi: str
    title_en: str
    scope: str
    subject: str
    year: int
    results: list[CriterionResult]
    context_results: list[CriterionResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """'meets' when every mandatory criterion is met (declared facts need
        evidence); 'not_met' when any is not met; 'incomplete' when data or
        evidence is missing; 'not_applicable' without mandatory criteria."""
        statuses = [r.status for r in self.results if r.mandatory]
        if not statuses:
            return "not_applicable"
        if any(s == NOT_MET for s in statuses):
            return NOT_MET
        return MEETS if all(s in SATISFIED for s in statuses) else "incomplete"

    def result(self, code: str) -> CriterionResult:
        for r in self.results:
            if r.code == code:
                return r
        raise KeyError(code)

    def as_dict(self) -> dict:
        return {**asdict(self), "verdict": self.verdict}


def compare(value: Any, comparison: str, threshold: Any) -> bool:
    return bool(OPS[comparison](value, threshold))


def gap_to_threshold(value: Any, comparison: str, threshold: Any) -> float | None:
    """How far a numeric value is from meeting the threshold (0 when met)."""
    if isinstance(value, bool) or value is None or threshold is None or not comparison:
        return None
    if comparison in (">=", ">"):
        return round(max(0.0, threshold - value), 6)
    if comparison in ("<=", "<"):
        return round(max(0.0, value - threshold), 6)
    return round(abs(value - threshold), 6)


def check_input(crit: Criterion, value: Any) -> Any:
    """Validate a declared or overriding value against the criterion's unit and
    accepted range; raise :class:`EngineError` naming criterion and range."""
    if crit.unit == BOOL_UNIT:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in YES or text in NO:
            return text in YES
        raise EngineError(
            "invalid_value",
            f"{crit.code}: expected yes/no, got {value!r}",
            criterion=crit.code,
            value=value,
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(str(value).replace(",", "."))
        except ValueError:
            raise EngineError(
                "invalid_value",
                f"{crit.code}: expected a number, got {value!r}",
                criterion=crit.code,
                value=value,
            )
    if crit.range and not crit.range[0] <= value <= crit.range[1]:
        lo, hi = crit.range
        raise EngineError(
            "out_of_range",
            f"{crit.code}: {value:g} {crit.unit} is outside the accepted range {lo:g}-{hi:g}",
            criterion=crit.code,
            value=value,
            min=lo,
            max=hi,
        )
    return value


def _status(crit: Criterion, comp: Computed) -> str:
    if comp.value is None:
        return INSUFFICIENT
    if crit.threshold is None:
        # a partial sum (an inventory with gaps) is not a reported figure
        return REPORTED if comp.complete else INSUFFICIENT
    lo = comp.value if comp.low is None else comp.low
    hi = comp.value if comp.high is None else comp.high
    low_ok = compare(lo, crit.comparison, crit.threshold)
    high_ok = compare(hi, crit.comparison, crit.threshold)
    if low_ok and high_ok:
        return MEETS
    if not low_ok and not high_ok:
        return NOT_MET
    return INSUFFICIENT  # missing data decides


def _additional_needed(crit: Criterion, comp: Computed) -> int | None:
    """For a share of enterprises: how many more must qualify to reach it."""
    if (
        crit.unit != "%"
        or crit.comparison not in (">=", ">")
        or comp.numerator is None
        or not comp.denominator
        or comp.value is None
        or not isinstance(comp.numerator, int)
    ):
        return None
    need = crit.threshold / 100.0 * comp.denominator
    target = math.floor(need) + 1 if crit.comparison == ">" else math.ceil(need - 1e-9)
    return max(0, target - comp.numerator)


def _declared(crit: Criterion, snap: Snapshot) -> tuple[Any, str, Evidence]:
    decl = snap.declared.get(crit.code)
    if decl is None or decl.value is None:
        ev = Evidence(summary_vi="Chưa kê khai", summary_en="Not declared")
        return None, INSUFFICIENT, ev
    value = check_input(crit, decl.value)
    docs = list(decl.evidence_documents)
    ev = Evidence(
        records=[{"type": "document", "id": d} for d in docs],
        summary_vi=f"Kê khai: {value}; {len(docs)} tài liệu chứng minh",
        summary_en=f"Declared: {value}; {len(docs)} evidence documents",
    )
    if crit.threshold is None:
        return value, REPORTED, ev
    if not compare(value, crit.comparison, crit.threshold):
        return value, NOT_MET, ev
    return value, DECLARED_WITH if docs else DECLARED_WITHOUT, ev


def _value_only(crit: Criterion, snap: Snapshot) -> Any:
    """The criterion's value for a historic snapshot (for trends)."""
    if crit.evaluation == "computed":
        value = REGISTRY[crit.computation].fn(snap, resolve_params(crit.computation, crit.params))
        if value.value is not None:
            return value.value
    decl = snap.declared.get(crit.code)
    if decl is None or decl.value is None:
        return None
    try:
        return check_input(crit, decl.value)
    except EngineError:
        return None  # a bad historic value is not a trend point


def _trend(crit: Criterion, snap: Snapshot, current: Any) -> list[tuple[int, Any]]:
    points = {y: vals[crit.code] for y, vals in snap.prior_values.items() if crit.code in vals}
    for year, hist in snap.history.items():
        points[year] = _value_only(crit, hist)
    points[snap.year] = current
    return sorted(points.items())


def evaluate_criterion(
    crit: Criterion, snap: Snapshot, overrides: dict | None = None
) -> CriterionResult:
    origin, additional = "computed", None
    if overrides and crit.code in overrides:
        value = check_input(crit, overrides[crit.code])
        origin = "override"
        status = (
            REPORTED
            if crit.threshold is None
            else (MEETS if compare(value, crit.comparison, crit.threshold) else NOT_MET)
        )
        evidence = Evidence(
            summary_vi="Giá trị nhập tay (thay thế giá trị tính toán)",
            summary_en="Value entered manually (overrides the computed value)",
        )
    elif crit.evaluation == "computed":
        comp = REGISTRY[crit.computation].fn(snap, resolve_params(crit.computation, crit.params))
        value, status, evidence = comp.value, _status(crit, comp), comp.evidence
        additional = _additional_needed(crit, comp)
        if comp.value is None and crit.code in snap.declared:
            value, status, declared_ev = _declared(crit, snap)
            origin = "declared"
            evidence = replace(
                comp.evidence,
                records=comp.evidence.records + declared_ev.records,
                summary_vi=declared_ev.summary_vi,
                summary_en=declared_ev.summary_en,
            )
    else:
        value, status, evidence = _declared(crit, snap)
        origin = "declared"
    return CriterionResult(
        code=crit.code,
        name_vi=crit.name_vi,
        name_en=crit.name_en,
        value=value,
        unit=crit.unit,
        status=status,
        threshold=crit.threshold,
        comparison=crit.comparison,
        gap=gap_to_threshold(value, crit.comparison, crit.threshold),
        mandatory=crit.mandatory,
        evidence=evidence,
        trend=_trend(crit, snap, value),
        source=str(crit.source),
        origin=origin,
        verify=crit.verify,
        additional_needed=additional,
    )


def _target_criterion(pack: Pack, target: ContextTarget) -> Criterion | None:
    """A context target as a (non-mandatory) criterion, or None if it does not
    apply to this pack."""
    base = pack.criterion(target.criterion) if target.criterion else None
    if target.criterion and base is None:
        return None
    comp = base.computation if base else target.computation
    if comp not in REGISTRY:
        raise EngineError(
            "unknown_computation",
            f"target {target.code}: unknown computation {comp!r}",
            target=target.code,
        )
    if SCOPE_DATA[pack.scope] not in REGISTRY[comp].scopes:
        return None
    return Criterion(
        code=target.code,
        name_vi=target.name_vi,
        name_en=target.name_en,
        source=Source(document=target.source or "context target", article=target.basis),
        evaluation="computed",
        unit=target.unit or (base.unit if base else REGISTRY[comp].unit),
        mandatory=False,
        computation=comp,
        params={**(base.params if base else {}), **target.params},
        threshold=target.threshold,
        comparison=target.comparison,
    )


def evaluate_pack(pack: Pack, snapshot: Snapshot, overrides: dict | None = None) -> Scorecard:
    if SCOPE_DATA[pack.scope] != snapshot.scope:
        raise EngineError(
            "wrong_scope",
            f"pack {pack.id} evaluates {pack.scope} data, got {snapshot.scope}",
            pack=pack.id,
        )
    unknown = set(overrides or {}) - set(pack.codes)
    if unknown:
        raise EngineError(
            "unknown_criterion",
            f"pack {pack.id} has no criterion {sorted(unknown)}",
            criterion=sorted(unknown)[0],
        )
    warnings = []
    if pack.status == "repealed":
        warnings.append(f"{pack.id}: repealed on {pack.effective_to}; historical reference only")
    elif not pack.in_force_on(snapshot.day):
        warnings.append(f"{pack.id}: not in force on {snapshot.day}")
    if any(c.verify for c in pack.criteria):
        warnings.append(f"{pack.id}: some thresholds are still to be verified against the source")
    results = [evaluate_criterion(c, snapshot, overrides) for c in pack.criteria]
    targets = [_target_criterion(pack, t) for t in snapshot.targets]
    context = [evaluate_criterion(t, snapshot) for t in targets if t is not None]
    if isinstance(snapshot, ParkSnapshot):
        subject = snapshot.park.code
    else:
        subject = str(snapshot.enterprise.id)
    return Scorecard(
        pack_id=pack.id,
        pack_version=pack.version,
        title_vi=pack.title_vi,
        title_en=pack.title_en,
        scope=pack.scope,
        subject=subject,
        year=snapshot.year,
        results=results,
        context_results=context,
        warnings=warnings,
    )
