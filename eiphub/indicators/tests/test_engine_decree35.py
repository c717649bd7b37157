"""Decree 35/2022 packs on hand-built parks: each Art. 37 criterion's expected
status is known from the construction and asserted exactly."""

from __future__ import annotations

from datetime import date

import pytest

from eiphub.indicators.data import (
    Certificate,
    ContextTarget,
    Declaration,
    EnterpriseSnapshot,
    ParkInfo,
    ParkSnapshot,
    RecpMeasure,
    Symbiosis,
)
from eiphub.indicators.engine import EngineError, evaluate_pack
from eiphub.indicators.packs import get_pack

from .builders import EXPIRED_14001, VALID_9001, VALID_14001, eip_park, implemented

ART37 = get_pack("decree35_art37_eip")


def statuses(card) -> dict[str, str]:
    return {r.code: r.status for r in card.results}


def test_reference_park_meets_every_art37_criterion():
    card = evaluate_pack(ART37, eip_park())
    assert statuses(card) == {
        "37.1.a": "declared_with_evidence",
        "37.1.b": "declared_with_evidence",
        "37.1.c": "declared_with_evidence",
        "37.1.d": "declared_with_evidence",
        "37.1.đ": "declared_with_evidence",
        "37.2.a": "meets",
        "37.2.b": "meets",
        "37.2.c": "meets",
    }
    assert card.verdict == "meets"
    recp = card.result("37.2.c")
    assert recp.value == 20.0 and recp.gap == 0.0 and recp.additional_needed == 0
    assert recp.evidence.counted == ["E1", "E2"]
    assert "E3" in recp.evidence.not_counted  # planned only
    assert (
        recp.evidence.summary_en
        == "2 of 10 enterprises apply RECP with savings; 0 enterprises lack data"
    )
    qualifying = [r["id"] for r in recp.evidence.records if r.get("qualifies")]
    assert qualifying == ["M1", "M2"]
    planned = next(r for r in recp.evidence.records if r["id"] == "M3")
    assert planned["reason"] == "status planned"
    assert card.result("37.2.b").value == 1
    assert card.result("37.2.b").evidence.counted == ["S1"]


def test_recp_share_below_20_percent_is_not_met_with_gap():
    park = eip_park()
    park.recp_measures = [m for m in park.recp_measures if m.id != "M2"]
    r = evaluate_pack(ART37, park).result("37.2.c")
    assert (r.value, r.status, r.gap, r.additional_needed) == (10.0, "not_met", 10.0, 1)


def test_planned_measure_never_counts_and_zero_savings_do_not_qualify():
    park = eip_park()
    park.recp_measures = [
        implemented("M1", "E1"),
        RecpMeasure("M3", "E3", status="planned", savings={"water.fresh": 500.0}),
        implemented("M4", "E4", savings={"water.fresh": 0.0}),
        implemented("M5", "E5", implemented_on=date(2025, 2, 1)),  # after the reporting date
    ]
    r = evaluate_pack(ART37, park).result("37.2.c")
    assert r.value == 10.0 and r.status == "not_met"
    assert r.evidence.counted == ["E1"] and r.evidence.missing_data == []


def test_missing_savings_figures_make_recp_insufficient_when_they_decide():
    park = eip_park()
    park.recp_measures = [implemented("M1", "E1"), implemented("M4", "E4", savings={})]
    r = evaluate_pack(ART37, park).result("37.2.c")
    # 10% counted; with E4's savings it could reach 20%: data decides
    assert (r.value, r.status) == (10.0, "insufficient_data")
    assert r.evidence.missing_data == ["E4"]


def test_symbiosis_with_expired_iso_14001_does_not_meet_37_2_b():
    park = eip_park()
    park.enterprise("E6").iso_certificates = [EXPIRED_14001, VALID_9001]
    r = evaluate_pack(ART37, park).result("37.2.b")
    assert (r.value, r.status) == (0, "not_met")
    rec = next(x for x in r.evidence.records if x["id"] == "S1")
    assert rec["iso_gaps"] == {"E6": ["ISO 14001 expired 2023-06-30"]}


def test_symbiosis_that_is_only_agreed_or_ended_or_unrealised_does_not_count():
    park = eip_park()
    s = park.symbioses[0]
    for change, expected in (
        ({"status": "agreed"}, "not_met"),
        ({"status": "operating", "ended_on": date(2024, 6, 30)}, "not_met"),
        ({"ended_on": None, "realised_quantity": 0.0}, "not_met"),
        ({"realised_quantity": None}, "insufficient_data"),  # realised exchange not recorded
    ):
        for k, v in change.items():
            setattr(s, k, v)
        assert evaluate_pack(ART37, park).result("37.2.b").status == expected, change


def test_compliance_share_unknown_and_false():
    park = eip_park()
    park.enterprise("E9").compliance_ok = None
    r = evaluate_pack(ART37, park).result("37.2.a")
    assert (r.value, r.status, r.evidence.missing_data) == (90.0, "insufficient_data", ["E9"])
    park.enterprise("E10").compliance_ok = False
    assert evaluate_pack(ART37, park).result("37.2.a").status == "not_met"


def test_declared_facts_with_without_evidence_false_and_missing():
    park = eip_park()
    park.declared["37.1.a"] = Declaration(True, [])
    park.declared["37.1.b"] = Declaration(False, ["minutes.pdf"])
    del park.declared["37.1.c"]
    park.declared["37.1.d"] = Declaration("có", ["report-2024.pdf"])
    card = evaluate_pack(ART37, park)
    got = statuses(card)
    assert got["37.1.a"] == "declared_without_evidence"
    assert got["37.1.b"] == "not_met"
    assert got["37.1.c"] == "insufficient_data"
    assert got["37.1.d"] == "declared_with_evidence" and card.result("37.1.d").value is True
    assert card.verdict == "not_met"
    del park.declared["37.1.b"]
    park.declared["37.1.c"] = Declaration(True, ["x.pdf"])
    assert evaluate_pack(ART37, park).verdict == "incomplete"  # 37.1.a lacks evidence


