"""Programme pages in the permission matrix (see eiphub/testing/matrix.py).

The readiness ranking: the ministry (every park) and the boards (their province's parks);
other roles are refused.  A park's investor page and its promotion sheet: whoever sees
the park (``parks_for``; K1 here).  The prospective-investor form: every signed-in user.
The fixture publishes two listings in K1 and stores a computed ranking, so the pages render
with data (and the hostile-names browser test sees park names in them)."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles


def ranked(w):
    if getattr(w, "programme_job", None) is not None:
        return w
    from eiphub.exchange.models import Listing
    from eiphub.programme import services as S

    for ent, kind, code in ((w.e1, "offer", "waste.ash.fly"), (w.e2, "want", "energy.steam")):
        Listing.objects.get_or_create(
            enterprise=ent,
            kind=kind,
            resource_code=code,
            defaults={"quantity": 500, "unit": "t", "status": "published", "resource_text": code},
        )
    w.programme_job = S.run_now()
    return w


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
    "programme:readiness": (lambda w: ranked(w) and "/programme/", READINESS),
    "programme:recompute": (lambda w: None, {}),  # POST only; programme/tests/test_pages.py
    "programme:prospect": (lambda w: "/programme/investors/", all_roles(OK)),
    "programme:park_investors": (
        lambda w: ranked(w) and "/programme/parks/K1/investors/",
        K1_VISIBLE,
    ),
    "programme:sheet": (lambda w: "/programme/parks/K1/sheet.docx", K1_VISIBLE),
}
API = {}
