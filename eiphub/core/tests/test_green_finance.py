"""Green-finance eligibility packs (issue 15): validated on load, every criterion cited and
marked to verify, and a project checked against them."""

import copy

import pytest
import yaml

from eiphub.core import green_finance as G


def test_installed_packs_are_valid_and_cited():
    packs = G.load_all_packs()
    assert {"vn_green_taxonomy_qd21_2025", "vn_green_credit_sbv", "vn_green_bond"} <= set(packs)
    tax = packs["vn_green_taxonomy_qd21_2025"]
    assert tax.document == "Quyết định 21/2025/QĐ-TTg" and str(tax.issued) == "2025-07-04"
    for pack in packs.values():
        for c in pack.criteria:
            assert c.source.document and c.source.article
            assert c.source.verify is True  # none checked against the gazetted text yet
        assert pack.unverified == len(pack.criteria)


def _doc():
    path = G.PACK_DIR / "vn_green_bond.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "edit,needle",
    [
        (lambda d: d["criteria"][0]["source"].pop("verify"), "verify"),
        (lambda d: d["criteria"][0]["source"].pop("article"), "article"),
        (lambda d: d["criteria"][1].update(test="magic"), "unknown test"),
        (lambda d: d["criteria"][1]["params"].update(metric="bogus"), "unknown metric"),
        (lambda d: d["criteria"][2]["params"].update(evidence="nope"), "not listed"),
        (lambda d: d["categories"].update(spaceships={"article": "x", "verify": True}), "spaceships"),
        (lambda d: d["criteria"].append(copy.deepcopy(d["criteria"][0])), "duplicate"),
        (lambda d: d.update(kind="loan"), "kind"),
    ],
)  # fmt: skip
def test_malformed_packs_are_refused_with_the_field(edit, needle):
    d = _doc()
    edit(d)
    with pytest.raises(G.GreenFinanceError) as exc:
        G.validate_pack(d, "bad.yaml")
    assert needle in str(exc.value) and "bad.yaml" in str(exc.value)


def test_check_a_project():
    tax = G.installed_packs()["vn_green_taxonomy_qd21_2025"]
    all_evidence = frozenset(tax.evidence)
    ok = G.check(tax, G.ProjectFacts("water_reuse", co2e_t_per_year=5, evidence=all_evidence))
    assert ok.status == "may_qualify" and ok.missing_evidence == ()
    partial = G.check(tax, G.ProjectFacts("water_reuse", co2e_t_per_year=5))
    assert partial.status == "evidence_missing"
    assert set(partial.missing_evidence) == set(tax.evidence)
    out = G.check(tax, G.ProjectFacts("other", co2e_t_per_year=5, evidence=all_evidence))
    assert out.status == "not_eligible"
    none = G.check(tax, G.ProjectFacts("water_reuse", co2e_t_per_year=0, evidence=all_evidence))
    assert none.status == "not_eligible"
    by_code = {r.criterion.code: r.status for r in none.results}
    assert by_code["TAX.1"] == "met" and by_code["TAX.2"] == "not_met"


def test_green_credit_uses_npv_and_optional_criteria_do_not_block():
    gc = G.installed_packs()["vn_green_credit_sbv"]
    ev = frozenset(gc.evidence)
    assert G.check(gc, G.ProjectFacts("central_steam", npv_vnd=-1, evidence=ev)).status == (
        "not_eligible"
    )
    assert G.check(gc, G.ProjectFacts("central_steam", npv_vnd=None, evidence=ev)).status == (
        "insufficient_data"
    )
    gb = G.installed_packs()["vn_green_bond"]
    optional = {c.params.get("evidence") for c in gb.criteria if not c.mandatory}
    ev = frozenset(gb.evidence) - optional
    assert G.check(
        gb, G.ProjectFacts("waste_recycling", co2e_t_per_year=3, evidence=ev)
    ).status == ("may_qualify")
