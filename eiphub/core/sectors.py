"""Typical inputs and outputs per industry (VSIC 2018 code -> catalogue resources).

The table is data (``data/sectors.yaml``, every entry with its sources),
validated on load against the resource catalogue.  :func:`typical` answers for
a VSIC code of any length, falling back to the nearest listed prefix (a
4-digit table answers a 5-digit code).  Used to propose likely symbiosis
opportunities for enterprises that have listed nothing yet.  No Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from eiphub.core.errors import CodedError

from .catalogue import Catalogue, default_catalogue

DEFAULT_PATH = Path(__file__).parent / "data" / "sectors.yaml"


class SectorError(CodedError, ValueError):
    """The sector file is malformed; ``code`` is machine-readable, the message
    names the file and the entry."""


@dataclass(frozen=True)
class Sector:
    vsic: str
    name_vi: str
    name_en: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    sources: tuple[str, ...]

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang.startswith("en") else self.name_vi


@dataclass
class SectorTable:
    sectors: dict[str, Sector]
    references: dict[str, str]
    version: str

    def typical(self, vsic: str | None) -> Sector | None:
        """The entry for ``vsic`` or its nearest listed prefix; None if none."""
        code = re.sub(r"\D", "", str(vsic or ""))
        while code:
            if code in self.sectors:
                return self.sectors[code]
            code = code[:-1]
        return None

    def producers_of(self, resource: str, catalogue: Catalogue | None = None) -> list[str]:
        """VSIC codes whose typical outputs include ``resource`` (or a narrower one)."""
        cat = catalogue or default_catalogue()
        return [
            s.vsic for s in self.sectors.values() if any(cat.is_a(o, resource) for o in s.outputs)
        ]

    def users_of(self, resource: str, catalogue: Catalogue | None = None) -> list[str]:
        """VSIC codes whose typical inputs include ``resource`` (or a broader one)."""
        cat = catalogue or default_catalogue()
        return [
            s.vsic for s in self.sectors.values() if any(cat.is_a(resource, i) for i in s.inputs)
        ]


def load_sectors(path: str | Path | None = None, catalogue: Catalogue | None = None) -> SectorTable:
    path = Path(path or DEFAULT_PATH)
    cat = catalogue or default_catalogue()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SectorError("bad_yaml", f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not {"version", "references", "sectors"} <= set(doc):
        raise SectorError("bad_file", f"{path.name}: needs 'version', 'references' and 'sectors'")
    refs = {str(k): str(v) for k, v in (doc["references"] or {}).items()}
    out: dict[str, Sector] = {}
    for i, e in enumerate(doc["sectors"] or [], start=1):
        if not isinstance(e, dict):
            raise SectorError("bad_entry", f"{path.name}, entry {i}: expected a mapping")
        vsic = str(e.get("vsic", ""))
        if not re.fullmatch(r"\d{2,5}", vsic):
            raise SectorError("bad_vsic", f"{path.name}, entry {i}: VSIC code {vsic!r}", vsic=vsic)
        where = f"{path.name}, sector {vsic}"
        extra = set(e) - {"vsic", "vi", "en", "inputs", "outputs", "source"}
        if extra:
            raise SectorError("unknown_field", f"{where}: unknown field(s) {sorted(extra)}")
        if vsic in out:
            raise SectorError("duplicate_vsic", f"{where}: listed twice", vsic=vsic)
        for lang in ("vi", "en"):
            if not e.get(lang):
                raise SectorError("missing_field", f"{where}: missing name '{lang}'")
        lists = {}
        for key in ("inputs", "outputs"):
            codes = tuple(str(c) for c in e.get(key) or ())
            if not codes:
                raise SectorError("missing_field", f"{where}: '{key}' needs at least one code")
            for c in codes:
                if c not in cat:
                    raise SectorError(
                        "unknown_code", f"{where}: {key} code {c!r} is not in the catalogue"
                    )
            lists[key] = codes
        src = e.get("source")
        src = (src,) if isinstance(src, str) else tuple(src or ())
        if not src:
            raise SectorError("missing_source", f"{where}: every sector needs a 'source'")
        for s in src:
            if s not in refs:
                raise SectorError("unknown_source", f"{where}: source {s!r} not in 'references'")
        out[vsic] = Sector(vsic, str(e["vi"]), str(e["en"]), lists["inputs"], lists["outputs"], src)
    return SectorTable(out, refs, str(doc["version"]))


@lru_cache(maxsize=1)
def default_sectors() -> SectorTable:
    return load_sectors()