def test_override_out_of_range_names_criterion_and_range():
    with pytest.raises(EngineError) as exc:
        evaluate_pack(ART37, eip_park(), overrides={"37.2.c": 120})
    assert exc.value.code == "out_of_range"
    assert exc.value.params["criterion"] == "37.2.c"
    assert "37.2.c" in str(exc.value) and "0-100" in str(exc.value)
    r = evaluate_pack(ART37, eip_park(), overrides={"37.2.c": 35}).result("37.2.c")
    assert (r.value, r.status, r.origin) == (35, "meets", "override")
    with pytest.raises(EngineError, match="no criterion"):
        evaluate_pack(ART37, eip_park(), overrides={"ENV.9": 1})


def test_trend_over_history():
    last = eip_park(2023)
    last.recp_measures = [implemented("M1", "E1", implemented_on=date(2023, 2, 1))]
    park = eip_park()
    park.history = {2023: last}
    park.prior_values = {2022: {"37.2.c": 5.0}}
    assert evaluate_pack(ART37, park).result("37.2.c").trend == [
        (2022, 5.0),
        (2023, 10.0),
        (2024, 20.0),
    ]


def test_context_target_is_separate_from_the_verdict():
    park = eip_park()
    park.targets = [
        ContextTarget(
            "KCN-TN.RECP40",
            "RECP ≥ 40% (ngành thủy sản)",
            "RECP at least 40% (seafood-heavy mix)",
            threshold=40,
            criterion="37.2.c",
            basis="sector mix: seafood processing",
        ),
        ContextTarget(
            "KCN-TN.GREEN15",
            "Cây xanh ≥ 15%",
            "Green area at least 15%",
            threshold=15,
            computation="green_area_share",
            unit="%",
            basis="Mekong delta flood resilience",
        ),
    ]
    card = evaluate_pack(ART37, park)
    ctx = {r.code: (r.value, r.status, r.mandatory) for r in card.context_results}
    assert ctx == {
        "KCN-TN.RECP40": (20.0, "not_met", False),
        "KCN-TN.GREEN15": (10.0, "not_met", False),
    }
    assert card.verdict == "meets"
    assert "KCN-TN.RECP40" not in [r.code for r in card.results]


def test_eco_enterprise_pack_on_one_enterprise():
    pack = get_pack("decree35_eco_enterprise")
    park = eip_park()
    e5 = park.enterprise("E5")
    snap = EnterpriseSnapshot(
        e5,
        2024,
        park_code="KCN-TN",
        recp_measures=[implemented("M9", "E5")],
        symbioses=park.symbioses,
        declared={"DNST.5": Declaration(True, ["csr-2024.pdf"])},
    )
    card = evaluate_pack(pack, snap)
    assert statuses(card) == {
        "DNST.1": "meets",
        "DNST.2": "meets",
        "DNST.3": "meets",
        "DNST.4": "meets",
        "DNST.5": "declared_with_evidence",
    }
    assert card.verdict == "meets" and card.subject == "E5"
    e5.iso_certificates = [EXPIRED_14001, VALID_9001]
    snap.recp_measures = [RecpMeasure("M9", "E5", status="planned")]
    got = statuses(evaluate_pack(pack, snap))
    assert got["DNST.4"] == "not_met" and got["DNST.2"] == "not_met"
    e5.compliance_ok = None
    assert statuses(evaluate_pack(pack, snap))["DNST.1"] == "insufficient_data"
    with pytest.raises(EngineError, match="enterprise"):
        evaluate_pack(ART37, snap)


def test_new_park_within_eight_years():
    pack = get_pack("decree35_art38_new_eip")
    park = ParkSnapshot(
        ParkInfo("KCN-NEW", "KCN mới", established_on=date(2020, 3, 1)),
        2024,
        declared={c: Declaration(True, ["dossier.pdf"]) for c in pack.codes},
    )
    card = evaluate_pack(pack, park)
    assert card.result("38.7").value == pytest.approx(4.84, abs=0.01)
    assert card.verdict == "meets"
    park.year = 2029
    assert evaluate_pack(pack, park).result("38.7").status == "not_met"


def test_repealed_pack_warns():
    card = evaluate_pack(get_pack("decree82_2018_repealed"), eip_park())
    assert any("repealed" in w for w in card.warnings)
    assert card.verdict == "incomplete"  # nothing declared


def test_iso_certificate_matching_and_validity():
    cert = Certificate("iso 14001:2015", date(2021, 1, 1), date(2024, 1, 1))
    assert cert.matches("ISO 14001") and not cert.matches("ISO 140")
    assert cert.is_valid_on(date(2024, 1, 1)) and not cert.is_valid_on(date(2024, 1, 2))
    assert VALID_14001.is_valid_on(date(2024, 12, 31))


def test_three_participant_symbiosis_needs_all_participants_certified():
    park = eip_park()
    park.symbioses.append(
        Symbiosis("S2", ["E5", "E6", "E7"], "waste.plastic", "operating", realised_quantity=40.0)
    )
    r = evaluate_pack(ART37, park).result("37.2.b")
    assert r.value == 1 and r.evidence.not_counted == ["S2"]
    park.enterprise("E7").iso_certificates = [VALID_14001, VALID_9001]
    assert evaluate_pack(ART37, park).result("37.2.b").value == 2
