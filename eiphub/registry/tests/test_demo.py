"""The illustrative demo data set: seed features present, coherent, idempotent."""

import datetime as dt
from collections import defaultdict
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum

from eiphub.accounts.scoping import enterprises_for, flows_for, parks_for
from eiphub.core.catalogue import default_catalogue
from eiphub.exchange.models import Agreement, ExchangeRecord, Listing
from eiphub.flows.models import FlowRecord
from eiphub.recp.models import Measure, Practice
from eiphub.registry.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    PROVINCE_CODE,
    SEED_SOLAR_TOTAL_KWP,
    load_demo,
)
from eiphub.registry.models import Enterprise, Park, SharedFacility
from eiphub.registry.validators import is_valid_tax_code

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 7, 15)


def _monthly(qs):
    out = defaultdict(float)
    for period, q in qs.values_list("period").annotate(q=Sum("quantity_canonical")):
        out[period] += q
    return out


def test_full_demo_reproduces_the_seed_situations():
    counts = load_demo(months=24, today=TODAY)
    assert counts["created"] and counts["parks"] == 6
    assert 280 <= counts["enterprises"] <= 320
    assert 50_000 <= counts["flows"] <= 120_000

    # 24 months up to the last complete month, with 5-10% enterprise-months unreported
    periods = sorted(set(FlowRecord.objects.values_list("period", flat=True)))
    assert (
        len(periods) == 24
        and periods[-1] == dt.date(2025, 6, 1)
        and periods[0] == dt.date(2023, 7, 1)
    )
    reported = (
        FlowRecord.objects.filter(enterprise__isnull=False)
        .values("enterprise", "period")
        .distinct()
    )
    share = reported.count() / (counts["enterprises"] * 24)
    assert 0.88 <= share <= 0.96

    # DEEP C rooftop solar at one park: 3,048.72 kWp in all (seed 003's stated total), on
    # 21,875 m2 + 5,760 m2 of roofs, the second roof 933.04 kWp.
    solar = SharedFacility.objects.filter(kind="solar")
    assert solar.values("park").distinct().count() == 1
    total_kwp = sum(f.capacity for f in solar)
    assert total_kwp == pytest.approx(3048.72)
    assert total_kwp == pytest.approx(SEED_SOLAR_TOTAL_KWP)
    assert 933.04 in [f.capacity for f in solar]
    kwh = FlowRecord.objects.filter(facility__in=solar, resource_code="energy.electricity.solar")
    yearly = kwh.aggregate(q=Sum("quantity_canonical"))["q"] / 2
    assert 1200 <= yearly / total_kwp <= 1300

    # Glass furnace waste heat: what the glass factory sells is what its neighbour receives
    sold = FlowRecord.objects.filter(
        resource_code="energy.heat.waste_heat",
        direction="out",
        fate="sold",
        enterprise__vsic="2310",
    )
    assert sold.exists()
    glass = sold.first().enterprise
    neighbour = sold.first().counterparty
    assert neighbour.park_id == glass.park_id and neighbour != glass
    received = FlowRecord.objects.filter(
        enterprise=neighbour,
        resource_code="energy.heat.waste_heat",
        direction="in",
        origin="other_enterprise",
    )
    assert _monthly(received) == pytest.approx(_monthly(sold.filter(enterprise=glass)), rel=1e-3)
    assert received.first().counterparty == glass

    # Central WWTP reuse: reclaimed water out of the WWTP covers what enterprises take in
    reclaimed_out = FlowRecord.objects.filter(
        facility__kind="wwtp", resource_code="water.reclaimed", direction="out", fate="reused"
    )
    reuse_park = reclaimed_out.values_list("facility__park", flat=True).distinct()
    assert reclaimed_out.exists()
    taken = FlowRecord.objects.filter(
        enterprise__park__in=reuse_park, resource_code="water.reclaimed", direction="in"
    )
    assert taken.values("enterprise").distinct().count() >= 2
    out_by_month, in_by_month = _monthly(reclaimed_out), _monthly(taken)
    assert all(in_by_month[m] <= out_by_month[m] for m in in_by_month)

    # Plastic chain: scrap from several firms to a recycler, pellets back to moulders, residues treated
    scrap = FlowRecord.objects.filter(
        resource_code="waste.plastic", direction="out", fate="sold", counterparty__vsic="3830"
    )
    assert scrap.values("enterprise").distinct().count() >= 4
    pellets = FlowRecord.objects.filter(
        resource_code="material.plastic.recycled", direction="in", origin="other_enterprise"
    )
    assert (
        pellets.filter(enterprise__vsic="2220", counterparty__vsic="3830")
        .values("enterprise")
        .distinct()
        .count()
        >= 3
    )
    assert FlowRecord.objects.filter(
        enterprise__vsic="3830",
        resource_code="waste.general",
        fate="treatment",
        counterparty__vsic="3821",
    ).exists()

    # >40% of the enterprises of the WWTP-reuse park apply RECP (implemented or verified)
    park = Park.objects.get(pk=reuse_park[0])
    applying = park.enterprises.filter(
        recp_measures__status__in=["implemented", "verified"]
    ).distinct()
    assert applying.count() / park.enterprises.count() > 0.40

    # Implemented measures show in the flows: less of the resource after implementation
    drops = []
    for m in Measure.objects.filter(status__in=["implemented", "verified"]):
        ((code, saved),) = m.savings.items()
        if not (periods[6] <= m.implemented_on <= periods[-7]) or code.startswith("waste"):
            continue
        rows = _monthly(
            FlowRecord.objects.filter(
                enterprise=m.enterprise_id, resource_code=code, direction="in"
            )
        )
        before = [q for p, q in rows.items() if p < m.implemented_on]
        after = [q for p, q in rows.items() if p >= m.implemented_on]
        if len(before) >= 4 and len(after) >= 4:
            drops.append(sum(after) / len(after) < sum(before) / len(before))
    assert len(drops) >= 20 and sum(drops) / len(drops) >= 0.75

    # Operating agreements have monthly records equal to the supplier's routed flows
    agr = Agreement.objects.get(resource_code="energy.heat.waste_heat")
    assert agr.status == "operating" and agr.supplier == glass
    recs = {r.period: r.quantity for r in agr.records.all()}
    assert recs == pytest.approx(dict(_monthly(sold.filter(enterprise=glass))), rel=1e-3)


