"""Quality specifications, licence names and transport limits: one home each in core."""

import pytest

from eiphub.core.catalogue import default_catalogue
from eiphub.core.licences import (
    ENVIRONMENTAL,
    HAZARDOUS_WASTE,
    licences_from_column,
    licences_from_text,
    needs_hazardous_licence,
    normalise_licence,
)
from eiphub.core.quality import QualityError, offer_values, parse_quality, quality_text
from eiphub.core.transport import (
    TransportLimitError,
    default_transport_limits,
    load_transport_limits,
)


def test_quality_want_limits_offer_values_and_round_trip():
    q = parse_quality("moisture_pct<=15; purity_pct>=95 | ph=7,5", "want")
    assert q == {"moisture_pct_max": 15.0, "purity_pct_min": 95.0, "ph": 7.5}
    assert parse_quality("moisture_pct<=15", "offer") == {"moisture_pct": 15.0}
    assert offer_values({"moisture_pct_max": 8.0}) == {"moisture_pct": 8.0}
    assert parse_quality(quality_text(q), "want") == q
    with pytest.raises(QualityError) as exc:
        parse_quality("moisture about 15", "want")
    assert exc.value.part == "moisture about 15"


@pytest.mark.parametrize(
    "text, code",
    [
        ("Giấy phép xử lý CTNH", HAZARDOUS_WASTE),
        ("hazardous waste licence", HAZARDOUS_WASTE),
        ("chất thải nguy hại", HAZARDOUS_WASTE),
        ("Giấy phép môi trường", ENVIRONMENTAL),
        ("environmental permit", ENVIRONMENTAL),
        ("Fire safety", "fire_safety"),
        ("", ""),
    ],
)
def test_licence_names(text, code):
    assert normalise_licence(text) == code


def test_licences_from_column_and_text():
    assert licences_from_column("CTNH; giấy phép môi trường") == {HAZARDOUS_WASTE, ENVIRONMENTAL}
    assert licences_from_text("Công ty có giấy phép xử lý CTNH số 1-2-3") == {HAZARDOUS_WASTE}
    assert licences_from_text("licensed hazardous waste handler") == {HAZARDOUS_WASTE}
    assert licences_from_text("đã có giấy phép môi trường") == {ENVIRONMENTAL}
    # naming a hazardous waste is not holding a licence
    assert licences_from_text("dầu thải (CTNH)") == frozenset()
    assert licences_from_text("") == frozenset()


def test_commodity_chemicals_are_not_hazardous_waste():
    cat = default_catalogue()
    acid, oil = cat["chemical.acid.sulfuric"], cat["waste.hazardous.used_oil"]
    # A commodity chemical is a product: a dangerous good, never a hazardous waste.
    assert not acid.hazardous and acid.attributes.get("dangerous_goods")
    assert not needs_hazardous_licence(acid, flagged=False)
    assert not needs_hazardous_licence(acid, flagged=True)  # a hazardous good, not a waste
    assert needs_hazardous_licence(oil, flagged=False)
    assert needs_hazardous_licence(cat["waste.plastic"], flagged=True)
    assert not needs_hazardous_licence(cat["waste.plastic"], flagged=False)
    assert needs_hazardous_licence(None, flagged=True) and not needs_hazardous_licence(None, False)


def test_transport_limits_inherited_down_the_tree():
    t = default_transport_limits()
    assert t.max_km("waste.ash.fly") == t.max_km("waste.ash") == 300
    assert t.max_km("waste.gypsum.fgd") == 250
    assert t.max_km("energy.steam") == 5 and t.max_km("energy.heat.waste_heat") == 5
    assert 10 <= t.max_km("water.treated") <= 20
    assert t.max_km("chemical.acid.sulfuric") == 100  # liquids by truck
    assert t.max_km("byproduct.co2") >= 100  # liquefied / cylinders
    assert t.max_km("energy.fuel.biogas") == 5  # by pipeline
    assert t.max_km("zz.unknown") == t.default_km
    assert all(x.source for x in t.by_code.values())


@pytest.mark.parametrize(
    "entry, code",
    [
        ("{code: waste.nope, max_km: 10, mode: truck, source: x}", "unknown_code"),
        ("{code: waste, max_km: -1, mode: truck, source: x}", "bad_value"),
        ("{code: waste, max_km: ten, mode: truck, source: x}", "bad_value"),
        ("{code: waste, max_km: 10, mode: teleport, source: x}", "bad_mode"),
        ("{code: waste, max_km: 10, mode: truck}", "no_source"),
        ("{code: waste, max_km: 10, mode: truck, source: x, speed: 3}", "bad_entry"),
    ],
)
def test_transport_limits_validated_on_load(tmp_path, entry, code):
    f = tmp_path / "t.yaml"
    f.write_text(
        f"version: 1\nsource: s\ndefault_km: 150\nlimits:\n  - {entry}\n", encoding="utf-8"
    )
    with pytest.raises(TransportLimitError) as exc:
        load_transport_limits(f)
    assert exc.value.code == code and "t.yaml" in str(exc.value)


def test_transport_limits_duplicate_rejected(tmp_path):
    f = tmp_path / "t.yaml"
    row = "  - {code: waste, max_km: 10, mode: truck, source: x}\n"
    f.write_text("version: 1\nsource: s\ndefault_km: 150\nlimits:\n" + row * 2, encoding="utf-8")
    with pytest.raises(TransportLimitError) as exc:
        load_transport_limits(f)
    assert exc.value.code == "duplicate"
