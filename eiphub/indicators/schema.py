"""Schema of a criteria pack and its validation.

A pack is a YAML mapping (see ``docs/criteria-packs.md``).  :func:`validate_pack`
turns the parsed mapping into a :class:`Pack` or raises :class:`PackError`
naming the file, the criterion code and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eiphub.core.errors import CodedError

from .computations import REGISTRY, REQUIRED, SCOPE_DATA

SCOPES = ("park", "enterprise", "new_park")
STATUSES = ("in_force", "repealed", "reference")
EVALUATIONS = ("computed", "declared")
COMPARISONS = (">=", ">", "<=", "<", "==")
BOOL_UNIT = "yes/no"
PACK_FIELDS = {
    "id",
    "version",
    "title",
    "status",
    "legal_source",
    "effective",
    "scope",
    "description",
    "criteria",
    "notes",
}
CRITERION_FIELDS = {
    "code",
    "name",
    "group",
    "source",
    "evaluation",
    "computation",
    "params",
    "unit",
    "threshold",
    "comparison",
    "range",
    "mandatory",
    "verify",
    "note",
}


class PackError(CodedError, ValueError):
    """A malformed pack.  ``code`` is a machine code; ``file``, ``criterion``
    and ``field`` say where; the message is English."""

    file = property(lambda self: self.params.get("file", ""))
    criterion = property(lambda self: self.params.get("criterion", ""))
    field = property(lambda self: self.params.get("field", ""))

    def describe(self, message: str) -> str:
        where = self.file
        if self.criterion:
            where += f": criterion {self.criterion}"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {message}"


@dataclass(frozen=True)
class Source:
    document: str
    article: str
    page: str = ""
    url: str = ""

    def __str__(self) -> str:
        return ", ".join(x for x in (self.document, self.article, self.page) if x)


@dataclass
class Criterion:
    code: str
    name_vi: str
    name_en: str
    source: Source
    evaluation: str
    unit: str
    mandatory: bool
    computation: str = ""
    params: dict = field(default_factory=dict)
    threshold: Any = None
    comparison: str = ""
    range: tuple[float, float] | None = None
    group: str = ""
    verify: bool = False
    note: str = ""

    @property
    def is_bool(self) -> bool:
        return self.unit == BOOL_UNIT


@dataclass
class Pack:
    id: str
    version: str
    title_vi: str
    title_en: str
    status: str
    scope: str
    legal_source: dict
    criteria: list[Criterion]
    effective_from: date | None = None
    effective_to: date | None = None
    effective_verify: bool = False
    description_vi: str = ""
    description_en: str = ""
    notes: str = ""
    path: str = ""

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.criteria]

    def in_force_on(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day < self.effective_to
        )


def _bilingual(value, err, fld: str) -> tuple[str, str]:
    if not isinstance(value, dict) or not value.get("vi") or not value.get("en"):
        raise err("missing_name", "needs both 'vi' and 'en' text", fld)
    return str(value["vi"]), str(value["en"])


def _date(value, err, fld: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise err("invalid_date", f"{value!r} is not a date (YYYY-MM-DD)", fld)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_pack(doc: Any, file: str) -> Pack:
    def err(code, message, fld="", criterion=""):
        return PackError(code, message, file=file, criterion=criterion, field=fld)

    if not isinstance(doc, dict):
        raise err("not_mapping", "a pack must be a YAML mapping")
    extra = set(doc) - PACK_FIELDS
    if extra:
        raise err("unknown_field", f"unknown field(s) {sorted(extra)}", sorted(extra)[0])
    for key in ("id", "version", "title", "status", "legal_source", "scope", "criteria"):
        if doc.get(key) in (None, "", []):
            raise err("missing_field", "is required", key)
    if not re.fullmatch(r"[a-z0-9_]+", str(doc["id"])):
        raise err("invalid_id", "use lower-case letters, digits and '_'", "id")
    title_vi, title_en = _bilingual(doc["title"], err, "title")
    if doc["status"] not in STATUSES:
        raise err("invalid_choice", f"must be one of {STATUSES}", "status")
    if doc["scope"] not in SCOPES:
        raise err("invalid_choice", f"must be one of {SCOPES}", "scope")
    legal = doc["legal_source"]
    if not isinstance(legal, dict) or not legal.get("document"):
        raise err("missing_field", "needs 'document'", "legal_source.document")
    eff = doc.get("effective") or {}
    if not isinstance(eff, dict):
        raise err("not_mapping", "must be a mapping with 'from', 'to', 'verify'", "effective")
    eff_from = _date(eff.get("from"), err, "effective.from")
    eff_to = _date(eff.get("to"), err, "effective.to")
    if doc["status"] == "repealed" and eff_to is None:
        raise err("missing_field", "a repealed pack needs the repeal date", "effective.to")
    desc = doc.get("description") or {}
    if not isinstance(doc["criteria"], list):
        raise err("not_list", "must be a list of criteria", "criteria")
    criteria, seen = [], set()
    for i, entry in enumerate(doc["criteria"], start=1):
        crit = _criterion(entry, i, doc, err)
        if crit.code in seen:
            raise err("duplicate_code", "code used twice", "code", crit.code)
        seen.add(crit.code)
        criteria.append(crit)
    return Pack(
        id=str(doc["id"]),
        version=str(doc["version"]),
        title_vi=title_vi,
        title_en=title_en,
        status=doc["status"],
        scope=doc["scope"],
        legal_source=dict(legal),
        criteria=criteria,
        effective_from=eff_from,
        effective_to=eff_to,
        effective_verify=bool(eff.get("verify", False)),
        description_vi=str(desc.get("vi", "")) if isinstance(desc, dict) else "",
        description_en=str(desc.get("en", "")) if isinstance(desc, dict) else "",
        notes=str(doc.get("notes") or ""),
        path=file,
    )


def _criterion(entry: Any, index: int, doc: dict, err) -> Criterion:
    if not isinstance(entry, dict):
        raise err("not_mapping", f"criterion #{index} must be a mapping", "criteria")
    code = str(entry.get("code") or "")
    if not code or not re.fullmatch(r"[\w.\-]+", code):
        raise err(
            "invalid_code", f"criterion #{index} needs a code (letters, digits, '.-_')", "code"
        )

    def cerr(c, message, fld):
        return err(c, message, fld, code)

    extra = set(entry) - CRITERION_FIELDS
    if extra:
        raise cerr("unknown_field", f"unknown field(s) {sorted(extra)}", sorted(extra)[0])
    for key in ("name", "source", "evaluation", "unit", "mandatory"):
        if entry.get(key) in (None, ""):
            raise cerr("missing_field", "is required", key)
    name_vi, name_en = _bilingual(entry["name"], cerr, "name")
    src = entry["source"]
    if not isinstance(src, dict) or not str(src.get("article") or "").strip():
        raise cerr("missing_field", "every criterion needs its legal article", "source.article")
    source = Source(
        document=str(src.get("document") or doc["legal_source"]["document"]),
        article=str(src["article"]),
        page=str(src.get("page") or ""),
        url=str(src.get("url") or ""),
    )
    evaluation = entry["evaluation"]
    if evaluation not in EVALUATIONS:
        raise cerr("invalid_choice", f"must be one of {EVALUATIONS}", "evaluation")
    if not isinstance(entry["mandatory"], bool):
        raise cerr("invalid_type", "must be true or false", "mandatory")
    unit = str(entry["unit"])
    params = entry.get("params") or {}
    comp_name = str(entry.get("computation") or "")
    if evaluation == "computed":
        comp = REGISTRY.get(comp_name)
        if comp is None:
            raise cerr(
                "unknown_computation",
                f"unknown computation {comp_name!r}; known: {sorted(REGISTRY)}",
                "computation",
            )
        if SCOPE_DATA[doc["scope"]] not in comp.scopes:
            raise cerr(
                "wrong_scope", f"{comp_name} does not work on {doc['scope']} data", "computation"
            )
        if not isinstance(params, dict):
            raise cerr("not_mapping", "must be a mapping", "params")
        for key in params:
            if key not in comp.params:
                raise cerr(
                    "unknown_param", f"{comp_name} takes {sorted(comp.params)}", f"params.{key}"
                )
        for key, default in comp.params.items():
            if default is REQUIRED and key not in params:
                raise cerr("missing_field", f"{comp_name} requires it", f"params.{key}")
        for key, allowed in comp.choices.items():
            if key in params and params[key] not in allowed:
                raise cerr("invalid_choice", f"must be one of {list(allowed)}", f"params.{key}")
        groups = params.get("iso_requirements")
        if groups is not None and not (
            isinstance(groups, list)
            and all(
                isinstance(g, list) and g and all(isinstance(x, str) and x for x in g)
                for g in groups
            )
        ):
            raise cerr(
                "invalid_iso_requirements",
                "must be a list of groups, each a list of standard names",
                "params.iso_requirements",
            )
        if groups and "iso_accept_declared" in comp.params and not params.get("iso_source"):
            raise cerr(
                "missing_field", "name the legal text of the ISO condition", "params.iso_source"
            )
    elif comp_name or params:
        raise cerr(
            "unexpected_field",
            "only computed criteria name a computation",
            "computation" if comp_name else "params",
        )

    threshold, comparison = entry.get("threshold"), entry.get("comparison") or ""
    if threshold is None:
        if entry["mandatory"]:
            raise cerr("missing_field", "a mandatory criterion needs a threshold", "threshold")
        if comparison:
            raise cerr("unexpected_field", "no threshold to compare with", "comparison")
    else:
        if comparison not in COMPARISONS:
            raise cerr("invalid_choice", f"must be one of {COMPARISONS}", "comparison")
        if unit == BOOL_UNIT and (not isinstance(threshold, bool) or comparison != "=="):
            raise cerr(
                "invalid_type",
                "a yes/no criterion needs threshold true/false with '=='",
                "threshold",
            )
        if unit != BOOL_UNIT and not _number(threshold):
            raise cerr("invalid_type", f"must be a number, got {threshold!r}", "threshold")

    rng = entry.get("range")
    if rng is not None:
        if unit == BOOL_UNIT:
            raise cerr("unexpected_field", "a yes/no criterion has no numeric range", "range")
        if not (isinstance(rng, list) and len(rng) == 2 and all(_number(x) for x in rng)):
            raise cerr("invalid_type", "must be [min, max] numbers", "range")
        if rng[0] > rng[1]:
            raise cerr("invalid_range", f"min {rng[0]} is above max {rng[1]}", "range")
        if _number(threshold) and not rng[0] <= threshold <= rng[1]:
            raise cerr("invalid_range", f"threshold {threshold} outside range {rng}", "threshold")
        rng = (rng[0], rng[1])
    for key in ("verify",):
        if key in entry and not isinstance(entry[key], bool):
            raise cerr("invalid_type", "must be true or false", key)
    return Criterion(
        code=code,
        name_vi=name_vi,
        name_en=name_en,
        source=source,
        evaluation=evaluation,
        unit=unit,
        mandatory=entry["mandatory"],
        computation=comp_name,
        params=dict(params),
        threshold=threshold,
        comparison=comparison,
        range=rng,
        group=str(entry.get("group") or ""),
        verify=bool(entry.get("verify", False)),
        note=str(entry.get("note") or ""),
    )
