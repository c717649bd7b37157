"""Eco-criteria pages and API operations in the permission matrix (eiphub/testing/matrix.py).

World: park K1 (province P1, developer d1) with enterprises e1 (the enterprise user's own) and
e2; the board manages P1; the consultant is assigned K2 only.  Park scorecards and their
drill-down name other enterprises' facts, so enterprise users see only their own enterprise.
An A.5 report of K1 is created on demand."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles

YEAR = 2024


def a5(w):
    from eiphub.reports.models import AnnualReport

    rep, _created = AnnualReport.objects.get_or_create(
        kind="A5",
        park=w.k1,
        enterprise=None,
        year=YEAR,
        defaults={"pack_id": "circular05_a5", "pack_version": "2025.1"},
    )
    return rep


def evidence(w):
    """An evidence file of the A.5 report (stored through the storage API)."""
    from django.core.files.base import ContentFile

    from eiphub.reports.models import ReportEvidence

    rep = a5(w)
    ev = rep.evidence.first()
    if ev is None:
        ev = ReportEvidence(
            report=rep, code="ENV.1", name="bien-ban.pdf", size=9, content_type="application/pdf"
        )
        ev.sha256 = "0" * 64
        ev.file.save("bien-ban.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        ev.save()
    return rep, ev


K1_PARK = {
    Role.MINISTRY: OK,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: NOT_FOUND,
    Role.CONSULTANT: NOT_FOUND,
    Role.PUBLIC: NOT_FOUND,
    ANON: LOGIN,
}
E1_OWN = K1_PARK | {Role.ENTERPRISE: OK}
BOARD_ONLY = all_roles(FORBIDDEN) | {Role.BOARD: OK}

PAGES = {
    "reports:scorecards": (lambda w: "/reports/", all_roles(OK)),
    "reports:park_scorecard": (
        lambda w: f"/reports/park/{w.k1.code}/decree35_art37_eip/{YEAR}/",
        K1_PARK,
    ),
    "reports:enterprise_scorecard": (lambda w: f"/reports/enterprise/{w.e1.pk}/{YEAR}/", E1_OWN),
    "reports:benchmark": (lambda w: "/reports/benchmark/?format=csv", all_roles(OK)),
    "reports:checklist_park": (lambda w: f"/reports/checklist/park/{w.k1.code}/{YEAR}/", K1_PARK),
    "reports:checklist_enterprise": (
        lambda w: f"/reports/checklist/enterprise/{w.e1.pk}/{YEAR}/",
        E1_OWN,
    ),
    "reports:park_declarations": (
        lambda w: f"/reports/declarations/park/{w.k1.code}/{YEAR}/",
        K1_PARK,
    ),
    "reports:enterprise_declarations": (
        lambda w: f"/reports/declarations/enterprise/{w.e1.pk}/{YEAR}/",
        E1_OWN,
    ),
    "reports:targets": (lambda w: f"/reports/targets/{w.k1.code}/", K1_PARK),
    "reports:report_list": (lambda w: "/reports/annual/", all_roles(OK)),
    "reports:report_create": (lambda w: None, {}),  # POST only: test_pages.py
    "reports:report_detail": (lambda w: f"/reports/annual/{a5(w).pk}/", K1_PARK),
    "reports:report_values": (lambda w: None, {}),  # POST only: test_pages.py
    "reports:report_transition": (lambda w: None, {}),  # POST only: test_pages.py
    "reports:report_export": (lambda w: f"/reports/annual/{a5(w).pk}/export.xlsx", K1_PARK),
    # issue 13: the confirmation page is the filer's (the board and the ministry read the
    # report but may not file it: 403); evidence files follow the report's read scope.
    "reports:report_confirm": (
        lambda w: f"/reports/annual/{a5(w).pk}/confirm/",
        K1_PARK | {Role.MINISTRY: FORBIDDEN, Role.BOARD: FORBIDDEN},
    ),
    "reports:report_evidence": (lambda w: None, {}),  # POST only: test_issue13_editor.py
    "reports:report_evidence_delete": (lambda w: None, {}),  # POST only: test_issue13_editor.py
    "reports:report_evidence_file": (
        lambda w: "/reports/annual/{}/evidence/{}/".format(*(o.pk for o in evidence(w))),
        K1_PARK,
    ),
    "reports:report_documents": (lambda w: None, {}),  # POST only: test_issue13_editor.py
    "reports:review_queue": (lambda w: "/reports/review/", BOARD_ONLY | {ANON: LOGIN}),
}

API_K1 = {k: (401 if v == LOGIN else 404 if v == NOT_FOUND else 200) for k, v in K1_PARK.items()}
API = {
    ("get", "/api/v1/reports/scorecard/{code}/{pack_id}/{year}"): (
        lambda w: f"/api/v1/reports/scorecard/{w.k1.code}/circular05_b5/{YEAR}",
        API_K1,
    ),
    ("get", "/api/v1/reports/annual"): (
        lambda w: "/api/v1/reports/annual",
        all_roles(200, anon=401),
    ),
    ("get", "/api/v1/reports/annual/{report_id}"): (
        lambda w: f"/api/v1/reports/annual/{a5(w).pk}",
        API_K1,
    ),
    ("post", "/api/v1/reports/annual/{report_id}/transition"): (None, {}),  # test_pages.py
}
