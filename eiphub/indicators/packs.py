"""Loading criteria packs (YAML data files) and the registry of installed packs."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from .schema import Pack, PackError, validate_pack

PACK_DIR = Path(__file__).parent / "packs"


def load_pack(path: str | Path) -> Pack:
    """Read and validate one pack file; errors name the file, criterion and field."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError("unreadable", f"cannot read: {exc.strerror}", file=str(path))
    except yaml.YAMLError as exc:
        raise PackError("invalid_yaml", f"not valid YAML: {exc}", file=path.name)
    return validate_pack(doc, path.name)


def load_all_packs(directory: str | Path | None = None) -> dict[str, Pack]:
    """All packs in ``directory`` (default: the installed packs), by id."""
    packs: dict[str, Pack] = {}
    for path in sorted(Path(directory or PACK_DIR).glob("*.yaml")):
        pack = load_pack(path)
        if pack.id in packs:
            raise PackError(
                "duplicate_id",
                f"pack id {pack.id!r} also used by {packs[pack.id].path}",
                file=path.name,
                field="id",
            )
        packs[pack.id] = pack
    return packs


@lru_cache(maxsize=1)
def installed_packs() -> dict[str, Pack]:
    """The installed packs, loaded once per process."""
    return load_all_packs()


def get_pack(pack_id: str) -> Pack:
    try:
        return installed_packs()[pack_id]
    except KeyError:
        raise KeyError(f"no criteria pack {pack_id!r}; installed: {sorted(installed_packs())}")
