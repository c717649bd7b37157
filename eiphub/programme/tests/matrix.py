"""Programme pages in the permission matrix (see eiphub/testing/matrix.py).

The readiness ranking: the ministry (every park) and the boards (their province's parks);
other roles are refused.  A park's investor page and its promotion sheet: whoever sees
the park (``parks_for``; K1 here).  The prospective-investor form: every signed-in user.
The pages read the stored job result; the matrix runs them before any (empty states)."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles

READINESS = {
    Role.MINISTRY: OK,
    Role.BOARD: OK,
    Role.DEVELOPER: FORBIDDEN,
    Role.ENTERPRISE: FORBIDDEN,
    Role.CONSULTANT: FORBIDDEN,
    Role.PUBLIC: FORBIDDEN,
    ANON: LOGIN,
}
K1_VISIBLE = {
    Role.MINISTRY: OK,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: OK,
    Role.CONSULTANT: NOT_FOUND,
    Role.PUBLIC: NOT_FOUND,
    ANON: LOGIN,
}

PAGES = {
    "programme:readiness": (lambda w: "/programme/", READINESS),
    "programme:recompute": (lambda w: None, {}),  # POST only; programme/tests/test_pages.py
    "programme:prospect": (lambda w: "/programme/investors/", all_roles(OK)),
    "programme:park_investors": (lambda w: "/programme/parks/K1/investors/", K1_VISIBLE),
    "programme:sheet": (lambda w: "/programme/parks/K1/sheet.docx", K1_VISIBLE),
}
API = {}
