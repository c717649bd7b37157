"""Optimistic concurrency on RECP measures (issue 18, finding 4): a stale edit is a 409
with a message, never a silent overwrite."""

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.recp.models import Measure
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def _post(c, m, title, version):
    return c.post(f"/recp/{m.pk}/edit/", {
        "enterprise": m.enterprise_id, "title": title, "practice": "equipment",
        "status": "identified", "investment_vnd": "0", "savings_vnd_per_year": "0",
        "version": version, "s-TOTAL_FORMS": "0", "s-INITIAL_FORMS": "0",
    })  # fmt: skip


def test_second_editor_of_the_same_version_gets_a_conflict():
    w = make_world(with_flows=False)
    m = Measure.objects.create(enterprise=w.e1, title="LED", practice="equipment")
    a, b = Client(), Client()
    a.force_login(w.users[Role.ENTERPRISE])
    b.force_login(w.users[Role.DEVELOPER])
    assert _post(a, m, "LED v2", m.version).status_code == 302
    resp = _post(b, m, "LED v3", m.version)  # read before a's save
    assert resp.status_code == 409
    assert "changed this record meanwhile" in resp.content.decode()
    m.refresh_from_db()
    assert (m.title, m.version) == ("LED v2", 2)
