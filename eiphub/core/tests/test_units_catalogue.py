"""Units (aliases, density bridging, error codes) and the resource catalogue (validation,
hierarchy, diacritics-insensitive resolution)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eiphub.core.catalogue import CatalogueError, default_catalogue, fold, load_catalogue
from eiphub.core.units import UnitError, compatible, convert, parse_unit


@pytest.mark.parametrize(
    "alias, value, target, expected",
    [
        ("tấn", 2.5, "kg", 2500.0),
        ("Tấn", 1, "t", 1.0),
        ("lít", 1000, "m3", 1.0),
        ("m³", 3, "L", 3000.0),
        ("MWh", 1, "kWh", 1000.0),
        ("mwh", 1, "GJ", 3.6),
        ("nghìn tấn", 1, "t", 1000.0),
        ("kt", 2, "t", 2000.0),
        ("toe", 1, "GJ", 41.868),
    ],
)
def test_unit_aliases(alias, value, target, expected):
    assert convert(value, alias, target) == pytest.approx(expected)


def test_density_bridges_mass_and_volume():
    # 1000 L of diesel at 840 kg/m3 = 1 m3 x 840 kg/m3 = 0.84 t
    assert convert(1000, "lít", "t", density_kg_per_m3=840) == pytest.approx(0.84)
    # and back: 0.84 t / 840 kg/m3 = 1 m3
    assert convert(0.84, "t", "m3", density_kg_per_m3=840) == pytest.approx(1.0)


def test_mass_to_volume_without_density_is_incompatible():
    with pytest.raises(UnitError) as err:
        convert(1, "t", "m3")
    assert err.value.code == "incompatible_unit"
    assert err.value.params == {"unit": "t", "expected": "m3"}


def test_energy_to_mass_is_incompatible_even_with_density():
    with pytest.raises(UnitError) as err:
        convert(1, "kWh", "t", density_kg_per_m3=1000)
    assert err.value.code == "incompatible_unit"


@pytest.mark.parametrize("text", ["", "   ", "bananas", "kg//"])
def test_unknown_units(text):
    with pytest.raises(UnitError) as err:
        parse_unit(text)
    assert err.value.code == "unknown_unit"


def test_compatible():
    assert compatible("tấn", "kg")
    assert not compatible("tấn", "lít")


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_round_trip_through_density(x):
    there = convert(x, "t", "L", density_kg_per_m3=740)
    assert convert(there, "L", "t", density_kg_per_m3=740) == pytest.approx(x, rel=1e-9, abs=1e-12)


# -- catalogue -------------------------------------------------------------------------------


def test_default_catalogue_fuels_have_heating_values():
    cat = default_catalogue()
    fuels = [r for r in cat.leaves() if r.code.startswith("energy.fuel.")]
    assert fuels
    for r in fuels:
        assert r.lhv_gj_per_t and r.lhv_gj_per_t > 0, r.code
    assert cat["energy.fuel.diesel"].lhv_gj_per_t == 43.0


def test_hierarchy():
    cat = default_catalogue()
    assert cat.ancestors("waste.ash.fly") == ["waste.ash", "waste"]
    assert "waste.ash.fly" in cat.descendants("waste")
    assert cat.is_a("energy.fuel.coal.anthracite", "energy.fuel")
    assert not cat.is_a("energy.fuel.coal", "energy.fuel.coal.anthracite")


@pytest.mark.parametrize(
    "text, code",
    [
        ("Tro bay", "waste.ash.fly"),
        ("tro bay", "waste.ash.fly"),
        ("TRO BAY", "waste.ash.fly"),
        ("dau diesel", "energy.fuel.diesel"),
        ("Dầu Diesel", "energy.fuel.diesel"),
        ("tro bay tu lo hoi nha may", "waste.ash.fly"),
        ("Điện mặt trời mái nhà", "energy.electricity.solar"),
        ("fly ash", "waste.ash.fly"),
    ],
)
def test_resolve_is_diacritics_insensitive(text, code):
    assert default_catalogue().resolve(text).code == code


def test_resolve_unknown_returns_none():
    assert default_catalogue().resolve("xyzzy quux") is None
    assert default_catalogue().resolve("") is None


def test_fold_handles_d_stroke():
    assert fold("Đồng Nai") == "dong nai"


def test_to_canonical_uses_density():
    # natural gas canonical unit is m3 at 0.75 kg/m3: 0.75 t -> 1000 m3
    assert default_catalogue().to_canonical("energy.fuel.natural_gas", 0.75, "t") == pytest.approx(
        1000
    )


def test_to_canonical_group_is_error():
    with pytest.raises(UnitError) as err:
        default_catalogue().to_canonical("energy.fuel", 1, "t")
    assert err.value.code == "group_resource"


def _write(tmp_path, body: str):
    p = tmp_path / "bad_resources.yaml"
    p.write_text(body, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "entries, fragment",
    [
        ("  - {code: energy, vi: A, en: A}\n  - {code: energy, vi: B, en: B}", "duplicate code"),
        ("  - {code: energy.fuel, vi: A, en: A}", "parent energy must be listed before"),
        ("  - {code: Energy, vi: A, en: A}", "invalid code"),
        ("  - {code: energy, vi: A}", "missing name 'en'"),
        ("  - {code: stuff, vi: A, en: A}", "top-level group"),
        ("  - {code: energy, vi: A, en: A, unit: bananas}", "unknown unit"),
        ("  - {code: energy, vi: A, en: A, colour: red}", "unknown field"),
    ],
)
def test_malformed_catalogue_names_file_and_entry(tmp_path, entries, fragment):
    p = _write(tmp_path, f"version: '1'\nsource: test\nresources:\n{entries}\n")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(p)
    assert "bad_resources.yaml" in str(err.value)
    assert fragment in str(err.value)


def test_catalogue_not_yaml(tmp_path):
    p = _write(tmp_path, "version: [unclosed\n")
    with pytest.raises(CatalogueError, match="bad_resources.yaml: not valid YAML"):
        load_catalogue(p)


def test_catalogue_missing_version(tmp_path):
    p = _write(tmp_path, "resources: []\n")
    with pytest.raises(CatalogueError, match="needs 'version'"):
        load_catalogue(p)


def test_label_names_resources_in_each_language_and_falls_back():
    cat = default_catalogue()
    assert cat.label("waste.ash.fly", "vi") == "Tro bay"
    assert cat.label("waste.ash.fly", "en") == "Fly ash"
    assert cat.label("no.such.code", "vi") == "no.such.code"
    assert cat.label("no.such.code", "vi", "tro xỉ lạ") == "tro xỉ lạ"
    assert cat.label("", "en") == "—"
