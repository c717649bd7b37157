"""Licensed handlers (issue 17): import of the authority's lists (CSV/XLSX) with errors
naming file, row and field in the user's language; hazardous offers matched only to
holders of a valid licence covering the code; expired licences flagged."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.handlers import import_handlers
from eiphub.exchange.models import HandlerLicence, Match
from eiphub.exchange.tests.factories import listing
from eiphub.testing import make_enterprise, make_user, make_world

pytestmark = pytest.mark.django_db

NEXT_YEAR = dt.date.today().year + 1
LAST_YEAR = dt.date.today().year - 1


def _csv(rows: list[str]) -> io.BytesIO:
    head = "Số giấy phép;Tên tổ chức;Mã số thuế;Hoạt động;Mã CTNH;Công suất (tấn/năm);Ngày cấp;Ngày hết hạn;Cơ quan cấp"
    return io.BytesIO(("\n".join([head, *rows]) + "\n").encode("utf-8"))


@pytest.fixture
def world():
    w = make_world()
    ents = {
        "plater": make_enterprise(w.k1, 3001, "Công ty Xi Mạ Sông Cấm", vsic="2592"),
        "treater": make_enterprise(w.k1, 3002, "Công ty Xử Lý Môi Trường Xanh", vsic="3822"),
        "expired": make_enterprise(w.k1, 3003, "Công ty Xử Lý Cũ", vsic="3822"),
        "other_code": make_enterprise(w.k1, 3004, "Công ty Tái Chế Dầu", vsic="3822"),
        "claims": make_enterprise(w.k1, 3005, "Công ty Tự Nhận", vsic="3822"),
    }
    return w, ents


def _rows(ents):
    return [
        f"GP-01;{ents['treater'].name_vi};{ents['treater'].tax_code};Thu gom, vận chuyển, xử lý;12 06;5000;01/01/2024;31/12/{NEXT_YEAR};Bộ Nông nghiệp và Môi trường",
        f"GP-02;{ents['expired'].name_vi};{ents['expired'].tax_code};Xử lý;12 06 05;1200;01/01/2020;31/12/{LAST_YEAR};Bộ Nông nghiệp và Môi trường",
        f"GP-03;{ents['other_code'].name_vi};{ents['other_code'].tax_code};Tái chế;17 02 03;800;01/01/2024;31/12/{NEXT_YEAR};Bộ Nông nghiệp và Môi trường",
    ]


def test_import_csv_links_enterprises_and_flags_expired(world):
    w, ents = world
    out = import_handlers(_csv(_rows(ents)), "danh-sach-ctnh.csv")
    assert (out.created, out.updated, out.expired, out.linked) == (3, 0, 1, 3)
    assert out.issues == []
    gp1 = HandlerLicence.objects.get(licence_number="GP-01")
    assert gp1.enterprise == ents["treater"] and gp1.waste_codes == ["12 06"]
    assert gp1.activities == ["collect", "transport", "treat"]
    assert gp1.capacity_t_per_year == 5000
    assert HandlerLicence.objects.get(licence_number="GP-02").state() == "expired"
    again = import_handlers(_csv(_rows(ents)), "danh-sach-ctnh.csv")
    assert (again.created, again.updated) == (0, 3)


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "en",
            [
                "loi.csv, row 2, Waste codes (CTNH):",
                "loi.csv, row 3, Valid until:",
                "loi.csv, row 4, Licence number: required",
            ],
        ),
        (
            "vi",
            [
                "loi.csv, dòng 2, Mã chất thải nguy hại (CTNH):",
                "loi.csv, dòng 3, Ngày hết hạn:",
                "loi.csv, dòng 4, Số giấy phép: bắt buộc",
            ],
        ),
    ],
)
def test_import_errors_name_file_row_and_field(world, lang, expected):
    w, ents = world
    rows = [
        "GP-10;Công ty A;;Xử lý;12-06-0X;;;31/12/2030;Sở",
        "GP-11;Công ty B;;Xử lý;12 06 05;;;31/13/2030;Sở",
        ";Công ty C;;Xử lý;12 06 05;;;31/12/2030;Sở",
        "GP-13;Công ty D;;Xử lý;12 06 05;;;31/12/2030;Sở",
    ]
    with translation.override(lang):
        out = import_handlers(_csv(rows), "loi.csv")
        texts = [str(i) for i in out.issues]
    assert out.created == 1  # the good row is kept
    assert len(texts) == 3
    for want, got in zip(expected, texts, strict=True):
        assert got.startswith(want), got


def test_capacity_read_in_the_users_language(world):
    w, ents = world
    row = "GP-20;Công ty E;;Xử lý;12 06 05;5.000,5;;31/12/2030;Sở"
    with translation.override("vi"):
        out = import_handlers(_csv([row]), "vi.csv")
    assert not out.issues
    assert HandlerLicence.objects.get(licence_number="GP-20").capacity_t_per_year == 5000.5


def test_import_xlsx(world):
    from openpyxl import Workbook

    w, ents = world
    wb = Workbook()
    ws = wb.active
    ws.append(["Licence number", "Holder", "Tax code", "Activities", "Waste codes", "Valid until"])
    ws.append(
        [
            "X-1",
            "Green Treatment",
            ents["treater"].tax_code,
            "treatment",
            "120605; 17 02 03",
            dt.date(NEXT_YEAR, 6, 30),
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = import_handlers(buf, "list.xlsx")
    assert out.created == 1 and not out.issues
    h = HandlerLicence.objects.get(licence_number="X-1")
    assert h.waste_codes == ["12 06 05", "17 02 03"] and h.valid_to == dt.date(NEXT_YEAR, 6, 30)


def test_missing_columns_named(world):
    out = import_handlers(io.BytesIO("Tên tổ chức;Ghi chú\nA;b\n".encode()), "thieu.csv")
    assert out.created == 0
    assert "thieu.csv" in str(out.issues[0]) and "Licence number" in str(out.issues[0])


def test_hazardous_offer_matched_only_to_valid_licence_covering_the_code(world):
    w, ents = world
    import_handlers(_csv(_rows(ents)), "ds.csv")
    offer = listing(ents["plater"], "offer", "waste.sludge.hazardous", 40, "t", hazardous=True)
    for k, t in (
        ("treater", ""),
        ("expired", "có giấy phép xử lý CTNH"),
        ("other_code", "licensed hazardous waste handler"),
        ("claims", "đã có giấy phép xử lý chất thải nguy hại"),
    ):  # only the first holds a valid licence covering 12 06 05 (the others claim one)
        listing(ents[k], "want", "waste.sludge.hazardous", 50, "t", text=t)
    S.run_matching(w.k1)
    matched = set(Match.objects.filter(offer=offer).values_list("want__enterprise_id", flat=True))
    assert matched == {ents["treater"].pk}
    # the licence expires: the next run drops the (still only identified) match
    HandlerLicence.objects.filter(licence_number="GP-01").update(
        valid_to=dt.date.today() - dt.timedelta(days=1)
    )
    S.run_matching(w.k1)
    assert not Match.objects.filter(offer=offer).exists()
    # a non-hazardous offer needs no licence
    plain = listing(ents["plater"], "offer", "waste.plastic", 40, "t")
    listing(ents["claims"], "want", "waste.plastic", 50, "t")
    S.run_matching(w.k1)
    assert Match.objects.filter(offer=plain, want__enterprise=ents["claims"]).exists()


def test_directory_page_flags_expired_and_finds_by_code(world):
    w, ents = world
    import_handlers(_csv(_rows(ents)), "ds.csv")
    u = make_user("ent_dir", Role.ENTERPRISE, enterprise=ents["plater"])
    c = Client()
    c.force_login(u)
    html = c.get("/exchange/handlers/").content.decode()
    assert html.count('data-state="expired"') == 1 and html.count('data-state="valid"') == 2
    html = c.get(
        "/exchange/handlers/?q=120605"
    ).content.decode()  # covered by GP-01 (12 06) and GP-02
    assert "GP-01" in html and "GP-02" in html and "GP-03" not in html
    html = c.get("/exchange/handlers/?state=expired").content.decode()
    assert "GP-02" in html and "GP-01" not in html


def test_import_page_board_only_runs_a_job(world):
    w, ents = world
    ent_user = make_user("ent_imp", Role.ENTERPRISE, enterprise=ents["plater"])
    board = make_user("board_imp", Role.BOARD, province=w.p1)
    c = Client()
    c.force_login(ent_user)
    assert c.get("/exchange/handlers/import/").status_code == 403
    c.force_login(board)
    bad = SimpleUploadedFile("sai.csv", _csv(["GP-9;A;;Xử lý;xx;;;31/12/2030;Sở"]).getvalue())
    html = c.post("/exchange/handlers/import/", {"file": bad}).content.decode()
    assert "sai.csv, row 2" in html and not HandlerLicence.objects.exists()
    good = SimpleUploadedFile("ds.csv", _csv(_rows(ents)).getvalue())
    r = c.post("/exchange/handlers/import/", {"file": good})
    assert r.status_code == 302
    assert HandlerLicence.objects.count() == 3  # written by the (eager) job


def test_the_listings_own_ctnh_code_decides_coverage(world):
    """A hazardous offer whose catalogue resource has no code takes the CTNH code stated
    on the listing (its evidence): only a licence covering that code qualifies."""
    from eiphub.exchange.models import ListingEvidence

    w, ents = world
    import_handlers(_csv(_rows(ents)), "ds.csv")
    offer = listing(
        ents["plater"], "offer", "waste.hazardous.spent_solvent", 10, "t", hazardous=True
    )
    ListingEvidence.objects.create(listing=offer, ctnh_code="17 02 03")
    for k in ("treater", "other_code"):
        listing(ents[k], "want", "waste.hazardous.spent_solvent", 20, "t")
    S.run_matching(w.k1)
    matched = set(Match.objects.filter(offer=offer).values_list("want__enterprise_id", flat=True))
    assert matched == {ents["other_code"].pk}  # GP-03 covers 17 02 03; GP-01 only 12 06
    assert S.to_core_listing(offer).licences >= {"licensed_handler", "ctnh:17 02 03"}


def test_directory_escapes_imported_text(world):
    w, ents = world
    hostile = '<img src=x onerror=alert(1)>"><script>x</script>'
    HandlerLicence.objects.create(
        licence_number=hostile,
        holder_name=hostile,
        waste_codes=["12 06"],
        valid_to=dt.date(2030, 1, 1),
    )
    u = make_user("ent_esc", Role.ENTERPRISE, enterprise=ents["plater"])
    c = Client()
    c.force_login(u)
    html = c.get("/exchange/handlers/").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
