"""The pathway knowledge base loads, is complete and is validated with clear errors."""

import textwrap

import pytest

from eiphub.core.catalogue import default_catalogue
from eiphub.symbiosis.pathways import PathwayError, default_pathways, load_pathways


def test_default_file_has_at_least_80_sourced_pathways():
    ps = default_pathways()
    assert len(ps) >= 80
    cat = default_catalogue()
    for p in ps:
        assert p.sources and all(s in ps.references for s in p.sources), p.id
        assert all(c in cat for c in (*p.from_codes, *p.to_codes)), p.id
        assert p.name_vi and p.name_en and p.industries


@pytest.mark.parametrize(
    "offer, target",
    [
        ("waste.ash.fly", "material.cement"),
        ("waste.ash.fly", "material.brick"),
        ("waste.gypsum.fgd", "material.mineral.gypsum"),
        ("waste.slag.blast_furnace", "material.cement"),
        ("waste.slag.steel", "material.mineral.aggregate"),
        ("energy.heat.waste_heat", "energy.heat.drying"),
        ("energy.heat.waste_heat", "energy.cooling"),
        ("energy.heat.waste_heat", "energy.heat.low_temperature"),
        ("energy.steam", "energy.heat.process"),
        ("water.treated", "water.cooling"),
        ("water.treated", "water.irrigation"),
        ("waste.plastic", "material.plastic"),
        ("material.plastic.recycled", "material.plastic"),
        ("waste.glass", "material.mineral.sand"),
        ("waste.paper", "material.paper"),
        ("waste.metal", "material.metal.steel"),
        ("waste.wood", "material.wood"),
        ("energy.fuel.biomass.rice_husk", "energy.fuel.coal"),
        ("waste.sludge.wwtp", "material.fertiliser"),
        ("waste.organic.fermentation", "material.animal_feed"),
        ("waste.hazardous.used_oil", "chemical.lubricant"),
        ("byproduct.sulfur", "chemical.sulfur"),
        ("byproduct.co2", "chemical.co2"),
    ],
)
def test_seed_pathways_present(offer, target):
    ps = default_pathways()
    cat = ps.catalogue
    assert any(cat.is_a(target, t) for p in ps.from_pathways(offer) for t in p.to_codes)


def test_heat_thresholds_and_licences():
    ps = default_pathways()
    by_target = {p.to_codes[0]: p for p in ps.from_pathways("energy.heat.waste_heat")}
    assert by_target["energy.heat.drying"].min_temperature_c == 80
    assert by_target["energy.cooling"].min_temperature_c == 90
    assert by_target["energy.heat.low_temperature"].min_temperature_c == 30
    for p in ps.from_pathways("waste.hazardous.used_oil"):
        assert p.licence == "hazardous_waste"


def test_industries_for_fly_ash_include_cement_and_bricks():
    inds = default_pathways().industries_for("waste.ash.fly")
    assert "2394" in inds and "2392" in inds


def test_lookup_uses_nearest_ancestor():
    ps = default_pathways()
    assert (
        ps.lookup("disposal_vnd_per_unit", "waste.hazardous.used_oil")
        == ps.defaults["disposal_vnd_per_unit"]["waste.hazardous"]
    )


def _write(tmp_path, body):
    f = tmp_path / "pw.yaml"
    f.write_text(textwrap.dedent(body), encoding="utf-8")
    return f


BASE = """
version: "t"
references: {r1: "A reference"}
pathways:
  - {id: P-001, vi: "a", en: "b", from: [waste.ash.fly], to: [material.cement], industries: ["2394"], ratio: 1.0, source: [r1]}
"""


def test_valid_minimal_file(tmp_path):
    assert len(load_pathways(_write(tmp_path, BASE))) == 1


@pytest.mark.parametrize(
    "change, code",
    [
        (("material.cement]", "material.nope]"), "unknown_code"),
        (("source: [r1]", "source: [r9]"), "unknown_source"),
        (("ratio: 1.0, ", ""), "bad_ratio"),
        (('industries: ["2394"]', 'industries: ["23"]'), "bad_industry"),
        (("id: P-001", "id: X1"), "bad_id"),
        (("ratio: 1.0", "ratio: 1.0, colour: red"), "unknown_field"),
    ],
)
def test_errors_name_file_and_pathway(tmp_path, change, code):
    f = _write(tmp_path, BASE.replace(*change))
    with pytest.raises(PathwayError) as exc:
        load_pathways(f)
    assert exc.value.code == code
    assert "pw.yaml" in str(exc.value)
    if code not in ("bad_id",):
        assert "P-001" in str(exc.value)


def test_duplicate_id(tmp_path):
    body = BASE + BASE.split("pathways:\n")[1]
    with pytest.raises(PathwayError, match="P-001: duplicate"):
        load_pathways(_write(tmp_path, body))