def test_registry_content_is_illustrative_and_consistent():
    load_demo(months=2, today=TODAY)
    parks = Park.objects.filter(province__code=PROVINCE_CODE)
    assert parks.count() == 6 and all(p.illustrative for p in parks)
    assert {p.eco_status for p in parks} >= {"certified", "transforming", "registered_new"}
    certified = parks.get(eco_status="certified")
    assert (
        certified.certificate_number
        and certified.certificate_issued_on < certified.certificate_valid_to
    )
    for p in parks:
        assert 20.5 <= p.latitude <= 21.0 and 106.3 <= p.longitude <= 106.9
        assert 0.05 <= p.green_share <= 0.25
        wwtp = p.facilities.get(kind="wwtp")
        assert wwtp.capacity > 0 and "QCVN 40:2011" in wwtp.discharge_standard
    ents = Enterprise.objects.filter(park__in=parks)
    assert all(e.illustrative and is_valid_tax_code(e.tax_code) for e in ents)
    assert ents.values("tax_code").distinct().count() == ents.count()
    assert set(ents.filter(vsic="2310").values_list("park__code", flat=True)) == {"DH-PK"}
    assert set(ents.filter(vsic="3830").values_list("park__code", flat=True)) == {"DH-NK"}
    assert all(e.workers_female <= e.workers_total for e in ents)
    cat = default_catalogue()
    codes = set(FlowRecord.objects.values_list("resource_code", flat=True))
    assert all(c in cat and not cat[c].is_group for c in codes)
    for f in FlowRecord.objects.all()[:3000]:
        assert f.quantity_canonical == pytest.approx(
            cat.to_canonical(f.resource_code, float(f.quantity), f.unit)
        )
    practices = set(Measure.objects.values_list("practice", flat=True))
    assert practices == set(Practice.values)
    assert all(all(c in cat and v > 0 for c, v in m.savings.items()) for m in Measure.objects.all())
    assert set(Agreement.objects.values_list("status", flat=True)) == {
        "proposed",
        "agreed",
        "operating",
        "ended",
    }
    assert not ExchangeRecord.objects.exclude(agreement__status__in=["operating", "ended"]).exists()
    assert {"draft", "published"} <= set(Listing.objects.values_list("status", flat=True))
    assert {"offer", "want"} == set(Listing.objects.values_list("kind", flat=True))


def test_demo_users_log_in_and_see_their_scope():
    load_demo(months=2, today=TODAY)
    users = {name: authenticate(username=name, password=DEMO_PASSWORD) for name in DEMO_USERS}
    assert all(users.values())
    assert users["admin"].is_superuser and not users["board"].is_superuser
    demo_parks = set(
        Park.objects.filter(province__code=PROVINCE_CODE).values_list("code", flat=True)
    )
    assert set(parks_for(users["board"]).values_list("code", flat=True)) == demo_parks
    assert set(parks_for(users["ministry"]).values_list("code", flat=True)) >= demo_parks
    developed = set(parks_for(users["developer"]).values_list("code", flat=True))
    assert 2 <= len(developed) <= 3
    assert len(parks_for(users["consultant"])) == 2
    own = users["enterprise"].profile.enterprise
    assert own.vsic == "2310"  # the glass factory offering its waste heat
    assert list(enterprises_for(users["enterprise"])) == [own]
    assert set(flows_for(users["enterprise"]).values_list("enterprise", flat=True)) == {own.pk}
    assert authenticate(username="board", password="wrong") is None
    # every login has its own address, so monitoring alerts reach the developer and the board
    emails = [u.email for u in users.values()]
    assert all(emails) and len(set(emails)) == len(emails)
    from eiphub.monitoring.services import recipients

    for park in parks_for(users["developer"]):
        assert {users["developer"].email, users["board"].email} <= set(recipients(park))


def test_load_is_idempotent_and_reset_reloads_the_same_data():
    first = load_demo(months=2, today=TODAY)
    codes = sorted(Enterprise.objects.values_list("tax_code", flat=True))
    again = load_demo(months=2, today=TODAY)
    assert again["created"] is False
    assert {k: v for k, v in again.items() if k not in ("created", "seconds")} == {
        k: v for k, v in first.items() if k not in ("created", "seconds")
    }
    reset = load_demo(months=2, today=TODAY, reset=True)
    assert reset["created"] is True and reset["flows"] == first["flows"]
    assert sorted(Enterprise.objects.values_list("tax_code", flat=True)) == codes
    assert (
        authenticate(username="enterprise", password=DEMO_PASSWORD).profile.enterprise.vsic
        == "2310"
    )


def test_demo_command_loads_without_serving():
    out = StringIO()
    call_command("demo", "--no-serve", "--months", "2", stdout=out)
    text = out.getvalue()
    assert "board" in text and "illustrative" in text
    assert Park.objects.filter(province__code=PROVINCE_CODE).count() == 6
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "already present" in out.getvalue()
