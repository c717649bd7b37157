"""Size and validation of the knowledge base: catalogue, sectors."""

import pytest

from eiphub.core.catalogue import CatalogueError, default_catalogue, load_catalogue
from eiphub.core.sectors import SectorError, default_sectors, load_sectors


def test_catalogue_size_and_names():
    cat = default_catalogue()
    assert len(cat) >= 500
    assert all(r.name_vi and r.name_en for r in cat)
    assert sum(1 for r in cat if r.ewc) >= 120


def test_commodity_chemicals_are_not_hazardous_waste():
    cat = default_catalogue()
    for code in (
        "chemical.acid.sulfuric",
        "chemical.alkali.caustic_soda",
        "chemical.solvent.methanol",
    ):
        assert not cat[code].hazardous
        assert cat[code].attributes.get("dangerous_goods")
    assert cat["waste.hazardous.spent_acid"].hazardous
    assert cat["waste.hazardous.spent_caustic"].hazardous


def test_hazardous_ewc_entries_are_flagged_hazardous():
    for r in default_catalogue():
        if r.ewc.endswith("*"):
            assert r.hazardous, r.code


def _write(tmp_path, body):
    p = tmp_path / "r.yaml"
    p.write_text('version: "x"\nsource: "t"\nresources:\n' + body, encoding="utf-8")
    return p


def test_catalogue_rejects_bad_codes_and_hazardous_chemicals(tmp_path):
    with pytest.raises(CatalogueError, match="ewc"):
        load_catalogue(_write(tmp_path, '  - {code: waste, vi: a, en: b, unit: t, ewc: "1001"}\n'))
    with pytest.raises(CatalogueError, match="hazardous entry"):
        load_catalogue(
            _write(tmp_path, '  - {code: waste, vi: a, en: b, unit: t, ewc: "10 01 04*"}\n')
        )
    with pytest.raises(CatalogueError, match="chemicals are products"):
        load_catalogue(
            _write(tmp_path, "  - {code: chemical, vi: a, en: b, unit: t, hazardous: true}\n")
        )


def test_density_is_inherited_from_the_parent():
    cat = default_catalogue()
    assert cat["waste.sludge.paper"].density_kg_per_m3 == cat["waste.sludge"].density_kg_per_m3
    assert cat.to_canonical("waste.sludge.wwtp", 10, "m3") == pytest.approx(11.0)


def test_sectors_table_and_lookups():
    t = default_sectors()
    assert len(t.sectors) >= 40
    assert t.typical("24101").vsic == "2410"  # nearest listed prefix
    assert t.typical("9999") is None
    assert "3511" in t.producers_of("waste.ash.fly")
    assert "2394" in t.users_of("waste.ash.fly")


def test_sectors_validation(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(
        'version: "1"\nreferences: {a: "A"}\nsectors:\n'
        '  - {vsic: "2394", vi: x, en: y, inputs: [no.such.code], outputs: [waste], source: [a]}\n',
        encoding="utf-8",
    )
    with pytest.raises(SectorError) as err:
        load_sectors(p)
    assert err.value.code == "unknown_code"
    p.write_text(
        'version: "1"\nreferences: {a: "A"}\nsectors:\n'
        '  - {vsic: "2394", vi: x, en: y, inputs: [waste], outputs: [waste], source: [b]}\n',
        encoding="utf-8",
    )
    with pytest.raises(SectorError) as err:
        load_sectors(p)
    assert err.value.code == "unknown_source"
