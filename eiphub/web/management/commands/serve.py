"""`eiphub serve [--port N] [--bind ADDR] [--workers N]`: the production web server
(gunicorn, several worker processes; WhiteNoise serves the static files)."""

import importlib
import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def gunicorn_argv(*, bind, workers, threads, timeout) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "eiphub.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "30",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("EIPHUB_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


class Command(BaseCommand):
    help = "Serve the application with gunicorn (several workers) and WhiteNoise."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="", help="address:port (default 127.0.0.1:PORT)")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("EIPHUB_WEB_WORKERS", 0)) or default_workers(),
            help="gunicorn worker processes (default 2 × CPUs + 1, at most 9)",
        )
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the gunicorn command and exit"
        )

    def handle(self, *args, bind, port, workers, threads, timeout, no_collectstatic, dry_run, **o):
        if workers < 1:
            raise CommandError(_("--workers must be at least 1."))
        if not settings.DEBUG and not getattr(settings, "EIPHUB_DEMO", False):
            module = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
            problems = getattr(module, "production_problems", list)()
            if problems:
                raise CommandError("; ".join(problems) + " (docs/deployment.md)")
        env = {**os.environ, "EIPHUB_STATIC_MANIFEST": "1"}
        argv = gunicorn_argv(
            bind=bind or f"127.0.0.1:{port}", workers=workers, threads=threads, timeout=timeout
        )
        if dry_run:
            self.stdout.write(" ".join(argv))
            return
        if not no_collectstatic:
            # hashed, compressed copies in STATIC_ROOT (the manifest gunicorn's workers read)
            subprocess.run(
                [sys.executable, "-m", "eiphub.cli", "collectstatic", "--noinput", "-v", "0"],
                env=env,
                check=True,
            )
        sys.stdout.flush()
        os.execvpe(argv[0], argv, env)
