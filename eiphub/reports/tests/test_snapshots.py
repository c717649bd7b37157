"""Database -> snapshot -> engine: exact statuses for a park built by hand (builders.py)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eiphub.indicators.engine import evaluate_pack
from eiphub.indicators.packs import get_pack
from eiphub.recp.models import Measure
from eiphub.registry.models import Certificate
from eiphub.reports.models import ContextTarget, Declaration
from eiphub.reports.services import park_scorecard
from eiphub.reports.snapshots import build_enterprise_snapshot, build_park_snapshot
from eiphub.testing import make_enterprise

from .builders import YEAR, build_park

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_park()


def statuses(card):
    return {r.code: r.status for r in card.results}


def test_art37_every_criterion(w):
    card, _snap = park_scorecard(w.park, "decree35_art37_eip", YEAR)
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
    assert card.result("37.2.a").value == 100.0
    assert card.result("37.2.b").value == 1
    recp = card.result("37.2.c")
    assert recp.value == 20.0
    e = w.e
    assert recp.evidence.counted == [e[0].pk, e[1].pk]
    assert recp.evidence.missing_data == [e[3].pk]
    assert set(recp.evidence.not_counted) == {x.pk for x in e[2:]} - {e[3].pk}
    sym = card.result("37.2.b").evidence
    assert sym.counted == [w.heat.pk]
    assert set(sym.not_counted) == {w.slag.pk, w.proposed.pk}
    assert card.result("37.1.a").evidence.records[0] == {"type": "document", "id": "QĐ-37.1.a.pdf"}


def test_art37_flips_with_data(w):
    e = w.e
    Declaration.objects.filter(enterprise=e[9], code="compliance_ok").delete()
    Measure.objects.filter(enterprise=e[1]).update(status="planned")
    Certificate.objects.filter(enterprise=e[5], standard="ISO 9001").update(
        valid_to=dt.date(2023, 12, 31)
    )
    card, _snap = park_scorecard(w.park, "decree35_art37_eip", YEAR)
    s = statuses(card)
    assert s["37.2.a"] == "insufficient_data"  # 9 of 10 declared; the 10th decides
    assert s["37.2.b"] == "not_met"  # E6's ISO 9001 expired before the reporting date
    assert s["37.2.c"] == "insufficient_data"  # 10 %, 20 % if E4's measure has savings
    assert card.result("37.2.c").additional_needed == 1
    assert card.verdict == "not_met"
    Declaration.objects.create(enterprise=e[9], year=YEAR, code="compliance_ok", value=False)
    card, _snap = park_scorecard(w.park, "decree35_art37_eip", YEAR)
    assert card.result("37.2.a").status == "not_met"
    assert card.result("37.2.a").value == 90.0


def test_a5_values(w):
    card, _snap = park_scorecard(w.park, "circular05_a5", YEAR)
    s = statuses(card)
    assert card.result("ENV.1").value == 2  # no ISO requirement in A.5
    assert s["ENV.1"] == "meets"
    assert card.result("ENV.3").value == 50.0  # (1000 reused + 1000 to E4 + 500 WWTP) / 5000
    assert s["ENV.3"] == "reported"
    assert card.result("ENV.3").trend == [(2021, None), (2022, None), (2023, 20.0), (2024, 50.0)]
    assert s["ENV.4"] == "declared_without_evidence"
    assert s["ENV.5"] == "not_met"
    assert s["PM.1"] == "insufficient_data"
    assert card.verdict == "not_met"


def test_b5_values(w):
    card, _snap = park_scorecard(w.park, "circular05_b5", YEAR)
    values = {r.code: r.value for r in card.results}
    assert values == {"ENV.2": 20.0, "SOC.1": 75.0, "SOC.2": 80.0, "SOC.4": 25.0, "SOC.6": 0.0}
    assert statuses(card) == {
        "ENV.2": "meets",
        "SOC.1": "meets",
        "SOC.2": "meets",  # 80 %, at most 90 % with E10 unknown
        "SOC.4": "not_met",
        "SOC.6": "insufficient_data",
    }


def test_fate_and_origin_mapping(w):
    snap = build_park_snapshot(w.park, YEAR)
    by_owner = {(f.enterprise_id, f.resource_code): f for f in snap.flows}
    assert by_owner[(w.e[2].pk, "water.wastewater")].fate == "symbiosis"
    assert by_owner[(w.e[1].pk, "water.wastewater")].fate == "discharged"
    wwtp = [f for f in snap.facilities if f.kind == "wwtp"]
    assert [(x.year, x.reused_m3, x.inflow_m3) for x in wwtp] == [(2024, 500.0, 4000.0)]
    assert sorted(snap.history) == [2021, 2022, 2023]
    assert [f.quantity for f in snap.history[2023].flows if f.enterprise_id == w.e[0].pk] == [800.0]
    assert {s.id: s.realised_quantity for s in snap.history[2023].symbioses} == {
        w.heat.pk: 0.0,
        w.slag.pk: 0.0,
        w.proposed.pk: None,
    }


def test_eco_enterprise(w):
    pack = get_pack("decree35_eco_enterprise")
    e5 = evaluate_pack(pack, build_enterprise_snapshot(w.e[4], YEAR))
    assert statuses(e5) == {
        "DNST.1": "meets",
        "DNST.2": "not_met",
        "DNST.3": "meets",
        "DNST.4": "meets",
        "DNST.5": "insufficient_data",
    }
    e1 = evaluate_pack(pack, build_enterprise_snapshot(w.e[0], YEAR))
    assert (e1.result("DNST.2").status, e1.result("DNST.3").status) == ("meets", "not_met")
    assert e1.result("DNST.4").status == "not_met"
    e4 = evaluate_pack(pack, build_enterprise_snapshot(w.e[3], YEAR))
    assert e4.result("DNST.2").status == "insufficient_data"


def test_context_target_beside_the_verdict(w):
    ContextTarget.objects.create(
        park=w.park,
        pack_id="decree35_art37_eip",
        code="37.2.c",
        threshold=40,
        comparison=">=",
        rationale="Textile-heavy sector mix",
    )
    card, _snap = park_scorecard(w.park, "decree35_art37_eip", YEAR)
    assert card.verdict == "meets"
    [ctx] = card.context_results
    assert (ctx.value, ctx.status, ctx.threshold) == (20.0, "not_met", 40)


def test_queries_do_not_grow_with_enterprises(w):
    with CaptureQueriesContext(connection) as small:
        build_park_snapshot(w.park, YEAR)
    for i in range(30):
        ent = make_enterprise(w.park, 7000 + i, workers_total=10)
        Declaration.objects.create(enterprise=ent, year=YEAR, code="compliance_ok", value=True)
        Measure.objects.create(enterprise=ent, title="m", practice="housekeeping", status="planned")
    with CaptureQueriesContext(connection) as big:
        snap = build_park_snapshot(w.park, YEAR)
    assert len(snap.enterprises) == 40
    # 12 + tenancy periods (2), GHG months (1), agreement status history (1)
    assert len(big.captured_queries) == len(small.captured_queries) <= 16
