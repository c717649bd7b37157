"""Demo extension (``DEMO_EXTENSIONS``): illustrative project sheets across the stages and
parks of the demo province, built from the demo's own records.

- the best identified symbiosis match with tCO2e avoided becomes a sheet at *feasibility*;
- the waste-heat agreement (operating) is an *operating* project whose benefits are observed
  from its exchange records and verified by the consultant;
- the central-steam agreement (agreed, starts later) is in *financing*;
- the rooftop solar of the DEEP C-like park (seed 003's 3,048.72 kWp) is *operating*;
- the largest implemented RECP measure with tCO2e is *built*;
- a park's optimised network scenario is *screened*;
- a second plastic match is *identified*; electric forklifts in the steel park (a consultant's
  idea that costs money per tonne) are in *feasibility*; one consultant idea is *dropped*
  with its reason.

Capital and operating costs are round illustrative figures (the platform has no record of
them); everything else comes from the demo records.  Idempotent: nothing is created when
the demo province already has project sheets.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q

from .models import Category, Project, Source, Stage
from .services import (
    create_project,
    draft_from_agreement,
    draft_from_match,
    draft_from_measure,
    draft_from_scenario,
    move,
    verify_benefits,
)

SOLAR_CAPEX_VND_PER_KWP = 15_000_000  # illustrative, rooftop PV in Vietnam, order of magnitude
SOLAR_TARIFF_VND_PER_KWH = 1_900  # illustrative self-consumption value of grid electricity


def _user(name):
    return get_user_model().objects.filter(username=name).first()


def _walk(p, stages, user, start: dt.date, step_days=75):
    on = start
    for s in stages:
        on = on + dt.timedelta(days=step_days)
        move(p, s, user, on=min(on, dt.date.today()))
    return p


def demo_opportunities(province):
    """Identified symbiosis matches of the province with tCO2e avoided, best benefit first
    (the browser test opens one of those the demo left without a sheet)."""
    from eiphub.exchange.models import Match

    return (
        Match.objects.filter(
            status=Match.Status.IDENTIFIED,
            co2e_t_per_year__gt=0,
            want__enterprise__park__province=province,
        )
        .select_related("offer__enterprise__park", "want__enterprise__park")
        .order_by("-benefit_vnd_per_year", "pk")
    )


def load(stdout=None) -> dict:
    from django.utils import translation

    with translation.override("vi"):  # titles built from records are in the demo's language
        return _load(stdout)


@transaction.atomic
def _load(stdout=None) -> dict:
    from eiphub.exchange.models import Agreement
    from eiphub.networks.models import Scenario
    from eiphub.recp.models import Measure
    from eiphub.registry.demo import PROVINCE_CODE, SEED_SOLAR_TOTAL_KWP, SOLAR_YIELD_KWH_PER_KWP
    from eiphub.registry.models import Park, Province, SharedFacility

    province = Province.objects.filter(code=PROVINCE_CODE).first()
    if province is None or Project.objects.filter(park__province=province).exists():
        return {}
    board, consultant = _user("board"), _user("consultant")
    t0 = dt.date.today() - dt.timedelta(days=700)
    made = []

    # 1. a symbiosis opportunity turned into a project sheet (feasibility)
    opps = list(demo_opportunities(province)[:2])
    if opps:
        d = draft_from_match(opps[0])
        d.update(capex_vnd=round(1.2 * d["savings_vnd_per_year"], -6),
                 opex_vnd_per_year=round(0.15 * d["savings_vnd_per_year"], -6),
                 evidence=["feasibility_study"], identified_on=t0)  # fmt: skip
        made.append(_walk(create_project(board, **d), [Stage.SCREENED, Stage.FEASIBILITY],
                          board, t0))  # fmt: skip

    # 2. waste heat, operating, observed from the exchange records, verified
    heat = Agreement.objects.filter(
        resource_code__startswith="energy.heat", status=Agreement.Status.OPERATING,
        receiver__park__province=province,
    ).order_by("pk").first()  # fmt: skip
    if heat:
        d = draft_from_agreement(heat)
        d.update(title="Thu hồi nhiệt thải lò nấu thủy tinh (minh họa)",
                 category=Category.WASTE_HEAT_RECOVERY,
                 capex_vnd=round(8.0 * d["savings_vnd_per_year"], -6), lifetime_years=12,
                 opex_vnd_per_year=round(0.05 * d["savings_vnd_per_year"], -6),
                 identified_on=(heat.starts_on or t0) - dt.timedelta(days=540),
                 evidence=["feasibility_study", "environmental_licence",
                           "environmental_risk_assessment"])  # fmt: skip
        p = create_project(board, **d)
        stages = [Stage.SCREENED, Stage.FEASIBILITY, Stage.FINANCING, Stage.BUILT]
        _walk(p, stages, board, p.identified_on, step_days=110)
        move(p, Stage.OPERATING, board, on=heat.starts_on or dt.date.today())
        if consultant:
            verify_benefits(
                p, consultant, "Đối chiếu biên bản giao nhận nhiệt hằng tháng (minh họa)"
            )
        made.append(p)

    # 3. central steam, agreed, in financing
    steam = (
        Agreement.objects.filter(
            resource_code__startswith="energy.steam", receiver__park__province=province
        )
        .order_by("pk")
        .first()
    )
    if steam:
        d = draft_from_agreement(steam)
        d.update(title="Cấp hơi tập trung (minh họa)", category=Category.CENTRAL_STEAM,
                 capex_vnd=round(3.0 * d["savings_vnd_per_year"], -6),
                 opex_vnd_per_year=round(0.25 * d["savings_vnd_per_year"], -6),
                 lifetime_years=15, identified_on=t0, starts_on=None,
                 evidence=["feasibility_study"])  # fmt: skip
        made.append(
            _walk(
                create_project(board, **d),
                [Stage.SCREENED, Stage.FEASIBILITY, Stage.FINANCING],
                board,
                t0,
            )
        )

    # 4. rooftop solar of the solar park (seed 003), operating since the second roof
    solar = SharedFacility.objects.filter(kind="solar", park__province=province).first()
    if solar:
        from eiphub.core.factors import default_factors

        kwh = SEED_SOLAR_TOTAL_KWP * SOLAR_YIELD_KWH_PER_KWP
        grid = default_factors().grid_factor(dt.date.today().year, latest_available=True)
        p = create_project(
            board, park=solar.park, title="Điện mặt trời mái nhà 3.048,72 kWp (minh họa)",
            category=Category.ROOFTOP_SOLAR, source=Source.CONSULTANT,
            capex_vnd=round(SEED_SOLAR_TOTAL_KWP * SOLAR_CAPEX_VND_PER_KWP, -6),
            opex_vnd_per_year=round(0.015 * SEED_SOLAR_TOTAL_KWP * SOLAR_CAPEX_VND_PER_KWP, -6),
            savings_vnd_per_year=round(kwh * SOLAR_TARIFF_VND_PER_KWH, -6),
            lifetime_years=20, co2e_t_per_year=round(kwh / 1000 * grid.value, 1),
            resource_code="energy.electricity.grid", quantity_per_year=round(kwh),
            unit="kWh", price_vnd_per_unit=SOLAR_TARIFF_VND_PER_KWH,
            resources_saved={"energy.electricity.grid": round(kwh)},
            identified_on=dt.date(2018, 6, 1), evidence=["feasibility_study"],
        )  # fmt: skip
        _walk(p, [Stage.SCREENED, Stage.FEASIBILITY, Stage.FINANCING, Stage.BUILT], board,
              p.identified_on, step_days=90)  # fmt: skip
        move(p, Stage.OPERATING, board, on=dt.date(2019, 9, 1))
        made.append(p)

    # 5. the largest implemented RECP measure with tCO2e: built
    m = (
        Measure.objects.filter(enterprise__park__province=province, co2e_t_per_year__gt=0,
                               status__in=("implemented", "verified"), investment_vnd__gt=0)
        .order_by("-co2e_t_per_year", "pk").first()
    )  # fmt: skip
    if m:
        d = draft_from_measure(m)
        d.update(category=Category.ENERGY_EFFICIENCY, identified_on=m.identified_on or t0)
        made.append(_walk(create_project(consultant or board, **d),
                          [Stage.SCREENED, Stage.FEASIBILITY, Stage.FINANCING, Stage.BUILT],
                          board, d["identified_on"], step_days=40))  # fmt: skip

    # 6. a park's network scenario: screened
    sc = Scenario.objects.filter(park__province=province).order_by("-co2e_t_per_year").first()
    if sc:
        d = draft_from_scenario(sc)
        d.update(title=f"{sc.park.code}: mạng cộng sinh tối ưu (minh họa)",
                 capex_vnd=round(2.0 * d["savings_vnd_per_year"], -6),
                 opex_vnd_per_year=round(0.1 * d["savings_vnd_per_year"], -6),
                 identified_on=t0)  # fmt: skip
        made.append(_walk(create_project(board, **d), [Stage.SCREENED], board, t0))

    # 7. a second opportunity, only identified
    if len(opps) > 1:
        d = draft_from_match(opps[1])
        d.update(capex_vnd=round(0.8 * d["savings_vnd_per_year"], -6), identified_on=t0)
        made.append(create_project(board, **d))

    # 8. a consultant's idea that costs money per tonne (a positive bar on the curve)
    steel = (
        Park.objects.filter(province=province)
        .annotate(n=Count("enterprises", filter=Q(enterprises__vsic__startswith="24")))
        .filter(n__gt=0).order_by("-n", "code").first()
    )  # fmt: skip
    if steel:
        p = create_project(
            consultant or board, park=steel, title="Xe nâng điện thay xe nâng dầu (minh họa)",
            category=Category.ENERGY_EFFICIENCY, source=Source.CONSULTANT,
            capex_vnd=6_000_000_000, opex_vnd_per_year=100_000_000,
            savings_vnd_per_year=600_000_000, co2e_t_per_year=300, identified_on=t0,
            resource_code="energy.fuel.diesel", quantity_per_year=110, unit="t",
            resources_saved={"energy.fuel.diesel": 110},
        )  # fmt: skip
        made.append(_walk(p, [Stage.SCREENED, Stage.FEASIBILITY], board, t0))

    # 9. dropped, with its reason
    park = Park.objects.filter(province=province).order_by("code").first()
    if park:
        p = create_project(
            consultant or board, park=park, title="Tái sử dụng nước thải cho tháp giải nhiệt (minh họa)",
            category=Category.WATER_REUSE, source=Source.CONSULTANT, capex_vnd=9_000_000_000,
            opex_vnd_per_year=600_000_000, savings_vnd_per_year=1_100_000_000,
            co2e_t_per_year=40, identified_on=t0,
        )  # fmt: skip
        _walk(p, [Stage.SCREENED], board, t0)
        move(
            p,
            Stage.DROPPED,
            board,
            on=t0 + dt.timedelta(days=200),
            reason="Nhu cầu nước làm mát quá nhỏ sau khi nhà máy giấy dừng mở rộng (minh họa)",
        )
        made.append(p)

    if stdout is not None:
        stdout.write(f"Demo project sheets: {len(made)}")
    return {"projects": len(made)}
