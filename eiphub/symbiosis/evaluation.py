"""Evaluation suite for symbiosis identification: real networks from the
published industrial-symbiosis literature, written as firms write listings.

Data (``data/eval/``): one listings CSV per network (the ``eiphub match``
input format, Vietnamese and English, units as firms use them, some rows
without coordinates), ``pairs.csv`` (set, offer_id, want_id, source: the known
exchanges and the citation key of each) and ``decoys.csv`` (listings with no
partner in the literature), ``sources.yaml`` (the citations).

Every set is run through the same path as ``eiphub match``: the listings file
reader, then :func:`eiphub.symbiosis.matching.match` with default parameters.
Metrics, per set and pooled:

* recall@k: share of known exchanges whose want is among the first k wants
  proposed for the offer.  Ranks are *filtered*: an offer's other known
  partners are skipped when ranking one of them (an offer with three real
  receivers can have all three at rank 1);
* MRR: mean reciprocal filtered rank (0 when the want is not proposed);
* decoys in top 3: decoy listings that appear among the first three
  proposals of a known offer, or (decoy offers) that get any proposal ranked
  1-3.

No Django here; the management command ``eiphub eval-matching`` prints the
figures.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from eiphub.core.errors import CodedError

EVAL_DIR = Path(__file__).parent / "data" / "eval"


class EvalError(CodedError, ValueError):
    """The evaluation data is malformed; ``code`` is machine-readable."""


@dataclass
class EvalSet:
    name: str
    path: Path
    pairs: list[tuple[str, str, str]]  # offer_id, want_id, source key
    decoys: set[str] = field(default_factory=set)


@dataclass
class SetResult:
    name: str
    pairs: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    decoys: int
    decoys_in_top3: int
    listings: int
    unresolved: int  # listings whose resource text found no catalogue entry
    misses: list[dict] = field(default_factory=list)  # known pairs not in the top 3
    ranks: list[int] = field(default_factory=list)  # filtered rank per pair, 0 = not proposed

    def as_dict(self) -> dict:
        return {
            "set": self.name,
            "pairs": self.pairs,
            "recall_at_1": round(self.recall_at_1, 4),
            "recall_at_3": round(self.recall_at_3, 4),
            "mrr": round(self.mrr, 4),
            "decoys": self.decoys,
            "decoys_in_top3": self.decoys_in_top3,
            "listings": self.listings,
            "unresolved": self.unresolved,
            "misses": self.misses,
        }


def load_suite(directory: str | Path | None = None) -> tuple[list[EvalSet], dict[str, str]]:
    """The evaluation sets and the citations, validated: every pair names
    listings of its set (an offer and a want) and a cited source."""
    d = Path(directory or EVAL_DIR)
    try:
        sources = yaml.safe_load((d / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise EvalError("bad_sources", f"{d / 'sources.yaml'}: {exc}") from exc
    sets: dict[str, EvalSet] = {}
    for row in _rows(d / "pairs.csv"):
        name = row["set"]
        if name not in sets:
            path = d / f"{name}.csv"
            if not path.exists():
                raise EvalError("missing_set", f"pairs.csv: no listings file {path.name}", set=name)
            sets[name] = EvalSet(name, path, [])
        if row["source"] not in sources:
            raise EvalError(
                "unknown_source",
                f"pairs.csv: source {row['source']!r} is not in sources.yaml",
                source=row["source"],
            )
        sets[name].pairs.append((row["offer_id"], row["want_id"], row["source"]))
    for row in _rows(d / "decoys.csv"):
        if row["set"] not in sets:
            raise EvalError("missing_set", f"decoys.csv: unknown set {row['set']!r}")
        sets[row["set"]].decoys.add(row["listing_id"])
    for s in sets.values():
        kinds = {r["listing_id"]: r["kind"] for r in _rows(s.path)}
        for o, w, _src in s.pairs:
            if kinds.get(o) != "offer" or kinds.get(w) != "want":
                raise EvalError(
                    "bad_pair", f"{s.name}: pair {o} -> {w} must join an offer to a want"
                )
        for x in s.decoys:
            if x not in kinds:
                raise EvalError("bad_decoy", f"{s.name}: decoy {x} is not a listing")
            if any(x in (o, w) for o, w, _ in s.pairs):
                raise EvalError("bad_decoy", f"{s.name}: decoy {x} is part of a known pair")
    return sorted(sets.values(), key=lambda s: s.name), {str(k): str(v) for k, v in sources.items()}


def _rows(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise EvalError("missing_file", f"{path}: {exc}") from exc


def _read(path: Path, catalogue):
    """The listings of a file, read as ``eiphub match`` reads them (bad rows
    skipped and reported when the matching package offers that)."""
    from eiphub.symbiosis import matching

    reader = getattr(matching, "read_listings", None)
    if reader is not None:
        got = reader(path, catalogue, strict=False)
        return got.listings
    listings, _warnings = matching.read_listings_csv(path, catalogue)
    return listings


def run_set(s: EvalSet, catalogue=None, params=None) -> SetResult:
    from eiphub.symbiosis.matching import match

    listings = _read(s.path, catalogue)
    matches = match(listings, catalogue=catalogue, params=params)
    by_offer: dict[str, list[tuple[int, float, str]]] = defaultdict(list)
    for m in matches:
        by_offer[m.offer_id].append((m.rank, -m.score, m.want_id))
    order = {o: [w for *_k, w in sorted(v)] for o, v in by_offer.items()}
    partners: dict[str, set[str]] = defaultdict(set)
    for o, w, _ in s.pairs:
        partners[o].add(w)
    ranks, misses = [], []
    text = {x.id: x.resource_text for x in listings}
    code = {x.id: x.resource for x in listings}
    for o, w, src in s.pairs:
        filtered = [x for x in order.get(o, []) if x == w or x not in partners[o]]
        rank = filtered.index(w) + 1 if w in filtered else 0
        ranks.append(rank)
        if not rank or rank > 3:
            misses.append(
                {
                    "offer": o,
                    "want": w,
                    "rank": rank,
                    "offer_text": text.get(o, ""),
                    "offer_resource": code.get(o, ""),
                    "want_text": text.get(w, ""),
                    "want_resource": code.get(w, ""),
                    "proposed": filtered[:3],
                    "source": src,
                }
            )
    hit_decoys = set()
    for o in partners:
        top = [x for x in order.get(o, []) if x not in partners[o]][:3]
        hit_decoys.update(x for x in top if x in s.decoys)
    for d in s.decoys:
        if order.get(d):
            hit_decoys.add(d)
    n = len(ranks) or 1
    return SetResult(
        name=s.name,
        pairs=len(ranks),
        recall_at_1=sum(1 for r in ranks if r == 1) / n,
        recall_at_3=sum(1 for r in ranks if 1 <= r <= 3) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        decoys=len(s.decoys),
        decoys_in_top3=len(hit_decoys),
        listings=len(listings),
        unresolved=sum(1 for x in listings if not x.resource),
        misses=misses,
        ranks=ranks,
    )


def overall(results: list[SetResult]) -> SetResult:
    ranks = [r for res in results for r in res.ranks]
    n = len(ranks) or 1
    return SetResult(
        name="overall",
        pairs=len(ranks),
        recall_at_1=sum(1 for r in ranks if r == 1) / n,
        recall_at_3=sum(1 for r in ranks if 1 <= r <= 3) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        decoys=sum(r.decoys for r in results),
        decoys_in_top3=sum(r.decoys_in_top3 for r in results),
        listings=sum(r.listings for r in results),
        unresolved=sum(r.unresolved for r in results),
        misses=[],
        ranks=ranks,
    )


def run_suite(names=None, directory=None, catalogue=None, params=None):
    """(per-set results, pooled result).  ``names``: only these sets."""
    sets, _sources = load_suite(directory)
    if names:
        unknown = set(names) - {s.name for s in sets}
        if unknown:
            raise EvalError("unknown_set", f"unknown set(s): {', '.join(sorted(unknown))}")
        sets = [s for s in sets if s.name in names]
    results = [run_set(s, catalogue, params) for s in sets]
    return results, overall(results)
