"""Rules of the one resource resolver (eiphub/core/resolver.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiphub.core import resolver as R
from eiphub.core.catalogue import default_catalogue, fold


@pytest.fixture(scope="module")
def cat():
    return default_catalogue()


def best(cat, text, unit=None):
    r = cat.resolve(text, unit=unit)
    return r.code if r else None


def test_modifier_in_the_context_does_not_win(cat):
    # the thing offered is steam; the cement plant is where it comes from
    code = best(cat, "hơi dư từ lò hơi thu hồi nhiệt của nhà máy xi măng", "t")
    assert cat.is_a(code, "energy.steam")
    # make-up water for a cooling tower is water, not heat ("giải nhiệt" contains "nhiệt")
    assert best(cat, "nước bổ sung cho tháp giải nhiệt", "m3") == "water.makeup"


def test_split_head_at_context_markers():
    assert R.split_head("hơi dư từ lò hơi") == ("hơi dư", "lò hơi")
    assert R.split_head("fly ash from coal boilers") == ("fly ash", "coal boilers")
    assert R.split_head("tro bay làm phụ gia xi măng") == ("tro bay", "phụ gia xi măng")
    # a marker as the first word is not a split
    assert R.split_head("from scratch")[0] == "from scratch"


def test_diacritics_first_folding_only_for_plain_words(cat):
    assert best(cat, "dầu thải") == "waste.hazardous.used_oil"
    assert best(cat, "đầu tôm") == "waste.organic.food.shrimp"  # head (đầu), not oil (dầu)
    assert best(cat, "da thuộc vụn") == "waste.leather"
    assert best(cat, "dau thai") == "waste.hazardous.used_oil"  # typed without accents
    # "đá" (stone) written with its accent never matches "da" (leather)
    res = cat.resolve_candidates("đá vụn")
    assert "waste.leather" not in [c.code for c in res.candidates if c.reason != R.SEMANTIC]


def test_than_cam_is_anthracite(cat):
    assert best(cat, "than cám") == "energy.fuel.coal.anthracite"
    assert best(cat, "than cam") == "energy.fuel.coal.anthracite"


def test_more_specific_name_spanning_head_and_context(cat):
    assert best(cat, "gypsum from FGD", "t") == "waste.gypsum.fgd"
    assert best(cat, "CO2 from fermentation", "t") == "byproduct.co2"
    assert best(cat, "steel slags", "t") == "waste.slag.steel"


def test_head_noun_per_language(cat):
    assert best(cat, "coal ash") == "waste.ash"  # English: the last word is the head
    assert best(cat, "plasterboard offcuts") == "waste.gypsum.plasterboard"  # form word
    assert best(cat, "sawdust and wood chips") == "waste.wood.sawdust"  # first alternative


def test_unit_dimension_constrains(cat):
    # energy units: steam and heat are accepted, materials are not
    assert best(cat, "nhiệt cho sấy", "MWh") == "energy.heat.drying"
    assert best(cat, "steam", "GJ") == "energy.steam"
    assert R.accepts(cat["energy.steam"], R.ENERGY)
    assert not R.accepts(cat["material.cement"], R.ENERGY)
    assert R.accepts(cat["energy.fuel.diesel"], R.VOLUME)  # through its density
    assert not R.accepts(cat["waste.ash.fly"], R.VOLUME)
    assert R.unit_kind("m³") == R.VOLUME and R.unit_kind("tấn") == R.MASS
    assert R.unit_kind("Gcal") == R.ENERGY and R.unit_kind("bogus-unit") is None


def test_generic_head_takes_the_stated_use(cat):
    res = cat.resolve_candidates("raw material for pig feed", unit="t")
    assert res.best.code == "material.animal_feed.pig_feed" and res.best.reason == R.USE


def test_never_stops_at_root_when_a_specific_resource_fits(cat):
    res = cat.resolve_candidates("raw material for pig feed", unit="t")
    assert R._depth(res.best.code) > 1
    r = cat.resolve("bùn thải", unit="t")
    assert r.code == "waste.sludge"  # a resource with a unit, not a group


def test_exact_code_and_unknown_text(cat):
    res = cat.resolve_candidates("waste.ash.fly")
    assert res.best.code == "waste.ash.fly" and res.confidence == 1.0 and not res.uncertain
    assert cat.resolve("") is None
    res = cat.resolve_candidates("")
    assert res.best is None and res.uncertain


def test_lexical_only_fallback(cat, monkeypatch):
    monkeypatch.setattr(R, "_semantic", lambda catalogue: None)
    R.clear_cache()
    try:
        assert best(cat, "tro bay nhiệt điện", "tấn") == "waste.ash.fly"
        assert cat.resolve("qwzx plorf", unit="t") is None
    finally:
        R.clear_cache()


def test_results_are_cached_per_text_and_unit(cat):
    a = cat.resolve_candidates("tro bay", unit="t")
    b = cat.resolve_candidates("tro bay", unit="t")
    assert a is b


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(default_catalogue().by_code)), st.booleans())
def test_every_primary_name_resolves_to_itself_or_a_namesake(code, english):
    cat = default_catalogue()
    r = cat[code]
    name = r.name_en if english else r.name_vi
    res = cat.resolve_candidates(name)
    assert res.best is not None
    # the resource itself, or another entry carrying the same label
    same = {
        c.code for c in cat if fold(name) in {fold(x) for x in (c.name_vi, c.name_en, *c.synonyms)}
    }
    assert res.best.code in same | {code}


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdeghiklmnoprstuvxyđăâêôơư ", max_size=30))
def test_any_text_gives_ranked_candidates_within_bounds(text):
    res = default_catalogue().resolve_candidates(text, unit="t")
    scores = [c.score for c in res.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
