"""Illustrative demo data: one fictional coastal province with six parks,
about 300 fictional enterprises, 24 months of flows, symbiosis exchanges,
RECP measures and one login per role (password ``demo``).

Everything here is fictional and flagged ``illustrative``.  The parks are
modelled on the situations the seed articles describe (BRIEF §3): waste-heat
recovery from a glass furnace (Khánh Phú), central-WWTP water reuse and >40%
of enterprises with RECP (Trà Nóc), a plastic recycling chain (Nam Cầu Kiền),
3,048.72 kWp of rooftop solar (DEEP C), a steel park with slag, and a seafood
park turning fish waste into fish meal and oil (Cần Thơ).  Intensities per
tonne of product are round, order-of-magnitude figures chosen for a coherent
demonstration, not statistics.

``load_demo`` is deterministic (one ``random.Random(seed)``), idempotent and
writes with ``bulk_create`` only, so the whole load takes seconds.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from eiphub.accounts.totp import DEMO_SECRET as DEMO_TOTP_SECRET
from eiphub.core.catalogue import default_catalogue

from .models import Certificate, Enterprise, Organization, Park, Province, SharedFacility
from .validators import make_tax_code

PROVINCE_CODE = "DEMO"
PROVINCE_NAME = "Tỉnh Duyên Hải (minh họa)"
DEMO_PASSWORD = "demo"
# Demo mail goes to files under var/mail (settings.EMAIL_FILE_PATH): every login has an address
# there, so alerts and notices are delivered and can be read.
DEMO_MAIL_DOMAIN = "demo.eiphub.local"
ROLE_USERS = ("ministry", "board", "developer", "enterprise", "consultant")
# The annual-report approval workflow (issue 13): two developer users of DEV_B, whose
# organisation has ``approver`` as report approver (reports/demo.py), so ``preparer``
# prepares and submits for approval and ``approver`` approves; ``developer`` (DEV_A,
# no approvers) keeps filing directly.
REPORT_USERS = ("preparer", "approver")
DEMO_USERS = (*ROLE_USERS, *REPORT_USERS, "admin")
# DEEP C rooftop solar from seed 003 (name, roof m2, kWp, commissioned).  The seed states a total of
# 3,048.72 kWp on 27,635 m2 but parts of 2,151.68 + 933.04 = 3,084.72 kWp: one figure is a typo.  The
# demo keeps the stated park total (the figure the programme reports and the issue asks to show) and
# the 933.04 kWp part, so the first roof gets the remainder, 2,115.68 kWp (see docs/decisions.md).
SEED_SOLAR_TOTAL_KWP = 3048.72  # as printed in seed 003
SEED_SOLAR_PART2_KWP = 933.04
SOLAR_ROOFS = (
    (
        "Điện mặt trời mái nhà xưởng xây sẵn khu 1",
        21875,
        round(SEED_SOLAR_TOTAL_KWP - SEED_SOLAR_PART2_KWP, 2),
        dt.date(2019, 9, 1),
    ),
    (
        "Điện mặt trời mái nhà đầu tư thứ cấp khu 2B",
        5760,
        SEED_SOLAR_PART2_KWP,
        dt.date(2021, 5, 1),
    ),
)
SOLAR_YIELD_KWH_PER_KWP = 1250  # northern Vietnam, about 1,200-1,300 kWh/kWp/year
# Monthly share of yearly PV yield in the north (drizzly late winter, sunny summer).
SOLAR_PROFILE = (5.5, 5.0, 5.8, 7.5, 10.0, 10.0, 10.8, 10.0, 9.5, 9.0, 8.0, 7.0)
DISCHARGE_STANDARD = "QCVN 40:2011/BTNMT cột A"

ORG_MINISTRY = "Bộ Tài chính — Cục Phát triển doanh nghiệp (minh họa)"
ORG_BOARD = "Ban Quản lý các KCN tỉnh Duyên Hải (minh họa)"
ORG_CONSULTANT = "Trung tâm Sản xuất sạch hơn Duyên Hải (minh họa)"
DEV_A = "Công ty CP Đầu tư Hạ tầng Duyên Hải Xanh (minh họa)"
DEV_B = "Tổng công ty Phát triển Hạ tầng Công nghiệp Duyên Hải (minh họa)"
DEV_C = "Công ty TNHH Hạ tầng Trà Ninh (minh họa)"
DEMO_ORGS = (ORG_MINISTRY, ORG_BOARD, ORG_CONSULTANT, DEV_A, DEV_B, DEV_C)
REPORT_ORG = DEV_B  # parks DH-PK and DH-AT: the organisation of REPORT_USERS


# --------------------------------------------------------------------- sectors
@dataclass(frozen=True)
class Sector:
    """Per-tonne-of-product intensities of one VSIC activity (illustrative)."""

    vsic: str
    vi: str
    en: str
    ppw: float  # tonnes of product (or throughput) per worker and month
    price: float  # VND per tonne of product
    va: float  # value-added share of revenue
    female: float
    p_large: float
    p_fdi: float
    inputs: tuple  # (code, per t, origin)
    outputs: tuple  # (code, per t, {fate: share})
    product: str | None = "material.product"


def _s(
    vsic,
    vi,
    en,
    ppw,
    price,
    va,
    female,
    p_large,
    p_fdi,
    inputs,
    outputs,
    product="material.product",
):
    return Sector(
        vsic, vi, en, ppw, price, va, female, p_large, p_fdi, tuple(inputs), tuple(outputs), product
    )


E, W = "energy.electricity.grid", "water.fresh"
WW = "water.wastewater.process"
P, T, L, S, R, X, D = (
    "purchased",
    "treatment",
    "landfill",
    "sold",
    "reused",
    "energy_recovery",
    "discharge",
)

# fmt: off
SECTORS = {
    s.vsic: s
    for s in [
        _s("2310", "Thủy tinh", "Glass", 14, 9e6, 0.3, 0.2, 0.5, 0.3,
           [(E, 260, P), ("energy.fuel.fuel_oil", 0.11, P), (W, 1.2, P),
            ("material.mineral.sand", 0.62, P), ("material.mineral.soda_ash", 0.19, P),
            ("material.mineral.limestone", 0.17, P), ("waste.glass", 0.2, P),
            ("chemical.lubricant", 0.0003, P)],
           [(WW, 0.5, {T: 1}), ("energy.heat.waste_heat", 1.1, {D: 0.75, R: 0.25}),
            ("waste.glass", 0.03, {R: 1}), ("waste.paper", 0.002, {S: 1}),
            ("waste.hazardous.used_oil", 0.0002, {T: 1}), ("emission.so2", 0.0015, {}),
            ("emission.dust", 0.0003, {})]),
        _s("2012", "Phân bón", "Fertiliser", 18, 9.5e6, 0.22, 0.25, 0.3, 0.1,
           [(E, 45, P), ("energy.fuel.coal", 0.035, P), (W, 0.4, P), ("material.mineral", 0.55, P),
            ("chemical.acid.sulfuric", 0.08, P), ("material.packaging", 0.01, P)],
           [(WW, 0.15, {T: 1}), ("waste.ash.bottom", 0.004, {S: 0.6, L: 0.4}),
            ("waste.ash.fly", 0.003, {L: 1}),
            ("waste.hazardous.chemical_containers", 0.0004, {T: 1}), ("emission.dust", 0.0004, {}),
            ("emission.so2", 0.0003, {})]),
        _s("2394", "Xi măng", "Cement", 35, 1.3e6, 0.18, 0.12, 0.5, 0.1,
           [(E, 42, P), ("material.clinker", 0.72, P), ("material.mineral.gypsum", 0.04, P),
            ("waste.ash.fly", 0.06, P), ("energy.fuel.diesel", 0.0005, P), (W, 0.05, P),
            ("material.packaging", 0.007, P)],
           [("waste.general", 0.002, {L: 1}), ("emission.dust", 0.0003, {}),
            ("waste.hazardous.used_oil", 5e-05, {T: 1})]),
        _s("2392", "Gạch không nung", "Unfired Bricks", 22, 9e5, 0.2, 0.2, 0.05, 0.0,
           [(E, 14, P), ("material.mineral.aggregate", 0.45, P), ("material.mineral.sand", 0.3, P),
            ("material.cement", 0.1, P), ("waste.ash.fly", 0.05, P), (W, 0.12, P),
            ("energy.fuel.diesel", 0.0008, P)],
           [("waste.general", 0.01, {R: 0.7, L: 0.3}), ("emission.dust", 0.0002, {})]),
        _s("1104", "Bia nước giải khát", "Beverages", 12, 1.4e7, 0.35, 0.35, 0.4, 0.3,
           [(E, 95, P), ("energy.fuel.coal", 0.045, P), (W, 5.0, P), ("material.food", 0.17, P),
            ("material.packaging", 0.06, P), ("chemical.alkali", 0.002, P),
            ("chemical.treatment", 0.0005, P)],
           [(WW, 3.6, {T: 1}), ("waste.organic.fermentation", 0.16, {S: 0.85, L: 0.15}),
            ("waste.glass", 0.006, {S: 1}), ("waste.paper", 0.004, {S: 1}),
            ("waste.ash.bottom", 0.005, {S: 0.5, L: 0.5}), ("waste.sludge.wwtp", 0.004, {T: 1})]),
        _s("1311", "Dệt nhuộm", "Textile Dyeing", 1.2, 9.5e7, 0.2, 0.6, 0.4, 0.5,
           [(E, 2600, P), ("energy.fuel.coal", 0.9, P), (W, 80, P), ("material.textile", 1.06, P),
            ("chemical.dye", 0.025, P), ("chemical.alkali", 0.04, P),
            ("chemical.treatment", 0.005, P)],
           [(WW, 68, {T: 1}), ("waste.textile", 0.04, {S: 0.8, L: 0.2}),
            ("waste.ash.bottom", 0.09, {S: 0.6, L: 0.4}), ("waste.sludge.wwtp", 0.02, {T: 1}),
            ("waste.hazardous.chemical_containers", 0.002, {T: 1}), ("emission.so2", 0.008, {})]),
        _s("1410", "May mặc", "Garments", 0.12, 2.8e8, 0.25, 0.78, 0.45, 0.6,
           [(E, 2200, P), (W, 6, P), ("material.textile", 1.18, P),
            ("material.packaging", 0.08, P), ("energy.fuel.diesel", 0.005, P)],
           [("waste.textile", 0.15, {S: 0.7, L: 0.3}), ("waste.paper", 0.05, {S: 0.9, L: 0.1}),
            ("waste.plastic.film", 0.015, {S: 0.6, L: 0.4}),
            ("waste.hazardous.rags", 0.0008, {T: 1})]),
        _s("2610", "Điện tử", "Electronics", 0.06, 2.2e9, 0.15, 0.65, 0.5, 0.85,
           [(E, 19000, P), (W, 70, P), ("material.metal.copper", 0.15, P),
            ("material.plastic", 0.35, P), ("chemical.solvent", 0.012, P),
            ("chemical.acid", 0.008, P), ("material.packaging", 0.25, P)],
           [(WW, 55, {T: 1}), ("waste.hazardous.ewaste", 0.01, {T: 1}),
            ("waste.hazardous.spent_solvent", 0.008, {T: 1}),
            ("waste.paper", 0.18, {S: 0.95, L: 0.05}), ("waste.plastic", 0.05, {S: 0.8, L: 0.2}),
            ("waste.metal.nonferrous", 0.01, {S: 1})]),
        _s("2220", "Nhựa", "Plastics", 3.2, 3.8e7, 0.22, 0.4, 0.2, 0.35,
           [(E, 950, P), (W, 1.8, P), ("material.plastic", 0.88, P),
            ("material.packaging", 0.03, P), ("chemical.lubricant", 0.0005, P)],
           [("waste.plastic", 0.06, {S: 0.8, L: 0.2}),
            ("waste.hazardous.used_oil", 0.0004, {T: 1}), ("waste.general", 0.01, {T: 1})]),
        _s("3811", "Thu gom phế liệu", "Scrap Collection", 9, 6e6, 0.25, 0.3, 0.0, 0.0,
           [("waste.plastic", 1.08, P), (E, 25, P), ("energy.fuel.diesel", 0.006, P), (W, 0.3, P)],
           [("waste.plastic", 1.0, {S: 1}), ("waste.general", 0.08, {T: 1})], product=None),
        _s("3830", "Tái chế nhựa", "Plastic Recycling", 4, 2.2e7, 0.25, 0.3, 0.1, 0.2,
           [("waste.plastic", 1.22, P), (E, 520, P), (W, 3.5, P), ("chemical.alkali", 0.004, P)],
           [(WW, 2.8, {T: 1}), ("waste.general", 0.16, {T: 0.6, L: 0.4}),
            ("waste.sludge", 0.02, {T: 1})], product="material.plastic.recycled"),
        _s("3821", "Môi trường", "Environmental Services", 12, 2.5e6, 0.3, 0.2, 0.0, 0.1,
           [("waste.general", 0.75, P), ("waste.hazardous", 0.25, P), (E, 60, P),
            ("energy.fuel.diesel", 0.01, P), (W, 0.3, P), ("chemical.lime", 0.01, P)],
           [("waste.ash.bottom", 0.12, {L: 1}), ("waste.sludge.hazardous", 0.01, {L: 1}),
            ("emission.dust", 0.0001, {})], product=None),
        _s("2410", "Luyện thép", "Steel", 28, 1.4e7, 0.15, 0.08, 0.7, 0.2,
           [(E, 460, P), ("waste.metal", 1.12, P), ("chemical.lime", 0.045, P),
            ("energy.fuel.coke", 0.012, P), ("energy.fuel.lpg", 0.002, P), (W, 2.5, P)],
           [(WW, 0.3, {T: 1}), ("waste.slag.steel", 0.13, {S: 0.5, L: 0.5}),
            ("waste.hazardous.dust", 0.014, {T: 1}), ("waste.metal.mill_scale", 0.02, {S: 1}),
            ("emission.dust", 0.0006, {})]),
        _s("2431", "Đúc kim loại", "Foundry", 2.5, 3e7, 0.25, 0.12, 0.1, 0.3,
           [(E, 680, P), ("waste.metal", 0.9, P), ("material.metal.steel", 0.2, P),
            ("energy.fuel.coke", 0.08, P), ("material.mineral.sand", 0.35, P), (W, 1.0, P)],
           [("waste.general", 0.3, {L: 0.6, R: 0.4}), ("waste.slag", 0.04, {S: 0.5, L: 0.5}),
            ("waste.hazardous.dust", 0.003, {T: 1}), ("emission.dust", 0.0008, {})]),
        _s("2511", "Kết cấu thép", "Steel Structures", 2.8, 3.2e7, 0.2, 0.15, 0.2, 0.4,
           [(E, 160, P), ("material.metal.steel", 1.07, P), ("energy.fuel.lpg", 0.004, P),
            ("chemical.solvent", 0.003, P), (W, 0.6, P)],
           [("waste.metal", 0.065, {S: 1}), ("waste.hazardous.rags", 0.0006, {T: 1}),
            ("waste.hazardous.spent_solvent", 0.0008, {T: 1}),
            ("waste.hazardous.chemical_containers", 0.0005, {T: 1})]),
        _s("1020", "Thủy sản", "Seafood", 1.1, 1.1e8, 0.18, 0.68, 0.35, 0.15,
           [(E, 720, P), (W, 16, P), ("material.food", 2.6, P), ("energy.fuel.coal", 0.02, P),
            ("chemical.treatment", 0.002, P), ("chemical.refrigerant", 0.04, P),
            ("material.packaging", 0.04, P)],
           [(WW, 13, {T: 1}), ("waste.organic.food", 1.5, {S: 0.9, L: 0.1}),
            ("waste.sludge.wwtp", 0.03, {T: 1}), ("waste.plastic.film", 0.01, {S: 0.5, L: 0.5})]),
        _s("1080", "Thức ăn chăn nuôi", "Animal Feed", 16, 1.2e7, 0.15, 0.3, 0.35, 0.5,
           [(E, 65, P), ("energy.fuel.coal", 0.04, P), (W, 0.35, P), ("material.food", 0.95, P),
            ("material.packaging", 0.006, P)],
           [(WW, 0.1, {T: 1}), ("waste.ash.bottom", 0.004, {S: 0.5, L: 0.5}),
            ("emission.dust", 0.0002, {})], product="material.animal_feed"),
        _s("1701", "Giấy", "Paper", 11, 1.2e7, 0.2, 0.25, 0.4, 0.2,
           [(E, 480, P), ("energy.fuel.coal", 0.28, P), (W, 12, P), ("waste.paper", 1.12, P),
            ("chemical.treatment", 0.008, P), ("chemical.alkali", 0.005, P)],
           [(WW, 9, {T: 1}), ("waste.sludge", 0.07, {L: 0.5, R: 0.5}),
            ("waste.ash.bottom", 0.05, {S: 0.6, L: 0.4}), ("waste.ash.fly", 0.01, {L: 1}),
            ("waste.plastic", 0.025, {S: 0.5, L: 0.5}), ("emission.so2", 0.002, {})]),
        _s("1621", "Gỗ ván ép", "Wood Panels", 4.5, 8e6, 0.22, 0.3, 0.15, 0.2,
           [(E, 170, P), ("material.wood", 1.25, P), ("energy.fuel.biomass.wood", 0.25, "own"),
            ("chemical", 0.08, P), (W, 0.4, P)],
           [("waste.wood", 0.12, {X: 0.5, S: 0.4, L: 0.1}),
            ("waste.ash.biomass", 0.012, {S: 0.5, L: 0.5}), ("emission.dust", 0.0004, {})]),
        _s("5210", "Logistics", "Logistics", 40, 3.5e5, 0.4, 0.25, 0.1, 0.5,
           [(E, 2.5, P), ("energy.fuel.diesel", 0.0015, P), (W, 0.01, P)],
           [("waste.paper", 0.0012, {S: 1}), ("waste.plastic.film", 0.0008, {S: 0.7, L: 0.3}),
            ("waste.wood", 0.0015, {S: 0.6, L: 0.4}), ("waste.hazardous.used_oil", 3e-05, {T: 1})], product=None),
    ]
}

# ----------------------------------------------------------------------- parks
PARKS = [
    dict(code="DH-PK", vi="KCN Phú Khánh (minh họa)", en="Phu Khanh Industrial Park (illustrative)",
         dev=DEV_B, area=335, ind=254, green=31.5, occ=95, est=dt.date(2004, 3, 15), eco="transforming", lat=20.58, lon=106.36, recp=0.35,
         mix={"2310": 2, "2012": 3, "2394": 2, "2392": 4, "1104": 3, "2511": 8, "2220": 5, "1410": 8, "1621": 5, "3821": 1, "5210": 4}),
    dict(code="DH-TN", vi="KCN Trà Ninh (minh họa)", en="Tra Ninh Industrial Park (illustrative)",
         dev=DEV_C, area=300, ind=226, green=30.5, occ=98, est=dt.date(1998, 7, 10), eco="transforming", lat=20.93, lon=106.55, recp=0.5,
         mix={"1311": 5, "1410": 17, "1104": 5, "1701": 3, "1020": 6, "1080": 4, "2220": 6, "2610": 5, "2511": 7, "3821": 2}),
    dict(code="DH-NK", vi="KCN Nam Kiền (minh họa)", en="Nam Kien Industrial Park (illustrative)",
         dev=DEV_A, area=263, ind=190, green=28, occ=88, est=dt.date(2007, 11, 20), eco="transforming", lat=20.97, lon=106.63, recp=0.4,
         mix={"3811": 2, "3830": 3, "2220": 14, "3821": 2, "2410": 2, "2511": 10, "2610": 6, "1410": 6, "1621": 4, "5210": 6}),
    dict(code="DH-DH", vi="KCN Cảng Đình Hải (minh họa)", en="Dinh Hai Port Industrial Park (illustrative)",
         dev=DEV_A, area=541, ind=380, green=81, occ=82, est=dt.date(2006, 5, 2), eco="certified", lat=20.84, lon=106.78, recp=0.38,
         mix={"2610": 18, "1410": 8, "2220": 6, "5210": 10, "2511": 8, "2012": 2, "1104": 2, "3821": 2, "2431": 4}),
    dict(code="DH-HH", vi="KCN Luyện kim Hải Hà (minh họa)", en="Hai Ha Metallurgy Industrial Park (illustrative)",
         dev=DEV_A, area=410, ind=318, green=30, occ=71, est=dt.date(2009, 8, 18), eco="none", lat=20.72, lon=106.86, recp=0.15,
         mix={"2410": 4, "2431": 6, "2511": 16, "2394": 2, "5210": 4, "3821": 2, "2220": 3, "1621": 3}),
    dict(code="DH-AT", vi="KCN Thủy sản An Thịnh (minh họa)", en="An Thinh Seafood Industrial Park (illustrative)",
         dev=DEV_B, area=420, ind=280, green=76, occ=34, est=dt.date(2021, 6, 30), eco="registered_new", lat=20.52, lon=106.7, recp=0.2,
         mix={"1020": 16, "1080": 6, "1104": 3, "1410": 5, "2220": 4, "1701": 1, "5210": 4, "3821": 1}),
]
CERTIFIED = {
    "number": "01/2024/GCN-KCNST-DH (minh họa)",
    "issued": dt.date(2024, 9, 20),
    "years": 3,
}

# Named enterprises that carry the seed examples: key -> (park, vsic, vi, en, size, ownership, workers)
FLAGSHIPS = {
    "glass": ("DH-PK", "2310", "Công ty TNHH Thủy tinh Minh Phát", "Minh Phat Glass Co., Ltd.", "large", "domestic", 620),
    "fertiliser": ("DH-PK", "2012", "Công ty Cổ phần Phân bón Phú Khánh", "Phu Khanh Fertiliser JSC", "large", "domestic", 380),
    "bricks": ("DH-PK", "2392", "Công ty TNHH Gạch không nung Hưng Thịnh", "Hung Thinh Unfired Bricks Co., Ltd.", "sme", "domestic", 85),
    "cement": ("DH-PK", "2394", "Công ty Cổ phần Xi măng Duyên Hải", "Duyen Hai Cement JSC", "large", "domestic", 310),
    "paper": ("DH-TN", "1701", "Công ty Cổ phần Giấy Trà Ninh", "Tra Ninh Paper JSC", "large", "domestic", 420),
    "textile": ("DH-TN", "1311", "Công ty TNHH Dệt nhuộm Thành Công", "Thanh Cong Textile Dyeing Co., Ltd.", "large", "domestic", 650),
    "brewery": ("DH-TN", "1104", "Công ty Cổ phần Bia Sao Mai", "Sao Mai Brewery JSC", "large", "domestic", 350),
    "collector": ("DH-NK", "3811", "Công ty Cổ phần Thu gom Phế liệu Thủy Tiên", "Thuy Tien Scrap Collection JSC", "sme", "domestic", 60),
    "recycler": ("DH-NK", "3830", "Công ty TNHH Tái chế Nhựa Xanh Kiền", "Xanh Kien Plastic Recycling Co., Ltd.", "sme", "domestic", 180),
    "moulder": ("DH-NK", "2220", "Công ty TNHH Nhựa Liên Phát", "Lien Phat Plastics Co., Ltd.", "sme", "domestic", 240),
    T: ("DH-NK", "3821", "Công ty TNHH Môi trường Tân Phong", "Tan Phong Environment Co., Ltd.", "sme", "domestic", 70),
    "garment": ("DH-DH", "1410", "Công ty TNHH May mặc Hải Âu", "Hai Au Garment Co., Ltd.", "large", "fdi", 1800),
    "steel": ("DH-HH", "2410", "Công ty Cổ phần Luyện thép Việt Hải", "Viet Hai Steelmaking JSC", "large", "domestic", 520),
    "seafood": ("DH-AT", "1020", "Công ty Cổ phần Thủy sản An Thịnh", "An Thinh Seafood JSC", "large", "domestic", 900),
    "fishmeal": ("DH-AT", "1080", "Công ty TNHH Bột cá An Thịnh", "An Thinh Fish Meal Co., Ltd.", "sme", "domestic", 90),
}
# fmt: on

BRANDS = [
    "Minh Phát",
    "Hưng Thịnh",
    "An Phú",
    "Đại Việt",
    "Thành Đạt",
    "Hoàng Long",
    "Phú Gia",
    "Tân Tiến",
    "Việt Hưng",
    "Hải Âu",
    "Bình Minh",
    "Sao Việt",
    "Trường Sơn",
    "Đông Á",
    "Kim Ngân",
    "Phúc Lộc",
    "Nam Việt",
    "Hồng Hà",
    "Quang Minh",
    "Thiên Phú",
    "Hòa Bình",
    "Tiến Thành",
    "Gia Khang",
    "Đức Anh",
    "Phương Nam",
    "Ngọc Lan",
    "Thái Dương",
    "Long Hải",
    "Bảo Châu",
    "Vạn Xuân",
    "Lạc Hồng",
    "Tràng An",
    "Cát Tường",
    "Thịnh Vượng",
    "Hải Đăng",
    "Mai Linh",
    "Kiến Phát",
    "An Khang",
    "Đông Dương",
    "Tân Cảng",
]
FOREIGN = [
    "Aobane",
    "Hoshiro",
    "Kyoritsu",
    "Daeshin",
    "Hanwoo",
    "Sungil",
    "Tianrui",
    "Jinhua",
    "Kaisei",
    "Minatomo",
    "Yusei",
    "Seoha",
    "Wonjin",
    "Lianfa",
    "Everwin",
    "Nordvik",
    "Fujiken",
    "Kanemaru",
    "Hyosan",
    "Baolong",
]


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


PRICES_VND = {  # illustrative unit prices used to value RECP savings
    "energy.electricity.grid": 1_900,
    "water.fresh": 15_000,
    "energy.fuel.coal": 3_500_000,
    "energy.fuel.fuel_oil": 16_000_000,
    "energy.fuel.diesel": 22_000_000,
    "energy.fuel.lpg": 25_000_000,
    "energy.fuel.coke": 6_000_000,
    "energy.fuel.biomass.wood": 1_500_000,
    "energy.steam": 550_000,
    "waste": 1_500_000,
    "chemical": 12_000_000,
    "material": 8_000_000,
}
CO2_T_PER_UNIT = {  # rough, for the demo only; the GHG module computes real inventories
    "energy.electricity.grid": 0.0006592,
    "energy.fuel.coal": 2.4,
    "energy.fuel.fuel_oil": 3.1,
    "energy.fuel.diesel": 3.2,
    "energy.fuel.lpg": 3.0,
    "energy.fuel.coke": 3.0,
}
RECP_TITLES = {
    "housekeeping": [
        ("Quản lý nội vi: sửa rò rỉ khí nén, tắt thiết bị khi không sử dụng", "electricity"),
        ("Quản lý nội vi: khắc phục rò rỉ nước, vòi tự ngắt", "water"),
    ],
    "input_substitution": [
        ("Thay than bằng sinh khối cho lò hơi", "coal"),
        ("Thay hóa chất bằng loại ít độc, định lượng chính xác", "chemical"),
    ],
    "process_control": [
        ("Lắp biến tần và điều khiển tự động cho bơm, quạt", "electricity"),
        ("Tối ưu chế độ đốt, kiểm soát không khí dư", "fuel"),
    ],
    "equipment": [
        ("Bảo ôn đường ống hơi, thu hồi nước ngưng", "fuel"),
        ("Cải tạo hệ thống rửa, lắp vòi phun áp lực", "water"),
    ],
    "technology": [
        ("Thay động cơ hiệu suất cao và đèn LED", "electricity"),
        ("Chuyển sang công nghệ ít tiêu hao nguyên liệu", "raw"),
    ],
    "onsite_recovery": [
        ("Tuần hoàn nước làm mát và nước rửa", "water"),
        ("Thu hồi, tái sử dụng phế phẩm tại chỗ", "waste"),
    ],
    "byproduct": [("Phân loại chất thải để bán làm nguyên liệu", "waste")],
    "product": [("Giảm định lượng bao bì, thiết kế lại sản phẩm", "raw")],
}


# ----------------------------------------------------------------- generation
@dataclass
class Ent:
    key: int
    park: str
    sector: Sector
    tax_code: str
    vi: str
    en: str
    size: str
    ownership: str
    workers: int
    prod: float  # baseline tonnes per month
    lat: float
    lon: float
    p_miss: float
    quality: str
    flagship: str = ""
    cuts: list = field(default_factory=list)  # (from_period, code, factor)


def _months(n: int, today: dt.date) -> list[dt.date]:
    y, m = today.year, today.month - 1  # last complete month
    if m == 0:
        y, m = y - 1, 12
    out = []
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def _season(period: dt.date) -> float:
    return {1: 0.9, 2: 0.82, 3: 0.97, 10: 1.04, 11: 1.06, 12: 1.06}.get(period.month, 1.0)


def _company(rng, s: Sector, ownership: str, used: set) -> tuple[str, str]:
    for attempt in range(200):
        if ownership == "fdi":
            brand = rng.choice(FOREIGN)
            vi = f"Công ty TNHH {s.vi} {brand} Việt Nam"
            en = f"{brand} {s.en} Vietnam Co., Ltd."
        else:
            brand = rng.choice(BRANDS)
            form, form_en = rng.choice([("TNHH", "Co., Ltd."), ("Cổ phần", "JSC")])
            vi = f"Công ty {form} {s.vi} {brand}"
            en = f"{_ascii(brand)} {s.en} {form_en}"
        if attempt > 100:
            vi, en = f"{vi} {attempt - 99}", f"{en} {attempt - 99}"
        if vi not in used:
            used.add(vi)
            return vi, en
    raise RuntimeError("no unique company name")


def _build_enterprises(rng: random.Random) -> list[Ent]:
    ents: list[Ent] = []
    used_names: set = set()
    codes: set = set()
    parks = {p["code"]: p for p in PARKS}
    pending = {p["code"]: dict(p["mix"]) for p in PARKS}
    specs = []
    for flag, (park, vsic, vi, en, size, own, workers) in FLAGSHIPS.items():
        pending[park][vsic] -= 1
        used_names.add(vi)
        specs.append((park, vsic, flag, (vi, en, size, own, workers)))
    for p in PARKS:
        for vsic in p["mix"]:
            specs.extend((p["code"], vsic, "", None) for _ in range(pending[p["code"]][vsic]))
    for i, (park, vsic, flag, fixed) in enumerate(specs):
        s = SECTORS[vsic]
        if fixed:
            vi, en, size, own, workers = fixed
        else:
            size = "large" if rng.random() < s.p_large else "sme"
            own = "fdi" if rng.random() < s.p_fdi else "domestic"
            vi, en = _company(rng, s, own, used_names)
            workers = int(
                rng.lognormvariate(math.log(900), 0.5)
                if size == "large"
                else rng.lognormvariate(math.log(80), 0.6)
            )
            workers = (
                max(300, min(workers, 4000)) if size == "large" else max(12, min(workers, 290))
            )
        serial = 71_000_000 + 7919 * (i + 1)
        tax = make_tax_code(serial)
        while tax in codes:
            serial += 1
            tax = make_tax_code(serial)
        codes.add(tax)
        pk = parks[park]
        spread = math.sqrt(pk["area"]) * 0.0006
        p_miss = 0.0 if flag else rng.choices([0.0, 0.03, 0.08, 0.2, 0.45], [35, 30, 20, 10, 5])[0]
        ents.append(
            Ent(
                key=i,
                park=park,
                sector=s,
                tax_code=tax,
                vi=vi,
                en=en,
                size=size,
                ownership=own,
                workers=workers,
                prod=workers * s.ppw * rng.uniform(0.7, 1.3),
                lat=round(pk["lat"] + rng.uniform(-spread, spread), 5),
                lon=round(pk["lon"] + rng.uniform(-spread, spread), 5),
                p_miss=p_miss,
                quality=rng.choices(["good", "mixed", "estimated"], [55, 30, 15])[0],
                flagship=flag,
            )
        )
    return ents


def _baseline(e: Ent) -> dict[tuple, float]:
    """Monthly canonical quantities without season, noise or RECP cuts."""
    s, q = e.sector, e.prod
    rows: dict[tuple, float] = defaultdict(float)
    for code, per_t, origin in s.inputs:
        rows[(code, "in", origin, "")] += per_t * q
    rows[(W, "in", P, "")] += e.workers * 2.4  # domestic use, 0.09 m3/worker/day
    if s.product:
        rows[(s.product, "out", "", "")] += q
    for code, per_t, fates in s.outputs:
        if not fates:
            rows[(code, "out", "", "")] += per_t * q
        for fate, share in fates.items():
            rows[(code, "out", "", fate)] += per_t * q * share
    rows[("water.wastewater.domestic", "out", "", T)] += e.workers * 2.1
    rows[("waste.domestic", "out", "", L)] += e.workers * 0.012
    return rows


def _pick_resource(rng, base: dict, kind: str) -> str | None:
    ins = {k[0]: v for k, v in base.items() if k[1] == "in"}
    if kind == "electricity":
        return E if E in ins else None
    if kind == "water":
        return W if W in ins else None
    if kind == "coal":
        return "energy.fuel.coal" if "energy.fuel.coal" in ins else None
    if kind == "fuel":
        fuels = [c for c in ins if c.startswith("energy.fuel.") and c in PRICES_VND]
        return max(fuels, key=ins.get) if fuels else None
    if kind == "chemical":
        chems = [c for c in ins if c.startswith("chemical")]
        return max(chems, key=ins.get) if chems else None
    if kind == "raw":
        raws = [
            c for c in ins if c.startswith(("material.", "waste.")) and c != "material.packaging"
        ]
        if "material.packaging" in ins and rng.random() < 0.5:
            return "material.packaging"
        return max(raws, key=ins.get) if raws else None
    if kind == "waste":
        outs = defaultdict(float)
        for k, v in base.items():
            if k[1] == "out" and k[0].startswith("waste.") and k[3] in (L, T):
                outs[k[0]] += v
        return max(outs, key=outs.get) if outs else None
    return None


def _price(code: str) -> float:
    for key in (code, *(code.rsplit(".", n)[0] for n in range(1, code.count(".") + 1))):
        if key in PRICES_VND:
            return PRICES_VND[key]
    return PRICES_VND["material"]


def _measures(rng, ents, months, consultant_name) -> list[dict]:
    """2-4 RECP measures for a sampled share of each park's enterprises.

    About 85% of the engaged enterprises have at least one implemented or
    verified measure; implemented measures cut the enterprise's flows of the
    resource from the implementation month on (``Ent.cuts``).
    """
    statuses = ["identified", "planned", "implemented", "verified"]
    first, last = months[0], months[-1]
    out = []
    leaders = ("glass", "textile", "paper", "recycler", "seafood", "brewery")
    for p in PARKS:
        park_ents = [e for e in ents if e.park == p["code"]]
        park_ents.sort(key=lambda e: (e.flagship not in leaders, rng.random()))
        engaged = park_ents[: round(p["recp"] * len(park_ents))]
        applying = {e.key for e in engaged[: round(0.85 * len(engaged))]}
        for e in engaged:
            out += _enterprise_measures(
                rng, e, e.key in applying, statuses, first, last, consultant_name
            )
    return out


def _enterprise_measures(rng, e, applying, statuses, first, last, consultant_name) -> list[dict]:
    base = _baseline(e)
    done, out = set(), []
    target = rng.randint(2, 4)
    for _attempt in range(20):
        if len(out) == target:
            break
        practice = rng.choice(list(RECP_TITLES))
        title, kind = rng.choice(RECP_TITLES[practice])
        code = _pick_resource(rng, base, kind)
        if code is None or (practice, code) in done:
            continue
        done.add((practice, code))
        if not out and applying:
            status = rng.choice(["implemented", "implemented", "verified"])
        elif applying:
            status = rng.choices(statuses, [18, 17, 42, 23])[0]
        else:
            status = rng.choice(statuses[:2])
        span = max((last - first).days, 1)
        identified = (
            first
            - dt.timedelta(days=rng.randint(60, 400))
            + dt.timedelta(days=rng.randint(0, span // 2))
        )
        implemented = None
        if status in ("implemented", "verified"):
            implemented = identified + dt.timedelta(days=rng.randint(60, 240))
            implemented = min(implemented, last).replace(day=1)
        frac = {"housekeeping": (0.03, 0.07), "input_substitution": (0.15, 0.35)}.get(
            practice, (0.05, 0.15)
        )
        frac = round(rng.uniform(*frac), 3)
        in_or_out = "out" if kind == "waste" else "in"
        annual = 12 * sum(v for k, v in base.items() if k[0] == code and k[1] == in_or_out)
        saved = round(frac * annual, 2)
        saved_vnd = saved * _price(code)
        payback = rng.uniform(0.1, 0.6) if practice == "housekeeping" else rng.uniform(0.5, 3.5)
        co2 = saved * CO2_T_PER_UNIT[code] if code in CO2_T_PER_UNIT else None
        if implemented:
            e.cuts.append((implemented, code, in_or_out, 1 - frac))
        out.append(
            dict(
                ent=e,
                title=title,
                practice=practice,
                status=status,
                identified_on=identified,
                implemented_on=implemented,
                investment_vnd=Decimal(round(saved_vnd * payback, -5)),
                savings={code: saved},
                savings_vnd_per_year=Decimal(round(saved_vnd, -3)),
                co2e_t_per_year=round(co2, 2) if co2 is not None else None,
                assessed_by=consultant_name
                if status == "verified" or rng.random() < 0.5
                else "Doanh nghiệp tự đánh giá",
            )
        )
    return out


@dataclass
class Link:
    """Part of a supplier's output of ``code`` goes to a receiver every month."""

    supplier: Ent
    receiver: Ent
    code: str
    share: float
    fate: str = S
    rest: str = L
    start: dt.date | None = None
    end: dt.date | None = None
    agreement: dict | None = None

    def active(self, period: dt.date) -> bool:
        return (self.start is None or period >= self.start) and (
            self.end is None or period <= self.end
        )


