"""Matching engine: seed examples, filters, free-text resolution, benefits,
CSV reading, investor fit, and the indexed path == the all-pairs reference."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eiphub.symbiosis import matching as M
from eiphub.symbiosis.bench_matching import same_matches
from eiphub.symbiosis.matching import (
    Listing,
    ListingFileError,
    MatchParams,
    match,
    match_reference,
    rank_parks_for_investor,
    read_listings_csv,
    unmatched_offers_by_park,
)
from eiphub.symbiosis.matching import geo as G

SAMPLE = Path(M.__file__).parent.parent / "data" / "sample_listings.csv"


def L(id, kind, code, qty, lat=20.20, lon=106.00, ent=None, park="KP", **kw):
    return Listing(
        id, ent or f"E-{id}", park, kind, code, code, qty, kw.pop("unit", "t"), lat, lon, **kw
    )


def pairs(matches):
    return {(m.offer_id, m.want_id): m for m in matches}


# ---------------------------------------------------------------- seed examples


def test_glass_furnace_waste_heat_to_drying_and_process_heat():
    ls = [
        L("heat", "offer", "energy.heat.waste_heat", 50_000, unit="GJ", temperature_c=400),
        L("dry", "want", "energy.heat.drying", 20_000, 20.21, 106.01, unit="GJ"),
        L("proc", "want", "energy.heat.process", 10_000, 20.205, 106.0, unit="GJ"),
    ]
    got = pairs(match(ls))
    dry = got[("heat", "dry")]
    assert dry.pathway == "P-082"
    assert dry.distance_km == pytest.approx(M.road_km(20.2, 106.0, 20.21, 106.01, 1.3), abs=1e-6)
    # 20,000 GJ of drying heat at 0.85 GJ per GJ of waste heat
    assert dry.matched_quantity == pytest.approx(20_000 / 0.85)
    assert dry.coverage == pytest.approx(1.0)
    assert dry.co2e_t_per_year == pytest.approx(20_000 / 0.85 * 0.1)
    assert "P-082" in dry.explanation and "km" in dry.explanation and "100%" in dry.explanation
    assert "lộ trình P-082" in dry.explanation_vi
    assert got[("heat", "proc")].pathway == "P-081"


def test_treated_wastewater_to_cooling_tower_saves_water():
    ls = [
        L("ww", "offer", "water.treated", 500_000, 10.09, 105.72, unit="m3"),
        L(
            "ct",
            "want",
            "water.cooling",
            200_000,
            10.10,
            105.73,
            unit="m3",
            price_vnd_per_unit=12_000,
        ),
    ]
    (m,) = match(ls)
    assert m.pathway == "P-094" and m.matched_quantity == pytest.approx(200_000)
    assert m.water_saved_m3_per_year == pytest.approx(200_000)
    transport = 200_000 * 500 * m.distance_km
    assert m.transport_cost_vnd_per_year == pytest.approx(transport)
    assert m.benefit_vnd_per_year == pytest.approx(200_000 * 12_000 - transport - 200_000 * 3000)
    assert m.landfill_diverted_t_per_year == 0


def test_plastic_chain_scrap_recycler_pellets_moulder():
    ls = [
        L("scrap", "offer", "waste.plastic.film", 1_000),
        L("recycler", "want", "waste.plastic", 3_000, 20.201, 106.001),
        L("pellets", "offer", "material.plastic.recycled", 800, 20.201, 106.001, ent="E-recycler"),
        L("moulder", "want", "material.plastic", 2_000, 20.203, 106.002),
    ]
    got = pairs(match(ls))
    assert got[("scrap", "recycler")].pathway == ""  # film scrap is plastic scrap: direct
    assert got[("scrap", "recycler")].rank == 1
    assert got[("pellets", "moulder")].matched_quantity == pytest.approx(800)
    assert got[("scrap", "moulder")].pathway in ("P-034", "P-037")  # recycled into pellets
    assert got[("scrap", "recycler")].landfill_diverted_t_per_year == pytest.approx(1_000)


def test_fly_ash_to_bricks_respects_max_share():
    ls = [
        L("ash", "offer", "waste.ash.fly", 100_000, price_vnd_per_unit=-150_000),
        L("bricks", "want", "material.brick", 30_000, 20.23, 106.03),
    ]
    (m,) = match(ls)
    assert m.pathway == "P-003"
    assert m.matched_quantity == pytest.approx(0.6 * 30_000)
    assert m.coverage == pytest.approx(0.6)
    assert "60%" in m.explanation
    avoided = 18_000 * 150_000 + 18_000 * 300_000
    costs = 18_000 * 3000 * m.distance_km + 18_000 * 30_000
    assert m.benefit_vnd_per_year == pytest.approx(avoided - costs)


# ---------------------------------------------------------------- filters


def test_temperature_filters():
    ls = [
        L("warm", "offer", "energy.heat.waste_heat", 1000, unit="GJ", temperature_c=60),
        L("hot", "offer", "energy.heat.waste_heat", 1000, unit="GJ", temperature_c=200),
        L("chill", "want", "energy.cooling", 500, unit="GJ"),
        L("pond", "want", "energy.heat.low_temperature", 500, unit="GJ"),
        L("dry140", "want", "energy.heat.drying", 500, unit="GJ", temperature_c=140),
    ]
    got = pairs(match(ls))
    assert ("warm", "chill") not in got  # absorption chilling needs >= 90 °C
    assert ("warm", "pond") in got  # aquaculture/greenhouse >= 30 °C
    assert ("hot", "chill") in got
    assert ("warm", "dry140") not in got and ("hot", "dry140") in got  # 200 >= 140 + 10


def test_hazardous_waste_needs_licensed_receiver():
    ls = [
        L("oil", "offer", "waste.hazardous.used_oil", 40),
        L(
            "licensed",
            "want",
            "waste.hazardous.used_oil",
            100,
            licences=frozenset({"hazardous_waste"}),
        ),
        L("unlicensed", "want", "waste.hazardous.used_oil", 100),
        L("lube", "want", "chemical.lubricant", 100, licences=frozenset({"hazardous_waste"})),
    ]
    got = pairs(match(ls))
    assert ("oil", "licensed") in got and ("oil", "unlicensed") not in got
    assert got[("oil", "lube")].pathway == "P-068"
    assert "hazardous_waste" in got[("oil", "licensed")].explanation


def test_flagged_hazardous_offer_needs_licence():
    ls = [
        L("ash", "offer", "waste.ash.fly", 100, hazardous=True),
        L("bricks", "want", "material.brick", 100),
    ]
    assert match(ls) == []


def test_timing_window_must_overlap():
    ls = [
        L(
            "o",
            "offer",
            "waste.paper",
            100,
            available_from=date(2026, 1, 1),
            available_to=date(2026, 6, 30),
        ),
        L("late", "want", "waste.paper", 100, available_from=date(2026, 7, 1)),
        L("open", "want", "waste.paper", 100),
    ]
    got = pairs(match(ls))
    assert ("o", "late") not in got and ("o", "open") in got


def test_distance_limits_general_and_heat():
    ls = [
        L("paper", "offer", "waste.paper", 100),
        L("far", "want", "waste.paper", 100, 21.5, 106.0),  # about 190 km road
        L("steam", "offer", "energy.steam", 100),
        L("steam20", "want", "energy.steam", 100, 20.33, 106.0),  # about 19 km: beyond 10 km pipe
        L("steam5", "want", "energy.steam", 100, 20.23, 106.0),
    ]
    got = pairs(match(ls))
    assert ("paper", "far") not in got
    assert ("steam", "steam20") not in got and ("steam", "steam5") in got
    more = pairs(match(ls, params=MatchParams(max_distance_km=250)))
    assert ("paper", "far") in more


def test_quality_limits_and_pressure():
    ls = [
        L("wet", "offer", "waste.organic.fermentation", 100, quality={"moisture_pct": 85}),
        L("feed", "want", "material.animal_feed", 100),
        L("ash", "offer", "waste.ash.fly", 100, quality={"loi_pct": 14}),
        L("cement", "want", "material.cement", 1000),
        L("s6", "offer", "energy.steam", 100, quality={"pressure_bar": 6}),
        L("s10", "want", "energy.steam", 100, quality={"pressure_bar_min": 10}),
    ]
    got = pairs(match(ls))
    # spent grain feed (P-055) allows <= 80 % moisture; only insect rearing (P-059) remains
    assert got[("wet", "feed")].pathway == "P-059"
    assert ("ash", "cement") not in got  # LOI above 12 %
    assert ("s6", "s10") not in got


def test_same_enterprise_excluded_unless_allowed():
    ls = [L("o", "offer", "waste.paper", 10, ent="A"), L("w", "want", "waste.paper", 10, ent="A")]
    assert match(ls) == []
    assert len(match(ls, params=MatchParams(same_enterprise=True))) == 1


def test_no_coordinates_match_only_inside_park():
    ls = [
        L("o", "offer", "waste.paper", 10, None, None, park="A"),
        L("w1", "want", "waste.paper", 10, 20.2, 106.0, park="A"),
        L("w2", "want", "waste.paper", 10, 20.2, 106.0, park="B"),
    ]
    (m,) = match(ls)
    assert (m.want_id, m.distance_km) == ("w1", None)
    assert "same park" in m.explanation


def test_rank_and_limit_per_offer():
    ls = [L("o", "offer", "waste.metal", 100)] + [
        L(f"w{i}", "want", "waste.metal", 100, 20.2 + 0.01 * i, 106.0) for i in range(8)
    ]
    ms = match(ls, params=MatchParams(max_matches_per_offer=3))
    assert [m.rank for m in ms] == [1, 2, 3]
    assert [m.want_id for m in ms] == ["w0", "w1", "w2"]  # nearer is better, all else equal
    assert ms[0].score > ms[1].score > ms[2].score


# ---------------------------------------------------------------- free text


@pytest.mark.parametrize(
    "text, code",
    [
        ("coal fly ash", "waste.ash.fly"),
        ("tro bay", "waste.ash.fly"),
        ("Tro Bay nhiệt điện", "waste.ash.fly"),
        ("xỉ lò cao", "waste.slag.blast_furnace"),
        ("xi lo cao", "waste.slag.blast_furnace"),
        ("spent grain", "waste.organic.fermentation"),
        ("waste heat from glass furnace", "energy.heat.waste_heat"),
        ("nước thải sau xử lý", "water.treated"),
        ("steam 10 bar", "energy.steam"),
        ("plastic scrap PP", "waste.plastic"),
        ("used cooking oil", "waste.organic.cooking_oil"),
        ("dầu nhớt thải", "waste.hazardous.used_oil"),
        ("bìa carton", "waste.paper"),
        ("mùn cưa", "waste.wood"),
    ],
)
def test_free_text_resolves(text, code):
    # The catalogue (2026.2) knows more specific members (spent grain, PP scrap, sawdust):
    # the resolver must land on the expected resource or one of its members.
    cat = M.default_catalogue()
    got = cat.resolve(text).code
    assert got == code or cat.is_a(got, code), got


def test_conditions_parsed_from_text():
    assert M.parse_conditions("steam 10 bar, 180 °C") == {
        "pressure_bar": 10.0,
        "temperature_c": 180.0,
    }
    assert M.parse_conditions("khí thải nóng 350 độ C") == {"temperature_c": 350.0}


def test_unresolved_text_matches_same_text_only():
    a = Listing("o", "A", "P", "offer", "", "Bột đá mài ZX-9", 10, "t", 20.2, 106.0)
    b = Listing("w", "B", "P", "want", "", "bot da mai zx 9", 5000, "kg", 20.2, 106.01)
    c = Listing("w2", "C", "P", "want", "", "something else", 10, "t", 20.2, 106.0)
    (m,) = match([a, b, c])
    assert (m.offer_id, m.want_id, m.pathway) == ("o", "w", "")
    assert m.matched_quantity == pytest.approx(5.0) and m.unit == "t"


# ---------------------------------------------------------------- CSV


def test_sample_file_reads_and_matches():
    ls, warnings = read_listings_csv(SAMPLE)
    assert warnings == []
    by = {x.id: x for x in ls}
    assert by["KP-O1"].quantity == pytest.approx(4500 * 12)  # monthly -> yearly
    assert by["TN-O1"].quantity == pytest.approx(1500 * 365)
    assert by["DV-O1"].quality["pressure_bar"] == 10.0
    assert by["NCK-O3"].hazardous
    got = pairs(match(ls))
    assert got[("KP-O1", "KP-W1")].pathway == "P-082"
    assert got[("TN-O1", "TN-W1")].pathway == "P-094"
    # "gypsum from FGD": FGD gypsum to cement (P-016/P-017), or gypsum directly while
    # the one resolver (Catalogue.resolve) reads it as mined gypsum
    assert got[("KP-O3", "GK-W3")].pathway in ("P-016", "P-017", "")
    assert ("NCK-O3", "NCK-W3") in got and ("NCK-O3", "NCK-W4") not in got


def _csv(tmp_path, rows, header=None):
    header = (
        header or "listing_id,enterprise,park,kind,resource,quantity,unit,period,latitude,longitude"
    )
    f = tmp_path / "l.csv"
    f.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize(
    "row, code, column",
    [
        ("a,E,P,offer,tro bay,abc,t,year,20,106", "bad_number", "quantity"),
        ("a,E,P,sell,tro bay,1,t,year,20,106", "bad_kind", "kind"),
        ("a,E,P,offer,tro bay,1,bogounit,year,20,106", "bad_unit", "unit"),
        ("a,E,P,offer,tro bay,1,t,decade,20,106", "bad_period", "period"),
        ("a,E,P,offer,tro bay,1,t,year,95,106", "bad_coordinate", "latitude"),
        ("a,E,P,offer,tro bay,1,t,year,20,", "half_coordinate", "longitude"),
        ("a,E,P,offer,,1,t,year,20,106", "missing_value", "resource"),
    ],
)
def test_bad_rows_name_file_row_column(tmp_path, row, code, column):
    f = _csv(tmp_path, ["ok,E,P,want,xi măng,5,t,year,20,106", row])
    with pytest.raises(ListingFileError) as exc:
        read_listings_csv(f)
    e = exc.value
    assert (e.code, e.row, e.column) == (code, 3, column)
    assert "l.csv" in str(e) and "row 3" in str(e) and column in str(e)


def test_missing_column_and_unresolved_warning(tmp_path):
    with pytest.raises(ListingFileError) as exc:
        read_listings_csv(_csv(tmp_path, [], header="listing_id,kind"))
    assert exc.value.code == "missing_column" and "enterprise" in str(exc.value)
    ls, warnings = read_listings_csv(_csv(tmp_path, ["a,E,P,offer,zzqx widget,2,kg,month,20,106"]))
    assert ls[0].resource == "" and ls[0].quantity == 24
    assert "zzqx widget" in warnings[0] and "row 2" in warnings[0]


# ---------------------------------------------------------------- investor fit


def test_investor_fit_functions():
    ls, _ = read_listings_csv(SAMPLE)
    ms = match(ls)
    gaps = unmatched_offers_by_park(ls, ms)
    kp = {u.listing_id: u for u in gaps["Trà Nóc"]}
    # "CO2 from fermentation": beverages (1104) can use it once the one resolver reads it
    # as by-product CO2 (Catalogue.resolve reads emission CO2 for now)
    assert "TN-O4" in kp and kp["TN-O4"].industries
    assert all(u.unmatched_quantity > 0 for us in gaps.values() for u in us)
    fits = rank_parks_for_investor(
        inputs=[("tro bay", 50_000), "hơi nước"], outputs=["phế liệu nhựa"], listings=ls
    )
    assert [f.score for f in fits] == sorted((f.score for f in fits), reverse=True)
    top = {f.park: f for f in fits}
    assert top["Khánh Phú"].items[0].listing_ids == ["KP-O2"]
    assert top["Nam Cầu Kiền"].items[2].score > 0  # a recycler wants plastic scrap
    assert top["Hòa Khánh"].score == 0


# ---------------------------------------------------------------- fast == brute force

CODES = [
    "waste.ash.fly",
    "material.cement",
    "material.brick",
    "waste.plastic",
    "waste.plastic.pet",
    "material.plastic",
    "energy.heat.waste_heat",
    "energy.heat.drying",
    "water.treated",
    "water.cooling",
    "waste.hazardous.used_oil",
    "chemical.lubricant",
    "waste",
]


def _quality(kind, q):
    if q is None:
        return {}
    return {"moisture_pct": q} if kind == "offer" else {"moisture_pct_max": q}


def _dates(d):
    if d is None:
        return {}
    start, span = d
    return {
        "available_from": date.fromordinal(date(2026, 1, 1).toordinal() + start),
        "available_to": date.fromordinal(date(2026, 1, 1).toordinal() + start + span),
    }


listing_st = st.builds(
    lambda i, kind, code, qty, lat, lon, ent, park, temp, lic, nocoord, q, d: Listing(
        f"L{i}",
        f"E{ent}",
        f"P{park}",
        kind,
        code,
        code,
        qty,
        M.default_catalogue()[code].unit,
        None if nocoord else lat,
        None if nocoord else lon,
        temperature_c=temp,
        licences=frozenset({"hazardous_waste"}) if lic else frozenset(),
        quality=_quality(kind, q),
        **_dates(d),
    ),
    st.integers(0, 10**6),
    st.sampled_from(["offer", "want"]),
    st.sampled_from(CODES),
    st.floats(1, 1e5),
    st.floats(10.0, 11.5),
    st.floats(105.5, 107.0),
    st.integers(0, 8),
    st.integers(0, 3),
    st.one_of(st.none(), st.floats(20, 500)),
    st.booleans(),
    st.sampled_from([False, False, False, True]),
    st.one_of(st.none(), st.none(), st.floats(2, 30)),  # quality values / limits
    st.one_of(st.none(), st.none(), st.tuples(st.integers(0, 400), st.integers(0, 400))),
)


def _key(ms):
    return [(m.offer_id, m.want_id, m.rank, m.pathway, m.score, m.distance_km) for m in ms]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(listing_st, min_size=2, max_size=60, unique_by=lambda x: x.id),
    st.integers(1, 4),
    st.sampled_from([20.0, 60.0, 150.0]),
    st.sampled_from([0, 10**9]),
)
def test_fast_path_equals_brute_force(listings, k, max_km, dense):
    params = MatchParams(candidates_per_link=k, max_distance_km=max_km, max_matches_per_offer=None)
    old = G.DENSE_PAIRS
    G.DENSE_PAIRS = dense  # 0 forces the geographic grid, 10**9 the dense path
    try:
        fast = match(listings, params=params)
    finally:
        G.DENSE_PAIRS = old
    ref = match_reference(listings, params=params)
    assert _key(fast) == _key(ref) and same_matches(fast, ref)


@pytest.mark.parametrize("chunk", [4_000_000, 50])  # 50: the reference works in many chunks
def test_fast_path_equals_brute_force_on_clustered_set(monkeypatch, chunk):
    from eiphub.symbiosis.bench_matching import synthetic_listings

    monkeypatch.setattr(G, "DENSE_PAIRS", 0)
    monkeypatch.setattr(M.reference, "_CHUNK", chunk)
    data = synthetic_listings(parks=12, enterprises=150, listings=900, seed=3, realistic=True)
    fast = match(data)
    assert len(fast) > 100
    ref = match_reference(data)
    assert _key(fast) == _key(ref) and same_matches(fast, ref)


@pytest.mark.parametrize("cell, rings", [(0.0025, 2), (0.02, 3), (0.001, 6)])
def test_fast_path_equals_brute_force_for_other_grids(monkeypatch, cell, rings):
    from eiphub.symbiosis.bench_matching import synthetic_listings

    monkeypatch.setattr(G, "DENSE_PAIRS", 0)
    monkeypatch.setattr(G, "GRID_CELL_DEG", cell)
    monkeypatch.setattr(G, "RINGS_PER_LEVEL", rings)
    data = synthetic_listings(parks=8, enterprises=120, listings=700, seed=11)
    params = MatchParams(candidates_per_link=3, max_matches_per_offer=None)
    assert _key(match(data, params=params)) == _key(match_reference(data, params=params))


# ---------------------------------------------------------------- output internals


def test_explanations_are_formatted_on_first_access():
    import copy
    import pickle

    ls = [
        L("ash", "offer", "waste.ash.fly", 100_000, price_vnd_per_unit=-150_000),
        L("bricks", "want", "material.brick", 30_000, 20.23, 106.03),
        L("oil", "offer", "waste.hazardous.used_oil", 40, None, None),
        L("lube", "want", "chemical.lubricant", 100, None, None, licences={"hazardous_waste"}),
    ]
    got = pairs(match(ls))
    cat, pws = M.default_catalogue(), M.default_pathways()
    ash, oil = got[("ash", "bricks")], got[("oil", "lube")]
    assert ash._text is None and oil._text is None  # nothing formatted yet
    km, ben = f"{ash.distance_km:.1f} km", f"{ash.benefit_vnd_per_year / 1e6:,.0f}"
    fly, brick, p = cat["waste.ash.fly"], cat["material.brick"], pws["P-003"]
    assert ash.explanation == (
        f"{fly.name_en} → {brick.name_en} via pathway P-003 ({p.name_en}); {km}; "
        f"covers 60% of the want; benefit ≈ {ben} million VND/year"
    )
    assert ash.explanation_vi == (
        f"{fly.name_vi} → {brick.name_vi} theo lộ trình P-003 ({p.name_vi}); "
        f"{km.replace('.', ',')}; đáp ứng 60% nhu cầu; "
        f"lợi ích ≈ {ben.replace(',', '.')} triệu đồng/năm"
    )
    assert oil.distance_km is None and not oil.quality_verified  # P-068 sets quality limits
    assert oil.explanation.startswith(
        f"{cat['waste.hazardous.used_oil'].name_en} → {cat['chemical.lubricant'].name_en} "
        f"via pathway P-068 ({pws['P-068'].name_en}); same park, distance not given; "
    )
    assert oil.explanation.endswith(
        "; quality or temperature not stated, check before agreeing"
        "; receiver must hold licence 'hazardous_waste'"
    )
    assert "cùng KCN" in oil.explanation_vi and "giấy phép 'hazardous_waste'" in oil.explanation_vi
    # copies and pickles carry the formatted texts, not the formatter
    clone = pickle.loads(pickle.dumps(oil))
    assert clone == oil and clone._explainer is None
    assert (clone.explanation, clone.explanation_vi) == (oil.explanation, oil.explanation_vi)
    assert copy.copy(ash).explanation == ash.explanation
    assert M.match_to_dict(ash)["explanation_vi"] == ash.explanation_vi
    ash.explanation = "edited"
    assert (ash.explanation, ash.explanation_vi[: len(fly.name_vi)]) == ("edited", fly.name_vi)
    built = M.Match(
        "o", "w", 0.5, 1, 2.0, 1.0, "t", "", 0, 0, 0, 0, 0, "en", "vi", "a", "b", "", ""
    )
    assert (built.explanation, built.explanation_vi) == ("en", "vi")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3), st.integers(0, 2**21), st.integers(0, 2**40), st.integers(0, 9)
        ),
        min_size=1,
        max_size=300,
    ),
    st.booleans(),
)
def test_packed_lexsort_equals_numpy_lexsort(rows, wide):
    keys = np.array(rows, np.int64).T
    if wide:  # a key too wide to pack with a rank and the row index: sorted in chunks
        keys[2] <<= 22
    assert np.array_equal(G._lexsort(tuple(keys)), np.lexsort(keys))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=100),
    st.sampled_from([1e3, 1e6, 7.3]),
)
def test_ordinal_keeps_order_and_ties(ints, scale):
    x = np.round(np.array(ints) / scale, 6)  # 7.3: not whole thousandths, the general path
    o = G._ordinal(x)
    assert o.min() >= 0
    assert np.array_equal(np.sign(np.subtract.outer(o, o)), np.sign(np.subtract.outer(x, x)))


# ---------------------------------------------------------------- distances, limits, facts


def test_road_distance_against_known_distances():
    # great circle between city centres (Hoan Kiem - Hai Phong Opera House: ~89 km,
    # HCMC Opera House - Bien Hoa centre: ~25 km); by road x ROAD_FACTOR 1.3, which gives
    # ~116 km and ~33 km against ~105-120 km and ~30-35 km by the usual roads
    hn, hp = (21.0285, 105.8542), (20.8449, 106.6881)
    hcm, bh = (10.7769, 106.7009), (10.9574, 106.8427)
    assert 85 <= M.road_km(*hn, *hp, 1.0) <= 95
    assert 25 <= M.road_km(*hcm, *bh, 1.0) <= 30
    assert M.road_km(*hn, *hp, M.ROAD_FACTOR) == pytest.approx(
        1.3 * M.road_km(*hn, *hp, 1.0), abs=1e-3
    )
    assert 105 <= M.road_km(*hn, *hp, M.ROAD_FACTOR) <= 120
    assert M.road_km(*hn, *hn, 1.3) == 0.0
    # symmetric, and an arc of the equator of 1 degree is 2 pi R / 360
    assert M.road_km(*hp, *hn, 1.0) == M.road_km(*hn, *hp, 1.0)
    assert M.road_km(0, 0, 0, 1, 1.0) == pytest.approx(
        2 * np.pi * M.EARTH_RADIUS_KM / 360, abs=1e-3
    )


def test_distance_caps_per_resource_kind():
    # ~230 km by road: fly ash (300 km) travels, waste heat (5 km) does not
    far = dict(lat=21.5, lon=105.8)
    ls = [
        L("ash", "offer", "waste.ash.fly", 1000, 20.0, 105.8),
        L("cem", "want", "material.cement", 1000, **far),
        L("heat", "offer", "energy.heat.waste_heat", 1000, 20.0, 105.8, temperature_c=300),
        L("dry", "want", "energy.heat.drying", 1000, **far, temperature_c=80),
        L("dry2", "want", "energy.heat.drying", 1000, 20.03, 105.8, temperature_c=80),  # 4.3 km
    ]
    got = pairs(match(ls))
    assert 200 < got[("ash", "cem")].distance_km < 300
    assert ("heat", "dry") not in got and ("heat", "dry2") in got
    capped = pairs(match(ls, params=MatchParams(max_distance_km=100)))  # the caller's override
    assert ("ash", "cem") not in capped and ("heat", "dry2") in capped


def test_commodity_chemical_needs_no_hazardous_waste_licence():
    acid = L("acid", "offer", "chemical.acid.sulfuric", 10, hazardous=True)
    want = L("w", "want", "chemical.acid.sulfuric", 10, 20.21, 106.0)
    oil = L("oil", "offer", "waste.hazardous.used_oil", 10)
    oilw = L("ow", "want", "waste.hazardous.used_oil", 10, 20.21, 106.0)
    got = pairs(match([acid, want, oil, oilw]))
    assert ("acid", "w") in got and "licence" not in got[("acid", "w")].explanation
    assert ("oil", "ow") not in got  # the receiver holds no hazardous-waste licence
    oilw.licences = frozenset({"hazardous_waste"})
    assert ("oil", "ow") in pairs(match([oil, oilw]))


def test_licence_read_from_text_in_csv(tmp_path):
    f = _csv(
        tmp_path,
        [
            "o,A,P,offer,dầu nhớt thải,10,t,year,20,106,",
            "w,B,P,want,dầu nhớt thải,10,t,year,20,106.01,Có giấy phép xử lý CTNH",
            "w2,C,P,want,dầu nhớt thải,10,t,year,20,106.01,",
        ],
        header="listing_id,enterprise,park,kind,resource,quantity,unit,period,latitude,longitude,notes",
    )
    ls, _ = read_listings_csv(f)
    assert {x.id: x.licences for x in ls}["w"] == {"hazardous_waste"}
    assert set(pairs(match(ls))) == {("o", "w")}


def test_unit_mismatch_is_a_row_warning(tmp_path):
    f = _csv(
        tmp_path, ["a,E,P,offer,tro bay,50,GJ,year,20,106", "b,F,P,want,tro bay,5,t,year,20,106"]
    )
    got = M.read_listings(f)
    (w,) = [x for x in got.issues if x.code == "unit_mismatch"]
    assert (w.row, w.column, w.severity) == (2, "unit", "warning")
    assert w.params == {"unit": "GJ", "resource": "waste.ash.fly", "expected": "t"}
    a = {x.id: x for x in got.listings}["a"]
    assert a.resource == "" and a.unit == "GJ" and a.quantity == 50
    assert not got.errors


def test_bad_rows_collected_unless_strict(tmp_path):
    f = _csv(
        tmp_path,
        ["a,E,P,offer,tro bay,abc,t,year,20,106", "b,F,P,want,xi măng,5,t,year,20,106",
         "b,G,P,want,xi măng,5,t,year,20,106"],
    )  # fmt: skip
    got = M.read_listings(f)
    assert [x.id for x in got.listings] == ["b"]
    assert [(x.row, x.column, x.code) for x in got.errors] == [
        (2, "quantity", "bad_number"),
        (4, "listing_id", "duplicate_id"),
    ]
    assert got.errors[1].params == {"value": "b", "first_row": 3}
    assert got.skipped_rows == 2 and got.rows == 3
    with pytest.raises(ListingFileError):
        M.read_listings(f, strict=True)


def test_explanations_are_structured_facts():
    ls = [
        L("ash", "offer", "waste.ash.fly", 100_000, price_vnd_per_unit=-150_000),
        L("bricks", "want", "material.brick", 30_000, 20.23, 106.03),
        L("oil", "offer", "waste.hazardous.used_oil", 40, None, None),
        L("lube", "want", "chemical.lubricant", 100, None, None, licences={"hazardous_waste"}),
    ]
    got = pairs(match(ls))
    ash, oil = got[("ash", "bricks")], got[("oil", "lube")]
    f = {x.code: x.params for x in ash.facts}
    assert f["link"]["relation"] == "pathway" and f["link"]["pathway"] == "P-003"
    assert f["distance"]["distance_km"] == ash.distance_km
    assert f["coverage"]["share_of_want"] == pytest.approx(0.6)
    assert f["benefit"]["vnd_per_year"] == ash.benefit_vnd_per_year
    assert "licence" not in f and "unverified" not in f
    g = {x.code: x.params for x in oil.facts}
    assert g["distance"]["distance_km"] is None and g["licence"] == {"licence": "hazardous_waste"}
    assert "unverified" in g
    for m in got.values():  # the cached wording equals the default rendering of the facts
        assert (m.explanation, m.explanation_vi) == (
            M.render(m.facts, "en"),
            M.render(m.facts, "vi"),
        )


def test_reference_shares_no_scoring_code_with_the_fast_path():
    import ast

    tree = ast.parse(Path(M.reference.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "", a.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for a in node.names
    }
    own = {name for mod, name in imported if mod in ("engine", "geo", "explain", "io")}
    assert not own and not any(mod in ("engine", "geo") for mod, _ in imported)
    assert ("links", "_Links") in imported  # only the knowledge-base links are shared
