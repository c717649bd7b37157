"""Symbiosis pathway knowledge base: loader and validator.

A pathway says that an offered resource (``from``: catalogue codes, a group
covers its descendants) can replace an input that a receiver buys today
(``to``: catalogue codes, the first is the primary one).  The table lives in
``data/pathways.yaml`` with a source for every entry; this module reads it,
checks it against the resource catalogue and answers lookups.  Errors name the
file and the pathway id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from eiphub.core.catalogue import Catalogue, default_catalogue
from eiphub.core.errors import CodedError

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_PATH = DATA_DIR / "pathways.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_TABLES = (
    "purchase_vnd_per_unit",
    "disposal_vnd_per_unit",
    "transport_vnd_per_unit_km",
    "max_distance_km",
    "direct_co2e_t_per_unit",
)
_FIELDS = {
    "id",
    "vi",
    "en",
    "from",
    "to",
    "industries",
    "ratio",
    "energy_gj_per_unit",
    "max_share",
    "min_temperature_c",
    "licence",
    "quality_max",
    "quality_min",
    "processing_vnd_per_unit",
    "avoided_purchase_vnd_per_unit",
    "avoided_disposal_vnd_per_unit",
    "co2e_t_per_unit",
    "co2e_basis",
    "water_saved_m3_per_unit",
    "landfill",
    "max_distance_km",
    "confidence",
    "conditions_text",
    "source",
    "verify",
}


class PathwayError(CodedError, ValueError):
    """The pathway file is malformed; ``code`` is machine-readable, the message
    names the file and the pathway id."""


@dataclass(frozen=True)
class Pathway:
    id: str
    name_vi: str
    name_en: str
    from_codes: tuple[str, ...]
    to_codes: tuple[str, ...]
    industries: tuple[str, ...]
    ratio: float | None = None
    energy_gj_per_unit: float | None = None
    max_share: float = 1.0
    min_temperature_c: float | None = None
    licence: str = ""
    quality_max: dict = field(default_factory=dict, compare=False, hash=False)
    quality_min: dict = field(default_factory=dict, compare=False, hash=False)
    processing_vnd_per_unit: float = 0.0
    avoided_purchase_vnd_per_unit: float | None = None
    avoided_disposal_vnd_per_unit: float | None = None
    co2e_t_per_unit: float = 0.0
    co2e_basis: str = ""
    water_saved_m3_per_unit: float | None = None
    landfill: bool | None = None
    max_distance_km: float | None = None
    confidence: float = 0.8
    conditions_text: str = ""
    sources: tuple[str, ...] = ()
    verify: bool = False

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang.startswith("en") else self.name_vi


@dataclass
class PathwaySet:
    """All pathways plus the default value tables, checked against a catalogue."""

    pathways: list[Pathway]
    defaults: dict[str, dict[str, float]]
    references: dict[str, str]
    version: str
    source: str
    catalogue: Catalogue
    by_id: dict[str, Pathway] = field(init=False)

    def __post_init__(self):
        self.by_id = {p.id: p for p in self.pathways}

    def __iter__(self):
        return iter(self.pathways)

    def __len__(self) -> int:
        return len(self.pathways)

    def __getitem__(self, pid: str) -> Pathway:
        return self.by_id[pid]

    def lookup(self, table: str, code: str) -> float | None:
        """Value of a default table for ``code`` or its nearest ancestor."""
        values = self.defaults.get(table, {})
        for c in (code, *self.catalogue.ancestors(code)):
            if c in values:
                return values[c]
        return None

    def from_pathways(self, code: str) -> list[Pathway]:
        """Pathways whose ``from`` covers resource ``code``."""
        return [p for p in self.pathways if any(self.catalogue.is_a(code, f) for f in p.from_codes)]

    def industries_for(self, code: str) -> list[str]:
        """VSIC codes of industries that could take resource ``code``, in pathway order."""
        out: list[str] = []
        for p in self.from_pathways(code):
            out.extend(i for i in p.industries if i not in out)
        return out


def _num(value, where: str, name: str, *, lo: float | None = None, hi: float | None = None):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PathwayError("bad_number", f"{where}: '{name}' must be a number, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise PathwayError("out_of_range", f"{where}: '{name}' = {value} is out of range")
    return float(value)


def _codes(value, where: str, name: str, catalogue: Catalogue) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value or [])
    if not items:
        raise PathwayError("missing_field", f"{where}: '{name}' needs at least one catalogue code")
    for code in items:
        if code not in catalogue:
            raise PathwayError(
                "unknown_code", f"{where}: '{name}' code {code!r} is not in the resource catalogue"
            )
    return tuple(items)


def _quality(value, where: str, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PathwayError("bad_quality", f"{where}: '{name}' must be a mapping of limits")
    return {str(k): _num(v, where, f"{name}.{k}") for k, v in value.items()}


def _build(entry: dict, i: int, path: Path, catalogue: Catalogue, refs: dict) -> Pathway:
    if not isinstance(entry, dict):
        raise PathwayError("bad_entry", f"{path.name}, entry {i}: expected a mapping")
    pid = entry.get("id")
    if not isinstance(pid, str) or not re.fullmatch(r"P-\d{3,}", pid):
        raise PathwayError("bad_id", f"{path.name}, entry {i}: id {pid!r} must look like P-001")
    where = f"{path.name}, pathway {pid}"
    extra = set(entry) - _FIELDS
    if extra:
        raise PathwayError("unknown_field", f"{where}: unknown field(s) {sorted(extra)}")
    for lang in ("vi", "en"):
        if not entry.get(lang):
            raise PathwayError("missing_field", f"{where}: missing name '{lang}'")
    from_codes = _codes(entry.get("from"), where, "from", catalogue)
    to_codes = _codes(entry.get("to"), where, "to", catalogue)
    ratio = _num(entry.get("ratio"), where, "ratio", lo=0)
    energy = _num(entry.get("energy_gj_per_unit"), where, "energy_gj_per_unit", lo=0)
    if (ratio is None) == (energy is None):
        raise PathwayError(
            "bad_ratio", f"{where}: give exactly one of 'ratio' or 'energy_gj_per_unit'"
        )
    if ratio is not None:
        units = {catalogue[c].unit for c in to_codes if catalogue[c].unit}
        if len(units) > 1:
            raise PathwayError(
                "mixed_units",
                f"{where}: 'to' codes have different units {sorted(units)}; "
                "use energy_gj_per_unit or split the pathway",
            )
    industries = tuple(str(x) for x in entry.get("industries") or ())
    if not industries or not all(re.fullmatch(r"\d{4}", x) for x in industries):
        raise PathwayError(
            "bad_industry", f"{where}: 'industries' must list VSIC 2018 4-digit codes"
        )
    sources = entry.get("source")
    sources = (sources,) if isinstance(sources, str) else tuple(sources or ())
    if not sources:
        raise PathwayError("missing_source", f"{where}: every pathway needs a 'source'")
    for s in sources:
        if s not in refs:
            raise PathwayError("unknown_source", f"{where}: source {s!r} is not in 'references'")
    co2 = _num(entry.get("co2e_t_per_unit"), where, "co2e_t_per_unit") or 0.0
    if co2 and not entry.get("co2e_basis"):
        raise PathwayError("missing_basis", f"{where}: 'co2e_basis' is required with a CO2e value")
    landfill = entry.get("landfill")
    return Pathway(
        id=pid,
        name_vi=str(entry["vi"]),
        name_en=str(entry["en"]),
        from_codes=from_codes,
        to_codes=to_codes,
        industries=industries,
        ratio=ratio,
        energy_gj_per_unit=energy,
        max_share=_num(entry.get("max_share"), where, "max_share", lo=0, hi=1) or 1.0,
        min_temperature_c=_num(entry.get("min_temperature_c"), where, "min_temperature_c"),
        licence=str(entry.get("licence") or ""),
        quality_max=_quality(entry.get("quality_max"), where, "quality_max"),
        quality_min=_quality(entry.get("quality_min"), where, "quality_min"),
        processing_vnd_per_unit=_num(
            entry.get("processing_vnd_per_unit"), where, "processing_vnd_per_unit", lo=0
        )
        or 0.0,
        avoided_purchase_vnd_per_unit=_num(
            entry.get("avoided_purchase_vnd_per_unit"), where, "avoided_purchase_vnd_per_unit", lo=0
        ),
        avoided_disposal_vnd_per_unit=_num(
            entry.get("avoided_disposal_vnd_per_unit"), where, "avoided_disposal_vnd_per_unit", lo=0
        ),
        co2e_t_per_unit=co2,
        co2e_basis=str(entry.get("co2e_basis") or ""),
        water_saved_m3_per_unit=_num(
            entry.get("water_saved_m3_per_unit"), where, "water_saved_m3_per_unit", lo=0
        ),
        landfill=None if landfill is None else bool(landfill),
        max_distance_km=_num(entry.get("max_distance_km"), where, "max_distance_km", lo=0),
        confidence=_num(entry.get("confidence"), where, "confidence", lo=0, hi=1) or 0.8,
        conditions_text=str(entry.get("conditions_text") or ""),
        sources=sources,
        verify=bool(entry.get("verify", False)),
    )


def load_pathways(path: str | Path | None = None, catalogue: Catalogue | None = None) -> PathwaySet:
    """Load and validate a pathway file; raise :class:`PathwayError` naming file and id."""
    path = Path(path or DEFAULT_PATH)
    catalogue = catalogue or default_catalogue()
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise PathwayError("bad_yaml", f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("pathways"), list):
        raise PathwayError("bad_file", f"{path.name}: needs 'version', 'references' and 'pathways'")
    refs = {str(k): str(v) for k, v in (doc.get("references") or {}).items()}
    defaults: dict[str, dict[str, float]] = {}
    for table, values in (doc.get("defaults") or {}).items():
        if table == "verify":
            continue
        if table not in DEFAULT_TABLES or not isinstance(values, dict):
            raise PathwayError("bad_defaults", f"{path.name}: unknown defaults table {table!r}")
        for code, value in values.items():
            where = f"{path.name}, defaults.{table}"
            if code not in catalogue:
                raise PathwayError(
                    "unknown_code", f"{where}: code {code!r} is not in the catalogue"
                )
            values[code] = _num(value, where, code)
        defaults[table] = dict(values)
    pathways, seen = [], set()
    for i, entry in enumerate(doc["pathways"], start=1):
        p = _build(entry, i, path, catalogue, refs)
        if p.id in seen:
            raise PathwayError("duplicate_id", f"{path.name}, pathway {p.id}: duplicate id")
        seen.add(p.id)
        pathways.append(p)
    return PathwaySet(
        pathways, defaults, refs, str(doc.get("version", "")), str(doc.get("source", "")), catalogue
    )


@lru_cache(maxsize=1)
def default_pathways() -> PathwaySet:
    return load_pathways()
