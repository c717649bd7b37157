"""Programme pages: the readiness ranking computed by its job and read back with its
freshness and reasons, scoped per role; a park's investor page and promotion sheet; the
prospective-investor form; the finance adapter with and without the finance app."""

import importlib.util
import io
import sys
import types
import zipfile

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange.models import Listing
from eiphub.jobs.models import Job
from eiphub.programme import services as S
from eiphub.testing import make_world


def _listing(ent, kind, code, qty, unit="t"):
    return Listing.objects.create(
        enterprise=ent,
        kind=kind,
        resource_code=code,
        resource_text=code,
        quantity=qty,
        unit=unit,
        status=Listing.Status.PUBLISHED,
    )


@pytest.fixture
def world(db):
    w = make_world()
    _listing(w.e1, "offer", "waste.ash.fly", 1234)  # K1
    _listing(w.e2, "want", "energy.steam", 800)  # K1
    _listing(w.e3, "offer", "waste.plastic", 300)  # K3 (other province)
    return w


def _client(w, role, lang="en"):
    c = Client()
    c.force_login(w.users[role])
    c.cookies["django_language"] = lang
    return c


def test_pages_before_the_first_run_show_empty_states(world):
    page = _client(world, Role.MINISTRY).get("/programme/")
    assert page.status_code == 200
    assert b"has not been computed yet" in page.content
    assert _client(world, Role.DEVELOPER).get("/programme/").status_code == 403


def test_recompute_runs_the_job_and_the_page_reads_it(world):
    c = _client(world, Role.MINISTRY)
    resp = c.post("/programme/recompute/")
    assert resp.status_code == 302 and resp["Location"] == "/programme/"
    job = Job.objects.get(kind=S.JOB_KIND)
    assert job.status == Job.Status.SUCCEEDED
    codes = [p["code"] for p in job.result["parks"]]
    assert sorted(codes) == ["K1", "K2", "K3"]
    assert [p["rank"] for p in job.result["parks"]] == [1, 2, 3]
    page = c.get("/programme/").content.decode()
    for code in ("K1", "K2", "K3"):
        assert f'data-park="{code}"' in page
    assert "Computed at" in page
    assert "unmatched offers" in page  # a reason, phrased
    if importlib.util.find_spec("eiphub.finance") is None:
        assert "No finance pipeline data yet." in page
    else:  # the finance app's pipeline: no project yet
        assert "No project in the finance pipeline yet." in page
    # the board sees its province's parks only
    board = _client(world, Role.BOARD).get("/programme/").content.decode()
    assert 'data-park="K1"' in board and 'data-park="K3"' not in board
    # the developer may not start it
    assert _client(world, Role.DEVELOPER).post("/programme/recompute/").status_code == 403


def test_freshness_turns_stale_after_a_listing_changes(world):
    S.run_now()
    _result, fresh = S.stored_result()
    assert fresh["computed_at"] is not None and fresh["stale"] is False
    _listing(world.e2, "offer", "waste.paper", 50)
    assert S.stored_result()[1]["stale"] is True


