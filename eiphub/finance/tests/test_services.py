"""Project sheets from platform records, the pipeline, observed and verified benefits and
the programme summary (issue 15)."""

import datetime as dt

import pytest

from eiphub.accounts.models import Role
from eiphub.exchange.models import Agreement, ExchangeRecord, Match
from eiphub.exchange.tests.factories import listing
from eiphub.finance import services as S
from eiphub.finance.models import Project, Stage
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world(with_flows=False)


def _match(w, co2e=100.0, benefit=2e9):
    offer = listing(w.e1, "offer", "energy.heat.waste_heat", 40000, "GJ", price_vnd_per_unit=25000)
    want = listing(w.e2, "want", "energy.heat", 30000, "GJ")
    return Match.objects.create(offer=offer, want=want, score=0.9, matched_quantity=30000,
                                unit="GJ", benefit_vnd_per_year=benefit, co2e_t_per_year=co2e)  # fmt: skip


def test_draft_from_match_uses_the_match_figures(w):
    m = _match(w)
    d = S.draft_from_match(m)
    assert d["park"] == w.k1 and d["enterprise"] == w.e2  # the receiver
    assert d["category"] == "waste_heat_recovery"
    assert d["quantity_per_year"] == 30000 and d["price_vnd_per_unit"] == 25000
    assert d["savings_vnd_per_year"] == 2e9 and d["co2e_t_per_year"] == 100
    p = S.create_project(w.users[Role.BOARD], capex_vnd=3e9, **d)
    a = S.appraise(p)
    # capex 3e9, 2e9/yr for 10 years at 10 %: 2e9 * 6.144567 - 3e9
    assert a.npv == pytest.approx(2e9 * 6.1445671 - 3e9, rel=1e-6)
    assert p.history.get().stage == Stage.IDENTIFIED


def test_eligibility_of_a_sheet_lists_missing_evidence(w):
    p = S.create_project(w.users[Role.BOARD], park=w.k1, title="Heat", capex_vnd=1e9,
                         category="waste_heat_recovery", savings_vnd_per_year=5e8,
                         co2e_t_per_year=50, evidence=["feasibility_study"])  # fmt: skip
    res = {e.pack.id: e for e in S.eligibility(p)}
    credit = res["vn_green_credit_sbv"]
    assert credit.status == "evidence_missing"
    assert "feasibility_study" not in credit.missing_evidence
    assert "environmental_risk_assessment" in credit.missing_evidence
    p.category = "other"
    assert {e.status for e in S.eligibility(p)} == {"not_eligible"}


def test_moves_forward_only_and_drop_needs_a_reason(w):
    u = w.users[Role.BOARD]
    p = S.create_project(
        u, park=w.k1, title="X", category="other", identified_on=dt.date(2024, 1, 1)
    )
    assert S.next_stages(p)[0] == Stage.SCREENED
    S.move(p, Stage.FEASIBILITY, u, on=dt.date(2024, 3, 1))
    with pytest.raises(S.StageError) as e1:
        S.move(p, Stage.SCREENED, u, on=dt.date(2024, 4, 1))
    assert e1.value.code == "bad_stage"
    with pytest.raises(S.StageError) as e2:
        S.move(p, Stage.DROPPED, u, on=dt.date(2024, 4, 1))
    assert e2.value.code == "reason_required"
    with pytest.raises(S.StageError) as e3:
        S.move(p, Stage.FINANCING, u, on=dt.date(2024, 2, 1))
    assert e3.value.code == "date_before_last"
    S.move(p, Stage.OPERATING, u, on=dt.date(2024, 6, 1))
    assert p.starts_on == dt.date(2024, 6, 1)
    S.move(p, Stage.DROPPED, u, on=dt.date(2024, 9, 1), reason="Supplier closed")
    assert p.dropped_reason == "Supplier closed" and S.next_stages(p) == []
    assert [h.stage for h in p.history.all()] == [
        "identified",
        "feasibility",
        "operating",
        "dropped",
    ]


