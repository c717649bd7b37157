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
ACCEPT_BELOW = 0.3  # a resolver guess below this confidence is no answer
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
    waste_code: str = ""  # Vietnamese code, Circular 02/2022/TT-BTNMT Appendix III
    ewc: str = ""  # European Waste Catalogue code (Decision 2000/532/EC), "*" = hazardous
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

    def resolve(self, text: str, unit: str | None = None) -> Resource | None:
        """The best resource for a code or a Vietnamese/English description, or
        None when nothing fits well enough.  Delegates to the one resolver
        (:mod:`eiphub.core.resolver`); ``unit`` constrains the candidates."""
        return self.resolve_many([(text, unit)])[0]

    def resolve_many(self, pairs, lang: str | None = None) -> list[Resource | None]:
        """:meth:`resolve` for many ``(text, unit)`` pairs, in their order: each
        distinct pair once, the text model asked once for the whole batch
        (:func:`eiphub.core.resolver.resolve_many`)."""
        from .resolver import resolve_many

        out = []
        for res in resolve_many(pairs, catalogue=self, lang=lang):
            best = res.best
            out.append(
                None if best is None or best.score < ACCEPT_BELOW else self.by_code[best.code]
            )
        return out

    def resolve_candidates(self, text: str, unit: str | None = None, lang: str | None = None):
        """Ranked candidates with confidence and reason (a :class:`Resolution`)."""
        from .resolver import resolve

        return resolve(text, unit=unit, lang=lang, catalogue=self)

    def units_for(self, code: str) -> list[str]:
        """Entry units that can measure resource ``code`` (its own unit first)."""
        from .units import ENTRY_UNITS, UnitError

        r = self[code]
        hit = self._units.get(code) if hasattr(self, "_units") else None
        if hit is not None:
            return hit
        out = [r.unit] if r.unit else []
        for unit in ENTRY_UNITS:
            if unit in out:
                continue
            try:
                self.to_canonical(code, 1.0, unit)
            except UnitError:
                continue
            out.append(unit)
        if not hasattr(self, "_units"):
            self._units = {}
        self._units[code] = out
        return out

    def to_canonical(self, code: str, value: float, unit: str) -> float:
        """Convert a quantity of resource ``code`` to its canonical unit."""
        r = self.by_code[code]
        if r.unit is None:
            raise UnitError("group_resource", f"{code} is a group, not a resource", resource=code)
        if code.startswith("energy.steam") and dimension_of(unit) == "energy":
            return steam_tonnes(convert(value, unit, "GJ"))
        return convert(value, unit, r.unit, density_kg_per_m3=r.density_kg_per_m3)


_WASTE_CODE = re.compile(r"\d\d \d\d \d\d\*?")


def _build(entries: list[dict], path: Path) -> list[Resource]:
    seen: dict[str, Resource] = {}
    allowed = {
        "code",
        "vi",
        "en",
        "unit",
        "hazardous",
        "waste_code",
        "ewc",
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
        for key in ("waste_code", "ewc"):
            value = str(e.get(key) or "")
            if value and not _WASTE_CODE.fullmatch(value):
                raise CatalogueError(f"{where}: {key} {value!r} must look like '10 01 02'")
        ewc = str(e.get("ewc") or "")
        if ewc.endswith("*") and not hazardous:
            raise CatalogueError(f"{where}: EWC {ewc} is a hazardous entry but hazardous is false")
        if group == "chemical" and hazardous:
            raise CatalogueError(
                f"{where}: chemicals are products, not hazardous waste; list the spent "
                "chemical under waste.hazardous"
            )
        for s in e.get("synonyms") or ():
            if not str(s).strip():
                raise CatalogueError(f"{where}: empty synonym")
        seen[code] = Resource(
            code=code,
            name_vi=str(e["vi"]),
            name_en=str(e["en"]),
            unit=unit,
            group=group,
            parent=parent,
            hazardous=hazardous,
            waste_code=str(e.get("waste_code") or ""),
            ewc=ewc,
            synonyms=tuple(str(s) for s in e.get("synonyms") or ()),
            density_kg_per_m3=e.get(
                "density_kg_per_m3", seen[parent].density_kg_per_m3 if parent else None
            ),
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
