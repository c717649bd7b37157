"""Shared vocabulary of the permission matrix (eiphub/accounts/tests/test_permission_matrix.py).

Each app lists its pages and API operations in ``eiphub/<app>/tests/matrix.py``:

    from eiphub.testing.matrix import OK, LOGIN, NOT_FOUND, FORBIDDEN, ANON, all_roles
    from eiphub.accounts.models import Role

    PAGES = {"exchange:listings": (lambda w: "/exchange/", all_roles(OK))}
    API = {("get", "/api/v1/listings"): (lambda w: "/api/v1/listings", all_roles(200, anon=401))}

``w`` is the world built by ``eiphub.testing.make_world()``; the dict maps each
role (and ANON) to the expected status, or LOGIN for a redirect to the login page.
Every URL name and every OpenAPI operation must appear in some matrix.
"""

import importlib

from eiphub.accounts.models import Role

ROLES = [Role.MINISTRY, Role.BOARD, Role.DEVELOPER, Role.ENTERPRISE, Role.CONSULTANT, Role.PUBLIC]
ANON = "anonymous"
OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404
APPS = [
    "registry", "flows", "exchange", "networks", "recp", "reports", "web", "jobs", "monitoring",
    "finance", "programme",
]  # fmt: skip


def all_roles(status, anon=LOGIN):
    return {r: status for r in ROLES} | {ANON: anon}


ALL_OK = all_roles(OK)


def app_matrices():
    for app in APPS:
        try:
            yield importlib.import_module(f"eiphub.{app}.tests.matrix")
        except ModuleNotFoundError as exc:
            if exc.name != f"eiphub.{app}.tests.matrix":
                raise
