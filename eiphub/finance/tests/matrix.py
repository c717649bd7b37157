"""Finance pages in the permission matrix (see eiphub/testing/matrix.py).

A project is created on demand in park K1 for enterprise e1 (the enterprise user's own
enterprise; board's province P1; developer d1).  The consultant is assigned K2 only."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles


def project(w):
    from eiphub.finance.models import Project

    p, _created = Project.objects.get_or_create(
        park=w.k1,
        enterprise=w.e1,
        title="Matrix project",
        defaults={"category": "water_reuse", "capex_vnd": 1000, "savings_vnd_per_year": 300,
                  "co2e_t_per_year": 2},
    )  # fmt: skip
    return p


K1_VISIBLE = {
    Role.MINISTRY: OK,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: OK,
    Role.CONSULTANT: NOT_FOUND,
    Role.PUBLIC: NOT_FOUND,
    ANON: LOGIN,
}
CREATORS = {
    Role.MINISTRY: FORBIDDEN,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: OK,
    Role.CONSULTANT: OK,
    Role.PUBLIC: FORBIDDEN,
    ANON: LOGIN,
}

PAGES = {
    "finance:pipeline": (lambda w: "/finance/", all_roles(OK)),
    "finance:macc": (lambda w: "/finance/abatement/", all_roles(OK)),
    "finance:programmes": (lambda w: "/finance/programmes/", all_roles(OK)),
    "finance:project_create": (lambda w: "/finance/projects/new/", CREATORS),
    "finance:project_detail": (lambda w: f"/finance/projects/{project(w).pk}/", K1_VISIBLE),
    "finance:project_edit": (
        lambda w: f"/finance/projects/{project(w).pk}/edit/",
        K1_VISIBLE | {Role.MINISTRY: FORBIDDEN},
    ),
    "finance:project_stage": (lambda w: None, {}),  # POST only: finance/tests/test_pages.py
    "finance:project_verify": (lambda w: None, {}),  # POST only: finance/tests/test_pages.py
    "finance:project_export": (
        lambda w: f"/finance/projects/{project(w).pk}/sheet.xlsx",
        K1_VISIBLE,
    ),
}
