"""Project-wide pytest fixtures."""

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# CI explores the same examples on every run (no flakiness from new random draws);
# developers' runs keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def _single_threaded_live_server():
    """Browser tests' live server answers one request at a time.  On SQLite the test
    database is one in-memory connection shared with the server thread; with every
    request in a transaction (ATOMIC_REQUESTS), two requests served at once by threads
    would interleave their savepoints on that one connection ("no such savepoint").
    Django's server closes each connection when it is not threaded, so browsers wait
    their turn instead of holding the server."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATimeServer(WSGIServer):
        # The server thread itself already uses the test's connections.
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = OneAtATimeServer


def pytest_configure(config):
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        # Fast password hashing in tests (PBKDF2 is slow by design).
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # Tests read English source strings unless they ask for Vietnamese; the product
        # default (Vietnamese) is asserted in eiphub/web/tests/test_language.py.
        settings.LANGUAGE_CODE = "en"
        # Jobs run inline (eager) unless a test starts a real worker (eiphub/jobs/tests/
        # test_worker_redis.py switches the app to the broker).
        settings.CELERY_TASK_ALWAYS_EAGER = True
        # uploaded files (exchange attachments) go to a throw-away directory
        import tempfile

        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="eiphub-test-media-")
        from eiphub.jobs.celery_app import app

        app.conf.task_always_eager = True
        # Stored results recompute when a page reads them stale (tests assert fresh figures
        # right after writes); the "task" mode is tested in eiphub/reports/tests.
        settings.EIPHUB_RECOMPUTE = "on_read"
        _single_threaded_live_server()
        # The existing suite logs ministry/board users in with force_login; the TOTP step
        # is tested with the requirement on in eiphub/accounts/tests/test_totp.py.
        settings.EIPHUB_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _english_outside_requests(request):
    """Code called directly by a test (services, commands) runs in English unless the test
    activates another language; requests still pick their language as users' do."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each test starts with an empty cache (rendered pages are cached, e.g. the park overview;
    database ids repeat across tests)."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _record_database_vendor(request):
    """Write the database vendor the suite ran on to var/ci-vendors.txt.

    `.ci/run` checks that both sqlite and postgresql appear, so a skipped
    PostgreSQL run fails CI.  When EIPHUB_EXPECT_VENDOR is set, a different
    vendor is an error.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        return  # pure-core run with -p no:django
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    from django.db import connection

    with blocker.unblock():
        with connection.cursor() as cur:
            cur.execute("select 1")
        vendor = connection.vendor
    expected = os.environ.get("EIPHUB_EXPECT_VENDOR")
    if expected and expected != vendor:
        pytest.exit(f"expected database vendor {expected}, got {vendor}", returncode=3)
    var = Path(__file__).parent / "var"
    var.mkdir(exist_ok=True)
    with open(var / "ci-vendors.txt", "a", encoding="utf-8") as fh:
        fh.write(vendor + "\n")
