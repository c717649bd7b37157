"""A small park built by hand in the database, where the expected result of every Art. 37
criterion and every A.5/B.5 value is known (see test_snapshots.py for the arithmetic)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from eiphub.exchange.models import Agreement, ExchangeRecord
from eiphub.flows.services import save_flow
from eiphub.recp.models import Measure
from eiphub.registry.models import Certificate, Organization, Park, Province, SharedFacility
from eiphub.reports.models import Declaration
from eiphub.testing import make_enterprise

YEAR = 2024
DEVELOPER_FACTS = ("37.1.a", "37.1.b", "37.1.c", "37.1.d", "37.1.đ")


def cert(ent, standard, start=dt.date(2022, 1, 1), end=dt.date(2026, 12, 31)):
    return Certificate.objects.create(
        enterprise=ent, standard=standard, valid_from=start, valid_to=end
    )


def agreement(sup, rec, code, status="operating", starts=dt.date(2023, 5, 1), records=()):
    a = Agreement.objects.create(
        supplier=sup,
        receiver=rec,
        resource_code=code,
        quantity_per_year=1000,
        unit="t",
        status=status,
        starts_on=starts,
        benefit_vnd_per_year=2e8,
        co2e_t_per_year=15,
    )
    for period, q in records:
        ExchangeRecord.objects.create(agreement=a, period=period, quantity=q)
    return a


def build_park(province=None, developer=None, code="KST", serial=5000) -> SimpleNamespace:
    """Ten enterprises E1..E10 (list index 0..9).

    RECP: E1 implemented with energy savings; E2 implemented with VND savings only; E3 planned;
    E4 implemented without any savings figure (missing data).  -> 2 of 10 count, 1 lacks data.
    Symbiosis: E5 -> E6 waste heat (operating since 2023, 120 GJ realised in 2024; both hold
    valid ISO 14001 + ISO 9001); E7 -> E8 slag (operating, realised 50 t in 2024; E8 has no
    ISO certificate); E9 -> E10 proposed.
    Compliance declared true for all ten in 2024.  Developer facts 37.1.* declared with
    evidence; ENV.4 declared true without evidence; ENV.5 declared false.
    Workers: E1..E4 200 each, E5..E10 50 each.  Grievance E1-E3 yes, E4 no; publishes E1-E8
    yes, E9 no, E10 unknown; gender equality E1 yes, E2-E4 no; anti-harassment unknown.
    Wastewater 2024: E1 1000 m3 reused on site, E2 3000 m3 discharged, E3 1000 m3 sold to E4
    (same park -> symbiosis); central WWTP 500 m3 reclaimed.  ENV.3 = 2500/5000 = 50 %.
    2023: E1 800 m3 reused, E2 3200 m3 discharged -> 20 %.
    """
    w = SimpleNamespace(year=YEAR)
    w.province = province or Province.objects.create(code=f"{code}P", name="Tỉnh Sinh Thái")
    w.developer = developer or Organization.objects.create(
        kind="developer", name="Công ty Hạ tầng Sinh Thái", province=w.province
    )
    w.park = Park.objects.create(
        code=code,
        name_vi="KCN Sinh Thái Đồng Nai",
        name_en="Eco Park",
        province=w.province,
        developer=w.developer,
        total_area_ha=300,
        green_area_ha=30,
        established_on=dt.date(2015, 6, 1),
    )
    e = [
        make_enterprise(
            w.park,
            serial + i,
            f"Công ty Số {i}",
            workers_total=200 if i <= 4 else 50,
            has_grievance_procedure={1: True, 2: True, 3: True, 4: False}.get(i),
            publishes_information=True if i <= 8 else (False if i == 9 else None),
            gender_equality_practice={1: True, 2: False, 3: False, 4: False}.get(i),
        )
        for i in range(1, 11)
    ]
    w.e = e
    march = dt.date(2024, 3, 1)
    Measure.objects.create(
        enterprise=e[0],
        title="Thu hồi nhiệt lò hơi",
        practice="equipment",
        status="implemented",
        implemented_on=march,
        savings={"energy.electricity.grid": 12000},
    )
    Measure.objects.create(
        enterprise=e[1],
        title="Quản lý nội vi",
        practice="housekeeping",
        status="verified",
        implemented_on=march,
        savings_vnd_per_year=50_000_000,
    )
    Measure.objects.create(
        enterprise=e[2], title="Thay bơm biến tần", practice="equipment", status="planned"
    )
    Measure.objects.create(
        enterprise=e[3],
        title="Tuần hoàn nước làm mát",
        practice="onsite_recovery",
        status="implemented",
        implemented_on=march,
    )
    for ent in e[4:7]:
        cert(ent, "ISO 14001")
        cert(ent, "ISO 9001")
    w.heat = agreement(e[4], e[5], "energy.heat.waste_heat", records=[(dt.date(2024, 2, 1), 120)])
    w.slag = agreement(e[6], e[7], "waste.slag", records=[(dt.date(2024, 4, 1), 50)])
    w.proposed = agreement(e[8], e[9], "waste.plastic", status="proposed", starts=None)
    for ent in e:
        Declaration.objects.create(enterprise=ent, year=YEAR, code="compliance_ok", value=True)
    for code_ in DEVELOPER_FACTS:
        Declaration.objects.create(
            park=w.park, year=YEAR, code=code_, value=True, evidence=f"QĐ-{code_}.pdf\nảnh.jpg"
        )
    Declaration.objects.create(park=w.park, year=YEAR, code="ENV.4", value=True)
    Declaration.objects.create(park=w.park, year=YEAR, code="ENV.5", value=False, evidence="x")
    w.wwtp = SharedFacility.objects.create(park=w.park, kind="wwtp", name="Trạm XLNT tập trung")
    ww = "water.wastewater"
    save_flow(
        owner=e[0],
        resource_code=ww,
        direction="out",
        period=march,
        quantity=1000,
        unit="m3",
        fate="reused",
    )
    save_flow(
        owner=e[1],
        resource_code=ww,
        direction="out",
        period=march,
        quantity=3000,
        unit="m3",
        fate="discharge",
    )
    save_flow(
        owner=e[2],
        resource_code=ww,
        direction="out",
        period=march,
        quantity=1000,
        unit="m3",
        fate="sold",
        counterparty=e[3],
    )
    save_flow(
        owner=w.wwtp,
        resource_code="water.reclaimed",
        direction="out",
        period=march,
        quantity=500,
        unit="m3",
    )
    save_flow(
        owner=w.wwtp, resource_code=ww, direction="in", period=march, quantity=4000, unit="m3"
    )
    last = dt.date(2023, 6, 1)
    save_flow(
        owner=e[0],
        resource_code=ww,
        direction="out",
        period=last,
        quantity=800,
        unit="m3",
        fate="reused",
    )
    save_flow(
        owner=e[1],
        resource_code=ww,
        direction="out",
        period=last,
        quantity=3200,
        unit="m3",
        fate="discharge",
    )
    save_flow(
        owner=e[0],
        resource_code="energy.electricity.grid",
        direction="in",
        period=march,
        quantity=100,
        unit="MWh",
    )
    save_flow(
        owner=e[0],
        resource_code="water.fresh",
        direction="in",
        period=march,
        quantity=2000,
        unit="m3",
    )
    return w
