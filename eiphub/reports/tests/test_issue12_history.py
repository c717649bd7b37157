"""Issue 12: figures that hold for any year.  Each case of the issue rebuilt by hand, with
the expected figure worked out here (cases 1-8; 9 and 10 live in
core/tests/test_issue12_ghg_units.py and exchange/tests/test_json_stdout.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eiphub.exchange.models import Agreement, AgreementStatusChange, ExchangeRecord
from eiphub.exchange.services import funnel
from eiphub.flows.services import save_flow
from eiphub.recp import services as recp_services
from eiphub.recp.models import Measure
from eiphub.registry.models import (
    Certificate,
    EnterpriseHasHistory,
    Park,
    Province,
    SharedFacility,
    Tenancy,
)
from eiphub.registry.services import archive_enterprise
from eiphub.reports.models import Declaration
from eiphub.reports.services import park_scorecard
from eiphub.reports.snapshots import build_park_snapshot
from eiphub.testing import make_enterprise

pytestmark = pytest.mark.django_db
D = dt.date


def _park(code, province):
    return Park.objects.create(code=code, name_vi=f"KCN {code}", province=province,
                               total_area_ha=100, green_area_ha=10)  # fmt: skip


def _agreement(sup, rec, status="operating", starts=D(2025, 1, 1), months=(), year=2025):
    a = Agreement.objects.create(supplier=sup, receiver=rec, resource_code="waste.slag",
                                 quantity_per_year=1200, unit="t", status=status,
                                 starts_on=starts)  # fmt: skip
    for m in months:
        ExchangeRecord.objects.create(agreement=a, period=D(year, m, 1), quantity=100)
    return a


def _certs(*ents, standards=("ISO 14001", "ISO 9001")):
    for e in ents:
        for s in standards:
            Certificate.objects.create(enterprise=e, standard=s, valid_from=D(2022, 1, 1),
                                       valid_to=D(2027, 12, 31))  # fmt: skip


@pytest.fixture
def prov():
    return Province.objects.create(code="HP", name="Hải Phòng")


# -- case 1: today's status no longer decides past years -----------------------------------


def test_case1_symbiosis_ended_in_2026_still_counts_in_2025(prov):
    park = _park("K1", prov)
    e = [make_enterprise(park, 8100 + i) for i in range(6)]
    _agreement(e[0], e[1], months=range(1, 13))
    _agreement(e[2], e[3], months=range(1, 13))
    third = _agreement(e[4], e[5], months=range(1, 13))  # operated all of 2025 ...
    third.status, third.ends_on = "ended", D(2026, 3, 31)  # ... and ended in March 2026
    third.save()
    assert list(third.history.values_list("status", "on")) == [
        ("operating", D(2025, 1, 1)),
        ("ended", D(2026, 3, 31)),
    ]
    card, _s = park_scorecard(park, "circular05_a5", 2025)
    assert card.result("ENV.1").value == 3  # was 2 when today's status decided
    # in 2026 it operated January-March but recorded no exchange in 2026: not counted
    card26, _s = park_scorecard(park, "circular05_a5", 2026)
    assert card26.result("ENV.1").value == 0  # no exchange records in 2026 at all


def test_case1_status_history_of_workflow_transitions(prov):
    park = _park("K1", prov)
    a, b = make_enterprise(park, 8201), make_enterprise(park, 8202)
    ag = _agreement(a, b, status="agreed", starts=None)
    ag.status, ag.starts_on = "operating", D(2024, 2, 1)
    ag.save()
    assert [(h.status, h.on) for h in AgreementStatusChange.objects.filter(agreement=ag)] == [
        ("agreed", None),
        ("operating", D(2024, 2, 1)),
    ]


# -- case 2: one treatment of cross-park symbioses -----------------------------------------


def test_case2_cross_park_symbiosis_counts_in_both_parks_with_partner_data(prov):
    k1, k2 = _park("K1", prov), _park("K2", prov)
    sup, rec = make_enterprise(k1, 8301), make_enterprise(k2, 8302)
    _certs(sup, rec)  # both hold current ISO 14001 and ISO 9001
    _agreement(sup, rec, months=range(1, 13))
    for park in (k1, k2):
        a5, _s = park_scorecard(park, "circular05_a5", 2025)
        assert a5.result("ENV.1").value == 1
        art37, snap = park_scorecard(park, "decree35_art37_eip", 2025)
        r = art37.result("37.2.b")
        assert r.value == 1 and r.status == "meets"  # was "insufficient data"
        assert len(snap.enterprises) == 1 and len(snap.partners) == 1  # partner not a tenant
    # the funnel: the agreement counts in each park, once in both together
    assert funnel(Park.objects.filter(pk=k1.pk))["operating"] == 1
    assert funnel(Park.objects.filter(pk=k2.pk))["operating"] == 1
    assert funnel(Park.objects.filter(pk__in=[k1.pk, k2.pk]))["operating"] == 1


def test_case2_partner_without_iso_does_not_qualify(prov):
    k1, k2 = _park("K1", prov), _park("K2", prov)
    sup, rec = make_enterprise(k1, 8311), make_enterprise(k2, 8312)
    _certs(sup)
    _agreement(sup, rec, months=range(1, 13))
    art37, _s = park_scorecard(k1, "decree35_art37_eip", 2025)
    assert art37.result("37.2.b").value == 0 and art37.result("37.2.b").status == "not_met"


# -- case 8: ISO condition, certified or declared with evidence ------------------------------


def test_case8_declared_application_with_evidence_counts(prov):
    park = _park("K1", prov)
    a, b = make_enterprise(park, 8401), make_enterprise(park, 8402)
    _certs(a, b, standards=("ISO 14001",))
    _agreement(a, b, months=range(1, 13))
    card, _s = park_scorecard(park, "decree35_art37_eip", 2025)
    assert card.result("37.2.b").value == 0  # no production/energy system yet
    # b applies ISO 50001 (declared, with the audit report), a applies ISO 9001 without proof
    Declaration.objects.create(enterprise=b, year=2025, code="iso_applied:ISO 50001",
                               value=True, evidence="EnMS internal audit 2025-06")  # fmt: skip
    Declaration.objects.create(enterprise=a, year=2025, code="iso_applied:ISO 9001", value=True)
    card, _s = park_scorecard(park, "decree35_art37_eip", 2025)
    assert card.result("37.2.b").value == 0  # a's declaration has no evidence
    Declaration.objects.filter(enterprise=a).update(evidence="QMS manual rev. 3")
    card, _s = park_scorecard(park, "decree35_art37_eip", 2025)
    assert card.result("37.2.b").value == 1 and card.result("37.2.b").status == "meets"


# -- case 7: tenancy periods, archiving instead of deleting ---------------------------------


def _recp(ent, on=D(2023, 6, 1)):
    Measure.objects.create(enterprise=ent, title="VSD pumps", practice="equipment",
                           status="implemented", implemented_on=on, savings_vnd_per_year=1e8)  # fmt: skip


def test_case7_enterprise_added_in_2026_leaves_2024_unchanged(prov):
    park = _park("K1", prov)
    ents = [make_enterprise(park, 8500 + i) for i in range(15)]
    _recp(ents[0])
    _recp(ents[1])
    card, _s = park_scorecard(park, "circular05_b5", 2024)
    assert card.result("ENV.2").value == pytest.approx(100 * 2 / 15)  # 13.33 %
    late = make_enterprise(park, 8599)
    Tenancy.objects.create(enterprise=late, park=park, entered=D(2026, 2, 1))
    card, _s = park_scorecard(park, "circular05_b5", 2024)
    assert card.result("ENV.2").value == pytest.approx(100 * 2 / 15)  # was 2/16 = 12.5 %
    card, _s = park_scorecard(park, "circular05_b5", 2026)
    assert card.result("ENV.2").value == pytest.approx(100 * 2 / 16)


def test_case7_leaving_archives_and_counts_for_the_years_it_was_there(prov):
    park = _park("K1", prov)
    stay, leave = make_enterprise(park, 8601), make_enterprise(park, 8602)
    _recp(leave)
    save_flow(owner=leave, resource_code="water.fresh", direction="in", period=D(2024, 3, 1),
              quantity=10, unit="m3")  # fmt: skip
    with pytest.raises(EnterpriseHasHistory):
        leave.delete()  # deleting would delete its history
    archive_enterprise(leave, D(2024, 6, 30))
    leave.refresh_from_db()
    assert leave.archived_on == D(2024, 6, 30)
    assert {e.id for e in build_park_snapshot(park, 2024).enterprises} == {stay.pk, leave.pk}
    assert {e.id for e in build_park_snapshot(park, 2025).enterprises} == {stay.pk}
    # its 2024 RECP measure still counts in 2024: 1 of 2; in 2025 nobody: 0 of 1
    assert park_scorecard(park, "circular05_b5", 2024)[0].result("ENV.2").value == 50.0
    assert park_scorecard(park, "circular05_b5", 2025)[0].result("ENV.2").value == 0.0
    # an enterprise without history can still be deleted
    empty = make_enterprise(park, 8603)
    empty.delete()


# -- cases 3, 4, 5: GHG months, Scope 2 in Q.7, steam -------------------------------------

COAL_T_PER_T = 25.8 * (94600 + 10 * 28 + 1.5 * 265) / 1e6  # tCO2e per t coal, manufacturing
GRID_2023 = 0.6592  # latest published factor, used for 2025 by the pages' rule


def _ghg_park(prov, months=range(1, 13)):
    park = _park("KG", prov)
    e = make_enterprise(park, 8701, value_added_vnd=10_000_000_000, revenue_vnd=20e9)
    for m in months:
        save_flow(owner=e, resource_code="energy.fuel.coal", direction="in",
                  period=D(2025, m, 1), quantity=10, unit="t")  # fmt: skip
        save_flow(owner=e, resource_code="energy.electricity.grid", direction="in",
                  period=D(2025, m, 1), quantity=100, unit="MWh")  # fmt: skip
    return park, e


def test_case3_ten_of_twelve_months_is_a_gap(prov):
    park, e = _ghg_park(prov, months=range(1, 11))
    inv = recp_services.inventory_for(Park.objects.filter(pk=park.pk), [2025])
    row = inv.inventory.get(str(e.pk), 2025)
    assert row.months_label == "10/12" and not row.complete
    assert [g.code for g in row.gaps] == ["missing_months"]
    # Q.7 sees the same gap: missing data, not a silent "reported"
    card, _s = park_scorecard(park, "quantitative_green_park", 2025)
    q7 = card.result("Q.7")
    assert q7.status == "insufficient_data"  # a partial inventory is not "reported"
    # 100 t coal (294.98 x 100/120) + 1,000 MWh x 0.6592 over 10 billion VND: a lower bound
    assert q7.value == pytest.approx((100 * COAL_T_PER_T + 1000 * GRID_2023) / 10, rel=1e-6)
    assert q7.evidence.missing_data == [
        f"{e.pk}: 10/12 months reported; missing months are not zero"
    ]


def test_case4_q7_uses_the_ghg_page_inventory(prov):
    park, e = _ghg_park(prov)
    scope1 = 120 * COAL_T_PER_T  # 120 t x 25.8 GJ/t = 3.096 TJ x 95.2775 t/TJ = 294.98 t
    scope2 = 1200 * GRID_2023  # 1,200 MWh x 0.6592 = 791.04 t
    inv = recp_services.inventory_for(Park.objects.filter(pk=park.pk), [2025])
    page = inv.rows("park")[("KG", 2025)]
    assert page.total_t == pytest.approx(scope1 + scope2, rel=1e-6) and page.complete
    card, _s = park_scorecard(park, "quantitative_green_park", 2025)
    q7 = card.result("Q.7")
    # (294.98 + 791.04) t / 10 billion VND = 108.60 (Scope 1 alone would give 29.50)
    assert q7.value == pytest.approx((scope1 + scope2) / 10, rel=1e-6)
    assert q7.value == pytest.approx(108.60, abs=0.005)


def test_case5_purchased_steam_and_heat_are_scope2(prov):
    park = _park("KS", prov)
    e = make_enterprise(park, 8801)
    for m in range(1, 13):
        save_flow(owner=e, resource_code="energy.steam", direction="in", period=D(2025, m, 1),
                  quantity=5000 / 12, unit="t")  # fmt: skip
        save_flow(owner=e, resource_code="energy.heat", direction="in", period=D(2025, m, 1),
                  quantity=250, unit="GJ")  # fmt: skip
    row = recp_services.inventory_for(Park.objects.filter(pk=park.pk), [2025]).inventory.get(
        str(e.pk), 2025
    )
    # 5,000 t x 2.67228 GJ/t + 3,000 GJ = 16,361.4 GJ; / 0.80 coal boiler x 95.0255 t/TJ
    expected = (5000 * 2.6722811 + 3000) / 0.80 / 1000 * 95.0255
    assert row.scope2_t == pytest.approx(expected, rel=1e-5)  # 1,943.4 t (was 0)
    assert row.complete and row.months_label == "12/12"


# -- case 6: ENV.3 on one basis ---------------------------------------------------------------


def test_case6_env3_counts_only_the_industrial_share_of_central_reuse(prov):
    park = _park("KW", prov)
    e = make_enterprise(park, 8901)
    wwtp = SharedFacility.objects.create(park=park, kind="wwtp", name="XLNT")
    p = D(2025, 3, 1)
    save_flow(owner=e, resource_code="water.wastewater.process", direction="out", period=p,
              quantity=1000, unit="m3", fate="treatment")  # fmt: skip
    save_flow(owner=e, resource_code="water.wastewater.domestic", direction="out", period=p,
              quantity=1000, unit="m3", fate="treatment")  # fmt: skip
    save_flow(owner=wwtp, resource_code="water.wastewater.process", direction="in", period=p,
              quantity=1000, unit="m3")  # fmt: skip
    save_flow(owner=wwtp, resource_code="water.wastewater.domestic", direction="in", period=p,
              quantity=1000, unit="m3")  # fmt: skip
    save_flow(owner=wwtp, resource_code="water.reclaimed", direction="out", period=p,
              quantity=500, unit="m3")  # fmt: skip
    card, _s = park_scorecard(park, "circular05_a5", 2025)
    # 500 m3 reused x 1000/2000 industrial share / 1000 m3 industrial = 25 % (was 50 %)
    assert card.result("ENV.3").value == pytest.approx(25.0)


# -- property: data dated after year Y never changes Y's figures -----------------------------

PACKS = ("circular05_a5", "circular05_b5", "decree35_art37_eip", "quantitative_green_park")
Y = 2024


def _figures(park):
    out = {}
    for pack in PACKS:
        card, _s = park_scorecard(park, pack, Y)
        for r in card.results:
            out[(pack, r.code)] = (r.value, r.status)
    return out


later_day = st.dates(min_value=D(Y + 1, 1, 1), max_value=D(Y + 2, 12, 1))
later_event = st.one_of(
    st.tuples(st.just("flow"), later_day, st.sampled_from(["energy.fuel.coal", "water.fresh"])),
    st.tuples(st.just("end"), later_day, st.integers(0, 1)),
    st.tuples(st.just("record"), later_day, st.integers(0, 1)),
    st.tuples(st.just("tenant"), later_day, st.booleans()),
    st.tuples(st.just("cert"), later_day, st.integers(0, 3)),
    st.tuples(st.just("measure"), later_day, st.integers(0, 3)),
    st.tuples(st.just("declaration"), later_day, st.integers(0, 3)),
    st.tuples(st.just("leave"), later_day, st.integers(0, 3)),
)


@pytest.fixture
def history_world(prov):
    park = _park("KP", prov)
    other = _park("KQ", prov)
    ents = [make_enterprise(park, 9000 + i, workers_total=100, value_added_vnd=5e9) for i in
            range(4)]  # fmt: skip
    partner = make_enterprise(other, 9010)
    _certs(ents[0], partner)
    _recp(ents[1])
    for e in ents:
        for m in (1, 6, 12):
            save_flow(owner=e, resource_code="energy.fuel.coal", direction="in",
                      period=D(Y, m, 1), quantity=5, unit="t")  # fmt: skip
    a1 = _agreement(ents[0], partner, starts=D(Y - 1, 3, 1), months=range(1, 13), year=Y)
    a2 = _agreement(ents[2], ents[3], starts=D(Y, 2, 1), months=(2, 3, 4), year=Y)
    return park, ents, partner, [a1, a2]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(events=st.lists(later_event, min_size=1, max_size=4))
def test_property_later_data_never_changes_year_y(history_world, events):
    from django.db import transaction

    park, ents, partner, agreements = history_world
    before = _figures(park)
    with transaction.atomic():
        for i, (kind, day, arg) in enumerate(events):
            month = day.replace(day=1)
            if kind == "flow":
                save_flow(owner=ents[i % 4], resource_code=arg, direction="in", period=month,
                          quantity=7, unit="t" if arg.startswith("energy") else "m3")  # fmt: skip
            elif kind == "end":
                a = Agreement.objects.get(pk=agreements[arg].pk)
                if a.status != "ended" and (a.starts_on is None or day >= a.starts_on):
                    a.status, a.ends_on = "ended", day
                    a.save()
            elif kind == "record":
                ExchangeRecord.objects.get_or_create(agreement=agreements[arg], period=month,
                                                     defaults={"quantity": 3})  # fmt: skip
            elif kind == "tenant":
                new = make_enterprise(park, 9100 + i, workers_total=50)
                Tenancy.objects.create(enterprise=new, park=park, entered=day)
                if arg:
                    _recp(new, on=day)
            elif kind == "cert":
                Certificate.objects.create(enterprise=ents[arg], standard="ISO 9001",
                                           valid_from=day, valid_to=D(Y + 5, 1, 1))  # fmt: skip
            elif kind == "measure":
                _recp(ents[arg], on=day)
            elif kind == "declaration":
                Declaration.objects.get_or_create(
                    enterprise=ents[arg], year=day.year, code="iso_applied:ISO 9001",
                    defaults={"value": True, "evidence": "doc"},
                )  # fmt: skip
            elif kind == "leave" and ents[arg].archived_on is None:
                archive_enterprise(ents[arg], day)
        after = _figures(park)
        transaction.set_rollback(True)
    for e in ents:
        e.refresh_from_db()
    assert after == before
