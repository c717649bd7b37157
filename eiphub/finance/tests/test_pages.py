"""Project sheet pages: created from a match (never from a blind one), moved through the
pipeline, benefits verified, exported, and seen on the abatement curve and the pipeline."""

import io

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange.models import Match
from eiphub.exchange.tests.factories import listing
from eiphub.finance.models import Project
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world(with_flows=False)


def _client(w, role, lang="en"):
    c = Client()
    c.force_login(w.users[role])
    c.cookies["django_language"] = lang
    return c


def _match(w):
    offer = listing(w.e2, "offer", "energy.heat.waste_heat", 40000, "GJ", price_vnd_per_unit=25000)
    want = listing(w.e1, "want", "energy.heat", 30000, "GJ")
    return Match.objects.create(offer=offer, want=want, score=0.9, matched_quantity=30000,
                                unit="GJ", benefit_vnd_per_year=2e9, co2e_t_per_year=120)  # fmt: skip


FORM = {
    "title": "Nhiệt thải", "category": "waste_heat_recovery", "capex_vnd": "3.000.000.000",
    "opex_vnd_per_year": "100.000.000", "savings_vnd_per_year": "2.000.000.000",
    "lifetime_years": "10", "rate_pct": "10,5", "co2e_t_per_year": "120,5",
    "resource_code": "energy.heat.waste_heat", "quantity_per_year": "30.000", "unit": "GJ",
    "price_vnd_per_unit": "25.000", "evidence": ["feasibility_study"],
}  # fmt: skip


def test_board_creates_a_sheet_from_a_match_in_vietnamese(w):
    m = _match(w)
    c = _client(w, Role.BOARD, "vi")
    page = c.get(f"/exchange/matches/{m.pk}/").content.decode()
    assert f"/finance/projects/new/?from=match&amp;id={m.pk}" in page
    form = c.get(f"/finance/projects/new/?from=match&id={m.pk}").content.decode()
    assert "30.000" in form  # the matched quantity, in the Vietnamese format
    resp = c.post(f"/finance/projects/new/?from=match&id={m.pk}",
                  FORM | {"park": w.k1.pk, "enterprise": w.e1.pk})  # fmt: skip
    assert resp.status_code == 302, resp.content.decode()[:3000]
    p = Project.objects.get()
    assert p.match == m and p.source == "match" and p.owner == w.users[Role.BOARD]
    assert float(p.capex_vnd) == 3e9 and p.discount_rate == pytest.approx(0.105)
    assert p.co2e_t_per_year == 120.5 and p.evidence == ["feasibility_study"]
    sheet = c.get(resp["Location"]).content.decode()
    assert "Giá trị hiện tại ròng (NPV)" in sheet and "Net present value" not in sheet
    assert "Quyết định 21/2025/QĐ-TTg" in sheet and "True" not in sheet
    assert f"/finance/projects/{p.pk}/" in c.get(f"/exchange/matches/{m.pk}/").content.decode()


def test_a_blind_match_gives_no_sheet(w):
    m = _match(w)  # e1 (the enterprise user) wants; the offer side has not accepted
    c = _client(w, Role.ENTERPRISE)
    assert "create-project" not in c.get(f"/exchange/matches/{m.pk}/").content.decode()
    assert c.get(f"/finance/projects/new/?from=match&id={m.pk}").status_code == 403
    m.offer_accepted = m.want_accepted = True
    m.save()
    assert c.get(f"/finance/projects/new/?from=match&id={m.pk}").status_code == 200
    en = FORM | {"capex_vnd": "3,000,000,000", "opex_vnd_per_year": "0",
                 "savings_vnd_per_year": "2,000,000,000", "rate_pct": "10",
                 "co2e_t_per_year": "120", "quantity_per_year": "30,000",
                 "price_vnd_per_unit": "25,000", "park": w.k1.pk}  # fmt: skip
    url = f"/finance/projects/new/?from=match&id={m.pk}"
    assert c.post(url, en | {"enterprise": w.e2.pk}).status_code == 200  # not its own: refused
    assert c.post(url, en).status_code == 200  # an enterprise's sheet names the enterprise
    assert c.post(url, en | {"enterprise": w.e1.pk}).status_code == 302
    assert Project.objects.get().enterprise == w.e1


def _project(w, **kw):
    from eiphub.finance import services as S

    return S.create_project(w.users[Role.BOARD], park=w.k1, enterprise=w.e1, title="Solar",
                            category="rooftop_solar", capex_vnd=1000, savings_vnd_per_year=300,
                            opex_vnd_per_year=50, lifetime_years=5, co2e_t_per_year=10, **kw)  # fmt: skip