def _month_rows(rng, e: Ent, period: dt.date, base: dict, park_boiler: bool) -> dict:
    common = _season(period) * rng.gauss(1.0, 0.06) * (1 + 0.03 * (period.year - 2024))
    rows = {}
    for k, v in base.items():
        q = v * common * rng.gauss(1.0, 0.05)
        if k[0] == E and period.month in (5, 6, 7, 8):
            q *= 1.05  # cooling load
        for start, code, direction, factor in e.cuts:
            if code == k[0] and direction == k[1] and period >= start:
                q *= factor
        rows[k] = [max(q, 0.0), None]
    if park_boiler:  # boilers replaced by the park's shared steam plant
        cat = default_catalogue()
        steam = 0.0
        for k in [
            k
            for k in rows
            if k[1] == "in" and k[0].startswith(("energy.fuel.coal", "energy.fuel.biomass"))
        ]:
            steam += rows.pop(k)[0] * (cat[k[0]].lhv_gj_per_t or 0) * 0.8 / 2.8
        for k in [
            k for k in rows if k[0] in ("waste.ash.bottom", "waste.ash.biomass", "emission.so2")
        ]:
            rows.pop(k)
        if steam:
            rows[("energy.steam", "in", P, "")] = [steam, None]
    return rows


def _apply_links(group: list[Link], sup_rows: dict, receivers: dict) -> list[float]:
    """Route shares of one supplier's output of one resource to receivers.

    The routed part becomes an output row with the link's fate (``sold`` or
    ``treatment``) naming the main receiver as counterparty; the remainder
    keeps the supplier's other fates.  Each receiver gets one input row
    (origin ``other_enterprise``) naming its main supplier.  Returns the
    quantity given under each link.
    """
    code = group[0].code
    outs = {k: v[0] for k, v in sup_rows.items() if k[0] == code and k[1] == "out"}
    total = sum(outs.values())
    if total <= 0:
        return [0.0] * len(group)
    scale = min(1.0, 1.0 / sum(lk.share for lk in group))
    given = [total * lk.share * scale for lk in group]
    for k in outs:
        sup_rows.pop(k)
    linked_fates = {lk.fate for lk in group}
    for fate in linked_fates:
        parts = [(g, lk) for g, lk in zip(given, group, strict=True) if lk.fate == fate]
        main = max(parts, key=lambda p: p[0])[1]
        sup_rows[(code, "out", "", fate)] = [sum(g for g, _ in parts), main.receiver.key]
    remainder = total - sum(given)
    rest = {k: v for k, v in outs.items() if k[3] not in linked_fates}
    if not rest:
        rest = {(code, "out", "", group[0].rest): 1.0}
    rsum = sum(rest.values())
    for k, v in rest.items():
        if remainder * v / rsum > 1e-9:
            sup_rows[k] = [remainder * v / rsum, None]
    for g, lk in zip(given, group, strict=True):
        rec_rows = receivers.get(lk.receiver.key)
        if rec_rows is None:
            continue
        bought = rec_rows.get((code, "in", P, ""))
        if bought is not None:  # the exchange replaces part of what the receiver used to buy
            bought[0] -= min(g, 0.9 * bought[0])
        rk = (code, "in", "other_enterprise", "")
        cur = rec_rows.get(rk)
        if cur is None:
            rec_rows[rk] = [g, lk.supplier.key, g]
        else:
            cur[0] += g
            if g > cur[2]:
                cur[1], cur[2] = lk.supplier.key, g
    return given


