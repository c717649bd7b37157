"""Import/export pages in the permission matrix (see eiphub/testing/matrix.py).

Import needs a writable enterprise or park (the non-superuser ministry and the public
get 403).  Exports are open to every signed-in role: their content is scoped, which
eiphub/flows/tests/test_export.py checks.  Templates carry no data."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles

WRITERS = {
    Role.MINISTRY: FORBIDDEN,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: OK,
    Role.CONSULTANT: OK,
    Role.PUBLIC: FORBIDDEN,
    ANON: LOGIN,
}


def batch_of_enterprise_user(w):
    from eiphub.flows.models import ImportBatch

    b, _created = ImportBatch.objects.get_or_create(
        filename="matrix.csv", user=w.users[Role.ENTERPRISE]
    )
    return f"/flows/import/{b.pk}/"


PAGES = {
    "flows:import": (lambda w: "/flows/import/", WRITERS),
    "flows:import_status": (
        batch_of_enterprise_user,
        all_roles(NOT_FOUND) | {Role.ENTERPRISE: OK},
    ),
    "flows:import_apply": (lambda w: None, {}),  # POST only: test_import_page
    "flows:import_undo": (lambda w: None, {}),  # POST only: test_import_page
    "flows:import_history": (lambda w: "/flows/import/history/", WRITERS),
    # Plausibility list: whoever reads enterprises' figures (scoped list); not the public.
    "flows:checks": (
        lambda w: "/flows/checks/",
        all_roles(OK) | {Role.PUBLIC: FORBIDDEN},
    ),
    "flows:template": (lambda w: "/flows/templates/flows.xlsx", all_roles(OK, anon=OK)),
    "flows:export": (lambda w: "/flows/export/?what=flows&park=K1&format=csv", all_roles(OK)),
}
