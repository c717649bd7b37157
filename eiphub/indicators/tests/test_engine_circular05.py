"""Circular 05/2025 forms A.5 and B.5 on hand-built parks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eiphub.indicators.computations import share_of_enterprises
from eiphub.indicators.data import Declaration, EnterpriseInfo, FacilityTotal, FlowTotal
from eiphub.indicators.engine import EngineError, evaluate_pack
from eiphub.indicators.packs import get_pack

from .builders import YEAR, eip_park

A5 = get_pack("circular05_a5")
B5 = get_pack("circular05_b5")


def wastewater_park():
    """E1 sends 1000 m3 process wastewater to the central WWTP, E2 recirculates
    500 m3, E3 only discharges domestic sewage (excluded); the WWTP reuses
    250 m3.  Reuse share = (500 + 250) / 1500 = 50%."""
    park = eip_park()
    park.flows = [
        FlowTotal(
            "E1", "water.wastewater.process", "out", 1000.0, "m3", YEAR, fate="central_treatment"
        ),
        FlowTotal(
            "E2", "water.wastewater.process", "out", 300.0, "m3", YEAR, month=1, fate="recirculated"
        ),
        FlowTotal(
            "E2", "water.wastewater.process", "out", 200.0, "m3", YEAR, month=2, fate="recirculated"
        ),
        FlowTotal("E3", "water.wastewater.domestic", "out", 300.0, "m3", YEAR, fate="discharged"),
        FlowTotal("E4", "water.wastewater", "out", 999.0, "m3", YEAR - 1, fate="reused"),
    ]
    park.facilities = [FacilityTotal("WWTP1", "wwtp", YEAR, inflow_m3=1000.0, reused_m3=250.0)]
    return park


def test_a5_env3_wastewater_reuse_share_from_flows_and_central_plant():
    r = evaluate_pack(A5, wastewater_park()).result("ENV.3")
    assert (r.value, r.status, r.unit) == (50.0, "reported", "%")
    assert sorted(r.evidence.counted) == ["E1", "E2"]
    assert "E3" in r.evidence.missing_data  # no industrial wastewater reported
    assert any(x.get("id") == "WWTP1" for x in r.evidence.records)


def test_a5_env3_without_flows_is_insufficient_data():
    r = evaluate_pack(A5, eip_park()).result("ENV.3")
    assert (r.value, r.status) == (None, "insufficient_data")


def test_a5_env3_falls_back_to_declared_value_when_no_flows():
    park = eip_park()
    park.declared["ENV.3"] = Declaration(35, ["wwtp-log.xlsx"])
    r = evaluate_pack(A5, park).result("ENV.3")
    assert (r.value, r.status, r.origin) == (35.0, "reported", "declared")
    park.declared["ENV.3"] = Declaration(135, [])
    with pytest.raises(EngineError, match="ENV.3.*0-100"):
        evaluate_pack(A5, park)


def test_a5_env1_counts_operating_symbioses_and_yes_no_declarations():
    park = eip_park()
    park.declared.update(
        {
            "ENV.4": Declaration("có", ["ghg-plan.pdf"]),
            "ENV.5": Declaration(True, ["coordination-rules.pdf"]),
            "ENV.6": Declaration(True, []),
            "PM.2": Declaration("không", []),
        }
    )
    card = evaluate_pack(A5, park)
    got = {r.code: r.status for r in card.results}
    assert card.result("ENV.1").value == 1 and got["ENV.1"] == "meets"
    assert got["ENV.4"] == "declared_with_evidence"
    assert got["ENV.5"] == "declared_with_evidence"
    assert got["ENV.6"] == "declared_without_evidence"
    assert got["PM.2"] == "not_met"
    assert got["ECO.6"] == "insufficient_data"
    assert card.verdict == "incomplete"  # ENV.6 mandatory, evidence missing
    park.declared["PM.1"] = Declaration("maybe", [])
    with pytest.raises(EngineError) as exc:
        evaluate_pack(A5, park)
    assert exc.value.code == "invalid_value" and exc.value.params["criterion"] == "PM.1"


def social_park():
    """Four enterprises over 100 workers (three with grievance procedures and
    gender-equality practice), one small one without either (out of scope for
    SOC.1/SOC.4 but in scope for SOC.2/SOC.6)."""
    park = eip_park()
    park.enterprises = [
        EnterpriseInfo(
            "B1",
            "Big 1",
            workers_total=850,
            has_grievance_procedure=True,
            gender_equality_practice=True,
            publishes_information=True,
            anti_harassment_rules=True,
        ),
        EnterpriseInfo(
            "B2",
            "Big 2",
            workers_total=120,
            has_grievance_procedure=True,
            gender_equality_practice=True,
            publishes_information=True,
            anti_harassment_rules=True,
        ),
        EnterpriseInfo(
            "B3",
            "Big 3",
            workers_total=101,
            has_grievance_procedure=True,
            gender_equality_practice=True,
            publishes_information=True,
            anti_harassment_rules=True,
        ),
        EnterpriseInfo(
            "B4",
            "Big 4",
            workers_total=400,
            has_grievance_procedure=False,
            gender_equality_practice=False,
            publishes_information=True,
            anti_harassment_rules=False,
        ),
        EnterpriseInfo(
            "S1",
            "Small",
            workers_total=100,
            has_grievance_procedure=False,
            gender_equality_practice=False,
            publishes_information=False,
            anti_harassment_rules=True,
        ),
    ]
    park.recp_measures = []
    return park


def test_b5_social_shares_over_enterprises_with_more_than_100_workers():
    card = evaluate_pack(B5, social_park())
    values = {r.code: (r.value, r.status) for r in card.results}
    assert values["SOC.1"] == (75.0, "meets")  # 3 of B1-B4; S1 (100 workers) out of scope
    assert values["SOC.4"] == (75.0, "meets")
    assert values["SOC.2"] == (80.0, "meets")  # 4 of 5, all enterprises
    assert values["SOC.6"] == (80.0, "meets")
    assert values["ENV.2"] == (0.0, "not_met")
    soc1 = card.result("SOC.1")
    assert soc1.evidence.counted == ["B1", "B2", "B3"] and soc1.evidence.not_counted == ["B4"]
    assert "S1" not in soc1.evidence.counted + soc1.evidence.not_counted


def test_b5_missing_worker_count_or_answer_is_insufficient_when_it_decides():
    park = social_park()
    park.enterprises.append(EnterpriseInfo("B5", "Unknown size", has_grievance_procedure=False))
    r = evaluate_pack(B5, park).result("SOC.1")
    # 3/5 = 60% if B5 counts as in scope and fails; 80% if it qualifies
    assert (r.value, r.status, r.evidence.missing_data) == (60.0, "insufficient_data", ["B5"])
    park.enterprises[-1] = EnterpriseInfo("B5", "Big 5", workers_total=300)
    assert evaluate_pack(B5, park).result("SOC.1").status == "insufficient_data"
    park.enterprises[-1].has_grievance_procedure = False
    assert evaluate_pack(B5, park).result("SOC.1").status == "not_met"


def test_b5_env2_recp_share_and_accepted_range_for_overrides():
    park = eip_park()
    r = evaluate_pack(B5, park).result("ENV.2")
    assert (r.value, r.status) == (20.0, "meets")
    with pytest.raises(EngineError) as exc:
        evaluate_pack(B5, park, overrides={"ENV.2": 15})
    assert "ENV.2" in str(exc.value) and "20-100" in str(exc.value)
    assert exc.value.params == {"criterion": "ENV.2", "value": 15, "min": 20, "max": 100}


@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))
def test_share_bounds_bracket_the_value(c, n, m):
    refs = lambda k, p: [{"id": f"{p}{i}"} for i in range(k)]  # noqa: E731
    comp = share_of_enterprises(refs(c, "c"), refs(n, "n"), refs(m, "m"), [], "", "")
    if c + n + m == 0:
        assert comp.value is None
    else:
        assert comp.low == comp.value <= comp.high <= 100
        assert comp.high - comp.low == pytest.approx(100 * m / (c + n + m), abs=1e-5)
