"""resolve_many (eiphub/core/resolver.py): many texts at once, the model asked once
per batch, and the very results resolve() gives pair by pair."""

import pytest

from eiphub.core import resolver as R
from eiphub.core.catalogue import default_catalogue
from eiphub.symbiosis.bench_matching import SCALES, synthetic_rows

needs_model = pytest.mark.skipif(not R.semantic_available(), reason="text model not installed")

# Vietnamese and English, with and without units and diacritics, groups, codes,
# context, unknown words, empty text and duplicates.
VARIED = [
    ("tro bay", "t"),
    ("tro bay", "t"),  # duplicate
    ("tro bay", "kg"),
    ("tro bay", None),
    ("  tro bay  ", "t"),
    ("fly ash from coal boilers", "t"),
    ("hơi dư từ lò hơi thu hồi nhiệt của nhà máy xi măng", "t"),
    ("nước bổ sung cho tháp giải nhiệt", "m3"),
    ("raw material for pig feed", "t"),
    ("nguyên liệu cho sản xuất phân bón", "t"),
    ("bùn thải", "t"),
    ("chất thải", "t"),
    ("waste", None),
    ("nhựa", "kg"),
    ("plastic scrap", "t"),
    ("plasterboard offcuts", "t"),
    ("metal", "t"),
    ("hóa chất", "m3"),
    ("steam", "GJ"),
    ("hơi nước", "MWh"),
    ("nhiệt cho sấy", "MWh"),
    ("nước", "m3"),
    ("dầu thải", "l"),
    ("dau thai", None),
    ("than cam", "t"),
    ("đá vụn", None),
    ("đầu tôm", "kg"),
    ("sawdust and wood chips", "m3"),
    ("gypsum from FGD", "t"),
    ("waste.ash.fly", None),
    ("waste.ash.fly", "t"),
    ("", None),
    ("   ", "t"),
    ("qwzx plorf", "t"),
    ("qwzx plorf", None),
    ("xyz 123 vật liệu lạ", "kg"),
    ("something unknown for the kiln", "GJ"),
    ("tro bay", "bogus-unit"),
]


@pytest.fixture(scope="module")
def cat():
    return default_catalogue()


@pytest.fixture(scope="module")
def bench_pairs():
    """The distinct (text, unit) pairs of the matching bench (its small scale)."""
    s = SCALES["small"]
    rows = synthetic_rows(s["parks"], s["enterprises"], s["listings"])
    return list(dict.fromkeys((text, unit) for _, text, unit in rows))


def _fields(res):
    """Everything a Resolution carries, candidate params included (they are not
    part of Candidate equality)."""
    return (
        res.text,
        res.unit,
        res.head,
        res.context,
        tuple((c.code, c.score, c.reason, sorted(c.params.items())) for c in res.candidates),
    )


def _forget():
    """No cached resolution and no cached model vector."""
    R.clear_cache()
    for sem in R._SEMANTIC.values():
        if sem is not None:
            sem._sims.clear()


def test_resolve_many_equals_resolve_pair_by_pair(cat, bench_pairs):
    pairs = VARIED + bench_pairs + VARIED[::-1]
    _forget()  # from here each text is resolved alone, its vector embedded on its own
    one_by_one = [_fields(R.resolve(text, unit=unit, catalogue=cat)) for text, unit in pairs]
    _forget()
    many = R.resolve_many(pairs, catalogue=cat)
    assert len(many) == len(pairs)
    assert [_fields(r) for r in many] == one_by_one
    # duplicates are one resolution; the cache serves resolve() afterwards
    assert many[0] is many[1] is R.resolve("tro bay", unit="t", catalogue=cat)
    codes = [r.code if r else None for r in cat.resolve_many(pairs)]
    assert codes == [r.code if r else None for r in (cat.resolve(t, unit=u) for t, u in pairs)]
    # the set is varied: exact hits, model fallbacks, groups with a member, nothing
    reasons = {c.reason for r in many for c in r.candidates[:1]}
    assert {R.EXACT, R.HEAD, R.SEMANTIC} <= reasons or not R.semantic_available()
    assert any(not r.candidates for r in many)


def test_catalogue_resolve_many_applies_the_acceptance_rule(cat):
    got = cat.resolve_many([("tro bay", "t"), ("", None), ("waste.ash.fly", None)])
    assert got[0].code == "waste.ash.fly" and got[1] is None
    assert got[2] is cat["waste.ash.fly"]


@needs_model
def test_the_model_is_called_once_per_batch(cat, monkeypatch):
    sem = R._semantic(cat)
    calls = []
    real = sem.model.query

    def spy(texts):
        calls.append([texts] if isinstance(texts, str) else list(texts))
        return real(texts)

    monkeypatch.setattr(sem.model, "query", spy)
    # unknown texts: no label fits, every one needs the model's fallback
    unknown = [(f"qwzx plorf {i} vlemk", "t") for i in range(12)]
    _forget()
    batch = R.resolve_many(unknown + unknown, catalogue=cat)
    assert len(calls) == 1 and len(calls[0]) == len(unknown)  # once, each text once
    assert all(r.best is not None and r.best.reason == R.SEMANTIC for r in batch)
    # pair by pair the model is asked once per text: the spy sees the difference
    calls.clear()
    _forget()
    for text, unit in unknown:
        R.resolve(text, unit=unit, catalogue=cat)
    assert len(calls) == len(unknown)
    # resolved texts are not embedded again
    calls.clear()
    R.resolve_many(unknown, catalogue=cat)
    assert calls == []


def test_cache_drops_the_least_recently_used(monkeypatch):
    from eiphub.core import resolver

    resolver.clear_cache()
    monkeypatch.setattr(resolver, "_CACHE_SIZE", 2)
    cat = default_catalogue()
    resolver.resolve_many([("tro bay", "t"), ("xỉ lò cao", "t")], catalogue=cat)
    resolver.resolve_many([("tro bay", "t")], catalogue=cat)  # used again: kept
    resolver.resolve_many([("dầu thải", "t")], catalogue=cat)
    kept = {key[1] for key in resolver._CACHE}
    assert kept == {"tro bay", "dầu thải"}
    resolver.clear_cache()
