"""The resource catalogue: energy carriers, water, materials, chemicals,
wastes, by-products and emissions, arranged as a hierarchy by dotted codes
(``waste.ash.fly`` is a child of ``waste.ash``, itself a child of ``waste``).

The catalogue is data (``eiphub/core/data/resources.yaml``), versioned and
validated on load; this module only reads it and answers questions about it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .units import UnitError, convert, dimension_of, parse_unit, steam_energy_gj

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_PATH = DATA_DIR / "resources.yaml"
GROUPS = ("energy", "water", "material", "chemical", "waste", "byproduct", "emission")


def steam_tonnes(gj: float) -> float:
    """Tonnes of steam carrying ``gj`` at the default steam conditions of the factor file
    (``purchased_thermal.steam_conditions``), the same conditions the GHG inventory uses to
    turn tonnes back into energy, so steam entered in GJ, MWh, Gcal or MMBtu round-trips."""
    from .factors import default_factors

    cond = default_factors().steam_conditions
    per_t = steam_energy_gj(1.0, cond.get("pressure_bar", 10), cond.get("temperature_c"),
                            cond.get("feedwater_c", 25.0))  # fmt: skip
    return gj / per_t


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class Resource:
    code: str
    name_vi: str
    name_en: str
    unit: str | None
    group: str
    parent: str | None
    hazardous: bool = False
    waste_code: str = ""
    synonyms: tuple[str, ...] = ()
    density_kg_per_m3: float | None = None
    lhv_gj_per_t: float | None = None
    attributes: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_group(self) -> bool:
        return self.unit is None

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang.startswith("en") else self.name_vi


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics and collapse spaces: 'Tro bay' == 'tro bay'."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


class Catalogue:
    def __init__(self, resources: list[Resource], version: str, source: str):
        self.version = version
        self.source = source
        self.by_code: dict[str, Resource] = {r.code: r for r in resources}
        self._children: dict[str, list[str]] = {}
        for r in resources:
            if r.parent:
                self._children.setdefault(r.parent, []).append(r.code)
        self._index: dict[str, str] = {}
        for r in resources:
            for label in (r.code, r.name_vi, r.name_en, *r.synonyms):
                self._index.setdefault(fold(label), r.code)

    def __contains__(self, code: str) -> bool:
        return code in self.by_code

    def __getitem__(self, code: str) -> Resource:
        return self.by_code[code]

    def __iter__(self):
        return iter(self.by_code.values())

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str) -> Resource | None:
        return self.by_code.get(code)

    def label(self, code: str, lang: str = "vi", fallback: str | None = None) -> str:
        """Name of ``code`` in ``lang``; ``fallback`` (else the code itself) when unknown."""
        r = self.by_code.get(code) if code else None
        return r.name(lang) if r else (fallback or code or "—")

    def children(self, code: str) -> list[Resource]:
        return [self.by_code[c] for c in self._children.get(code, [])]

    def ancestors(self, code: str) -> list[str]:
        """Codes of the ancestors, nearest first."""
        out = []
        r = self.by_code.get(code)
        while r is not None and r.parent:
            out.append(r.parent)
            r = self.by_code.get(r.parent)
        return out

    def descendants(self, code: str) -> list[str]:
        out, stack = [], list(self._children.get(code, []))
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(self._children.get(c, []))
        return out

    def is_a(self, code: str, ancestor: str) -> bool:
        return code == ancestor or ancestor in self.ancestors(code)

    def leaves(self) -> list[Resource]:
        return [r for r in self.by_code.values() if not r.is_group]

    def resolve(self, text: str) -> Resource | None:
        """Find a resource by code, name or synonym in Vietnamese or English,
        ignoring case and diacritics.  Falls back to the longest catalogue
        label contained in the text ('tro bay tu lo hoi' -> fly ash)."""
        if not text:
            return None
        if text in self.by_code:
            return self.by_code[text]
        key = fold(text)
        if key in self._index:
            return self.by_code[self._index[key]]
        best, best_len = None, 0
        padded = f" {key} "
        for label, code in self._index.items():
            if len(label) > best_len and len(label) >= 3 and f" {label} " in padded:
                best, best_len = code, len(label)
        return self.by_code[best] if best else None

    def to_canonical(self, code: str, value: float, unit: str) -> float:
        """Convert a quantity of resource ``code`` to its canonical unit."""
        r = self.by_code[code]
        if r.unit is None:
            raise UnitError("group_resource", f"{code} is a group, not a resource", resource=code)
        if code.startswith("energy.steam") and dimension_of(unit) == "energy":
            return steam_tonnes(convert(value, unit, "GJ"))
        return convert(value, unit, r.unit, density_kg_per_m3=r.density_kg_per_m3)


def _build(entries: list[dict], path: Path) -> list[Resource]:
    seen: dict[str, Resource] = {}
    allowed = {
        "code",
        "vi",
        "en",
        "unit",
        "hazardous",
        "waste_code",
        "synonyms",
        "density_kg_per_m3",
        "lhv_gj_per_t",
        "attributes",
    }
    for i, e in enumerate(entries, start=1):
        where = f"{path.name}, entry {i}"
        if not isinstance(e, dict):
            raise CatalogueError(f"{where}: expected a mapping")
        extra = set(e) - allowed
        if extra:
            raise CatalogueError(f"{where}: unknown field(s) {sorted(extra)}")
        code = e.get("code")
        if not code or not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", str(code)):
            raise CatalogueError(f"{where}: invalid code {code!r}")
        where = f"{path.name}, resource {code}"
        if code in seen:
            raise CatalogueError(f"{where}: duplicate code")
        for lang in ("vi", "en"):
            if not e.get(lang):
                raise CatalogueError(f"{where}: missing name '{lang}'")
        group = code.split(".")[0]
        if group not in GROUPS:
            raise CatalogueError(f"{where}: top-level group must be one of {GROUPS}")
        parent = code.rsplit(".", 1)[0] if "." in code else None
        if parent and parent not in seen:
            raise CatalogueError(f"{where}: parent {parent} must be listed before it")
        unit = e.get("unit")
        if unit is not None:
            try:
                parse_unit(unit)
            except UnitError as exc:
                raise CatalogueError(f"{where}: {exc}") from exc
        hazardous = bool(e.get("hazardous", seen[parent].hazardous if parent else False))
        seen[code] = Resource(
            code=code,
            name_vi=str(e["vi"]),
            name_en=str(e["en"]),
            unit=unit,
            group=group,
            parent=parent,
            hazardous=hazardous,
            waste_code=str(e.get("waste_code") or ""),
            synonyms=tuple(str(s) for s in e.get("synonyms") or ()),
            density_kg_per_m3=e.get("density_kg_per_m3"),
            lhv_gj_per_t=e.get("lhv_gj_per_t"),
            attributes=dict(e.get("attributes") or {}),
        )
    return list(seen.values())


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    path = Path(path or DEFAULT_PATH)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or "resources" not in doc or "version" not in doc:
        raise CatalogueError(f"{path.name}: needs 'version', 'source' and 'resources'")
    return Catalogue(
        _build(doc["resources"], path), str(doc["version"]), str(doc.get("source", ""))
    )


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return load_catalogue()
