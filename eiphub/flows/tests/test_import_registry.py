"""Importing parks and enterprises: upsert by code / tax code, within the user's scope."""

import pytest

from eiphub.flows.importer import OPERATOR, import_file
from eiphub.registry.models import Enterprise, Park
from eiphub.registry.validators import make_tax_code

from . import io_factories as F

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return F.world()


def ent(tax, park="K1", **kw):
    return {"tax_code": tax, "name_vi": "Công ty Mới", "park": park, "vsic": "2410", **kw}


def run(kind, rows, user, lang="en"):
    return import_file(F.csv_file(F.table(kind, rows, lang=lang)), f"{kind}.csv", user, lang="en")


def test_developer_registers_and_updates_enterprises_of_its_park(w):
    new = make_tax_code(424242)
    rows = [ent(new, workers_total=50, workers_female=20, size="SME"),
            ent(w.e1.tax_code, name_vi="Tên mới", ownership="FDI")]  # fmt: skip
    result = run("enterprises", rows, w.dev_user, lang="vi")
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    created = Enterprise.objects.get(tax_code=new)
    assert (created.park, created.workers_female, created.size) == (w.k1, 20, "sme")
    w.e1.refresh_from_db()
    assert (w.e1.name_vi, w.e1.ownership, w.e1.vsic) == ("Tên mới", "fdi", "2410")


def test_tax_codes_outside_scope_cannot_be_registered_or_changed(w):
    msgs = {}
    for tax in (w.e3.tax_code, make_tax_code(515151)):  # exists in K3 / does not exist
        result = run("enterprises", [ent(tax)], w.ent_user)
        assert [(e.row, e.column) for e in result.errors] == [(2, "Tax code")]
        msgs[tax] = result.errors[0].message.replace(tax, "X")
    assert len(set(msgs.values())) == 1  # existence elsewhere is not revealed
    # the enterprise user may update its own enterprise, but not move it to another park
    assert run("enterprises", [ent(w.e1.tax_code, plot="A-12")], w.ent_user).ok
    moved = run("enterprises", [ent(w.e1.tax_code, park="K2")], w.ent_user)
    assert [e.column for e in moved.errors] == ["Tax code"]
    assert Enterprise.objects.get(pk=w.e1.pk).plot == "A-12"


def test_enterprise_field_checks(w):
    rows = [
        ent(make_tax_code(600001), vsic="ZZ"),
        ent(make_tax_code(600002), workers_total=10, workers_female=11),
        ent(make_tax_code(600003), park="NOPE"),
        ent(make_tax_code(600001)),
    ]
    result = run("enterprises", rows, w.dev_user)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "VSIC code"), (3, "Female workers"), (4, "Park code"), (5, "Tax code"),
    ]  # fmt: skip
    assert "as row 2" in result.errors[-1].message
    assert not Enterprise.objects.filter(tax_code__in=[make_tax_code(600002)]).exists()


def test_parks_only_operators_create_and_boards_edit_their_province(w):
    row = {"code": "K9", "name_vi": "KCN Chín", "province": "Hải Phòng", "total_area_ha": "250,5",
           "eco_status": "Transforming", "established_on": "15/06/2010"}  # fmt: skip
    denied = run("parks", [row], w.board_hp)
    assert "only an operator" in denied.errors[0].message
    assert run("parks", [row], OPERATOR).ok
    k9 = Park.objects.get(code="K9")
    assert (k9.province, str(k9.total_area_ha), k9.eco_status) == (w.hp, "250.50", "transforming")
    assert k9.established_on.isoformat() == "2010-06-15"
    edit = {"code": "k3", "name_vi": "KCN Ba", "province": "92", "total_area_ha": 10}
    assert "may not change" in run("parks", [edit], w.board_hp).errors[0].message
    bad = {**row, "occupancy_pct": 130, "province": "Atlantis"}
    result = run("parks", [bad], OPERATOR)
    assert {e.column for e in result.errors} == {"Occupancy (%)", "Province"}
