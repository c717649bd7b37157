"""Readiness ranking (core/readiness.py): components, weights, ranks, peer groups and
reasons, against hand calculations; the data file is validated on load."""

import math
from pathlib import Path

import pytest

from eiphub.core import readiness as R
from eiphub.core.readiness import CriterionState as C
from eiphub.core.readiness import FinanceState, ParkData


def test_default_file_loads_with_weights_summing_to_one():
    cfg = R.default_config()
    assert math.isclose(sum(cfg.weights.values()), 1.0)
    assert [s.code for s in cfg.stages] == ["planned", "new", "filling", "mature"]
    assert cfg.recp_full_share == 0.2  # Decree 35 Art. 37.2.c


def test_criterion_credit_by_hand():
    assert R.criterion_credit(C("a", "meets")) == 1.0
    assert R.criterion_credit(C("a", "declared_with_evidence")) == 1.0
    assert R.criterion_credit(C("a", "declared_without_evidence")) == 0.5
    assert R.criterion_credit(C("a", "not_met", 15.0, 20.0, ">=")) == 0.75
    assert R.criterion_credit(C("a", "not_met", 0, 1, ">=")) == 0.0
    assert R.criterion_credit(C("a", "not_met", False, True, "==")) == 0.0
    assert R.criterion_credit(C("a", "insufficient_data", None, 20, ">=")) == 0.0


def _park(code, **kw):
    base = dict(enterprises=10, implementing=1, completeness=0.5, age_years=20, region="R")
    return ParkData(code, **(base | kw))


def test_score_is_the_weighted_sum_of_the_components():
    a = _park(
        "A",
        criteria=[C("37.2.c", "not_met", 10, 20), C("37.2.b", "meets", 1, 1)],
        completeness=0.8,
        implementing=1,  # 10 % of 10 enterprises: half of the 20 % full share
        potential_vnd_per_year=3e9,
        scenario_vnd_per_year=1e9,
        finance=FinanceState(advanced=1, total=4, benefit_vnd_per_year=5e8),
    )
    b = _park("B", potential_vnd_per_year=8e9, implementing=3)
    r = R.rank_parks([a, b])
    sa = next(s for s in r.parks if s.code == "A")
    # criteria (0.5 + 1) / 2 = 0.75; symbiosis 4e9 / 8e9 = 0.5; recp 0.1 / 0.2 = 0.5;
    # finance 1 / 3; score = .35 * .75 + .15 * .8 + .2 * .5 + .15 * .5 + .15 / 3
    assert sa.components == pytest.approx(
        {"criteria": 0.75, "completeness": 0.8, "symbiosis": 0.5, "recp": 0.5, "finance": 1 / 3},
        abs=1e-6,
    )
    assert sa.score == pytest.approx(0.2625 + 0.12 + 0.1 + 0.075 + 0.05, abs=1e-6)
    sb = next(s for s in r.parks if s.code == "B")
    # no card: 0; completeness .5; symbiosis 1; recp min(1, .3/.2) = 1; no finance data: 0
    assert sb.score == pytest.approx(0.15 * 0.5 + 0.2 + 0.15, abs=1e-6)
    assert [s.code for s in r.parks] == ["A", "B"] and [s.rank for s in r.parks] == [1, 2]
    codes_b = {x.code for x in sb.reasons}
    assert {"criteria_no_data", "finance_no_data"} <= codes_b
    open_a = [x.params["criterion"] for x in sa.reasons if x.code == "criterion_open"]
    assert open_a == ["37.2.c"]
    recp_a = next(x for x in sa.reasons if x.code == "recp_share")
    assert recp_a.params["needed"] == 1 and recp_a.kind == "minus"


def test_ties_rank_by_code_and_empty_input():
    r = R.rank_parks([_park("Z"), _park("M")])
    assert [s.code for s in r.parks] == ["M", "Z"]
    assert R.rank_parks([]).parks == []


def test_stages_pillars_and_peer_groups_widen_when_small():
    cfg = R.default_config()
    assert cfg.stage_of("planned", None, None) == "planned"
    assert cfg.stage_of("operating", 3, 95) == "new"  # Art. 38: 8 years
    assert cfg.stage_of("operating", 12, 40) == "filling"
    assert cfg.stage_of("operating", 12, 90) == "mature"
    assert cfg.stage_of("operating", None, None) == "mature"
    assert cfg.pillar_of({"1020": 6, "1080": 2, "2220": 2}) == "food"
    assert cfg.pillar_of({"1020": 1, "2220": 1, "2410": 1, "2610": 1, "4933": 1}) == "mixed"
    parks = [
        _park("A", vsic_counts={"1020": 5}),
        _park("B", vsic_counts={"1010": 5}),
        _park("C", vsic_counts={"2410": 5}),  # alone in (mature, R, metals): widened
        _park("D", vsic_counts={"2410": 5}, region="S"),  # alone in its region too
        _park("E", age_years=2, vsic_counts={"1020": 3}),
    ]
    r = R.rank_parks(parks, cfg)
    g = {s.code: s.group for s in r.parks}
    assert g["A"] == g["B"] == "mature|R|food"
    assert g["C"] == "mature|R|*"
    assert g["D"] == "mature|*|*"
    assert g["E"] == "new|*|*"  # alone at every level: the widest
    groups = {x.key: x for x in r.groups}
    assert sorted(groups["mature|*|*"].parks) == ["A", "B", "C", "D"]
    assert groups["new|*|*"].targets == cfg.targets["new"]


def test_quartiles_by_hand():
    assert R.quartiles([1.0, 2.0, 3.0, 4.0]) == (2.5, 3.25)  # positions 1.5 and 2.25
    assert R.quartiles([5.0]) == (5.0, 5.0)
    assert R.quartiles([]) == (0.0, 0.0)


def test_group_reasons_against_targets_and_leaders():
    parks = [_park("A", completeness=0.95), _park("B", completeness=0.5)]
    r = R.rank_parks(parks)
    a = next(s for s in r.parks if s.code == "A")
    b = next(s for s in r.parks if s.code == "B")
    assert any(
        x.code == "group_leader" and x.params["component"] == "completeness" for x in a.reasons
    )
    below = [
        x for x in b.reasons if x.code == "below_target" and x.params["component"] == "completeness"
    ]
    assert below and below[0].params["target"] == 0.9  # mature parks' completeness target


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "r.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_file_validation(tmp_path):
    good = R.DEFAULT_PATH.read_text(encoding="utf-8")
    R.load_config(_write(tmp_path, good))
    bad_weight = good.replace("criteria: {weight: 0.35", "criteria: {weight: 0.45")
    with pytest.raises(R.ReadinessError) as e:
        R.load_config(_write(tmp_path, bad_weight))
    assert e.value.code == "bad_weights"
    no_source = good.replace("recp: {weight: 0.15, source: nd35_37}", "recp: {weight: 0.15}")
    with pytest.raises(R.ReadinessError) as e:
        R.load_config(_write(tmp_path, no_source))
    assert e.value.code == "missing_source"
    no_target = good.replace("  filling: {criteria: 0.8", "  filling_x: {criteria: 0.8")
    with pytest.raises(R.ReadinessError) as e:
        R.load_config(_write(tmp_path, no_target))
    assert e.value.code == "missing_target"
    over = good.replace("mature: {criteria: 1.0", "mature: {criteria: 1.5")
    with pytest.raises(R.ReadinessError) as e:
        R.load_config(_write(tmp_path, over))
    assert e.value.code == "out_of_range"