# ------------------------------------------------------------------ the loader
def demo_exists() -> bool:
    return Province.objects.filter(code=PROVINCE_CODE).exists()


def delete_demo() -> None:
    """Remove every demo object (and the demo users)."""
    from eiphub.accounts.models import Profile
    from eiphub.exchange.models import Agreement
    from eiphub.flows.models import FlowRecord

    User = get_user_model()
    prov = Province.objects.filter(code=PROVINCE_CODE).first()
    orgs = Organization.objects.filter(name__in=DEMO_ORGS)
    with transaction.atomic():
        User.objects.filter(username__in=DEMO_USERS).delete()
        if prov is None:
            orgs.delete()
            return
        ents = Enterprise.objects.filter(park__province=prov)
        Profile.objects.filter(province=prov).update(province=None)
        Profile.objects.filter(organization__in=orgs).update(organization=None)
        FlowRecord.objects.filter(enterprise__in=ents).delete()
        FlowRecord.objects.filter(facility__park__province=prov).delete()
        Agreement.objects.filter(supplier__in=ents).delete()
        Agreement.objects.filter(receiver__in=ents).delete()
        ents.delete()
        Park.objects.filter(province=prov).delete()
        orgs.delete()
        prov.delete()


def demo_counts() -> dict:
    from eiphub.exchange.models import Agreement, ExchangeRecord, Listing, Match
    from eiphub.flows.models import FlowRecord
    from eiphub.recp.models import Measure

    prov = Province.objects.filter(code=PROVINCE_CODE).first()
    ents = Enterprise.objects.filter(park__province=prov)
    return {
        "parks": Park.objects.filter(province=prov).count(),
        "facilities": SharedFacility.objects.filter(park__province=prov).count(),
        "organizations": Organization.objects.filter(name__in=DEMO_ORGS).count(),
        "enterprises": ents.count(),
        "certificates": Certificate.objects.filter(enterprise__in=ents).count(),
        "flows": FlowRecord.objects.filter(enterprise__in=ents).count()
        + FlowRecord.objects.filter(facility__park__province=prov).count(),
        "listings": Listing.objects.filter(enterprise__in=ents).count(),
        "matches": Match.objects.filter(offer__enterprise__in=ents).count(),
        "agreements": Agreement.objects.filter(supplier__in=ents).count(),
        "exchange_records": ExchangeRecord.objects.filter(agreement__supplier__in=ents).count(),
        "measures": Measure.objects.filter(enterprise__in=ents).count(),
        "users": get_user_model().objects.filter(username__in=DEMO_USERS).count(),
    }


