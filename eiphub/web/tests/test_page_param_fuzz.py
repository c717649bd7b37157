"""Bad page parameters never give a server error (issue 18, finding 5).

Every page of the permission matrix, for every role that may open it, is requested with
hostile values of every query parameter the pages read; the answer must be a clean page,
a redirect, 400 or 404, never 500."""

import pytest
from django.test import Client

from eiphub.accounts.tests.test_permission_matrix import PAGE_MATRIX
from eiphub.testing import make_world
from eiphub.testing.matrix import OK, ROLES

pytestmark = pytest.mark.django_db

PARAMS = ("year", "park", "enterprise", "province", "pack", "study", "id", "kind", "page",
          "strict", "fmt", "what", "status", "by", "q", "resource", "month")  # fmt: skip
VALUES = ("abc", "-5", "99999999", "0", "", "1e309", "%00", "ø", "9" * 40, "'; --")


@pytest.mark.parametrize("value", VALUES)
def test_no_page_gives_a_server_error_for_bad_parameters(value):
    world = make_world()
    failures = []
    for role in ROLES:
        c = Client(raise_request_exception=False)
        c.force_login(world.users[role])
        for name, (make_url, expected) in PAGE_MATRIX.items():
            url = make_url(world)
            if not url or expected.get(role) != OK:
                continue
            sep = "&" if "?" in url else "?"
            query = "&".join(f"{p}={value}" for p in PARAMS)
            status = c.get(f"{url}{sep}{query}").status_code
            if status >= 500:
                failures.append((role, name, status))
    assert failures == []


def test_named_findings(db):
    """The cases of the audit: ?year=abc / -5 / 99999999, /flows/entry/?enterprise=abc,
    /recp/ghg/?park= for a park without flows."""
    from eiphub.accounts.models import Role

    world = make_world(with_flows=False)
    c = Client(raise_request_exception=False)
    c.force_login(world.users[Role.BOARD])
    for url in ("/parks/K1/?year=abc", "/parks/K1/?year=-5", "/parks/K1/?year=99999999",
                "/flows/entry/?enterprise=abc", f"/recp/ghg/?park={world.k1.code}",
                f"/recp/ghg/?park={world.k1.code}&year=0", "/dashboard/?year=abc"):  # fmt: skip
        assert c.get(url).status_code in (200, 302, 400, 404), url
