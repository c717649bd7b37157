"""Request guards in eiphub/web/middleware.py."""

import pytest


@pytest.mark.django_db
def test_nul_characters_are_refused_not_a_server_error(client):
    assert client.get("/parks/?q=a%00b").status_code == 400
    resp = client.get("/api/v1/resources?group=%00")
    assert resp.status_code == 400 and "NUL" in resp.json()["detail"]
