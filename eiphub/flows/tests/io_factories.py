"""Small factories for the import/export tests (no demo data)."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from openpyxl import Workbook

from eiphub.accounts.models import Profile, Role
from eiphub.flows import io_schema as S
from eiphub.registry.models import Enterprise, Organization, Park, Province, SharedFacility
from eiphub.registry.validators import make_tax_code


def user(username, role, **profile):
    u = get_user_model().objects.create_user(username, password="pw")
    Profile.objects.create(user=u, role=role, **profile)
    return u


def park(code, province, developer=None, **kw):
    return Park.objects.create(
        code=code, name_vi=f"KCN {code}", province=province, developer=developer,
        total_area_ha=kw.pop("total_area_ha", 100), **kw,
    )  # fmt: skip


def enterprise(park, serial, **kw):
    return Enterprise.objects.create(
        tax_code=make_tax_code(serial), name_vi=f"Công ty {serial}", name_en=f"Company {serial}",
        park=park, vsic=kw.pop("vsic", "2220"), **kw,
    )  # fmt: skip


def world():
    """Two provinces, three parks, enterprises and one user per interesting role."""
    w = SimpleNamespace()
    w.hp = Province.objects.create(code="31", name="Hải Phòng")
    w.ct = Province.objects.create(code="92", name="Cần Thơ")
    w.dev = Organization.objects.create(kind="developer", name="Dev A", province=w.hp)
    w.k1 = park("K1", w.hp, w.dev)
    w.k2 = park("K2", w.hp)
    w.k3 = park("K3", w.ct)
    w.e1 = enterprise(w.k1, 1001)
    w.e2 = enterprise(w.k1, 1002)
    w.e3 = enterprise(w.k3, 3001)
    w.wwtp = SharedFacility.objects.create(park=w.k1, kind="wwtp", name="Trạm XLNT K1")
    w.ent_user = user("ent1", Role.ENTERPRISE, enterprise=w.e1)
    w.dev_user = user("dev", Role.DEVELOPER, organization=w.dev)
    w.board_hp = user("board_hp", Role.BOARD, province=w.hp)
    w.public = user("nobody", Role.PUBLIC)
    w.admin = get_user_model().objects.create_superuser("root", password="pw")
    return w


def flow_row(tax_code, resource="energy.electricity.grid", direction="in", period="01/2024",
             quantity=100, unit="kWh", **kw):  # fmt: skip
    return {"tax_code": tax_code, "resource": resource, "direction": direction,
            "period": period, "quantity": quantity, "unit": unit, **kw}  # fmt: skip


def table(kind: str, rows: list[dict], lang="en", keys=None) -> list[list]:
    k = S.KINDS[kind]
    cols = [k.column(key) for key in keys] if keys else [c for c in k.columns if not c.info]
    return [[c.header(lang) for c in cols]] + [[r.get(c.key) for c in cols] for r in rows]


def xlsx_file(sheets: dict[str, list[list]]) -> io.BytesIO:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def csv_file(rows: list[list], delimiter=",", bom=False) -> io.BytesIO:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return io.BytesIO(buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))
