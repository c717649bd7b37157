"""Exports are scoped by the user and re-import cleanly; templates list the catalogue."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from eiphub.core.catalogue import default_catalogue
from eiphub.flows import io_schema as S
from eiphub.flows.exporter import ExportError, export, template
from eiphub.flows.importer import OPERATOR, import_file
from eiphub.flows.models import FlowRecord
from eiphub.flows.services import save_flow

from . import io_factories as F

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = F.world()
    w.e2.publish_flows = False
    w.e2.save()
    for ent, qty in ((w.e1, 10), (w.e2, 20), (w.e3, 30)):
        for month in (1, 2):
            save_flow(owner=ent, resource_code="water.fresh", direction="in",
                      period=dt.date(2024, month, 1), quantity=qty + month, unit="m3",
                      origin="purchased", data_quality="invoice")  # fmt: skip
        save_flow(owner=ent, resource_code="waste.ash.fly", direction="out",
                  period=dt.date(2023, 12, 1), quantity=Decimal("1.25"), unit="t", fate="sold",
                  counterparty=w.e1 if ent != w.e1 else w.e2)  # fmt: skip
    save_flow(owner=w.wwtp, resource_code="water.treated", direction="out",
              period=dt.date(2024, 1, 1), quantity=900, unit="m3", fate="discharge")  # fmt: skip
    return w


def rows_of(data: bytes, fmt: str):
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        delim = ";" if text.splitlines()[0].count(";") else ","
        return list(csv.reader(io.StringIO(text), delimiter=delim))
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def snapshot():
    fields = ("enterprise_id", "facility_id", "resource_code", "direction", "period", "quantity",
              "unit", "quantity_canonical", "origin", "fate", "counterparty_id", "data_quality")  # fmt: skip
    return sorted(FlowRecord.objects.values_list(*fields), key=repr)


@pytest.mark.parametrize("fmt, lang", [("xlsx", "vi"), ("csv", "en"), ("csv", "vi")])
def test_round_trip_reimports_the_same_records(w, fmt, lang):
    before = snapshot()
    data = export("flows", w.admin, park="K1", fmt=fmt, lang=lang)
    header = rows_of(data, fmt)[0]
    assert header == S.FLOWS.headers(lang)
    result = import_file(io.BytesIO(data), f"k1.{fmt}", OPERATOR)
    assert result.ok, result.errors
    # K1 holds e1, e2 (3 rows each) and the WWTP (1 row): each row finds itself unchanged
    assert (result.rows, result.created, result.updated, result.unchanged) == (7, 0, 0, 7)
    assert snapshot() == before


def test_enterprise_user_exports_only_its_own_flows(w):
    for fmt in ("xlsx", "csv"):
        rows = rows_of(export("flows", w.ent_user, park="K1", fmt=fmt, lang="en"), fmt)[1:]
        assert {r[0] for r in rows} == {w.e1.tax_code}
        assert len(rows) == 3
    # another park: nothing, even though it has flows
    assert rows_of(export("flows", w.ent_user, park="K3", fmt="csv"), "csv")[1:] == []
    # a published enterprise of its park becomes readable, through scoping only
    w.e2.publish_flows = True
    w.e2.save()
    rows = rows_of(export("flows", w.ent_user, park="K1", fmt="csv", lang="en"), "csv")[1:]
    assert {r[0] for r in rows} == {w.e1.tax_code, w.e2.tax_code}


def test_board_exports_its_province_only(w):
    rows = rows_of(export("flows", w.board_hp, fmt="csv", lang="en"), "csv")[1:]
    assert {r[2] for r in rows} == {"K1"}  # K3 is in another province
    assert len(rows) == 7
    year = rows_of(export("flows", w.board_hp, year=2024, fmt="csv", lang="en"), "csv")[1:]
    assert sorted(r[7] for r in year) == ["01/2024", "01/2024", "01/2024", "02/2024", "02/2024"]
    parks = rows_of(export("parks", w.board_hp, fmt="csv", lang="en"), "csv")[1:]
    assert [r[0] for r in parks] == ["K1", "K2"]
    assert rows_of(export("flows", w.public, fmt="csv"), "csv")[1:] == []


def test_parks_and_enterprises_round_trip(w):
    w.k1.green_area_ha = Decimal("12.5")
    w.k1.established_on = dt.date(2008, 5, 20)
    w.k1.save()
    w.e1.workers_total, w.e1.workers_female, w.e1.has_grievance_procedure = 300, 120, True
    w.e1.save()
    for what in ("parks", "enterprises"):
        for fmt, lang in (("xlsx", "en"), ("csv", "vi")):
            data = export(what, w.admin, fmt=fmt, lang=lang)
            result = import_file(io.BytesIO(data), f"x.{fmt}", OPERATOR)
            assert result.ok, result.errors
            assert result.updated == (3 if what == "parks" else 3) and result.created == 0
    w.k1.refresh_from_db()
    w.e1.refresh_from_db()
    assert (w.k1.green_area_ha, w.k1.established_on) == (Decimal("12.5"), dt.date(2008, 5, 20))
    assert (w.e1.workers_female, w.e1.has_grievance_procedure, w.e1.publish_flows) == (
        120, True, False,
    )  # fmt: skip


def test_unknown_park_is_an_error(w):
    with pytest.raises(ExportError):
        export("flows", w.admin, park="NOPE")


def test_templates_have_headers_and_instructions():
    cat = default_catalogue()
    for lang in ("vi", "en"):
        wb = load_workbook(io.BytesIO(template("flows", "xlsx", lang)), read_only=True)
        data, guide = wb.worksheets
        assert [list(r) for r in data.iter_rows(values_only=True)] == [S.FLOWS.headers(lang)]
        assert guide.title == S.INSTRUCTIONS_SHEET[lang]
        codes = {r[0] for r in guide.iter_rows(values_only=True) if r}
        assert {r.code for r in cat.leaves()} <= codes
        text = template("parks", "csv", lang).decode("utf-8-sig").splitlines()
        assert text[0].split(";" if lang == "vi" else ",")[0] == S.PARKS.column("code").header(lang)
        assert all(line.startswith("# ") for line in text[1:])
    assert "Mã số thuế" in template("enterprises", "csv", "vi").decode("utf-8-sig")