def test_park_investor_page_shows_industries_with_bands_not_exact_quantities(world):
    S.run_now()
    page = _client(world, Role.ENTERPRISE).get("/programme/parks/K1/investors/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "2394" in text  # cement takes fly ash
    assert "1,000–5,000 t/year" in text  # 1,234 t as a band
    assert "1,234" not in text and "1234" not in text
    assert "Readiness:" not in text  # the readiness card is for the ministry and boards
    assert (
        "Readiness:"
        in _client(world, Role.MINISTRY).get("/programme/parks/K1/investors/").content.decode()
    )
    assert _client(world, Role.CONSULTANT).get("/programme/parks/K1/investors/").status_code == 404


@pytest.mark.parametrize(
    "lang,title", [("vi", "Tờ giới thiệu đầu tư"), ("en", "Investment promotion sheet")]
)
def test_promotion_sheet_pdf_and_docx(world, lang, title):
    S.run_now()
    c = _client(world, Role.BOARD)
    pdf = c.get(f"/programme/parks/K1/sheet.pdf?lang={lang}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = c.get(f"/programme/parks/K1/sheet.docx?lang={lang}")
    assert docx.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert title in xml and "2394" in xml
    assert c.get("/programme/parks/K1/sheet.xlsx").status_code == 404


def test_prospect_form_ranks_parks_with_reasons_and_reads_vietnamese_numbers(world):
    S.run_now()
    c = _client(world, Role.ENTERPRISE, lang="vi")
    page = c.get("/programme/investors/", {"inputs": "tro bay; 1.500", "outputs": ""})
    text = page.content.decode()
    assert page.status_code == 200
    rows = text.split('id="prospect-table"')[1]
    assert rows.index("K1") < rows.index("K2")  # K1 offers fly ash
    assert "1.000–5.000 t/năm" in text
    bad = c.get("/programme/investors/", {"inputs": "tro bay; nhiều"})
    assert "Không đọc được dòng" in bad.content.decode()
    empty = c.get("/programme/investors/", {"inputs": "", "outputs": ""})
    assert "ít nhất một" in empty.content.decode()


def test_finance_adapter_without_and_with_the_finance_app(world, monkeypatch):
    monkeypatch.setitem(sys.modules, "eiphub.finance", None)  # import fails: no app
    monkeypatch.setitem(sys.modules, "eiphub.finance.services", None)
    assert S.finance_pipeline([world.k1.pk]) is None
    S.run_now()
    k1 = next(p for p in S.stored_result()[0]["parks"] if p["code"] == "K1")
    assert k1["components"]["finance"] == 0.0
    assert any(r["code"] == "finance_no_data" for r in k1["reasons"])
    fake = types.ModuleType("eiphub.finance.services")
    fake.pipeline_summary = lambda park_ids=None, projects=None: {
        world.k1.pk: {
            "counts": {"identified": 1, "screened": 1, "financing": 1, "operating": 2,
                       "ended": 3, "dropped": 4, "total": 12, "active": 8},
            "claimed_vnd_per_year": 7e8,
        }
    }  # fmt: skip
    pkg = types.ModuleType("eiphub.finance")
    pkg.services = fake
    monkeypatch.setitem(sys.modules, "eiphub.finance", pkg)
    monkeypatch.setitem(sys.modules, "eiphub.finance.services", fake)
    got = S.finance_pipeline([world.k1.pk, world.k2.pk])
    assert got[world.k1.pk].advanced == 3 and got[world.k1.pk].total == 5
    assert got[world.k1.pk].benefit_vnd_per_year == 7e8
    S.run_now()
    k1 = next(p for p in S.stored_result()[0]["parks"] if p["code"] == "K1")
    assert k1["components"]["finance"] == pytest.approx(1.0)  # 3 of 3 projects
    k2 = next(p for p in S.stored_result()[0]["parks"] if p["code"] == "K2")
    assert k2["components"]["finance"] == 0.0
    assert any(r["code"] == "finance_pipeline" for r in k2["reasons"])


def test_components_come_from_the_platform_data(world):
    import datetime as dt

    from eiphub.recp.models import Measure

    Measure.objects.create(
        enterprise=world.e1,
        title="LED",
        practice="housekeeping",
        status="implemented",
        implemented_on=dt.date(2024, 1, 1),
        savings={"energy.electricity.grid": 1000},
    )
    S.run_now()
    result, _fresh = S.stored_result()
    parks = {p["code"]: p for p in result["parks"]}
    # K1: 1 of its 2 enterprises applies RECP (50 % >= 20 %): full; K2: 0 of 1
    assert result["inputs"]["K1"]["implementing"] == 1
    assert parks["K1"]["components"]["recp"] == 1.0
    assert parks["K2"]["components"]["recp"] == 0.0
    # the Art. 37 pack's 8 mandatory criteria were read from the stored scorecards
    met = next(r for r in parks["K1"]["reasons"] if r["code"] == "criteria_met")
    assert met["params"]["of"] == 8
    # K1 has an open offer and an open want; K2 none
    assert result["inputs"]["K1"]["unmatched_offers"] == 1
    assert result["inputs"]["K1"]["unmatched_wants"] == 1
    assert result["inputs"]["K2"]["unmatched_offers"] == 0
    pot = {c: result["inputs"][c]["potential_vnd_per_year"] for c in ("K1", "K2", "K3")}
    assert pot["K1"] > 0 and pot["K2"] == 0
    best = max(pot.values())  # relative to the park with the most potential (no scenarios)
    for c in pot:
        assert parks[c]["components"]["symbiosis"] == pytest.approx(pot[c] / best, abs=1e-6)


def test_nightly_hook_enqueues_the_ranking(world):
    from eiphub.programme.jobs import nightly

    nightly(None)
    job = Job.objects.get(kind=S.JOB_KIND)
    assert job.status == Job.Status.SUCCEEDED and job.result["url"] == "/programme/"


@pytest.mark.skipif(
    importlib.util.find_spec("eiphub.finance") is None, reason="the finance app is not merged"
)
def test_finance_projects_count_in_the_ranking(world):
    from eiphub.finance.services import create_project

    for stage in ("financing", "operating", "screened"):
        create_project(
            world.users[Role.BOARD], park=world.k1, title=f"P {stage}", category="water_reuse",
            stage=stage,
        )  # fmt: skip
    S.run_now()
    result, fresh = S.stored_result()
    k1 = next(p for p in result["parks"] if p["code"] == "K1")
    assert k1["components"]["finance"] == pytest.approx(2 / 3)  # 2 at financing or later of 3
    reason = next(r for r in k1["reasons"] if r["code"] == "finance_pipeline")
    assert reason["params"]["advanced"] == 2 and reason["params"]["total"] == 3
    assert fresh["stale"] is False
    create_project(world.users[Role.BOARD], park=world.k2, title="late", category="water_reuse")
    assert S.stored_result()[1]["stale"] is True
