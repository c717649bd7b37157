"""Production serving: `check --deploy` is clean in a production configuration and
refuses the public defaults; `eiphub serve` runs gunicorn with several workers and
WhiteNoise serves the static files; JSON logs."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from eiphub.logs import JsonFormatter

# Subprocesses with their own database: vendor-independent, so run on the SQLite pass only.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="vendor-independent; runs in the SQLite pass",
)

PRODUCTION = {
    "EIPHUB_SECRET_KEY": "x7Kq2pZr9vLw4mNb8cTd1fGh6jYs3aQe5uIo0WxRzVkPlMnBc-test-only-key",
    "EIPHUB_ALLOWED_HOSTS": "eip.example.vn",
    "EIPHUB_HTTPS": "1",
}


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EIPHUB_", "CELERY_"))}
    env.pop("DATABASE_URL", None)
    # Set in this test process by the browser helper (Playwright's event loop), never in a
    # deployment; inherited, it would make `check --deploy` report async.E001.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**env, "EIPHUB_VAR_DIR": str(tmp_path / "var"), **extra}


def _manage(tmp_path, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "eiphub.cli", *args],
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    out = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_check_deploy_refuses_the_public_defaults(tmp_path):
    out = _manage(tmp_path, "check", "--deploy")
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "eiphub.E001" in text and "EIPHUB_SECRET_KEY" in text and "EIPHUB_ALLOWED_HOSTS" in text
    assert "security.W004" in text  # no HSTS without EIPHUB_HTTPS
    assert "security.W018" not in text  # DEBUG is off by default


def test_wsgi_refuses_to_start_with_the_public_key(tmp_path):
    code = "import eiphub.wsgi"
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True
    )
    assert out.returncode != 0 and "EIPHUB_SECRET_KEY must be set" in out.stderr
    demo = subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path, EIPHUB_DEMO="1"), capture_output=True
    )
    assert demo.returncode == 0, demo.stderr


def test_serve_refuses_the_public_defaults(tmp_path):
    out = _manage(tmp_path, "serve", "--dry-run")
    assert out.returncode != 0 and "EIPHUB_SECRET_KEY" in out.stderr
    ok = _manage(tmp_path, "serve", "--dry-run", "--workers", "3", "--port", "8101", **PRODUCTION)
    assert ok.returncode == 0, ok.stderr
    assert "gunicorn eiphub.wsgi:application --bind 127.0.0.1:8101 --workers 3" in ok.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, host="127.0.0.1"):
    req = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_serve_runs_gunicorn_workers_and_whitenoise(tmp_path):
    port = _free_port()
    env = _env(
        tmp_path,
        EIPHUB_SECRET_KEY=PRODUCTION["EIPHUB_SECRET_KEY"],
        EIPHUB_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "eiphub.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:  # bounded wait for the server to come up
            try:
                status, _h, body = _get(base + "/healthz")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert status == 200 and json.loads(body)["database"]["ok"]
        status, headers, body = _get(base + "/static/eiphub/app.css")
        assert status == 200 and b".job-progress" in body
        manifest = json.loads((tmp_path / "var" / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["eiphub/app.css"]
        status, headers, _b = _get(f"{base}/static/{hashed}")
        assert status == 200 and "immutable" in headers.get("Cache-Control", "")
        assert _get(base + "/healthz", host="evil.example")[0] == 400  # ALLOWED_HOSTS
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 2  # gunicorn's two workers
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_json_log_lines():
    rec = logging.LogRecord("eiphub.jobs", logging.INFO, __file__, 1, "job %s done", (7,), None)
    rec.job_id = 7
    line = json.loads(JsonFormatter().format(rec))
    assert line["message"] == "job 7 done" and line["level"] == "INFO"
    assert line["logger"] == "eiphub.jobs" and line["job_id"] == 7
