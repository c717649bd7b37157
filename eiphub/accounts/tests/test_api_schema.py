"""Property-based API tests with schemathesis, driven by our own OpenAPI document.

Every documented operation is called with generated parameters by a ministry
user (widest read scope) and must never answer with a server error, and its
successful responses must match the documented schema.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from eiphub.accounts.models import ApiToken, Role
from eiphub.testing import make_world
from eiphub.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(max_examples=15)


@pytest.fixture
def token(db):
    # schemathesis calls the WSGI handler directly, which closes old database connections
    # at each request's end (as Django's test client avoids); on PostgreSQL that would close
    # the test transaction's connection.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _token()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token():
    world = make_world()
    _tok, key = ApiToken.issue(world.users[Role.MINISTRY])
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_api_never_fails(case, token):
    if case.operation.method.upper() != "GET":
        pytest.skip("write operations are covered by targeted tests")
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
