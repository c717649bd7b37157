"""Thresholds are data: editing a pack file flips a result with no code change."""

from __future__ import annotations

import shutil

from eiphub.indicators.engine import evaluate_pack
from eiphub.indicators.packs import PACK_DIR, load_all_packs, load_pack

from .builders import eip_park


def _edit(tmp_path, name, old, new):
    path = tmp_path / name
    shutil.copy(PACK_DIR / name, path)
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_raising_the_recp_threshold_flips_37_2_c(tmp_path):
    park = eip_park()  # 2 of 10 enterprises: 20%
    original = load_pack(PACK_DIR / "decree35_art37_eip.yaml")
    assert evaluate_pack(original, park).result("37.2.c").status == "meets"
    path = _edit(
        tmp_path,
        "decree35_art37_eip.yaml",
        '    threshold: 20\n    comparison: ">="\n    range: [0, 100]\n    mandatory: true\n',
        '    threshold: 25\n    comparison: ">="\n    range: [0, 100]\n    mandatory: true\n',
    )
    edited = load_pack(path)
    r = evaluate_pack(edited, park).result("37.2.c")
    assert (r.value, r.status, r.gap, r.threshold) == (20.0, "not_met", 5.0, 25)
    assert evaluate_pack(edited, park).verdict == "not_met"


def test_changing_iso_requirements_in_the_pack_changes_the_symbiosis_result(tmp_path):
    park = eip_park()  # E5, E6 hold ISO 14001 and ISO 9001, not ISO 45001
    path = _edit(tmp_path, "decree35_art37_eip.yaml", '["ISO 9001", "ISO 50001"]', '["ISO 45001"]')
    assert evaluate_pack(load_pack(path), park).result("37.2.b").status == "not_met"


def test_lowering_a_b5_threshold_flips_soc2(tmp_path):
    park = eip_park()
    for e in park.enterprises[:7]:
        e.publishes_information = True
    for e in park.enterprises[7:]:
        e.publishes_information = False
    installed = load_all_packs()["circular05_b5"]
    assert evaluate_pack(installed, park).result("SOC.2").status == "not_met"  # 70% < 75%
    _edit(
        tmp_path,
        "circular05_b5.yaml",
        'attribute: publishes_information}\n    unit: "%"\n    threshold: 75\n    comparison: ">="\n    range: [75, 100]',
        'attribute: publishes_information}\n    unit: "%"\n    threshold: 70\n    comparison: ">="\n    range: [70, 100]',
    )
    edited = load_all_packs(tmp_path)["circular05_b5"]
    assert evaluate_pack(edited, park).result("SOC.2").status == "meets"
