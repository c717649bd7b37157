"""Green-finance eligibility packs (issue 15): Vietnam's green taxonomy, green credit and
green bond rules as versioned YAML data (``core/data/green_finance/*.yaml``), validated on
load, and the check of one project against them.  No Django.

A pack lists the EIP Hub project categories it covers (each with the list item it falls
under), the evidence documents it asks for, and criteria.  Every criterion carries its
citation (``source``: document, article) and ``verify: true`` while it has not been checked
against the published text.  Criterion tests:

- ``category_in``: the project's category is one of the pack's ``categories``;
- ``min_value``: a project figure (``params.metric``: ``co2e_t_per_year``, ``npv_vnd``,
  ``irr``, ``capex_vnd``, ``abatement_cost_vnd_per_t``) compared with ``params.threshold``;
- ``evidence``: the project lists the evidence document ``params.evidence``.

A project *may qualify* when every mandatory criterion is met; when only evidence is
missing it is ``evidence_missing`` (with the list); when a mandatory figure or the category
fails it is ``not_eligible``.  EIP Hub never states that a project qualifies: lenders and
the confirming bodies decide.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from eiphub.core.errors import CodedError

PACK_DIR = Path(__file__).parent / "data" / "green_finance"
KINDS = ("taxonomy", "green_credit", "green_bond")
TESTS = ("category_in", "min_value", "evidence")
METRICS = ("co2e_t_per_year", "npv_vnd", "irr", "capex_vnd", "abatement_cost_vnd_per_t")
COMPARISONS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
# Project categories of EIP Hub (finance.Project.category); packs may only name these.
CATEGORIES = (
    "rooftop_solar", "renewable_energy", "energy_efficiency", "waste_heat_recovery",
    "central_steam", "water_reuse", "wastewater_treatment", "waste_recycling",
    "byproduct_exchange", "clean_production", "other",
)  # fmt: skip


class GreenFinanceError(CodedError, ValueError):
    def describe(self, message: str) -> str:
        return f"{self.params.get('file', '')}: {message}" if "file" in self.params else message


@dataclass(frozen=True)
class Citation:
    document: str
    article: str
    verify: bool
    url: str = ""


@dataclass(frozen=True)
class Criterion:
    code: str
    name_vi: str
    name_en: str
    source: Citation
    test: str
    params: dict
    mandatory: bool

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang.startswith("en") else self.name_vi


@dataclass(frozen=True)
class GreenPack:
    id: str
    version: str
    kind: str
    status: str
    title_vi: str
    title_en: str
    document: str
    issued: dt.date | None
    categories: dict  # category -> Citation
    evidence: dict  # code -> {"vi", "en"}
    criteria: tuple[Criterion, ...]
    path: str = ""

    def title(self, lang: str = "vi") -> str:
        return self.title_en if lang.startswith("en") else self.title_vi

    def evidence_label(self, code: str, lang: str = "vi") -> str:
        labels = self.evidence.get(code, {})
        return labels.get("en" if lang.startswith("en") else "vi", code)

    @property
    def unverified(self) -> int:
        return sum(1 for c in self.criteria if c.source.verify)


def _err(file, msg, code="invalid", **kw):
    return GreenFinanceError(code, msg, file=file, **kw)


def _bilingual(doc, key, file, where):
    v = doc.get(key)
    if not isinstance(v, dict) or not v.get("vi") or not v.get("en"):
        raise _err(file, f"{where}: field '{key}' needs 'vi' and 'en'", field=key)
    return v["vi"], v["en"]


def _citation(src, default_doc, file, where) -> Citation:
    if not isinstance(src, dict) or not src.get("article"):
        raise _err(file, f"{where}: 'source' needs an 'article'", field="source")
    if "verify" not in src or not isinstance(src["verify"], bool):
        raise _err(file, f"{where}: 'source.verify' must be true or false", field="verify")
    return Citation(
        document=str(src.get("document") or default_doc),
        article=str(src["article"]),
        verify=src["verify"],
        url=str(src.get("url") or ""),
    )


def validate_pack(doc, file: str = "<pack>") -> GreenPack:
    if not isinstance(doc, dict):
        raise _err(file, "a pack is a mapping")
    for key in ("id", "version", "kind", "status", "legal_source", "criteria", "categories"):
        if key not in doc:
            raise _err(file, f"missing field '{key}'", field=key)
    if doc["kind"] not in KINDS:
        raise _err(file, f"field 'kind': {doc['kind']!r} is not one of {KINDS}", field="kind")
    title_vi, title_en = _bilingual(doc, "title", file, "pack")
    legal = doc["legal_source"]
    if not isinstance(legal, dict) or not legal.get("document"):
        raise _err(file, "field 'legal_source' needs a 'document'", field="legal_source")
    issued = legal.get("issued")
    if issued is not None and not isinstance(issued, dt.date):
        raise _err(file, "field 'legal_source.issued' must be a date", field="issued")
    categories = {}
    for cat, src in (doc["categories"] or {}).items():
        if cat not in CATEGORIES:
            raise _err(file, f"category {cat!r} is not a project category", field="categories")
        categories[cat] = _citation(src, legal["document"], file, f"category {cat}")
    evidence = {}
    for code, labels in (doc.get("evidence") or {}).items():
        if not isinstance(labels, dict) or not labels.get("vi") or not labels.get("en"):
            raise _err(file, f"evidence {code!r} needs 'vi' and 'en'", field="evidence")
        evidence[code] = {"vi": labels["vi"], "en": labels["en"]}
    criteria, seen = [], set()
    for i, c in enumerate(doc["criteria"] or []):
        code = str(c.get("code") or "")
        where = f"criterion {code or i + 1}"
        if not code or code in seen:
            raise _err(file, f"{where}: missing or duplicate 'code'", field="code")
        seen.add(code)
        name_vi, name_en = _bilingual(c, "name", file, where)
        source = _citation(c.get("source"), legal["document"], file, where)
        test, params = c.get("test"), dict(c.get("params") or {})
        if test not in TESTS:
            raise _err(file, f"{where}: field 'test': unknown test {test!r}", field="test")
        if test == "min_value":
            if params.get("metric") not in METRICS:
                raise _err(
                    file, f"{where}: unknown metric {params.get('metric')!r}", field="params"
                )
            if params.get("comparison") not in COMPARISONS:
                raise _err(file, f"{where}: unknown comparison", field="params")
            if not isinstance(params.get("threshold"), (int, float)):
                raise _err(file, f"{where}: 'threshold' must be a number", field="params")
        if test == "evidence" and params.get("evidence") not in evidence:
            raise _err(file, f"{where}: evidence {params.get('evidence')!r} is not listed",
                       field="params")  # fmt: skip
        if not isinstance(c.get("mandatory"), bool):
            raise _err(file, f"{where}: 'mandatory' must be true or false", field="mandatory")
        criteria.append(Criterion(code, name_vi, name_en, source, test, params, c["mandatory"]))
    if not criteria:
        raise _err(file, "a pack needs at least one criterion", field="criteria")
    return GreenPack(
        id=str(doc["id"]), version=str(doc["version"]), kind=doc["kind"], status=doc["status"],
        title_vi=title_vi, title_en=title_en, document=legal["document"], issued=issued,
        categories=categories, evidence=evidence, criteria=tuple(criteria), path=file,
    )  # fmt: skip


def load_pack(path) -> GreenPack:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _err(path.name, f"not valid YAML: {exc}", code="invalid_yaml")
    return validate_pack(doc, path.name)


def load_all_packs(directory=None) -> dict[str, GreenPack]:
    packs: dict[str, GreenPack] = {}
    for path in sorted(Path(directory or PACK_DIR).glob("*.yaml")):
        pack = load_pack(path)
        if pack.id in packs:
            raise _err(path.name, f"pack id {pack.id!r} is used twice", code="duplicate_id")
        packs[pack.id] = pack
    return packs


@lru_cache(maxsize=1)
def installed_packs() -> dict[str, GreenPack]:
    return load_all_packs()


# ------------------------------------------------------------------ checking a project
@dataclass(frozen=True)
class ProjectFacts:
    category: str
    co2e_t_per_year: float | None = None
    npv_vnd: float | None = None
    irr: float | None = None
    capex_vnd: float | None = None
    abatement_cost_vnd_per_t: float | None = None
    evidence: frozenset = frozenset()


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    status: str  # met | not_met | evidence_missing | no_data
    value: object = None


@dataclass(frozen=True)
class Eligibility:
    pack: GreenPack
    status: str  # may_qualify | evidence_missing | not_eligible | insufficient_data
    results: tuple[CriterionResult, ...]
    missing_evidence: tuple[str, ...] = field(default=())


def check(pack: GreenPack, facts: ProjectFacts) -> Eligibility:
    results, missing = [], []
    for c in pack.criteria:
        if c.test == "category_in":
            status = "met" if facts.category in pack.categories else "not_met"
            value = facts.category
        elif c.test == "min_value":
            value = getattr(facts, c.params["metric"])
            if value is None:
                status = "no_data"
            else:
                ok = COMPARISONS[c.params["comparison"]](value, c.params["threshold"])
                status = "met" if ok else "not_met"
        else:
            value = c.params["evidence"]
            status = "met" if value in facts.evidence else "evidence_missing"
            if status != "met" and c.mandatory:
                missing.append(value)
        results.append(CriterionResult(c, status, value))
    mandatory = [r for r in results if r.criterion.mandatory]
    if any(r.status == "not_met" for r in mandatory):
        verdict = "not_eligible"
    elif any(r.status == "no_data" for r in mandatory):
        verdict = "insufficient_data"
    elif missing:
        verdict = "evidence_missing"
    else:
        verdict = "may_qualify"
    return Eligibility(pack, verdict, tuple(results), tuple(missing))


def check_all(facts: ProjectFacts, packs: dict[str, GreenPack] | None = None) -> list[Eligibility]:
    packs = installed_packs() if packs is None else packs
    ordered = sorted(packs.values(), key=lambda p: (KINDS.index(p.kind), p.id))
    return [check(p, facts) for p in ordered if p.status == "in_force"]
