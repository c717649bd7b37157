"""Transport limits per resource (``core/data/transport_limits.yaml``): how far an
exchange of a resource is realistic, keyed by catalogue code or group and
inherited down the tree (``waste.ash.fly`` takes the limit of ``waste.ash``).
Validated on load against the catalogue."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from eiphub.core.errors import CodedError

from .catalogue import Catalogue, default_catalogue

DEFAULT_PATH = Path(__file__).parent / "data" / "transport_limits.yaml"
MODES = {"truck", "truck_or_barge", "tanker_truck", "pipeline", "line", "cylinder_or_tanker"}


class TransportLimitError(CodedError, ValueError):
    """The limits file is malformed; ``code`` and the message name the file and entry."""


@dataclass(frozen=True)
class TransportLimit:
    code: str
    max_km: float
    mode: str
    source: str


class TransportLimits:
    def __init__(self, limits: list[TransportLimit], default_km: float, catalogue: Catalogue):
        self.by_code = {x.code: x for x in limits}
        self.default_km = default_km
        self.cat = catalogue
        self._cache: dict[str, TransportLimit | None] = {}

    def limit(self, code: str) -> TransportLimit | None:
        """The entry that applies to ``code``: its own or its nearest listed ancestor's."""
        if code not in self._cache:
            hit = None
            for c in (code, *self.cat.ancestors(code)) if code in self.cat else ():
                if c in self.by_code:
                    hit = self.by_code[c]
                    break
            self._cache[code] = hit
        return self._cache[code]

    def max_km(self, code: str | None) -> float:
        hit = self.limit(code) if code else None
        return hit.max_km if hit else self.default_km


def load_transport_limits(
    path: str | Path | None = None, catalogue: Catalogue | None = None
) -> TransportLimits:
    path = Path(path or DEFAULT_PATH)
    cat = catalogue or default_catalogue()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TransportLimitError("bad_yaml", f"{path.name}: not valid YAML: {exc}")
    if not isinstance(doc, dict) or not isinstance(doc.get("limits"), list):
        raise TransportLimitError("bad_file", f"{path.name}: needs 'version', 'source', 'limits'")
    for key in ("version", "source"):
        if not doc.get(key):
            raise TransportLimitError("bad_file", f"{path.name}: missing '{key}'")

    def km(value, where):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TransportLimitError("bad_value", f"{where}: max_km must be a number")
        if not math.isfinite(value) or value <= 0:
            raise TransportLimitError("bad_value", f"{where}: max_km must be positive")
        return float(value)

    default_km = km(doc.get("default_km"), f"{path.name}, default_km")
    out: dict[str, TransportLimit] = {}
    for i, e in enumerate(doc["limits"], start=1):
        where = f"{path.name}, entry {i}"
        if not isinstance(e, dict):
            raise TransportLimitError("bad_entry", f"{where}: expected a mapping")
        extra = set(e) - {"code", "max_km", "mode", "source"}
        if extra:
            raise TransportLimitError("bad_entry", f"{where}: unknown field(s) {sorted(extra)}")
        code = e.get("code")
        if code not in cat:
            raise TransportLimitError("unknown_code", f"{where}: {code!r} is not in the catalogue")
        where = f"{path.name}, {code}"
        if code in out:
            raise TransportLimitError("duplicate", f"{where}: listed twice")
        if e.get("mode") not in MODES:
            raise TransportLimitError("bad_mode", f"{where}: mode must be one of {sorted(MODES)}")
        if not str(e.get("source") or "").strip():
            raise TransportLimitError("no_source", f"{where}: every limit needs a source")
        out[code] = TransportLimit(code, km(e.get("max_km"), where), e["mode"], str(e["source"]))
    return TransportLimits(list(out.values()), default_km, cat)


@lru_cache(maxsize=1)
def default_transport_limits() -> TransportLimits:
    return load_transport_limits()
