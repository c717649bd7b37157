"""Installed packs load, carry every A.5/B.5 code, and malformed packs give
errors that name the file, the criterion and the field."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from eiphub.indicators.packs import PACK_DIR, load_all_packs, load_pack
from eiphub.indicators.schema import PackError, validate_pack

A5_CODES = [
    "ENV.1",
    "ENV.3",
    "ENV.4",
    "ENV.5",
    "ENV.6",
    "PM.1",
    "PM.2",
    "PM.3",
    "PM.4",
    "SOC.3",
    "SOC.5",
    "SOC.7",
    "ECO.1",
    "ECO.2",
    "ECO.3",
    "ECO.4",
    "ECO.5",
    "ECO.6",
]
B5_CODES = ["ENV.2", "SOC.1", "SOC.2", "SOC.4", "SOC.6"]
EXPECTED_PACKS = {
    "decree35_art37_eip",
    "decree35_eco_enterprise",
    "decree35_art38_new_eip",
    "circular05_a5",
    "circular05_b5",
    "intl_eip_framework_v2",
    "quantitative_green_park",
    "decree82_2018_repealed",
}
VIETNAMESE = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE
)


def test_all_installed_packs_load():
    packs = load_all_packs()
    assert set(packs) == EXPECTED_PACKS
    for pack in packs.values():
        assert pack.criteria, pack.id
        for c in pack.criteria:
            assert c.source.document and c.source.article, (pack.id, c.code)
            assert VIETNAMESE.search(c.name_vi), (pack.id, c.code, c.name_vi)


def test_circular05_packs_hold_every_a5_and_b5_code_exactly():
    packs = load_all_packs()
    assert packs["circular05_a5"].codes == A5_CODES
    assert packs["circular05_b5"].codes == B5_CODES


def test_a5_b5_codes_appear_in_the_pack_files():
    text = (PACK_DIR / "circular05_a5.yaml").read_text() + (
        PACK_DIR / "circular05_b5.yaml"
    ).read_text()
    for code in A5_CODES + B5_CODES:
        assert re.search(rf"code: {re.escape(code)}\n", text), code


def test_repealed_and_unverified_are_marked():
    packs = load_all_packs()
    old = packs["decree82_2018_repealed"]
    assert old.status == "repealed" and str(old.effective_to) == "2022-07-15"
    assert all(c.verify for c in packs["intl_eip_framework_v2"].criteria)
    assert packs["decree35_art37_eip"].criterion("37.2.c").verify is False


def _doc():
    return yaml.safe_load((PACK_DIR / "decree35_art37_eip.yaml").read_text(encoding="utf-8"))


def _crit(doc, code):
    return next(c for c in doc["criteria"] if c["code"] == code)


CASES = [
    (
        "threshold on a mandatory criterion removed",
        "37.2.c",
        "threshold",
        lambda c: c.pop("threshold"),
    ),
    ("unknown computation", "37.2.c", "computation", lambda c: c.update(computation="recp_ratio")),
    ("unknown param", "37.2.b", "params.iso", lambda c: c["params"].update(iso=["ISO 14001"])),
    ("missing required param", "37.2.a", "params.attribute", lambda c: c.update(params={})),
    ("threshold outside range", "37.2.c", "threshold", lambda c: c.update(threshold=120)),
    ("yes/no with a number", "37.1.a", "threshold", lambda c: c.update(threshold=1)),
    ("no article", "37.1.b", "source.article", lambda c: c.update(source={"page": "3"})),
    ("bad comparison", "37.2.c", "comparison", lambda c: c.update(comparison="=>")),
    ("range reversed", "37.2.c", "range", lambda c: c.update(range=[100, 0])),
    ("missing Vietnamese name", "37.2.c", "name", lambda c: c.update(name={"en": "RECP share"})),
    ("typo in a field", "37.2.c", "treshold", lambda c: c.update(treshold=20)),
    ("mandatory as text", "37.2.c", "mandatory", lambda c: c.update(mandatory="yes")),
    (
        "attribute not on the enterprise record",
        "37.2.a",
        "params.attribute",
        lambda c: c["params"].update(attribute="has_union"),
    ),
    (
        "declared with a computation",
        "37.1.a",
        "computation",
        lambda c: c.update(computation="recp_share"),
    ),
]


@pytest.mark.parametrize("label,code,field,mutate", CASES, ids=[c[0] for c in CASES])
def test_malformed_criterion_names_file_criterion_and_field(label, code, field, mutate):
    doc = _doc()
    mutate(_crit(doc, code))
    with pytest.raises(PackError) as exc:
        validate_pack(doc, "broken.yaml")
    err = exc.value
    assert (err.file, err.criterion, err.field) == ("broken.yaml", code, field)
    assert str(err).startswith(f"broken.yaml: criterion {code}: field '{field}': ")


def test_pack_level_errors():
    doc = _doc()
    doc["criteria"].append(copy.deepcopy(doc["criteria"][0]))
    with pytest.raises(PackError, match="criterion 37.1.a: field 'code': code used twice"):
        validate_pack(doc, "dup.yaml")
    doc = _doc()
    doc["scope"] = "province"
    with pytest.raises(PackError, match="field 'scope'"):
        validate_pack(doc, "x.yaml")
    doc = _doc()
    doc["status"] = "repealed"
    with pytest.raises(PackError, match="field 'effective.to'"):
        validate_pack(doc, "x.yaml")
    doc = _doc()
    doc["scope"] = "enterprise"  # park computations do not work on enterprise data
    with pytest.raises(PackError, match="criterion 37.2.a: field 'computation'"):
        validate_pack(doc, "x.yaml")


def test_invalid_yaml_and_duplicate_ids(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(PackError, match="bad.yaml: not valid YAML"):
        load_pack(bad)
    src = (PACK_DIR / "circular05_b5.yaml").read_text(encoding="utf-8")
    (tmp_path / "bad.yaml").unlink()
    (tmp_path / "a.yaml").write_text(src, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(src, encoding="utf-8")
    with pytest.raises(PackError, match="b.yaml: field 'id': pack id 'circular05_b5' also used"):
        load_all_packs(tmp_path)