def test_stage_moves_and_verification_by_role(w):
    import datetime as dt

    p = _project(w)
    today = dt.date.today().isoformat()
    board = _client(w, Role.BOARD)
    assert (
        board.post(
            f"/finance/projects/{p.pk}/stage/", {"stage": "screened", "on": today}
        ).status_code
        == 302
    )
    p.refresh_from_db()
    assert p.stage == "screened"
    board.post(f"/finance/projects/{p.pk}/stage/", {"stage": "dropped", "on": today})
    p.refresh_from_db()
    assert p.stage == "screened"  # no reason: refused
    ministry = _client(w, Role.MINISTRY)
    assert (
        ministry.post(
            f"/finance/projects/{p.pk}/stage/", {"stage": "built", "on": today}
        ).status_code
        == 403
    )
    consultant = _client(w, Role.CONSULTANT)  # assigned K2 only
    assert consultant.post(f"/finance/projects/{p.pk}/verify/", {"note": "x"}).status_code == 404
    developer = _client(w, Role.DEVELOPER)
    assert developer.post(f"/finance/projects/{p.pk}/verify/", {"note": "x"}).status_code == 403
    assert board.post(f"/finance/projects/{p.pk}/verify/", {"note": "Invoices"}).status_code == 302
    p.refresh_from_db()
    assert p.benefits_verified and p.verified_by == w.users[Role.BOARD]
    assert [h.stage for h in p.history.all()] == ["identified", "screened"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_exports_in_both_languages(w, lang):
    from docx import Document
    from openpyxl import load_workbook

    p = _project(w)
    c = _client(w, Role.BOARD)
    pdf = c.get(f"/finance/projects/{p.pk}/sheet.pdf?lang={lang}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].endswith(f'_{lang}.pdf"')
    wb = load_workbook(
        io.BytesIO(c.get(f"/finance/projects/{p.pk}/sheet.xlsx?lang={lang}").content)
    )
    cells = [str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v is not None]
    npv_label = "Giá trị hiện tại ròng (NPV)" if lang == "vi" else "Net present value (NPV)"
    i = cells.index(npv_label)
    assert cells[i + 1] == ("-52 ₫" if lang == "vi" else "-52 VND")  # the hand-calculated -52.30
    doc = Document(io.BytesIO(c.get(f"/finance/projects/{p.pk}/sheet.docx?lang={lang}").content))
    text = "\n".join(cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    assert npv_label in text and "21/2025/QĐ-TTg" in text
    assert c.get(f"/finance/projects/{p.pk}/sheet.odt").status_code == 404


def test_pipeline_and_curve_show_the_project_in_scope(w):
    p = _project(w)
    board = _client(w, Role.BOARD)
    page = board.get("/finance/?province=P1").content.decode()
    assert 'data-park="K1"' in page and p.title in page
    curve = board.get("/finance/abatement/?park=K1").content.decode()
    assert f'data-project="{p.pk}"' in curve
    assert board.get("/finance/abatement/?park=K3").status_code == 404  # not the board's
    public = _client(w, Role.PUBLIC)
    assert p.title not in public.get("/finance/").content.decode()


def test_sheets_from_a_measure_and_an_agreement(w):
    import datetime as dt

    from eiphub.exchange.models import Agreement
    from eiphub.recp.models import Measure

    m = Measure.objects.create(enterprise=w.e1, title="VSD pumps", practice="equipment",
                               status="implemented", implemented_on=dt.date(2024, 1, 1),
                               investment_vnd=800_000_000, savings_vnd_per_year=300_000_000,
                               co2e_t_per_year=90)  # fmt: skip
    c = _client(w, Role.DEVELOPER)
    assert "from=measure&amp;id=" in c.get(f"/recp/{m.pk}/").content.decode()
    form = c.get(f"/finance/projects/new/?from=measure&id={m.pk}").content.decode()
    assert "800,000,000" in form and "VSD pumps" in form
    r = c.post(f"/finance/projects/new/?from=measure&id={m.pk}",
               {"title": "VSD pumps", "category": "energy_efficiency", "park": w.k1.pk,
                "enterprise": w.e1.pk, "capex_vnd": "800,000,000", "opex_vnd_per_year": "0",
                "savings_vnd_per_year": "300,000,000", "lifetime_years": "8", "rate_pct": "10",
                "co2e_t_per_year": "90"})  # fmt: skip
    assert r.status_code == 302
    p = Project.objects.get(measure=m)
    assert p.source == "recp" and p.lifetime_years == 8
    a = Agreement.objects.create(supplier=w.e2, receiver=w.e1, resource_code="water.treated",
                                 quantity_per_year=5000, unit="m3", price_vnd_per_unit=8000)  # fmt: skip
    board = _client(w, Role.BOARD)
    assert "from=agreement&amp;id=" in board.get(f"/exchange/agreements/{a.pk}/").content.decode()
    assert board.get(f"/finance/projects/new/?from=agreement&id={a.pk}").status_code == 200
    # the consultant (K2 only) may not open a sheet from a K1 measure
    assert (
        _client(w, Role.CONSULTANT)
        .get(f"/finance/projects/new/?from=measure&id={m.pk}")
        .status_code
        == 404
    )
