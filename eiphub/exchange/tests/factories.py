"""Listings for exchange tests: the seed examples on the small test world."""

from __future__ import annotations

from eiphub.accounts.models import Role
from eiphub.exchange.models import Listing
from eiphub.testing import make_enterprise, make_user

SECRET_NAME = "Công ty Bí Mật XYZ"
SECRET_TAX = None  # filled from the enterprise (make_tax_code)
SECRET_QTY = 1234.5


def listing(enterprise, kind, code, quantity, unit, **kw) -> Listing:
    kw.setdefault("status", "published")
    return Listing.objects.create(
        enterprise=enterprise,
        kind=kind,
        resource_code=code,
        resource_text=kw.pop("text", ""),
        quantity=quantity,
        unit=unit,
        **kw,
    )


def seed_examples(w):
    """Glass waste heat -> drying, treated wastewater -> cooling tower, plastic scrap ->
    recycler, on park K1 of the test world.  Returns a namespace-like dict."""
    k1 = w.k1
    ents = {
        "glass": w.e1,
        "dryer": make_enterprise(k1, 2001, "Công ty Gạch Sấy", vsic="2392"),
        "wwtp": make_enterprise(k1, 2002, "Công ty Dệt Nước", vsic="1311"),
        "cooling": make_enterprise(k1, 2003, "Công ty Điện Làm Mát", vsic="3511"),
        "collector": make_enterprise(k1, 2004, "Công ty Thu Gom Nhựa", vsic="3830"),
        "recycler": w.e2,
    }
    users = {
        "dryer": make_user("u_dryer", Role.ENTERPRISE, enterprise=ents["dryer"]),
        "recycler": make_user("u_recycler", Role.ENTERPRISE, enterprise=ents["recycler"]),
        "collector": make_user("u_collector", Role.ENTERPRISE, enterprise=ents["collector"]),
    }
    L = {
        "heat": listing(
            ents["glass"], "offer", "energy.heat.waste_heat", 40000, "GJ", temperature_c=350
        ),
        "drying": listing(
            ents["dryer"], "want", "energy.heat.drying", 15000, "GJ", temperature_c=90
        ),
        "treated": listing(
            ents["wwtp"],
            "offer",
            "water.treated",
            200,
            "m3",
            period="month",
            quality={"tss_mg_l": 20, "cod_mg_l": 50},
        ),
        "cooling": listing(ents["cooling"], "want", "water.cooling", 1500, "m3"),
        "scrap": listing(ents["collector"], "offer", "waste.plastic", 600, "t"),
        "resin": listing(ents["recycler"], "want", "material.plastic", 400, "t"),
    }
    return ents, users, L
