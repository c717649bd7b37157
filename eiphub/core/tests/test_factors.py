"""Emission factor file: shipped values, lookups with explicit fallbacks, validation errors."""

import copy

import pytest
import yaml

from eiphub.core.catalogue import default_catalogue
from eiphub.core.factors import (
    DEFAULT_PATH,
    FactorFileError,
    FactorMissing,
    default_factors,
    load_factors,
    parse_factors,
)


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_grid_factors_as_published():
    f = default_factors()
    assert {y: f.grid_factor(y).value for y in (2020, 2021, 2022, 2023)} == {
        2020: 0.8041,
        2021: 0.7221,
        2022: 0.6766,
        2023: 0.6592,
    }
    assert "1726/BĐKH-PTCBT" in f.grid_factor(2023).source
    assert all(g.status == "verify" for g in f.grid.values())


def test_missing_grid_year_is_a_gap():
    with pytest.raises(FactorMissing) as err:
        default_factors().grid_factor(2024)
    assert err.value.code == "missing_grid_factor"
    assert err.value.params["year"] == 2024
    assert err.value.params["available"] == [2020, 2021, 2022, 2023]


def test_latest_available_opt_in_says_which_year():
    look = default_factors().grid_factor(2024, latest_available=True)
    assert (look.requested_year, look.year_used, look.value) == (2024, 2023, 0.6592)
    assert "used 2023" in look.note
    # a year before the first factor uses the earliest one
    early = default_factors().grid_factor(2015, latest_available=True)
    assert early.year_used == 2020


@pytest.mark.parametrize(
    "code, co2",
    [
        ("energy.fuel.diesel", 74100),
        ("energy.fuel.fuel_oil", 77400),
        ("energy.fuel.gasoline", 69300),
        ("energy.fuel.lpg", 63100),
        ("energy.fuel.natural_gas", 56100),
        ("energy.fuel.coal", 94600),
        ("energy.fuel.coal.anthracite", 98300),
        ("energy.fuel.coke", 107000),
        ("energy.fuel.biomass.wood", 112000),
        ("energy.fuel.biomass", 100000),
        ("energy.fuel.biogas", 54600),
    ],
)
def test_ipcc_co2_factors(code, co2):
    assert default_factors().fuel_factor(code, 2022).factor.co2_kg_per_tj == co2


def test_every_catalogue_fuel_has_a_factor_and_biomass_is_biogenic():
    cat, f = default_catalogue(), default_factors()
    for r in cat.leaves():
        if r.code.startswith("energy.fuel."):
            look = f.fuel_factor(r.code, 2022, cat, allow_parent=False)
            biogenic = cat.is_a(r.code, "energy.fuel.biomass") or cat.is_a(
                r.code, "energy.fuel.biogas"
            )
            assert look.factor.biogenic == biogenic, r.code


def test_sector_specific_ch4():
    coal = default_factors().fuel_factor("energy.fuel.coal", 2022).factor
    assert coal.ch4_kg_per_tj == {"energy": 1.0, "manufacturing": 10.0}
    assert coal.n2o_kg_per_tj == {"energy": 1.5, "manufacturing": 1.5}


def test_gwp_ar5():
    f = default_factors()
    assert (f.gwp_set, f.gwp_of("CH4"), f.gwp_of("N2O"), f.gwp_of("CO2")) == ("AR5", 28, 265, 1)
    with pytest.raises(FactorMissing) as err:
        f.gwp_of("SF6")
    assert err.value.code == "missing_gwp"


def test_national_list_is_recorded():
    assert default_factors().national_list["reference"] == "Decision 2626/QĐ-BTNMT"


def test_parent_fallback_is_explicit(doc):
    # without an anthracite entry, anthracite falls back to its parent (coal) and says so
    d = copy.deepcopy(doc)
    d["fuels"] = [e for e in d["fuels"] if e["code"] != "energy.fuel.coal.anthracite"]
    f = parse_factors(d, "test.yaml")
    cat = default_catalogue()
    look = f.fuel_factor("energy.fuel.coal.anthracite", 2022, cat)
    assert look.code_used == "energy.fuel.coal"
    assert "used parent energy.fuel.coal" in look.note
    with pytest.raises(FactorMissing) as err:
        f.fuel_factor("energy.fuel.coal.anthracite", 2022, cat, allow_parent=False)
    assert err.value.code == "missing_fuel_factor"


def test_validity_years(doc):
    d = copy.deepcopy(doc)
    diesel = next(e for e in d["fuels"] if e["code"] == "energy.fuel.diesel")
    diesel["valid_to"] = 2020
    newer = dict(diesel, valid_from=2021, valid_to=None, co2_kg_per_tj=75000)
    d["fuels"].append(newer)
    f = parse_factors(d, "test.yaml")
    assert f.fuel_factor("energy.fuel.diesel", 2020).factor.co2_kg_per_tj == 74100
    assert f.fuel_factor("energy.fuel.diesel", 2021).factor.co2_kg_per_tj == 75000
    with pytest.raises(FactorMissing):
        f.fuel_factor("energy.fuel.diesel", 2005)


def _mutate(doc, fn):
    d = copy.deepcopy(doc)
    fn(d)
    return d


@pytest.mark.parametrize(
    "mutation, entry, fragment",
    [
        (lambda d: d["grid"]["factors"].append(dict(d["grid"]["factors"][0])), "grid 2020",
         "duplicate year"),
        (lambda d: d["grid"]["factors"][1].update(value="high"), "grid 2021", "must be a number"),
        (lambda d: d["grid"]["factors"][1].update(value=8.0), "grid 2021", "implausible"),
        (lambda d: d["grid"]["factors"][2].pop("source"), "grid entry 3", "missing field"),
        (lambda d: d["fuels"][0].update(co2_kg_per_tj=-1), "fuel energy.fuel.diesel",
         "must be positive"),
        (lambda d: d["fuels"][1]["ch4_kg_per_tj"].pop("energy"), "fuel energy.fuel.fuel_oil",
         "lacks sector 'energy'"),
        (lambda d: d["fuels"][0].update(colour="red"), "fuel energy.fuel.diesel", "unknown field"),
        (lambda d: d["fuels"].append(dict(d["fuels"][0])), "fuel energy.fuel.diesel",
         "validity overlaps"),
        (lambda d: d["fuels"][0].update(code="energy.fuel.unobtainium"),
         "fuel energy.fuel.unobtainium", "not in the resource catalogue"),
        (lambda d: d["gwp"]["values"].pop("N2O"), "gwp", "missing GWP for N2O"),
        (lambda d: d.pop("grid"), "top level", "missing field"),
    ],
)  # fmt: skip
def test_validation_names_file_and_entry(doc, mutation, entry, fragment):
    bad = _mutate(doc, mutation)
    with pytest.raises(FactorFileError) as err:
        parse_factors(bad, "/somewhere/factors_test.yaml", default_catalogue())
    msg = str(err.value)
    assert msg.startswith("factors_test.yaml")
    assert entry in msg and fragment in msg
    assert err.value.params["file"] == "factors_test.yaml"


def test_load_factors_bad_yaml(tmp_path):
    p = tmp_path / "ef.yaml"
    p.write_text("grid: [\n", encoding="utf-8")
    with pytest.raises(FactorFileError, match="ef.yaml: not valid YAML"):
        load_factors(p)