def load_demo(
    stdout=None,
    seed: int = 2024,
    months: int = 24,
    reset: bool = False,
    today: dt.date | None = None,
) -> dict:
    """Load the illustrative demo data set; return counts of what is there.

    Does nothing when the demo province exists, unless ``reset`` (then the
    demo objects are deleted and loaded again).  ``counts["created"]`` says
    whether this call loaded anything.
    """
    t0 = time.perf_counter()
    if demo_exists():
        if not reset:
            return {"created": False, **demo_counts()}
        delete_demo()
    with transaction.atomic():
        _load(random.Random(seed), months, today or dt.date.today(), stdout)
    counts = {"created": True, **demo_counts(), "seconds": round(time.perf_counter() - t0, 2)}
    if stdout is not None:
        stdout.write("Demo data loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "\n")
    return counts


@dataclass
class _World:
    """State shared by the loading steps."""

    rng: random.Random
    n_months: int
    months: list
    cat: object = None
    prov: Province | None = None
    orgs: dict = field(default_factory=dict)
    parks: dict = field(default_factory=dict)
    ents: list = field(default_factory=list)
    flag: dict = field(default_factory=dict)
    obj: dict = field(default_factory=dict)
    baselines: dict = field(default_factory=dict)


def _load(rng: random.Random, n_months: int, today: dt.date, stdout) -> None:
    w = _World(rng, n_months, _months(n_months, today), cat=default_catalogue())
    _create_registry(w)
    # RECP measures come before the flows: implemented measures cut the flows.
    measure_specs = _measures(rng, w.ents, w.months, ORG_CONSULTANT)
    links, agreements = _plan_symbiosis(w)
    realised = _create_flows(w, links)
    _create_measures(w, measure_specs)
    _create_exchange(w, agreements, realised)
    _create_users(w)


def _create_registry(w: _World) -> None:
    """Province, organisations, parks, enterprises and their certificates."""
    rng = w.rng
    prov = Province.objects.create(
        code=PROVINCE_CODE, name=PROVINCE_NAME, region="Đồng bằng sông Hồng"
    )
    orgs = {
        ORG_MINISTRY: Organization.objects.create(kind="ministry", name=ORG_MINISTRY),
        ORG_BOARD: Organization.objects.create(kind="board", name=ORG_BOARD, province=prov),
        ORG_CONSULTANT: Organization.objects.create(
            kind="consultant", name=ORG_CONSULTANT, province=prov
        ),
    }
    for i, name in enumerate((DEV_A, DEV_B, DEV_C)):
        orgs[name] = Organization.objects.create(
            kind="developer", name=name, province=prov, tax_code=make_tax_code(70_500_000 + i * 11)
        )

    # Parks --------------------------------------------------------------
    parks = {}
    for p in PARKS:
        cert = {}
        if p["eco"] == "certified":
            issued = CERTIFIED["issued"]
            cert = dict(
                certificate_number=CERTIFIED["number"],
                certificate_issued_on=issued,
                certificate_valid_to=issued.replace(year=issued.year + CERTIFIED["years"])
                - dt.timedelta(days=1),
            )
        parks[p["code"]] = Park(
            code=p["code"],
            name_vi=p["vi"],
            name_en=p["en"],
            province=prov,
            developer=orgs[p["dev"]],
            total_area_ha=Decimal(str(p["area"])),
            industrial_land_ha=Decimal(str(p["ind"])),
            green_area_ha=Decimal(str(p["green"])),
            occupancy_pct=Decimal(str(p["occ"])),
            established_on=p["est"],
            eco_status=p["eco"],
            latitude=p["lat"],
            longitude=p["lon"],
            illustrative=True,
            **cert,
        )
    Park.objects.bulk_create(parks.values())
    parks = {p.code: p for p in Park.objects.filter(province=prov)}

    # Enterprises --------------------------------------------------------
    ents = _build_enterprises(rng)
    flag = {e.flagship: e for e in ents if e.flagship}
    cert_rows, ent_objs = [], []
    for e in ents:
        s = e.sector
        revenue = e.prod * 12 * s.price
        reported = rng.random() > 0.05
        ent_objs.append(
            Enterprise(
                tax_code=e.tax_code,
                name_vi=e.vi,
                name_en=e.en,
                park=parks[e.park],
                plot=f"Lô {chr(65 + e.key % 8)}{e.key % 37 + 1}",
                vsic=s.vsic,
                size=e.size,
                ownership=e.ownership,
                workers_total=e.workers,
                workers_female=round(e.workers * min(0.95, max(0.02, rng.gauss(s.female, 0.07)))),
                latitude=e.lat,
                longitude=e.lon,
                has_grievance_procedure=(rng.random() < (0.88 if e.workers > 100 else 0.6))
                if reported
                else None,
                publishes_information=(rng.random() < (0.8 if e.size == "large" else 0.65))
                if reported
                else None,
                gender_equality_practice=(rng.random() < 0.8) if reported else None,
                anti_harassment_rules=(rng.random() < (0.85 if e.ownership == "fdi" else 0.7))
                if reported
                else None,
                revenue_vnd=Decimal(round(revenue, -6)),
                value_added_vnd=Decimal(round(revenue * s.va * rng.uniform(0.85, 1.15), -6)),
                publish_flows=e.park == "DH-NK" and (bool(e.flagship) or rng.random() < 0.5),
                illustrative=True,
            )
        )
    Enterprise.objects.bulk_create(ent_objs, batch_size=500)
    by_tax = {o.tax_code: o for o in Enterprise.objects.filter(park__province=prov)}
    obj = {e.key: by_tax[e.tax_code] for e in ents}
    film_user = _film_user(ents)
    for e in ents:
        p14 = 0.75 if (e.size == "large" or e.ownership == "fdi") else 0.2
        for std, p in (
            ("ISO 14001", p14),
            ("ISO 50001", p14 * 0.35),
            ("ISO 45001", p14 * 0.6),
            ("ISO 9001", p14 + 0.15),
        ):
            # The symbiosis partners (flagships) keep ISO 14001 and ISO 9001 current: Decree 35
            # Art. 37.2.b counts a symbiosis only when its participants hold them.
            keeps_current = (e.flagship or e is film_user) and std in ("ISO 14001", "ISO 9001")
            if rng.random() < p or keeps_current:
                first_year = w.months[0].year - 1 if keeps_current else rng.randint(2019, 2024)
                start = dt.date(first_year, rng.randint(1, 12), rng.randint(1, 28))
                # three-year certificates; those kept current are renewed once
                for _cycle in range(2 if keeps_current else 1):
                    cert_rows.append(
                        Certificate(
                            enterprise=obj[e.key],
                            standard=std,
                            number=f"VN-{std[4:]}-{start.year}-{e.key:04d}",
                            valid_from=start,
                            valid_to=start.replace(year=start.year + 3) - dt.timedelta(days=1),
                        )
                    )
                    start = start.replace(year=start.year + 3)
    Certificate.objects.bulk_create(cert_rows, batch_size=500)

    w.prov, w.orgs, w.parks, w.ents, w.flag, w.obj = prov, orgs, parks, ents, flag, obj


def _plan_symbiosis(w: _World) -> tuple[list, list]:
    """Links that route by-products between enterprises, and the agreements behind them."""
    ents, flag, n_months = w.ents, w.flag, w.n_months
    last = w.months[-1]

    def ago(n):  # first day of the month n months before the last complete month
        y, m = divmod(last.year * 12 + last.month - 1 - n, 12)
        return dt.date(y, m + 1, 1)

    links: list[Link] = []

    def agree(
        sup, rec, code, share, status, start, end=None, fate=S, rest=L, pathway="", price=None
    ):
        a = dict(status=status, start=start, end=end, pathway=pathway, price=price)
        lk = Link(sup, rec, code, share, fate, rest, start, end, a)
        if status in ("operating", "ended"):
            links.append(lk)
        agreements.append(lk)
        return lk

    agreements: list[Link] = []
    by_park_vsic = defaultdict(list)
    for e in ents:
        by_park_vsic[(e.park, e.sector.vsic)].append(e)
    agree(
        flag["glass"],
        flag["fertiliser"],
        "energy.heat.waste_heat",
        0.35,
        "operating",
        ago(40),
        pathway="waste_heat",
        price=25_000,
    )
    agree(
        flag["fertiliser"],
        flag["bricks"],
        "waste.ash.fly",
        1.0,
        "operating",
        ago(30),
        pathway="ash",
        price=50_000,
    )
    agree(
        flag["steel"],
        flag["cement"],
        "waste.slag.steel",
        0.5,
        "operating",
        ago(max(1, n_months // 3)),
        pathway="slag",
        price=120_000,
    )
    agree(
        flag["brewery"],
        flag["fishmeal"],
        "waste.organic.fermentation",
        0.6,
        "operating",
        ago(26),
        pathway="feed",
        price=400_000,
    )
    agree(
        flag["seafood"],
        flag["fishmeal"],
        "waste.organic.food",
        0.85,
        "operating",
        ago(50),
        pathway="feed",
        price=1_500_000,
    )
    agree(
        flag["collector"],
        flag["recycler"],
        "waste.plastic",
        1.0,
        "operating",
        ago(60),
        pathway="recycling",
        price=5_500_000,
    )
    agree(
        flag["recycler"],
        flag["moulder"],
        "material.plastic.recycled",
        0.3,
        "operating",
        ago(36),
        rest="",
        pathway="recycling",
        price=21_000_000,
    )
    agree(
        flag["recycler"],
        flag["treatment"],
        "waste.general",
        1.0,
        "operating",
        ago(36),
        fate=T,
        pathway="treatment",
        price=-1_200_000,
    )
    agree(
        flag["moulder"],
        flag["treatment"],
        "waste.general",
        1.0,
        "operating",
        ago(30),
        fate=T,
        pathway="treatment",
        price=-1_200_000,
    )
    # In the certified port park: the garment maker's packaging film goes to a plastics
    # moulder next door (the park's operating symbiosis under Decree 35 Art. 37.2.b).
    film_user = _film_user(ents)
    agree(
        flag["garment"],
        film_user,
        "waste.plastic.film",
        0.7,
        "operating",
        ago(20),
        pathway="recycling",
        price=3_500_000,
    )
    agree(
        flag["garment"],
        flag["paper"],
        "waste.paper",
        0.8,
        "proposed",
        None,
        pathway="recycling",
        price=2_800_000,
    )
    agree(
        flag["paper"],
        flag["textile"],
        "energy.steam",
        0.2,
        "agreed",
        ago(-2),
        pathway="steam",
        price=480_000,
    )
    wood = [e for e in ents if e.sector.vsic == "1621" and e.park == "DH-PK"]
    agree(wood[0], wood[1], "waste.wood", 0.4, "ended", ago(60), ago(8), pathway="energy")
    moulders = [e for e in ents if e.park == "DH-NK" and e.sector.vsic == "2220"]
    recyclers = [e for e in ents if e.park == "DH-NK" and e.sector.vsic == "3830"]
    for i, m in enumerate(moulders):  # the plastic chain: scrap to recyclers, pellets back
        rec = (
            flag["recycler"]
            if m is flag["moulder"] or i % 2 == 0
            else recyclers[i % len(recyclers)]
        )
        if i < 4:
            agree(
                m,
                rec,
                "waste.plastic",
                1.0,
                "operating",
                ago(20 + i * 3),
                pathway="recycling",
                price=5_000_000,
            )
        else:
            links.append(Link(m, rec, "waste.plastic", 1.0))
    for r in recyclers:
        if r is not flag["recycler"]:
            links.append(Link(r, flag["treatment"], "waste.general", 1.0, fate=T))
    for j, m in enumerate(m for m in moulders if m is not flag["moulder"]):
        if j < 6:
            links.append(
                Link(recyclers[j % len(recyclers)], m, "material.plastic.recycled", 0.1, rest="")
            )

    return links, agreements


def _create_flows(w: _World, links: list) -> dict:
    """Monthly flows of enterprises and shared facilities; returns realised exchanges."""
    from eiphub.flows.models import FlowRecord

    rng, cat, months, ents, flag, obj, parks = (
        w.rng,
        w.cat,
        w.months,
        w.ents,
        w.flag,
        w.obj,
        w.parks,
    )
    n_months, last = w.n_months, w.months[-1]
    baselines = w.baselines = {e.key: _baseline(e) for e in ents}
    boiler_park = "DH-AT"
    rows_by = defaultdict(dict)  # key -> period -> rows
    last_missing = {e.key for e in ents if not e.flagship and rng.random() < 0.1}
    for e in ents:
        late_start = (
            rng.randint(1, max(1, n_months // 2)) if (not e.flagship and rng.random() < 0.04) else 0
        )
        for i, period in enumerate(months):
            if (
                i < late_start
                or (period == last and e.key in last_missing)
                or rng.random() < e.p_miss
            ):
                continue
            rows_by[e.key][period] = _month_rows(
                rng, e, period, baselines[e.key], e.park == boiler_park
            )
    realised = defaultdict(dict)
    for period in months:
        groups = defaultdict(list)
        for lk in links:
            if lk.active(period) and period in rows_by[lk.supplier.key]:
                groups[(lk.supplier.key, lk.code)].append(lk)
        receivers = {k: v[period] for k, v in rows_by.items() if period in v}
        for (sup, _code), group in groups.items():
            for lk, given in zip(
                group, _apply_links(group, rows_by[sup][period], receivers), strict=True
            ):
                if lk.agreement is not None and given > 0 and lk.receiver.key in receivers:
                    realised[id(lk)][period] = given

    facilities, fac_rows = [], []
    ww_codes = ("water.wastewater.process", "water.wastewater.domestic")
    for p in PARKS:
        code = p["code"]
        park_ents = [e for e in ents if e.park == code]
        inflow = {
            m: 1.04
            * sum(
                rows_by[e.key].get(m, {}).get((c, "out", "", T), [0])[0]
                for e in park_ents
                for c in ww_codes
            )
            for m in months
        }
        reuse_share = {"DH-TN": 0.3, "DH-DH": 0.08}.get(code, 0.0)
        if code == "DH-TN":  # reclaimed water delivered to the big water users
            users = [
                flag["textile"],
                flag["paper"],
                *[e for e in park_ents if e.sector.vsic == "1311"][:3],
            ]
            for m in months:
                have = [e for e in users if (W, "in", P, "") in rows_by[e.key].get(m, {})]
                demand = sum(rows_by[e.key][m][(W, "in", P, "")][0] for e in have)
                deliver = 0.7 * reuse_share * inflow[m]
                for e in have:
                    r = rows_by[e.key][m]
                    part = min(
                        deliver * r[(W, "in", P, "")][0] / demand, 0.6 * r[(W, "in", P, "")][0]
                    )
                    r[(W, "in", P, "")][0] -= part
                    r[("water.reclaimed", "in", P, "")] = [part, None]
        peak = max(inflow.values()) / 30
        wwtp = SharedFacility(
            park=parks[code],
            kind="wwtp",
            name=f"Nhà máy XLNT tập trung {p['vi'].split(' (')[0]}",
            capacity=float(max(1000, math.ceil(peak * 1.35 / 500) * 500)),
            capacity_unit="m3/ngày",
            discharge_standard=DISCHARGE_STANDARD,
            commissioned_on=p["est"].replace(year=p["est"].year + 2),
        )
        facilities.append(wwtp)
        for m in months:
            q = inflow[m]
            reused = q * reuse_share
            for key, v in (
                (("water.wastewater", "in", "", ""), q),
                (("water.treated", "out", "", D), q * 0.97 - reused),
                (("water.reclaimed", "out", "", R), reused),
                (("waste.sludge.wwtp", "out", "", T if not reuse_share else R), q * 0.0005),
                ((E, "in", P, ""), q * 0.7),
                (("chemical.treatment", "in", P, ""), q * 0.00015),
            ):
                if v > 0:
                    fac_rows.append((wwtp, m, key, v * rng.gauss(1.0, 0.02)))
        if code == "DH-DH":
            for name, area, kwp, since in SOLAR_ROOFS:
                f = SharedFacility(
                    park=parks[code],
                    kind="solar",
                    name=f"{name} ({area:,} m²)".replace(",", "."),
                    capacity=kwp,
                    capacity_unit="kWp",
                    commissioned_on=since,
                )
                facilities.append(f)
                total = sum(SOLAR_PROFILE)
                for m in months:
                    kwh = kwp * SOLAR_YIELD_KWH_PER_KWP * SOLAR_PROFILE[m.month - 1] / total
                    fac_rows.append(
                        (
                            f,
                            m,
                            ("energy.electricity.solar", "out", "", ""),
                            kwh * rng.gauss(1, 0.04),
                        )
                    )
        if code == boiler_park:
            steam = {
                m: 1.05
                * sum(
                    rows_by[e.key].get(m, {}).get(("energy.steam", "in", P, ""), [0])[0]
                    for e in park_ents
                )
                for m in months
            }
            boiler = SharedFacility(
                park=parks[code],
                kind="boiler",
                name="Lò hơi tập trung đốt trấu",
                capacity=float(math.ceil(max(steam.values()) / 600 * 1.4)),
                capacity_unit="t hơi/giờ",
                commissioned_on=dt.date(2022, 10, 1),
            )
            facilities.append(boiler)
            for m in months:
                husk = steam[m] * 2.8 / 0.8 / 11.6
                for key, v in (
                    (("energy.fuel.biomass.rice_husk", "in", P, ""), husk),
                    (("energy.steam", "out", "", S), steam[m]),
                    (("waste.ash.biomass", "out", "", S), husk * 0.15),
                    ((E, "in", P, ""), steam[m] * 5),
                ):
                    fac_rows.append((boiler, m, key, v))
        if code == "DH-NK":
            facilities.append(
                SharedFacility(
                    park=parks[code],
                    kind="collection",
                    name="Trạm phân loại, trung chuyển chất thải rắn",
                    capacity=30,
                    capacity_unit="t/ngày",
                    commissioned_on=dt.date(2020, 4, 1),
                )
            )
    SharedFacility.objects.bulk_create(facilities)

    factors: dict[tuple, float] = {}

    def flow(owner: dict, period, key, canonical: float, cp, dq: str) -> FlowRecord | None:
        """A flow row 'entered' in a unit a reporter would use, canonical value computed once."""
        code, direction, origin, fate = key
        cunit = unit = cat[code].unit
        if code.startswith("energy.electricity") and canonical > 200_000:
            unit = "MWh"
        elif code in ("energy.fuel.diesel", "energy.fuel.lpg") and canonical < 5:
            unit = "l" if code.endswith("diesel") else "kg"
        elif unit == "t" and canonical < 1:
            unit = "kg"
        if (code, unit) not in factors:
            factors[(code, unit)] = cat.to_canonical(code, 1.0, unit)
        qty = Decimal(f"{canonical / factors[(code, unit)]:.3f}")
        if qty <= 0:
            return None
        return FlowRecord(
            **owner,
            resource_code=code,
            direction=direction,
            period=period,
            quantity=qty,
            unit=unit,
            quantity_canonical=float(qty) * factors[(code, unit)],
            canonical_unit=cunit,
            origin=origin,
            fate=fate,
            counterparty=obj[cp] if cp is not None else None,
            data_quality=dq,
        )

    def quality(e: Ent, code: str) -> str:
        if e.quality == "estimated" or (
            e.quality == "mixed" and code.startswith(("waste.", "emission."))
        ):
            return "estimated"
        return "measured" if code.startswith(("material.", "water.wastewater")) else "invoice"

    flow_objs = []
    for e in ents:
        owner = {"enterprise": obj[e.key]}
        for period, rows in rows_by[e.key].items():
            for key, v in rows.items():
                flow_objs.append(flow(owner, period, key, v[0], v[1], quality(e, key[0])))
    for f, period, key, v in fac_rows:
        flow_objs.append(flow({"facility": f}, period, key, v, None, "measured"))
    flow_objs = [f for f in flow_objs if f is not None]
    FlowRecord.objects.bulk_create(flow_objs, batch_size=2000)

    return realised


def _create_measures(w: _World, measure_specs: list) -> None:
    from eiphub.recp.models import Measure

    obj = w.obj
    Measure.objects.bulk_create(
        [Measure(enterprise=obj[m.pop("ent").key], **m) for m in measure_specs], batch_size=500
    )


def _create_exchange(w: _World, agreements: list, realised: dict) -> None:
    """Listings, matches, agreements and monthly exchange records."""
    from eiphub.exchange.models import Agreement, ExchangeRecord, Listing, Match

    rng, cat, ents, flag, obj, baselines = w.rng, w.cat, w.ents, w.flag, w.obj, w.baselines

    def yearly(e: Ent, code: str, direction: str) -> float:
        base = baselines[e.key]
        if code == "energy.steam" and direction == "out":  # surplus steam of a coal boiler
            coal = sum(v for k, v in base.items() if k[0] == "energy.fuel.coal" and k[1] == "in")
            return 12 * coal * cat["energy.fuel.coal"].lhv_gj_per_t * 0.8 / 2.8
        return 12 * sum(v for k, v in base.items() if k[0] == code and k[1] == direction)

    listing_objs, pairs = [], []
    for lk in agreements:
        a = lk.agreement
        qty = round(yearly(lk.supplier, lk.code, "out") * lk.share, 1)
        unit = cat[lk.code].unit
        status = "closed" if a["status"] == "ended" else "published"
        offer = Listing(
            enterprise=obj[lk.supplier.key],
            kind="offer",
            resource_code=lk.code,
            quantity=qty,
            unit=unit,
            period="year",
            disclosure=rng.choice(["park", "public", "blind"]),
            status=status,
            price_vnd_per_unit=a["price"],
            hazardous=cat[lk.code].hazardous,
            temperature_c=350.0 if lk.code == "energy.heat.waste_heat" else None,
            available_from=a["start"],
        )
        # A receiver of waste heat wants process heat at the temperature it needs.
        heat = lk.code == "energy.heat.waste_heat"
        want = Listing(
            enterprise=obj[lk.receiver.key],
            kind="want",
            resource_code="energy.heat.process" if heat else lk.code,
            quantity=qty,
            unit=unit,
            period="year",
            disclosure="park",
            status=status,
            temperature_c=180.0 if heat else None,
        )
        listing_objs += [offer, want]
        pairs.append((lk, offer, want, qty))
    extra = [  # further offers and wants on the marketplace, not matched yet
        (flag["paper"], "offer", "energy.steam", 0.15, "draft", "blind"),
        (flag["textile"], "want", "water.reclaimed", None, "published", "park"),
        # treated effluent of the textile plant's own treatment line -> steel mill cooling towers
        (flag["textile"], "offer", "water.treated", 0.5, "published", "blind"),
        (
            _cooling_user(ents, flag["textile"], baselines),
            "want",
            "water.cooling",
            None,
            "published",
            "park",
        ),
        (flag["steel"], "offer", "waste.metal.mill_scale", 1.0, "published", "public"),
        (flag["textile"], "offer", "waste.ash.bottom", 0.6, "published", "park"),
        (flag["garment"], "offer", "waste.textile", 0.7, "published", "blind"),
        (flag["glass"], "want", "waste.glass", None, "published", "public"),
        (flag["seafood"], "offer", "waste.sludge.wwtp", 1.0, "draft", "blind"),
        (flag["bricks"], "want", "waste.ash.bottom", None, "published", "park"),
        (flag["cement"], "want", "waste.metal.mill_scale", None, "published", "blind"),
    ]
    for e in ents:
        if not e.flagship and rng.random() < 0.12:
            outs = [
                (k[0], v)
                for k, v in baselines[e.key].items()
                if k[1] == "out"
                and k[3] in (S, L)
                and k[0].startswith("waste.")
                and k[0] != "waste.domestic"
            ]
            if outs:
                code = max(outs, key=lambda kv: kv[1])[0]
                extra.append(
                    (
                        e,
                        "offer",
                        code,
                        0.8,
                        rng.choice(["published"] * 4 + ["draft"]),
                        rng.choice(["blind", "park", "public"]),
                    )
                )
    extra_objs = {}
    for e, kind, code, share, status, disclosure in extra:
        if share:
            # treated effluent is the enterprise's process wastewater after its own treatment
            source = WW if code == "water.treated" else code
            qty = round(yearly(e, source, "out") * share, 1)
        else:  # a want: sized on the receiver's own use
            qty = round(
                yearly(e, W, "in") * 0.3 if code.startswith("water") else 0.05 * e.prod * 12, 1
            )
        listing_objs.append(
            Listing(
                enterprise=obj[e.key],
                kind=kind,
                resource_code=code,
                quantity=max(qty, 0.1),
                unit=cat[code].unit,
                period="year",
                disclosure=disclosure,
                status=status,
                hazardous=cat[code].hazardous,
                licence_required="Giấy phép xử lý chất thải nguy hại"
                if cat[code].hazardous
                else "",
            )
        )
        extra_objs[(e.key, kind, code)] = listing_objs[-1]
    Listing.objects.bulk_create(listing_objs, batch_size=500)

    match_objs, agr_objs = [], []
    for lk, offer, want, qty in pairs:
        a = lk.agreement
        if a["status"] == "proposed":
            m_status, accepted = "negotiating", (True, False)
        else:
            m_status, accepted = "agreed", (True, True)
        dist = _km(lk.supplier, lk.receiver)
        benefit = qty * abs(a["price"] or 0) + qty * (
            0 if lk.code.startswith("energy") else 150_000
        )
        co2 = qty / 25.8 * 2.4 if lk.code.startswith("energy") else 0.0
        match = Match(
            offer=offer,
            want=want,
            score=round(rng.uniform(0.7, 0.98), 2),
            distance_km=dist,
            matched_quantity=qty,
            unit=offer.unit,
            pathway=a["pathway"],
            status=m_status,
            offer_accepted=accepted[0],
            want_accepted=accepted[1],
            benefit_vnd_per_year=benefit,
            co2e_t_per_year=round(co2, 1),
            facts=_match_facts(cat[lk.code], dist),
        )
        match_objs.append(match)
        agr_objs.append(
            Agreement(
                match=match,
                supplier=obj[lk.supplier.key],
                receiver=obj[lk.receiver.key],
                resource_code=lk.code,
                quantity_per_year=qty,
                unit=offer.unit,
                price_vnd_per_unit=a["price"],
                starts_on=a["start"],
                ends_on=a["end"],
                status=a["status"],
                pathway=a["pathway"],
                benefit_vnd_per_year=benefit,
                co2e_t_per_year=round(co2, 1),
                notes="Dữ liệu minh họa (illustrative)",
            )
        )
    # Found by the matcher, not pursued yet / interest expressed.
    for (sup, code, rec), status in (
        (("textile", "waste.ash.bottom", "bricks"), "interested"),
        (("steel", "waste.metal.mill_scale", "cement"), "identified"),
    ):
        offer = extra_objs[(flag[sup].key, "offer", code)]
        want = extra_objs[(flag[rec].key, "want", code)]
        dist = _km(flag[sup], flag[rec])
        match_objs.append(
            Match(
                offer=offer,
                want=want,
                score=round(rng.uniform(0.45, 0.75), 2),
                distance_km=dist,
                matched_quantity=min(offer.quantity, want.quantity),
                unit=offer.unit,
                status=status,
                offer_accepted=status == "interested",
                pathway="material",
                facts=_match_facts(cat[code], dist),
            )
        )
    Match.objects.bulk_create(match_objs)
    Agreement.objects.bulk_create(agr_objs)
    records = []
    for (lk, *_), agr in zip(pairs, agr_objs, strict=True):
        for period, q in realised.get(id(lk), {}).items():
            records.append(ExchangeRecord(agreement=agr, period=period, quantity=round(q, 3)))
    ExchangeRecord.objects.bulk_create(records, batch_size=1000)


def _create_users(w: _World) -> None:
    """The demo logins (password ``demo``) and their scopes."""
    from eiphub.accounts.models import Profile

    prov, orgs, obj, flag, parks = w.prov, w.orgs, w.obj, w.flag, w.parks
    User = get_user_model()
    pw = make_password(DEMO_PASSWORD)
    users = {}
    for name in DEMO_USERS:
        u = User.objects.filter(username=name).first() or User(username=name)
        u.password, u.is_active = pw, True
        u.email = f"{name}@{DEMO_MAIL_DOMAIN}"
        u.is_staff = u.is_superuser = name == "admin"
        u.first_name = {
            "ministry": "Bộ",
            "board": "Ban Quản lý",
            "developer": "Chủ đầu tư",
            "enterprise": "Doanh nghiệp",
            "consultant": "Tư vấn",
            "preparer": "Người lập báo cáo",
            "approver": "Người phê duyệt báo cáo",
            "admin": "Quản trị",
        }[name]
        u.save()
        users[name] = u
    Profile.objects.filter(user__in=users.values()).delete()
    profiles = {
        # ministry and board: enrolled in TOTP with the documented demo secret (README)
        "ministry": Profile(
            user=users["ministry"],
            role="ministry",
            organization=orgs[ORG_MINISTRY],
            totp_secret=DEMO_TOTP_SECRET,
        ),
        "board": Profile(
            user=users["board"],
            role="board",
            province=prov,
            organization=orgs[ORG_BOARD],
            totp_secret=DEMO_TOTP_SECRET,
        ),
        "developer": Profile(user=users["developer"], role="developer", organization=orgs[DEV_A]),
        "enterprise": Profile(
            user=users["enterprise"], role="enterprise", enterprise=obj[flag["glass"].key]
        ),
        "consultant": Profile(
            user=users["consultant"], role="consultant", organization=orgs[ORG_CONSULTANT]
        ),
        **{
            name: Profile(user=users[name], role="developer", organization=orgs[REPORT_ORG])
            for name in REPORT_USERS
        },
    }
    Profile.objects.bulk_create(profiles.values())
    Profile.objects.get(user=users["consultant"]).assigned_parks.set(
        [parks["DH-PK"], parks["DH-TN"]]
    )


def _film_user(ents: list[Ent]) -> Ent:
    """The largest plastics moulder of the certified port park (takes the garment maker's film)."""
    return max(
        (e for e in ents if e.park == "DH-DH" and e.sector.vsic == "2220"), key=lambda e: e.prod
    )


def _cooling_user(ents: list[Ent], near: Ent, baselines: dict) -> Ent:
    """The largest fresh-water user of ``near``'s park (cooling towers take treated water)."""
    same_park = [e for e in ents if e.park == near.park and e is not near]
    return max(same_park, key=lambda e: baselines[e.key].get((W, "in", P, ""), 0.0))


def _match_facts(res, dist: float) -> list[dict]:
    """A demo match's explanation as the matcher stores it: facts, phrased by the pages."""
    return [
        {"code": "link", "relation": "same"},
        {"code": "resources", "offer_en": res.name_en, "offer_vi": res.name_vi,
         "want_en": res.name_en, "want_vi": res.name_vi},
        {"code": "distance", "distance_km": dist},
    ]  # fmt: skip


def _km(a: Ent, b: Ent) -> float:
    dy = (a.lat - b.lat) * 111.0
    dx = (a.lon - b.lon) * 111.0 * math.cos(math.radians(a.lat))
    return round(math.hypot(dx, dy), 2)