def test_observed_from_exchange_records_and_summary(w):
    u = w.users[Role.BOARD]
    a = Agreement.objects.create(supplier=w.e1, receiver=w.e2, resource_code="energy.heat.waste_heat",
                                 quantity_per_year=1200, unit="GJ", status="operating",
                                 starts_on=dt.date(2024, 1, 1))  # fmt: skip
    # 6 months of 80 GJ: 960 GJ/yr against 1,200 claimed -> ratio 0.8
    for m in range(1, 7):
        ExchangeRecord.objects.create(agreement=a, period=dt.date(2024, m, 1), quantity=80)
    p = S.create_project(u, park=w.k1, title="Heat", category="waste_heat_recovery",
                         agreement=a, savings_vnd_per_year=1e9, co2e_t_per_year=100,
                         capex_vnd=2e9, starts_on=dt.date(2024, 1, 1),
                         identified_on=dt.date(2023, 10, 1))  # fmt: skip
    assert S.observed(p) is None  # not operating yet
    S.move(p, Stage.OPERATING, u, on=dt.date(2024, 1, 1))
    o = S.observed(p)
    assert o.basis == "exchange_records" and o.months == 6
    assert o.ratio == pytest.approx(0.8) and o.vnd_per_year == pytest.approx(8e8)
    assert o.co2e_t_per_year == pytest.approx(80)
    q = S.create_project(u, park=w.k2, title="Idea", category="other", capex_vnd=5e8,
                         savings_vnd_per_year=1e8)  # fmt: skip
    r = S.create_project(u, park=w.k2, title="Gone", category="other", capex_vnd=7e8)
    S.move(r, Stage.DROPPED, u, reason="No buyer")

    summary = S.pipeline_summary()
    k1, k2 = summary[w.k1.pk], summary[w.k2.pk]
    assert k1["counts"]["operating"] == 1 and k1["implemented"] == 1
    assert k1["observed_vnd_per_year"] == pytest.approx(8e8) and k1["verified_vnd_per_year"] == 0
    assert k2["counts"]["identified"] == 1 and k2["counts"]["dropped"] == 1
    assert k2["active"] == 1 and k2["capex_vnd"] == 5e8  # dropped projects count apart
    # cohort funnel: the operating project reached every stage up to operating (it skipped
    # the middle ones, which it passed), the dropped one only identified
    assert k1["reached"]["identified"] == 1 and k1["reached"]["operating"] == 1
    assert k1["reached"]["ended"] == 0
    assert k2["reached"] == {"identified": 2, "screened": 0, "feasibility": 0, "financing": 0,
                             "built": 0, "operating": 0, "ended": 0}  # fmt: skip
    S.verify_benefits(p, w.users[Role.CONSULTANT], "Monthly delivery notes")
    k1 = S.pipeline_summary(park_ids=[w.k1.pk])[w.k1.pk]
    assert k1["verified_projects"] == 1 and k1["verified_co2e_t_per_year"] == pytest.approx(80)
    provinces, nation = S.area_totals(S.pipeline_summary())
    assert provinces[w.p1.pk]["total"] == 3 and nation["capex_vnd"] == 2.5e9
    assert q.pk and list(S.pipeline_summary(park_ids=[w.k3.pk])) == []


def test_macc_rows_cheapest_first_without_dropped(w):
    u = w.users[Role.BOARD]
    cheap = S.create_project(u, park=w.k1, title="Cheap", category="energy_efficiency",
                             capex_vnd=100, savings_vnd_per_year=60, lifetime_years=3,
                             co2e_t_per_year=2)  # fmt: skip
    dear = S.create_project(u, park=w.k1, title="Dear", category="other", capex_vnd=1000,
                            savings_vnd_per_year=300, opex_vnd_per_year=50, lifetime_years=5,
                            co2e_t_per_year=10)  # fmt: skip
    none = S.create_project(u, park=w.k1, title="No CO2", category="other", capex_vnd=1)
    gone = S.create_project(u, park=w.k1, title="Gone", category="other", capex_vnd=1,
                            co2e_t_per_year=5)  # fmt: skip
    S.move(gone, Stage.DROPPED, u, reason="x")
    rows, unplaced = S.macc_rows(Project.objects.all())
    assert [r["project"] for r in rows] == [cheap, dear]
    assert rows[1]["cost"] == pytest.approx(1.37975, abs=1e-4)  # the hand-calculated case
    assert (rows[1]["start"], rows[1]["end"]) == (2, 12)
    assert unplaced == [none]
